import { readdir, readFile } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type AppliedMigration,
  type KnownMigration,
  migrationChecksum,
  migrationRefusal,
  planMigrations,
} from '../core/migrations/plan.ts';
import type { Db } from './db.ts';

export const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

/**
 * Migrations numbered into an earlier range after a release had run later ones, before the order guard
 * existed: the release of 2026-11-25 (commit 8531af3) ended at 0500_retention.sql; these came after it.
 * Each was checked to touch only tables that no migration between it and 0500 changes (audit_log,
 * webhook_deliveries/endpoints, mail_outbox/catcher), so either order gives the same schema; an
 * installation of that release upgrades (test/storage/upgrade.test.ts). Never add to this list: number a
 * new migration after the newest one.
 */
export const MIGRATED_LATE = new Set([
  '0101_audit_keyed.sql',
  '0202_webhook_delivery_org.sql',
  '0380_mail_company.sql',
]);

export type MigrateOptions = {
  /** The folder of numbered SQL files (default src/storage/migrations; tests give their own). */
  dir?: string;
};

type MigrationFile = KnownMigration & { text: string };

/** The numbered SQL files of a folder (`NNNN_name.sql`), with their checksums, in order. */
export async function readMigrations(dir: string = MIGRATIONS_DIR): Promise<MigrationFile[]> {
  const names = (await readdir(dir)).filter((f) => /^\d{4}_.+\.sql$/.test(f)).sort();
  return Promise.all(
    names.map(async (version) => {
      const text = await readFile(join(dir, version), 'utf8');
      return { version, text, checksum: migrationChecksum(text) };
    }),
  );
}

/** A folder as named in a message: relative to the working directory when inside it. */
function shown(dir: string): string {
  const r = relative(process.cwd(), dir);
  return r && !r.startsWith('..') && !isAbsolute(r) ? r : dir;
}

/**
 * Apply the numbered SQL files that have not run yet, in one transaction under an advisory lock (one
 * migrator at a time across processes). Each run is recorded with its file's sha256; a changed file that
 * ran, a new file sorting before the newest one that ran and a file that ran but is gone are refused
 * before anything runs (src/core/migrations/plan.ts). Returns the files applied.
 */
export async function migrate(db: Db, opts: MigrateOptions = {}): Promise<string[]> {
  const dir = opts.dir ?? MIGRATIONS_DIR;
  const files = await readMigrations(dir);
  const byVersion = new Map(files.map((f) => [f.version, f]));
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(4242001)');
    // The checksum column came later: a database migrated before gets it (empty) here.
    await tx.exec(
      `CREATE TABLE IF NOT EXISTS schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now(), checksum text);
       ALTER TABLE schema_migrations ADD COLUMN IF NOT EXISTS checksum text`,
    );
    const applied = await tx.query<AppliedMigration>('SELECT version, checksum FROM schema_migrations');
    const plan = planMigrations(files, applied, { allowLate: MIGRATED_LATE });
    if (plan.problems.length)
      throw migrationRefusal(plan.problems, {
        where: shown(dir),
        database: db.kind === 'pglite' ? 'the embedded database' : 'the PostgreSQL database',
        newestKnown: files.at(-1)?.version,
      });
    for (const b of plan.backfill)
      await tx.query('UPDATE schema_migrations SET checksum = $2 WHERE version = $1', [
        b.version,
        b.checksum,
      ]);
    for (const version of plan.pending) {
      const file = byVersion.get(version)!;
      await tx.exec(file.text);
      await tx.query('INSERT INTO schema_migrations (version, checksum) VALUES ($1, $2)', [
        version,
        file.checksum,
      ]);
    }
    return plan.pending;
  });
}
