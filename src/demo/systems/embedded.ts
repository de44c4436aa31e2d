/**
 * The demo group's own systems for `ombud start`: the web shop and the customer service database, each a
 * schema (`demo_webshop`, `demo_customer_service`) of Ombud's embedded database (an extra PGlite instance
 * each would cost a WebAssembly boot of seconds at every start), or, when DATABASE_URL is set, a database
 * of its own on that server, named after the installation's Ombud database (`<ombud database>_demo_webshop`,
 * `<ombud database>_demo_customer_service`: for `ombud`, the `ombud_demo_…` names of earlier versions), so
 * two installations on one server never share them. Created and seeded deterministically (the `ombud demo
 * seed` code) on first start only; their connections are the fulfilment connectors for the annotated
 * datasets.
 */
import { createHash } from 'node:crypto';
import type { PGlite } from '@electric-sql/pglite';
import type { Dataset } from '../../core/fulfilment/dataset.ts';
import { openConnector } from '../../services/fulfilment/connectors/registry.ts';
import type { SqlConnector } from '../../services/fulfilment/connectors/types.ts';
import { readDatasetDir } from '../../services/fulfilment/datasets.ts';
import type { Connectors } from '../../services/fulfilment/engine.ts';
import {
  applyDemoSchemaAdditions,
  createDemoSchema,
  customerEmail,
  customerNumber,
  type DemoSystem,
  seedDemoSystems,
  shiftDemoDates,
} from './seed.ts';
import { daysBetween } from '../../core/deadlines/iso-date.ts';

export const DEMO_CUSTOMERS = 25;
export const DEMO_DATABASES: Record<DemoSystem, { key: string; suffix: string; schema: string }> = {
  webshop: { key: 'nestit_webshop', suffix: '_demo_webshop', schema: 'demo_webshop' },
  'customer-service': {
    key: 'nestit_customer_service',
    suffix: '_demo_customer_service',
    schema: 'demo_customer_service',
  },
};

/** PostgreSQL's longest identifier, in bytes. */
const MAX_NAME = 63;

/**
 * The name of a demo system's database on the server of the installation whose Ombud database is
 * `ombudDatabase`: `<ombudDatabase><suffix>`. A name that is not plain lower-case letters, digits and
 * underscores, or that would be too long, is made plain and cut, and a hash of the whole name keeps two
 * installations apart.
 */
export function demoDatabaseName(ombudDatabase: string, system: DemoSystem): string {
  const { suffix } = DEMO_DATABASES[system];
  if (/^[a-z_][a-z0-9_]*$/.test(ombudDatabase) && ombudDatabase.length + suffix.length <= MAX_NAME)
    return `${ombudDatabase}${suffix}`;
  const hash = createHash('sha256').update(ombudDatabase).digest('hex').slice(0, 8);
  const plain = ombudDatabase.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  return `${plain.slice(0, MAX_NAME - suffix.length - hash.length - 1)}_${hash}${suffix}`;
}

export type DemoSystems = {
  datasets: Dataset[];
  connectors: Connectors;
  /**
   * Where each system is: its database on the PostgreSQL server (named after the installation), or its
   * schema in Ombud's embedded database.
   */
  databases: Record<DemoSystem, string>;
  /** True when this start created and seeded them. */
  seeded: boolean;
  customers: number;
  /** A seeded customer to try the flow with (demo data, not a real person). */
  sample: { email: string; customerNumber: string };
  close: () => Promise<void>;
};

/** The installation's Ombud database on the server (as the server names it: DATABASE_URL may leave it out). */
async function ombudDatabaseOf(databaseUrl: string): Promise<string> {
  const { default: pg } = await import('pg');
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    const { rows } = await c.query<{ db: string }>('SELECT current_database() AS db');
    return rows[0]!.db;
  } finally {
    await c.end();
  }
}

async function openOnServer(databaseUrl: string, database: string): Promise<SqlConnector> {
  const { default: pg } = await import('pg');
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE "${database}"`);
  } catch (err) {
    // Two starts at once: the other one created it.
    if ((err as { code?: string }).code !== '42P04') throw err;
  } finally {
    await admin.end();
  }
  const url = new URL(databaseUrl);
  url.pathname = `/${database}`;
  return openConnector(url.toString());
}

async function hasSchema(c: SqlConnector): Promise<boolean> {
  const rows = await c.query<{ t: string | null }>(
    "SELECT to_regclass('customers')::text AS t UNION ALL SELECT to_regclass('cases')::text",
  );
  return rows.some((r) => r.t !== null);
}

export async function openDemoSystems(opts: {
  /** A PostgreSQL server: a database per system on it. */
  databaseUrl?: string;
  /** Otherwise Ombud's embedded database: a schema per system in it. */
  embedded?: PGlite;
  customers?: number;
  seed?: number;
  /**
   * Bring freshly seeded data to this moment (`ombud start`): the newest customer activity becomes 30 days
   * ago, so the demo has current customers as well as data whose retention has ended. Tests leave it out
   * and get the seed's fixed dates.
   */
  current?: Date;
}): Promise<DemoSystems> {
  const ombudDatabase = opts.databaseUrl ? await ombudDatabaseOf(opts.databaseUrl) : undefined;
  const databases: Record<DemoSystem, string> = {
    webshop: ombudDatabase ? demoDatabaseName(ombudDatabase, 'webshop') : DEMO_DATABASES.webshop.schema,
    'customer-service': ombudDatabase
      ? demoDatabaseName(ombudDatabase, 'customer-service')
      : DEMO_DATABASES['customer-service'].schema,
  };
  const open = async (system: DemoSystem): Promise<SqlConnector> => {
    if (opts.databaseUrl) return openOnServer(opts.databaseUrl, databases[system]);
    if (!opts.embedded) throw new Error('openDemoSystems: give databaseUrl or the embedded instance');
    const { openPgliteSchemaConnector } = await import('../../services/fulfilment/connectors/pglite.ts');
    return openPgliteSchemaConnector(opts.embedded, DEMO_DATABASES[system].schema);
  };
  const [webshop, customerService] = await Promise.all([open('webshop'), open('customer-service')]);
  const customers = opts.customers ?? DEMO_CUSTOMERS;
  let seeded = false;
  if (!(await hasSchema(webshop)) && !(await hasSchema(customerService))) {
    await createDemoSchema(webshop, 'webshop');
    await createDemoSchema(customerService, 'customer-service');
    await seedDemoSystems({ customers, seed: opts.seed ?? 42, webshop, customerService });
    if (opts.current) {
      const [row] = await webshop.query<{ d: string | null }>(
        'SELECT CAST(MAX(last_activity_at) AS date)::text AS d FROM customers',
      );
      if (row?.d) {
        const target = opts.current.toISOString().slice(0, 10);
        const days = Math.max(0, daysBetween(row.d, target) - 30);
        await shiftDemoDates(webshop, days);
        await shiftDemoDates(customerService, days);
      }
    }
    seeded = true;
  } else {
    // Demo systems created by an older version: add the tables and columns added since (empty).
    await applyDemoSchemaAdditions(webshop, 'webshop');
    await applyDemoSchemaAdditions(customerService, 'customer-service');
  }
  // The customer to suggest: a current one with orders (a former customer's data goes at the first
  // retention run, and the suggestion would then find nothing).
  const [current] = await webshop.query<{ email: string; customer_number: string }>(
    `SELECT c.email, c.customer_number FROM customers c
      WHERE EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id)
      ORDER BY c.last_activity_at DESC NULLS LAST, c.id LIMIT 1`,
  );
  return {
    datasets: await readDatasetDir(),
    connectors: new Map([
      [DEMO_DATABASES.webshop.key, webshop],
      [DEMO_DATABASES['customer-service'].key, customerService],
    ]),
    databases,
    seeded,
    customers,
    sample: current
      ? { email: current.email, customerNumber: current.customer_number }
      : { email: customerEmail(1), customerNumber: customerNumber(1) },
    close: async () => {
      await webshop.close();
      await customerService.close();
    },
  };
}
