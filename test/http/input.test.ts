/**
 * Text PostgreSQL cannot store (NUL, lone UTF-16 surrogates) is refused at the edge, for every route,
 * with a 400 problem+json naming the field; authentication still answers first (401/403).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { unstorableFields } from '../../src/http/input.ts';
import { SAME_ORIGIN } from '../security/helpers.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { FORM } from '../support/http.ts';

const JSON_TYPE = { 'content-type': 'application/json' };
const UUID = '00000000-0000-4000-8000-000000000000';

describe('unstorable text at the edge', () => {
  let ts: TestServer;
  beforeAll(async () => {
    ts = await startTestServer();
  }, 60_000);
  afterAll(async () => ts?.close());

  /** The request, as the signed-in owner from the console's origin (or anonymously). */
  const send = (
    method: 'GET' | 'POST',
    url: string,
    body?: { form: Record<string, string> } | { json: unknown },
    opts: { anonymous?: boolean } = {},
  ) =>
    ts.server.inject({
      method,
      url,
      headers: {
        ...SAME_ORIGIN,
        accept: 'application/json',
        ...(opts.anonymous ? {} : { cookie: ts.cookie }),
        ...(body && 'form' in body ? FORM : body ? JSON_TYPE : {}),
      },
      ...(body && 'form' in body
        ? { payload: new URLSearchParams(body.form).toString() }
        : body
          ? { payload: JSON.stringify(body.json) }
          : {}),
    });

  const expectRefused = (res: Awaited<ReturnType<typeof send>>, path: string, what = /NUL/) => {
    expect(res.statusCode, res.body.slice(0, 300)).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const p = res.json();
    expect(p).toMatchObject({
      status: 400,
      code: 'invalid-request',
      type: 'https://ombud.dev/problems/invalid-request',
    });
    expect(p.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
    expect(p.errors.find((e: { path: string }) => e.path === path).message).toMatch(what);
  };

  test('the examples of issue 11 answer 400 naming the field, where they answered 500', async () => {
    expectRefused(
      await send(
        'POST',
        '/privacy/requests',
        {
          form: {
            company: 'nestit-sverige',
            type: 'access',
            email: 'a@example.se',
            name: 'a\0b',
            lang: 'en',
          },
        },
        { anonymous: true },
      ),
      'body.name',
    );
    expectRefused(
      await send('POST', '/console/login', { form: { email: '\0', password: 'x' } }, { anonymous: true }),
      'body.email',
    );
    expectRefused(
      await send(
        'POST',
        '/api/v1/cookie-consents',
        {
          json: {
            consentId: 'abcdefgh12',
            org: 'nestit-sverige',
            action: 'accept-all',
            categories: { statistics: true },
            inventoryVersion: '1\u0000',
            gpc: false,
            lang: 'en',
            url: 'https://www.nestit.se/',
          },
        },
        { anonymous: true },
      ),
      'body.inventoryVersion',
    );
    expectRefused(await send('GET', '/console/audit?actor=%00'), 'query.actor');
    expectRefused(await send('GET', '/api/v1/audit?actor=%00'), 'query.actor');
    expectRefused(
      await send('POST', `/api/v1/requests/${UUID}/notes`, { json: { note: 'n\0' } }),
      'body.note',
    );
    expectRefused(
      await send('POST', '/api/v1/users/invite', {
        json: { email: 'new@staff.example', name: 'N\0', orgId: 'provendo', role: 'auditor' },
      }),
      'body.name',
    );
    expectRefused(
      await send('POST', '/api/v1/webhooks/endpoints', {
        json: { url: 'https://esp.example/hooks', description: 'd\0' },
      }),
      'body.description',
    );
    expectRefused(
      await send('POST', '/api/v1/apikeys', {
        json: { name: 'key\0', orgIds: ['provendo'], permissions: ['register:read'] },
      }),
      'body.name',
    );
    expectRefused(await send('GET', '/api/v1/requests/%00'), 'params.id');
    // Nothing was written.
    const keys = await ts.app.db.query<{ n: number }>('SELECT count(*)::int AS n FROM api_keys');
    expect(keys[0]!.n).toBe(0);
  });

  test('a lone surrogate is refused the same way; a well-formed pair and other control characters pass', async () => {
    expectRefused(
      await send('POST', '/api/v1/apikeys', {
        json: { name: 'key \uD800', orgIds: ['provendo'], permissions: ['register:read'] },
      }),
      'body.name',
      /surrogate/,
    );
    expectRefused(
      await send(
        'POST',
        '/console/login',
        { json: { email: 'x\uDC00', password: 'x' } },
        { anonymous: true },
      ),
      'body.email',
      /surrogate/,
    );
    const ok = await send('POST', '/api/v1/apikeys', {
      json: { name: 'key 😀\t\u0001\u007f', orgIds: ['provendo'], permissions: ['register:read'] },
    });
    expect(ok.statusCode, ok.body).toBe(201);
  });

  test('nested fields, array items, keys and headers are named by their path, never echoing the value', async () => {
    const res = await send('POST', '/api/v1/organizations/provendo/consents', {
      json: { identity: { email: 'secret\0@example.se' }, tags: ['ok', 'x\0'], ['k\0ey']: 1 },
    });
    expect(res.statusCode).toBe(400);
    const paths = res.json().errors.map((e: { path: string }) => e.path);
    expect(paths.sort()).toEqual(['body', 'body.identity.email', 'body.tags.1']);
    expect(res.body).not.toContain('secret');
    const header = await ts.server.inject({
      method: 'GET',
      url: '/privacy',
      headers: { 'accept-language': 'sv\0' },
    });
    expectRefused(header, 'headers.accept-language');
  });

  test('a body kept as JSON text (the signed fulfilment callback) is read for escaped NULs too', async () => {
    const res = await ts.server.inject({
      method: 'POST',
      url: `/api/v1/fulfilment/callbacks/dlv_${'0'.repeat(32)}`,
      headers: JSON_TYPE,
      payload: '{"status":"done","data":{"customers":[{"name":"a\\u0000b"}]}}',
    });
    expectRefused(res, 'body.data.customers.0.name');
    const escaped = await ts.server.inject({
      method: 'POST',
      url: `/api/v1/fulfilment/callbacks/dlv_${'0'.repeat(32)}`,
      headers: JSON_TYPE,
      payload: '{"status":"done","message":"a\\\\u0000 is text, \\ud83d\\ude00 a pair"}',
    });
    expect(escaped.statusCode).toBe(404); // no such delivery: it got past the edge
  });

  test('authentication answers first: unauthenticated is 401, cross-site is 403, whatever the text', async () => {
    const anon = await send('POST', '/api/v1/apikeys', { json: { name: '\0' } }, { anonymous: true });
    expect(anon.statusCode).toBe(401);
    const crossSite = await ts.server.inject({
      method: 'POST',
      url: '/api/v1/apikeys',
      headers: { cookie: ts.cookie, origin: 'https://evil.example', ...JSON_TYPE },
      payload: JSON.stringify({ name: '\0' }),
    });
    expect(crossSite.statusCode).toBe(403);
  });

  test('the walk is iterative (deep nesting cannot exhaust the stack) and stops after 20 issues', () => {
    let deep: unknown = 'x\0';
    for (let i = 0; i < 500_000; i++) deep = [deep];
    const issues = unstorableFields('body', deep);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.path).toHaveLength(33);
    expect(
      unstorableFields(
        'body',
        Array.from({ length: 100 }, () => '\0'),
      ),
    ).toHaveLength(20);
    expect(unstorableFields('body', { a: ['fine', { b: 'é😀\n' }] })).toEqual([]);
  });
});
