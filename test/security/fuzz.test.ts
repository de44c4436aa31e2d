/**
 * Hostile input: fast-check throws malformed, oversized and unstorable input (NUL, lone UTF-16
 * surrogates, control characters, in paths, queries, JSON and form bodies) at every route of the
 * route table (public ones anonymously, the others as a signed-in group owner with a same-origin
 * header), at least 10,000 requests in all: never a 5xx, never a stack trace, never a crash, and
 * nothing written. It prints `fuzz: N inputs, M 5xx`.
 */
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildServer } from '../../src/http/server.ts';
import { observeContract } from '../support/contract.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { SAME_ORIGIN } from './helpers.ts';

let ts: TestServer;
let server: FastifyInstance;
beforeAll(async () => {
  ts = await startTestServer();
  // Without rate limits, so every generated request reaches validation and the handlers.
  ts.configure({ publicRateLimit: 1_000_000, loginRateLimit: 1_000_000 });
  // Its answers are checked against the contract like every test server's (test/support/contract.ts).
  server = await buildServer(ts.app, { logger: false, observe: observeContract });
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

/** Characters PostgreSQL refuses or cannot encode (NUL, lone surrogates), control and odd characters. */
const BAD = ['\u0000', '\uD800', '\uDBFF', '\uDC00', '\uDFFF', '\u0001', '\u0008', '\u001B', '\u007F'];
const ODD = [...BAD, '\t', '\n', '\r', '\u0085', '\u2028', '\uFEFF', '\uFFFF', '\uFFFD', '😀', '\u202E'];
const codeUnits = fc
  .array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 40 })
  .map((u) => String.fromCharCode(...u));
/** A plausible value with a bad character at a random place in it. */
const poisoned = fc
  .tuple(
    fc.constantFrom('frida@example.se', 'Frida Lost', '1', 'provendo', 'a note', 'https://shop.example/', ''),
    fc.constantFrom(...ODD),
    fc.nat(),
  )
  .map(([s, c, i]) => s.slice(0, i % (s.length + 1)) + c + s.slice(i % (s.length + 1)));
const nasty = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 200 }),
  codeUnits,
  poisoned,
  poisoned,
  fc.string({ unit: fc.constantFrom(...ODD, 'a', '@', ' ', '%'), maxLength: 30 }),
  fc.constantFrom(
    '../../etc/passwd',
    '%00',
    '\u0000',
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
/** Field names the routes read (from their schemas), so values reach the handlers, not only validation. */
const FIELDS = [
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
  'company',
  'type',
  'details',
  'lang',
  'note',
  'description',
  'url',
  'orgId',
  'org',
  'reason',
  'wording',
  'purpose',
  'channel',
  'source',
  'inventoryVersion',
  'consentId',
  'actor',
  'action',
  'phone',
  'customerNumber',
  's',
  'submissionId',
  'next',
];
const jsonValue = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.dictionary(
    fc.oneof(fc.constantFrom(...FIELDS), fc.constantFrom(...FIELDS), poisoned),
    fc.oneof(
      nasty,
      fc.array(nasty, { maxLength: 5 }),
      fc.dictionary(fc.constantFrom('email', 'phone', 'customerNumber', 'x'), nasty, { maxKeys: 3 }),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
    ),
  ),
);
/** Percent-encoding that also carries lone surrogates (as their WTF-8 bytes, which encodeURIComponent refuses). */
function pct(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const pair = c >= 0xd800 && c <= 0xdbff && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
    if (pair) {
      out += encodeURIComponent(s.slice(i, i + 2));
      i++;
    } else if (c >= 0xd800 && c <= 0xdfff)
      out += [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f)]
        .map((b) => `%${b.toString(16).toUpperCase()}`)
        .join('');
    else out += encodeURIComponent(s[i]!);
  }
  return out;
}
const form = (fields: Record<string, string>) =>
  Object.entries(fields)
    .map(([k, v]) => `${pct(k)}=${pct(v)}`)
    .join('&');
const request = fc.record({
  params: fc.array(nasty, { minLength: 4, maxLength: 4 }),
  query: fc.dictionary(
    fc.constantFrom(
      'format',
      'lang',
      'version',
      'next',
      'org',
      'action',
      'limit',
      'token',
      'x',
      'actor',
      's',
    ),
    nasty,
    { maxKeys: 3 },
  ),
  body: fc.oneof(
    jsonValue.map((v) => ({ type: 'application/json', payload: JSON.stringify(v) })),
    nasty.map((s) => ({ type: 'application/json', payload: `{"broken": ${s}` })),
    nasty.map((s) => ({
      type: 'application/x-www-form-urlencoded',
      payload: form({ email: s, password: '' }),
    })),
    fc
      .dictionary(fc.constantFrom(...FIELDS), nasty, { maxKeys: 6 })
      .map((f) => ({ type: 'application/x-www-form-urlencoded', payload: form(f) })),
    nasty.map((s) => ({ type: 'text/plain', payload: s })),
  ),
});

function fill(url: string, params: string[]) {
  let i = 0;
  return url.replace(/:\w+/g, () => pct(params[i++ % params.length]!).slice(0, 3000));
}
const queryString = (q: Record<string, string>) =>
  Object.entries(q)
    .map(([k, v]) => `${pct(k)}=${pct(v)}`)
    .join('&');
/** Whether an input carries a character PostgreSQL refuses or a control character, in any part. */
const carriesBad = (r: { params: string[]; query: Record<string, string>; body: { payload: string } }) =>
  [...r.params, ...Object.values(r.query), r.body.payload].some(
    (s) =>
      s.includes('%00') ||
      /\\u00[01][0-9a-f]|\\u007f|\\ud[89a-f][0-9a-f]{2}/i.test(s) || // escaped in JSON
      [...s].some((ch) => {
        const c = ch.charCodeAt(0);
        return c < 0x20 || c === 0x7f || (c >= 0xd800 && c <= 0xdfff && ch.length === 1);
      }),
  );
/** Inputs per route: together at least 10,000. */
const TOTAL = 10_000;

describe('hostile input', () => {
  test('every route, at least 10,000 malformed, oversized and unstorable (NUL, lone surrogate, control character) requests: never a 5xx, no stack trace, nothing written', async () => {
    const before = await counts();
    const routes = server.routeTable.filter((r) => !r.url.startsWith('/api/docs'));
    expect(routes.length).toBeGreaterThan(20);
    const numRuns = Math.ceil(TOTAL / routes.length);
    let sent = 0;
    let bad = 0;
    let fivexx = 0;
    const failures: string[] = [];
    for (const route of routes) {
      await fc.assert(
        fc.asyncProperty(request, async (r) => {
          const qs = queryString(r.query);
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
          if (carriesBad(r)) bad++;
          if (res.statusCode >= 500) fivexx++;
          if (res.statusCode >= 500 || /\n\s+at .+:\d+:\d+/.test(res.body))
            failures.push(`${route.method} ${route.url} → ${res.statusCode} ${res.body.slice(0, 200)}`);
          // Always true: every input runs and is counted (no shrinking); failures are reported below.
          return true;
        }),
        { numRuns, seed: 4242 },
      );
    }
    console.log(
      `fuzz: ${sent} inputs, ${fivexx} 5xx (${routes.length} routes; ${bad} inputs carry NUL, lone surrogates or control characters)`,
    );
    expect(failures.slice(0, 20)).toEqual([]);
    expect(fivexx).toBe(0);
    expect(sent).toBeGreaterThanOrEqual(TOTAL);
    expect(bad).toBeGreaterThan(TOTAL / 10);
    expect(await counts()).toEqual(before);
    // Still alive.
    expect((await server.inject({ method: 'GET', url: '/privacy' })).statusCode).toBe(200);
  }, 600_000);

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
      { logger: false, observe: observeContract },
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
