/**
 * The declared success answers of the requests, fulfilment, people and security API (src/http/schemas/):
 * the OpenAPI document names them, and the answers the other suites do not reach (a broken audit chain,
 * a group request routed by hand over the API) pass their schema instead of becoming a 500.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { recordAudit } from '../../src/services/audit/auditLog.ts';
import { jsonApi } from '../support/http.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { SAME_ORIGIN } from '../security/helpers.ts';

let ts: TestServer;
beforeAll(async () => {
  ts = await startTestServer();
}, 60_000);
afterAll(() => ts?.close());

const api = jsonApi(() => ({ server: ts.server, origin: { ...SAME_ORIGIN, cookie: ts.cookie } }));

const JSON_ONLY = ['application/json'];
/** Every operation of these route modules, its success statuses and the media types of each. */
const OPERATIONS: [string, string, Record<string, string[]>][] = [
  ['post', '/api/v1/requests', { 200: JSON_ONLY, 201: JSON_ONLY }],
  ['get', '/api/v1/requests', { 200: JSON_ONLY }],
  ['get', '/api/v1/requests/{id}', { 200: JSON_ONLY }],
  ...[
    'assign',
    'notes',
    'verify-manual',
    'start',
    'extend',
    'complete',
    'refusal-warning',
    'refuse',
    'fee',
    'fee/paid',
    'fee/waive',
    'objection-decision',
    'no-data',
    'route',
    'approve',
    'fulfilment/retry',
  ].map((a): [string, string, Record<string, string[]>] => [
    'post',
    `/api/v1/requests/{id}/${a}`,
    { 200: JSON_ONLY },
  ]),
  ['get', '/api/v1/requests/{id}/fulfilment', { 200: JSON_ONLY }],
  ['post', '/api/v1/requests/{id}/results', { 201: JSON_ONLY }],
  ['post', '/api/v1/requests/verify-code', { 200: JSON_ONLY }],
  ['post', '/api/v1/requests/verify-assertion', { 200: JSON_ONLY }],
  ['post', '/api/v1/fulfilment/{requestId}/tasks/{systemId}', { 200: JSON_ONLY }],
  ['post', '/api/v1/fulfilment/connectors/http', { 201: JSON_ONLY }],
  ['post', '/api/v1/fulfilment/callbacks/{deliveryId}', { 200: JSON_ONLY }],
  ['get', '/api/v1/fulfilment/{requestId}', { 200: JSON_ONLY }],
  [
    'get',
    '/api/v1/fulfilment/{requestId}/artifacts/{name}',
    { 200: ['application/json', 'text/html', 'application/pdf', 'application/zip'] },
  ],
  ['get', '/api/v1/users', { 200: JSON_ONLY }],
  ['post', '/api/v1/users/invite', { 201: JSON_ONLY }],
  ['post', '/api/v1/users/{userId}/reset', { 200: JSON_ONLY }],
  ['post', '/api/v1/users/{userId}/disable', { 204: [] }],
  ['post', '/api/v1/organizations/{orgId}/roles', { 201: JSON_ONLY }],
  ['delete', '/api/v1/organizations/{orgId}/roles/{userId}/{role}', { 204: [] }],
  ['get', '/api/v1/apikeys', { 200: JSON_ONLY }],
  ['post', '/api/v1/apikeys', { 201: JSON_ONLY }],
  ['post', '/api/v1/apikeys/{keyId}/rotate', { 201: JSON_ONLY }],
  ['delete', '/api/v1/apikeys/{keyId}', { 200: JSON_ONLY }],
  ['get', '/api/v1/audit', { 200: ['application/json', 'text/csv'] }],
  ['get', '/api/v1/audit/verify', { 200: JSON_ONLY }],
  ['post', '/api/v1/audit/checkpoints', { 201: JSON_ONLY }],
  ['get', '/healthz', { 200: JSON_ONLY }],
  ['get', '/readyz', { 200: JSON_ONLY }],
];

type Operation = {
  responses: Record<string, { description: string; content?: Record<string, { schema: SchemaDoc }> }>;
};
type SchemaDoc = {
  type?: string;
  properties?: Record<string, SchemaDoc>;
  required?: string[];
  additionalProperties?: unknown;
  items?: SchemaDoc;
};

describe('declared success answers', () => {
  let paths: Record<string, Record<string, Operation>>;
  beforeAll(async () => {
    const res = await ts.server.inject('/api/openapi.json');
    expect(res.statusCode).toBe(200);
    paths = res.json().paths;
  });
  const op = (method: string, path: string) => paths[path]?.[method];
  const json = (method: string, path: string, status: number) =>
    op(method, path)!.responses[status]!.content!['application/json']!.schema;

  test('every operation names each success status and its media types; a 204 has no body', () => {
    for (const [method, path, statuses] of OPERATIONS) {
      const o = op(method, path);
      expect(o, `${method} ${path}`).toBeDefined();
      // The success statuses; the problem responses are the contract's (test/http/openapi.test.ts).
      const success = Object.keys(o!.responses).filter((st) => st.startsWith('2'));
      expect(success.sort(), `${method} ${path}`).toEqual(Object.keys(statuses).sort());
      for (const [status, types] of Object.entries(statuses)) {
        const r = o!.responses[status]!;
        expect(r.description, `${method} ${path} ${status}`).not.toBe('Default Response');
        expect(Object.keys(r.content ?? {}).sort(), `${method} ${path} ${status}`).toEqual([...types].sort());
      }
    }
  });

  test('a request as answered: its fields, every one required but the queue status, no others', () => {
    const view = json('get', '/api/v1/requests/{id}', 200).properties!.request!;
    const fields = [
      'id',
      'reference',
      'orgId',
      'type',
      'state',
      'receivedAt',
      'dueDate',
      'legalDueDate',
      'maxDueDate',
      'extended',
      'assignee',
      'verificationMethod',
      'purposeId',
      'linked',
      'jointHandledBy',
      'group',
      'groupRequest',
      'decision',
      'status',
    ];
    expect(Object.keys(view.properties!).sort()).toEqual([...fields].sort());
    expect([...view.required!].sort()).toEqual(fields.filter((f) => f !== 'status').sort());
    expect(view.additionalProperties).toBe(false);
    // The action answers carry the same view.
    expect(json('post', '/api/v1/requests/{id}/assign', 200).properties!.request).toEqual(view);
  });

  test('API keys are listed without the key; it is in the answer of a creation and a rotation only', () => {
    const listed = json('get', '/api/v1/apikeys', 200).items!;
    expect(listed.properties).not.toHaveProperty('key');
    expect(listed.additionalProperties).toBe(false);
    for (const [method, path] of [
      ['post', '/api/v1/apikeys'],
      ['post', '/api/v1/apikeys/{keyId}/rotate'],
    ] as const)
      expect(Object.keys(json(method, path, 201).properties!).sort()).toEqual(['apiKey', 'key']);
  });
});

describe('answers the other suites do not reach', () => {
  test('a broken audit chain is answered as such over the API: the first bad entry, not a 500', async () => {
    const seq = await recordAudit(ts.app.db, {
      actor: { kind: 'user', id: 'agent-7' },
      orgId: 'provendo',
      action: 'subject.read',
      target: 'subject:p-1',
    });
    await ts.app.db.exec('ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only');
    try {
      await ts.app.db.query("UPDATE audit_log SET target = 'subject:999' WHERE seq = $1", [seq]);
      const res = await api('GET', '/api/v1/audit/verify');
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body).toMatchObject({ ok: false, seq, withKey: expect.any(Boolean) });
      expect(body.problem).toMatch(/altered/);
      expect(body).not.toHaveProperty('head');
    } finally {
      await ts.app.db.query("UPDATE audit_log SET target = 'subject:p-1' WHERE seq = $1", [seq]);
      await ts.app.db.exec('ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only');
    }
    expect((await api('GET', '/api/v1/audit/verify')).json()).toMatchObject({ ok: true });
  });

  test('a group request sent by hand to a company answers the group request as it stands after', async () => {
    const filed = await api(
      'POST',
      '/api/v1/requests',
      { company: 'group', type: 'rectification', email: 'sent.by.hand@example.org', sendCode: false },
      { 'idempotency-key': crypto.randomUUID() },
    );
    expect(filed.statusCode).toBe(201);
    const id = filed.json().requests[0].id;
    const verified = await api('POST', `/api/v1/requests/${id}/verify-manual`, { note: 'ID seen: passport' });
    expect(verified.statusCode).toBe(200);
    expect(verified.json().request.state).toBe('verified');
    const routed = await api('POST', `/api/v1/requests/${id}/route`, {
      orgIds: ['bokhylla'],
      note: 'Found in the CRM of Bokhyllan',
    });
    expect(routed.statusCode).toBe(200);
    const { request } = routed.json();
    expect(request).toMatchObject({ id, state: 'split', orgId: 'nestit-group' });
    expect(request.decision.routing).toMatchObject({ known: ['bokhylla'], byAgent: true });
    expect(request.linked).toHaveLength(1);
  });
});
