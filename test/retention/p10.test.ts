/**
 * P10 on the real servers: storage periods follow the type of data (sensitive details of a case go when it
 * closes, the case stays 24 months), the relationship (a potential customer's sign-up goes 12 months after
 * signing up, an existing customer's stays), and pseudonymisation (identified analysis extracts go after 30
 * days, pseudonymised analysis rows of the same age stay, and are anonymised after 36 months). The demo
 * systems run on PostgreSQL and on MariaDB; every date is written out, and what each rule should leave is
 * written here by hand (dates) and read back with plain SQL.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { ensureMarkerTable } from '../../src/services/fulfilment/engine.ts';
import { runRetention } from '../../src/services/retention/runRetention.ts';
import type { RetentionOutcome } from '../../src/services/retention/sweep.ts';
import type { SystemDb } from '../support/systems.ts';
import { retentionDeps, retentionSystems } from './support.ts';

const TODAY = '2026-11-25';
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

type R = Record<string, unknown>;
const rows = (d: SystemDb, sql: string) => d.connector.query<R>(sql);
const ids = (rs: R[]) => rs.map((r) => Number(r.id)).sort((a, b) => a - b);
const mine = (os: RetentionOutcome[], collection: string) =>
  os
    .filter((o) => o.collection === collection)
    .map(({ rule, action, detail, rows }) => ({ rule, action, detail, rows }))
    .sort((a, b) => `${a.rule}.${a.action}.${a.detail}`.localeCompare(`${b.rule}.${b.action}.${b.detail}`));

describe.each(['postgres', 'mysql'] as const)('P10 on %s', (kind) => {
  async function setup(customers = 40) {
    const s = await retentionSystems({ customers, webshop: kind, service: kind });
    const deps = await retentionDeps(s);
    cleanup.push(s.close, () => deps.db.close());
    return { s, deps };
  }

  test('P10 sensitive details of a case are erased by the first run after it closes; the case stays under its 24 months, an open or held case keeps them', async () => {
    const { s, deps } = await setup();
    const c = s.service.connector;
    // Four cases of the seed, given hand-written dates and sensitive details.
    const picked = ids(await rows(s.service, 'SELECT id FROM cases ORDER BY id')).slice(0, 4);
    expect(picked).toHaveLength(4);
    const [closedBefore, open, closedToday, held] = picked as [number, number, number, number];
    const set = (id: number, closedAt: string | null) =>
      c.execute(
        `UPDATE cases SET sensitive_details = 'Allergic to wool', closed_at = ${closedAt ? `'${closedAt}'` : 'NULL'} WHERE id = ${id}`,
      );
    await set(closedBefore, '2026-11-24 16:00:00');
    await set(open, null);
    await set(closedToday, '2026-11-25 08:00:00');
    await set(held, '2026-11-20 12:00:00');
    await ensureMarkerTable(c);
    await c.execute(
      `INSERT INTO ombud_restrictions (collection_name, row_key, request_id, reason, rule_id, erase_on) VALUES ('cases', ${c.param(1)}, 'dispute-9', 'retention', 'legal-hold', NULL)`,
      [String(held)],
    );

    // By hand: a case closed before 2024-11-25 has ended its 24 months (deleted); one closed before today
    // has its sensitive details erased (P0D: from the day after closing); an open one, one closed today
    // and the held one keep them.
    const before = await rows(s.service, 'SELECT * FROM cases ORDER BY id');
    const gone = ids(
      await rows(s.service, "SELECT id FROM cases WHERE closed_at IS NOT NULL AND closed_at < '2024-11-25'"),
    );
    const erased = ids(
      await rows(
        s.service,
        `SELECT id FROM cases WHERE sensitive_details IS NOT NULL AND closed_at IS NOT NULL
           AND closed_at >= '2024-11-25' AND closed_at < '2026-11-25' AND id <> ${held}`,
      ),
    );
    expect(erased).toContain(closedBefore);
    expect(gone.length).toBeGreaterThan(0);

    const dry = await runRetention(deps, { today: TODAY, dryRun: true });
    expect(await rows(s.service, 'SELECT * FROM cases ORDER BY id')).toEqual(before);
    const run = await runRetention(deps, { today: TODAY });
    expect(run.status).toBe('done');
    expect(mine(run.outcomes, 'cases')).toEqual(mine(dry.outcomes, 'cases'));
    expect(mine(run.outcomes, 'cases').filter((o) => o.rule === 'case-sensitive-data')).toEqual([
      { rule: 'case-sensitive-data', action: 'held', detail: 'retention', rows: 1 },
      { rule: 'case-sensitive-data', action: 'mask', detail: 'fields', rows: erased.length },
    ]);

    const after = await rows(s.service, 'SELECT * FROM cases ORDER BY id');
    expect(ids(after)).toEqual(ids(before.filter((r) => !gone.includes(Number(r.id)))));
    for (const r of after) {
      const was = before.find((b) => Number(b.id) === Number(r.id))!;
      // Only the sensitive details change, and only on the cases that closed before today.
      expect(r).toEqual(erased.includes(Number(r.id)) ? { ...was, sensitive_details: null } : was);
    }
    expect(after.find((r) => Number(r.id) === open)!.sensitive_details).toBe('Allergic to wool');
    expect(after.find((r) => Number(r.id) === closedToday)!.sensitive_details).toBe('Allergic to wool');

    // The next day the case closed today has them erased too; the held one still keeps them.
    const next = await runRetention(deps, { today: '2026-11-26' });
    expect(mine(next.outcomes, 'cases').filter((o) => o.action === 'mask')).toEqual([
      { rule: 'case-sensitive-data', action: 'mask', detail: 'fields', rows: 1 },
    ]);
    const [ct] = await rows(s.service, `SELECT sensitive_details FROM cases WHERE id = ${closedToday}`);
    expect(ct!.sensitive_details).toBeNull();
    const [h] = await rows(s.service, `SELECT sensitive_details FROM cases WHERE id = ${held}`);
    expect(h!.sensitive_details).toBe('Allergic to wool');
  }, 180_000);

  test("P10 a potential customer's sign-up goes 12 months after signing up, on its day; an existing customer's stays, a lapsed customer's goes under the customers' rule", async () => {
    const { s, deps } = await setup();
    const w = s.webshop.connector;
    const cs = await rows(s.webshop, 'SELECT id, email FROM customers ORDER BY id');
    const [current, lapsed] = [cs[0]!, cs[1]!];
    // A current customer (active this summer) and one whose last activity is 24 months ago: the
    // marketing rule ends on 2026-11-25; the order data (3 years) keeps the customer.
    await w.execute(`UPDATE customers SET last_activity_at = '2026-06-01 10:00:00' WHERE id = ${current.id}`);
    await w.execute(`UPDATE customers SET last_activity_at = '2024-11-24 10:00:00' WHERE id = ${lapsed.id}`);
    await w.execute('DELETE FROM newsletter_signups');
    const signups: [number, string, string][] = [
      // Potential customers (no customer has the address): 12 months from signing up.
      [1, 'prospect.a@example.test', '2025-11-24 10:00:00'], // ends 2026-11-24: goes today
      [2, 'prospect.b@example.test', '2025-11-25 10:00:00'], // ends 2026-11-25: goes tomorrow
      // Existing customers: the customer's last activity counts, not the (older) sign-up.
      [3, String(current.email), '2020-01-01 10:00:00'],
      [4, String(lapsed.email), '2026-01-01 10:00:00'],
    ];
    for (const [id, email, at] of signups)
      await w.execute(
        `INSERT INTO newsletter_signups (id, email, phone, channels, signed_up_at) VALUES (${id}, '${email}', NULL, 'email', '${at}')`,
      );
    const left = async () => ids(await rows(s.webshop, 'SELECT id FROM newsletter_signups'));

    const dry = await runRetention(deps, { today: TODAY, dryRun: true });
    expect(await left()).toEqual([1, 2, 3, 4]);
    const run = await runRetention(deps, { today: TODAY });
    expect(await left()).toEqual([2, 3]);
    expect(mine(run.outcomes, 'newsletter_signups')).toEqual([
      { rule: 'marketing-profile', action: 'delete', detail: '', rows: 1 },
      { rule: 'prospect-subscription', action: 'delete', detail: '', rows: 1 },
    ]);
    expect(mine(dry.outcomes, 'newsletter_signups')).toEqual(mine(run.outcomes, 'newsletter_signups'));
    expect(ids(await rows(s.webshop, `SELECT id FROM customers WHERE id = ${lapsed.id}`))).toEqual([
      Number(lapsed.id),
    ]);

    const next = await runRetention(deps, { today: '2026-11-26' });
    expect(await left()).toEqual([3]);
    expect(mine(next.outcomes, 'newsletter_signups')).toEqual([
      { rule: 'prospect-subscription', action: 'delete', detail: '', rows: 1 },
    ]);
  }, 180_000);

  test('P10 identified analysis extracts go after 30 days while pseudonymised analysis rows of the same age stay; those are anonymised after 36 months', async () => {
    const { s, deps } = await setup();
    const w = s.webshop.connector;
    await w.execute('DELETE FROM analysis_extracts');
    await w.execute('DELETE FROM order_analytics');
    const extracts: [number, string][] = [
      [1, '2026-10-25 10:00:00'], // 30 days end 2026-11-24: goes today
      [2, '2026-10-26 10:00:00'], // ends 2026-11-25: stays today
    ];
    for (const [id, at] of extracts)
      await w.execute(
        `INSERT INTO analysis_extracts (id, customer_number, email, order_number, product_sku, extracted_at)
         VALUES (${id}, 'C0000001', 'anna@example.test', 'O00000001', 'SOFA-01', '${at}')`,
      );
    const analytics: [number, string][] = [
      [1, '2026-10-25 10:00:00'], // as old as extract 1: pseudonymised, stays
      [2, '2023-11-24 10:00:00'], // 36 months end 2026-11-24: anonymised today
      [3, '2023-11-25 10:00:00'], // ends 2026-11-25: stays today
    ];
    for (const [id, at] of analytics)
      await w.execute(
        `INSERT INTO order_analytics (id, customer_number, country, product_sku, items, total_cents, collected_at)
         VALUES (${id}, 'C0000001', 'SE', 'SOFA-01', 2, 19800, '${at}')`,
      );
    const read = async () =>
      (
        await rows(
          s.webshop,
          'SELECT id, customer_number, country, product_sku, items, total_cents, collected_at FROM order_analytics ORDER BY id',
        )
      ).map((r) => [
        Number(r.id),
        r.customer_number,
        r.country,
        r.product_sku,
        Number(r.items),
        Number(r.total_cents),
        new Date(r.collected_at as string).toISOString().slice(0, 19),
      ]);

    const dry = await runRetention(deps, { today: TODAY, dryRun: true });
    const run = await runRetention(deps, { today: TODAY });
    expect(run.status).toBe('done');
    expect(ids(await rows(s.webshop, 'SELECT id FROM analysis_extracts'))).toEqual([2]);
    expect(await read()).toEqual([
      [1, 'C0000001', 'SE', 'SOFA-01', 2, 19800, '2026-10-25T10:00:00'],
      [2, null, 'SE', 'SOFA-01', 2, 19800, '2023-11-01T00:00:00'],
      [3, 'C0000001', 'SE', 'SOFA-01', 2, 19800, '2023-11-25T10:00:00'],
    ]);
    const both = (os: RetentionOutcome[]) => [
      ...mine(os, 'analysis_extracts'),
      ...mine(os, 'order_analytics'),
    ];
    expect(both(run.outcomes)).toEqual([
      { rule: 'customer-analysis-identified', action: 'delete', detail: '', rows: 1 },
      { rule: 'customer-analysis', action: 'anonymise', detail: '', rows: 1 },
    ]);
    expect(both(dry.outcomes)).toEqual(both(run.outcomes));
  }, 180_000);
});
