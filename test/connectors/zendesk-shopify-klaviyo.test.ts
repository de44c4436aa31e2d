/**
 * Contract tests of connectors/zendesk.yaml, shopify.yaml and klaviyo.yaml against local servers answering
 * with the shapes of the vendors' references: Zendesk's user search (next_page links), requested tickets and
 * two-step permanent deletion; Shopify's customer search (Link header paging), GDPR erasure mutation and
 * customer update; Klaviyo's profiles (links.next), profile deletion job and profile update. The requests
 * sent are compared with lists written by hand.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadConnectorFile } from '../../src/services/connectors/load.ts';
import { SaasClient } from '../../src/services/connectors/saas.ts';
import { type SaasServer, startSaasServer } from '../support/saas-server.ts';

let server: SaasServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('Zendesk connector (contract)', () => {
  const AUTH = {
    authorization: `Basic ${Buffer.from('agent@nestit.example/token:zd-tok').toString('base64')}`,
  };
  const user = (id: number, email: string) => ({
    id,
    url: `https://x.zendesk.com/api/v2/users/${id}.json`,
    name: 'Maja Lind',
    email,
    role: 'end-user',
    locale: 'sv',
    time_zone: 'Stockholm',
    tags: [],
  });
  const ticket = (id: number) => ({
    id,
    subject: 'Trasig lampa',
    description: 'Hej …',
    status: 'solved',
    requester_id: 11,
    tags: [],
  });
  async function client() {
    const connector = await loadConnectorFile('connectors/zendesk.yaml');
    server = await startSaasServer([
      {
        method: 'GET',
        path: '/api/v2/users/search.json',
        query: { page: '2' },
        answer: {
          body: { users: [user(12, 'maja@example.se')], next_page: null, previous_page: 'x', count: 3 },
        },
      },
      {
        method: 'GET',
        path: '/api/v2/users/search.json',
        answer: (_r, base) => ({
          body: {
            users: [user(11, 'maja@example.se'), user(99, 'maja.lind@example.se')],
            next_page: `${base}/api/v2/users/search.json?page=2&query=maja%40example.se`,
            previous_page: null,
            count: 3,
          },
        }),
      },
      {
        method: 'GET',
        path: '/api/v2/users/11/tickets/requested.json',
        answer: { body: { tickets: [ticket(501), ticket(502)], next_page: null, count: 2 } },
      },
      {
        method: 'GET',
        path: '/api/v2/users/12/tickets/requested.json',
        answer: { body: { tickets: [], next_page: null, count: 0 } },
      },
      {
        method: 'DELETE',
        path: /^\/api\/v2\/(users|deleted_users|tickets)\/\d+\.json$/,
        answer: { status: 200, body: {} },
      },
      { method: 'DELETE', path: /^\/api\/v2\/deleted_tickets\/\d+\.json$/, answer: { status: 204 } },
    ]);
    return new SaasClient({
      systemId: 'customer-service-desk',
      connector,
      settings: { subdomain: 'nestit', agent_email: 'agent@nestit.example' },
      secrets: { api_token: 'zd-tok' },
      baseUrl: `${server.url}/api/v2`,
    });
  }
  const reads = [
    { method: 'GET', path: '/api/v2/users/search.json', query: { query: 'maja@example.se' }, headers: AUTH },
    {
      method: 'GET',
      path: '/api/v2/users/search.json',
      query: { page: '2', query: 'maja@example.se' },
      headers: AUTH,
    },
    { method: 'GET', path: '/api/v2/users/11/tickets/requested.json', query: {}, headers: AUTH },
    { method: 'GET', path: '/api/v2/users/12/tickets/requested.json', query: {}, headers: AUTH },
  ];

  it("access: users by address over two pages (the near match filtered out), then each one's requested tickets", async () => {
    const r = await (await client()).run('access', { email: 'maja@example.se' });
    expect(server!.requests).toEqual(reads);
    expect(r.data?.users?.map((u) => u.id)).toEqual([11, 12]);
    expect(r.data?.tickets?.map((t) => t.id)).toEqual([501, 502]);
    expect(r.collections).toEqual([
      { name: 'users', read: 2, changed: 0 },
      { name: 'tickets', read: 2, changed: 0 },
    ]);
  });

  it('erasure: tickets first (deleted, then permanently), then users (deleted, then permanently)', async () => {
    const r = await (await client()).run('erasure', { email: 'maja@example.se' });
    const del = (path: string) => ({ method: 'DELETE', path, query: {}, headers: AUTH });
    expect(server!.requests).toEqual([
      ...reads,
      del('/api/v2/tickets/501.json'),
      del('/api/v2/deleted_tickets/501.json'),
      del('/api/v2/tickets/502.json'),
      del('/api/v2/deleted_tickets/502.json'),
      del('/api/v2/users/11.json'),
      del('/api/v2/deleted_users/11.json'),
      del('/api/v2/users/12.json'),
      del('/api/v2/deleted_users/12.json'),
    ]);
    expect(r.records).toBe(4);
  });
});

describe('Shopify connector (contract)', () => {
  const AUTH = { 'x-shopify-access-token': 'shpat_1' };
  const customer = (id: number) => ({
    id,
    email: 'maja@example.se',
    first_name: 'Maja',
    last_name: 'Lind',
    phone: null,
    state: 'enabled',
    orders_count: 3,
    tags: '',
    addresses: [],
    admin_graphql_api_id: `gid://shopify/Customer/${id}`,
  });
  async function client() {
    const connector = await loadConnectorFile('connectors/shopify.yaml');
    server = await startSaasServer([
      {
        method: 'GET',
        path: '/admin/api/2024-07/customers/search.json',
        query: { page_info: 'p2' },
        answer: { body: { customers: [customer(207)] } },
      },
      {
        method: 'GET',
        path: '/admin/api/2024-07/customers/search.json',
        answer: (_r, base) => ({
          body: { customers: [customer(206)] },
          headers: {
            link: `<${base}/admin/api/2024-07/customers/search.json?limit=250&page_info=p2>; rel="next"`,
          },
        }),
      },
      {
        method: 'POST',
        path: '/admin/api/2024-07/graphql.json',
        answer: (r) => ({
          body: {
            data: {
              customerRequestDataErasure: {
                customerId: (r.body as { variables: { customerId: string } }).variables.customerId,
                userErrors: [],
              },
            },
          },
        }),
      },
      {
        method: 'PUT',
        path: /^\/admin\/api\/2024-07\/customers\/\d+\.json$/,
        answer: { body: { customer: customer(206) } },
      },
    ]);
    return new SaasClient({
      systemId: 'webshop-platform',
      connector,
      settings: { shop: 'nestit' },
      secrets: { access_token: 'shpat_1' },
      baseUrl: `${server.url}/admin/api/2024-07`,
    });
  }
  const reads = [
    {
      method: 'GET',
      path: '/admin/api/2024-07/customers/search.json',
      query: { query: 'email:maja@example.se', limit: '250' },
      headers: AUTH,
    },
    {
      method: 'GET',
      path: '/admin/api/2024-07/customers/search.json',
      query: { limit: '250', page_info: 'p2' },
      headers: AUTH,
    },
  ];

  it("erasure: customers found by the Link header's pages; a GDPR erasure request per customer", async () => {
    const r = await (await client()).run('erasure', { email: 'maja@example.se' });
    const mutation = (id: number) => ({
      method: 'POST',
      path: '/admin/api/2024-07/graphql.json',
      query: {},
      body: {
        query:
          'mutation customerRequestDataErasure($customerId: ID!) { customerRequestDataErasure(customerId: $customerId) { customerId userErrors { field message code } } }',
        variables: { customerId: `gid://shopify/Customer/${id}` },
      },
      headers: { ...AUTH, 'content-type': 'application/json' },
    });
    expect(server!.requests).toEqual([...reads, mutation(206), mutation(207)]);
    expect(r.records).toBe(2);
  });

  it('rectification: PUT the customer with its id (a number) and the corrections', async () => {
    await (await client()).run(
      'rectification',
      { email: 'maja@example.se' },
      { 'user.contact.phone_number': '+46701234567' },
    );
    expect(server!.requests.slice(2)).toEqual(
      [206, 207].map((id) => ({
        method: 'PUT',
        path: `/admin/api/2024-07/customers/${id}.json`,
        query: {},
        body: { customer: { id, phone: '+46701234567' } },
        headers: { ...AUTH, 'content-type': 'application/json' },
      })),
    );
  });
});

describe('Klaviyo connector (contract)', () => {
  const H = { authorization: 'Klaviyo-API-Key pk_live_1', revision: '2024-10-15' };
  const profile = (id: string) => ({
    type: 'profile',
    id,
    attributes: { email: 'maja@example.se', first_name: 'Maja', locale: 'sv-SE' },
    links: { self: `https://a.klaviyo.com/api/profiles/${id}/` },
  });
  it('access and erasure: profiles by an equals filter, paged by links.next; one deletion job per profile', async () => {
    const connector = await loadConnectorFile('connectors/klaviyo.yaml');
    server = await startSaasServer([
      {
        method: 'GET',
        path: '/api/profiles',
        query: { 'page[cursor]': 'c2' },
        answer: { body: { data: [profile('01B')], links: { self: 'x', next: null } } },
      },
      {
        method: 'GET',
        path: '/api/profiles',
        answer: (_r, base) => ({
          body: {
            data: [profile('01A')],
            links: { self: 'x', next: `${base}/api/profiles?page%5Bcursor%5D=c2` },
          },
        }),
      },
      { method: 'POST', path: '/api/data-privacy-deletion-jobs', answer: { status: 202 } },
    ]);
    const c = new SaasClient({
      systemId: 'messaging',
      connector,
      settings: {},
      secrets: { private_key: 'pk_live_1' },
      baseUrl: `${server.url}/api`,
    });
    const r = await c.run('erasure', { email: 'maja@example.se' });
    const job = (id: string) => ({
      method: 'POST',
      path: '/api/data-privacy-deletion-jobs',
      query: {},
      body: {
        data: {
          type: 'data-privacy-deletion-job',
          attributes: { profile: { data: { type: 'profile', id } } },
        },
      },
      headers: { ...H, 'content-type': 'application/vnd.api+json' },
    });
    expect(server.requests).toEqual([
      {
        method: 'GET',
        path: '/api/profiles',
        query: { filter: 'equals(email,"maja@example.se")' },
        headers: H,
      },
      { method: 'GET', path: '/api/profiles', query: { 'page[cursor]': 'c2' }, headers: H },
      job('01A'),
      job('01B'),
    ]);
    expect(r).toMatchObject({ status: 'done', records: 2 });
  });
});
