/**
 * `ombud restore FILE`: an embedded installation back from an archive of `ombud backup` (./archive.ts),
 * into the data directory of OMBUD_DATA_DIR. The archive is checked whole before anything is written; a
 * data directory that holds anything is refused unless --force, which moves it aside (never deletes it).
 * After loading, every table is counted against the archive's manifest. A failed restore leaves nothing
 * behind and puts a directory moved aside back.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Config } from '../../config.ts';
import { precondition } from '../../core/errors.ts';
import { rowCounts } from '../../storage/inventory.ts';
import { lockDataDir } from '../../storage/open.ts';
import { loadPgliteDataDir, openPglite } from '../../storage/pglite.ts';
import { type ArchiveContent, type Manifest, readArchive } from './archive.ts';
import { embeddedOnly } from './backupEmbedded.ts';

export type RestoreOptions = {
  file: string;
  force: boolean;
  now: Date;
  /** The migrations this Ombud has (to tell a backup of a newer version). */
  knownMigrations: readonly string[];
  onProgress?: (text: string) => void;
};

export type RestoreResult = {
  dataDir: string;
  manifest: Manifest;
  rows: number;
  /** Where the data directory that was there went (--force). */
  movedAside?: string;
  /** Migrations the backup's database ran that this Ombud does not have: made by a newer version. */
  newer: string[];
};

async function readBackup(file: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(file));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw precondition(
      'backup-unreadable',
      `Cannot read ${file}: ${code === 'ENOENT' ? 'there is no such file' : code === 'EISDIR' ? 'it is a directory' : `the system says ${code}`}.`,
    );
  }
}

const isEmptyDir = async (dir: string) => !existsSync(dir) || (await readdir(dir)).length === 0;

/** Move a data directory that holds something aside, after making sure no process has it open. */
async function moveAside(dataDir: string, now: Date): Promise<string> {
  // Throws database-in-use when a live process holds the lock: nothing is moved under a running server.
  const unlock = await lockDataDir(dataDir);
  await unlock();
  const aside = `${dataDir}.before-restore-${now.toISOString().replace(/[:.]/g, '-')}`;
  await rename(dataDir, aside);
  return aside;
}

async function unpack(dataDir: string, content: ArchiveContent, progress: (t: string) => void) {
  const mb = (content.database.byteLength / 1e6).toFixed(1);
  progress(`loading the database (${mb} MB) …`);
  try {
    await loadPgliteDataDir(join(dataDir, 'pgdata'), content.database);
  } catch (err) {
    throw precondition(
      'restore-failed',
      `The database in the backup could not be loaded (${(err as Error).name}): it was made with ${content.manifest.pgliteVersion} by Ombud ${content.manifest.ombudVersion}.`,
      'Restore it with the Ombud version that made it.',
    );
  }
  for (const f of content.manifest.files) {
    const path = join(dataDir, f.path);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content.files.get(f.path)!, { mode: f.mode & 0o777 });
  }
}

async function checkRows(dataDir: string, manifest: Manifest, progress: (t: string) => void) {
  const db = await openPglite(join(dataDir, 'pgdata'));
  let counts: Record<string, number>;
  try {
    counts = await rowCounts(db, (i, n) => progress(`checking rows: table ${i} of ${n}`));
  } finally {
    await db.close();
  }
  const tables = [...new Set([...Object.keys(manifest.tables), ...Object.keys(counts)])].sort();
  const differ = tables.filter((t) => manifest.tables[t] !== counts[t]);
  if (differ.length)
    throw precondition(
      'restore-mismatch',
      `The restored database differs from the backup: ${differ
        .slice(0, 5)
        .map(
          (t) =>
            `${t} has ${counts[t] ?? 'no table'} rows, the backup recorded ${manifest.tables[t] ?? 'no table'}`,
        )
        .join('; ')}${differ.length > 5 ? `; and ${differ.length - 5} more` : ''}.`,
    );
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

export async function restoreEmbedded(config: Config, opts: RestoreOptions): Promise<RestoreResult> {
  if (config.databaseUrl) throw embeddedOnly('restore');
  const progress = opts.onProgress ?? (() => {});
  progress(`checking ${opts.file} …`);
  const content = readArchive(await readBackup(opts.file), opts.file);
  const dataDir = resolve(config.dataDir);
  let movedAside: string | undefined;
  if (!(await isEmptyDir(dataDir))) {
    if (!opts.force)
      throw precondition(
        'data-dir-not-empty',
        `The data directory ${config.dataDir} is not empty: a restore would replace its database and keys.`,
        'Restore into a new data directory (OMBUD_DATA_DIR=…), or give --force to move this one aside (to <dir>.before-restore-<time>; nothing is deleted).',
      );
    movedAside = await moveAside(dataDir, opts.now);
  }
  await mkdir(dataDir, { recursive: true });
  const unlock = await lockDataDir(dataDir);
  let rows: number;
  try {
    await unpack(dataDir, content, progress);
    rows = await checkRows(dataDir, content.manifest, progress);
  } catch (err) {
    await unlock();
    await rm(dataDir, { recursive: true, force: true });
    if (movedAside) await rename(movedAside, dataDir);
    throw err;
  }
  await unlock();
  const known = new Set(opts.knownMigrations);
  return {
    dataDir: config.dataDir,
    manifest: content.manifest,
    rows,
    ...(movedAside ? { movedAside } : {}),
    newer: content.manifest.migrations.filter((m) => !known.has(m)),
  };
}
