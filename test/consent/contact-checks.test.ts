/**
 * "May we contact?" one at a time and for a whole send list (PGlite and the PostgreSQL server):
 * restriction, objection, withdrawal and the register's legal basis decide the same way on both
 * paths; several identities of one person are found together, of two people refused.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { SYSTEM_ACTOR } from '../../src/services/audit/auditLog.ts';
import { consentKeys } from '../../src/services/consent/keys.ts';
import { setSubjectRestricted } from '../../src/services/consent/restrictSubject.ts';
import { describeEachDatabase } from '../support/db.ts';
import type { TestServer } from '../support/server.ts';
import { same, startConsentServer } from './support.ts';

const ORG = 'nestit-group';
const WORDING = 'Yes, send me NestIT newsletters by e-mail. I can unsubscribe at any time.';

describeEachDatabase('contact checks', (kind) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startConsentServer({ kind });
  }, 60_000);
  afterAll(async () => t?.close());

  const post = (url: string, payload: unknown) =>
    t.server.inject({ method: 'POST', url, payload: payload as object, headers: same(t.cookie) });
  const grant = async (identity: object, at: string) =>
    expect(
      (
        await post(`/api/v1/organizations/${ORG}/consents`, {
          identity,
          purpose: 'communication-subscription',
          channel: 'email',
          wording: WORDING,
          source: 'checkout',
          at,
        })
      ).statusCode,
    ).toBe(201);
  const check = async (identity: object, purpose = 'communication-subscription') =>
    (
      await post(`/api/v1/organizations/${ORG}/contact-checks`, { identity, purpose, channel: 'email' })
    ).json();
  const bulk = async (recipients: string[], purpose = 'communication-subscription') =>
    (
      await post(`/api/v1/organizations/${ORG}/contact-checks/bulk`, {
        purpose,
        channel: 'email',
        recipients,
      })
    ).json();

  test('P38 P44 single lookups and the send-list filter agree on consent, withdrawal, objection and restriction', async () => {
    // granted; granted then withdrawn; granted then objected to direct marketing; objected then
    // granted again (a newer expression of will); granted but restricted (Art. 18); never asked.
    await grant({ email: 'ok@example.se', customerNumber: 'NI-1' }, '2026-01-01T10:00:00Z');
    await grant({ email: 'gone@example.se' }, '2026-01-01T10:00:00Z');
    await post(`/api/v1/organizations/${ORG}/consents/withdrawals`, {
      identity: { email: 'gone@example.se' },
      purpose: 'communication-subscription',
      channel: 'email',
      source: 'preference-center',
      at: '2026-01-02T10:00:00Z',
    });
    await grant({ email: 'objector@example.se' }, '2026-01-01T10:00:00Z');
    await post(`/api/v1/organizations/${ORG}/objections`, {
      identity: { email: 'objector@example.se' },
      purpose: 'direct-marketing',
      source: 'customer-service',
      at: '2026-01-03T10:00:00Z',
    });
    await post(`/api/v1/organizations/${ORG}/objections`, {
      identity: { email: 'back@example.se' },
      purpose: 'direct-marketing',
      source: 'customer-service',
      at: '2026-01-01T10:00:00Z',
    });
    await grant({ email: 'back@example.se' }, '2026-01-04T10:00:00Z');
    await grant({ email: 'held@example.se' }, '2026-01-01T10:00:00Z');
    const keys = await consentKeys(t.app.db, t.app.config.secret);
    const index = (await t.app.registers.get())!.index;
    await setSubjectRestricted(t.app.db, SYSTEM_ACTOR, keys, index, {
      orgId: ORG,
      identity: { email: 'held@example.se' },
      restricted: true,
    });

    const expected = {
      'ok@example.se': 'consent-granted',
      'gone@example.se': 'consent-withdrawn',
      'objector@example.se': 'objected-direct-marketing',
      'back@example.se': 'consent-granted',
      'held@example.se': 'restricted',
      'stranger@example.se': 'no-consent',
    } as const;
    for (const [email, reason] of Object.entries(expected))
      expect(await check({ email }), email).toMatchObject({
        allowed: reason === 'consent-granted',
        reason,
        basis: 'consent',
      });
    // Asked twice in a row (the second time through the prepared statement): the same answer.
    expect((await check({ email: 'gone@example.se' })).reason).toBe('consent-withdrawn');

    const list = Object.keys(expected);
    const res = await bulk([...list, ' OK@Example.se ']);
    expect(res.allowed).toEqual(['ok@example.se', 'back@example.se']);
    expect(res.refused).toEqual([
      { index: 1, reason: 'consent-withdrawn' },
      { index: 2, reason: 'objected-direct-marketing' },
      { index: 4, reason: 'restricted' },
      { index: 5, reason: 'no-consent' },
      { index: 6, reason: 'duplicate' },
    ]);

    // Legitimate interest: everyone may be surveyed except the restricted person; an objection to
    // direct marketing does not touch a purpose that is not direct marketing.
    expect((await bulk(list, 'surveys')).refused).toEqual([{ index: 4, reason: 'restricted' }]);
    expect(await check({ email: 'objector@example.se' }, 'surveys')).toMatchObject({
      allowed: true,
      basis: 'legitimate-interests',
    });
  });

  test('several identities of one person are looked up together; of two people, refused', async () => {
    await grant({ email: 'twin@example.se', customerNumber: 'NI-2' }, '2026-02-01T10:00:00Z');
    await grant({ email: 'other@example.se' }, '2026-02-01T10:00:00Z');
    const both = await check({ email: 'twin@example.se', customerNumber: 'NI-2' });
    expect(both).toMatchObject({ allowed: true, reason: 'consent-granted' });
    expect(both.subjectId).toBe((await check({ customerNumber: 'NI-2' })).subjectId);
    const mixed = await post(`/api/v1/organizations/${ORG}/contact-checks`, {
      identity: { email: 'other@example.se', customerNumber: 'NI-2' },
      purpose: 'communication-subscription',
      channel: 'email',
    });
    expect(mixed.statusCode).toBe(409);
    expect(mixed.json().code).toBe('identities-of-different-subjects');
    expect(mixed.body).not.toContain('other@example.se');
  });
});
