/**
 * DSR bench on the real servers: the web shop on PostgreSQL, customer service on MariaDB, seeded with N
 * customers (twice: one copy for Ombud, one for hand-written SQL doing the same erasures). Measures one
 * access and one erasure end to end (p50, p95) and K erasures in a row, each beside the hand-written SQL,
 * and prints the ratio. Ombud's time includes its own bookkeeping (run and step records, audit log).
 *
 * Run: npx tsx bench/dsr/dsr.ts [--customers 1000000] [--erasures 1000] [--samples 50]
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { RegisterIndex } from '../../src/core/register/register-index.ts';
import { DEMO_REGISTER_DIR } from '../../src/demo/loadDemo.ts';
import { createDemoSchema, customerNumber, seedDemoSystems } from '../../src/demo/systems/seed.ts';
import { SYSTEM_ACTOR } from '../../src/services/audit/auditLog.ts';
import { openConnector, type SqlConnector } from '../../src/services/fulfilment/connectors/types.ts';
import { readDatasetDir } from '../../src/services/fulfilment/datasets.ts';
import { type FulfilmentDeps, runFulfilment } from '../../src/services/fulfilment/runFulfilment.ts';
import { readRegisterDir } from '../../src/services/register/readRegisterDir.ts';
import { migrate } from '../../src/storage/migrate.ts';
import { openPglite } from '../../src/storage/pglite.ts';

const { values } = parseArgs({
  options: {
    customers: { type: 'string', default: '20000' },
    erasures: { type: 'string', default: '200' },
    samples: { type: 'string', default: '30' },
  },
});
const N = Number(values.customers);
const K = Number(values.erasures);
const S = Number(values.samples);
const PG = process.env.OMBUD_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const MY = process.env.OMBUD_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';

const drops: (() => Promise<void>)[] = [];
async function pgDb(): Promise<SqlConnector> {
  const name = `ombud_bench_${randomBytes(4).toString('hex')}`;
  const a = new pg.Client({ connectionString: PG });
  await a.connect();
  await a.query(`CREATE DATABASE ${name}`);
  await a.end();
  const u = new URL(PG);
  u.pathname = `/${name}`;
  const c = await openConnector(u.toString());
  drops.push(async () => {
    await c.close();
    const b = new pg.Client({ connectionString: PG });
    await b.connect();
    await b.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await b.end();
  });
  return c;
}
async function myDb(): Promise<SqlConnector> {
  const name = `ombud_bench_${randomBytes(4).toString('hex')}`;
  const a = await mysql.createConnection({ uri: MY });
  await a.query(`CREATE DATABASE ${name}`);
  await a.end();
  const u = new URL(MY);
  u.pathname = `/${name}`;
  const c = await openConnector(u.toString());
  drops.push(async () => {
    await c.close();
    const b = await mysql.createConnection({ uri: MY });
    await b.query(`DROP DATABASE IF EXISTS ${name}`);
    await b.end();
  });
  return c;
}

async function pair() {
  const webshop = await pgDb();
  const service = await myDb();
  await createDemoSchema(webshop, 'webshop');
  await createDemoSchema(service, 'customer-service');
  const counts = await seedDemoSystems({ customers: N, webshop, customerService: service, batch: 2000 });
  return { webshop, service, counts };
}

/** The same erasure written by hand: what a developer would write for these two databases. */
async function handErase(webshop: SqlConnector, service: SqlConnector, cn: string, today: string) {
  await service.transaction(async (tx) => {
    await tx.execute(
      'DELETE m FROM messages m JOIN cases c ON c.id = m.case_id WHERE c.customer_number = ?',
      [cn],
    );
    await tx.execute('DELETE FROM cases WHERE customer_number = ?', [cn]);
  });
  await webshop.transaction(async (tx) => {
    const sub = 'SELECT id FROM customers WHERE customer_number = $1';
    await tx.execute(
      `DELETE FROM order_lines WHERE order_id IN (SELECT id FROM orders WHERE customer_id IN (${sub}))`,
      [cn],
    );
    await tx.execute(`DELETE FROM orders WHERE customer_id IN (${sub})`, [cn]);
    await tx.execute(`DELETE FROM accounts WHERE customer_id IN (${sub})`, [cn]);
    await tx.execute(`DELETE FROM reviews WHERE customer_id IN (${sub})`, [cn]);
    await tx.execute(
      'DELETE FROM newsletter_signups WHERE email IN (SELECT email FROM customers WHERE customer_number = $1)',
      [cn],
    );
    await tx.execute(
      `UPDATE invoices SET restricted = TRUE, erase_on = CASE seller_org
         WHEN 'provendo' THEN make_date(extract(year FROM invoice_date)::int + 6, 1, 1)
         ELSE make_date(extract(year FROM invoice_date)::int + 8, 1, 1) END
       WHERE customer_number = $1`,
      [cn],
    );
    await tx.execute(`DELETE FROM invoices WHERE customer_number = $1 AND erase_on <= $2`, [cn, today]);
    await tx.execute('DELETE FROM customers WHERE customer_number = $1', [cn]);
  });
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const ms = (n: number) => `${n.toFixed(1)} ms`;

const t0 = Date.now();
const ombudSys = await pair();
const handSys = await pair();
console.log(`seeded 2 × ${N} customers in ${((Date.now() - t0) / 1000).toFixed(0)} s:`, ombudSys.counts);

const db = await openPglite();
await migrate(db);
const deps: FulfilmentDeps = {
  db,
  actor: SYSTEM_ACTOR,
  index: new RegisterIndex((await readRegisterDir(DEMO_REGISTER_DIR)).register!),
  datasets: await readDatasetDir(),
  connectors: new Map([
    ['nestit_webshop', ombudSys.webshop],
    ['nestit_customer_service', ombudSys.service],
  ]),
  secret: 'bench',
};
const today = new Date().toISOString().slice(0, 10);
const pick = (i: number) => customerNumber(1 + ((i * 7919) % N));

// One access end to end (S samples).
const access: number[] = [];
const accessHand: number[] = [];
for (let i = 0; i < S; i++) {
  const cn = pick(i);
  let t = performance.now();
  await runFulfilment(deps, {
    requestId: `bench-a-${i}`,
    orgId: 'nestit-sverige',
    type: 'access',
    identities: { customerNumber: cn },
  });
  access.push(performance.now() - t);
  t = performance.now();
  const [c] = await handSys.webshop.query<{ id: number; email: string }>(
    'SELECT * FROM customers WHERE customer_number = $1',
    [cn],
  );
  const orders = await handSys.webshop.query<{ id: number }>('SELECT * FROM orders WHERE customer_id = $1', [
    c?.id ?? -1,
  ]);
  await handSys.webshop.query('SELECT * FROM order_lines WHERE order_id = ANY($1)', [
    orders.map((o) => o.id),
  ]);
  await handSys.webshop.query('SELECT * FROM invoices WHERE customer_number = $1', [cn]);
  await handSys.webshop.query('SELECT * FROM reviews WHERE customer_id = $1', [c?.id ?? -1]);
  await handSys.webshop.query('SELECT * FROM accounts WHERE customer_id = $1', [c?.id ?? -1]);
  await handSys.webshop.query('SELECT * FROM newsletter_signups WHERE email = $1', [c?.email ?? '']);
  const cases = await handSys.service.query<{ id: number }>('SELECT * FROM cases WHERE customer_number = ?', [
    cn,
  ]);
  if (cases.length)
    await handSys.service.query('SELECT * FROM messages WHERE case_id IN (?)', [cases.map((x) => x.id)]);
  accessHand.push(performance.now() - t);
}

// Erasures: S single ones measured, then K in a row.
const erase: number[] = [];
const eraseHand: number[] = [];
let next = S;
for (let i = 0; i < S; i++, next++) {
  const cn = pick(next);
  let t = performance.now();
  await runFulfilment(deps, {
    requestId: `bench-e-${next}`,
    orgId: 'nestit-sverige',
    type: 'erasure',
    identities: { customerNumber: cn },
  });
  erase.push(performance.now() - t);
  t = performance.now();
  await handErase(handSys.webshop, handSys.service, cn, today);
  eraseHand.push(performance.now() - t);
}
let t = performance.now();
for (let i = 0; i < K; i++)
  await runFulfilment(deps, {
    requestId: `bench-k-${next + i}`,
    orgId: 'nestit-sverige',
    type: 'erasure',
    identities: { customerNumber: pick(next + i) },
  });
const rowOmbud = performance.now() - t;
t = performance.now();
for (let i = 0; i < K; i++) await handErase(handSys.webshop, handSys.service, pick(next + i), today);
const rowHand = performance.now() - t;

const lines = [
  `| measure (${N.toLocaleString('en-US')} customers, ${ombudSys.counts.order_lines!.toLocaleString('en-US')} order lines, ${ombudSys.counts.messages!.toLocaleString('en-US')} messages) | Ombud | hand-written SQL | ratio |`,
  '| --- | --- | --- | --- |',
  `| access p50 | ${ms(pct(access, 50))} | ${ms(pct(accessHand, 50))} | ${(pct(access, 50) / pct(accessHand, 50)).toFixed(1)}× |`,
  `| access p95 | ${ms(pct(access, 95))} | ${ms(pct(accessHand, 95))} | ${(pct(access, 95) / pct(accessHand, 95)).toFixed(1)}× |`,
  `| erasure p50 | ${ms(pct(erase, 50))} | ${ms(pct(eraseHand, 50))} | ${(pct(erase, 50) / pct(eraseHand, 50)).toFixed(1)}× |`,
  `| erasure p95 | ${ms(pct(erase, 95))} | ${ms(pct(eraseHand, 95))} | ${(pct(erase, 95) / pct(eraseHand, 95)).toFixed(1)}× |`,
  `| ${K} erasures in a row | ${(rowOmbud / 1000).toFixed(2)} s | ${(rowHand / 1000).toFixed(2)} s | ${(rowOmbud / rowHand).toFixed(1)}× |`,
];
console.log(lines.join('\n'));
await db.close();
for (const d of drops) await d();
