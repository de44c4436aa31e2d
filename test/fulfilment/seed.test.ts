import { afterEach, describe, expect, test } from 'vitest';
import { createDemoSchema, customerEmail, seedDemoSystems } from '../../src/demo/systems/seed.ts';
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
    await seedDemoSystems({ customers: 120, webshop: b.connector, customerService: b.connector, batch: 7 });
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
