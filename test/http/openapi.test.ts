/**
 * The OpenAPI document a generator can trust (src/http/openapi.ts): every operation has a unique
 * operationId, its security requirement, its problem responses; servers from OMBUD_PUBLIC_URL; the webhooks
 * Ombud sends, with their real payloads; examples the server accepts. Expectations are written by hand.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { operationIdOf } from '../../src/http/openapi.ts';
import { consentKeys } from '../../src/services/consent/keys.ts';
import { consentWebhookEventOf, webhookPayload } from '../../src/services/consent/webhooks.ts';
import { grantNewsletter, jsonApi } from '../support/http.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

type Operation = {
  operationId: string;
  security?: Record<string, string[]>[];
  responses: Record<string, { $ref?: string; description?: string }>;
  requestBody?: { content: Record<string, { examples?: Record<string, { value: unknown }> }> };
  parameters?: { $ref?: string; name?: string }[];
};
type Doc = {
  servers: { url: string }[];
  paths: Record<string, Record<string, Operation>>;
  webhooks: Record<string, { post: Operation }>;
  components: {
    schemas: Record<string, { required?: string[]; properties?: Record<string, unknown> }>;
    responses: Record<string, { content: Record<string, { schema: { $ref: string } }> }>;
    parameters: Record<string, { name: string; in: string; required: boolean }>;
  };
};

const PUBLIC_URL = 'https://privacy.nestit.example';

describe('the OpenAPI document', () => {
  let t: TestServer;
  let doc: Doc;
  const api = jsonApi(() => ({
    server: t.server,
    origin: { cookie: t.cookie, origin: PUBLIC_URL, host: 'privacy.nestit.example' },
  }));
  const op = (method: string, path: string) => doc.paths[path]![method]!;

  beforeAll(async () => {
    t = await startTestServer({ config: { publicUrl: PUBLIC_URL } });
    const res = await t.server.inject('/api/openapi.json');
    expect(res.statusCode).toBe(200);
    doc = res.json();
  });
  afterAll(async () => {
    await t?.close();
  });

  test('every operation has an operationId, none used twice, webhooks included', () => {
    const ids = [
      ...Object.values(doc.paths).flatMap((item) => Object.values(item).map((o) => o.operationId)),
      ...Object.values(doc.webhooks).map((w) => w.post.operationId),
    ];
    expect(ids.every((id) => typeof id === 'string' && /^[a-z][A-Za-z]+$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBeGreaterThan(60);
  });

  test('operationIds follow method and path', () => {
    expect(op('get', '/api/v1/requests/{id}').operationId).toBe('getRequest');
    expect(op('post', '/api/v1/requests/{id}/extend').operationId).toBe('extendRequest');
    expect(op('get', '/api/v1/requests').operationId).toBe('listRequests');
    expect(op('post', '/api/v1/requests').operationId).toBe('fileRequest');
    expect(op('post', '/api/v1/requests/{id}/notes').operationId).toBe('createRequestNote');
    expect(op('post', '/api/v1/requests/{id}/fee/waive').operationId).toBe('waiveRequestFee');
    expect(op('post', '/api/v1/organizations/{orgId}/contact-checks').operationId).toBe('checkContact');
    expect(op('post', '/api/v1/organizations/{orgId}/consents/withdrawals').operationId).toBe(
      'createConsentWithdrawal',
    );
    expect(op('get', '/api/v1/webhooks/deliveries').operationId).toBe('listWebhookDeliveries');
    expect(op('post', '/api/v1/webhooks/deliveries/{id}/replay').operationId).toBe('replayWebhookDelivery');
    expect(op('delete', '/api/v1/apikeys/{keyId}').operationId).toBe('deleteApiKey');
    expect(op('get', '/api/v1/retention/runs/{id}').operationId).toBe('getRetentionRun');
    expect(op('get', '/healthz').operationId).toBe('checkHealth');
    // Routes the document has never seen get names by the same rule.
    expect(operationIdOf('GET', '/api/v1/widgets/:widgetId/parts')).toBe('listWidgetParts');
    expect(operationIdOf('POST', '/api/v1/widgets/:widgetId/archive')).toBe('archiveWidget');
    expect(operationIdOf('POST', '/api/v1/widgets')).toBe('createWidget');
    expect(operationIdOf('GET', '/api/v1/categories/:id')).toBe('getCategory');
  });

  test('security: public operations need nothing, others a session or an API key, key management a session', () => {
    expect(op('post', '/api/v1/requests/verify-code').security).toEqual([]);
    expect(op('post', '/api/v1/cookie-consents').security).toEqual([]);
    expect(op('get', '/healthz').security).toEqual([]);
    expect(op('get', '/api/v1/requests').security).toEqual([{ session: [] }, { apiKey: [] }]);
    expect(op('post', '/api/v1/organizations/{orgId}/contact-checks').security).toEqual([
      { session: [] },
      { apiKey: [] },
    ]);
    expect(op('get', '/api/v1/users').security).toEqual([{ session: [] }]);
    expect(op('post', '/api/v1/apikeys').security).toEqual([{ session: [] }]);
  });

  test('the security requirement is what the server does: a key reads requests, and is refused people', async () => {
    const made = await api('POST', '/api/v1/apikeys', {
      name: 'desk',
      orgIds: ['provendo'],
      permissions: ['requests:read'],
    });
    expect(made.statusCode, made.body).toBe(201);
    const bearer = { authorization: `Bearer ${made.json().key}` };
    expect((await t.server.inject({ url: '/api/v1/requests', headers: bearer })).statusCode).toBe(200);
    expect((await t.server.inject({ url: '/api/v1/users', headers: bearer })).statusCode).toBe(403);
    expect((await t.server.inject('/api/v1/requests')).statusCode).toBe(401);
  });

  test('problems: one Problem schema, referenced from each error response', async () => {
    const problem = doc.components.schemas.Problem!;
    expect(problem.required).toEqual(['type', 'title', 'status', 'detail']);
    expect(Object.keys(problem.properties ?? {}).sort()).toEqual(
      ['code', 'detail', 'errors', 'hint', 'instance', 'status', 'title', 'type'].sort(),
    );
    const getRequest = op('get', '/api/v1/requests/{id}');
    expect(getRequest.responses['404']).toEqual({ $ref: '#/components/responses/NotFound' });
    expect(doc.components.responses.NotFound!.content['application/problem+json']!.schema).toEqual({
      $ref: '#/components/schemas/Problem',
    });
    expect(Object.keys(getRequest.responses).sort()).toEqual(
      ['200', '400', '401', '403', '404', '409', '422', '500'].sort(),
    );
    // Public with a body: no 401/403, but 429 (rate limited); no path parameter: no 404.
    expect(Object.keys(op('post', '/api/v1/requests/verify-code').responses).sort()).toEqual(
      ['200', '400', '409', '413', '415', '422', '429', '500'].sort(),
    );
    // The server's 404 is such a problem.
    const missing = await t.server.inject({
      url: '/api/v1/requests/6f1c1d6e-0b7a-4f0e-9a51-2f7d3c1e8b90',
      headers: { cookie: t.cookie },
    });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toContain('application/problem+json');
    expect(missing.json()).toMatchObject({ status: 404, title: 'not found', code: 'request-not-found' });
  });

  test('the audit search declares its paging headers, and sends them as declared', async () => {
    const headers = (op('get', '/api/v1/audit').responses['200'] as { headers?: Record<string, unknown> })
      .headers;
    expect(Object.keys(headers ?? {}).sort()).toEqual(['x-ombud-newer', 'x-ombud-older']);
    // Pages of one entry through what startup and sign-in wrote: a page after the first has a newer neighbour.
    const res = await t.server.inject({ url: '/api/v1/audit?limit=1', headers: { cookie: t.cookie } });
    expect(res.statusCode).toBe(200);
    const older = Number(res.headers['x-ombud-older']);
    expect(Number.isInteger(older)).toBe(true);
    const middle = await t.server.inject({
      url: `/api/v1/audit?limit=1&before=${older}`,
      headers: { cookie: t.cookie },
    });
    expect(Number.isInteger(Number(middle.headers['x-ombud-newer']))).toBe(true);
  });

  test('servers: the public URL', () => {
    expect(doc.servers).toEqual([{ url: PUBLIC_URL, description: 'This installation (OMBUD_PUBLIC_URL)' }]);
  });

  test('pages, the SDK and hidden routes stay out', () => {
    const paths = Object.keys(doc.paths);
    expect(paths.filter((p) => !p.startsWith('/api/v1/'))).toEqual(['/healthz', '/readyz']);
    expect(paths).not.toContain('/api/openapi.json');
  });

  test('webhooks: each consent event, the fulfilment and the retention request, signed with the Standard Webhooks headers', () => {
    expect(Object.keys(doc.webhooks).sort()).toEqual([
      'consent.granted',
      'consent.withdrawn',
      'objection.lifted',
      'objection.recorded',
      'ombud.fulfilment.request',
      'ombud.retention.request',
    ]);
    for (const hook of Object.values(doc.webhooks)) {
      const headers = (hook.post.parameters ?? []).map(
        (p) => doc.components.parameters[p.$ref!.split('/').at(-1)!]!,
      );
      expect(headers.map((h) => [h.in, h.name, h.required])).toEqual([
        ['header', 'webhook-id', true],
        ['header', 'webhook-timestamp', true],
        ['header', 'webhook-signature', true],
      ]);
    }
    expect(doc.components.schemas.ObjectionRecorded!.required).toEqual(['type', 'timestamp', 'data']);
    expect(doc.components.schemas.FulfilmentRequest!.required).toEqual([
      'type',
      'delivery_id',
      'request_id',
      'system',
      'action',
      'identities',
      'callback_url',
      'answer_by',
    ]);
    expect(doc.components.schemas.RetentionRequest!.required).toEqual([
      'type',
      'delivery_id',
      'run_id',
      'system',
      'rule',
      'name',
      'action',
      'duration',
      'trigger',
      'expired_before',
      'exceptions',
      'today',
      'callback_url',
      'answer_by',
    ]);
  });

  test('a consent webhook sends what the document describes', async () => {
    const endpoint = await api('POST', '/api/v1/webhooks/endpoints', {
      url: 'https://esp.example/hooks/ombud',
    });
    expect(endpoint.statusCode, endpoint.body).toBe(201);
    expect((await grantNewsletter(api, 'nestit-sverige', 'ada@example.com')).statusCode).toBe(201);
    const [delivery] = await t.app.db.query<{ event_id: string }>('SELECT event_id FROM webhook_deliveries');
    const payload = await webhookPayload(
      t.app.db,
      await consentKeys(t.app.db, t.app.config.secret, t.app.config.secretKeys),
      delivery!,
      new Date('2026-03-02T09:30:00.000Z'),
    );
    expect(consentWebhookEventOf('grant').safeParse(payload).success).toBe(true);
    expect(payload).toMatchObject({
      type: 'consent.granted',
      timestamp: '2026-03-02T09:30:00.000Z',
      data: {
        organization: 'nestit-sverige',
        purpose: 'communication-subscription',
        channel: 'email',
        kind: 'grant',
        source: 'checkout',
        noticeVersion: null,
        identities: [{ kind: 'email', value: 'ada@example.com' }],
      },
    });
  });

  test('examples: the request filing examples are accepted, the contact check example answers as shown', async () => {
    const body = op('post', '/api/v1/requests').requestBody!.content['application/json']!;
    const names = Object.keys(body.examples ?? {});
    expect(names).toEqual(['FileAccessRequest', 'FileErasureRequestForTheGroup', 'FileObjectionFromTheShop']);
    for (const name of names) {
      const filed = await api('POST', '/api/v1/requests', body.examples![name]!.value, {
        'idempotency-key': crypto.randomUUID(),
      });
      expect(filed.statusCode, filed.body).toBe(201);
    }
    const checkOp = op('post', '/api/v1/organizations/{orgId}/contact-checks') as Operation & {
      responses: Record<
        string,
        { content: Record<string, { examples: Record<string, { value: unknown }> }> }
      >;
    };
    const check = checkOp.requestBody!.content['application/json']!;
    expect(Object.keys(check.examples ?? {})).toEqual(['ContactCheckByEmail']);
    const answer = await api(
      'POST',
      '/api/v1/organizations/provendo/contact-checks',
      check.examples!.ContactCheckByEmail!.value,
    );
    expect(answer.statusCode, answer.body).toBe(200);
    expect(answer.json()).toEqual({
      allowed: false,
      basis: 'consent',
      reason: 'no-consent',
      subjectId: null,
    });
    // The answer's example is this very answer.
    expect(
      checkOp.responses['200']!.content['application/json']!.examples.ContactCheckNoConsent!.value,
    ).toEqual(answer.json());
  });
});
