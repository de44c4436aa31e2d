/**
 * `ombud backup FILE`: the embedded database and the other files of its data directory (the audit chain
 * key, the checkpoint signing key, a data keyring, exported checkpoints) in one archive (./archive.ts).
 *
 * The database is copied as it is, without migrating it and without writing to it, so a backup can be
 * taken before an upgrade by the new version. The data directory is locked for the copy, as every
 * process that opens the embedded database locks it: the server must be stopped for the few seconds a
 * backup takes. Like `pg_dump` for a server, a backup is an operator's act outside the audit log.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import type { Config } from '../../config.ts';
import { precondition } from '../../core/errors.ts';
import type { Db } from '../../storage/db.ts';
import { appliedMigrations, rowCounts } from '../../storage/inventory.ts';
import { lockDataDir } from '../../storage/open.ts';
import { dumpPgliteDataDir, openPglite } from '../../storage/pglite.ts';
import { auditPaths } from '../audit/keys.ts';
import { type ArchiveFile, entryOf, isKeyFile, type Manifest, writeArchive } from './archive.ts';

export type BackupOptions = {
  file: string;
  withoutKeys: boolean;
  /** Replace FILE when it exists. */
  force: boolean;
  now: Date;
  ombudVersion: string;
  onProgress?: (text: string) => void;
};

export type BackupResult = {
  file: string;
  bytes: number;
  manifest: Manifest;
  /** Key files in the archive. */
  keys: string[];
  /** Key files this installation uses that are not in the data directory, so not in the archive. */
  elsewhere: string[];
};

export const embeddedOnly = (command: string) =>
  precondition(
    'backup-server',
    `ombud ${command} is for the embedded database, but DATABASE_URL names a PostgreSQL server.`,
    'Back up a PostgreSQL server with pg_dump and restore it with pg_restore, keeping the key files beside the dump: docs/backup.md.',
  );

/** Every file of the data directory but the database and its lock, as paths relative to it, sorted. */
async function dataDirFiles(dataDir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string) => {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      const rel = relative(dataDir, path);
      if (rel === 'pgdata' || rel === 'lock') continue;
      if (e.isDirectory()) await walk(path);
      else if (e.isFile()) out.push(rel.split('\\').join('/'));
    }
  };
  await walk(dataDir);
  return out.sort();
}

async function copyDatabase(dataDir: string, progress: (t: string) => void) {
  const unlock = await lockDataDir(dataDir);
  let db: Db | undefined;
  try {
    db = await openPglite(join(dataDir, 'pgdata'));
    const migrations = await appliedMigrations(db);
    const tables = await rowCounts(db, (i, n) => progress(`counting rows: table ${i} of ${n}`));
    progress('copying the database …');
    const [{ v }] = (await db.query<{ v: string }>('SHOW server_version')) as [{ v: string }];
    return { migrations, tables, database: await dumpPgliteDataDir(db), postgres: v };
  } finally {
    await db?.close();
    await unlock();
  }
}

export async function backupEmbedded(config: Config, opts: BackupOptions): Promise<BackupResult> {
  if (config.databaseUrl) throw embeddedOnly('backup');
  const dataDir = resolve(config.dataDir);
  const file = resolve(opts.file);
  if (!existsSync(join(dataDir, 'pgdata', 'PG_VERSION')))
    throw precondition(
      'no-embedded-database',
      `There is no embedded database in ${config.dataDir}.`,
      'Set OMBUD_DATA_DIR to the data directory the server uses (default ./.ombud).',
    );
  if (!relative(dataDir, file).startsWith('..'))
    throw precondition(
      'backup-inside-data-dir',
      `${opts.file} is inside the data directory ${config.dataDir}.`,
      'Write the backup elsewhere, best on another disk or machine: a backup beside the data is lost with it.',
    );
  if (existsSync(file) && !opts.force)
    throw precondition(
      'backup-file-exists',
      `${opts.file} exists already.`,
      'Name a new file, or --force to replace it.',
    );
  const progress = opts.onProgress ?? (() => {});

  const copy = await copyDatabase(dataDir, progress);
  progress('reading the key files …');
  const files = new Map<string, Uint8Array>();
  const listed: ArchiveFile[] = [];
  const leftOut: string[] = [];
  for (const path of await dataDirFiles(dataDir)) {
    const key = isKeyFile(path);
    if (key && opts.withoutKeys) {
      leftOut.push(path);
      continue;
    }
    const data = new Uint8Array(await readFile(join(dataDir, path)));
    files.set(path, data);
    listed.push({ path, ...entryOf(data), mode: (await stat(join(dataDir, path))).mode & 0o777, key });
  }
  const manifest: Manifest = {
    format: 'ombud-backup',
    version: 1,
    createdAt: opts.now.toISOString(),
    ombudVersion: opts.ombudVersion,
    pgliteVersion: `PostgreSQL ${copy.postgres}`,
    migrations: copy.migrations,
    tables: copy.tables,
    database: entryOf(copy.database),
    files: listed,
    leftOut,
  };
  progress(`writing ${opts.file} …`);
  const archive = writeArchive({ manifest, database: copy.database, files });
  // Written beside and renamed: an interrupted backup never leaves a half file under the name.
  const partial = `${file}.${randomBytes(4).toString('hex')}.partial`;
  try {
    await writeFile(partial, archive, { mode: 0o600 });
    await rename(partial, file);
  } finally {
    await rm(partial, { force: true });
  }
  return {
    file: opts.file,
    bytes: archive.byteLength,
    manifest,
    keys: listed.filter((f) => f.key).map((f) => f.path),
    elsewhere: keysElsewhere(config, dataDir),
  };
}

/** The key files and settings this installation reads that a data-directory backup cannot hold. */
function keysElsewhere(config: Config, dataDir: string): string[] {
  const out: string[] = [];
  const paths = auditPaths(config);
  for (const [what, path] of [
    ['the audit chain key file (OMBUD_AUDIT_KEY_FILE)', paths.keyFile],
    ['the checkpoint signing key (OMBUD_AUDIT_SIGNING_KEY)', paths.signingKeyFile],
  ] as const)
    if (relative(dataDir, resolve(path)).startsWith('..') && existsSync(path)) out.push(`${what}: ${path}`);
  if (config.secretKeys)
    out.push('OMBUD_SECRET_KEYS (the keyring of sealed data and the audit chain): it is in your environment');
  if (config.secret) out.push('OMBUD_SECRET (the installation secret): it is in your environment');
  return out;
}
