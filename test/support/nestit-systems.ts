/**
 * The demo group's own systems on the real servers for fulfilment tests: the web shop on PostgreSQL, the
 * customer service on MariaDB, each in its own fresh database, seeded deterministically, with the
 * annotated datasets and the demo register.
 */
import { expect } from 'vitest';
import type { Dataset } from '../../src/core/fulfilment/dataset.ts';
import { RegisterIndex } from '../../src/core/register/register-index.ts';
import { DEMO_REGISTER_DIR } from '../../src/demo/loadDemo.ts';
import { createDemoSchema, seedDemoSystems } from '../../src/demo/systems/seed.ts';
import { swedishBookkeepingEnd } from '../../src/core/retention/retention.ts';
import { readDatasetDir } from '../../src/services/fulfilment/datasets.ts';
import { isRestricted } from '../../src/services/fulfilment/engine.ts';
import type { Connectors } from '../../src/services/fulfilment/engine.ts';
import { readRegisterDir } from '../../src/services/register/readRegisterDir.ts';
import { SYSTEM_ACTOR } from '../../src/services/audit/auditLog.ts';
import type { FulfilmentDeps } from '../../src/services/fulfilment/runFulfilment.ts';
import type { Db } from '../../src/storage/db.ts';
import { freshDb } from './db.ts';
import { freshSystemDb, type SystemDb } from './systems.ts';

export type NestitSystems = {
  webshop: SystemDb;
  service: SystemDb;
  datasets: Dataset[];
  connectors: Connectors;
  index: RegisterIndex;
  close: () => Promise<void>;
};

let indexCache: RegisterIndex | undefined;
export async function demoIndex(): Promise<RegisterIndex> {
  if (!indexCache) {
    const r = await readRegisterDir(DEMO_REGISTER_DIR);
    if (!r.register) throw new Error('demo register does not parse');
    indexCache = new RegisterIndex(r.register);
  }
  return indexCache;
}

export async function nestitSystems(
  opts: {
    customers?: number;
    webshop?: 'postgres' | 'mysql';
    service?: 'postgres' | 'mysql';
    /** The annotated datasets, if not the demo's. */
    datasets?: Dataset[];
    /** How the two databases are made (named per suite on the shared servers). */
    systemDb?: (kind: 'postgres' | 'mysql') => Promise<SystemDb>;
  } = {},
): Promise<NestitSystems> {
  const systemDb = opts.systemDb ?? ((kind) => freshSystemDb(kind));
  const webshop = await systemDb(opts.webshop ?? 'postgres');
  const service = await systemDb(opts.service ?? 'mysql');
  await createDemoSchema(webshop.connector, 'webshop');
  await createDemoSchema(service.connector, 'customer-service');
  await seedDemoSystems({
    customers: opts.customers ?? 80,
    webshop: webshop.connector,
    customerService: service.connector,
  });
  const datasets = opts.datasets ?? (await readDatasetDir());
  const connectors: Connectors = new Map([
    ['nestit_webshop', webshop.connector],
    ['nestit_customer_service', service.connector],
  ]);
  return {
    webshop,
    service,
    datasets,
    connectors,
    index: await demoIndex(),
    close: async () => {
      await webshop.drop();
      await service.drop();
    },
  };
}

/** A demo customer with invoices under the given seller, reviews, a newsletter sign-up and service cases. */
export async function richCustomer(
  s: NestitSystems,
  seller = 'nestit-sverige',
): Promise<{ id: number; customerNumber: string; email: string; phone: string }> {
  const conn = s.webshop.connector;
  const rows = await conn.query<{
    id: number;
    customer_number: string;
    email: string;
    phone: string;
  }>(
    `SELECT c.id, c.customer_number, c.email, c.phone FROM customers c
      WHERE EXISTS (SELECT 1 FROM invoices i WHERE i.customer_number = c.customer_number AND i.seller_org = ${conn.param(1)})
        AND EXISTS (SELECT 1 FROM newsletter_signups n WHERE n.email = c.email)
      ORDER BY c.id`,
    [seller],
  );
  for (const r of rows) {
    const cases = await s.service.connector.query(
      `SELECT 1 FROM cases WHERE customer_number = ${s.service.connector.param(1)}`,
      [r.customer_number],
    );
    if (cases.length) return { id: r.id, customerNumber: r.customer_number, email: r.email, phone: r.phone };
  }
  throw new Error('no rich customer in the seed: raise the number of customers');
}

/** Every text cell of every table that contains `needle`, as "table.column" (the "no trace" check). */
export async function traces(db: SystemDb, needle: string): Promise<string[]> {
  const c = db.connector;
  const schema = await c.describe();
  const out: string[] = [];
  for (const col of schema.columns) {
    if (!/char|text/i.test(col.dataType)) continue;
    const rows = await c.query(
      `SELECT COUNT(*) AS n FROM ${c.quote(col.table)} WHERE ${c.quote(col.column)} LIKE ${c.param(1)}`,
      [`%${needle}%`],
    );
    if (Number((rows[0] as { n: unknown }).n) > 0) out.push(`${col.table}.${col.column}`);
  }
  return out.sort();
}

/**
 * The customer's invoices are all kept (Bokföringslagen), restricted, and carry the first day they may be
 * erased: the end of the Swedish bookkeeping period of their year.
 */
export async function expectInvoicesKept(
  webshop: SystemDb,
  customerNumber: string,
  invoices: { id: number }[],
): Promise<void> {
  const kept = await webshop.connector.query<{
    id: number;
    restricted: boolean;
    erase_on: string;
    invoice_date: string;
  }>('SELECT id, restricted, erase_on, invoice_date FROM invoices WHERE customer_number = $1 ORDER BY id', [
    customerNumber,
  ]);
  expect(kept.map((k) => k.id)).toEqual(invoices.map((i) => i.id));
  for (const k of kept) {
    expect(k.restricted).toBe(true);
    expect(k.erase_on).toBe(swedishBookkeepingEnd(`${k.invoice_date.slice(0, 4)}-12-31`).erasableFrom);
    expect(await isRestricted(webshop.connector, 'invoices', String(k.id))).toBe(true);
  }
}

/** The systems (60 customers), a fresh PGlite Ombud database and runFulfilment's dependencies over both; the
 * closers go on `cleanup`. */
export async function fulfilmentSetup(
  cleanup: (() => Promise<void>)[],
  webshop: 'postgres' | 'mysql' = 'postgres',
): Promise<{ s: NestitSystems; db: Db; deps: FulfilmentDeps }> {
  const s = await nestitSystems({ customers: 60, webshop });
  const db = await freshDb('pglite');
  cleanup.push(s.close, () => db.close());
  return { s, db, deps: fulfilmentDeps(s, db) };
}

/** runFulfilment's dependencies over these systems and Ombud's database `db`, at a fixed clock. */
export const fulfilmentDeps = (
  s: NestitSystems,
  db: Db,
  extra: Partial<FulfilmentDeps> = {},
): FulfilmentDeps => ({
  db,
  actor: SYSTEM_ACTOR,
  index: s.index,
  datasets: s.datasets,
  connectors: s.connectors,
  secret: 'k',
  now: () => new Date('2026-11-25T10:00:00Z'),
  ...extra,
});

/**
 * The recipients an erasure tells of a customer whose rows are in the web shop and the customer-service
 * system: the routine recipients of every purpose with data in those systems (not the case-by-case advisers,
 * buyer and authorities). Written by hand from examples/nestit/register.
 */
export const TOLD_OF_SHOP_AND_SERVICE = [
  'analytics',
  'case-management',
  'crm',
  'customer-service-provider',
  'google-ads',
  'group-companies',
  'messaging',
  'meta-ads',
  'shipping',
  'social-media',
  'survey-provider',
];
