/**
 * Access per resource over real rows (issue 11): consent subjects, cookie consents, webhook endpoints
 * and deliveries at provendo and at nestit-sverige, and one endpoint for every company. Users whose only
 * role is at provendo, and a provendo-only API key, get "not found" (or "forbidden") for the other
 * company's rows, see only their own company's rows in lists, and still do their own company's work.
 * Every expected status is written by hand.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Role } from '../../src/core/policies/permissions.ts';
import { createApiKey } from '../../src/services/apikeys/apiKeys.ts';
import { SYSTEM_ACTOR } from '../../src/services/audit/auditLog.ts';
import type { Propagator } from '../../src/services/consent/propagator.ts';
import { groupOf } from '../../src/services/register/group.ts';
import type { TestServer } from '../support/server.ts';
import { userWithRoles } from '../security/helpers.ts';
import { same, startConsentServer } from './support.ts';

const OWN = 'provendo';
const OTHER = 'nestit-sverige';
const OWN_EMAIL = 'own.customer@example.no';
const OTHER_EMAIL = 'other.customer@example.se';
const URLS = {
  own: 'https://own-esp.example/hooks',
  other: 'https://other-esp.example/hooks',
  all: 'https://group-esp.example/hooks',
};
const COOKIE_IDS = { own: 'own-visitor-0001', other: 'other-visitor-0001', both: 'both-visitor-0001' };

let t: TestServer;
const users = new Map<Role | 'engineer-everywhere', string>();
let key = '';
let subjects: { own: string; other: string };
let deliveries: { own: string; other: string; ownToAll: string; otherToAll: string };

const owner = (method: 'GET' | 'POST', url: string, payload?: object) =>
  t.server.inject({ method, url, payload, headers: same(t.cookie) });
const as = (who: Role | 'engineer-everywhere', method: 'GET' | 'POST', url: string, payload?: object) =>
  t.server.inject({ method, url, payload, headers: same(users.get(who)!) });
const withKey = (method: 'GET' | 'POST', url: string, payload?: object) =>
  t.server.inject({ method, url, payload, headers: { authorization: `Bearer ${key}` } });
const count = async (sql: string, params: unknown[] = []) =>
  Number((await t.app.db.query<{ n: string }>(sql, params))[0]!.n);

beforeAll(async () => {
  t = await startConsentServer();
  // Endpoints first, so that the consent events below each get deliveries.
  for (const [org, url] of [
    [OWN, URLS.own],
    [OTHER, URLS.other],
    [undefined, URLS.all],
  ] as const) {
    const r = await owner('POST', '/api/v1/webhooks/endpoints', { url, ...(org ? { orgId: org } : {}) });
    expect(r.statusCode).toBe(201);
  }
  for (const [org, email] of [
    [OWN, OWN_EMAIL],
    [OTHER, OTHER_EMAIL],
  ] as const) {
    const r = await owner('POST', `/api/v1/organizations/${org}/consents`, {
      identity: { email },
      purpose: 'communication-subscription',
      channel: 'email',
      wording: 'Yes, send me offers by e-mail.',
      source: 'checkout',
    });
    expect(r.statusCode).toBe(201);
  }
  const subjectRows = await t.app.db.query<{ id: string; org_id: string }>(
    'SELECT id, org_id FROM consent_subjects',
  );
  subjects = {
    own: subjectRows.find((s) => s.org_id === OWN)!.id,
    other: subjectRows.find((s) => s.org_id === OTHER)!.id,
  };
  const dRows = await t.app.db.query<{ id: string; org_id: string; url: string }>(
    'SELECT d.id, d.org_id, e.url FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id',
  );
  const pick = (org: string, url: string) => dRows.find((d) => d.org_id === org && d.url === url)!.id;
  deliveries = {
    own: pick(OWN, URLS.own),
    other: pick(OTHER, URLS.other),
    ownToAll: pick(OWN, URLS.all),
    otherToAll: pick(OTHER, URLS.all),
  };
  expect(dRows).toHaveLength(4);
  await t.app.db.query(`UPDATE webhook_deliveries SET status = 'dead'`);
  // Cookie-banner choices: one visitor per company, and one visitor with choices at both.
  for (const [consentId, org, site] of [
    [COOKIE_IDS.own, OWN, 'https://provendo.example/'],
    [COOKIE_IDS.other, OTHER, 'https://nestit-sverige.example/secret-page'],
    [COOKIE_IDS.both, OWN, 'https://provendo.example/'],
    [COOKIE_IDS.both, OTHER, 'https://nestit-sverige.example/secret-page'],
  ] as const) {
    const r = await t.server.inject({
      method: 'POST',
      url: '/api/v1/cookie-consents',
      payload: {
        consentId,
        org,
        action: 'reject-all',
        categories: { necessary: true, analytics: false, marketing: false },
        inventoryVersion: 'v-test',
        gpc: false,
        lang: 'en',
        url: site,
      },
    });
    expect(r.statusCode).toBe(201);
  }
  for (const role of ['cs-agent', 'privacy-agent', 'dpo', 'auditor', 'engineer'] as const)
    users.set(role, (await userWithRoles(t.app, t.server, `acc-${role}`, [{ orgId: OWN, role }])).cookie);
  const group = await groupOf(t.app.registers);
  users.set(
    'engineer-everywhere',
    (
      await userWithRoles(
        t.app,
        t.server,
        'acc-engineer-everywhere',
        group.orgIds.map((orgId) => ({ orgId, role: 'engineer' as const })),
      )
    ).cookie,
  );
  key = (
    await createApiKey(t.app.db, SYSTEM_ACTOR, {
      name: 'provendo systems',
      orgIds: [OWN],
      permissions: ['consent:read', 'consent:write', 'webhooks:manage'],
      expiresInDays: null,
    })
  ).key;
}, 120_000);
afterAll(() => t?.close());

describe('P21 cookie consents', () => {
  test('P21 another company visitor is not found for provendo roles and the provendo key, and leaks nothing', async () => {
    for (const who of ['cs-agent', 'privacy-agent', 'dpo', 'auditor'] as const) {
      const r = await as(who, 'GET', `/api/v1/cookie-consents/${COOKIE_IDS.other}`);
      expect(r.statusCode, who).toBe(404);
      expect(r.body).not.toContain('nestit-sverige.example');
      expect(r.body).not.toContain(COOKIE_IDS.other);
    }
    const k = await withKey('GET', `/api/v1/cookie-consents/${COOKIE_IDS.other}`);
    expect(k.statusCode).toBe(404);
    expect(k.body).not.toContain('nestit-sverige.example');
    // An engineer holds no consent:read at all: refused at the edge.
    expect((await as('engineer', 'GET', `/api/v1/cookie-consents/${COOKIE_IDS.other}`)).statusCode).toBe(403);
    // The same answer as for an id nobody has used.
    const unknown = await as('dpo', 'GET', '/api/v1/cookie-consents/never-seen-0001');
    expect(unknown.statusCode).toBe(404);
  });

  test('P21 a visitor with choices at both companies: provendo sees only its own rows', async () => {
    for (const r of [
      await as('cs-agent', 'GET', `/api/v1/cookie-consents/${COOKIE_IDS.both}`),
      await withKey('GET', `/api/v1/cookie-consents/${COOKIE_IDS.both}`),
    ]) {
      expect(r.statusCode).toBe(200);
      expect(r.json().map((row: { org_id: string }) => row.org_id)).toEqual([OWN]);
      expect(r.body).not.toContain('nestit-sverige.example');
    }
    const all = await owner('GET', `/api/v1/cookie-consents/${COOKIE_IDS.both}`);
    expect(all.json().map((row: { org_id: string }) => row.org_id)).toEqual([OWN, OTHER]);
  });

  test('P21 provendo roles and the key still read their own visitors, and each read is audited at provendo', async () => {
    for (const r of [
      await as('auditor', 'GET', `/api/v1/cookie-consents/${COOKIE_IDS.own}`),
      await withKey('GET', `/api/v1/cookie-consents/${COOKIE_IDS.own}`),
    ]) {
      expect(r.statusCode).toBe(200);
      expect(r.json()).toHaveLength(1);
      expect(r.json()[0]).toMatchObject({ org_id: OWN, action: 'reject-all' });
    }
    expect(
      await count(
        `SELECT count(*) AS n FROM audit_log WHERE action = 'cookie-consent.read' AND org_id IS NULL`,
      ),
    ).toBe(0);
  });
});

describe('P21 consent subjects', () => {
  test('P21 another company customer cannot be opened or changed from the console, and nothing leaks', async () => {
    const before = await count('SELECT count(*) AS n FROM consent_events WHERE subject_id = $1', [
      subjects.other,
    ]);
    for (const who of ['cs-agent', 'privacy-agent', 'dpo', 'auditor'] as const) {
      const page = await as(who, 'GET', `/console/consent/subjects/${subjects.other}`);
      expect(page.statusCode, who).toBe(404);
      expect(page.body).not.toContain('other.customer');
      expect(page.body).not.toContain('Yes, send me offers');
    }
    for (const who of ['cs-agent', 'privacy-agent', 'dpo'] as const) {
      const change = await as(who, 'POST', `/console/consent/subjects/${subjects.other}/events`, {
        purpose: 'communication-subscription',
        channel: 'email',
        kind: 'withdraw',
      });
      expect(change.statusCode, who).toBe(404);
    }
    // An auditor may not change consent anywhere: refused at the edge.
    expect(
      (
        await as('auditor', 'POST', `/console/consent/subjects/${subjects.other}/events`, {
          purpose: 'communication-subscription',
          channel: 'email',
          kind: 'withdraw',
        })
      ).statusCode,
    ).toBe(403);
    expect(
      await count('SELECT count(*) AS n FROM consent_events WHERE subject_id = $1', [subjects.other]),
    ).toBe(before);
  });

  test('P21 the consent API of another company is refused for provendo roles and the key', async () => {
    const body = { identity: { email: OTHER_EMAIL } };
    for (const r of [
      await as('cs-agent', 'POST', `/api/v1/organizations/${OTHER}/subjects/consent-history`, body),
      await withKey('POST', `/api/v1/organizations/${OTHER}/subjects/consent-history`, body),
      await withKey('POST', `/api/v1/organizations/${OTHER}/consents/withdrawals`, {
        ...body,
        purpose: 'communication-subscription',
        channel: 'email',
      }),
    ]) {
      expect(r.statusCode).toBe(403);
      expect(r.body).not.toContain('Yes, send me offers');
    }
  });

  test('P21 provendo roles still see and change their own customer', async () => {
    const page = await as('cs-agent', 'GET', `/console/consent/subjects/${subjects.own}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Yes, send me offers');
    expect((await as('auditor', 'GET', `/console/consent/subjects/${subjects.own}`)).statusCode).toBe(200);
    const change = await as('privacy-agent', 'POST', `/console/consent/subjects/${subjects.own}/events`, {
      purpose: 'communication-subscription',
      channel: 'email',
      kind: 'withdraw',
    });
    expect(change.statusCode).toBe(303);
    const history = await withKey('POST', `/api/v1/organizations/${OWN}/subjects/consent-history`, {
      identity: { email: OWN_EMAIL },
    });
    expect(history.statusCode).toBe(200);
    expect(history.json().events.map((e: { kind: string }) => e.kind)).toEqual(['grant', 'withdraw']);
  });
});

describe('P21 webhooks', () => {
  test('P21 a provendo engineer or DPO cannot subscribe to every company or to another company; nothing is created', async () => {
    const before = await count('SELECT count(*) AS n FROM webhook_endpoints');
    for (const who of ['engineer', 'dpo'] as const) {
      const all = await as(who, 'POST', '/api/v1/webhooks/endpoints', { url: 'https://evil.example/all' });
      expect(all.statusCode, who).toBe(403);
      expect(all.body).not.toContain('whsec_');
      const other = await as(who, 'POST', '/api/v1/webhooks/endpoints', {
        url: 'https://evil.example/other',
        orgId: OTHER,
      });
      expect(other.statusCode, who).toBe(403);
    }
    const k = await withKey('POST', '/api/v1/webhooks/endpoints', { url: 'https://evil.example/key' });
    expect(k.statusCode).toBe(403);
    expect(await count('SELECT count(*) AS n FROM webhook_endpoints')).toBe(before);
    expect(
      await count(`SELECT count(*) AS n FROM webhook_endpoints WHERE url LIKE 'https://evil.example/%'`),
    ).toBe(0);
  });

  test('P21 endpoint and delivery lists show only provendo rows', async () => {
    for (const r of [
      await as('engineer', 'GET', '/api/v1/webhooks/endpoints'),
      await withKey('GET', '/api/v1/webhooks/endpoints'),
    ]) {
      expect(r.statusCode).toBe(200);
      expect(r.json().map((e: { url: string }) => e.url)).toEqual([URLS.own]);
    }
    for (const r of [
      await as('engineer', 'GET', '/api/v1/webhooks/deliveries'),
      await withKey('GET', '/api/v1/webhooks/deliveries?status=dead'),
    ]) {
      expect(r.statusCode).toBe(200);
      const ids = r.json().map((d: { id: string }) => d.id);
      expect(ids).toEqual(expect.arrayContaining([deliveries.own, deliveries.ownToAll]));
      expect(ids).not.toContain(deliveries.other);
      expect(ids).not.toContain(deliveries.otherToAll);
      expect(new Set(r.json().map((d: { org_id: string }) => d.org_id))).toEqual(new Set([OWN]));
      expect(r.body).not.toContain(URLS.other);
    }
    const page = await as('engineer', 'GET', '/console/webhooks');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(deliveries.own);
    expect(page.body).not.toContain(deliveries.other);
    expect(page.body).not.toContain(deliveries.otherToAll);
    expect(page.body).not.toContain(URLS.other);
  });

  test('P21 replaying another company delivery is not found, on the API and in the console; its status stays', async () => {
    t.workers.propagator = { queue: async () => {} } as unknown as Propagator;
    try {
      for (const id of [deliveries.other, deliveries.otherToAll]) {
        expect((await as('engineer', 'POST', `/api/v1/webhooks/deliveries/${id}/replay`)).statusCode).toBe(
          404,
        );
        expect((await withKey('POST', `/api/v1/webhooks/deliveries/${id}/replay`)).statusCode).toBe(404);
        expect((await as('engineer', 'POST', `/console/webhooks/deliveries/${id}/replay`)).statusCode).toBe(
          404,
        );
      }
      const statuses = await t.app.db.query<{ status: string }>(
        'SELECT status FROM webhook_deliveries WHERE id = ANY($1::uuid[])',
        [[deliveries.other, deliveries.otherToAll]],
      );
      expect(statuses.map((s) => s.status)).toEqual(['dead', 'dead']);
      // Their own company's deliveries, including the one to the group-wide endpoint, replay.
      expect(
        (await as('engineer', 'POST', `/api/v1/webhooks/deliveries/${deliveries.own}/replay`)).statusCode,
      ).toBe(202);
      expect(
        (await withKey('POST', `/api/v1/webhooks/deliveries/${deliveries.ownToAll}/replay`)).statusCode,
      ).toBe(202);
    } finally {
      t.workers.propagator = undefined;
    }
    // Without a running propagator, another company's delivery is still "not found".
    expect(
      (await as('engineer', 'POST', `/api/v1/webhooks/deliveries/${deliveries.other}/replay`)).statusCode,
    ).toBe(404);
  });

  test('P21 a provendo engineer subscribes provendo; an engineer of every company may subscribe the whole group', async () => {
    const own = await as('engineer', 'POST', '/api/v1/webhooks/endpoints', {
      url: 'https://own-esp.example/second',
      orgId: OWN,
    });
    expect(own.statusCode).toBe(201);
    const everywhere = await as('engineer-everywhere', 'POST', '/api/v1/webhooks/endpoints', {
      url: 'https://group-esp.example/second',
    });
    expect(everywhere.statusCode).toBe(201);
    const listed = (await as('engineer-everywhere', 'GET', '/api/v1/webhooks/endpoints')).json();
    expect(listed.map((e: { url: string }) => e.url)).toEqual([
      URLS.own,
      URLS.other,
      URLS.all,
      'https://own-esp.example/second',
      'https://group-esp.example/second',
    ]);
  });
});
