/**
 * The console's consent desk: an agent finds a customer by an identity sent in a POST body, sees what
 * may be sent on which basis and the history as proof, and records the change the customer asks for.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { userWithRoles } from '../security/helpers.ts';
import { startConsentServer, same } from './support.ts';
import type { TestServer } from '../support/server.ts';
import { FORM } from '../support/http.ts';

const ORG = 'nestit-sverige';
const form = (o: Record<string, string>) => new URLSearchParams(o).toString();

describe('console consent desk', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startConsentServer();
    const res = await t.server.inject({
      method: 'POST',
      url: `/api/v1/organizations/${ORG}/consents`,
      headers: same(t.cookie),
      payload: {
        identity: { email: 'Greta.Phone@Example.se' },
        purpose: 'communication-subscription',
        channel: 'email',
        wording: 'Yes, send me the NestIT newsletter by e-mail.',
        noticeVersion: 1,
        source: 'checkout',
      },
    });
    expect(res.statusCode).toBe(201);
  }, 60_000);
  afterAll(async () => t?.close());

  const find = (cookie: string, value: string, company = ORG) =>
    t.server.inject({
      method: 'POST',
      url: '/console/consent/find',
      headers: { ...same(cookie), ...FORM },
      payload: form({ company, kind: 'email', value }),
    });
  const check = async () =>
    (
      await t.server.inject({
        method: 'POST',
        url: `/api/v1/organizations/${ORG}/contact-checks`,
        headers: same(t.cookie),
        payload: {
          identity: { email: 'greta.phone@example.se' },
          purpose: 'communication-subscription',
          channel: 'email',
        },
      })
    ).json();

  test('P05 P38 an agent finds the customer by e-mail (never in a URL), sees basis, state and the proof, and records a withdrawal by phone', async () => {
    const agent = await userWithRoles(t.app, t.server, 'cs-sverige', [{ orgId: ORG, role: 'cs-agent' }]);
    const found = await find(agent.cookie, '  greta.phone@EXAMPLE.se ');
    expect(found.statusCode).toBe(303);
    const location = String(found.headers.location);
    expect(location).toMatch(/^\/console\/consent\/subjects\/[0-9a-f-]{36}$/);
    const page = await t.server.inject({ method: 'GET', url: location, headers: { cookie: agent.cookie } });
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('greta.phone@example.se');
    expect(page.body).toContain('g••••••••••@example.se');
    expect(page.body).toContain('Yes, send me the NestIT newsletter by e-mail.');
    expect(page.body).toMatch(
      /Subscription to communications[^<]*\(e-mail\)<\/td><td><span class="pill consent">consent<\/span><\/td><td class="on">may send/,
    );
    expect(page.body).toContain('checkout');
    expect(await check()).toMatchObject({ allowed: true });

    const subjectId = location.split('/').pop()!;
    const withdraw = await t.server.inject({
      method: 'POST',
      url: `/console/consent/subjects/${subjectId}/events`,
      headers: { ...same(agent.cookie), ...FORM },
      payload: form({ purpose: 'communication-subscription', channel: 'email', kind: 'withdraw' }),
    });
    expect(withdraw.statusCode).toBe(303);
    expect(await check()).toMatchObject({ allowed: false });
    const after = await t.server.inject({ method: 'GET', url: location, headers: { cookie: agent.cookie } });
    expect(after.body).toMatch(/class="kind-withdraw">withdraw<\/td>.*customer-service<\/td><td>user:/s);
    const audit = await t.app.db.query<{ action: string }>(
      `SELECT action FROM audit_log WHERE actor = $1 AND action LIKE 'consent.%' ORDER BY seq`,
      [`user:${agent.userId}`],
    );
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining(['consent.subject.find', 'consent.history.read', 'consent.withdraw']),
    );
    expect(JSON.stringify(await t.app.db.query('SELECT details, target FROM audit_log'))).not.toContain(
      'greta.phone',
    );
  });

  test('a consent the register does not collect at customer service is refused with the reason; unknown customers say so', async () => {
    const agent = await userWithRoles(t.app, t.server, 'cs-sverige-2', [{ orgId: ORG, role: 'cs-agent' }]);
    const location = String((await find(agent.cookie, 'greta.phone@example.se')).headers.location);
    const subjectId = location.split('/').pop()!;
    const grant = await t.server.inject({
      method: 'POST',
      url: `/console/consent/subjects/${subjectId}/events`,
      headers: { ...same(agent.cookie), ...FORM },
      payload: form({
        purpose: 'communication-subscription',
        channel: 'email',
        kind: 'grant',
        wording: 'Customer said yes on the phone',
      }),
    });
    expect(grant.statusCode).toBe(422);
    // One message (not three), naming the sources and channels the register allows.
    expect(grant.body.split('role="alert"').length - 1).toBe(1);
    const sentence =
      'The register does not let consent to “Subscription to communications (newsletters and text messages)” be recorded at customer-service: it is collected only at checkout, account-creation, preference-center, on email, sms.';
    expect(grant.body).toContain(
      `role="alert">${sentence} Ask the customer to give it there, or add customer-service to the purpose&#39;s consent.collectedAt in the register.</div>`,
    );
    // The row offers no form that would fail, and points to the message rather than repeating it.
    expect(grant.body.split(sentence).length - 1).toBe(1);
    expect(grant.body).toContain('<p class="refusal">Not at customer service: see the message above.</p>');
    expect(grant.body).not.toContain('name="wording"');
    expect(await check()).toMatchObject({ allowed: false });

    const none = await find(agent.cookie, 'nobody@example.se');
    expect(none.statusCode).toBe(404);
    expect(none.body).toContain('No customer of NestIT Sverige AB has that e-mail address');
  });

  test('P27 P44 "stop all direct marketing" from the console objects on every channel at once, without balancing', async () => {
    const location = String((await find(t.cookie, 'greta.phone@example.se')).headers.location);
    const subjectId = location.split('/').pop()!;
    const page = await t.server.inject({ method: 'GET', url: location, headers: { cookie: t.cookie } });
    expect(page.body).toContain('Stop all direct marketing');
    const stop = await t.server.inject({
      method: 'POST',
      url: `/console/consent/subjects/${subjectId}/events`,
      headers: { ...same(t.cookie), ...FORM },
      payload: form({ purpose: 'direct-marketing', channel: '*', kind: 'object' }),
    });
    expect(stop.statusCode).toBe(303);
    const ads = (
      await t.server.inject({
        method: 'POST',
        url: `/api/v1/organizations/${ORG}/contact-checks`,
        headers: same(t.cookie),
        payload: { identity: { email: 'greta.phone@example.se' }, purpose: 'ad-matching', channel: 'email' },
      })
    ).json();
    expect(ads).toMatchObject({ allowed: false, reason: 'objected-direct-marketing' });
  });

  test('searching all companies the agent can see finds the customer where they are known', async () => {
    const dpo = await find(t.cookie, 'GRETA.phone@example.se', 'all');
    expect(dpo.statusCode).toBe(303);
    const page = await t.server.inject({
      method: 'GET',
      url: String(dpo.headers.location),
      headers: { cookie: t.cookie },
    });
    expect(page.body).toContain('<h2>NestIT Sverige AB</h2>');
    const other = await userWithRoles(t.app, t.server, 'cs-provendo-all', [
      { orgId: 'provendo', role: 'cs-agent' },
    ]);
    const hidden = await find(other.cookie, 'greta.phone@example.se', 'all');
    expect(hidden.statusCode).toBe(404);
    expect(hidden.body).toContain('No customer of the companies you can see');
  });

  test('P21 an agent of another company can neither find nor open the customer', async () => {
    const other = await userWithRoles(t.app, t.server, 'cs-provendo', [
      { orgId: 'provendo', role: 'cs-agent' },
    ]);
    expect((await find(other.cookie, 'greta.phone@example.se')).statusCode).toBe(403);
    const location = String((await find(t.cookie, 'greta.phone@example.se')).headers.location);
    const open = await t.server.inject({ method: 'GET', url: location, headers: { cookie: other.cookie } });
    // Another company's customer does not exist for the agent (consentSubjectPolicy): 404, not 403.
    expect(open.statusCode).toBe(404);
    const form403 = await t.server.inject({
      method: 'GET',
      url: '/console/consent',
      headers: { cookie: other.cookie },
    });
    expect(form403.body).not.toContain('value="nestit-sverige"');
  });
});
