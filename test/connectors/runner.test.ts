/**
 * The runner's own rules, against a local server: OAuth2 client credentials (the token fetched once and
 * kept, the client authenticated by HTTP Basic), 429 with Retry-After honoured, the rate limit kept, a
 * next-page link to another host refused, and an offset paging that stops at a short page.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { connectorSchema, type SaasConnectorInput } from '../../src/core/connectors/saas.ts';
import { SaasClient, SaasError } from '../../src/services/connectors/saas.ts';
import { type SaasServer, startSaasServer } from '../support/saas-server.ts';

let server: SaasServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const base = (over: Partial<SaasConnectorInput>): SaasConnectorInput => ({
  connector: 'generic',
  name: 'Generic',
  docs: 'https://example.com/api',
  base_url: 'https://api.example.com',
  secrets: ['client_id', 'client_secret'],
  auth: {
    type: 'oauth2_client_credentials',
    token_url: '/oauth/token',
    client_id: '<secret.client_id>',
    client_secret: '<secret.client_secret>',
    scope: 'people.read people.write',
  },
  collections: {
    people: {
      read: {
        doc: 'https://example.com/api/people',
        method: 'GET',
        path: '/people',
        query: { email: '<identity.email>' },
        data_path: 'items',
        pagination: { type: 'offset', param: 'offset', step: 2, limit: 2 },
      },
      delete: { doc: 'https://example.com/api/people/delete', method: 'DELETE', path: '/people/<record.id>' },
    },
  },
  ...over,
});

describe('the SaaS connector runner', () => {
  it('OAuth2 client credentials: one token request (Basic client auth), the token on every call; offset paging stops at a short page', async () => {
    server = await startSaasServer([
      {
        method: 'POST',
        path: '/oauth/token',
        answer: { body: { access_token: 'at-1', token_type: 'Bearer', expires_in: 3600 } },
      },
      {
        method: 'GET',
        path: '/people',
        query: { offset: '0' },
        answer: { body: { items: [{ id: 1 }, { id: 2 }] } },
      },
      { method: 'GET', path: '/people', query: { offset: '2' }, answer: { body: { items: [{ id: 3 }] } } },
      { method: 'DELETE', path: /^\/people\/\d$/, answer: { status: 204 } },
    ]);
    const c = new SaasClient({
      systemId: 'generic',
      connector: connectorSchema.parse(base({})),
      settings: {},
      secrets: { client_id: 'cid', client_secret: 's3cr:t' },
      baseUrl: server.url,
    });
    const r = await c.run('erasure', { email: 'a@example.se' });
    const bearer = { authorization: 'Bearer at-1' };
    expect(server.requests).toEqual([
      {
        method: 'POST',
        path: '/oauth/token',
        query: {},
        body: { grant_type: 'client_credentials', scope: 'people.read people.write' },
        headers: {
          authorization: `Basic ${Buffer.from('cid:s3cr%3At').toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
      },
      { method: 'GET', path: '/people', query: { email: 'a@example.se', offset: '0' }, headers: bearer },
      { method: 'GET', path: '/people', query: { email: 'a@example.se', offset: '2' }, headers: bearer },
      { method: 'DELETE', path: '/people/1', query: {}, headers: bearer },
      { method: 'DELETE', path: '/people/2', query: {}, headers: bearer },
      { method: 'DELETE', path: '/people/3', query: {}, headers: bearer },
    ]);
    expect(r.records).toBe(3);
  });

  it('429 with Retry-After: waits as told, then carries on; the rate limit spaces the calls', async () => {
    const conn = connectorSchema.parse(
      base({
        auth: { type: 'bearer', token: '<secret.client_id>' },
        rate_limit: { requests: 1, per_seconds: 0.3 },
        collections: {
          people: {
            read: { doc: 'https://example.com/api/people', method: 'GET', path: '/people/<identity.email>' },
          },
        },
      }),
    );
    server = await startSaasServer([
      {
        method: 'GET',
        path: /^\/people\//,
        times: 1,
        answer: { status: 429, headers: { 'retry-after': '1' }, body: { error: 'slow down' } },
      },
      { method: 'GET', path: /^\/people\//, answer: { body: { id: 7 } } },
    ]);
    const c = new SaasClient({
      systemId: 'generic',
      connector: conn,
      settings: {},
      secrets: { client_id: 't', client_secret: 'x' },
      baseUrl: server.url,
    });
    const t0 = Date.now();
    const r = await c.run('access', { email: 'a b@example.se' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
    expect(server.requests.map((x) => x.path)).toEqual([
      '/people/a%20b%40example.se',
      '/people/a%20b%40example.se',
    ]);
    expect(r.records).toBe(1);
  });

  it('a next-page link to another host is refused (the credentials stay home), the error names no value', async () => {
    const conn = connectorSchema.parse(
      base({
        auth: { type: 'bearer', token: '<secret.client_id>' },
        collections: {
          people: {
            read: {
              doc: 'https://example.com/api/people',
              method: 'GET',
              path: '/people',
              query: { q: '<identity.email>' },
              data_path: 'items',
              pagination: { type: 'link', source: 'body', path: 'next' },
            },
          },
        },
      }),
    );
    server = await startSaasServer([
      {
        method: 'GET',
        path: '/people',
        answer: { body: { items: [{ id: 1 }], next: 'https://elsewhere.example/people?page=2' } },
      },
    ]);
    const c = new SaasClient({
      systemId: 'generic',
      connector: conn,
      settings: {},
      secrets: { client_id: 't', client_secret: 'x' },
      baseUrl: server.url,
    });
    const err = await c.run('access', { email: 'a@example.se' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SaasError);
    expect((err as Error).message).toBe('generic: people read: the next-page link points to another host');
  });
});
