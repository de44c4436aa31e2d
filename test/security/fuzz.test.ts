/**
 * Hostile input: fast-check throws malformed and oversized input at every route of the route
 * table (public ones anonymously, the others as a signed-in group owner with a same-origin
 * header): never a 5xx, never a stack trace, never a crash, and nothing written.
 */
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildServer } from '../../src/http/server.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { SAME_ORIGIN } from './helpers.ts';

let ts: TestServer;
let server: FastifyInstance;
beforeAll(async () => {
  ts = await startTestServer();
  // Without rate limits, so every generated request reaches validation and the handlers.
  ts.app.config.publicRateLimit = 1_000_000;
  ts.app.config.loginRateLimit = 1_000_000;
  server = await buildServer(ts.app, { logger: false });
}, 60_000);
afterAll(async () => {
  await server?.close();
  await ts?.close();
});

const TABLES = ['users', 'role_assignments', 'api_keys', 'register_revisions', 'notice_versions', 'sessions'];
async function counts() {
  const out: Record<string, number> = {};
  for (const t of TABLES)
    out[t] = (await ts.app.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${t}`))[0]!.n;
  return out;
}

const nasty = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 200 }),
  fc.constantFrom(
    '../../etc/passwd',
    '%00',
    '%',
    '%E0%A4%A',
    "' OR 1=1 --",
    '<script>alert(1)</script>',
    '{{7*7}}',
    '__proto__',
    'constructor',
    '0',
    '-1',
    '9'.repeat(400),
    'a'.repeat(5000),
    '00000000-0000-4000-8000-000000000000',
  ),
);
const jsonValue = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.dictionary(
    fc.constantFrom(
      'email',
      'password',
      'orgIds',
      'permissions',
      'name',
      'role',
      'userId',
      'code',
      'token',
      '__proto__',
    ),
    fc.oneof(nasty, fc.array(nasty, { maxLength: 5 }), fc.integer(), fc.boolean(), fc.constant(null)),
  ),
);
const request = fc.record({
  params: fc.array(nasty, { minLength: 4, maxLength: 4 }),
  query: fc.dictionary(
    fc.constantFrom('format', 'lang', 'version', 'next', 'org', 'action', 'limit', 'token', 'x'),
    nasty,
    {
      maxKeys: 3,
    },
  ),
  body: fc.oneof(
    jsonValue.map((v) => ({ type: 'application/json', payload: JSON.stringify(v) })),
    nasty.map((s) => ({ type: 'application/json', payload: `{"broken": ${s}` })),
    nasty.map((s) => ({
      type: 'application/x-www-form-urlencoded',
      payload: `email=${encodeURIComponent(s)}&password=`,
    })),
    nasty.map((s) => ({ type: 'text/plain', payload: s })),
  ),
});

function fill(url: string, params: string[]) {
  let i = 0;
  return url.replace(/:\w+/g, () => encodeURIComponent(params[i++ % params.length]!).slice(0, 3000));
}

describe('hostile input', () => {
  test('every route, thousands of malformed and oversized requests: never a 5xx, no stack trace, nothing written', async () => {
    const before = await counts();
    const routes = server.routeTable.filter((r) => !r.url.startsWith('/api/docs'));
    expect(routes.length).toBeGreaterThan(20);
    let sent = 0;
    const failures: string[] = [];
    for (const route of routes) {
      await fc.assert(
        fc.asyncProperty(request, async (r) => {
          const qs = new URLSearchParams(r.query).toString();
          const res = await server.inject({
            method: route.method as 'GET',
            url: `${fill(route.url, r.params)}${qs ? `?${qs}` : ''}`,
            headers: {
              ...(route.permission === 'public' ? {} : { cookie: ts.cookie }),
              ...SAME_ORIGIN,
              accept: 'application/json',
              ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { 'content-type': r.body.type }),
            },
            ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { payload: r.body.payload }),
          });
          sent++;
          if (res.statusCode >= 500 || /\n\s+at .+:\d+:\d+/.test(res.body))
            failures.push(`${route.method} ${route.url} → ${res.statusCode} ${res.body.slice(0, 200)}`);
          return res.statusCode < 500;
        }),
        { numRuns: 60, seed: 4242 },
      );
    }
    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThan(1000);
    expect(await counts()).toEqual(before);
    // Still alive.
    expect((await server.inject({ method: 'GET', url: '/privacy' })).statusCode).toBe(200);
  }, 240_000);

  test('bodies over the limit are refused with a problem document', async () => {
    const res = await server.inject({
      method: 'POST',
      url: '/console/login',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ email: 'x', password: 'y'.repeat(2 * 1024 * 1024) }),
    });
    expect(res.statusCode).toBe(413);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json().code).toBe('body-too-large');
  });

  test('public routes are rate limited, with a problem document', async () => {
    const limited = await buildServer(
      { ...ts.app, config: { ...ts.app.config, publicRateLimit: 5 } },
      { logger: false },
    );
    try {
      const codes: number[] = [];
      for (let i = 0; i < 7; i++)
        codes.push((await limited.inject({ method: 'GET', url: '/privacy' })).statusCode);
      expect(codes.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
      const res = await limited.inject({ method: 'GET', url: '/privacy' });
      expect(res.statusCode).toBe(429);
      expect(res.headers['content-type']).toContain('application/problem+json');
    } finally {
      await limited.close();
    }
  });

  test('security headers on every answer', async () => {
    const res = await server.inject({ method: 'GET', url: '/privacy' });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
  });
});
