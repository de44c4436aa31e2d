/**
 * The typed client (src/client) against a real server listening on loopback: the shop backend of
 * docs/client.md (examples/client/shop-backend.ts) files a request and reads a consent with a narrowly scoped
 * API key; problems arrive as OmbudApiError; and client:check's report names what changed in the contract.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { connectToOmbud, mayEmailNewsletter, requestErasure } from '../../examples/client/shop-backend.ts';
import { DOCUMENT_FILE, SCHEMA_FILE, staleness } from '../../scripts/openapi.ts';
import { createOmbudClient, OmbudApiError } from '../../src/client/index.ts';
import { sortKeys } from '../../src/http/openapiDocument.ts';
import { codeIn, type DeskServer, startDesk } from '../requests/support.ts';
import { apiKeyOn, baseUrlOf } from '../support/client.ts';
import { grantNewsletter, jsonApi } from '../support/http.ts';

let s: DeskServer;
let baseUrl: string;
beforeAll(async () => {
  s = await startDesk();
  baseUrl = await baseUrlOf(s);
}, 120_000);
afterAll(async () => s?.close());

/** The problem a call was refused with (the client throws every non-2xx answer). */
const refusal = (call: Promise<unknown>) =>
  call.then(
    () => {
      throw new Error('the call succeeded');
    },
    (e: unknown) => {
      expect(e).toBeInstanceOf(OmbudApiError);
      return e as OmbudApiError;
    },
  );

describe('the shop backend of docs/client.md', () => {
  test('files an erasure request and reads whether a customer may get the newsletter, with a key holding requests:write and consent:read in its company', async () => {
    const key = await apiKeyOn(s.app, {
      name: 'web shop',
      orgIds: ['nestit-sverige'],
      permissions: ['requests:write', 'consent:read'],
    });
    const ombud = connectToOmbud({ OMBUD_URL: baseUrl, OMBUD_API_KEY: key });
    const email = 'erase.me@example.org';

    const filed = await requestErasure(ombud, email, 'shop-request-0001');
    expect(filed).toMatchObject({
      submissionId: expect.any(String),
      reference: expect.stringMatching(/^R-[0-9A-F]{8}$/),
      replayed: false,
      requests: [{ orgId: 'nestit-sverige', type: 'erasure', state: 'received' }],
    });
    // The customer is asked to confirm the address (in Swedish, as filed).
    const mail = await s.smtp.waitFor((m) => m.to.includes(email));
    expect(codeIn(mail)).toMatch(/^\d{6}$/);
    // A retry with the shop's id files nothing twice.
    const again = await requestErasure(ombud, email, 'shop-request-0001');
    expect(again).toMatchObject({
      replayed: true,
      submissionId: (filed as { submissionId: string }).submissionId,
    });

    const customer = 'newsletter.reader@example.org';
    expect(await mayEmailNewsletter(ombud, customer)).toBe(false);
    const admin = jsonApi(() => s);
    expect((await grantNewsletter(admin, 'nestit-sverige', customer)).statusCode).toBe(201);
    expect(await mayEmailNewsletter(ombud, customer)).toBe(true);

    // The key is the company's: another company's consent is refused.
    const other = await refusal(
      ombud.POST('/api/v1/organizations/{orgId}/contact-checks', {
        params: { path: { orgId: 'provendo' } },
        body: { identity: { email: customer }, purpose: 'communication-subscription', channel: 'email' },
      }),
    );
    expect(other).toMatchObject({ status: 403, code: 'forbidden' });
  });

  test('the snippets in docs/client.md are the example, word for word', () => {
    const doc = readFileSync(new URL('../../docs/client.md', import.meta.url), 'utf8');
    const example = readFileSync(new URL('../../examples/client/shop-backend.ts', import.meta.url), 'utf8');
    const snippets = [...doc.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(snippets.length).toBeGreaterThan(0);
    for (const snippet of snippets) expect(example).toContain(snippet);
  });
});

describe('problems as OmbudApiError', () => {
  test('a field the API refuses: status, code, title, detail and the field paths; the operation named by its template, not its values', async () => {
    const ombud = createOmbudClient({ baseUrl, apiKey: await apiKeyOn(s.app) });
    const e = await refusal(
      ombud.POST('/api/v1/requests', {
        params: { header: { 'idempotency-key': 'shop-request-0002' } },
        body: { company: 'nestit-sverige', type: 'erasure', email: 'not an address' },
      }),
    );
    expect(e).toMatchObject({
      name: 'OmbudApiError',
      status: 400,
      code: 'invalid-request',
      title: 'invalid request',
      detail: 'The request body is not valid.',
      operation: 'POST /api/v1/requests',
    });
    expect(e.errors.map((x) => x.path)).toEqual(['body.email']);
    expect(e.message).toBe(
      'POST /api/v1/requests answered 400 invalid request: The request body is not valid.',
    );
  });

  test('no key, and an unknown key: 401 unauthenticated; the message never carries the identifiers of the call', async () => {
    const call = (apiKey?: string) =>
      refusal(
        createOmbudClient({ baseUrl, apiKey }).GET('/api/v1/requests/{id}', {
          params: { path: { id: '11111111-1111-4111-8111-111111111111' } },
        }),
      );
    for (const e of [await call(), await call(`omb_${'x'.repeat(43)}`)]) {
      expect(e).toMatchObject({
        status: 401,
        code: 'unauthenticated',
        operation: 'GET /api/v1/requests/{id}',
      });
      expect(e.message).not.toContain('11111111');
    }
  });

  test('an answer that is not a problem document still throws, with the status', async () => {
    const e = await refusal(
      createOmbudClient({
        baseUrl,
        fetch: async () => new Response('<html>Bad gateway</html>', { status: 502 }),
      }).GET('/healthz'),
    );
    expect(e).toMatchObject({ status: 502, code: undefined, title: 'HTTP 502', errors: [] });
  });
});

describe('the committed contract', () => {
  test('keys sorted at every level except a schema’s properties, which keep their declared order', () => {
    const doc = {
      paths: { '/b': {}, '/a': {} },
      components: {
        schemas: { X: { type: 'object', properties: { z: { type: 'string', maxLength: 3 }, a: {} } } },
      },
    };
    expect(JSON.stringify(sortKeys(doc))).toBe(
      '{"components":{"schemas":{"X":{"properties":{"z":{"maxLength":3,"type":"string"},"a":{}},"type":"object"}}},"paths":{"/a":{},"/b":{}}}',
    );
  });

  test('client:check reports the stale files and, for the document, the operations added, removed and changed', () => {
    const was = JSON.stringify(
      { paths: { '/a': { get: { summary: 'A' } }, '/gone': { post: {} } } },
      null,
      2,
    );
    const now = JSON.stringify(
      { paths: { '/a': { get: { summary: 'A!' } }, '/new': { put: {} } }, servers: [] },
      null,
      2,
    );
    expect(
      staleness({ [DOCUMENT_FILE]: was, [SCHEMA_FILE]: 'x' }, { [DOCUMENT_FILE]: was, [SCHEMA_FILE]: 'x' }),
    ).toEqual([]);
    expect(staleness({ [DOCUMENT_FILE]: was }, { [DOCUMENT_FILE]: now, [SCHEMA_FILE]: 'x\n' })).toEqual([
      'openapi/ombud.openapi.json: out of date (5 line(s) added, 4 removed)',
      '  ~ GET /a',
      '  + PUT /new',
      '  + servers',
      '  - POST /gone',
      'src/client/schema.ts: missing',
    ]);
  });
});
