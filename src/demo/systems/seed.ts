/**
 * The demo group's own systems: a web shop and a customer service database, created from the SQL in
 * examples/nestit/systems and filled deterministically (a seeded PRNG: the same seed and size give the same
 * rows, on PostgreSQL and on MariaDB/MySQL alike). Inserts go in multi-row batches.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { SqlConnector } from '../../services/fulfilment/connectors/types.ts';

const SYSTEMS_DIR = fileURLToPath(new URL('../../../examples/nestit/systems/', import.meta.url));

export type DemoSystem = 'webshop' | 'customer-service';

/** Create the tables of a demo system in the connected (empty) database. */
export async function createDemoSchema(c: SqlConnector, system: DemoSystem): Promise<void> {
  const file = `${SYSTEMS_DIR}${system}.${c.dialect === 'postgres' ? 'pg' : 'mysql'}.sql`;
  await c.exec(await readFile(file, 'utf8'));
  await applyDemoSchemaAdditions(c, system);
}

/**
 * The tables and columns added to a demo system since its first version (idempotent): the web shop's
 * survey answers, pseudonymised analysis data and the customers' last activity, which retention runs from.
 */
export async function applyDemoSchemaAdditions(c: SqlConnector, system: DemoSystem): Promise<void> {
  if (system !== 'webshop') return;
  const file = `${SYSTEMS_DIR}webshop.retention.${c.dialect === 'postgres' ? 'pg' : 'mysql'}.sql`;
  await c.exec(await readFile(file, 'utf8'));
}

/** mulberry32: small, fast, deterministic. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST = [
  'Anna',
  'Erik',
  'Maja',
  'Lars',
  'Sofia',
  'Nils',
  'Ingrid',
  'Oskar',
  'Elin',
  'Johan',
  'Kari',
  'Ola',
];
const LAST = ['Lind', 'Berg', 'Holm', 'Dahl', 'Nilsen', 'Strand', 'Ek', 'Sund', 'Vik', 'Lund'];
const CITIES_SE = [
  ['Stockholm', '114 55'],
  ['Göteborg', '411 05'],
  ['Malmö', '211 20'],
  ['Uppsala', '753 10'],
];
const CITIES_NO = [
  ['Oslo', '0150'],
  ['Bergen', '5003'],
  ['Trondheim', '7010'],
];
const PRODUCTS = [
  ['SOFA-01', 'Sofa Hallon'],
  ['LAMP-07', 'Lamp Ljus'],
  ['RUG-12', 'Rug Mjuk'],
  ['CHAIR-3', 'Chair Sitt'],
  ['SHELF-9', 'Shelf Bok'],
  ['MUG-22', 'Mug Kaffe'],
];

export type SeedCounts = Record<string, number>;
type Rows = Record<string, unknown>[];

/** The customer number of the n-th demo customer (1-based). */
export const customerNumber = (n: number) => `C${String(n).padStart(7, '0')}`;
/** The e-mail address of the n-th demo customer. */
export function demoName(n: number): { first: string; last: string } {
  const r = prng(n * 7919);
  return { first: FIRST[Math.floor(r() * FIRST.length)]!, last: LAST[Math.floor(r() * LAST.length)]! };
}
export function customerEmail(n: number): string {
  const { first, last } = demoName(n);
  return `${first}.${last}.${n}@example.test`.toLowerCase();
}

const pad2 = (n: number) => String(n).padStart(2, '0');
const dateFrom = (day: number) =>
  new Date(Date.UTC(2019, 0, 1) + day * 86_400_000).toISOString().slice(0, 10);
const ts = (day: number, minute: number) =>
  `${dateFrom(day)} ${pad2(Math.floor(minute / 60) % 24)}:${pad2(minute % 60)}:00`;

/**
 * Generate and insert the rows for customers 1..N (batches of `batch` customers, so memory stays flat at
 * any size). Either connector may be omitted to seed only the other system.
 */
export async function seedDemoSystems(opts: {
  customers: number;
  seed?: number;
  webshop?: SqlConnector;
  customerService?: SqlConnector;
  batch?: number;
}): Promise<SeedCounts> {
  const counts: SeedCounts = {};
  const batch = opts.batch ?? 500;
  const ids = {
    order: 0,
    line: 0,
    invoice: 0,
    review: 0,
    signup: 0,
    account: 0,
    case: 0,
    message: 0,
    survey: 0,
    analytics: 0,
  };
  for (let start = 1; start <= opts.customers; start += batch) {
    const end = Math.min(opts.customers, start + batch - 1);
    const t: Record<string, Rows> = {};
    const push = (table: string, row: Record<string, unknown>) => {
      t[table] ??= [];
      t[table]!.push(row);
    };
    for (let n = start; n <= end; n++) {
      const r = prng((opts.seed ?? 42) * 1_000_003 + n);
      const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
      const { first, last } = demoName(n);
      const email = customerEmail(n);
      const country = r() < 0.8 ? 'SE' : 'NO';
      const [city, postal] = pick(country === 'SE' ? CITIES_SE : CITIES_NO);
      const street = `${pick(['Storgatan', 'Kungsvägen', 'Fjordveien', 'Parkgata'])} ${1 + Math.floor(r() * 90)}`;
      const phone =
        country === 'SE'
          ? `+4670${String(1_000_000 + n).slice(-7)}`
          : `+4790${String(100_000 + n).slice(-6)}`;
      const created = Math.floor(r() * 1800);
      const name = `${first} ${last}`;
      // A second stream for the rows added later (surveys, analysis data), so the first stream, and with
      // it every row seeded before, stays the same.
      const r2 = prng((opts.seed ?? 42) * 2_000_029 + n);
      let lastActive = created;
      const customerRow: Record<string, unknown> = {
        id: n,
        customer_number: customerNumber(n),
        email,
        phone,
        first_name: first,
        last_name: last,
        street,
        postal_code: postal,
        city,
        country,
        created_at: ts(created, n % 1440),
      };
      push('customers', customerRow);
      if (r() < 0.7) {
        const login = created + Math.floor(r() * 300);
        lastActive = Math.max(lastActive, login);
        push('accounts', {
          id: ++ids.account,
          customer_id: n,
          username: email,
          password_hash: `$argon2id$v=19$demo$${n.toString(16)}`,
          last_login_at: ts(login, 600),
        });
      }
      const orders = Math.floor(r() * 4);
      for (let o = 0; o < orders; o++) {
        const orderId = ++ids.order;
        const day = created + Math.floor(r() * 400);
        const lines = 1 + Math.floor(r() * 3);
        const items: string[] = [];
        let total = 0;
        let firstSku = '';
        let quantity = 0;
        for (let l = 0; l < lines; l++) {
          const [sku, product] = pick(PRODUCTS);
          const qty = 1 + Math.floor(r() * 3);
          const price = 9900 + Math.floor(r() * 90000);
          total += qty * price;
          firstSku ||= sku!;
          quantity += qty;
          items.push(`${qty} x ${product}`);
          push('order_lines', {
            id: ++ids.line,
            order_id: orderId,
            product_sku: sku,
            product_name: product,
            quantity: qty,
            unit_price_cents: price,
          });
        }
        const orderNumber = `O${String(orderId).padStart(8, '0')}`;
        push('orders', {
          id: orderId,
          customer_id: n,
          order_number: orderNumber,
          placed_at: ts(day, 720),
          delivery_name: name,
          delivery_street: street,
          delivery_postal_code: postal,
          delivery_city: city,
          total_cents: total,
        });
        const invoiceId = ++ids.invoice;
        push('invoices', {
          id: invoiceId,
          invoice_number: `F${String(invoiceId).padStart(8, '0')}`,
          seller_org: country === 'SE' ? 'nestit-sverige' : 'provendo',
          customer_number: customerNumber(n),
          order_number: orderNumber,
          billing_name: name,
          billing_email: email,
          billing_street: street,
          billing_postal_code: postal,
          billing_city: city,
          invoice_date: dateFrom(day),
          items: items.join('; '),
          amount_cents: total,
          restricted: false,
          erase_on: null,
        });
        lastActive = Math.max(lastActive, day);
        push('order_analytics', {
          id: ++ids.analytics,
          customer_number: customerNumber(n),
          country,
          product_sku: firstSku,
          items: quantity,
          total_cents: total,
          collected_at: ts(day + 1, 60),
        });
        if (r2() < 0.4)
          push('survey_answers', {
            id: ++ids.survey,
            customer_number: customerNumber(n),
            email,
            order_number: orderNumber,
            survey: 'post-purchase',
            score: 1 + Math.floor(r2() * 5),
            comment:
              r2() < 0.6
                ? `${first} ${last}: ${r2() < 0.5 ? 'quick delivery' : `call me on ${phone}`}`
                : null,
            answered_at: ts(day + 5 + Math.floor(r2() * 10), 900),
          });
      }
      const reviews = r() < 0.4 ? 1 + Math.floor(r() * 2) : 0;
      if (reviews) lastActive = Math.max(lastActive, created + 30);
      for (let v = 0; v < reviews; v++)
        push('reviews', {
          id: ++ids.review,
          customer_id: n,
          product_sku: pick(PRODUCTS)[0],
          rating: 1 + Math.floor(r() * 5),
          body: `${first} thinks it is ${pick(['great', 'fine', 'too small', 'lovely'])}.`,
          published_at: ts(created + 30, 100),
        });
      if (r() < 0.5)
        push('newsletter_signups', {
          id: ++ids.signup,
          email,
          phone: r() < 0.3 ? phone : null,
          channels: r() < 0.3 ? 'email,sms' : 'email',
          signed_up_at: ts(created, 200),
        });
      const cases = r() < 0.35 ? 1 + Math.floor(r() * 2) : 0;
      for (let c = 0; c < cases; c++) {
        const caseId = ++ids.case;
        const opened = created + Math.floor(r() * 500);
        push('cases', {
          id: caseId,
          case_number: `K${String(caseId).padStart(8, '0')}`,
          customer_number: customerNumber(n),
          email,
          phone: r() < 0.5 ? phone : null,
          contact_name: name,
          subject: pick(['Delivery delayed', 'Damaged item', 'Return', 'Invoice question']),
          opened_at: ts(opened, 540),
          closed_at: r() < 0.8 ? ts(opened + 3, 600) : null,
        });
        lastActive = Math.max(lastActive, opened + 3);
        const msgs = 1 + Math.floor(r() * 4);
        for (let m = 0; m < msgs; m++)
          push('messages', {
            id: ++ids.message,
            case_id: caseId,
            sender: m % 2 === 0 ? 'customer' : 'agent',
            body:
              m % 2 === 0 ? `Hi, this is ${first}. My phone is ${phone}.` : `Hello ${first}, we are on it.`,
            sent_at: ts(opened, 540 + m * 30),
          });
      }
      // The web shop keeps the day of the last purchase, login or contact (order-data runs from it).
      customerRow.last_activity_at = ts(lastActive, 720);
    }
    const webshopTables = [
      'customers',
      'accounts',
      'orders',
      'order_lines',
      'invoices',
      'reviews',
      'newsletter_signups',
      'survey_answers',
      'order_analytics',
    ];
    for (const table of webshopTables) {
      counts[table] = (counts[table] ?? 0) + (t[table]?.length ?? 0);
      if (opts.webshop) await insertRows(opts.webshop, table, t[table] ?? []);
    }
    for (const table of ['cases', 'messages']) {
      counts[table] = (counts[table] ?? 0) + (t[table]?.length ?? 0);
      if (opts.customerService) await insertRows(opts.customerService, table, t[table] ?? []);
    }
  }
  return counts;
}

/** Multi-row INSERTs, at most ~1000 parameters at a time... well under both servers' limits. */
export async function insertRows(c: SqlConnector, table: string, rows: Rows): Promise<void> {
  if (rows.length === 0) return;
  const cols = Object.keys(rows[0]!);
  const per = Math.max(1, Math.floor(5000 / cols.length));
  for (let i = 0; i < rows.length; i += per) {
    const chunk = rows.slice(i, i + per);
    const params: unknown[] = [];
    const tuples = chunk.map((row) => {
      const ph = cols.map((col) => {
        params.push(row[col]);
        return c.param(params.length);
      });
      return `(${ph.join(', ')})`;
    });
    await c.execute(
      `INSERT INTO ${c.quote(table)} (${cols.map((x) => c.quote(x)).join(', ')}) VALUES ${tuples.join(', ')}`,
      params,
    );
  }
}

/**
 * Move every date and timestamp of a demo system (PostgreSQL) by `days`, keeping the data's shape: `ombud
 * start` brings the demo to the present, so retention has current customers and due work alike.
 */
export async function shiftDemoDates(c: SqlConnector, days: number): Promise<void> {
  if (c.dialect !== 'postgres' || days === 0) return;
  const schema = await c.describe();
  for (const table of schema.tables) {
    if (table.startsWith('ombud_')) continue;
    const cols = schema.columns.filter((x) => x.table === table && /^(date|timestamp)/.test(x.dataType));
    if (!cols.length) continue;
    const sets = cols.map(
      (x) => `${c.quote(x.column)} = ${c.quote(x.column)} + make_interval(days => ${c.param(1)})`,
    );
    await c.execute(`UPDATE ${c.quote(table)} SET ${sets.join(', ')}`, [days]);
  }
}
