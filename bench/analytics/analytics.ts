/**
 * The analytics bench (see README.md): a k-threshold aggregate over the demo web shop's order lines on the
 * PostgreSQL server, Ombud's export and the same aggregate written by hand in SQL, one after the other in one
 * run, twice each (alternating); prints each side's times, the best of each and the ratio, and checks that
 * both published the same cells.
 *
 *   npx tsx bench/analytics/analytics.ts [--customers N] [--seed 42] [--reseed] [--drop]
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { RegisterIndex } from '../../src/core/register/register-index.ts';
import { DEMO_REGISTER_DIR } from '../../src/demo/loadDemo.ts';
import { runAnalyticsExport } from '../../src/services/analytics/runExport.ts';
import { SYSTEM_PRINCIPAL } from '../../src/core/policies/permissions.ts';
import { SYSTEM_ACTOR } from '../../src/services/audit/auditLog.ts';
import { chainKeysFrom, installAuditChainKeys } from '../../src/services/audit/keys.ts';
import { openConnector } from '../../src/services/fulfilment/connectors/registry.ts';
import { readDatasetDir } from '../../src/services/fulfilment/datasets.ts';
import { readRegisterDir } from '../../src/services/register/readRegisterDir.ts';
import { migrate } from '../../src/storage/migrate.ts';
import { openPostgres } from '../../src/storage/postgres.ts';
import { dropDb, pgAdmin, seededTemplate, withDb } from '../retention/copies.ts';

const ORG = 'nestit-sverige';
const K = 10;

/** The hand-written aggregate: what a developer who knows the schema writes, with the k-threshold. */
export const HAND_SQL = `
SELECT l.product_name AS product, to_char(o.placed_at, 'YYYY-MM') AS month,
       GROUPING(l.product_name) AS g0, GROUPING(to_char(o.placed_at, 'YYYY-MM')) AS g1,
       count(DISTINCT c.id) AS subjects, count(*) AS n, sum(l.quantity) AS items
  FROM order_lines l JOIN orders o ON o.id = l.order_id JOIN customers c ON c.id = o.customer_id
 WHERE c.country = 'SE'
 GROUP BY GROUPING SETS ((l.product_name, to_char(o.placed_at, 'YYYY-MM')), (l.product_name),
                         (to_char(o.placed_at, 'YYYY-MM')), ())`;

type Cell = { key: string; subjects: number | null };

export async function bench(opts: {
  pgUrl: string;
  customers: number;
  seed?: number;
  reseed?: boolean;
  drop?: boolean;
  log?: (m: string) => void;
}) {
  const log = opts.log ?? (() => {});
  const tpl = await seededTemplate({
    pgUrl: opts.pgUrl,
    customers: opts.customers,
    seed: opts.seed ?? 42,
    reseed: opts.reseed ?? false,
    suffix: '_analytics',
    log,
  });
  const url = withDb(opts.pgUrl, tpl.name);
  const own = `analytics_bench_own_${randomBytes(4).toString('hex')}`;
  await pgAdmin(opts.pgUrl, (c) => c.query(`CREATE DATABASE ${own}`));
  const ownDb = await openPostgres(withDb(opts.pgUrl, own));
  const webshop = await openConnector(url);
  try {
    await migrate(ownDb);
    installAuditChainKeys(chainKeysFrom(`bench:${randomBytes(32).toString('base64')}`, 'bench'));
    const index = new RegisterIndex((await readRegisterDir(DEMO_REGISTER_DIR)).register!);
    const datasets = (await readDatasetDir()).filter((d) => d.fides_key === 'nestit_webshop');
    const deps = {
      db: ownDb,
      index,
      datasets,
      connectors: new Map([['nestit_webshop', webshop]]),
      secret: 'analytics-bench',
      now: () => new Date(),
    };
    const lines = Number((await webshop.query<{ n: string }>('SELECT count(*) AS n FROM order_lines'))[0]!.n);
    const ombud = async () => {
      const t0 = performance.now();
      const r = await runAnalyticsExport(
        deps,
        { principal: SYSTEM_PRINCIPAL, actor: SYSTEM_ACTOR },
        {
          orgId: ORG,
          purposeId: 'customer-analyses',
          exportId: 'items-by-product-and-month',
          format: 'json',
        },
      );
      const ms = performance.now() - t0;
      const file = JSON.parse(r.body) as {
        records: { product: string; month: string; subjects: number | null }[];
      };
      const cells: Cell[] = file.records.map((x) => ({
        key: `${x.product}|${x.month}`,
        subjects: x.subjects,
      }));
      return { ms, cells, guarantee: r.export.guarantee };
    };
    const hand = async () => {
      const t0 = performance.now();
      const rows = await webshop.query<{
        product: string | null;
        month: string | null;
        g0: number;
        g1: number;
        subjects: string;
      }>(HAND_SQL);
      // The k-threshold: a cell behind fewer than k customers is not published.
      const cells: Cell[] = rows.map((x) => ({
        key: `${Number(x.g0) ? '*' : x.product}|${Number(x.g1) ? '*' : x.month}`,
        subjects: Number(x.subjects) < K ? null : Number(x.subjects),
      }));
      return { ms: performance.now() - t0, cells };
    };
    const o1 = await ombud();
    log(`ombud #1 ${(o1.ms / 1000).toFixed(2)} s`);
    const h1 = await hand();
    log(`hand  #1 ${(h1.ms / 1000).toFixed(2)} s`);
    const o2 = await ombud();
    log(`ombud #2 ${(o2.ms / 1000).toFixed(2)} s`);
    const h2 = await hand();
    log(`hand  #2 ${(h2.ms / 1000).toFixed(2)} s`);
    // Both published the same figure for every cell both published (Ombud hides more: complementary cells).
    const problems: string[] = [];
    const handBy = new Map(h1.cells.map((c) => [c.key, c.subjects]));
    for (const c of o1.cells) {
      if (c.subjects === null) continue;
      const h = handBy.get(c.key);
      if (c.subjects === 0 && h === undefined) continue;
      if (h !== c.subjects) problems.push(`${c.key}: ombud ${c.subjects}, hand ${h}`);
    }
    for (const [key, s] of handBy) {
      const mine = o1.cells.find((c) => c.key === key);
      if (s === null && mine?.subjects != null) problems.push(`${key}: under k by hand, published by Ombud`);
    }
    const ombudMs = Math.min(o1.ms, o2.ms);
    const handMs = Math.min(h1.ms, h2.ms);
    return {
      setup: tpl.setup,
      orderLines: lines,
      ombud: { runs: [o1.ms, o2.ms], best: ombudMs, guarantee: o1.guarantee },
      hand: { runs: [h1.ms, h2.ms], best: handMs, cells: h1.cells.length },
      ratio: ombudMs / handMs,
      problems,
    };
  } finally {
    await webshop.close();
    await ownDb.close();
    await dropDb(opts.pgUrl, own);
    if (opts.drop) await dropDb(opts.pgUrl, tpl.name);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      customers: { type: 'string', default: '1000000' },
      seed: { type: 'string', default: '42' },
      reseed: { type: 'boolean', default: false },
      drop: { type: 'boolean', default: false },
    },
  });
  const pgUrl = process.env.OMBUD_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const r = await bench({
    pgUrl,
    customers: Number(values.customers),
    seed: Number(values.seed),
    reseed: values.reseed,
    drop: values.drop,
    log: (m) => console.error(m),
  });
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  console.log(`setup: ${r.setup}`);
  console.log(`order lines: ${r.orderLines.toLocaleString('en-US')}`);
  console.log(
    `ombud export (k = ${r.ombud.guarantee.k}, ${r.ombud.guarantee.records} cells and totals, ${r.ombud.guarantee.suppressed.primary} under k, ${r.ombud.guarantee.suppressed.complementary} complementary): ${r.ombud.runs.map(s).join(', ')} → best ${s(r.ombud.best)}`,
  );
  console.log(
    `hand-written SQL (${r.hand.cells} groups): ${r.hand.runs.map(s).join(', ')} → best ${s(r.hand.best)}`,
  );
  console.log(`ratio ombud / hand: ${r.ratio.toFixed(2)}`);
  for (const p of r.problems) console.log(`PROBLEM ${p}`);
  process.exit(r.problems.length ? 1 : 0);
}
