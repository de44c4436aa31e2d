/**
 * P21 The console shows each person only what they may open: the navigation per role (a table written
 * by hand, not computed from can()), every shown section opens, and forbidden, missing, invalid and
 * failing console pages are HTML pages with a way back, while the API keeps problem+json.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Role } from '../../src/core/policies/permissions.ts';
import { buildServer } from '../../src/http/server.ts';
import { SAME_ORIGIN, userWithRoles } from '../security/helpers.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/** What each role, held at provendo only, sees in the console's navigation, in order. */
const NAV_P21: Record<Role | 'owner', string[]> = {
  owner: [
    'Register',
    'Data flow',
    'Notices',
    'Requests',
    'Tasks',
    'Retention',
    'Holds',
    'Breaches',
    'Analytics',
    'Audit log',
    'People',
    'Consent',
    'Cookies',
    'Audiences',
    'Propagation',
    'Account',
  ],
  dpo: [
    'Register',
    'Data flow',
    'Notices',
    'Requests',
    'Tasks',
    'Retention',
    'Holds',
    'Breaches',
    'Analytics',
    'Audit log',
    'People',
    'Consent',
    'Cookies',
    'Audiences',
    'Propagation',
    'Account',
  ],
  'privacy-agent': [
    'Register',
    'Data flow',
    'Notices',
    'Requests',
    'Tasks',
    'Retention',
    'Holds',
    'Breaches',
    'Analytics',
    'Consent',
    'Cookies',
    'Audiences',
    'Account',
  ],
  'cs-agent': ['Register', 'Data flow', 'Notices', 'Requests', 'Consent', 'Cookies', 'Audiences', 'Account'],
  engineer: ['Register', 'Data flow', 'Notices', 'Tasks', 'Propagation', 'Account'],
  auditor: [
    'Register',
    'Data flow',
    'Notices',
    'Requests',
    'Tasks',
    'Retention',
    'Holds',
    'Breaches',
    'Analytics',
    'Audit log',
    'Consent',
    'Cookies',
    'Audiences',
    'Account',
  ],
};

/** A console page each role may not open (403), and a missing row it could open if it existed (404). */
const MISSING = '00000000-0000-4000-8000-000000000000';
const FORBIDDEN_P21: Record<Role, { forbidden: string; missing: string }> = {
  dpo: { forbidden: '/console/audit?org=nestit-sverige', missing: `/console/retention/runs/${MISSING}` },
  'privacy-agent': { forbidden: '/console/audit', missing: `/console/requests/${MISSING}` },
  'cs-agent': { forbidden: '/console/retention', missing: `/console/requests/${MISSING}` },
  engineer: { forbidden: '/console/requests', missing: `/console/fulfilment/${MISSING}` },
  auditor: { forbidden: '/console/users', missing: `/console/retention/runs/${MISSING}` },
};

const ROLES = Object.keys(FORBIDDEN_P21) as Role[];

let ts: TestServer;
const cookies = {} as Record<Role | 'owner', string>;
beforeAll(async () => {
  ts = await startTestServer();
  cookies.owner = ts.cookie;
  for (const role of ROLES)
    cookies[role] = (
      await userWithRoles(ts.app, ts.server, `nav-${role}`, [{ orgId: 'provendo', role }])
    ).cookie;
}, 120_000);
afterAll(() => ts?.close());

const page = (url: string, cookie: string, headers: Record<string, string> = {}) =>
  ts.server.inject({ method: 'GET', url, headers: { cookie, accept: 'text/html,*/*;q=0.8', ...headers } });

function navOf(body: string): { label: string; href: string }[] {
  const nav = /<nav aria-label="Console">([\s\S]*?)<\/nav>/.exec(body);
  if (!nav) throw new Error('no console navigation on the page');
  return [...nav[1]!.matchAll(/<a href="([^"]+)"[^>]*>([^<]+)<\/a>/g)].map((m) => ({
    href: m[1]!,
    label: m[2]!,
  }));
}

describe('P21 console navigation per role', () => {
  test.each(Object.keys(NAV_P21) as (Role | 'owner')[])(
    'P21 %s at provendo sees exactly its sections, and each one opens',
    async (who) => {
      const home = await page('/console', cookies[who]);
      expect(home.statusCode).toBe(200);
      const nav = navOf(home.body);
      expect(nav.map((e) => e.label)).toEqual(NAV_P21[who]);
      for (const { href } of nav) {
        const res = await page(href, cookies[who]);
        expect(res.statusCode, `${who} ${href}`).toBe(200);
        // The section's own page shows the same navigation, with itself as the current one.
        expect(navOf(res.body).map((e) => e.label)).toEqual(NAV_P21[who]);
        expect(res.body).toContain(`<a href="${href}" aria-current="page">`);
      }
    },
    60_000,
  );

  test('P21 a page answered to a form post (body read first) carries the same navigation', async () => {
    ts.configure({ secretKeys: ts.app.config.secretKeys ?? `k1:${Buffer.alloc(32, 7).toString('base64')}` });
    const res = await ts.server.inject({
      method: 'POST',
      url: '/console/account/totp',
      headers: {
        cookie: cookies.engineer,
        ...SAME_ORIGIN,
        accept: 'text/html',
        'content-type': 'application/x-www-form-urlencoded',
      },
      payload: 'x=1',
    });
    expect(res.statusCode).toBe(200);
    expect(navOf(res.body).map((e) => e.label)).toEqual(NAV_P21.engineer);
  });

  test('P21 the register offers the record of processing only for companies where the person may read it', async () => {
    const cs = await page('/console', cookies['cs-agent']);
    expect(cs.body).not.toContain('/ropa?format=csv');
    const agent = await page('/console', cookies['privacy-agent']);
    expect(agent.body).toContain('/api/v1/organizations/provendo/ropa?format=csv');
    expect(agent.body).not.toContain('/api/v1/organizations/nestit-sverige/ropa');
    const owner = await page('/console', cookies.owner);
    expect(owner.body).toContain('/api/v1/organizations/nestit-sverige/ropa?format=csv');
  });
});

describe('P21 error pages for people, problem+json for programs', () => {
  test.each(ROLES)('P21 %s: a forbidden console page is a 403 HTML page with a way back', async (role) => {
    const res = await page(FORBIDDEN_P21[role].forbidden, cookies[role], {
      referer: 'http://localhost:80/console/notices',
      host: 'localhost:80',
    });
    expect(res.statusCode).toBe(403);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toContain('<h1>You do not have access to this page</h1>');
    expect(res.body).toContain('href="/console"');
    expect(res.body).toContain('href="/console/notices">Back to the previous page');
    expect(res.body).toMatch(/Reference for support: <code>forbidden · request req-[\w-]+<\/code>/);
    // Still the person's own navigation around it.
    expect(navOf(res.body).map((e) => e.label)).toEqual(NAV_P21[role]);
  });

  test.each(ROLES)('P21 %s: a missing id is a 404 HTML page with a way back', async (role) => {
    const res = await page(FORBIDDEN_P21[role].missing, cookies[role]);
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain('<h1>Not found</h1>');
    expect(res.body).toContain('href="/console"');
    // No id or other data of the request echoed back.
    expect(res.body).not.toContain(MISSING);
  });

  test('P21 an unknown console address is a 404 page: with the navigation when signed in, without it otherwise', async () => {
    const signedIn = await page('/console/no-such-page', cookies['cs-agent']);
    expect(signedIn.statusCode).toBe(404);
    expect(signedIn.headers['content-type']).toContain('text/html');
    expect(navOf(signedIn.body).map((e) => e.label)).toEqual(NAV_P21['cs-agent']);
    const anonymous = await page('/console/no-such-page', '');
    expect(anonymous.statusCode).toBe(404);
    expect(navOf(anonymous.body)).toEqual([]);
    expect(anonymous.body).toContain('href="/console/login"');
    expect(anonymous.body).not.toContain('Sign out');
  });

  test('P21 an invalid console query is a 400 HTML page naming the field, not its value', async () => {
    const res = await page('/console/audit?limit=lots', cookies.auditor);
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain('<h1>This could not be accepted</h1>');
    expect(res.body).toContain('<code>querystring.limit</code>');
    expect(res.body).not.toContain('lots');
  });

  test('P21 a failing console page is a 500 HTML page with the error id for support', async () => {
    const server: FastifyInstance = await buildServer(ts.app, {
      logger: false,
      extraRoutes: [
        async (s) => {
          s.get('/console/boom', { config: { permission: 'public' } }, async () => {
            throw new Error('secret detail: jane@example.org');
          });
        },
      ],
    });
    try {
      const res = await server.inject({ url: '/console/boom', headers: { accept: 'text/html' } });
      expect(res.statusCode).toBe(500);
      expect(res.headers['content-type']).toContain('text/html');
      expect(res.body).toContain('<h1>Something went wrong on our side</h1>');
      expect(res.body).toMatch(/error [0-9a-f-]{36}/);
      expect(res.body).not.toContain('jane@example.org');
      const api = await server.inject({ url: '/console/boom', headers: { accept: 'application/json' } });
      expect(api.headers['content-type']).toContain('application/problem+json');
      expect(api.json()).toMatchObject({
        status: 500,
        code: 'internal',
        instance: expect.stringMatching(/^urn:uuid:/),
      });
    } finally {
      await server.close();
    }
  });

  test('P21 the API still answers problem+json, even to a browser', async () => {
    const forbidden = await page('/api/v1/audit', cookies['cs-agent']);
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.headers['content-type']).toContain('application/problem+json');
    expect(forbidden.json()).toMatchObject({ status: 403, code: 'forbidden' });
    const missing = await page('/api/v1/no-such-thing', cookies['cs-agent']);
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toContain('application/problem+json');
    // A console page asked for by a program (no text/html) answers problem+json too.
    const program = await ts.server.inject({
      url: '/console/audit',
      headers: { cookie: cookies['cs-agent'], accept: 'application/json' },
    });
    expect(program.statusCode).toBe(403);
    expect(program.headers['content-type']).toContain('application/problem+json');
  });

  test('P21 privacy-center errors are pages in the visitor language (en, sv, nb)', async () => {
    const sv = await page('/privacy/no-such-company?lang=sv', '');
    expect(sv.statusCode).toBe(404);
    expect(sv.headers['content-type']).toContain('text/html');
    expect(sv.body).toContain('<html lang="sv">');
    expect(sv.body).toContain('<h1>Sidan finns inte</h1>');
    expect(sv.body).toContain('href="/privacy?lang=sv"');
    const nb = await page('/privacy/no-such-company', '', { 'accept-language': 'nb-NO,nb;q=0.9' });
    expect(nb.body).toContain('<h1>Siden finnes ikke</h1>');
    expect(nb.body).toContain('Tilbake til personvernsenteret');
    const en = await page('/privacy/no/such/page', '', { 'accept-language': 'en-GB' });
    expect(en.statusCode).toBe(404);
    expect(en.body).toContain('<h1>Page not found</h1>');
    expect(en.body).not.toContain('<nav aria-label="Console">');
  });
});
