/**
 * Retention bench: Ombud's daily run over the demo web shop beside hand-written SQL doing the same work,
 * on two identical copies, in one run; exits with 1 when the two end states differ (see README.md).
 *
 * Run: npx tsx bench/retention/retention.ts [--customers 1000000] [--day 2025-06-10] [--seed 42]
 *      [--reseed] [--drop]
 */
import { parseArgs } from 'node:util';
import { isIsoDate } from '../../src/core/deadlines/iso-date.ts';
import { benchRetention } from './bench.ts';

const { values } = parseArgs({
  options: {
    customers: { type: 'string', default: process.env.RETENTION_BENCH_CUSTOMERS ?? '10000' },
    day: { type: 'string', default: '2025-06-10' },
    seed: { type: 'string', default: '42' },
    reseed: { type: 'boolean', default: false },
    /** Drop the seeded database afterwards (it is otherwise kept for the next run of this size). */
    drop: { type: 'boolean', default: false },
  },
});
const N = Number(values.customers);
const SEED = Number(values.seed);
if (!Number.isInteger(N) || N < 1 || !Number.isInteger(SEED) || !isIsoDate(values.day!)) {
  console.error('retention bench: --customers is a whole number ≥ 1, --seed a whole number, --day YYYY-MM-DD');
  process.exit(2);
}
const pgUrl = process.env.OMBUD_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const log = (m: string) => console.error(m);

const r = await benchRetention({
  pgUrl,
  customers: N,
  day: values.day!,
  seed: SEED,
  reseed: values.reseed!,
  dropTemplate: values.drop!,
  log,
});

const fmt = (n: number) => n.toLocaleString('en-US');
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const row = (...cells: string[]) => `| ${cells.join(' | ')} |`;
console.log(`retention bench: ${fmt(N)} customers, day ${values.day}, seed ${SEED}`);
console.log(`setup: ${r.setup}`);
console.log(
  `seeded: ${Object.entries(r.seeded)
    .map(([t, n]) => `${t} ${fmt(n)}`)
    .join(', ')}`,
);
console.log('');
console.log(row('measure', 'Ombud', 'hand-written SQL', 'ratio'));
console.log(row('---', '---', '---', '---'));
console.log(
  row('retention run (one transaction)', secs(r.ombud.ms), secs(r.hand.ms), `${(r.ombud.ms / r.hand.ms).toFixed(2)}×`),
);
console.log('');
console.log(row('collection', 'action', 'rule', 'rows (Ombud)', 'rows (hand-written)'));
console.log(row('---', '---', '---', '---', '---'));
for (const k of [...new Set([...Object.keys(r.ombud.actions), ...Object.keys(r.hand.actions)])].sort()) {
  const [collection, action, rule] = k.split(' ');
  console.log(
    row(collection!, action!, rule!, fmt(r.ombud.actions[k] ?? 0), fmt(r.hand.actions[k] ?? 0)),
  );
}
console.log('');
console.log(row('table after the run', 'rows', 'digest (Ombud)', 'digest (hand-written)'));
console.log(row('---', '---', '---', '---'));
for (const [t, f] of Object.entries(r.after.ombud))
  console.log(row(t, fmt(f.rows), f.digest, r.after.hand[t]?.digest ?? '—'));
console.log('');
const targets = [
  `under 60 s: ${r.ombud.ms < 60_000 ? 'met' : 'NOT met'}`,
  `at most 2× the hand-written SQL: ${r.ombud.ms <= 2 * r.hand.ms ? 'met' : 'NOT met'}`,
];
console.log(`targets (the issue's, at 1,000,000 customers): ${targets.join('; ')}`);
if (r.problems.length) {
  console.log(`\nTHE TWO SIDES DIFFER (${r.problems.length}): the bench measured different work.`);
  for (const p of r.problems) console.log(`  ${p}`);
  process.exit(1);
}
console.log('both end states identical (row counts and digests of every table, rows per action)');
