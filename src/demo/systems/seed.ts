/**
 * The demo group's own systems: a web shop and a customer service database, created from the SQL in
 * examples/nestit/systems and filled deterministically at any size.
 *
 * The rows are generated inside the database (`INSERT … SELECT` over PostgreSQL's `generate_series` or
 * MariaDB's Sequence engine), so a million customers take a minute, not an hour. Every value is a pure
 * function of the customer's number n and the seed, through one small integer hash that PostgreSQL, MariaDB
 * and JavaScript compute alike (`mix32`): the same seed gives the same rows on every server, in any batch
 * size, and any customer's rows can be generated again on their own (`restoreDemoCustomers`). Keys follow n
 * (customer n owns orders 6(n−1)+1 … 6n, each order o owns lines 7(o−1)+1 … 7o, and so on), so they have
 * gaps but never depend on other customers.
 *
 * Mix per customer (on average): 2.5 orders with 4 lines each (10 order lines), an invoice and an analysis row
 * per order, 1 survey answer (0.4 per order), an identified analysis extract for 10% of orders, 0.7 accounts,
 * 0.6 reviews, 0.5 newsletter sign-ups, 0.8 service cases with 2.5 messages each (2 messages; a fifth of the
 * cases with sensitive details) — the issue's 1 M customers, 10 M order lines and 2 M messages.
 * A customer's last activity (the latest order, login, review or case) is kept on the customer.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { DialectName, SqlConnector } from '../../services/fulfilment/connectors/types.ts';

const SYSTEMS_DIR = fileURLToPath(new URL('../../../examples/nestit/systems/', import.meta.url));

export type DemoSystem = 'webshop' | 'customer-service';

/** Bump when the generated rows change: a copy seeded by an older version is then seeded again. */
export const SEED_VERSION = 4;

export const WEBSHOP_TABLES = [
  'customers',
  'accounts',
  'orders',
  'order_lines',
  'invoices',
  'reviews',
  'newsletter_signups',
  'survey_answers',
  'order_analytics',
  'analysis_extracts',
] as const;
export const SERVICE_TABLES = ['cases', 'messages'] as const;

const AFTER_LOAD = /^-- @after-load.*$/m;

async function schemaParts(c: SqlConnector, system: DemoSystem): Promise<[string, string]> {
  const file = `${SYSTEMS_DIR}${system}.${seedSql(c).file}.sql`;
  const sql = await readFile(file, 'utf8');
  const m = AFTER_LOAD.exec(sql);
  return m ? [sql.slice(0, m.index), sql.slice(m.index)] : [sql, ''];
}

/**
 * Create the tables of a demo system in the connected (empty) database. With `indexes: false` only the
 * tables and their primary keys: load the rows, then call `createDemoIndexes` (faster for large loads).
 */
export async function createDemoSchema(
  c: SqlConnector,
  system: DemoSystem,
  opts: { indexes?: boolean } = {},
): Promise<void> {
  const [tables] = await schemaParts(c, system);
  await c.exec(tables);
  if (opts.indexes ?? true) await createDemoIndexes(c, system);
}

/**
 * The tables and columns added to the web shop since its first version (idempotent), for a demo database
 * created by an older version: survey answers, pseudonymised analysis data and the identified extracts it is
 * made from, the customers' last activity, which retention runs from, and the cases' sensitive details. The
 * schema files hold them too.
 */
export async function applyDemoSchemaAdditions(c: SqlConnector, system: DemoSystem): Promise<void> {
  const file = `${SYSTEMS_DIR}${system}.retention.${seedSql(c).file}.sql`;
  await c.exec(await readFile(file, 'utf8'));
}

/** The secondary indexes, unique keys and foreign keys of a demo system (after a bulk load). */
export async function createDemoIndexes(c: SqlConnector, system: DemoSystem): Promise<void> {
  const [, after] = await schemaParts(c, system);
  if (!after.trim()) return;
  const { before, after: restore } = seedSql(c).indexSession;
  await c.transaction(async (tx) => {
    for (const s of before) await tx.exec(s);
    try {
      await tx.exec(after);
    } finally {
      for (const s of restore) await tx.exec(s);
    }
  });
}

/** mulberry32: small, fast, deterministic (for tests that want a stream of random numbers). */
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

// ---------------------------------------------------------------------------------------------------------
// The hash: x in [0, 2^32) → [0, 2^32), three rounds of xor-shift and multiply (products stay below 2^59,
// so PostgreSQL's and MariaDB's BIGINT compute it exactly, and JavaScript through Math.imul).

const M32 = 4294967296;
const MUL = 0x45d9f3b;

export function mix32(x: number): number {
  let t = Math.imul((x >>> 16) ^ x, MUL) >>> 0;
  t = Math.imul((t >>> 16) ^ t, MUL) >>> 0;
  return ((t >>> 16) ^ t) >>> 0;
}

/** The hash of key x in stream `salt` (1–7) under a seed; stream 0 (names) does not depend on the seed. */
const seedOffset = (seed: number) => (mix32(seed >>> 0) & ~7) >>> 0;

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
const CITIES_SE = ['Stockholm', 'Göteborg', 'Malmö', 'Uppsala'];
const POSTAL_SE = ['114 55', '411 05', '211 20', '753 10'];
const CITIES_NO = ['Oslo', 'Bergen', 'Trondheim'];
const POSTAL_NO = ['0150', '5003', '7010'];
const STREETS = ['Storgatan', 'Kungsvägen', 'Fjordveien', 'Parkgata'];
const SKUS = ['SOFA-01', 'LAMP-07', 'RUG-12', 'CHAIR-3', 'SHELF-9', 'MUG-22'];
const PRODUCTS = ['Sofa Hallon', 'Lamp Ljus', 'Rug Mjuk', 'Chair Sitt', 'Shelf Bok', 'Mug Kaffe'];
const OPINIONS = ['great', 'fine', 'too small', 'lovely'];
const SUBJECTS = ['Delivery delayed', 'Damaged item', 'Return', 'Invoice question'];
/** Sensitive details a customer shared in a case (health): erased when the case is closed. */
const SENSITIVE = [
  'Allergic to wool: needs a cover without it',
  'Pregnant: cannot carry the parcel upstairs',
  'Uses a wheelchair: delivery to the door only',
];

/**
 * Keys per owner: customer n owns order ids 6(n−1)+1 … 6n (an order's invoice, analysis row and survey answer
 * have its id), an order owns line ids 7(o−1)+1 … 7o, etc.
 */
export const MAX = { orders: 6, lines: 7, reviews: 2, cases: 2, messages: 4 } as const;

/** The customer number of the n-th demo customer (1-based). */
export const customerNumber = (n: number) => `C${String(n).padStart(7, '0')}`;

/** The name of the n-th demo customer (the same for every seed). */
export function demoName(n: number): { first: string; last: string } {
  const h = mix32((n * 8) % M32);
  return { first: FIRST[h % 12]!, last: LAST[Math.floor(h / 12) % 10]! };
}

/** The e-mail address of the n-th demo customer (the same for every seed). */
export function customerEmail(n: number): string {
  const { first, last } = demoName(n);
  return `${first}.${last}.${n}@example.test`.toLowerCase();
}

// ---------------------------------------------------------------------------------------------------------
// SQL for both dialects

/**
 * What the seeder writes differently per dialect (demo only, so kept here rather than in the connectors'
 * dialect objects): operators, casts, date arithmetic, the row source, and how the load is shaped.
 */
type SeedSql = {
  /** The schema files' suffix: examples/nestit/systems/<system>.<file>.sql. */
  file: string;
  /** Session statements around building indexes and foreign keys after a bulk load. */
  indexSession: { before: string[]; after: string[] };
  xor(a: string, b: string): string;
  div(a: string, b: number): string;
  /** The hash's input widened to 64 bits. */
  wide(e: string): string;
  text(e: string): string;
  /** A date `days` after 2019-01-01. */
  date(days: string): string;
  /** A timestamp `minutes` after 2019-01-01 00:00. */
  ts(minutes: string): string;
  hex(e: string): string;
  agg(e: string, order: string, sep: string): string;
  /** Keeps a subquery's computed hashes from being inlined (and computed again). */
  fence: string;
  /** A derived table may refer to the outer row (LATERAL): order sums in one subquery. */
  lateral: boolean;
  /** Data-modifying WITH clauses: orders, invoices and analysis rows written from one pass. */
  writableCte: boolean;
  /** The customers given as a derived table `g` with column n. */
  source(
    c: SqlConnector,
    range: { first: number; last: number } | { ids: number[] },
    series?: 'sequence' | 'json',
  ): Promise<string>;
  /** `column` is one of the (checked) numbers. */
  inList(column: string, values: number[]): string;
  /** Move every date of a column by the parameter's days; undefined where `ombud start` never needs it. */
  shiftDays?: (column: string, param: string) => string;
};

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;

const SEED_SQL: Record<DialectName, SeedSql> = {
  postgres: {
    file: 'pg',
    indexSession: { before: ["SET LOCAL maintenance_work_mem = '256MB'"], after: [] },
    xor: (a, b) => `(${a} # ${b})`,
    div: (a, b) => `(${a} / ${b})`,
    wide: (e) => `(${e})::bigint`,
    text: (e) => `(${e})::text`,
    date: (days) => `(DATE '2019-01-01' + (${days})::int)`,
    ts: (minutes) => `(TIMESTAMP '2019-01-01 00:00:00' + make_interval(mins => (${minutes})::int))`,
    hex: (e) => `to_hex(${e})`,
    agg: (e, order, sep) => `string_agg(${e}, ${lit(sep)} ORDER BY ${order})`,
    fence: ' OFFSET 0',
    lateral: true,
    writableCte: true,
    source: async (_c, range) =>
      'ids' in range
        ? `unnest('{${range.ids.join(',')}}'::int[]) AS g(n)`
        : `generate_series(${range.first}::int, ${range.last}::int) AS g(n)`,
    inList: (column, values) => `${column} = ANY('{${values.join(',')}}'::int[])`,
    shiftDays: (column, param) => `${column} = ${column} + make_interval(days => ${param})`,
  },
  mysql: {
    file: 'mysql',
    // The generator keeps every reference intact by construction: MariaDB then adds the foreign keys in
    // place instead of copying the table to check them. The session setting is put back at once.
    indexSession: {
      before: ['SET SESSION foreign_key_checks = 0'],
      after: ['SET SESSION foreign_key_checks = 1'],
    },
    xor: (a, b) => `(${a} ^ ${b})`,
    div: (a, b) => `(${a} DIV ${b})`,
    wide: (e) => `(${e})`,
    text: (e) => `CAST(${e} AS CHAR)`,
    date: (days) => `(DATE '2019-01-01' + INTERVAL (${days}) DAY)`,
    ts: (minutes) => `(TIMESTAMP '2019-01-01 00:00:00' + INTERVAL (${minutes}) MINUTE)`,
    hex: (e) => `lower(hex(${e}))`,
    agg: (e, order, sep) => `GROUP_CONCAT(${e} ORDER BY ${order} SEPARATOR ${lit(sep)})`,
    fence: '',
    lateral: false,
    writableCte: false,
    async source(c, range, series) {
      if (!('ids' in range) && (series ?? ((await sequenceEngine(c)) ? 'sequence' : 'json')) === 'sequence')
        return `(SELECT seq AS n FROM seq_${range.first}_to_${range.last}) g`;
      // A list, or MySQL without the Sequence engine: a JSON array of the numbers (MySQL 8, MariaDB 10.6+).
      const ids =
        'ids' in range
          ? range.ids
          : Array.from({ length: range.last - range.first + 1 }, (_, i) => range.first + i);
      return `JSON_TABLE('[${ids.join(',')}]', '$[*]' COLUMNS (n INT PATH '$')) AS g`;
    },
    inList: (column, values) => `${column} IN (${values.join(',')})`,
  },
};

const seedSql = (c: SqlConnector): SeedSql => SEED_SQL[c.dialect.name];

class Gen {
  readonly d: SeedSql;
  constructor(
    readonly c: SqlConnector,
    readonly seed: number,
  ) {
    this.d = seedSql(c);
  }
  xor = (a: string, b: string) => this.d.xor(a, b);
  div = (a: string, b: number) => this.d.div(a, b);
  mod = (a: string, b: number) => `(${a} % ${b})`;
  /** digit-like field: (h / div) % mod */
  f = (h: string, div: number, mod: number) => this.mod(div === 1 ? h : this.div(h, div), mod);
  private round = (x: string) => `((${this.xor(`(${x} >> 16)`, x)} * ${MUL}) % ${M32})`;
  /** mix32 in SQL: the key expression is repeated (8 times), so give a column or a short expression. */
  hash(key: string, salt: number): string {
    const off = salt === 0 ? 0 : seedOffset(this.seed) + salt;
    const x = `((${this.d.wide(key)} * 8 + ${off}) % ${M32})`;
    const t2 = this.round(this.round(x));
    return this.xor(`(${t2} >> 16)`, t2);
  }
  lit = lit;
  pick = (idx: string, values: readonly string[]) =>
    `CASE ${idx} ${values.map((v, i) => `WHEN ${i} THEN ${this.lit(v)}`).join(' ')} END`;
  text = (e: string) => this.d.text(e);
  pad = (e: string, w: number) => {
    const t = this.text(e);
    return `lpad(${t}, greatest(${w}, length(${t})), '0')`;
  };
  concat = (...parts: string[]) => `concat(${parts.join(', ')})`;
  /** A date `days` after 2019-01-01. */
  date = (days: string) => this.d.date(days);
  /** A timestamp `minutes` after 2019-01-01 00:00. */
  ts = (minutes: string) => this.d.ts(minutes);
  hex = (e: string) => this.d.hex(e);
  agg = (e: string, order: string, sep: string) => this.d.agg(e, order, sep);
  /** Keep a subquery's computed hashes from being inlined (and computed again) in PostgreSQL. */
  fence = () => this.d.fence;
  /** 0 … n−1 as a derived table with column k. */
  small = (n: number) => `(${Array.from({ length: n }, (_, i) => `SELECT ${i} AS k`).join(' UNION ALL ')})`;

  /** Customers of the source, with their three hashes: c.n, c.hn (name), c.ha, c.hb. */
  customers(source: string): string {
    return `(SELECT g.n AS n, ${this.hash('g.n', 0)} AS hn, ${this.hash('g.n', 1)} AS ha, ${this.hash('g.n', 2)} AS hb FROM ${source}${this.fence()}) c`;
  }

  // Attributes of a customer row `c` (see the header for the mix).
  cust(c = 'c') {
    const ha = `${c}.ha`;
    const hb = `${c}.hb`;
    const hn = `${c}.hn`;
    const se = `(${this.f(ha, 1, 5)} < 4)`;
    const first = this.pick(this.f(hn, 1, 12), FIRST);
    const last = this.pick(this.f(hn, 12, 10), LAST);
    const created = this.f(ha, 21600, 1800);
    const phone = `CASE WHEN ${se} THEN ${this.concat("'+4670'", this.pad(`${c}.n`, 7))} ELSE ${this.concat("'+479'", this.pad(`${c}.n`, 7))} END`;
    return {
      n: `${c}.n`,
      se,
      first,
      last,
      name: this.concat(first, "' '", last),
      email: `lower(${this.concat(first, "'.'", last, "'.'", `${c}.n`, "'@example.test'")})`,
      number: this.concat("'C'", this.pad(`${c}.n`, 7)),
      phone,
      country: `CASE WHEN ${se} THEN 'SE' ELSE 'NO' END`,
      city: `CASE WHEN ${se} THEN ${this.pick(this.f(ha, 5, 4), CITIES_SE)} ELSE ${this.pick(this.f(ha, 5, 3), CITIES_NO)} END`,
      postal: `CASE WHEN ${se} THEN ${this.pick(this.f(ha, 5, 4), POSTAL_SE)} ELSE ${this.pick(this.f(ha, 5, 3), POSTAL_NO)} END`,
      street: this.concat(this.pick(this.f(ha, 60, 4), STREETS), "' '", `1 + ${this.f(ha, 240, 90)}`),
      created,
      account: `(${this.f(ha, 38880000, 10)} < 7)`,
      login: this.f(hb, 1, 300),
      orders: this.f(hb, 300, MAX.orders),
      reviews: `CASE WHEN ${this.f(hb, 1800, 10)} < 6 THEN 0 WHEN ${this.f(hb, 1800, 10)} < 8 THEN 1 ELSE 2 END`,
      newsletter: `(${this.f(hb, 18000, 2)} = 0)`,
      newsletterPhone: `(${this.f(hb, 36000, 10)} < 3)`,
      sms: `(${this.f(hb, 360000, 10)} < 3)`,
      cases: `CASE WHEN ${this.f(hb, 3600000, 10)} < 4 THEN 0 WHEN ${this.f(hb, 3600000, 10)} < 8 THEN 1 ELSE 2 END`,
    };
  }

  /** A customer's last activity (days): the latest of creation, login, orders, a review and cases. */
  lastActive(c = 'c'): string {
    const a = this.cust(c);
    const parts = [a.created, `CASE WHEN ${a.account} THEN ${a.created} + ${a.login} ELSE 0 END`];
    for (let o = 0; o < MAX.orders; o++) {
      const ho = this.hash(`(${c}.n - 1) * ${MAX.orders} + ${o + 1}`, 3);
      parts.push(`CASE WHEN ${o} < ${a.orders} THEN ${a.created} + ${this.f(ho, 1, 400)} ELSE 0 END`);
    }
    parts.push(`CASE WHEN ${a.reviews} > 0 THEN ${a.created} + 30 ELSE 0 END`);
    for (let k = 0; k < MAX.cases; k++) {
      const hk = this.hash(`(${c}.n - 1) * ${MAX.cases} + ${k + 1}`, 6);
      parts.push(`CASE WHEN ${k} < ${a.cases} THEN ${a.created} + ${this.f(hk, 8, 500)} + 3 ELSE 0 END`);
    }
    return `greatest(${parts.join(', ')})`;
  }

  /** Orders: os.oid, os.ho (hash), os.o and the customer's columns. */
  orders(source: string): string {
    const a = this.cust();
    const oid = `((c.n - 1) * ${MAX.orders} + k.k + 1)`;
    return `(SELECT c.*, ${oid} AS oid, ${this.hash(oid, 3)} AS ho FROM ${this.customers(source)} JOIN ${this.small(MAX.orders)} k ON k.k < ${a.orders}${this.fence()}) os`;
  }

  /** Order lines: ls.oid, ls.l, ls.lid, ls.hl. */
  lines(source: string): string {
    const lid = `((os.oid - 1) * ${MAX.lines} + l.k + 1)`;
    return `(SELECT os.oid AS oid, l.k AS l, ${lid} AS lid, ${this.hash(lid, 4)} AS hl FROM ${this.orders(source)} JOIN ${this.small(MAX.lines)} l ON l.k < ${this.lineCount('os.ho')}${this.fence()}) ls`;
  }

  lineCount = (ho: string) => `1 + ${this.f(ho, 400, MAX.lines)}`;

  line(hl = 'ls.hl') {
    return {
      sku: this.pick(this.f(hl, 1, 6), SKUS),
      product: this.pick(this.f(hl, 1, 6), PRODUCTS),
      qty: `(1 + ${this.f(hl, 6, 3)})`,
      price: `(9900 + ${this.f(hl, 18, 90000)})`,
    };
  }

  /**
   * Orders with their total and items ("2 x Lamp Ljus; 1 x Rug Mjuk") from their lines generated again in
   * a small correlated subquery (at most 7 rows each: no large join or aggregate): os.total, os.items,
   * os.qty (items bought).
   */
  ordersWithSums(source: string): string {
    const lid = `((os.oid - 1) * ${MAX.lines} + l.k + 1)`;
    const where = `l.k < ${this.lineCount('os.ho')}`;
    if (this.d.lateral) {
      const l = this.line('ls.hl');
      return `SELECT os.*, a.total, a.qty, a.items FROM ${this.orders(source)} CROSS JOIN LATERAL (
        SELECT SUM(${l.qty} * ${l.price}) AS total, SUM(${l.qty}) AS qty,
               ${this.agg(this.concat(l.qty, "' x '", l.product), 'ls.k', '; ')} AS items
          FROM (SELECT l.k AS k, ${this.hash(lid, 4)} AS hl FROM ${this.small(MAX.lines)} l WHERE ${where} OFFSET 0) ls) a`;
    }
    // MariaDB cannot reference the outer row from a derived table: the line's hash is repeated inline.
    const l = this.line(this.hash(lid, 4));
    const from = `${this.small(MAX.lines)} l WHERE ${where}`;
    return `SELECT os.*, (SELECT SUM(${l.qty} * ${l.price}) FROM ${from}) AS total,
        (SELECT SUM(${l.qty}) FROM ${from}) AS qty,
        (SELECT ${this.agg(this.concat(l.qty, "' x '", l.product), 'l.k', '; ')} FROM ${from}) AS items
      FROM ${this.orders(source)}`;
  }

  /** Cases: cs.cid, cs.hk and the customer's columns. */
  cases(source: string): string {
    const a = this.cust();
    const cid = `((c.n - 1) * ${MAX.cases} + k.k + 1)`;
    return `(SELECT c.*, ${cid} AS cid, ${this.hash(cid, 6)} AS hk FROM ${this.customers(source)} JOIN ${this.small(MAX.cases)} k ON k.k < ${a.cases}${this.fence()}) cs`;
  }

  /** INSERT … SELECT per table over the customers of `source` (a derived table with column n, alias g). */
  inserts(system: DemoSystem, source: string): { tables: string[]; sql: string }[] {
    const a = this.cust();
    const ins = (table: string, cols: string[], select: string) => ({
      tables: [table],
      sql: `INSERT INTO ${table} (${cols.join(', ')}) ${select}`,
    });
    if (system === 'customer-service') {
      const s = this.cust('cs');
      const opened = `(${s.created} + ${this.f('cs.hk', 8, 500)})`;
      return [
        ins(
          'cases',
          [
            'id',
            'case_number',
            'customer_number',
            'email',
            'phone',
            'contact_name',
            'subject',
            'sensitive_details',
            'opened_at',
            'closed_at',
          ],
          `SELECT cs.cid, ${this.concat("'K'", this.pad('cs.cid', 8))}, ${s.number}, ${s.email},
             CASE WHEN ${this.f('cs.hk', 1, 2)} = 0 THEN ${s.phone} END, ${s.name},
             ${this.pick(this.f('cs.hk', 2, 4), SUBJECTS)},
             CASE WHEN ${this.f('cs.hk', 400000, 5)} = 0 THEN ${this.pick(this.f('cs.hk', 2000000, 3), SENSITIVE)} END,
             ${this.ts(`${opened} * 1440 + 540`)},
             CASE WHEN ${this.f('cs.hk', 4000, 10)} < 8 THEN ${this.ts(`(${opened} + 3) * 1440 + 600`)} END
           FROM ${this.cases(source)}`,
        ),
        ins(
          'messages',
          ['id', 'case_id', 'sender', 'body', 'sent_at'],
          `SELECT (cs.cid - 1) * ${MAX.messages} + m.k + 1, cs.cid,
             CASE WHEN m.k % 2 = 0 THEN 'customer' ELSE 'agent' END,
             CASE WHEN m.k % 2 = 0 THEN ${this.concat("'Hi, this is '", s.first, "'. My phone is '", s.phone, "'.'")}
                  ELSE ${this.concat("'Hello '", s.first, "', we are on it.'")} END,
             ${this.ts(`${opened} * 1440 + 540 + m.k * 30`)}
           FROM ${this.cases(source)} JOIN ${this.small(MAX.messages)} m ON m.k < 1 + ${this.f('cs.hk', 40000, MAX.messages)}`,
        ),
      ];
    }
    const o = this.cust('os');
    const day = `(${o.created} + ${this.f('os.ho', 1, 400)})`;
    const l = this.line();
    const words = this.pick(this.f('r.hr', 30, 4), OPINIONS);
    const orderCols = [
      'id',
      'customer_id',
      'order_number',
      'placed_at',
      'delivery_name',
      'delivery_street',
      'delivery_postal_code',
      'delivery_city',
      'total_cents',
    ];
    const orderRow = `SELECT os.oid, os.n, ${this.concat("'O'", this.pad('os.oid', 8))}, ${this.ts(`${day} * 1440 + 720`)},
           ${o.name}, ${o.street}, ${o.postal}, ${o.city}, os.total`;
    const invoiceCols = [
      'id',
      'invoice_number',
      'seller_org',
      'customer_number',
      'order_number',
      'billing_name',
      'billing_email',
      'billing_street',
      'billing_postal_code',
      'billing_city',
      'invoice_date',
      'items',
      'amount_cents',
      'restricted',
      'erase_on',
    ];
    const invoiceRow = `SELECT os.oid, ${this.concat("'F'", this.pad('os.oid', 8))},
           CASE WHEN ${o.se} THEN 'nestit-sverige' ELSE 'provendo' END, ${o.number},
           ${this.concat("'O'", this.pad('os.oid', 8))}, ${o.name}, ${o.email}, ${o.street}, ${o.postal}, ${o.city},
           ${this.date(day)}, os.items, os.total, FALSE, NULL`;
    // The analysis row of an order: the first line's product, the items bought, the total.
    const firstSku = this.pick(this.f(this.hash(`(os.oid - 1) * ${MAX.lines} + 1`, 4), 1, 6), SKUS);
    const analyticsCols = [
      'id',
      'customer_number',
      'country',
      'product_sku',
      'items',
      'total_cents',
      'collected_at',
    ];
    const analyticsRow = `SELECT os.oid, ${o.number}, ${o.country}, ${firstSku}, os.qty, os.total,
           ${this.ts(`(${day} + 1) * 1440 + 60`)}`;
    // One invoice and one analysis row per order. PostgreSQL writes the three tables from one pass over the
    // orders (data-modifying WITH clauses).
    const ordersAndInvoices = this.d.writableCte
      ? [
          {
            tables: ['orders', 'invoices', 'order_analytics'],
            sql: `WITH os AS MATERIALIZED (${this.ordersWithSums(source)}),
                o AS (INSERT INTO orders (${orderCols.join(', ')}) ${orderRow} FROM os),
                an AS (INSERT INTO order_analytics (${analyticsCols.join(', ')}) ${analyticsRow} FROM os)
              INSERT INTO invoices (${invoiceCols.join(', ')}) ${invoiceRow} FROM os`,
          },
        ]
      : [
          ins('orders', orderCols, `${orderRow} FROM (${this.ordersWithSums(source)}) os`),
          ins('invoices', invoiceCols, `${invoiceRow} FROM (${this.ordersWithSums(source)}) os`),
          ins('order_analytics', analyticsCols, `${analyticsRow} FROM (${this.ordersWithSums(source)}) os`),
        ];
    // The post-purchase survey: answered for 40% of orders, a comment with 60% of answers.
    const comment = `CASE WHEN ${this.f('os.ho', 140000, 10)} < 6 THEN ${this.concat(
      o.name,
      "': '",
      `CASE WHEN ${this.f('os.ho', 1400000, 2)} = 0 THEN 'quick delivery' ELSE ${this.concat("'call me on '", o.phone)} END`,
    )} END`;
    const surveys = ins(
      'survey_answers',
      ['id', 'customer_number', 'email', 'order_number', 'survey', 'score', 'comment', 'answered_at'],
      `SELECT os.oid, ${o.number}, ${o.email}, ${this.concat("'O'", this.pad('os.oid', 8))}, 'post-purchase',
         1 + ${this.f('os.ho', 28000, 5)}, ${comment},
         ${this.ts(`(${day} + 5 + ${this.f('os.ho', 2800000, 10)}) * 1440 + 900`)}
       FROM ${this.orders(source)} WHERE ${this.f('os.ho', 2800, 10)} < 4`,
    );
    // The identified extract an analysis row is made from: kept for 10% of orders (the latest batch).
    const extracts = ins(
      'analysis_extracts',
      ['id', 'customer_number', 'email', 'order_number', 'product_sku', 'extracted_at'],
      `SELECT os.oid, ${o.number}, ${o.email}, ${this.concat("'O'", this.pad('os.oid', 8))}, ${firstSku},
         ${this.ts(`(${day} + 1) * 1440 + 30`)}
       FROM ${this.orders(source)} WHERE ${this.f('os.ho', 28000000, 10)} = 0`,
    );
    return [
      ins(
        'customers',
        [
          'id',
          'customer_number',
          'email',
          'phone',
          'first_name',
          'last_name',
          'street',
          'postal_code',
          'city',
          'country',
          'created_at',
          'last_activity_at',
        ],
        `SELECT c.n, ${a.number}, ${a.email}, ${a.phone}, ${a.first}, ${a.last}, ${a.street}, ${a.postal}, ${a.city},
           ${a.country}, ${this.ts(`${a.created} * 1440 + c.n % 1440`)}, ${this.ts(`${this.lastActive()} * 1440 + 720`)}
         FROM ${this.customers(source)}`,
      ),
      ins(
        'accounts',
        ['id', 'customer_id', 'username', 'password_hash', 'last_login_at'],
        `SELECT c.n, c.n, ${a.email}, ${this.concat("'$argon2id$v=19$demo$'", this.hex('c.n'))},
           ${this.ts(`(${a.created} + ${a.login}) * 1440 + 600`)}
         FROM ${this.customers(source)} WHERE ${a.account}`,
      ),
      ...ordersAndInvoices,
      surveys,
      extracts,
      ins(
        'order_lines',
        ['id', 'order_id', 'product_sku', 'product_name', 'quantity', 'unit_price_cents'],
        `SELECT ls.lid, ls.oid, ${l.sku}, ${l.product}, ${l.qty}, ${l.price} FROM ${this.lines(source)}`,
      ),
      ins(
        'reviews',
        ['id', 'customer_id', 'product_sku', 'rating', 'body', 'published_at'],
        `SELECT r.rid, r.n, ${this.pick(this.f('r.hr', 1, 6), SKUS)}, 1 + ${this.f('r.hr', 6, 5)},
           ${this.concat(this.cust('r').first, "' thinks it is '", words, "'.'")},
           ${this.ts(`(${this.cust('r').created} + 30) * 1440 + 100`)}
         FROM (SELECT c.*, (c.n - 1) * ${MAX.reviews} + k.k + 1 AS rid,
                 ${this.hash(`(c.n - 1) * ${MAX.reviews} + k.k + 1`, 5)} AS hr
               FROM ${this.customers(source)} JOIN ${this.small(MAX.reviews)} k ON k.k < ${a.reviews}${this.fence()}) r`,
      ),
      ins(
        'newsletter_signups',
        ['id', 'email', 'phone', 'channels', 'signed_up_at'],
        `SELECT c.n, ${a.email}, CASE WHEN ${a.newsletterPhone} THEN ${a.phone} END,
           CASE WHEN ${a.sms} THEN 'email,sms' ELSE 'email' END, ${this.ts(`${a.created} * 1440 + 200`)}
         FROM ${this.customers(source)} WHERE ${a.newsletter}`,
      ),
    ];
  }
}

// ---------------------------------------------------------------------------------------------------------
// Seeding

export type SeedCounts = Record<string, number>;

const hasSequenceEngine = new WeakMap<SqlConnector, Promise<boolean>>();
function sequenceEngine(c: SqlConnector): Promise<boolean> {
  let p = hasSequenceEngine.get(c);
  if (!p) {
    p = c
      .query('SELECT seq FROM seq_1_to_1')
      .then(() => true)
      .catch(() => false);
    hasSequenceEngine.set(c, p);
  }
  return p;
}

const checkIds = (ids: number[]) => {
  for (const n of ids)
    if (!Number.isSafeInteger(n) || n < 1) throw new Error(`demo customer numbers are whole numbers ≥ 1`);
};

/** The customers first..last (or the listed ones) as a derived table `g` with column n. */
async function source(
  c: SqlConnector,
  range: { first: number; last: number } | { ids: number[] },
  series?: 'sequence' | 'json',
): Promise<string> {
  if ('ids' in range) checkIds(range.ids);
  return seedSql(c).source(c, range, series);
}

async function insertFor(
  c: SqlConnector,
  system: DemoSystem,
  seed: number,
  src: string,
  counts: SeedCounts,
): Promise<void> {
  const gen = new Gen(c, seed);
  for (const { tables, sql } of gen.inserts(system, src)) {
    const n = await c.execute(sql);
    for (const t of tables) counts[t] = (counts[t] ?? 0) + n;
  }
}

/**
 * Fill the (empty) tables of both systems with customers 1..N, `batch` customers per statement. Either
 * connector may be omitted to seed only the other system; both are filled at the same time.
 */
export async function seedDemoSystems(opts: {
  customers: number;
  seed?: number;
  webshop?: SqlConnector;
  customerService?: SqlConnector;
  batch?: number;
  /** MariaDB/MySQL only: how to count 1..N (default: the Sequence engine when the server has it). */
  series?: 'sequence' | 'json';
  /** Batches run at the same time per system (default 1; the rows do not depend on it). */
  concurrency?: number;
  onProgress?: (system: DemoSystem, done: number) => void;
}): Promise<SeedCounts> {
  if (!Number.isSafeInteger(opts.customers) || opts.customers < 0)
    throw new Error('the number of demo customers is a whole number');
  const seed = opts.seed ?? 42;
  const batch = Math.max(1, opts.batch ?? 50_000);
  const run = async (c: SqlConnector, system: DemoSystem) => {
    const counts: SeedCounts = {};
    for (const t of system === 'webshop' ? WEBSHOP_TABLES : SERVICE_TABLES) counts[t] = 0;
    let next = 1;
    let done = 0;
    const worker = async () => {
      while (next <= opts.customers) {
        const first = next;
        const last = Math.min(opts.customers, first + batch - 1);
        next = last + 1;
        await insertFor(c, system, seed, await source(c, { first, last }, opts.series), counts);
        done += last - first + 1;
        opts.onProgress?.(system, done);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 1) }, worker));
    return counts;
  };
  const [w, s] = await Promise.all([
    opts.webshop ? run(opts.webshop, 'webshop') : {},
    opts.customerService ? run(opts.customerService, 'customer-service') : {},
  ]);
  return { ...w, ...s };
}

/** Every key the listed customers can own, per table (see MAX). */
export function ownedKeys(ids: number[]): { orders: number[]; cases: number[]; reviews: number[] } {
  const range = (n: number, per: number) => Array.from({ length: per }, (_, i) => (n - 1) * per + i + 1);
  const orders = ids.flatMap((n) => range(n, MAX.orders));
  const cases = ids.flatMap((n) => range(n, MAX.cases));
  return { orders, cases, reviews: ids.flatMap((n) => range(n, MAX.reviews)) };
}

/**
 * Put the listed customers' rows back exactly as seeded: delete whatever is left of them (by the keys they
 * own) and generate them again. For benchmarks that erase customers and must start from the same state.
 */
export async function restoreDemoCustomers(opts: {
  customers: number[];
  seed?: number;
  webshop?: SqlConnector;
  customerService?: SqlConnector;
}): Promise<SeedCounts> {
  const ids = [...new Set(opts.customers)].sort((a, b) => a - b);
  checkIds(ids);
  if (!ids.length) return {};
  const seed = opts.seed ?? 42;
  const keys = ownedKeys(ids);
  const inList = (c: SqlConnector, column: string, values: number[]) => seedSql(c).inList(column, values);
  const run = async (c: SqlConnector, system: DemoSystem) => {
    const counts: SeedCounts = {};
    await c.transaction(async (tx) => {
      const deletes =
        system === 'webshop'
          ? [
              ['order_lines', inList(tx, 'order_id', keys.orders)],
              ['orders', inList(tx, 'id', keys.orders)],
              ['invoices', inList(tx, 'id', keys.orders)],
              ['order_analytics', inList(tx, 'id', keys.orders)],
              ['survey_answers', inList(tx, 'id', keys.orders)],
              ['analysis_extracts', inList(tx, 'id', keys.orders)],
              ['reviews', inList(tx, 'id', keys.reviews)],
              ['accounts', inList(tx, 'id', ids)],
              ['newsletter_signups', inList(tx, 'id', ids)],
              ['customers', inList(tx, 'id', ids)],
            ]
          : [
              ['messages', inList(tx, 'case_id', keys.cases)],
              ['cases', inList(tx, 'id', keys.cases)],
            ];
      for (const [table, where] of deletes) await tx.execute(`DELETE FROM ${table} WHERE ${where}`);
      await insertFor(tx, system, seed, await source(tx, { ids }), counts);
    });
    return counts;
  };
  const [w, s] = await Promise.all([
    opts.webshop ? run(opts.webshop, 'webshop') : {},
    opts.customerService ? run(opts.customerService, 'customer-service') : {},
  ]);
  return { ...w, ...s };
}

/**
 * Move every date and timestamp of a demo system (PostgreSQL) by `days`, keeping the data's shape: `ombud
 * start` brings the demo to the present, so retention has current customers and due work alike.
 */
export async function shiftDemoDates(c: SqlConnector, days: number): Promise<void> {
  const shift = seedSql(c).shiftDays;
  if (!shift || days === 0) return;
  const schema = await c.describe();
  for (const table of schema.tables) {
    if (table.startsWith('ombud_')) continue;
    const cols = schema.columns.filter((x) => x.table === table && /^(date|timestamp)/.test(x.dataType));
    if (!cols.length) continue;
    const sets = cols.map((x) => shift(c.quote(x.column), c.param(1)));
    await c.execute(`UPDATE ${c.quote(table)} SET ${sets.join(', ')}`, [days]);
  }
}
