/**
 * ombud hold place | list | lift against Ombud on the PostgreSQL server and the demo systems on the real
 * servers (web shop on PostgreSQL, customer service on MariaDB). The CLI runs on the real clock, so its
 * review day is derived from it.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { DEMO_REGISTER_DIR } from '../../src/demo/loadDemo.ts';
import { SYSTEM_ACTOR } from '../../src/services/audit/auditLog.ts';
import { applyRegister } from '../../src/services/register/applyRegister.ts';
import { readRegisterSources } from '../../src/services/register/readRegisterDir.ts';
import { TEST_AUDIT_KEYRING } from '../support/audit-keys.ts';
import { captureIo } from '../support/cli.ts';
import { richCustomer } from '../support/nestit-systems.ts';
import { count, ombudServerDb, retentionSystems } from '../retention/support.ts';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

const daysFromNow = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);

describe('ombud hold', () => {
  test('P14 P46 place a hold on a customer by customer number, list it, lift it; bad input is named (exit 1) or a usage error (exit 2)', async () => {
    const o = await ombudServerDb();
    cleanup.push(o.drop);
    await applyRegister(o.db, SYSTEM_ACTOR, await readRegisterSources(DEMO_REGISTER_DIR));
    const s = await retentionSystems({ customers: 40 });
    cleanup.push(s.close);
    const before = { url: process.env.DATABASE_URL, keys: process.env.OMBUD_SECRET_KEYS };
    process.env.DATABASE_URL = o.url;
    process.env.OMBUD_SECRET_KEYS = TEST_AUDIT_KEYRING;
    cleanup.push(async () => {
      if (before.url === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = before.url;
      if (before.keys === undefined) delete process.env.OMBUD_SECRET_KEYS;
      else process.env.OMBUD_SECRET_KEYS = before.keys;
    });
    const conn = [
      '--connection',
      `nestit_webshop=${s.webshop.url}`,
      '--connection',
      `nestit_customer_service=${s.service.url}`,
    ];
    const who = await richCustomer(s);
    const base = [
      'hold',
      'place',
      '--org',
      'nestit-sverige',
      '--reason',
      'Case T 1234-26, Stockholm district court',
      '--customer-number',
      who.customerNumber,
    ];

    // A reason kind that is not one: a usage error naming the choices.
    const kind = captureIo();
    expect(
      await main([...base, '--reason-kind', 'lawsuit', '--review-on', daysFromNow(90), ...conn], kind.io),
    ).toBe(2);
    expect(kind.errors()).toContain('authority-decision');
    // A review day in the past and an unknown legal rule: refused, each field named.
    const bad = captureIo();
    expect(
      await main(
        [
          ...base,
          '--reason-kind',
          'legal-rule',
          '--rule',
          'no-such-rule',
          '--review-on',
          '2001-01-01',
          ...conn,
        ],
        bad.io,
      ),
    ).toBe(1);
    expect(bad.errors()).toContain('ruleId:');
    expect(bad.errors()).toContain('reviewOn:');
    expect(await o.db.query('SELECT id FROM legal_holds')).toEqual([]);

    const placed = captureIo();
    expect(
      await main(
        [...base, '--reason-kind', 'dispute', '--review-on', daysFromNow(90), '--json', ...conn],
        placed.io,
      ),
    ).toBe(0);
    const hold = JSON.parse(placed.text());
    expect(hold).toMatchObject({
      orgId: 'nestit-sverige',
      reasonKind: 'dispute',
      scope: { kind: 'subject', identifiedBy: ['customerNumber'] },
      review: 'later',
      liftedAt: null,
    });
    expect(placed.text()).not.toContain(who.customerNumber);
    const markers = () =>
      count(s.webshop, 'SELECT COUNT(*) AS n FROM ombud_restrictions WHERE request_id = $1', [
        `hold:${hold.id}`,
      ]);
    // The customer's row, their orders, invoices, …: at least the customer, all under this hold.
    expect(
      await count(
        s.webshop,
        "SELECT COUNT(*) AS n FROM ombud_restrictions WHERE request_id = $1 AND collection_name = 'customers' AND row_key = $2",
        [`hold:${hold.id}`, String(who.id)],
      ),
    ).toBe(1);
    const webshopMarkers = await markers();
    const serviceMarkers = await count(
      s.service,
      'SELECT COUNT(*) AS n FROM ombud_restrictions WHERE request_id = ?',
      [`hold:${hold.id}`],
    );
    expect(hold.rowsHeld).toBe(webshopMarkers + serviceMarkers);

    const listed = captureIo();
    expect(await main(['hold', 'list', '--standing'], listed.io)).toBe(0);
    expect(listed.text()).toContain(hold.id);
    expect(listed.text()).toContain('a data subject, in every system');
    expect(listed.text()).not.toContain(who.customerNumber);

    const lifted = captureIo();
    expect(await main(['hold', 'lift', hold.id, '--reason', 'Settled', ...conn], lifted.io)).toBe(0);
    expect(lifted.text()).toContain(`${hold.rowsHeld} markers removed`);
    expect(await markers()).toBe(0);
    const again = captureIo();
    expect(await main(['hold', 'lift', hold.id, '--reason', 'Settled', ...conn], again.io)).toBe(1);
    expect(again.errors()).toContain('lifted already');
    const none = captureIo();
    expect(await main(['hold', 'list', '--standing', '--json'], none.io)).toBe(0);
    expect(JSON.parse(none.text()).holds).toEqual([]);
  }, 180_000);
});
