/**
 * Rectification, restriction, masking strategies and the "failed, why, retry" path, on the real servers
 * (web shop on PostgreSQL or MariaDB, customer service on MariaDB).
 */
import { afterEach, describe, expect, test } from 'vitest';
import { parseDatasetYaml } from '../../src/core/fulfilment/dataset.ts';
import type { SqlConnector } from '../../src/services/fulfilment/connectors/types.ts';
import { isRestricted } from '../../src/services/fulfilment/engine.ts';
import { KeyedHashPseudonym } from '../../src/services/fulfilment/masking.ts';
import { runFulfilment, subjectHash } from '../../src/services/fulfilment/runFulfilment.ts';
import { fulfilmentSetup, richCustomer } from '../support/nestit-systems.ts';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

const setup = (webshop: 'postgres' | 'mysql' = 'postgres') => fulfilmentSetup(cleanup, webshop);

describe('rectification and restriction', () => {
  test('P26 P06 a corrected e-mail address reaches every system that holds it; bookkeeping records stay as they were', async () => {
    const { s, deps } = await setup();
    const who = await richCustomer(s);
    const res = await runFulfilment(deps, {
      requestId: 'req-rect-1',
      orgId: 'nestit-sverige',
      type: 'rectification',
      identities: { customerNumber: who.customerNumber },
      corrections: { 'user.contact.email': 'New.Address@Example.test' },
    });
    expect(res.status).toBe('done');
    const q1 = (sql: string) => s.webshop.connector.query<{ email: string }>(sql, [who.customerNumber]);
    expect(await q1('SELECT email FROM customers WHERE customer_number = $1')).toEqual([
      { email: 'new.address@example.test' },
    ]);
    expect(
      await s.webshop.connector.query('SELECT email FROM newsletter_signups WHERE email = $1', [
        'new.address@example.test',
      ]),
    ).toHaveLength(1);
    expect(
      await s.webshop.connector.query('SELECT email FROM newsletter_signups WHERE email = $1', [who.email]),
    ).toHaveLength(0);
    const cases = await s.service.connector.query<{ email: string }>(
      'SELECT email FROM cases WHERE customer_number = ?',
      [who.customerNumber],
    );
    expect(cases.length).toBeGreaterThan(0);
    expect(cases.every((c) => c.email === 'new.address@example.test')).toBe(true);
    // Invoices are bookkeeping records: issued as they were, kept unchanged and reported as such.
    const inv = await s.webshop.connector.query<{ billing_email: string }>(
      'SELECT billing_email FROM invoices WHERE customer_number = $1',
      [who.customerNumber],
    );
    expect(inv.every((i) => i.billing_email === who.email)).toBe(true);
    expect(res.outcomes.find((o) => o.collection === 'invoices')).toMatchObject({
      erased: 0,
      kept: inv.length,
    });
    expect(res.outcomes.find((o) => o.collection === 'cases')).toMatchObject({
      action: 'rectify',
      erased: cases.length,
    });
  });

  test('P26 a correction changes only the fields of its own category: the first name, not the last name or a full name; a phone typed at home is stored in E.164', async () => {
    const { s, deps } = await setup();
    const who = await richCustomer(s);
    const q = <T>(sql: string) => s.webshop.connector.query<T>(sql, [who.customerNumber]);
    const before = await q<{ first_name: string; last_name: string }>(
      'SELECT first_name, last_name FROM customers WHERE customer_number = $1',
    );
    const deliveryNames = await q<{ delivery_name: string }>(
      'SELECT o.delivery_name FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.customer_number = $1 ORDER BY o.id',
    );
    expect(before).toHaveLength(1);
    const res = await runFulfilment(deps, {
      requestId: 'req-rect-name',
      orgId: 'nestit-sverige',
      type: 'rectification',
      identities: { customerNumber: who.customerNumber },
      corrections: {
        'user.name.first': '  Astrid ',
        'user.name': 'Astrid Lindqvist',
        'user.contact.phone_number': '070-123 45 67',
      },
    });
    expect(res.status).toBe('done');
    expect(await q('SELECT first_name, last_name, phone FROM customers WHERE customer_number = $1')).toEqual([
      { first_name: 'Astrid', last_name: before[0]!.last_name, phone: '+46701234567' },
    ]);
    // The full name (user.name) goes to the full-name fields (the orders' delivery name), never into
    // first_name and last_name.
    expect(deliveryNames.length).toBeGreaterThan(0);
    expect(
      await q(
        'SELECT o.delivery_name FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.customer_number = $1 ORDER BY o.id',
      ),
    ).toEqual(deliveryNames.map(() => ({ delivery_name: 'Astrid Lindqvist' })));
  });

  test('P26 a correction of a category no system holds is refused with the categories that may be corrected, and nothing changes', async () => {
    const { s, deps } = await setup();
    const who = await richCustomer(s);
    const before = await s.webshop.connector.query('SELECT * FROM customers WHERE customer_number = $1', [
      who.customerNumber,
    ]);
    const err = await runFulfilment(deps, {
      requestId: 'req-rect-unknown',
      orgId: 'nestit-sverige',
      type: 'rectification',
      identities: { customerNumber: who.customerNumber },
      corrections: { 'user.name.middle': 'Maria', 'user.name.first': 'Astrid' },
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({
      kind: 'validation',
      code: 'correction-category-unknown',
      issues: [
        { path: ['corrections', 'user.name.middle'], message: 'not a data category held in the systems' },
      ],
    });
    const hint = (err as { issues: { hint: string }[] }).issues[0]!.hint;
    for (const key of [
      'user.name.first',
      'user.name.last',
      'user.contact.email',
      'user.contact.phone_number',
    ])
      expect(hint).toContain(key);
    expect(hint).not.toContain('system.operations');
    expect(
      await s.webshop.connector.query('SELECT * FROM customers WHERE customer_number = $1', [
        who.customerNumber,
      ]),
    ).toEqual(before);
  });

  test('P29 restriction marks every row so connectors treat it as store-only', async () => {
    const { s, deps } = await setup();
    const who = await richCustomer(s);
    const res = await runFulfilment(deps, {
      requestId: 'req-restrict-1',
      orgId: 'nestit-sverige',
      type: 'restriction',
      identities: { email: who.email },
    });
    expect(res.status).toBe('done');
    expect(await isRestricted(s.webshop.connector, 'customers', String(who.id))).toBe(true);
    expect(await isRestricted(s.webshop.connector, 'customers', String(who.id + 1))).toBe(false);
    const [c] = await s.service.connector.query<{ id: number }>(
      'SELECT id FROM cases WHERE customer_number = ? LIMIT 1',
      [who.customerNumber],
    );
    expect(await isRestricted(s.service.connector, 'cases', String(c!.id))).toBe(true);
    const inv = await s.webshop.connector.query<{ restricted: boolean }>(
      'SELECT restricted FROM invoices WHERE customer_number = $1',
      [who.customerNumber],
    );
    expect(inv.every((i) => i.restricted === true)).toBe(true);
    // Nothing was changed or removed.
    expect(await s.webshop.connector.query('SELECT 1 FROM customers WHERE id = $1', [who.id])).toHaveLength(
      1,
    );
  });
});

describe('masking strategies', () => {
  test('P12 masking: keyed-hash pseudonym, fixed value and null in one UPDATE per collection (MariaDB web shop)', async () => {
    const { s, deps } = await setup('mysql');
    const masked = parseDatasetYaml(`
dataset:
  - fides_key: nestit_webshop
    ombud: { system: webshop }
    collections:
      - name: customers
        ombud: { erase: mask }
        fields:
          - { name: id, fides_meta: { primary_key: true } }
          - name: customer_number
            data_categories: [user.unique_id]
            fides_meta: { identity: customer_number }
            ombud: { masking: { strategy: pseudonym } }
          - name: email
            data_categories: [user.contact.email]
            fides_meta: { identity: email }
            ombud: { masking: { strategy: pseudonym } }
          - { name: first_name, data_categories: [user.name], ombud: { masking: { strategy: fixed, value: Erased } } }
          - { name: phone, data_categories: [user.contact.phone_number] }
          - { name: street, data_categories: [user.contact.address.street] }
`);
    deps.datasets = masked;
    deps.connectors = new Map([['nestit_webshop', s.webshop.connector]]);
    const who = await richCustomer(s);
    const res = await runFulfilment(deps, {
      requestId: 'req-mask-1',
      orgId: 'nestit-sverige',
      type: 'erasure',
      identities: { customerNumber: who.customerNumber },
    });
    expect(res.status).toBe('done');
    const [row] = await s.webshop.connector.query<Record<string, unknown>>(
      'SELECT customer_number, email, first_name, phone, street, city FROM customers WHERE id = ?',
      [who.id],
    );
    const subjectKey = subjectHash({ customer_number: who.customerNumber });
    expect(row).toEqual({
      customer_number: KeyedHashPseudonym.value({
        subjectKey,
        secret: 'k',
        path: 'nestit_webshop.customers.customer_number',
      }),
      email: KeyedHashPseudonym.value({ subjectKey, secret: 'k', path: 'nestit_webshop.customers.email' }),
      first_name: 'Erased',
      phone: null,
      street: null,
      city: expect.any(String), // not annotated: not touched
    });
    expect(String(row!.email)).toMatch(/^p_[0-9a-f]{16}$/);
    // A different key gives a different pseudonym: without the key, nobody links it back.
    expect(
      KeyedHashPseudonym.value({ subjectKey, secret: 'other', path: 'nestit_webshop.customers.email' }),
    ).not.toBe(row!.email);
    expect(res.outcomes).toEqual([
      expect.objectContaining({ collection: 'customers', action: 'mask', erased: 1 }),
    ]);
  });
});

describe('failed, why, retry', () => {
  test('P28 a failing database rolls back, the run says why without personal data, and a retry finishes the job', async () => {
    const { s, deps, db } = await setup();
    const who = await richCustomer(s);
    let failNext = true;
    const real = s.webshop.connector;
    const flaky: SqlConnector = Object.create(real);
    flaky.transaction = (fn) =>
      real.transaction(async (tx) => {
        const wrapped: SqlConnector = Object.create(tx);
        wrapped.execute = async (sql, params) => {
          if (failNext && sql.startsWith('DELETE FROM "customers"')) {
            failNext = false;
            throw Object.assign(new Error(`connection reset while deleting ${who.email}`), {
              code: 'ECONNRESET',
            });
          }
          return tx.execute(sql, params);
        };
        return fn(wrapped);
      });
    deps.connectors = new Map([...s.connectors, ['nestit_webshop', flaky]]);
    const input = {
      requestId: 'req-flaky',
      orgId: 'nestit-sverige',
      type: 'erasure' as const,
      identities: { email: who.email },
    };
    const first = await runFulfilment(deps, input);
    expect(first.status).toBe('failed');
    const run = (
      await db.query<{ status: string; error: string }>(
        'SELECT status, error FROM fulfilment_runs WHERE request_id = $1',
        ['req-flaky'],
      )
    )[0]!;
    expect(run.status).toBe('failed');
    expect(run.error).toContain('ECONNRESET');
    expect(run.error).not.toContain(who.email);
    // The web shop's transaction rolled back: nothing half-erased.
    expect(await real.query('SELECT 1 FROM orders WHERE customer_id = $1', [who.id])).not.toHaveLength(0);
    expect(await real.query('SELECT 1 FROM invoices WHERE restricted', [])).toHaveLength(0);
    // The customer-service step was done and is not repeated.
    const steps = await db.query<{ step: string; status: string; attempts: number }>(
      'SELECT step, status, attempts FROM fulfilment_steps WHERE request_id = $1 ORDER BY position',
      ['req-flaky'],
    );
    expect(steps).toEqual([
      { step: 'erase:nestit_customer_service', status: 'done', attempts: 1 },
      { step: 'erase:nestit_webshop', status: 'failed', attempts: 1 },
    ]);
    const retry = await runFulfilment(deps, input);
    expect(retry.status).toBe('done');
    expect(await real.query('SELECT 1 FROM customers WHERE id = $1', [who.id])).toHaveLength(0);
    const after = await db.query<{ step: string; status: string; attempts: number }>(
      'SELECT step, status, attempts FROM fulfilment_steps WHERE request_id = $1 ORDER BY position',
      ['req-flaky'],
    );
    expect(after.map((x) => [x.status, x.attempts])).toEqual([
      ['done', 1],
      ['done', 2],
    ]);
  });
});
