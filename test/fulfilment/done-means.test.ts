/**
 * Issue 6 "done means", on the real servers (web shop on PostgreSQL, customer service on MariaDB): an
 * erasure leaves no trace of the customer except the invoices, which are restricted and carry their
 * deletion date; an access request yields the extract and the ZIP.
 */
import { strFromU8, unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { norwegianBookkeepingEnd } from '../../src/core/retention/retention.ts';
import { SYSTEM_ACTOR } from '../../src/services/audit/auditLog.ts';
import {
  type FulfilmentDeps,
  getArtifact,
  runFulfilment,
} from '../../src/services/fulfilment/runFulfilment.ts';
import type { Db } from '../../src/storage/db.ts';
import { freshDb } from '../support/db.ts';
import {
  expectInvoicesKept,
  nestitSystems,
  type NestitSystems,
  richCustomer,
  traces,
} from '../support/nestit-systems.ts';

let s: NestitSystems;
let db: Db;
let deps: FulfilmentDeps;
const NOW = new Date('2026-11-25T10:00:00Z');

beforeAll(async () => {
  s = await nestitSystems({ customers: 80 });
  db = await freshDb('pglite');
  deps = {
    db,
    actor: SYSTEM_ACTOR,
    index: s.index,
    datasets: s.datasets,
    connectors: s.connectors,
    secret: 'test-secret',
    now: () => NOW,
  };
});
afterAll(async () => {
  await db?.close();
  await s?.close();
});

const count = async (sys: NestitSystems['webshop'], sql: string, params: unknown[] = []) =>
  Number(((await sys.connector.query(sql, params))[0] as { n: unknown }).n);

describe('P28 P14 P20 erasure across the web shop (PostgreSQL) and customer service (MariaDB)', () => {
  test('P28 P14 P20 an erased customer leaves no trace except the invoices, restricted with their deletion date', async () => {
    const who = await richCustomer(s);
    const invoices = await s.webshop.connector.query<{ id: number; invoice_date: string }>(
      'SELECT id, invoice_date FROM invoices WHERE customer_number = $1 ORDER BY id',
      [who.customerNumber],
    );
    const othersBefore = await count(s.webshop, 'SELECT COUNT(*) AS n FROM order_lines');
    const mine = await count(
      s.webshop,
      'SELECT COUNT(*) AS n FROM order_lines l JOIN orders o ON o.id = l.order_id WHERE o.customer_id = $1',
      [who.id],
    );
    const casesBefore = await count(s.service, 'SELECT COUNT(*) AS n FROM cases');
    const myCases = await count(s.service, 'SELECT COUNT(*) AS n FROM cases WHERE customer_number = ?', [
      who.customerNumber,
    ]);

    const res = await runFulfilment(deps, {
      requestId: 'req-erase-1',
      orgId: 'nestit-sverige',
      type: 'erasure',
      identities: { email: who.email, customerNumber: who.customerNumber, phone: who.phone },
    });
    expect(res.status).toBe('done');
    // Customer service (which the web shop references into) is changed first, then the web shop.
    expect(res.steps.map((x) => x.step)).toEqual(['erase:nestit_customer_service', 'erase:nestit_webshop']);

    // No trace in either database, except the invoices.
    for (const needle of [who.email, who.customerNumber, who.phone]) {
      expect(await traces(s.webshop, needle)).toEqual(
        needle === who.phone
          ? []
          : needle === who.email
            ? ['invoices.billing_email']
            : ['invoices.customer_number'],
      );
      expect(await traces(s.service, needle)).toEqual([]);
    }
    expect(await count(s.webshop, 'SELECT COUNT(*) AS n FROM customers WHERE id = $1', [who.id])).toBe(0);
    expect(await count(s.webshop, 'SELECT COUNT(*) AS n FROM reviews WHERE customer_id = $1', [who.id])).toBe(
      0,
    );
    expect(await count(s.webshop, 'SELECT COUNT(*) AS n FROM order_lines')).toBe(othersBefore - mine);
    expect(await count(s.service, 'SELECT COUNT(*) AS n FROM cases')).toBe(casesBefore - myCases);

    // The invoices are kept, restricted, and carry the first day they may be erased (Bokföringslagen).
    await expectInvoicesKept(s.webshop, who.customerNumber, invoices);

    // The result per system and collection: erased and kept counts with the rule.
    const inv = res.outcomes.find((o) => o.collection === 'invoices')!;
    expect(inv).toMatchObject({ system: 'webshop', erased: 0, kept: invoices.length });
    expect(inv.keptUnder.every((k) => k.rule === 'bookkeeping-se')).toBe(true);
    expect(res.outcomes.find((o) => o.collection === 'customers')).toMatchObject({ erased: 1, kept: 0 });
    expect(res.outcomes.find((o) => o.collection === 'cases')).toMatchObject({ erased: myCases, kept: 0 });

    // Ombud's own records hold counts only: no personal data.
    const stored = JSON.stringify(await db.query('SELECT * FROM fulfilment_steps'));
    const audit = JSON.stringify(await db.query('SELECT * FROM audit_log'));
    for (const needle of [who.email, who.customerNumber, who.phone]) {
      expect(stored).not.toContain(needle);
      expect(audit).not.toContain(needle);
    }

    // Running the same request again is a no-op; a new erasure request finds only the kept invoices.
    expect(
      (
        await runFulfilment(deps, {
          requestId: 'req-erase-1',
          orgId: 'nestit-sverige',
          type: 'erasure',
          identities: { email: who.email },
        })
      ).status,
    ).toBe('done');
    const again = await runFulfilment(deps, {
      requestId: 'req-erase-2',
      orgId: 'nestit-sverige',
      type: 'erasure',
      identities: { customerNumber: who.customerNumber },
    });
    expect(again.outcomes.reduce((n, o) => n + o.erased, 0)).toBe(0);
    expect(again.outcomes.find((o) => o.collection === 'invoices')!.kept).toBe(invoices.length);
  });

  test('P14 P20 Norwegian invoices are kept five years after the financial year, not rounded', async () => {
    const [who] = await s.webshop.connector.query<{ customerNumber: string }>(
      `SELECT customer_number AS "customerNumber" FROM invoices
        WHERE seller_org = 'provendo' AND invoice_date >= '2021-01-01' ORDER BY id LIMIT 1`,
    );
    if (!who) throw new Error('the seed has no recent Norwegian invoice: raise the number of customers');
    const before = await s.webshop.connector.query<{ invoice_date: string }>(
      'SELECT invoice_date FROM invoices WHERE customer_number = $1',
      [who.customerNumber],
    );
    expect(before.length).toBeGreaterThan(0);
    // Kept while the rule runs; those whose five years are over are erased now.
    const running = before.filter(
      (i) => norwegianBookkeepingEnd(`${i.invoice_date.slice(0, 4)}-12-31`).erasableFrom > '2026-11-25',
    );
    const res = await runFulfilment(deps, {
      requestId: 'req-erase-no',
      orgId: 'provendo',
      type: 'erasure',
      identities: { customerNumber: who.customerNumber },
    });
    expect(res.status).toBe('done');
    const kept = await s.webshop.connector.query<{ erase_on: string; invoice_date: string }>(
      'SELECT erase_on, invoice_date FROM invoices WHERE customer_number = $1',
      [who.customerNumber],
    );
    expect(running.length).toBeGreaterThan(0);
    expect(running.length).toBeLessThan(before.length + 1);
    expect(kept.length).toBe(running.length);
    for (const k of kept) {
      expect(k.erase_on).toBe(`${Number(k.invoice_date.slice(0, 4)) + 6}-01-01`);
      expect(k.erase_on).toBe(norwegianBookkeepingEnd(`${k.invoice_date.slice(0, 4)}-12-31`).erasableFrom);
    }
    const inv = res.outcomes.find((o) => o.collection === 'invoices')!;
    expect(inv).toMatchObject({ kept: running.length, erased: before.length - running.length });
    expect(inv.keptUnder.every((k) => k.rule === 'bookkeeping-no')).toBe(true);
  });
});

describe('P25 P30 access and portability', () => {
  test('P25 an access request yields the JSON extract, a readable HTML page with the Art. 15 information, and the ZIP', async () => {
    const who = await richCustomer(s);
    const res = await runFulfilment(deps, {
      requestId: 'req-access-1',
      orgId: 'nestit-sverige',
      type: 'access',
      identities: { email: who.email },
    });
    expect(res.status).toBe('done');
    expect(res.artifacts).toEqual(['extract.html', 'extract.json', 'portability.zip']);
    const x = JSON.parse((await getArtifact(db, 'req-access-1', 'extract.json', NOW))!.body.toString('utf8'));
    const coll = (name: string) => x.data.find((c: { collection: string }) => c.collection === name);
    expect(coll('customers').rows).toEqual([
      expect.objectContaining({ email: who.email, customer_number: who.customerNumber }),
    ]);
    // Found through references: orders by customer id, lines by order id, cases (MariaDB) by customer number.
    const orders = await count(s.webshop, 'SELECT COUNT(*) AS n FROM orders WHERE customer_id = $1', [
      who.id,
    ]);
    expect(coll('orders')?.rows.length ?? 0).toBe(orders);
    expect(coll('cases').rows.length).toBeGreaterThan(0);
    expect(coll('messages').rows.length).toBeGreaterThan(0);
    // Only annotated columns: the password hash is not annotated and never leaves the web shop.
    expect(JSON.stringify(x)).not.toContain('argon2');
    // Art. 15: purposes with legal basis, categories, recipients, retention, source; rights; authority.
    const of = x.processing.purposes.find((p: { id: string }) => p.id === 'order-fulfilment');
    expect(of.legalBases).toContainEqual(
      expect.objectContaining({ basis: 'contract', article: 'Art. 6(1)(b)' }),
    );
    expect(of.retention.rule).toBe('order-data');
    expect(of.categories.length).toBeGreaterThan(0);
    expect(of.sources.length).toBeGreaterThan(0);
    expect(x.processing.rights.join(' ')).toContain('Art. 20');
    expect(x.processing.complaintsTo.web).toMatch(/^https:/);
    const page = (await getArtifact(db, 'req-access-1', 'extract.html', NOW))!.body.toString('utf8');
    expect(page).toContain('Your rights');
    expect(page).toContain(who.email);
    expect(page).toContain('Why and how we process your data');
  });

  test('P30 portability: only data the customer provided, on consent or contract, as JSON and CSV in a ZIP', async () => {
    const who = await richCustomer(s);
    const res = await runFulfilment(deps, {
      requestId: 'req-port-1',
      orgId: 'nestit-sverige',
      type: 'portability',
      identities: { customerNumber: who.customerNumber },
    });
    expect(res.artifacts).toEqual(['portability.zip']);
    const files = unzipSync(
      new Uint8Array((await getArtifact(db, 'req-port-1', 'portability.zip', NOW))!.body),
    );
    const names = Object.keys(files).sort();
    expect(names).toContain('data.json');
    expect(names).toContain('nestit_webshop/customers.csv');
    // Customer service rests on legitimate interests, invoices on a legal obligation: not portable.
    expect(names.some((n) => n.includes('cases') || n.includes('invoices') || n.includes('messages'))).toBe(
      false,
    );
    const csv = strFromU8(files['nestit_webshop/customers.csv']!);
    expect(csv.split('\r\n')[0]).toBe('email,phone,first_name,last_name,street,postal_code,city,country');
    expect(csv).toContain(who.email);
    const data = JSON.parse(strFromU8(files['data.json']!));
    const customers = data.collections.find((c: { collection: string }) => c.collection === 'customers');
    expect(Object.keys(customers.rows[0])).not.toContain('created_at');
    expect(Object.keys(customers.rows[0])).not.toContain('customer_number');
  });
});
