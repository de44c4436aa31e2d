import { afterEach, describe, expect, test } from 'vitest';
import {
  createDemoIndexes,
  createDemoSchema,
  customerEmail,
  customerNumber,
  restoreDemoCustomers,
  SERVICE_TABLES,
  seedDemoSystems,
  WEBSHOP_TABLES,
} from '../../src/demo/systems/seed.ts';
import type { SqlConnector } from '../../src/services/fulfilment/connectors/types.ts';
import { freshSystemDb, type SystemDb } from '../support/systems.ts';

const opened: SystemDb[] = [];
afterEach(async () => {
  for (const d of opened.splice(0)) await d.drop();
});

async function counts(d: SystemDb, tables: string[]) {
  const out: Record<string, number> = {};
  for (const t of tables) {
    const [row] = await d.connector.query<{ n: number | string }>(`SELECT COUNT(*) AS n FROM ${t}`);
    out[t] = Number(row!.n);
  }
  return out;
}

describe('demo systems seeder on the real servers', () => {
  test.each(['postgres', 'mysql'] as const)('seeds both systems deterministically on %s', async (kind) => {
    const a = await freshSystemDb(kind);
    const b = await freshSystemDb(kind);
    opened.push(a, b);
    for (const d of [a, b]) {
      await createDemoSchema(d.connector, 'webshop');
      await createDemoSchema(d.connector, 'customer-service');
    }
    const first = await seedDemoSystems({
      customers: 120,
      webshop: a.connector,
      customerService: a.connector,
      batch: 50,
    });
    await seedDemoSystems({
      customers: 120,
      webshop: b.connector,
      customerService: b.connector,
      batch: 7,
      concurrency: 3,
    });
    const tables = Object.keys(first);
    const ca = await counts(a, tables);
    expect(ca).toEqual(first);
    expect(await counts(b, tables)).toEqual(ca);
    expect(ca.customers).toBe(120);
    expect(ca.order_lines).toBeGreaterThan(ca.orders!);
    expect(ca.messages).toBeGreaterThan(0);
    // The same rows, not only the same counts.
    const q = 'SELECT email, city, country FROM customers ORDER BY id';
    expect(await b.connector.query(q)).toEqual(await a.connector.query(q));
    const [c7] = await a.connector.query<{ email: string }>('SELECT email FROM customers WHERE id = 7');
    expect(c7!.email).toBe(customerEmail(7));
  });

  test('PostgreSQL and MariaDB hold identical data for the same seed', async () => {
    const p = await freshSystemDb('postgres');
    const m = await freshSystemDb('mysql');
    opened.push(p, m);
    await createDemoSchema(p.connector, 'webshop');
    await createDemoSchema(m.connector, 'customer-service');
    await seedDemoSystems({ customers: 40, webshop: p.connector, customerService: m.connector });
    const pm = await freshSystemDb('mysql');
    opened.push(pm);
    await createDemoSchema(pm.connector, 'webshop');
    await seedDemoSystems({ customers: 40, webshop: pm.connector });
    const q =
      'SELECT id, invoice_number, billing_email, invoice_date, amount_cents FROM invoices ORDER BY id';
    expect(await pm.connector.query(q)).toEqual(await p.connector.query(q));
  });
});

/** Every row of every table, ordered by key, booleans as booleans (MariaDB answers 0/1). */
async function dump(c: SqlConnector, tables: readonly string[]) {
  const out: Record<string, unknown[]> = {};
  for (const t of tables)
    out[t] = (await c.query<Record<string, unknown>>(`SELECT * FROM ${t} ORDER BY id`)).map((r) =>
      'restricted' in r ? { ...r, restricted: Boolean(r.restricted) } : r,
    );
  return out;
}

describe('demo systems seeder: the mix, the batches and restoring customers', () => {
  test('about 10 order lines and 2 service messages per customer; totals, invoices and lines agree', async () => {
    const w = await freshSystemDb('postgres');
    const s = await freshSystemDb('mysql');
    opened.push(w, s);
    await createDemoSchema(w.connector, 'webshop', { indexes: false });
    await createDemoSchema(s.connector, 'customer-service', { indexes: false });
    const n = await seedDemoSystems({ customers: 3000, webshop: w.connector, customerService: s.connector });
    await createDemoIndexes(w.connector, 'webshop');
    await createDemoIndexes(s.connector, 'customer-service');
    expect(n.order_lines! / 3000).toBeGreaterThan(9.5);
    expect(n.order_lines! / 3000).toBeLessThan(10.5);
    expect(n.messages! / 3000).toBeGreaterThan(1.8);
    expect(n.messages! / 3000).toBeLessThan(2.2);
    expect(n.invoices).toBe(n.orders);
    const bad = await w.connector.query(
      `SELECT o.id FROM orders o JOIN invoices i ON i.id = o.id
         JOIN (SELECT order_id, SUM(quantity * unit_price_cents) AS s, COUNT(*) AS k FROM order_lines GROUP BY order_id) l
           ON l.order_id = o.id
        WHERE o.total_cents <> l.s OR i.amount_cents <> l.s OR i.order_number <> o.order_number
           OR array_length(string_to_array(i.items, '; '), 1) <> l.k`,
    );
    expect(bad).toEqual([]);
    // An analysis row per order (first product, items, total), a survey answer for some; the customer's last
    // activity is at or after every order, login and review of theirs.
    expect(n.order_analytics).toBe(n.orders);
    expect(n.survey_answers! / n.orders!).toBeGreaterThan(0.3);
    expect(n.survey_answers! / n.orders!).toBeLessThan(0.5);
    expect(
      await w.connector.query(
        `SELECT a.id FROM order_analytics a JOIN orders o ON o.id = a.id
           JOIN (SELECT order_id, SUM(quantity) AS q, MIN(id) AS first FROM order_lines GROUP BY order_id) l
             ON l.order_id = a.id JOIN order_lines f ON f.id = l.first
          WHERE a.items <> l.q OR a.total_cents <> o.total_cents OR a.product_sku <> f.product_sku`,
      ),
    ).toEqual([]);
    expect(
      await w.connector.query(
        `SELECT c.id FROM customers c
          WHERE c.last_activity_at IS NULL OR c.last_activity_at::date < c.created_at::date
             OR EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id AND o.placed_at::date > c.last_activity_at::date)
             OR EXISTS (SELECT 1 FROM accounts a WHERE a.customer_id = c.id AND a.last_login_at::date > c.last_activity_at::date)`,
      ),
    ).toEqual([]);
    // Every order has lines, every case messages (the foreign keys were built after the load).
    expect(
      await w.connector.query('SELECT id FROM orders WHERE id NOT IN (SELECT order_id FROM order_lines)'),
    ).toEqual([]);
    expect(
      await s.connector.query('SELECT id FROM cases WHERE id NOT IN (SELECT case_id FROM messages)'),
    ).toEqual([]);
    const fks = (await w.connector.describe()).foreignKeys.map((f) => `${f.table}.${f.column}`).sort();
    expect(fks).toEqual([
      'accounts.customer_id',
      'order_lines.order_id',
      'orders.customer_id',
      'reviews.customer_id',
    ]);
    expect((await s.connector.describe()).foreignKeys.map((f) => `${f.table}.${f.column}`)).toEqual([
      'messages.case_id',
    ]);
  });

  test('MariaDB without the Sequence engine (JSON_TABLE) gives the same rows', async () => {
    const a = await freshSystemDb('mysql');
    const b = await freshSystemDb('mysql');
    opened.push(a, b);
    for (const d of [a, b]) {
      await createDemoSchema(d.connector, 'webshop');
      await createDemoSchema(d.connector, 'customer-service');
    }
    await seedDemoSystems({ customers: 60, webshop: a.connector, customerService: a.connector });
    await seedDemoSystems({
      customers: 60,
      webshop: b.connector,
      customerService: b.connector,
      series: 'json',
      batch: 25,
    });
    const tables = [...WEBSHOP_TABLES, ...SERVICE_TABLES];
    expect(await dump(b.connector, tables)).toEqual(await dump(a.connector, tables));
  });

  test.each(['postgres', 'mysql'] as const)(
    'restoring erased customers gives back exactly the seeded rows on %s',
    async (kind) => {
      const a = await freshSystemDb(kind);
      const b = await freshSystemDb(kind);
      opened.push(a, b);
      for (const d of [a, b]) {
        await createDemoSchema(d.connector, 'webshop');
        await createDemoSchema(d.connector, 'customer-service');
        await seedDemoSystems({ customers: 90, seed: 7, webshop: d.connector, customerService: d.connector });
      }
      const c = a.connector;
      const gone = [3, 17, 18, 90];
      const p = (i: number) => c.param(i);
      // What an erasure leaves behind: rows deleted, the invoices kept and restricted.
      for (const n of gone) {
        const cn = customerNumber(n);
        await c.execute(
          `DELETE FROM messages WHERE case_id IN (SELECT id FROM cases WHERE customer_number = ${p(1)})`,
          [cn],
        );
        await c.execute(`DELETE FROM cases WHERE customer_number = ${p(1)}`, [cn]);
        await c.execute(
          `DELETE FROM order_lines WHERE order_id IN (SELECT id FROM orders WHERE customer_id = ${p(1)})`,
          [n],
        );
        for (const t of ['orders', 'accounts', 'reviews'])
          await c.execute(`DELETE FROM ${t} WHERE customer_id = ${p(1)}`, [n]);
        await c.execute(`DELETE FROM newsletter_signups WHERE email = ${p(1)}`, [customerEmail(n)]);
        await c.execute(
          `UPDATE invoices SET restricted = TRUE, erase_on = '2031-01-01' WHERE customer_number = ${p(1)}`,
          [cn],
        );
        await c.execute(`DELETE FROM customers WHERE id = ${p(1)}`, [n]);
      }
      const tables = [...WEBSHOP_TABLES, ...SERVICE_TABLES];
      expect(await dump(c, tables)).not.toEqual(await dump(b.connector, tables));
      await restoreDemoCustomers({ customers: gone, seed: 7, webshop: c, customerService: c });
      expect(await dump(c, tables)).toEqual(await dump(b.connector, tables));
    },
  );
});

describe('ombud demo seed', () => {
  test('creates and seeds both systems from the command line', async () => {
    const { main } = await import('../../src/cli/main.ts');
    const w = await freshSystemDb('postgres');
    const c = await freshSystemDb('mysql');
    opened.push(w, c);
    const out: string[] = [];
    const io = {
      out: (t: string) => out.push(t),
      err: (t: string) => out.push(t),
      progress: () => {},
      readStdin: async () => '',
    };
    const code = await main(
      ['demo', 'seed', '--customers', '25', '--create', '--webshop', w.url, '--customer-service', c.url],
      io,
    );
    expect(code).toBe(0);
    expect(out.join('\n')).toContain('customers: 25');
    expect(await counts(w, ['customers'])).toEqual({ customers: 25 });
    expect((await counts(c, ['cases'])).cases).toBeGreaterThan(0);
    expect(await main(['demo', 'seed', '--customers', 'many'], io)).toBe(2);
  });
});
