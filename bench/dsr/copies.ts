/**
 * The bench's two copies of the demo systems (one for Ombud, one for the hand-written SQL), each a web shop
 * on PostgreSQL and a customer service on MariaDB, kept between runs:
 *
 * - seeded once per size (`dsr_bench_<N>_ombud`), then cloned (`dsr_bench_<N>_hand`): PostgreSQL copies the
 *   database files (`CREATE DATABASE … TEMPLATE … STRATEGY FILE_COPY`), MariaDB copies the rows
 *   (`INSERT … SELECT`) into tables made from the same schema file;
 * - before each run both are put back in the seeded state: the customers the last run erased (listed in
 *   `dsr_bench_touched`, written before any erasure) are deleted and generated again (`restoreDemoCustomers`),
 *   the restriction markers are cleared, and every table's row count is checked against the seeded counts.
 *   A copy that does not match, or was seeded by another seeder version, is seeded again (`--reseed` forces it).
 */
import mysql from 'mysql2/promise';
import pg from 'pg';
import {
  createDemoIndexes,
  createDemoSchema,
  restoreDemoCustomers,
  SEED_VERSION,
  SERVICE_TABLES,
  type SeedCounts,
  seedDemoSystems,
  WEBSHOP_TABLES,
} from '../../src/demo/systems/seed.ts';
import { openConnector } from '../../src/services/fulfilment/connectors/registry.ts';
import type { SqlConnector } from '../../src/services/fulfilment/connectors/types.ts';
import { ensureMarkerTable, MARKER_TABLE } from '../../src/services/fulfilment/engine.ts';

export type Copy = { name: string; webshop: SqlConnector; service: SqlConnector; close: () => Promise<void> };
export type Servers = { pg: string; my: string };
type State = { seedVersion: number; customers: number; seed: number; counts: SeedCounts };

const dbName = (n: number, which: string) => `dsr_bench_${n}_${which}`;
const withDb = (url: string, db: string) => {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
};

async function pgAdmin<T>(s: Servers, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: s.pg });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}
async function myAdmin<T>(s: Servers, fn: (c: mysql.Connection) => Promise<T>): Promise<T> {
  const c = await mysql.createConnection({ uri: s.my });
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

async function exists(s: Servers, db: string): Promise<boolean> {
  const p = await pgAdmin(s, (c) => c.query('SELECT 1 FROM pg_database WHERE datname = $1', [db]));
  const [m] = await myAdmin(s, (c) =>
    c.query('SELECT 1 FROM information_schema.schemata WHERE schema_name = ?', [db]),
  );
  return (p.rowCount ?? 0) > 0 && (m as unknown[]).length > 0;
}

async function open(s: Servers, db: string, name: string): Promise<Copy> {
  const webshop = await openConnector(withDb(s.pg, db));
  const service = await openConnector(withDb(s.my, db));
  return {
    name,
    webshop,
    service,
    close: async () => {
      await webshop.close();
      await service.close();
    },
  };
}

async function drop(s: Servers, db: string): Promise<void> {
  await pgAdmin(s, (c) => c.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`));
  await myAdmin(s, (c) => c.query(`DROP DATABASE IF EXISTS ${db}`));
}

async function readState(c: Copy): Promise<State | undefined> {
  const rows = await c.webshop
    .query<{ v: string }>("SELECT v FROM dsr_bench_state WHERE k = 'state'")
    .catch(() => []);
  return rows[0] ? (JSON.parse(rows[0].v) as State) : undefined;
}

/** Row counts of every demo table of a copy (and of its restriction markers). */
export async function countRows(c: Copy): Promise<SeedCounts> {
  const out: SeedCounts = {};
  const count = async (conn: SqlConnector, t: string) =>
    Number((await conn.query<{ n: number | string }>(`SELECT COUNT(*) AS n FROM ${t}`))[0]!.n);
  for (const t of WEBSHOP_TABLES) out[t] = await count(c.webshop, t);
  for (const t of SERVICE_TABLES) out[t] = await count(c.service, t);
  // Rows an erasure may change without deleting them: every restricted invoice must be an erased customer's.
  out['invoices restricted'] = await count(c.webshop, 'invoices WHERE restricted');
  out[`${MARKER_TABLE} (web shop)`] = await count(c.webshop, MARKER_TABLE);
  out[`${MARKER_TABLE} (customer service)`] = await count(c.service, MARKER_TABLE);
  return out;
}

const sameCounts = (a: SeedCounts, b: SeedCounts) =>
  Object.keys(b).every((k) => a[k] === b[k]) && Object.keys(a).every((k) => a[k] === b[k]);

function seeded(counts: SeedCounts): SeedCounts {
  return {
    ...counts,
    'invoices restricted': 0,
    [`${MARKER_TABLE} (web shop)`]: 0,
    [`${MARKER_TABLE} (customer service)`]: 0,
  };
}

async function seedCopy(
  s: Servers,
  n: number,
  seed: number,
  log: (m: string) => void,
): Promise<{ state: State; seconds: number }> {
  const db = dbName(n, 'ombud');
  const t0 = Date.now();
  await pgAdmin(s, (c) => c.query(`CREATE DATABASE ${db}`));
  await myAdmin(s, (c) => c.query(`CREATE DATABASE ${db} CHARACTER SET utf8mb4`));
  const copy = await open(s, db, 'ombud');
  try {
    await createDemoSchema(copy.webshop, 'webshop', { indexes: false });
    await createDemoSchema(copy.service, 'customer-service', { indexes: false });
    let shown = 0;
    const counts = await seedDemoSystems({
      customers: n,
      seed,
      webshop: copy.webshop,
      customerService: copy.service,
      batch: 50_000,
      concurrency: 2,
      onProgress: (system, done) => {
        if (system === 'webshop' && done - shown >= n / 10) {
          shown = done;
          log(
            `  web shop: ${done.toLocaleString('en-US')} customers (${((Date.now() - t0) / 1000).toFixed(0)} s)`,
          );
        }
      },
    });
    const loaded = Date.now();
    await Promise.all([
      createDemoIndexes(copy.webshop, 'webshop').then(() => copy.webshop.exec('ANALYZE')),
      createDemoIndexes(copy.service, 'customer-service').then(() =>
        copy.service.exec('ANALYZE TABLE cases, messages'),
      ),
    ]);
    log(
      `  rows in ${((loaded - t0) / 1000).toFixed(1)} s, indexes and foreign keys in ${((Date.now() - loaded) / 1000).toFixed(1)} s`,
    );
    await ensureMarkerTable(copy.webshop);
    await ensureMarkerTable(copy.service);
    await copy.webshop.exec(
      'CREATE TABLE dsr_bench_touched (n INTEGER PRIMARY KEY); CREATE TABLE dsr_bench_state (k VARCHAR(40) PRIMARY KEY, v TEXT NOT NULL)',
    );
    const state: State = { seedVersion: SEED_VERSION, customers: n, seed, counts };
    await copy.webshop.execute("INSERT INTO dsr_bench_state (k, v) VALUES ('state', $1)", [
      JSON.stringify(state),
    ]);
    return { state, seconds: (Date.now() - t0) / 1000 };
  } finally {
    await copy.close();
  }
}

async function cloneCopy(s: Servers, n: number): Promise<number> {
  const from = dbName(n, 'ombud');
  const to = dbName(n, 'hand');
  const t0 = Date.now();
  await pgAdmin(s, (c) => c.query(`CREATE DATABASE ${to} TEMPLATE ${from} STRATEGY FILE_COPY`));
  await myAdmin(s, (c) => c.query(`CREATE DATABASE ${to} CHARACTER SET utf8mb4`));
  const service = await openConnector(withDb(s.my, to));
  try {
    await createDemoSchema(service, 'customer-service', { indexes: false });
    await ensureMarkerTable(service);
    for (const t of SERVICE_TABLES) await service.execute(`INSERT INTO ${t} SELECT * FROM ${from}.${t}`);
    await createDemoIndexes(service, 'customer-service');
    await service.exec('ANALYZE TABLE cases, messages');
  } finally {
    await service.close();
  }
  return (Date.now() - t0) / 1000;
}

/** Put a copy back in the seeded state; false when it cannot be (then it is seeded again). */
async function reset(c: Copy, state: State): Promise<boolean> {
  const touched = (await c.webshop.query<{ n: number }>('SELECT n FROM dsr_bench_touched ORDER BY n')).map(
    (r) => r.n,
  );
  if (touched.length)
    await restoreDemoCustomers({
      customers: touched,
      seed: state.seed,
      webshop: c.webshop,
      customerService: c.service,
    });
  await c.webshop.execute(`DELETE FROM ${MARKER_TABLE}`);
  await c.service.execute(`DELETE FROM ${MARKER_TABLE}`);
  await c.webshop.execute('DELETE FROM dsr_bench_touched');
  return sameCounts(await countRows(c), seeded(state.counts));
}

export type Prepared = {
  ombud: Copy;
  hand: Copy;
  counts: SeedCounts;
  /** What this run had to do to get the copies ready, for the report. */
  setup: string;
};

export async function prepareCopies(opts: {
  servers: Servers;
  customers: number;
  seed: number;
  reseed: boolean;
  log: (m: string) => void;
}): Promise<Prepared> {
  const { servers: s, customers: n, seed, log } = opts;
  const names = { ombud: dbName(n, 'ombud'), hand: dbName(n, 'hand') };
  let reason = opts.reseed ? '--reseed' : '';
  if (!reason && !((await exists(s, names.ombud)) && (await exists(s, names.hand))))
    reason = 'no copies of this size yet';
  if (!reason) {
    const t0 = Date.now();
    const ombud = await open(s, names.ombud, 'ombud');
    const hand = await open(s, names.hand, 'hand');
    const a = await readState(ombud);
    const b = await readState(hand);
    const fits = (x?: State) => x?.seedVersion === SEED_VERSION && x.customers === n && x.seed === seed;
    if (fits(a) && fits(b) && (await reset(ombud, a!)) && (await reset(hand, b!)))
      return {
        ombud,
        hand,
        counts: a!.counts,
        setup: `reused the seeded copies (reset in ${((Date.now() - t0) / 1000).toFixed(1)} s)`,
      };
    await ombud.close();
    await hand.close();
    reason = 'the copies differ from the seeded state or were seeded by another seeder version';
  }
  log(`seeding ${n.toLocaleString('en-US')} customers (${reason}) …`);
  await drop(s, names.ombud);
  await drop(s, names.hand);
  const { state, seconds } = await seedCopy(s, n, seed, log);
  log(`  seeded in ${seconds.toFixed(1)} s; cloning …`);
  const cloned = await cloneCopy(s, n);
  log(`  cloned in ${cloned.toFixed(1)} s`);
  const ombud = await open(s, names.ombud, 'ombud');
  const hand = await open(s, names.hand, 'hand');
  return {
    ombud,
    hand,
    counts: state.counts,
    setup: `seeded in ${seconds.toFixed(1)} s (${reason}), cloned in ${cloned.toFixed(1)} s`,
  };
}

/** Record the customers a run will erase, before it erases any, so the next run can restore them. */
export async function recordTouched(c: Copy, customers: number[]): Promise<void> {
  const ids = [...new Set(customers)];
  for (let i = 0; i < ids.length; i += 1000)
    await c.webshop.execute(
      `INSERT INTO dsr_bench_touched (n) SELECT unnest($1::int[]) ON CONFLICT DO NOTHING`,
      [ids.slice(i, i + 1000)],
    );
}
