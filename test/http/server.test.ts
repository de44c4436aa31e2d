import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import type { OmbudError } from '../../src/core/errors.ts';
import { buildServer } from '../../src/http/server.ts';
import { SAME_ORIGIN } from '../security/helpers.ts';
import { startTestServer, TEST_ADMIN, type TestServer } from '../support/server.ts';
import { sessionCookie, signIn } from '../support/http.ts';

describe('HTTP server on the demo group', () => {
  let ts: TestServer;
  beforeAll(async () => {
    ts = await startTestServer();
  });
  afterAll(async () => {
    await ts.close();
  });

  test('healthz answers with the database kind and the register revision', async () => {
    const res = await ts.server.inject('/healthz');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', database: 'pglite', registerRevision: 1 });
  });

  test('OpenAPI 3.1 is served and documents the API routes', async () => {
    const doc = (await ts.server.inject('/api/openapi.json')).json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/v1/register', '/api/v1/organizations/{orgId}/ropa', '/healthz']),
    );
    const docs = await ts.server.inject('/api/docs/');
    expect(docs.statusCode).toBe(200);
  });

  test('admin routes need authentication from day one: 401 problem+json for the API, a sign-in redirect for pages', async () => {
    const api = await ts.server.inject('/api/v1/register');
    expect(api.statusCode).toBe(401);
    expect(api.headers['content-type']).toContain('application/problem+json');
    expect(api.json()).toMatchObject({ status: 401, code: 'unauthenticated' });
    const page = await ts.server.inject({ url: '/console', headers: { accept: 'text/html' } });
    expect(page.statusCode).toBe(302);
    expect(page.headers.location).toBe('/console/login?next=%2Fconsole');
  });

  test('a signed-in administrator reads the register and downloads the Art. 30 record', async () => {
    const reg = await ts.server.inject({ url: '/api/v1/register', headers: { cookie: ts.cookie } });
    expect(reg.statusCode).toBe(200);
    expect(reg.json().register.purposes.length).toBeGreaterThanOrEqual(10);
    const csv = await ts.server.inject({
      url: '/api/v1/organizations/provendo/ropa?format=csv',
      headers: { cookie: ts.cookie },
    });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body.split('\r\n')[0]).toContain('"thirdCountryTransfers"');
    expect(csv.body).toContain('Provendo AS');
    const audit = await ts.app.db.query<{ action: string }>(
      "SELECT action FROM audit_log WHERE action = 'ropa.export'",
    );
    expect(audit).toHaveLength(1);
  });

  test('bad input gets problem+json naming the field, never a 500', async () => {
    const bad = await ts.server.inject({
      url: '/api/v1/organizations/NOT_AN_ID/ropa?format=xml',
      headers: { cookie: ts.cookie },
    });
    expect(bad.statusCode).toBe(400);
    const body = bad.json();
    expect(body.errors.map((e: { path: string }) => e.path)).toEqual(
      expect.arrayContaining(['params.orgId']),
    );
    const unknown = await ts.server.inject({
      url: '/api/v1/organizations/no-such-org/ropa',
      headers: { cookie: ts.cookie },
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().detail).toContain('no-such-org');
    const junk = await ts.server.inject({
      method: 'POST',
      url: '/console/login',
      payload: '{not json',
      headers: { 'content-type': 'application/json' },
    });
    expect(junk.statusCode).toBe(400);
    expect(junk.body).not.toMatch(/at .*:\d+:\d+/);
    expect(junk.json()).toMatchObject({ status: 400, code: 'bad-request' });
    const nowhere = await ts.server.inject('/nowhere');
    expect(nowhere.statusCode).toBe(404);
    expect(nowhere.headers['content-type']).toContain('application/problem+json');
  });

  test('cookie-authenticated changes from another origin are refused (CSRF)', async () => {
    const res = await ts.server.inject({
      method: 'POST',
      url: '/api/v1/apikeys',
      headers: { cookie: ts.cookie, origin: 'https://evil.example', 'content-type': 'application/json' },
      payload: { name: 'k', orgIds: ['provendo'], permissions: ['register:read'] },
    });
    expect(res.statusCode).toBe(403);
  });

  test('sign-out is same-origin only: a cross-site logout is refused and the session still works', async () => {
    for (const headers of [
      { origin: 'https://evil.example' },
      { referer: 'https://evil.example/page' },
      {}, // neither Origin nor Referer
    ]) {
      const res = await ts.server.inject({
        method: 'POST',
        url: '/console/logout',
        headers: { cookie: ts.cookie, host: 'localhost:80', ...headers },
      });
      expect(res.statusCode).toBe(403);
      expect(res.headers['set-cookie']).toBeUndefined();
    }
    const still = await ts.server.inject({ url: '/api/v1/register', headers: { cookie: ts.cookie } });
    expect(still.statusCode).toBe(200);
    // From the console's own page it signs out (a second session, so the others' tests keep theirs).
    const cookie = sessionCookie(await signIn(ts.server, TEST_ADMIN));
    const out = await ts.server.inject({
      method: 'POST',
      url: '/console/logout',
      headers: { cookie, ...SAME_ORIGIN },
    });
    expect(out.statusCode).toBe(303);
    expect(String(out.headers['set-cookie'])).toMatch(/^ombud_session=;/);
    expect((await ts.server.inject({ url: '/api/v1/register', headers: { cookie } })).statusCode).toBe(401);
    expect(
      (await ts.server.inject({ url: '/api/v1/register', headers: { cookie: ts.cookie } })).statusCode,
    ).toBe(200);
  });

  test('P01 P31 the public notice of each company names itself as controller and its own authority', async () => {
    const se = await ts.server.inject('/privacy/nestit-group?lang=sv');
    expect(se.statusCode).toBe(200);
    expect(se.headers['content-language']).toBe('sv');
    expect(se.body).toContain('NestIT Group AB (559471-7547) är personuppgiftsansvarig');
    expect(se.body).toContain('Integritetsskyddsmyndigheten (IMY)');
    const no = await ts.server.inject({
      url: '/privacy/provendo',
      headers: { 'accept-language': 'nb-NO,nb;q=0.9' },
    });
    expect(no.headers['content-language']).toBe('nb');
    expect(no.body).toContain('Provendo AS');
    expect(no.body).toContain('Datatilsynet');
    expect(no.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    const md = await ts.server.inject('/privacy/provendo/notice.md?lang=en');
    expect(md.headers['content-type']).toContain('text/markdown');
    expect(md.body).toMatch(/^# Privacy notice — Provendo AS/);
  });

  test('P09 every public notice page carries the Customize cookies link', async () => {
    const page = await ts.server.inject('/privacy/bokhylla');
    expect(page.body).toMatch(/<a href="#" data-ombud-cookie-settings>Customize cookies<\/a>/);
  });

  test('over https (OMBUD_PUBLIC_URL https://…) cookies are Secure and HSTS is sent; over http neither', async () => {
    const signInAdmin = (server: typeof ts.server) => signIn(server, TEST_ADMIN);
    // http (the test configuration: http://127.0.0.1:3000)
    expect(ts.app.config.publicUrl).toMatch(/^http:/);
    const plain = await signInAdmin(ts.server);
    expect(plain.statusCode).toBe(303);
    expect(String(plain.headers['set-cookie'])).toMatch(/^ombud_session=[^;]+;.*HttpOnly/);
    expect(String(plain.headers['set-cookie'])).not.toMatch(/Secure/i);
    expect(plain.headers['strict-transport-security']).toBeUndefined();
    expect((await ts.server.inject('/privacy')).headers['strict-transport-security']).toBeUndefined();

    const secure = await buildServer(
      { ...ts.app, config: { ...ts.app.config, publicUrl: 'https://privacy.nestit.example' } },
      { logger: false },
    );
    try {
      const res = await signInAdmin(secure);
      expect(res.statusCode).toBe(303);
      const set = String(res.headers['set-cookie']);
      expect(set).toMatch(/; Secure/);
      expect(set).toMatch(/HttpOnly/);
      expect(set).toMatch(/SameSite=Lax/);
      expect(res.headers['strict-transport-security']).toBe('max-age=31536000');
      for (const url of ['/privacy', '/api/v1/register', '/nowhere'])
        expect((await secure.inject(url)).headers['strict-transport-security']).toBe('max-age=31536000');
      const out = await secure.inject({
        method: 'POST',
        url: '/console/logout',
        headers: { cookie: set.split(';')[0]!, ...SAME_ORIGIN },
      });
      expect(out.statusCode).toBe(303);
      expect(String(out.headers['set-cookie'])).toMatch(/^ombud_session=;.*; Secure/);
    } finally {
      await secure.close();
    }
  });
});

test('a bad setting stops the start with the variable, the problem and the fix', () => {
  const err = (() => {
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x' });
    } catch (e) {
      return e as OmbudError;
    }
  })()!;
  expect(err.message).toContain('PORT: must be a number');
  expect(err.message).not.toContain('eighty');
  expect(err.message).toContain('DATABASE_URL: must start with postgres://');
  expect(err.hint).toContain('Fix the environment variable');
  expect(loadConfig({}).port).toBe(3000);
});

test('a bad setting is named with what it expects, never echoing its value (it may hold a password or the secret)', () => {
  const values = {
    OMBUD_SECRET: 'hunter2-too-short',
    DATABASE_URL: 'mysql://admin:Pa55word-db@db.example/ombud',
    SMTP_URL: 'http://mailer:Pa55word-smtp@smtp.example',
    OMBUD_PUBLIC_URL: 'privacy token=Pa55word-url',
    OMBUD_API_KEY_CACHE_TTL_MS: '999999999',
    LOG_LEVEL: 'verbose-Pa55word-log',
    OMBUD_COOKIE_ORIGINS: 'ftp://Pa55word-origin',
  };
  let err: OmbudError | undefined;
  try {
    loadConfig(values);
  } catch (e) {
    err = e as OmbudError;
  }
  expect(err?.code).toBe('bad-configuration');
  const said = JSON.stringify({ message: err!.message, issues: err!.issues, hint: err!.hint });
  for (const name of Object.keys(values)) expect(said).toContain(`${name}: `);
  expect(err!.message).toContain('OMBUD_SECRET: must be at least 32 characters');
  expect(err!.message).toContain('DATABASE_URL: must start with postgres://');
  for (const value of Object.values(values)) expect(said).not.toContain(value);
  expect(said).not.toMatch(/Pa55word|hunter2|999999999/);
});
