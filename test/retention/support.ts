/**
 * The demo group's systems on the real servers for the retention tests (web shop on PostgreSQL, customer
 * service on MariaDB by default), seeded deterministically, in databases named retention_* so they are
 * told apart from other suites' on the shared servers; and Ombud's own database (PGlite, or the server).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Dataset } from '../../src/core/fulfilment/dataset.ts';
import type { RegisterIndex } from '../../src/core/register/register-index.ts';
import { createDemoSchema, seedDemoSystems } from '../../src/demo/systems/seed.ts';
import { SYSTEM_ACTOR } from '../../src/services/audit/auditLog.ts';
import { readDatasetDir } from '../../src/services/fulfilment/datasets.ts';
import type { Connectors } from '../../src/services/fulfilment/engine.ts';
import type { RetentionDeps } from '../../src/services/retention/runRetention.ts';
import type { Db } from '../../src/storage/db.ts';
import { migrate } from '../../src/storage/migrate.ts';
import { openPostgres } from '../../src/storage/postgres.ts';
import { freshDb, PG_ADMIN_URL } from '../support/db.ts';
import { demoIndex } from '../support/nestit-systems.ts';
import { freshSystemDb, type SystemDb } from '../support/systems.ts';

const name = (what: string) => `retention_${what}_${randomBytes(5).toString('hex')}`;

async function pgAdmin(sql: string): Promise<void> {
  const a = new pg.Client({ connectionString: PG_ADMIN_URL });
  await a.connect();
  try {
    await a.query(sql);
  } finally {
    await a.end();
  }
}

export const systemDb = (kind: 'postgres' | 'mysql'): Promise<SystemDb> =>
  freshSystemDb(kind, kind === 'postgres' ? 'retention_pg' : 'retention_my');

/** A migrated Ombud database on the PostgreSQL server (for pg-boss and separate processes). */
export async function ombudServerDb(): Promise<{ url: string; db: Db; drop: () => Promise<void> }> {
  const db = name('ombud');
  await pgAdmin(`CREATE DATABASE ${db}`);
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${db}`;
  const handle = await openPostgres(url.toString(), 4);
  await migrate(handle);
  return {
    url: url.toString(),
    db: handle,
    drop: async () => {
      await handle.close().catch(() => {});
      await pgAdmin(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
    },
  };
}

export type RetentionSystems = {
  webshop: SystemDb;
  service: SystemDb;
  datasets: Dataset[];
  connectors: Connectors;
  index: RegisterIndex;
  close: () => Promise<void>;
};

export async function retentionSystems(
  opts: {
    customers?: number;
    webshop?: 'postgres' | 'mysql';
    service?: 'postgres' | 'mysql';
    datasets?: Dataset[];
  } = {},
): Promise<RetentionSystems> {
  const webshop = await systemDb(opts.webshop ?? 'postgres');
  const service = await systemDb(opts.service ?? 'mysql');
  await createDemoSchema(webshop.connector, 'webshop');
  await createDemoSchema(service.connector, 'customer-service');
  await seedDemoSystems({
    customers: opts.customers ?? 80,
    webshop: webshop.connector,
    customerService: service.connector,
  });
  return {
    webshop,
    service,
    datasets: opts.datasets ?? (await readDatasetDir()),
    connectors: new Map([
      ['nestit_webshop', webshop.connector],
      ['nestit_customer_service', service.connector],
    ]),
    index: await demoIndex(),
    close: async () => {
      await webshop.drop();
      await service.drop();
    },
  };
}

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

/** Every row of every table, except Ombud's own record of which runs swept the database. */
export async function snapshot(d: SystemDb): Promise<Record<string, unknown[]>> {
  const c = d.connector;
  const schema = await c.describe();
  const out: Record<string, unknown[]> = {};
  for (const t of schema.tables.filter((x) => x !== 'ombud_retention_done')) {
    const cols = schema.columns.filter((x) => x.table === t).map((x) => x.column);
    const rs = await c.query(
      `SELECT * FROM ${c.quote(t)} ORDER BY ${cols.map((x) => c.quote(x)).join(', ')}`,
    );
    out[t] = rs.map((r) => JSON.parse(JSON.stringify(r)));
  }
  return out;
}
