/**
 * The breach-scoping bench (issue 19): the demo web shop with N customers (default 1,000,000) on
 * PostgreSQL; a breach of the order systems (orders and order lines over a one-year window) scoped by
 * Ombud (`computeScope`: the plan from the annotations, the counts per controller and per data category)
 * and the same people-per-company count written by hand in SQL, in the same run. The counts must agree;
 * the ratio of the times is reported.
 *
 *   npx tsx bench/breach/bench.ts [CUSTOMERS] [--reseed]
 *
 * OMBUD_BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/postgres) names the server.
 */
import { computeScope } from '../../src/services/breaches/scopeBreach.ts';
import { readDatasetDir } from '../../src/services/fulfilment/datasets.ts';
import { openConnector } from '../../src/services/fulfilment/connectors/registry.ts';
import { readRegisterDir } from '../../src/services/register/readRegisterDir.ts';
import { RegisterIndex } from '../../src/core/register/register-index.ts';
import { DEMO_REGISTER_DIR } from '../../src/demo/loadDemo.ts';
import { seededTemplate, withDb } from '../retention/copies.ts';

const pgUrl = process.env.OMBUD_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const customers = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 1_000_000);
const reseed = process.argv.includes('--reseed');
const WINDOW = { from: new Date('2020-01-01T00:00:00Z'), to: new Date('2021-01-01T00:00:00Z') };

const HAND = `SELECT CASE c.country WHEN 'SE' THEN 'nestit-sverige' WHEN 'NO' THEN 'provendo' END AS org,
       COUNT(DISTINCT c.customer_number) AS n
  FROM orders o JOIN customers c ON c.id = o.customer_id
 WHERE o.placed_at >= '2020-01-01' AND o.placed_at < '2021-01-01'
 GROUP BY 1 ORDER BY 1`;

const t = await seededTemplate({ pgUrl, customers, seed: 42, reseed, suffix: '_breach', log: console.log });
console.log(t.setup);
const c = await openConnector(withDb(pgUrl, t.name));
try {
  const reg = await readRegisterDir(DEMO_REGISTER_DIR);
  const index = new RegisterIndex(reg.register!);
  const datasets = await readDatasetDir();
  await c.query('ANALYZE');
  // Hand-written first and Ombud second, then again the other way round: the better of two for each.
  const hand = async () => {
    const t0 = performance.now();
    const rows = await c.query<{ org: string; n: string }>(HAND);
    return { ms: performance.now() - t0, counts: Object.fromEntries(rows.map((r) => [r.org, Number(r.n)])) };
  };
  const ombud = async () => {
    const t0 = performance.now();
    const s = await computeScope(
      {
        index,
        systems: { datasets, connectors: new Map([['nestit_webshop', c]]) },
        now: () => new Date('2026-12-07T12:00:00Z'),
      },
      [
        { dataset: 'nestit_webshop', collection: 'orders', timeField: 'placed_at' },
        { dataset: 'nestit_webshop', collection: 'order_lines', timeField: 'orders.placed_at' },
      ],
      WINDOW,
    );
    return {
      ms: performance.now() - t0,
      counts: Object.fromEntries(s.controllers.map((x) => [x.orgId, x.subjects])),
      // One statement for the database (src/services/breaches/countScope.ts: records, people, people per category set).
      statements: 1,
    };
  };
  const h1 = await hand();
  const o1 = await ombud();
  const o2 = await ombud();
  const h2 = await hand();
  const h = h1.ms < h2.ms ? h1 : h2;
  const o = o1.ms < o2.ms ? o1 : o2;
  const same = JSON.stringify(h.counts) === JSON.stringify(o.counts);
  console.log(
    JSON.stringify(
      { customers, hand: h, ombud: o, same, ratio: Math.round((o.ms / h.ms) * 100) / 100 },
      null,
      2,
    ),
  );
  if (!same) process.exitCode = 1;
} finally {
  await c.close();
}
