/**
 * Contract test of connectors/mailchimp.yaml against a local server answering with the shapes of
 * Mailchimp's Marketing API reference (search-members, delete-permanent, update list member). The requests
 * Ombud sends are compared with a list written by hand: method, path, query, body, authentication.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SaasClient } from '../../src/services/connectors/saas.ts';
import { loadConnectorFile } from '../../src/services/connectors/load.ts';
import { type SaasServer, startSaasServer } from '../support/saas-server.ts';

const BASIC = `Basic ${Buffer.from('ombud:key-123-us21').toString('base64')}`;

// A member as the search-members reference shows it (abridged to the fields the connector keeps and a few more).
const member = (id: string, list: string, email: string) => ({
  id,
  email_address: email,
  unique_email_id: 'a1b2c3',
  contact_id: 'c0ffee',
  full_name: 'Maja Lind',
  web_id: 12,
  email_type: 'html',
  status: 'subscribed',
  merge_fields: { FNAME: 'Maja', LNAME: 'Lind' },
  stats: { avg_open_rate: 0.5, avg_click_rate: 0.1 },
  language: 'sv',
  location: { latitude: 0, longitude: 0, country_code: 'SE' },
  timestamp_signup: '2025-03-01T10:00:00+00:00',
  timestamp_opt: '2025-03-01T10:01:00+00:00',
  last_changed: '2025-06-01T09:00:00+00:00',
  tags: [],
  list_id: list,
  _links: [],
});

let server: SaasServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function client() {
  const connector = await loadConnectorFile('connectors/mailchimp.yaml');
  server = await startSaasServer(
    [
      {
        method: 'GET',
        path: '/3.0/search-members',
        answer: {
          body: {
            exact_matches: {
              // The search is on the address; a near match with another address is filtered out.
              members: [
                member('8a25ff1d98', 'list1', 'maja@example.se'),
                member('77aa00bb11', 'list2', 'MAJA@example.se'),
                member('0000000000', 'list1', 'maja.lind@example.se'),
              ],
              total_items: 3,
            },
            full_search: { members: [], total_items: 0 },
            _links: [],
          },
        },
      },
      { method: 'POST', path: /\/actions\/delete-permanent$/, answer: { status: 204 } },
      {
        method: 'PATCH',
        path: /^\/3\.0\/lists\/[^/]+\/members\/[^/]+$/,
        answer: (r) => ({
          body: { ...member('8a25ff1d98', 'list1', 'maja@example.se'), ...(r.body as object) },
        }),
      },
    ],
    { prefix: '' },
  );
  return new SaasClient({
    systemId: 'mail-provider',
    connector,
    settings: { dc: 'us21' },
    secrets: { api_key: 'key-123-us21' },
    baseUrl: `${server.url}/3.0`,
  });
}

const search = {
  method: 'GET',
  path: '/3.0/search-members',
  query: { query: 'maja@example.se' },
  headers: { authorization: BASIC },
};

describe('Mailchimp connector (contract)', () => {
  it('access: searches members by address and keeps the exact matches, only the listed fields', async () => {
    const c = await client();
    const r = await c.run('access', { email: 'maja@example.se' });
    expect(server!.requests).toEqual([search]);
    expect(r.status).toBe('done');
    expect(r.records).toBe(2);
    expect(r.data?.members?.map((m) => [m.id, m.list_id, m.email_address])).toEqual([
      ['8a25ff1d98', 'list1', 'maja@example.se'],
      ['77aa00bb11', 'list2', 'MAJA@example.se'],
    ]);
    expect(Object.keys(r.data!.members![0]!).sort()).toEqual(
      [
        'email_address',
        'full_name',
        'id',
        'language',
        'last_changed',
        'list_id',
        'location',
        'merge_fields',
        'status',
        'tags',
        'timestamp_opt',
        'timestamp_signup',
      ].sort(),
    );
    expect(r.data!.members![0]!.location).toEqual({ country_code: 'SE' });
  });

  it('erasure: deletes each member permanently, in its own audience', async () => {
    const c = await client();
    const r = await c.run('erasure', { email: 'maja@example.se' });
    expect(server!.requests).toEqual([
      search,
      {
        method: 'POST',
        path: '/3.0/lists/list1/members/8a25ff1d98/actions/delete-permanent',
        query: {},
        headers: { authorization: BASIC },
      },
      {
        method: 'POST',
        path: '/3.0/lists/list2/members/77aa00bb11/actions/delete-permanent',
        query: {},
        headers: { authorization: BASIC },
      },
    ]);
    expect(r).toMatchObject({ status: 'done', records: 2 });
  });

  it('rectification: sends only the corrections given', async () => {
    const c = await client();
    await c.run(
      'rectification',
      { email: 'maja@example.se' },
      { 'user.contact.email': 'maja.new@example.se' },
    );
    const patch = (list: string, id: string) => ({
      method: 'PATCH',
      path: `/3.0/lists/${list}/members/${id}`,
      query: {},
      body: { email_address: 'maja.new@example.se', merge_fields: {} },
      headers: { authorization: BASIC, 'content-type': 'application/json' },
    });
    expect(server!.requests).toEqual([search, patch('list1', '8a25ff1d98'), patch('list2', '77aa00bb11')]);
  });

  it('restriction: unsubscribes each member', async () => {
    const c = await client();
    const r = await c.run('restriction', { email: 'maja@example.se' });
    expect(server!.requests.slice(1)).toEqual([
      {
        method: 'PATCH',
        path: '/3.0/lists/list1/members/8a25ff1d98',
        query: {},
        body: { status: 'unsubscribed' },
        headers: { authorization: BASIC, 'content-type': 'application/json' },
      },
      {
        method: 'PATCH',
        path: '/3.0/lists/list2/members/77aa00bb11',
        query: {},
        body: { status: 'unsubscribed' },
        headers: { authorization: BASIC, 'content-type': 'application/json' },
      },
    ]);
    expect(r.records).toBe(2);
  });

  it('a subject it does not hold: not_found, and nothing but the search is sent', async () => {
    const c = await client();
    const r = await c.run('erasure', { email: 'nobody@example.se' });
    expect(r).toMatchObject({ status: 'not_found', records: 0 });
    expect(server!.requests).toEqual([{ ...search, query: { query: 'nobody@example.se' } }]);
  });
});
