/**
 * The consent API against a real server (PGlite and the PostgreSQL server): record with an
 * Idempotency-Key, withdraw, object, ask, filter a send list, prove, export suppressions.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { describeEachDatabase } from '../support/db.ts';
import type { TestServer } from '../support/server.ts';
import { same, startConsentServer } from './support.ts';

const ORG = 'nestit-group';
const WORDING = 'Yes, send me NestIT newsletters by e-mail. I can unsubscribe at any time.';

describeEachDatabase('consent API', (kind) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startConsentServer({ kind });
  }, 60_000);
  afterAll(async () => t?.close());

  const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
    t.server.inject({ method: 'POST', url, payload: payload as object, headers: same(t.cookie, headers) });
  const check = async (identity: object, purpose: string, channel: string) =>
    (await post(`/api/v1/organizations/${ORG}/contact-checks`, { identity, purpose, channel })).json();

  test('P38 newsletters only with consent: grant with wording, then withdraw; history is the proof', async () => {
    const who = { email: '  Anna.Svensson@Example.SE ' };
    expect(await check(who, 'communication-subscription', 'email')).toMatchObject({
      allowed: false,
      reason: 'no-consent',
      basis: 'consent',
    });
    const grant = await post(
      `/api/v1/organizations/${ORG}/consents`,
      {
        identity: who,
        purpose: 'communication-subscription',
        channel: 'email',
        wording: WORDING,
        noticeVersion: 1,
        source: 'checkout',
      },
      { 'idempotency-key': 'grant-anna-0001' },
    );
    expect(grant.statusCode).toBe(201);
    const ev = grant.json().event;
    expect(ev).toMatchObject({
      kind: 'grant',
      channel: 'email',
      wording: WORDING,
      noticeVersion: 1,
      source: 'checkout',
    });
    expect(ev.actor).toMatch(/^user:/);
    // Same key, same body: the first event, not a second one.
    const again = await post(
      `/api/v1/organizations/${ORG}/consents`,
      {
        identity: who,
        purpose: 'communication-subscription',
        channel: 'email',
        wording: WORDING,
        noticeVersion: 1,
        source: 'checkout',
      },
      { 'idempotency-key': 'grant-anna-0001' },
    );
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ replayed: true, event: { id: ev.id } });
    // Same key, different body: refused.
    const reused = await post(
      `/api/v1/organizations/${ORG}/consents`,
      {
        identity: who,
        purpose: 'communication-subscription',
        channel: 'sms',
        wording: WORDING,
        source: 'checkout',
      },
      { 'idempotency-key': 'grant-anna-0001' },
    );
    expect(reused.statusCode).toBe(409);
    expect(reused.json().code).toBe('idempotency-key-reused');

    // Lower-cased and trimmed: the same person however typed. E-mail consent does not cover SMS.
    expect(
      await check({ email: 'anna.svensson@example.se' }, 'communication-subscription', 'email'),
    ).toMatchObject({
      allowed: true,
      reason: 'consent-granted',
    });
    expect((await check(who, 'communication-subscription', 'sms')).allowed).toBe(false);

    const w = await post(`/api/v1/organizations/${ORG}/consents/withdrawals`, {
      identity: { email: 'ANNA.svensson@example.se' },
      purpose: 'communication-subscription',
      channel: 'email',
      source: 'customer-service',
    });
    expect(w.statusCode).toBe(201);
    expect(await check(who, 'communication-subscription', 'email')).toMatchObject({
      allowed: false,
      reason: 'consent-withdrawn',
    });

    const history = await post(`/api/v1/organizations/${ORG}/subjects/consent-history`, { identity: who });
    expect(history.statusCode).toBe(200);
    expect(history.json().events.map((e: { kind: string }) => e.kind)).toEqual(['grant', 'withdraw']);
    expect(history.json().events[0].wording).toBe(WORDING);

    // Evidence is immutable, in the database too.
    await expect(t.app.db.query('UPDATE consent_events SET wording = $1', ['changed'])).rejects.toThrow(
      /immutable/,
    );
    // Audited by ids, never by the address.
    const audit = await t.app.db.query<{ action: string; details: unknown; target: string }>(
      `SELECT action, details, target FROM audit_log WHERE action LIKE 'consent.%' ORDER BY seq`,
    );
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining(['consent.grant', 'consent.withdraw', 'consent.history.read']),
    );
    expect(JSON.stringify(audit)).not.toMatch(/anna/i);
  });

  test('P08 phone numbers in E.164: an SMS consent given as a national number is found by the international one', async () => {
    const r = await post(`/api/v1/organizations/provendo/consents`, {
      identity: { phone: '412 34 567', customerNumber: 'PV-1001' },
      purpose: 'communication-subscription',
      channel: 'sms',
      wording: 'Ja, send meg tilbud på SMS.',
      source: 'account-creation',
    });
    expect(r.statusCode).toBe(201);
    expect(
      (
        await post(`/api/v1/organizations/provendo/contact-checks`, {
          identity: { phone: '+47 41 23 45 67' },
          purpose: 'communication-subscription',
          channel: 'sms',
        })
      ).json(),
    ).toMatchObject({ allowed: true });
    // Subjects are per organization: the same number at another company is someone unknown there.
    expect((await check({ phone: '+4741234567' }, 'communication-subscription', 'sms')).allowed).toBe(false);
  });

  test('P27 an objection to legitimate-interest surveys stops them; lifting it resumes', async () => {
    const who = { email: 'erik@example.se' };
    expect(await check(who, 'surveys', 'email')).toMatchObject({
      allowed: true,
      basis: 'legitimate-interests',
    });
    const o = await post(`/api/v1/organizations/${ORG}/objections`, {
      identity: who,
      purpose: 'surveys',
      source: 'preference-center',
    });
    expect(o.statusCode).toBe(201);
    expect(await check(who, 'surveys', 'email')).toMatchObject({ allowed: false, reason: 'objected' });
    await post(`/api/v1/organizations/${ORG}/objections`, { identity: who, purpose: 'surveys', lift: true });
    expect((await check(who, 'surveys', 'email')).allowed).toBe(true);
    // Consent purposes cannot be "granted" for a legitimate-interest purpose: the problem names the fix.
    const bad = await post(`/api/v1/organizations/${ORG}/consents`, {
      identity: who,
      purpose: 'surveys',
      channel: 'email',
      wording: 'x',
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors[0]).toMatchObject({ path: 'kind' });
    expect(bad.json().hint).toMatch(/objection/);
  });

  test('P44 an objection to direct marketing removes the customer from ad matching at once', async () => {
    const list = ['kim@example.se', 'Lo@Example.se', 'not-an-address', 'kim@example.se', 'max@example.se'];
    const before = await post(`/api/v1/organizations/${ORG}/contact-checks/bulk`, {
      purpose: 'ad-matching',
      channel: 'email',
      recipients: list,
    });
    expect(before.json().allowed).toEqual(['kim@example.se', 'lo@example.se', 'max@example.se']);
    await post(`/api/v1/organizations/${ORG}/objections`, {
      identity: { email: 'lo@example.se' },
      purpose: 'direct-marketing',
      source: 'customer-service',
    });
    const after = (
      await post(`/api/v1/organizations/${ORG}/contact-checks/bulk`, {
        purpose: 'ad-matching',
        channel: 'email',
        recipients: list,
      })
    ).json();
    expect(after.allowed).toEqual(['kim@example.se', 'max@example.se']);
    expect(after.refused).toEqual([
      { index: 1, reason: 'objected-direct-marketing' },
      { index: 2, reason: 'invalid-address' },
      { index: 3, reason: 'duplicate' },
    ]);
    // Non-marketing communication on legitimate interest is not touched by it.
    expect((await check({ email: 'lo@example.se' }, 'surveys', 'email')).allowed).toBe(true);
    // The suppression list for the networks carries him, hashed: the register shares ad matching's address
    // only hashed (user.contact.email.hashed), so no plain list is given for it.
    const get = (url: string) =>
      t.server.inject({
        method: 'GET',
        url: `/api/v1/organizations/${ORG}${url}`,
        headers: { cookie: t.cookie },
      });
    const plain = await get('/suppressions?purpose=ad-matching&channel=email&format=csv');
    expect(plain.statusCode).toBe(409);
    expect(plain.headers['content-type']).toMatch(/problem\+json/);
    expect(plain.json()).toMatchObject({ code: 'hashed-only-purpose' });
    expect(plain.json().hint).toMatch(/suppressions\/hashed/);
    expect(plain.body).not.toContain('lo@example.se');
    // sha256("lo@example.se") by `printf 'lo@example.se' | sha256sum`.
    const LO = '2ea9be3720559775dbf6e719a8ecc74a91326f4a256756925870a48cbbbb802c';
    const hashed = await get('/suppressions/hashed?purpose=ad-matching&channel=email&rule=google-ads');
    expect(hashed.statusCode, hashed.body).toBe(200);
    expect(hashed.json()).toEqual({
      purpose: 'ad-matching',
      channel: 'email',
      rule: 'google-ads@2',
      count: 1,
      skipped: 0,
      suppressions: [{ sha256: LO, reason: 'objected-direct-marketing' }],
    });
    const file = await get('/suppressions/hashed?purpose=ad-matching&channel=email&rule=meta&format=csv');
    expect(file.statusCode).toBe(200);
    expect(file.body).toBe(`sha256,reason\n${LO},objected-direct-marketing\n`);
    expect(file.body).not.toMatch(/@/);
    // A purpose that processes the plain address (the newsletter) still gets the plain list for its mail provider.
    expect((await get('/suppressions?purpose=communication-subscription&channel=email')).statusCode).toBe(
      200,
    );
  });

  test('bad input gets problem+json naming the field; identities never appear in errors', async () => {
    const r = await post(`/api/v1/organizations/${ORG}/consents`, {
      identity: { email: 'secret-person-at-example' },
      purpose: 'communication-subscription',
      channel: 'email',
      wording: WORDING,
      source: 'checkout',
    });
    expect(r.statusCode).toBe(422);
    expect(r.headers['content-type']).toMatch(/problem\+json/);
    expect(r.json().errors[0].path).toBe('identity.email');
    expect(r.body).not.toContain('secret-person');
    const p = await post(`/api/v1/organizations/${ORG}/consents`, {
      identity: { email: 'a@example.se' },
      purpose: 'nope',
      channel: 'email',
      wording: WORDING,
      source: 'checkout',
    });
    expect(p.json().errors[0]).toMatchObject({ path: 'purpose' });
    const c = await post(`/api/v1/organizations/${ORG}/consents`, {
      identity: { email: 'a@example.se' },
      purpose: 'communication-subscription',
      channel: 'post',
      wording: WORDING,
      source: 'checkout',
    });
    expect(c.json().errors[0]).toMatchObject({ path: 'channel' });
    expect(c.json().errors[0].hint).toMatch(/email, sms/);
    const none = await t.server.inject({
      method: 'POST',
      url: `/api/v1/organizations/${ORG}/contact-checks`,
      payload: { identity: { email: 'a@example.se' }, purpose: 'surveys', channel: 'email' },
    });
    expect(none.statusCode).toBe(401);
  });
});
