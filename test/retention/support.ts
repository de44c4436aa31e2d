/**
 * The demo group's systems on the real servers for the retention tests (web shop on PostgreSQL, customer
 * service on MariaDB by default), seeded deterministically, in databases named retention_* so they are
 * told apart from other suites' on the shared servers; and Ombud's own database (PGlite, or the server).
 */
import { DONE_TABLE, OWN_MIGRATIONS_TABLE } from '../../src/core/fulfilment/own-tables.ts';
import { SYSTEM_ACTOR } from '../../src/services/audit/auditLog.ts';
import type { RetentionDeps } from '../../src/services/retention/runRetention.ts';
import type { Db } from '../../src/storage/db.ts';
import { freshDb, migratedServerDb } from '../support/db.ts';
import { type NestitSystems, nestitSystems } from '../support/nestit-systems.ts';
import { freshSystemDb, type SystemDb } from '../support/systems.ts';

export const systemDb = (kind: 'postgres' | 'mysql'): Promise<SystemDb> =>
  freshSystemDb(kind, kind === 'postgres' ? 'retention_pg' : 'retention_my');

/** A migrated Ombud database on the PostgreSQL server (for pg-boss and separate processes). */
export const ombudServerDb = () => migratedServerDb('retention_ombud', 4);

export type RetentionSystems = NestitSystems;

/** The demo group's systems in databases named retention_* (web shop on PostgreSQL, service on MariaDB). */
export const retentionSystems = (
  opts: Omit<Parameters<typeof nestitSystems>[0] & object, 'systemDb'> = {},
): Promise<RetentionSystems> => nestitSystems({ ...opts, systemDb });

/** Ombud's side for a run: a fresh PGlite database unless one is given. */
export async function retentionDeps(
  s: RetentionSystems,
  opts: { db?: Db; now?: string } = {},
): Promise<RetentionDeps & { db: Db }> {
  const db = opts.db ?? (await freshDb('pglite'));
  return {
    db,
    actor: SYSTEM_ACTOR,
    index: s.index,
    datasets: s.datasets,
    connectors: s.connectors,
    secret: 'retention-test-secret',
    now: () => new Date(opts.now ?? '2026-11-25T10:00:00Z'),
  };
}

export async function count(c: SystemDb, sql: string, params: unknown[] = []): Promise<number> {
  const [row] = await c.connector.query<{ n: number | string }>(sql, params);
  return Number(row?.n ?? 0);
}

/**
 * Every row of every table, except Ombud's own records of which runs swept the database and which
 * versions of its tables ran there (their times differ from run to run).
 */
export async function snapshot(d: SystemDb): Promise<Record<string, unknown[]>> {
  const c = d.connector;
  const schema = await c.describe();
  const out: Record<string, unknown[]> = {};
  for (const t of schema.tables.filter((x) => x !== DONE_TABLE && x !== OWN_MIGRATIONS_TABLE)) {
    const cols = schema.columns.filter((x) => x.table === t).map((x) => x.column);
    const rs = await c.query(
      `SELECT * FROM ${c.quote(t)} ORDER BY ${cols.map((x) => c.quote(x)).join(', ')}`,
    );
    out[t] = rs.map((r) => JSON.parse(JSON.stringify(r)));
  }
  return out;
}
