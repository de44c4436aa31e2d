/**
 * Contract tests of connectors/hubspot.yaml and connectors/stripe.yaml against local servers answering
 * with the shapes of HubSpot's CRM search, GDPR delete and contact update, and Stripe's customer list,
 * delete and update. The requests sent are compared with lists written by hand, paging included.
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

const hubContact = (id: string, email: string) => ({
  id,
  properties: {
    email,
    firstname: 'Maja',
    lastname: 'Lind',
    createdate: '2025-01-02T10:00:00Z',
    hs_object_id: id,
  },
  createdAt: '2025-01-02T10:00:00Z',
  updatedAt: '2025-06-01T10:00:00Z',
  archived: false,
});

describe('HubSpot connector (contract)', () => {
  const BEARER = { authorization: 'Bearer pat-eu1-123', 'content-type': 'application/json' };
  const searchBody = (after?: string) => ({
    filterGroups: [{ filters: [{ propertyName: 'email', operator: 'EQ', value: 'maja@example.se' }] }],
    properties: [
      'email',
      'firstname',
      'lastname',
      'phone',
      'company',
      'lifecyclestage',
      'createdate',
      'lastmodifieddate',
    ],
    limit: 100,
    ...(after ? { after } : {}),
  });
  async function client() {
    const connector = await loadConnectorFile('connectors/hubspot.yaml');
    server = await startSaasServer([
      // Two pages: the first names the cursor of the second in paging.next.after.
      {
        method: 'POST',
        path: '/crm/v3/objects/contacts/search',
        times: 1,
        answer: {
          body: {
            total: 2,
            results: [hubContact('101', 'maja@example.se')],
            paging: { next: { after: '1', link: '?after=1' } },
          },
        },
      },
      {
        method: 'POST',
        path: '/crm/v3/objects/contacts/search',
        answer: { body: { total: 2, results: [hubContact('202', 'maja@example.se')] } },
      },
      { method: 'POST', path: '/crm/v3/objects/contacts/gdpr-delete', answer: { status: 204 } },
      {
        method: 'PATCH',
        path: /^\/crm\/v3\/objects\/contacts\/\d+$/,
        answer: { body: hubContact('101', 'x') },
      },
    ]);
    return new SaasClient({
      systemId: 'crm',
      connector,
      settings: {},
      secrets: { access_token: 'pat-eu1-123' },
      baseUrl: server.url,
    });
  }
  const search = (after?: string) => ({
    method: 'POST',
    path: '/crm/v3/objects/contacts/search',
    query: {},
    body: searchBody(after),
    headers: BEARER,
  });

  it('access: searches contacts by e-mail, following paging.next.after', async () => {
    const r = await (await client()).run('access', { email: 'maja@example.se' });
    expect(server!.requests).toEqual([search(), search('1')]);
    expect(r.records).toBe(2);
    expect(r.data?.contacts?.map((c) => c.id)).toEqual(['101', '202']);
  });

  it('erasure: a GDPR delete per contact, by its id', async () => {
    const r = await (await client()).run('erasure', { email: 'maja@example.se' });
    expect(server!.requests.slice(2)).toEqual([
      {
        method: 'POST',
        path: '/crm/v3/objects/contacts/gdpr-delete',
        query: {},
        body: { objectId: '101' },
        headers: BEARER,
      },
      {
        method: 'POST',
        path: '/crm/v3/objects/contacts/gdpr-delete',
        query: {},
        body: { objectId: '202' },
        headers: BEARER,
      },
    ]);
    expect(r).toMatchObject({ status: 'done', records: 2 });
  });

  it('rectification: the corrected properties only', async () => {
    await (await client()).run(
      'rectification',
      { email: 'maja@example.se' },
      { 'user.name.last': 'Lind-Berg' },
    );
    expect(server!.requests.slice(2)).toEqual([
      {
        method: 'PATCH',
        path: '/crm/v3/objects/contacts/101',
        query: {},
        body: { properties: { lastname: 'Lind-Berg' } },
        headers: BEARER,
      },
      {
        method: 'PATCH',
        path: '/crm/v3/objects/contacts/202',
        query: {},
        body: { properties: { lastname: 'Lind-Berg' } },
        headers: BEARER,
      },
    ]);
  });

  it('restriction is not in the connector: it is not supported (a manual task)', async () => {
    expect((await client()).supports('restriction')).toBe(false);
  });
});

describe('Stripe connector (contract)', () => {
  const AUTH = { authorization: 'Bearer sk_test_abc' };
  const customer = (id: string) => ({
    id,
    object: 'customer',
    address: null,
    balance: 0,
    created: 1680893993,
    currency: 'sek',
    email: 'maja@example.se',
    name: 'Maja Lind',
    phone: null,
    preferred_locales: ['sv'],
    livemode: false,
    metadata: {},
  });
  async function client() {
    const connector = await loadConnectorFile('connectors/stripe.yaml');
    server = await startSaasServer([
      {
        method: 'GET',
        path: '/v1/customers',
        query: { starting_after: 'cus_A' },
        answer: {
          body: { object: 'list', url: '/v1/customers', has_more: false, data: [customer('cus_B')] },
        },
      },
      {
        method: 'GET',
        path: '/v1/customers',
        answer: { body: { object: 'list', url: '/v1/customers', has_more: true, data: [customer('cus_A')] } },
      },
      {
        method: 'DELETE',
        path: /^\/v1\/customers\/cus_[AB]$/,
        answer: (r) => ({ body: { id: r.path.slice(14), object: 'customer', deleted: true } }),
      },
      { method: 'POST', path: /^\/v1\/customers\/cus_[AB]$/, answer: { body: customer('cus_A') } },
    ]);
    return new SaasClient({
      systemId: 'payments',
      connector,
      settings: {},
      secrets: { secret_key: 'sk_test_abc' },
      baseUrl: server.url,
    });
  }
  const list = (after?: string) => ({
    method: 'GET',
    path: '/v1/customers',
    query: { email: 'maja@example.se', limit: '100', ...(after ? { starting_after: after } : {}) },
    headers: AUTH,
  });

  it('access: lists customers by e-mail, paging with starting_after while has_more', async () => {
    const r = await (await client()).run('access', { email: 'maja@example.se' });
    expect(server!.requests).toEqual([list(), list('cus_A')]);
    expect(r.data?.customers?.map((c) => [c.id, c.currency])).toEqual([
      ['cus_A', 'sek'],
      ['cus_B', 'sek'],
    ]);
    expect(Object.keys(r.data!.customers![0]!)).not.toContain('livemode');
  });

  it('erasure: deletes each customer', async () => {
    const r = await (await client()).run('erasure', { email: 'maja@example.se' });
    expect(server!.requests.slice(2)).toEqual([
      { method: 'DELETE', path: '/v1/customers/cus_A', query: {}, headers: AUTH },
      { method: 'DELETE', path: '/v1/customers/cus_B', query: {}, headers: AUTH },
    ]);
    expect(r.records).toBe(2);
  });

  it('rectification: form-encoded, only the corrections given', async () => {
    await (await client()).run(
      'rectification',
      { email: 'maja@example.se' },
      { 'user.contact.email': 'maja@new.se', 'user.name': 'Maja Berg' },
    );
    const form = { ...AUTH, 'content-type': 'application/x-www-form-urlencoded' };
    expect(server!.requests.slice(2)).toEqual([
      {
        method: 'POST',
        path: '/v1/customers/cus_A',
        query: {},
        body: { email: 'maja@new.se', name: 'Maja Berg' },
        headers: form,
      },
      {
        method: 'POST',
        path: '/v1/customers/cus_B',
        query: {},
        body: { email: 'maja@new.se', name: 'Maja Berg' },
        headers: form,
      },
    ]);
  });
});
