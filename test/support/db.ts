/**
 * Databases for tests. PGlite (in memory) always; the PostgreSQL server on 127.0.0.1 too
 * when it answers, and under CI=true it must answer: a missing server fails, never skips.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe } from 'vitest';
import type { Db } from '../../src/storage/db.ts';
import { migrate } from '../../src/storage/migrate.ts';
import { openPglite } from '../../src/storage/pglite.ts';
import { openPostgres } from '../../src/storage/postgres.ts';

export const PG_ADMIN_URL = process.env.OMBUD_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * Appended to the name of every database a test creates on the shared servers (e.g. the branch name,
 * OMBUD_TEST_DB_SUFFIX=my_branch), so whose it is stays plain. Letters, digits and underscores only.
 */
const suffix = (process.env.OMBUD_TEST_DB_SUFFIX ?? process.env.OMBUD_TEST_DB_TAG ?? '')
  .toLowerCase()
  .replace(/[^a-z0-9_]/g, '_')
  .slice(0, 20);
export const DB_SUFFIX = suffix ? `_${suffix}` : '';

let serverUp: Promise<boolean> | undefined;
export function postgresAvailable(): Promise<boolean> {
  serverUp ??= (async () => {
    const c = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 3000 });
    try {
      await c.connect();
      await c.end();
      return true;
    } catch (err) {
      if (process.env.CI === 'true')
        throw new Error(
          `CI=true but PostgreSQL at ${PG_ADMIN_URL} is not reachable: ${(err as Error).message}`,
        );
      return false;
    }
  })();
  return serverUp;
}

/** A fresh, migrated, empty database. Close it with `.close()`; server databases are dropped then. */

export async function freshDb(kind: 'pglite' | 'postgres' = 'pglite'): Promise<Db> {
  if (kind === 'pglite') {
    const db = await openPglite();
    await migrate(db);
    return db;
  }
  const { db, drop } = await migratedServerDb('ombud_test', 5);
  return Object.assign(db, { close: drop });
}

/** One statement on the PostgreSQL server's admin database (CREATE or DROP DATABASE). */
export async function pgAdmin(sql: string): Promise<void> {
  const a = new pg.Client({ connectionString: PG_ADMIN_URL });
  await a.connect();
  try {
    await a.query(sql);
  } finally {
    await a.end();
  }
}

/** A new empty database on the PostgreSQL server, named `<prefix>_<random><suffix>`; `drop()` removes it. */
export async function serverDatabase(prefix: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}${DB_SUFFIX}`;
  await pgAdmin(`CREATE DATABASE ${name}`);
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => pgAdmin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

/**
 * A migrated Ombud database on the PostgreSQL server (pool of `max`), for pg-boss and separate processes;
 * `drop()` closes the pool (if still open) and removes the database.
 */
export async function migratedServerDb(
  prefix: string,
  max: number,
): Promise<{ url: string; db: Db; drop: () => Promise<void> }> {
  const server = await serverDatabase(prefix);
  const db = await openPostgres(server.url, max);
  await migrate(db);
  const close = db.close.bind(db);
  return {
    url: server.url,
    db,
    drop: async () => {
      await close().catch(() => {});
      await server.drop();
    },
  };
}

export const DATABASE_KINDS = ['pglite', 'postgres'] as const;

/**
 * Run a suite on every database: PGlite always, the server when reachable (required under CI).
 * Inside, call `freshDb(kind)`.
 */
export function describeEachDatabase(name: string, fn: (kind: 'pglite' | 'postgres') => void): void {
  const serverReachable = process.env.CI === 'true' || process.env.OMBUD_TEST_POSTGRES !== '0';
  describe.each(DATABASE_KINDS.filter((k) => k === 'pglite' || serverReachable))(`${name} [%s]`, (kind) =>
    fn(kind),
  );
}
