/**
 * Ombud's own tables in the group's databases (core/fulfilment/own-tables.ts), versioned like Ombud's
 * own schema: numbered steps per dialect, recorded in `ombud_schema_migrations` of each database with the
 * sha256 of the step's text, run one migrator at a time (the dialect's lock), refused when a step that
 * ran was changed, a new one sorts before one that ran, or the database ran a step this Ombud does not
 * know (src/core/migrations/plan.ts). A change to these tables is a new step here, never an edit.
 *
 * Step 0001 and 0002 are the tables as Ombud made them before they were versioned (CREATE TABLE IF NOT
 * EXISTS, the same text): a database that has them takes them over with its rows, after a check that the
 * existing table has the columns of the step.
 *
 * On PostgreSQL the steps run in one transaction; MariaDB/MySQL commits each DDL statement by itself, so
 * a step there must be safe to run again after it failed halfway (IF NOT EXISTS, or a check first).
 */
import {
  type AppliedMigration,
  migrationChecksum,
  migrationRefusal,
  planMigrations,
} from '../../core/migrations/plan.ts';
import { DONE_TABLE, MARKER_TABLE, OWN_MIGRATIONS_TABLE } from '../../core/fulfilment/own-tables.ts';
import { precondition } from '../../core/errors.ts';
import { sql } from '../../storage/sql.ts';
import type { DialectName } from './connectors/dialect.ts';
import { change, select } from './connectors/run.ts';
import type { SqlConnector } from './connectors/types.ts';

export { DONE_TABLE, MARKER_TABLE, OWN_MIGRATIONS_TABLE };

export type OwnTableStep = {
  version: string;
  /** The table the step makes, and the columns it must have after it (checked where a table existed). */
  table: string;
  columns: readonly string[];
  sql: Record<DialectName, string>;
};

const both = (text: string): Record<DialectName, string> => ({ postgres: text, mysql: text });

export const OWN_TABLE_STEPS: readonly OwnTableStep[] = [
  {
    version: '0001_restrictions',
    table: MARKER_TABLE,
    columns: ['collection_name', 'row_key', 'request_id', 'reason', 'rule_id', 'erase_on'],
    sql: both(`CREATE TABLE IF NOT EXISTS ${MARKER_TABLE} (
       collection_name VARCHAR(100) NOT NULL,
       row_key VARCHAR(200) NOT NULL,
       request_id VARCHAR(100) NOT NULL,
       reason VARCHAR(40) NOT NULL,
       rule_id VARCHAR(100),
       erase_on DATE,
       PRIMARY KEY (collection_name, row_key)
     )`),
  },
  {
    version: '0002_retention_done',
    table: DONE_TABLE,
    columns: ['run_id', 'dataset', 'swept_for', 'outcome'],
    sql: both(`CREATE TABLE IF NOT EXISTS ${DONE_TABLE} (
       run_id VARCHAR(100) NOT NULL,
       dataset VARCHAR(100) NOT NULL,
       swept_for DATE NOT NULL,
       outcome TEXT NOT NULL,
       PRIMARY KEY (run_id, dataset)
     )`),
  },
];

const VERSIONS_DDL = `CREATE TABLE IF NOT EXISTS ${OWN_MIGRATIONS_TABLE} (
   version VARCHAR(100) NOT NULL PRIMARY KEY,
   checksum VARCHAR(64) NOT NULL,
   applied_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
 )`;

const LOCK_NAME = 'ombud_schema_migrations';

const ready = new WeakSet<SqlConnector>();

/**
 * Bring Ombud's tables in this database to the current version (once per connector). `label` names the
 * database in a refusal (the dataset key). `steps` for tests only. Returns the steps it ran.
 */
export async function ensureOwnTables(
  c: SqlConnector,
  label = 'a database of the group',
  steps: readonly OwnTableStep[] = OWN_TABLE_STEPS,
): Promise<string[]> {
  if (ready.has(c)) return [];
  const ran = await c.transaction(async (tx) => {
    const query = (q: ReturnType<typeof sql>) => select(tx, q);
    await c.dialect.lock(query, LOCK_NAME);
    try {
      return await migrateOwnTables(tx, label, steps);
    } finally {
      await c.dialect.unlock(query, LOCK_NAME);
    }
  });
  ready.add(c);
  return ran;
}

async function migrateOwnTables(
  tx: SqlConnector,
  label: string,
  steps: readonly OwnTableStep[],
): Promise<string[]> {
  await tx.exec(VERSIONS_DDL);
  const applied = await select<AppliedMigration>(
    tx,
    sql`SELECT version, checksum FROM ${sql.id(OWN_MIGRATIONS_TABLE)}`,
  );
  const dialect = tx.dialect.name;
  const known = steps.map((s) => ({ version: s.version, checksum: migrationChecksum(s.sql[dialect]) }));
  const plan = planMigrations(known, applied);
  const database = `${OWN_MIGRATIONS_TABLE} of ${label}`;
  if (plan.problems.length)
    throw migrationRefusal(plan.problems, {
      where: "Ombud's tables in the group's databases (src/services/fulfilment/ownTables.ts)",
      database,
      newestKnown: steps.at(-1)?.version,
    });
  for (const version of plan.pending) {
    const step = steps.find((s) => s.version === version)!;
    await tx.exec(step.sql[dialect]);
    await checkColumns(tx, step, label);
    await change(
      tx,
      sql`INSERT INTO ${sql.id(OWN_MIGRATIONS_TABLE)} (version, checksum) VALUES (${version}, ${migrationChecksum(step.sql[dialect])})`,
    );
  }
  return plan.pending;
}

/** A table that was there before (IF NOT EXISTS kept it) must have the step's columns. */
async function checkColumns(tx: SqlConnector, step: OwnTableStep, label: string): Promise<void> {
  try {
    await select(
      tx,
      sql`SELECT ${sql.join(step.columns.map((col) => sql.id(col)))} FROM ${sql.id(step.table)} WHERE 1 = 0`,
    );
  } catch {
    throw precondition(
      'own-table-mismatch',
      `${step.table} in ${label} is not the table Ombud makes in step ${step.version}: it lacks one of the columns ${step.columns.join(', ')}.`,
      `Compare it with the step in src/services/fulfilment/ownTables.ts; rename the table if it is not Ombud's, or give it the missing columns.`,
    );
  }
}
