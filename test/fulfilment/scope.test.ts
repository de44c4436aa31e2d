/**
 * One company's request reads and changes only its own rows of the group's shared systems (and those of
 * the joint arrangements it answers for): the web shop holds customers of every company, attributed by the
 * datasets' `ombud.controller` annotations. Real servers: web shop on PostgreSQL, customer service on MariaDB.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { getArtifact, runFulfilment } from '../../src/services/fulfilment/runFulfilment.ts';
import { fulfilmentSetup, richCustomer } from '../support/nestit-systems.ts';
import { swedishBookkeepingEnd } from '../../src/core/retention/retention.ts';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

const setup = () => fulfilmentSetup(cleanup, 'postgres');

describe('a request acts on its own company’s rows of a shared system', () => {
  test('P01 P11 P28 P33 erasure by a company that does not hold the customer changes nothing; by theirs, their rows; the joint arrangement’s rows go with its contact point', async () => {
    const { s, deps } = await setup();
    const who = await richCustomer(s, 'nestit-sverige');
    const count = async () => {
      const w = s.webshop.connector;
      const c = s.service.connector;
      const n = async (conn: typeof w, sql: string, v: string) =>
        Number((await conn.query<{ n: number }>(sql, [v]))[0]!.n);
      return {
        customers: await n(
          w,
          'SELECT COUNT(*) AS n FROM customers WHERE customer_number = $1',
          who.customerNumber,
        ),
        newsletter: await n(w, 'SELECT COUNT(*) AS n FROM newsletter_signups WHERE email = $1', who.email),
        cases: await n(c, 'SELECT COUNT(*) AS n FROM cases WHERE customer_number = ?', who.customerNumber),
      };
    };
    const before = await count();
    expect(before.customers).toBe(1);
    expect(before.newsletter).toBeGreaterThan(0);
    expect(before.cases).toBeGreaterThan(0);

    const erase = (requestId: string, holders: string[]) =>
      runFulfilment(deps, {
        requestId,
        orgId: holders[0]!,
        type: 'erasure',
        identities: { customerNumber: who.customerNumber, email: who.email },
        holders,
      });

    // Provendo (Norway) does not hold this Swedish customer: its erasure finds and changes nothing.
    const other = await erase('req-scope-provendo', ['provendo']);
    expect(other.status).toBe('done');
    expect(await count()).toEqual(before);

    // NestIT Sverige holds the customer, orders, cases…; the newsletter sign-up is the joint arrangement's.
    const own = await erase('req-scope-sverige', ['nestit-sverige']);
    expect(own.status).toBe('done');
    expect(await count()).toEqual({ customers: 0, newsletter: before.newsletter, cases: 0 });

    // The arrangement's contact point answers for the joint purposes.
    const joint = await erase('req-scope-joint', ['nestit-group', 'joint:central-marketing']);
    expect(joint.status).toBe('done');
    expect((await count()).newsletter).toBe(0);
  });

  test('P20 P14 an erasure for Bokhyllan keeps its invoices under the Swedish Bookkeeping Act (restricted, with their day), as it does for NestIT Sverige', async () => {
    const { s, deps } = await fulfilmentSetup(cleanup);
    const who = await richCustomer(s);
    const w = s.webshop.connector;
    const invoices = await w.query<{ id: number }>(
      'SELECT id FROM invoices WHERE customer_number = $1 ORDER BY id',
      [who.customerNumber],
    );
    expect(invoices.length).toBeGreaterThan(0);
    // One of the customer's invoices was issued by Bokhyllan Nordic AB (a Swedish company of the group).
    await w.query("UPDATE invoices SET seller_org = 'bokhylla' WHERE id = $1", [invoices[0]!.id]);
    const res = await runFulfilment(deps, {
      requestId: 'req-bokhylla-erasure',
      orgId: 'bokhylla',
      type: 'erasure',
      identities: { customerNumber: who.customerNumber, email: who.email },
      holders: ['bokhylla'],
    });
    expect(res.status).toBe('done');
    const [kept] = await w.query<{ restricted: boolean; erase_on: string; invoice_date: string }>(
      'SELECT restricted, erase_on, invoice_date FROM invoices WHERE id = $1',
      [invoices[0]!.id],
    );
    expect(kept).toBeDefined();
    expect(kept!.restricted).toBe(true);
    expect(kept!.erase_on).toBe(
      swedishBookkeepingEnd(`${kept!.invoice_date.slice(0, 4)}-12-31`).erasableFrom,
    );
    expect(res.outcomes.find((o) => o.collection === 'invoices')).toMatchObject({
      erased: 0,
      kept: 1,
      keptUnder: [{ rule: 'bookkeeping-se', rows: 1 }],
    });
  });

  test('P25 an access by a company that does not hold the customer yields an extract without their shop rows; without holders every row is in scope', async () => {
    const { s, deps } = await setup();
    const who = await richCustomer(s, 'nestit-sverige');
    const access = (requestId: string, holders?: string[]) =>
      runFulfilment(deps, {
        requestId,
        orgId: holders?.[0] ?? 'nestit-sverige',
        type: 'access',
        identities: { customerNumber: who.customerNumber },
        ...(holders ? { holders } : {}),
      });
    const rowsOf = async (requestId: string) => {
      const a = await getArtifact(deps.db, requestId, 'extract.json', deps.now!());
      const text = a!.body.toString('utf8');
      return { text, hasCustomer: text.includes(who.customerNumber) };
    };
    expect((await access('req-acc-provendo', ['provendo'])).status).toBe('done');
    expect((await rowsOf('req-acc-provendo')).hasCustomer).toBe(false);
    expect((await access('req-acc-sverige', ['nestit-sverige'])).status).toBe('done');
    expect((await rowsOf('req-acc-sverige')).hasCustomer).toBe(true);
    expect((await access('req-acc-all')).status).toBe('done');
    expect((await rowsOf('req-acc-all')).hasCustomer).toBe(true);
  });
});
