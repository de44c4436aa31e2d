/**
 * The retention bench's databases on the PostgreSQL server: the demo web shop with N customers, seeded once
 * (`retention_bench_<N>_seed`, kept between runs unless dropped, re-seeded when the seeder's version
 * changed) and copied twice per run with `CREATE DATABASE … TEMPLATE … STRATEGY FILE_COPY`: one copy for
 * Ombud's run, one for the hand-written SQL. The copies are dropped after the run.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import {
  createDemoIndexes,
  createDemoSchema,
  SEED_VERSION,
  type SeedCounts,
  seedDemoSystems,
  WEBSHOP_TABLES,
} from '../../src/demo/systems/seed.ts';
import { openConnector } from '../../src/services/fulfilment/connectors/registry.ts';
import { ensureMarkerTable, MARKER_TABLE } from '../../src/services/fulfilment/engine.ts';

export const withDb = (url: string, db: string) => {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
};

export async function pgAdmin<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export async function dropDb(url: string, db: string): Promise<void> {
  await pgAdmin(url, (c) => c.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`));
}

type State = { seedVersion: number; customers: number; seed: number; counts: SeedCounts };

async function readState(url: string): Promise<State | undefined> {
  return pgAdmin(url, async (c) => {
    const r = await c.query("SELECT v FROM retention_bench_state WHERE k = 'state'").catch(() => undefined);
    return r?.rows[0] ? (JSON.parse(r.rows[0].v) as State) : undefined;
  });
}

/**
 * The seeded template of N customers: reused when it exists and was seeded by this seeder version with
 * this seed, else seeded again. Returns its name, the seeded row counts and what was done.
 */
export async function seededTemplate(opts: {
  pgUrl: string;
  customers: number;
  seed: number;
  reseed: boolean;
  /** Appended to the database names (tests: their own on the shared server). */
  suffix?: string;
  log: (m: string) => void;
}): Promise<{ name: string; counts: SeedCounts; setup: string }> {
  const name = `retention_bench_${opts.customers}_seed${opts.suffix ?? ''}`;
  const exists = await pgAdmin(opts.pgUrl, async (c) =>
    Boolean((await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount),
  );
  if (exists && !opts.reseed) {
    const st = await readState(withDb(opts.pgUrl, name));
    if (st?.seedVersion === SEED_VERSION && st.customers === opts.customers && st.seed === opts.seed)
      return { name, counts: st.counts, setup: `reused the seeded database ${name}` };
  }
  await dropDb(opts.pgUrl, name);
  const t0 = Date.now();
  opts.log(`seeding ${opts.customers.toLocaleString('en-US')} customers into ${name} …`);
  await pgAdmin(opts.pgUrl, (c) => c.query(`CREATE DATABASE ${name}`));
  const c = await openConnector(withDb(opts.pgUrl, name));
  try {
    await createDemoSchema(c, 'webshop', { indexes: false });
    let shown = 0;
    const counts = await seedDemoSystems({
      customers: opts.customers,
      seed: opts.seed,
      webshop: c,
      batch: 50_000,
      concurrency: 2,
      onProgress: (_s, done) => {
        if (done - shown >= opts.customers / 10) {
          shown = done;
          opts.log(
            `  ${done.toLocaleString('en-US')} customers (${((Date.now() - t0) / 1000).toFixed(0)} s)`,
          );
        }
      },
    });
    const loaded = Date.now();
    await createDemoIndexes(c, 'webshop');
    // A database Ombud is connected to has its marker table (the first erasure or run creates it).
    await ensureMarkerTable(c);
    await c.exec('VACUUM ANALYZE');
    await c.exec('CREATE TABLE retention_bench_state (k VARCHAR(40) PRIMARY KEY, v TEXT NOT NULL)');
    const state: State = {
      seedVersion: SEED_VERSION,
      customers: opts.customers,
      seed: opts.seed,
      counts,
    };
    await c.execute("INSERT INTO retention_bench_state (k, v) VALUES ('state', $1)", [JSON.stringify(state)]);
    const setup = `seeded ${name}: rows ${((loaded - t0) / 1000).toFixed(1)} s, indexes, foreign keys and ANALYZE ${((Date.now() - loaded) / 1000).toFixed(1)} s`;
    opts.log(`  ${setup}`);
    return { name, counts, setup };
  } finally {
    await c.close();
  }
}

/** Two copies of the template (`…_ombud_<rand>`, `…_hand_<rand>`); seconds taken. */
export async function copiesOf(
  pgUrl: string,
  template: string,
): Promise<{ ombud: string; hand: string; seconds: number }> {
  const tag = randomBytes(3).toString('hex');
  const base = template.replace(/_seed/, '');
  const ombud = `${base}_ombud_${tag}`;
  const hand = `${base}_hand_${tag}`;
  const t0 = Date.now();
  await pgAdmin(pgUrl, async (c) => {
    await c.query(`CREATE DATABASE ${ombud} TEMPLATE ${template} STRATEGY FILE_COPY`);
    await c.query(`CREATE DATABASE ${hand} TEMPLATE ${template} STRATEGY FILE_COPY`);
  });
  return { ombud, hand, seconds: (Date.now() - t0) / 1000 };
}

/** The tables compared after the run: the web shop's and the marker table. */
export const COMPARED = [...WEBSHOP_TABLES, MARKER_TABLE] as const;

export type Fingerprint = Record<string, { rows: number; digest: string }>;

/**
 * Per table: the row count and an order-independent digest of every remaining row (the sum of a 64-bit hash
 * of each row's text, every column included: ids, anonymised columns, restricted/erase_on, marker rows).
 */
export async function fingerprint(url: string): Promise<Fingerprint> {
  return pgAdmin(url, async (c) => {
    const out: Fingerprint = {};
    for (const t of COMPARED) {
      const r = await c.query<{ n: string; d: string | null }>(
        `SELECT COUNT(*) AS n, SUM(hashtextextended(t::text, 0)::numeric)::text AS d FROM ${t} t`,
      );
      out[t] = { rows: Number(r.rows[0]!.n), digest: r.rows[0]!.d ?? '0' };
    }
    return out;
  });
}
