/**
 * Issue #13 defect 8: the demo's own databases on a PostgreSQL server belong to one installation. Two
 * installations (two Ombud databases) on one server get databases of their own, named after their Ombud
 * database, the same at every start; one's erasures do not touch the other's customers.
 */
import pg from 'pg';
import { afterAll, describe, expect, test } from 'vitest';
import { demoDatabaseName, openDemoSystems } from '../../src/demo/systems/embedded.ts';
import { pgAdmin, serverDatabase } from '../support/db.ts';

const dbName = (url: string) => new URL(url).pathname.slice(1);
const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

async function databasesLike(pattern: string): Promise<string[]> {
  const c = new pg.Client({
    connectionString: process.env.OMBUD_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  });
  await c.connect();
  try {
    const r = await c.query<{ datname: string }>(
      'SELECT datname FROM pg_database WHERE datname LIKE $1 ORDER BY datname',
      [pattern],
    );
    return r.rows.map((x) => x.datname);
  } finally {
    await c.end();
  }
}

describe('demo databases per installation (#13 defect 8)', () => {
  test('two installations on one server each create and seed their own demo databases, named after their Ombud database and kept across restarts; an erasure in one leaves the other', async () => {
    const a = await serverDatabase('i13demo_a');
    const b = await serverDatabase('i13demo_b');
    const [na, nb] = [dbName(a.url), dbName(b.url)];
    for (const n of [na, nb])
      cleanup.push(async () => {
        await pgAdmin(`DROP DATABASE IF EXISTS ${n}_demo_webshop WITH (FORCE)`);
        await pgAdmin(`DROP DATABASE IF EXISTS ${n}_demo_customer_service WITH (FORCE)`);
      });
    cleanup.push(a.drop, b.drop);

    const first = await openDemoSystems({ databaseUrl: a.url, customers: 3 });
    const second = await openDemoSystems({ databaseUrl: b.url, customers: 3 });
    try {
      expect(first.seeded).toBe(true);
      expect(second.seeded).toBe(true);
      expect(first.databases).toEqual({
        webshop: `${na}_demo_webshop`,
        'customer-service': `${na}_demo_customer_service`,
      });
      expect(second.databases).toEqual({
        webshop: `${nb}_demo_webshop`,
        'customer-service': `${nb}_demo_customer_service`,
      });
      expect(await databasesLike(`${na}_demo_%`)).toEqual([
        `${na}_demo_customer_service`,
        `${na}_demo_webshop`,
      ]);

      // An erasure in the first installation's web shop leaves the second's customers as they were.
      const shopA = first.connectors.get('nestit_webshop')!;
      const shopB = second.connectors.get('nestit_webshop')!;
      const count = async (c: typeof shopA) =>
        Number((await c.query<{ n: string }>('SELECT count(*) AS n FROM newsletter_signups'))[0]!.n);
      const before = await count(shopB);
      expect(before).toBeGreaterThan(0);
      await shopA.query('DELETE FROM newsletter_signups');
      expect(await count(shopA)).toBe(0);
      expect(await count(shopB)).toBe(before);
    } finally {
      await first.close();
      await second.close();
    }

    // A restart of the first installation opens the same databases (not seeded again).
    const again = await openDemoSystems({ databaseUrl: a.url, customers: 3 });
    try {
      expect(again.seeded).toBe(false);
      expect(again.databases.webshop).toBe(`${na}_demo_webshop`);
    } finally {
      await again.close();
    }
  }, 120_000);

  test('the names: an installation whose Ombud database is `ombud` keeps the names of earlier versions; a name that is not plain or too long is made plain, cut to 63 bytes and told apart by a hash', () => {
    expect(demoDatabaseName('ombud', 'webshop')).toBe('ombud_demo_webshop');
    expect(demoDatabaseName('ombud', 'customer-service')).toBe('ombud_demo_customer_service');
    expect(demoDatabaseName('shop_2', 'webshop')).toBe('shop_2_demo_webshop');
    const dashed = demoDatabaseName('Ombud-Prod', 'webshop');
    expect(dashed).toMatch(/^ombud_prod_[0-9a-f]{8}_demo_webshop$/);
    expect(dashed).not.toBe(demoDatabaseName('ombud_prod', 'webshop'));
    const long = 'x'.repeat(60);
    const cut = demoDatabaseName(long, 'customer-service');
    expect(cut.length).toBeLessThanOrEqual(63);
    expect(cut).toMatch(/^x+_[0-9a-f]{8}_demo_customer_service$/);
    expect(cut).not.toBe(demoDatabaseName(`${long}y`, 'customer-service'));
  });
});
