/**
 * Issue 21: the API says what it answers. Each operation of the consent, cookie-banner, preference-link,
 * register, retention and webhook routes declares every success status with its media type in the served
 * OpenAPI document (the table below is written by hand from the handlers), and a JSON answer is a strict
 * object, or a list of them: a field the contract does not name fails the serializer instead of slipping out.
 * That the answers match these schemas is proven by the suites of each capability: the serializer checks
 * every answer they get (a mismatch is a 500 there).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.ts';

type JsonSchema = {
  type?: string | string[];
  items?: JsonSchema;
  additionalProperties?: boolean | JsonSchema;
  properties?: Record<string, JsonSchema>;
};
type Response = { description: string; content?: Record<string, { schema: JsonSchema }> };
type Doc = { paths: Record<string, Record<string, { responses: Record<string, Response> }>> };

const JSON_TYPE = 'application/json';
const ORG = '/api/v1/organizations/{orgId}';

/** method, path, success status, media types: from the handlers, by hand. */
const DECLARED: [string, string, string, string[]][] = [
  ['post', `${ORG}/consents`, '200', [JSON_TYPE]],
  ['post', `${ORG}/consents`, '201', [JSON_TYPE]],
  ['post', `${ORG}/consents/withdrawals`, '200', [JSON_TYPE]],
  ['post', `${ORG}/consents/withdrawals`, '201', [JSON_TYPE]],
  ['post', `${ORG}/objections`, '200', [JSON_TYPE]],
  ['post', `${ORG}/objections`, '201', [JSON_TYPE]],
  ['post', `${ORG}/contact-checks`, '200', [JSON_TYPE]],
  ['post', `${ORG}/contact-checks/bulk`, '200', [JSON_TYPE]],
  ['post', `${ORG}/subjects/consent-history`, '200', [JSON_TYPE]],
  ['get', `${ORG}/suppressions`, '200', [JSON_TYPE, 'text/csv']],
  ['get', `${ORG}/suppressions/hashed`, '200', [JSON_TYPE, 'text/csv']],
  ['post', '/api/v1/cookie-consents', '201', [JSON_TYPE]],
  ['get', '/api/v1/cookie-consents/{consentId}', '200', [JSON_TYPE]],
  ['post', `${ORG}/preference-links`, '200', [JSON_TYPE]],
  ['get', '/api/v1/register', '200', [JSON_TYPE]],
  ['get', '/api/v1/register/revisions', '200', [JSON_TYPE]],
  ['get', '/api/v1/organizations', '200', [JSON_TYPE]],
  ['get', `${ORG}/ropa`, '200', [JSON_TYPE, 'text/csv']],
  ['get', `${ORG}/notices`, '200', [JSON_TYPE]],
  ['get', '/api/v1/retention/runs', '200', [JSON_TYPE]],
  ['post', '/api/v1/retention/runs', '201', [JSON_TYPE]],
  ['get', '/api/v1/retention/runs/{id}', '200', [JSON_TYPE]],
  ['get', '/api/v1/retention/preview', '200', [JSON_TYPE]],
  ['post', '/api/v1/webhooks/endpoints', '201', [JSON_TYPE]],
  ['get', '/api/v1/webhooks/endpoints', '200', [JSON_TYPE]],
  ['get', '/api/v1/webhooks/deliveries', '200', [JSON_TYPE]],
  ['post', '/api/v1/webhooks/deliveries/{id}/replay', '202', [JSON_TYPE]],
];

describe('declared answers in the OpenAPI document', () => {
  let t: TestServer;
  let doc: Doc;
  beforeAll(async () => {
    t = await startTestServer();
    const res = await t.server.inject('/api/openapi.json');
    expect(res.statusCode).toBe(200);
    doc = res.json() as Doc;
  });
  afterAll(() => t?.close());

  const responsesOf = (method: string, path: string) => doc.paths[path]?.[method]?.responses ?? {};

  test('each operation declares exactly its success statuses, with their media types and a description', () => {
    const operations = new Set(DECLARED.map(([m, p]) => `${m} ${p}`));
    for (const op of operations) {
      const [method, path] = op.split(' ') as [string, string];
      const success = Object.keys(responsesOf(method, path)).filter((s) => s.startsWith('2'));
      const expected = DECLARED.filter(([m, p]) => m === method && p === path).map(([, , s]) => s);
      expect(success.sort(), op).toEqual(expected.sort());
    }
    for (const [method, path, status, types] of DECLARED) {
      const r = responsesOf(method, path)[status]!;
      expect(Object.keys(r.content ?? {}).sort(), `${method} ${path} ${status}`).toEqual([...types].sort());
      expect(r.description, `${method} ${path} ${status}`).not.toBe('Default Response');
    }
  });

  test('a JSON answer is a strict object or a list of strict objects; a text answer is a string', () => {
    for (const [method, path, status, types] of DECLARED)
      for (const type of types) {
        const schema = responsesOf(method, path)[status]!.content![type]!.schema;
        const where = `${method} ${path} ${status} ${type}`;
        if (type !== JSON_TYPE) {
          expect(schema.type, where).toBe('string');
          continue;
        }
        const object = schema.type === 'array' ? schema.items! : schema;
        expect(object.type, where).toBe('object');
        expect(object.additionalProperties, where).toBe(false);
      }
  });

  test('the recorded consent event says whether it replays an earlier answer, in a header too', () => {
    const r = responsesOf('post', `${ORG}/consents`)['201']! as Response & {
      headers?: Record<string, unknown>;
    };
    expect(Object.keys(r.headers ?? {})).toEqual(['idempotent-replayed']);
    expect(r.content![JSON_TYPE]!.schema).not.toHaveProperty('headers');
    const event = r.content![JSON_TYPE]!.schema.properties!.event!;
    expect(Object.keys(event.properties ?? {})).toEqual([
      'id',
      'seq',
      'orgId',
      'subjectId',
      'purposeId',
      'channel',
      'kind',
      'wording',
      'noticeVersion',
      'source',
      'actor',
      'at',
      'recordedAt',
    ]);
  });
});
