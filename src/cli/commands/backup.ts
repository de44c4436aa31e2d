import { readFileSync } from 'node:fs';
import { loadConfig } from '../../config.ts';
import { backupEmbedded } from '../../services/backup/backupEmbedded.ts';
import type { COMMANDS } from '../commands.ts';
import { printJson } from '../io.ts';
import type { Run } from '../spec.ts';

export const ombudVersion = (): string =>
  (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string })
    .version;

const count = (n: number) => n.toLocaleString('en');

/** `ombud backup FILE`: the embedded database and its data directory's files in one archive. */
export const run: Run<(typeof COMMANDS)['backup']> = async ({ values, positionals }, io) => {
  const r = await backupEmbedded(loadConfig(), {
    file: positionals[0]!,
    withoutKeys: values['without-keys'],
    force: values.force,
    now: new Date(),
    ombudVersion: ombudVersion(),
    onProgress: (t) => io.progress(`ombud backup: ${t}`),
  });
  io.progress('');
  const m = r.manifest;
  const rows = Object.values(m.tables).reduce((a, b) => a + b, 0);
  if (r.keys.length)
    io.err(
      `warning: ${r.file} holds the keys ${r.keys.join(', ')}: whoever has it can open the sealed personal data and write audit entries that verify. Keep it as safe as the data (encrypted, access-controlled, off this machine), or back up with --without-keys and keep the keys apart.`,
    );
  if (m.leftOut.length)
    io.err(
      `Left out (--without-keys): ${m.leftOut.join(', ')}. Keep them apart and safe: without them the restored data cannot be opened nor its audit log verified.`,
    );
  if (r.elsewhere.length) io.err(`Not in the archive, keep these with it: ${r.elsewhere.join('; ')}.`);
  if (values.json) {
    printJson(io, {
      file: r.file,
      bytes: r.bytes,
      createdAt: m.createdAt,
      migrations: m.migrations,
      tables: m.tables,
      rows,
      files: m.files.map((f) => f.path),
      keys: r.keys,
      leftOut: m.leftOut,
      elsewhere: r.elsewhere,
    });
    return 0;
  }
  io.out(
    `Backup written: ${r.file} (${(r.bytes / 1e6).toFixed(1)} MB): ${Object.keys(m.tables).length} tables, ${count(rows)} rows${m.migrations.length ? `, migrations up to ${m.migrations.at(-1)}` : ''}.`,
  );
  io.out(
    m.files.length
      ? `Files of the data directory in it: ${m.files.map((f) => f.path).join(', ')}.`
      : 'The data directory holds no other files.',
  );
  return 0;
};
