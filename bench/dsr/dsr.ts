/**
 * DSR bench on the real servers: the web shop on PostgreSQL, customer service on MariaDB, N customers, in two
 * identical copies (one for Ombud, one for hand-written SQL doing the same work; see copies.ts and hand.ts).
 * Measures one access and one erasure end to end (p50, p95 over S customers) and K erasures in a row, each
 * beside the hand-written SQL in the same run, and prints the ratio. Ombud's time includes its own
 * bookkeeping (run and step records, audit log, the stored extract, HTML and ZIP) in its own database.
 *
 * Afterwards it checks that both copies ended identical (row counts per table; a digest of every row the
 * erased customers owned, and of the restriction markers) and that every access produced the same extract;
 * it exits with 1 when they differ.
 *
 * Run: npx tsx bench/dsr/dsr.ts [--customers 1000000] [--erasures 1000] [--samples 50] [--reseed]
 *      [--own-db postgres|pglite] [--seed-only]
 */
import { createHash, randomBytes } from 'node:crypto';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import pg from 'pg';
import { RegisterIndex } from '../../src/core/register/register-index.ts';
import { DEMO_REGISTER_DIR } from '../../src/demo/loadDemo.ts';
import { customerNumber, ownedKeys } from '../../src/demo/systems/seed.ts';
import { SYSTEM_ACTOR } from '../../src/services/audit/auditLog.ts';
import type { SqlConnector } from '../../src/services/fulfilment/connectors/types.ts';
import { readDatasetDir } from '../../src/services/fulfilment/datasets.ts';
import { Engine, MARKER_TABLE } from '../../src/services/fulfilment/engine.ts';
import {
  type FulfilmentDeps,
  getArtifact,
  runFulfilment,
} from '../../src/services/fulfilment/runFulfilment.ts';
import { readRegisterDir } from '../../src/services/register/readRegisterDir.ts';
import type { Db } from '../../src/storage/db.ts';
import { migrate } from '../../src/storage/migrate.ts';
import { openPglite } from '../../src/storage/pglite.ts';
import { openPostgres } from '../../src/storage/postgres.ts';
import { chainKeysFrom, installAuditChainKeys } from '../../src/services/audit/keys.ts';
import { type Copy, countRows, prepareCopies, recordTouched } from './copies.ts';
import { handAccess, handConstants, handErase } from './hand.ts';

const { values } = parseArgs({
  options: {
    customers: { type: 'string', default: '20000' },
    erasures: { type: 'string', default: '200' },
    samples: { type: 'string', default: '30' },
    seed: { type: 'string', default: '42' },
    reseed: { type: 'boolean', default: false },
    /** Only get the copies ready (seed, clone or reset) and count them; no measurement. */
    'seed-only': { type: 'boolean', default: false },
    'own-db': { type: 'string', default: 'postgres' },
  },
});
const N = Number(values.customers);
const K = Number(values.erasures);
const S = Number(values.samples);
const SEED = Number(values.seed);
if (![N, K, S].every((x) => Number.isInteger(x) && x > 0) || 2 * S + K + 5 > N) {
  console.error(
    'dsr: --customers, --erasures and --samples are whole numbers, customers > 2 × samples + erasures',
  );
  process.exit(2);
}
const servers = {
  pg: process.env.OMBUD_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  my: process.env.OMBUD_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test',
};
const log = (m: string) => console.error(m);
const ORG = 'nestit-sverige';

/** Where two JSON values first differ (a path), for the report. */
function firstDifference(a: unknown, b: unknown, path = '$'): string {
  if (isDeepStrictEqual(a, b)) return '';
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const d = firstDifference(
        (a as Record<string, unknown>)[k],
        (b as Record<string, unknown>)[k],
        `${path}.${k}`,
      );
      if (d) return d;
    }
  }
  return `${path}: ${JSON.stringify(a)?.slice(0, 200)} ≠ ${JSON.stringify(b)?.slice(0, 200)}`;
}

// ---------------------------------------------------------------------------------------------------------
// The copies, and Ombud's own database (a fresh one per run).

const t0 = Date.now();
const {
  ombud,
  hand,
  counts: seeded,
  setup,
} = await prepareCopies({
  servers,
  customers: N,
  seed: SEED,
  reseed: values.reseed!,
  log,
});
log(`copies ready in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${setup}`);
if (values['seed-only']) {
  const a = await countRows(ombud);
  const b = await countRows(hand);
  console.log(`copies of ${N.toLocaleString('en-US')} customers: ${setup}`);
  console.log(
    Object.entries(a)
      .map(
        ([k, v]) => `${k}: ${v.toLocaleString('en-US')}${b[k] === v ? '' : ` (hand-written copy: ${b[k]})`}`,
      )
      .join('\n'),
  );
  await ombud.close();
  await hand.close();
  process.exit(isDeepStrictEqual(a, b) ? 0 : 1);
}

let ownDb: Db;
let dropOwn = async () => {};
if (values['own-db'] === 'pglite') {
  ownDb = await openPglite();
} else {
  const name = `dsr_bench_own_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: servers.pg });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(servers.pg);
  u.pathname = `/${name}`;
  ownDb = await openPostgres(u.toString());
  dropOwn = async () => {
    const a = new pg.Client({ connectionString: servers.pg });
    await a.connect();
    await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await a.end();
  };
}
await migrate(ownDb);
// The audit chain key (outside the database; openApp loads it in production): one for this run.
installAuditChainKeys(chainKeysFrom(`bench:${randomBytes(32).toString('base64')}`, 'bench'));
const index = new RegisterIndex((await readRegisterDir(DEMO_REGISTER_DIR)).register!);
const datasets = await readDatasetDir();
const connectors = new Map([
  ['nestit_webshop', ombud.webshop],
  ['nestit_customer_service', ombud.service],
]);
const deps: FulfilmentDeps = { db: ownDb, actor: SYSTEM_ACTOR, index, datasets, connectors, secret: 'bench' };
const constants = handConstants(new Engine(datasets, connectors), index, ORG);

// Customers: S for access, S single erasures, K erasures in a row, a few for warming up (all distinct).
const pick = (i: number) => 1 + ((i * 7919) % N);
const accessIds = Array.from({ length: S }, (_, i) => pick(i));
const eraseIds = Array.from({ length: S }, (_, i) => pick(S + i));
const rowIds = Array.from({ length: K }, (_, i) => pick(2 * S + i));
const warmIds = Array.from({ length: 5 }, (_, i) => pick(2 * S + K + i));
const erased = [...eraseIds, ...rowIds];
await recordTouched(ombud, erased);
await recordTouched(hand, erased);

const sizes = await countRows(ombud);
const handSizes = await countRows(hand);
const problems: string[] = [];
if (!isDeepStrictEqual(sizes, handSizes)) problems.push('the two copies differ before the run');
for (const [t, n] of Object.entries(seeded))
  if (sizes[t] !== n) problems.push(`${t}: ${sizes[t]} rows, seeded ${n}`);

const today = new Date().toISOString().slice(0, 10);
const now = () => new Date();
const access = async (i: number, n: number) =>
  runFulfilment(deps, {
    requestId: `bench-a-${i}`,
    orgId: ORG,
    type: 'access',
    identities: { customerNumber: customerNumber(n) },
  });
const erase = async (i: number, n: number) =>
  runFulfilment(deps, {
    requestId: `bench-e-${i}`,
    orgId: ORG,
    type: 'erasure',
    identities: { customerNumber: customerNumber(n) },
  });

// Warm up both sides (connections, plans, JIT): accesses only, nothing changes.
for (const [i, n] of warmIds.entries()) {
  await access(-1 - i, n);
  await handAccess(hand, constants, {
    requestId: 'w',
    orgId: ORG,
    customerNumber: customerNumber(n),
    now: now(),
  });
}

// ---------------------------------------------------------------------------------------------------------
// Measured: one access (S samples), one erasure (S samples), K erasures in a row.

const ms = {
  access: [] as number[],
  accessHand: [] as number[],
  erase: [] as number[],
  eraseHand: [] as number[],
};
let extractsDiffer = 0;
for (const [i, n] of accessIds.entries()) {
  let t = performance.now();
  const r = await access(i, n);
  ms.access.push(performance.now() - t);
  t = performance.now();
  const json = await handAccess(hand, constants, {
    requestId: `bench-a-${i}`,
    orgId: ORG,
    customerNumber: customerNumber(n),
    now: now(),
  });
  ms.accessHand.push(performance.now() - t);
  // Outside the clock: the same extract (but for when it was made).
  const stored = await getArtifact(ownDb, `bench-a-${i}`, 'extract.json');
  const a = JSON.parse(stored?.body.toString('utf8') ?? '{}');
  const b = JSON.parse(json);
  a.request.generatedAt = b.request.generatedAt = '';
  if (r.status !== 'done' || !isDeepStrictEqual(a, b)) {
    extractsDiffer++;
    if (extractsDiffer === 1) log(`extract differs for ${customerNumber(n)} at ${firstDifference(a, b)}`);
  }
}
if (extractsDiffer)
  problems.push(`${extractsDiffer} of ${S} extracts differ between Ombud and the hand-written SQL`);

for (const [i, n] of eraseIds.entries()) {
  let t = performance.now();
  const r = await erase(i, n);
  ms.erase.push(performance.now() - t);
  if (r.status !== 'done') problems.push(`erasure of ${customerNumber(n)}: ${r.status}`);
  t = performance.now();
  await handErase(hand, { requestId: `bench-e-${i}`, customerNumber: customerNumber(n), today });
  ms.eraseHand.push(performance.now() - t);
}
// K in a row, in blocks of 50 taking turns (Ombud's, then the hand-written SQL's), so that a change in the
// machine's load falls on both sides alike; each side's time is the sum of its blocks.
let rowOmbud = 0;
let rowHand = 0;
const BLOCK = 50;
for (let b = 0; b < K; b += BLOCK) {
  let t = performance.now();
  for (let i = b; i < Math.min(K, b + BLOCK); i++) {
    const r = await erase(S + i, rowIds[i]!);
    if (r.status !== 'done') problems.push(`erasure of ${customerNumber(rowIds[i]!)}: ${r.status}`);
  }
  rowOmbud += performance.now() - t;
  t = performance.now();
  for (let i = b; i < Math.min(K, b + BLOCK); i++)
    await handErase(hand, {
      requestId: `bench-e-${S + i}`,
      customerNumber: customerNumber(rowIds[i]!),
      today,
    });
  rowHand += performance.now() - t;
}

// ---------------------------------------------------------------------------------------------------------
// Both copies must end identical, and the erased customers must be gone but for their kept invoices.

async function erasedRows(c: Copy) {
  const keys = ownedKeys(erased);
  const any = (col: string, xs: number[]) => `${col} = ANY('{${xs.join(',')}}'::int[])`;
  const q = (conn: SqlConnector, sql: string) => conn.query<Record<string, unknown>>(sql);
  return {
    customers: await q(c.webshop, `SELECT * FROM customers WHERE ${any('id', erased)} ORDER BY id`),
    accounts: await q(c.webshop, `SELECT * FROM accounts WHERE ${any('id', erased)} ORDER BY id`),
    orders: await q(c.webshop, `SELECT * FROM orders WHERE ${any('id', keys.orders)} ORDER BY id`),
    order_lines: await q(
      c.webshop,
      `SELECT * FROM order_lines WHERE ${any('order_id', keys.orders)} ORDER BY id`,
    ),
    invoices: await q(c.webshop, `SELECT * FROM invoices WHERE ${any('id', keys.orders)} ORDER BY id`),
    reviews: await q(c.webshop, `SELECT * FROM reviews WHERE ${any('id', keys.reviews)} ORDER BY id`),
    survey_answers: await q(
      c.webshop,
      `SELECT * FROM survey_answers WHERE ${any('id', keys.orders)} ORDER BY id`,
    ),
    order_analytics: await q(
      c.webshop,
      `SELECT * FROM order_analytics WHERE ${any('id', keys.orders)} ORDER BY id`,
    ),
    newsletter_signups: await q(
      c.webshop,
      `SELECT * FROM newsletter_signups WHERE ${any('id', erased)} ORDER BY id`,
    ),
    cases: await q(c.service, `SELECT * FROM cases WHERE id IN (${keys.cases.join(',')}) ORDER BY id`),
    messages: await q(
      c.service,
      `SELECT * FROM messages WHERE case_id IN (${keys.cases.join(',')}) ORDER BY id`,
    ),
    markers: await q(c.webshop, `SELECT * FROM ${MARKER_TABLE} ORDER BY collection_name, row_key`),
    serviceMarkers: await q(c.service, `SELECT * FROM ${MARKER_TABLE} ORDER BY collection_name, row_key`),
  };
}
const digest = (x: unknown) => createHash('sha256').update(JSON.stringify(x)).digest('hex').slice(0, 16);
const after = { ombud: await countRows(ombud), hand: await countRows(hand) };
const rowsAfter = { ombud: await erasedRows(ombud), hand: await erasedRows(hand) };
for (const table of Object.keys(after.ombud))
  if (after.ombud[table] !== after.hand[table])
    problems.push(
      `${table}: ${after.ombud[table]} rows in Ombud's copy, ${after.hand[table]} in the hand-written one`,
    );
const digests = { ombud: digest(rowsAfter.ombud), hand: digest(rowsAfter.hand) };
if (digests.ombud !== digests.hand) {
  for (const k of Object.keys(rowsAfter.ombud) as (keyof typeof rowsAfter.ombud)[])
    if (!isDeepStrictEqual(rowsAfter.ombud[k], rowsAfter.hand[k]))
      problems.push(
        `${k}: the erased customers' rows differ (${rowsAfter.ombud[k].length} vs ${rowsAfter.hand[k].length})`,
      );
}
const left = rowsAfter.ombud;
for (const k of [
  'customers',
  'accounts',
  'orders',
  'order_lines',
  'reviews',
  'newsletter_signups',
  'survey_answers',
  'order_analytics',
  'cases',
  'messages',
] as const)
  if (left[k].length) problems.push(`${k}: ${left[k].length} rows of erased customers are left`);
const kept = left.invoices;
if (kept.some((r) => r.restricted !== true || !r.erase_on || String(r.erase_on) <= today))
  problems.push('an invoice of an erased customer is left unrestricted or past its deletion date');
if (left.markers.length !== kept.length) problems.push('not every kept invoice has its restriction marker');
if (after.ombud['invoices restricted'] !== kept.length)
  problems.push('invoices of customers not erased were restricted');

// ---------------------------------------------------------------------------------------------------------
// The report.

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};
const f = (n: number) => `${n.toFixed(1)} ms`;
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
const row = (label: string, a: string, b: string, r: string) => `| ${label} | ${a} | ${b} | ${r} |`;
const num = (n: number | undefined) => (n ?? 0).toLocaleString('en-US');
console.log(
  [
    `DSR bench, ${new Date().toISOString().slice(0, 16)}Z: ${num(N)} customers, ${num(sizes.order_lines)} order lines, ${num(sizes.messages)} messages (counted in the databases); Ombud's own database: ${values['own-db']}`,
    `sizes: ${Object.entries(sizes)
      .filter(([k]) => !k.startsWith(MARKER_TABLE) && k !== 'invoices restricted')
      .map(([k, v]) => `${k} ${num(v)}`)
      .join(', ')}`,
    `copies: ${setup}`,
    '',
    row('measure', 'Ombud', 'hand-written SQL', 'ratio'),
    '| --- | --- | --- | --- |',
    row(
      `access p50 (${S})`,
      f(pct(ms.access, 50)),
      f(pct(ms.accessHand, 50)),
      ratio(pct(ms.access, 50), pct(ms.accessHand, 50)),
    ),
    row(
      `access p95 (${S})`,
      f(pct(ms.access, 95)),
      f(pct(ms.accessHand, 95)),
      ratio(pct(ms.access, 95), pct(ms.accessHand, 95)),
    ),
    row(
      `erasure p50 (${S})`,
      f(pct(ms.erase, 50)),
      f(pct(ms.eraseHand, 50)),
      ratio(pct(ms.erase, 50), pct(ms.eraseHand, 50)),
    ),
    row(
      `erasure p95 (${S})`,
      f(pct(ms.erase, 95)),
      f(pct(ms.eraseHand, 95)),
      ratio(pct(ms.erase, 95), pct(ms.eraseHand, 95)),
    ),
    row(
      `${num(K)} erasures in a row (in blocks of ${BLOCK}, taking turns)`,
      `${(rowOmbud / 1000).toFixed(2)} s`,
      `${(rowHand / 1000).toFixed(2)} s`,
      ratio(rowOmbud, rowHand),
    ),
    '',
    `after the erasures: both copies ${problems.length ? 'checked, see below' : 'identical'} (row counts per table; digest of the erased customers' rows and markers ${digests.ombud} / ${digests.hand}); ${kept.length} invoices kept, restricted and marked; ${S - extractsDiffer} of ${S} extracts identical`,
  ].join('\n'),
);
if (problems.length) console.log(`\nFAILED:\n- ${problems.join('\n- ')}`);

await ombud.close();
await hand.close();
await ownDb.close();
await dropOwn();
process.exit(problems.length ? 1 : 0);
