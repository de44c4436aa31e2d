/**
 * The marketing-profile rule on the real servers (P12 P28 P38): newsletter sign-ups are deleted 30 days
 * after the subscriber withdrew consent in Ombud's consent register (and not after re-subscribing), and
 * 24 months after the subscriber's last activity (the customer's last_activity_at through the e-mail
 * address; a subscriber who is not a customer goes 12 months after signing up, under prospect-subscription,
 * P10). Every date is relative to the app's
 * injected clock; the dry run predicts the run exactly.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { SYSTEM_ACTOR } from '../../src/services/audit/auditLog.ts';
import { consentKeys } from '../../src/services/consent/keys.ts';
import { recordConsentEvent } from '../../src/services/consent/recordConsentEvent.ts';
import { runRetention } from '../../src/services/retention/runRetention.ts';
import type { RetentionOutcome } from '../../src/services/retention/sweep.ts';
import { retentionDeps, retentionSystems } from './support.ts';

const NOW = '2026-11-25T10:00:00Z';
const now = new Date(NOW);
const TODAY = NOW.slice(0, 10);
const daysAgo = (n: number) => new Date(now.getTime() - n * 86_400_000);
/** A timestamp n months before the clock's day, as SQL text (10:00). */
const monthsAgo = (n: number) => {
  const d = new Date(now);
  d.setUTCMonth(d.getUTCMonth() - n);
  return `${d.toISOString().slice(0, 10)} 10:00:00`;
};
const sqlTime = (d: Date) => d.toISOString().slice(0, 19).replace('T', ' ');

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

const sorted = (os: RetentionOutcome[]) =>
  [...os].sort((a, b) =>
    `${a.collection}.${a.rule}.${a.action}.${a.detail}`.localeCompare(
      `${b.collection}.${b.rule}.${b.action}.${b.detail}`,
    ),
  );

describe.each(['postgres', 'mysql'] as const)('marketing-profile on the web shop (%s)', (webshop) => {
  test('P12 P28 P38 a withdrawal deletes the sign-up after 30 days, not before, not after re-subscribing; 24 months without activity deletes it, 23 do not, a non-customer after 12 months; the dry run predicts the run', async () => {
    const s = await retentionSystems({ customers: 20, webshop });
    const deps = await retentionDeps(s, { now: NOW });
    cleanup.push(s.close, () => deps.db.close());
    const w = s.webshop.connector;
    const keys = await consentKeys(deps.db);
    const consent = (identity: { email?: string; phone?: string }, kind: 'grant' | 'withdraw', at: Date) =>
      recordConsentEvent(
        deps.db,
        SYSTEM_ACTOR,
        keys,
        deps.index,
        {
          orgId: 'nestit-sverige',
          identity,
          purposeId: 'communication-subscription',
          channel: identity.email ? 'email' : 'sms',
          kind,
          ...(kind === 'grant' ? { wording: 'Yes, send me newsletters.' } : {}),
          source: 'checkout',
          at,
        },
        now,
      );

    // Two customers whose last activity decides their sign-ups (their order data is kept: under 3 years).
    const cs = await w.query<{ id: number; email: string }>('SELECT id, email FROM customers ORDER BY id');
    const [inactive, active] = [cs[0]!, cs[1]!];
    await w.exec(`UPDATE customers SET last_activity_at = '${monthsAgo(25)}' WHERE id = ${inactive.id}`);
    await w.exec(`UPDATE customers SET last_activity_at = '${monthsAgo(23)}' WHERE id = ${active.id}`);
    // The seed's own sign-ups are set aside: only these rows are in the table.
    await w.exec('DELETE FROM newsletter_signups');
    const recent = sqlTime(daysAgo(100));
    const signups: [number, string, string | null, string][] = [
      [1, 'withdrew.31@example.test', null, recent],
      [2, 'withdrew.29@example.test', null, recent],
      [3, 'resubscribed@example.test', null, recent],
      [4, 'phone.only@example.test', '+46701234567', recent],
      // Not customers (potential customers, rule prospect-subscription): 12 months from signing up.
      [5, 'quiet.13@example.test', null, monthsAgo(13)],
      [6, 'quiet.11@example.test', null, monthsAgo(11)],
      // Customers: the customer's last activity counts, not the sign-up date.
      [7, inactive.email, null, recent],
      [8, active.email, null, monthsAgo(60)],
    ];
    for (const [id, email, phone, at] of signups)
      await w.exec(
        `INSERT INTO newsletter_signups (id, email, phone, channels, signed_up_at)
         VALUES (${id}, '${email}', ${phone ? `'${phone}'` : 'NULL'}, 'email', '${at}')`,
      );
    // Capitals in the shop's column still match the register's normalised address.
    await w.exec(`UPDATE newsletter_signups SET email = 'Withdrew.31@Example.test' WHERE id = 1`);

    await consent({ email: 'withdrew.31@example.test' }, 'grant', daysAgo(200));
    await consent({ email: 'withdrew.31@example.test' }, 'withdraw', daysAgo(31));
    await consent({ email: 'withdrew.29@example.test' }, 'grant', daysAgo(200));
    await consent({ email: 'withdrew.29@example.test' }, 'withdraw', daysAgo(29));
    await consent({ email: 'resubscribed@example.test' }, 'withdraw', daysAgo(60));
    await consent({ email: 'resubscribed@example.test' }, 'grant', daysAgo(10));
    await consent({ phone: '+46701234567' }, 'withdraw', daysAgo(45));

    const dry = await runRetention(deps, { dryRun: true, today: TODAY });
    expect(dry.status).toBe('done');
    const ids = async () =>
      (await w.query<{ id: number }>('SELECT id FROM newsletter_signups ORDER BY id')).map((r) =>
        Number(r.id),
      );
    // The dry run changed nothing.
    expect(await ids()).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);

    const run = await runRetention(deps, { today: TODAY });
    expect(run.status).toBe('done');
    expect(await ids()).toEqual([2, 3, 6, 8]);

    const mine = (os: RetentionOutcome[]) => sorted(os.filter((o) => o.collection === 'newsletter_signups'));
    expect(
      mine(run.outcomes).map(({ rule, action, detail, rows }) => ({ rule, action, detail, rows })),
    ).toEqual([
      { rule: 'marketing-profile', action: 'delete', detail: '', rows: 1 },
      { rule: 'marketing-profile', action: 'delete', detail: 'withdrawn', rows: 2 },
      { rule: 'prospect-subscription', action: 'delete', detail: '', rows: 1 },
    ]);
    expect(mine(dry.outcomes)).toEqual(mine(run.outcomes));
    expect(sorted(dry.outcomes)).toEqual(sorted(run.outcomes));

    // Audited with counts only: no address or phone number of anyone in the audit log.
    const audit = await deps.db.query<{ details: unknown }>(
      "SELECT details FROM audit_log WHERE action = 'retention.sweep'",
    );
    const text = JSON.stringify(audit);
    expect(text).toContain('"detail":"withdrawn"');
    for (const v of ['withdrew.31', 'phone.only', '46701234567', 'Example.test'])
      expect(text).not.toContain(v);
  }, 120_000);
});
