import { loadConfig } from '../../config.ts';
import { restoreEmbedded } from '../../services/backup/restoreEmbedded.ts';
import { readMigrations } from '../../storage/migrate.ts';
import type { COMMANDS } from '../commands.ts';
import { printJson } from '../io.ts';
import type { Run } from '../spec.ts';

/** `ombud restore FILE`: an archive of `ombud backup` into the (empty) data directory. */
export const run: Run<(typeof COMMANDS)['restore']> = async ({ values, positionals }, io) => {
  const file = positionals[0]!;
  const r = await restoreEmbedded(loadConfig(), {
    file,
    force: values.force,
    now: new Date(),
    knownMigrations: (await readMigrations()).map((m) => m.version),
    onProgress: (t) => io.progress(`ombud restore: ${t}`),
  });
  io.progress('');
  const m = r.manifest;
  if (r.movedAside) io.err(`The data directory that was there is now ${r.movedAside}.`);
  if (m.leftOut.length)
    io.err(
      `The backup was made without its key files (${m.leftOut.join(', ')}): put them into ${r.dataDir} before the start, or the sealed data cannot be opened nor the audit log verified.`,
    );
  if (r.newer.length)
    io.err(
      `warning: the backup's database ran migrations this Ombud does not have (${r.newer.join(', ')}): it was made by a newer version; start it with that version or a newer one.`,
    );
  if (values.json) {
    printJson(io, {
      file,
      dataDir: r.dataDir,
      createdAt: m.createdAt,
      migrations: m.migrations,
      tables: m.tables,
      rows: r.rows,
      files: m.files.map((f) => f.path),
      leftOut: m.leftOut,
      movedAside: r.movedAside ?? null,
      newer: r.newer,
    });
    return 0;
  }
  io.out(
    `Restored ${file} (made ${m.createdAt} by Ombud ${m.ombudVersion}) into ${r.dataDir}: ${Object.keys(m.tables).length} tables, ${r.rows.toLocaleString('en')} rows, each table as in the backup.`,
  );
  if (m.files.length) io.out(`Files: ${m.files.map((f) => f.path).join(', ')}.`);
  io.out(
    'Next: `ombud audit verify` checks the audit log; `ombud start` migrates a backup of an older version.',
  );
  return 0;
};
