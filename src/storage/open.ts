import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { precondition } from '../core/errors.ts';
import type { Db } from './db.ts';
import { migrate } from './migrate.ts';
import { openPglite } from './pglite.ts';
import { openPostgres } from './postgres.ts';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * The embedded database belongs to one process at a time: a lock file names its owner,
 * so a second process gets a clear message instead of a corrupted data directory.
 */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const lock = `${dataDir}/lock`;
  const owner = Number((await readFile(lock, 'utf8').catch(() => '')).trim());
  if (owner && owner !== process.pid && alive(owner))
    throw precondition(
      'database-in-use',
      `The embedded database in ${dataDir} is in use by another Ombud process (pid ${owner}).`,
      'Stop that process (e.g. the running `npm start`), or run both against a PostgreSQL server with DATABASE_URL.',
    );
  await writeFile(lock, String(process.pid));
  return () => rm(lock, { force: true });
}

/** Open the configured database and bring its schema up to date. */
export async function openDatabase(opts: { databaseUrl?: string; dataDir: string }): Promise<Db> {
  let db: Db;
  if (opts.databaseUrl) db = await openPostgres(opts.databaseUrl);
  else {
    await mkdir(opts.dataDir, { recursive: true });
    const unlock = await lockDataDir(opts.dataDir);
    db = await openPglite(`${opts.dataDir}/pgdata`);
    const close = db.close.bind(db);
    db.close = async () => {
      await close();
      await unlock();
    };
  }
  await migrate(db);
  return db;
}
