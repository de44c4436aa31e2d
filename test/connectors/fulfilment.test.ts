/**
 * SaaS connectors in the fulfilment engine, end to end: the demo group's web shop (PostgreSQL) and customer
 * service (MariaDB) on the real servers, the mail provider (`messaging`) through the Mailchimp connector and
 * the CRM (`crm`) through the HubSpot connector, each against a local server speaking the vendor's shapes.
 * The run records their steps per collection, as for the own databases; a failing vendor fails its step
 * saying the system, collection and HTTP status, never the subject's address.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Keyring, parseKeyring } from '../../src/core/secrets/envelope.ts';
import { SYSTEM_ACTOR } from '../../src/services/audit/auditLog.ts';
import { loadConnectorFile } from '../../src/services/connectors/load.ts';
import { saveSaasConnector } from '../../src/services/fulfilment/connectors/saas.ts';
import { tasksOf } from '../../src/services/fulfilment/recipients.ts';
import { getArtifact } from '../../src/services/fulfilment/runStore.ts';
import { type FulfilmentDeps, runFulfilment } from '../../src/services/fulfilment/runFulfilment.ts';
import { type NestitSystems, nestitSystems, richCustomer } from '../support/nestit-systems.ts';
import { type SaasServer, startSaasServer } from '../support/saas-server.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let ts: TestServer;
let s: NestitSystems;
let ring: Keyring;
let mail: SaasServer;
let crm: SaasServer;
const ORG = 'nestit-sverige';
const held = new Set<string>();

beforeAll(async () => {
  ts = await startTestServer();
  ring = parseKeyring(`k1:${randomBytes(32).toString('base64')}`);
  s = await nestitSystems({ customers: 40 });
  mail = await startSaasServer([
    {
      method: 'GET',
      path: '/3.0/search-members',
      answer: (r) => ({
        body: {
          exact_matches: {
            members: held.has(r.query.query ?? '')
              ? [
                  {
                    id: 'f00d',
                    email_address: r.query.query,
                    status: 'subscribed',
                    list_id: 'news',
                    merge_fields: { FNAME: 'A' },
                  },
                ]
              : [],
            total_items: held.has(r.query.query ?? '') ? 1 : 0,
          },
          full_search: { members: [], total_items: 0 },
        },
      }),
    },
    {
      method: 'POST',
      path: '/3.0/lists/news/members/f00d/actions/delete-permanent',
      answer: { status: 204 },
    },
  ]);
  crm = await startSaasServer([
    {
      method: 'POST',
      path: '/crm/v3/objects/contacts/search',
      answer: (r) => {
        const email = (r.body as { filterGroups: { filters: { value: string }[] }[] }).filterGroups[0]!
          .filters[0]!.value;
        return {
          body: { total: 1, results: held.has(email) ? [{ id: '5150', properties: { email } }] : [] },
        };
      },
    },
    { method: 'POST', path: '/crm/v3/objects/contacts/gdpr-delete', answer: { status: 204 } },
  ]);
  await saveSaasConnector(ts.app.db, ring, SYSTEM_ACTOR, {
    systemId: 'messaging',
    connector: await loadConnectorFile('connectors/mailchimp.yaml'),
    settings: { dc: 'us21' },
    secrets: { api_key: 'key-us21' },
    baseUrl: `${mail.url}/3.0`,
  });
  await saveSaasConnector(ts.app.db, ring, SYSTEM_ACTOR, {
    systemId: 'crm',
    connector: await loadConnectorFile('connectors/hubspot.yaml'),
    settings: {},
    secrets: { access_token: 'pat-1' },
    baseUrl: crm.url,
  });
}, 120_000);
afterAll(async () => {
  await mail?.close();
  await crm?.close();
  await s?.close();
  await ts?.close();
});

const deps = (): FulfilmentDeps => ({
  db: ts.app.db,
  actor: SYSTEM_ACTOR,
  index: s.index,
  datasets: s.datasets,
  connectors: s.connectors,
  secret: 'k',
  now: ts.app.now,
  recipients: { callbackBaseUrl: 'http://127.0.0.1:9', keyring: ring, backoffMs: 5 },
});

describe('SaaS connectors in a fulfilment run', () => {
  test('P28 an erasure tells the mail provider and the CRM through their connectors at once; their steps are done per collection, the other recipients stay manual tasks', async () => {
    const who = await richCustomer(s);
    held.add(who.email);
    const requestId = 'req-saas-erase';
    const res = await runFulfilment(deps(), {
      requestId,
      orgId: ORG,
      type: 'erasure',
      identities: { customerNumber: who.customerNumber, email: who.email },
    });
    const step = (id: string) => res.steps.find((x) => x.step === id);
    expect(step('notify:messaging')).toMatchObject({
      status: 'done',
      outcome: [
        {
          system: 'messaging',
          collection: 'members',
          erased: 1,
          recipient: { via: 'saas', status: 'done', records: 1 },
        },
      ],
    });
    expect(step('notify:crm')).toMatchObject({
      status: 'done',
      outcome: [
        {
          system: 'crm',
          collection: 'contacts',
          erased: 1,
          recipient: { via: 'saas', status: 'done', records: 1 },
        },
      ],
    });
    // The vendors got exactly the search and the deletion.
    expect(mail.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /3.0/search-members',
      'POST /3.0/lists/news/members/f00d/actions/delete-permanent',
    ]);
    expect(crm.requests.map((r) => [r.method, r.path, r.body])).toEqual([
      ['POST', '/crm/v3/objects/contacts/search', expect.anything()],
      ['POST', '/crm/v3/objects/contacts/gdpr-delete', { objectId: '5150' }],
    ]);
    const tasks = await tasksOf(ts.app.db, requestId);
    expect(tasks.filter((t) => t.via === 'saas').map((t) => [t.system_id, t.status])).toEqual([
      ['crm', 'done'],
      ['messaging', 'done'],
    ]);
    // Others the register lists (shipping, survey provider, …) are still manual.
    expect(tasks.filter((t) => t.via === 'manual').length).toBeGreaterThan(0);
    expect(res.status).toBe('waiting');
  });

  test('an access asks both services; their records go into the extract under the service', async () => {
    const who = await richCustomer(s);
    held.add(who.email);
    mail.requests.length = 0;
    const res = await runFulfilment(deps(), {
      requestId: 'req-saas-access',
      orgId: ORG,
      type: 'access',
      identities: { customerNumber: who.customerNumber, email: who.email },
    });
    expect(res.status).toBe('done');
    expect(res.steps.find((x) => x.step === 'collect:messaging')).toMatchObject({
      status: 'done',
      outcome: [{ collection: 'members', kept: 1, recipient: { via: 'saas' } }],
    });
    const extract = await getArtifact(ts.app.db, 'req-saas-access', 'extract.json', ts.app.now());
    const text = extract!.body.toString('utf8');
    expect(text).toContain('f00d');
    expect(text).toContain('5150');
  });

  test('a vendor that fails: the step fails naming system, collection and status, never the address', async () => {
    const who = await richCustomer(s);
    crm.routes.unshift({
      method: 'POST',
      path: '/crm/v3/objects/contacts/search',
      answer: { status: 401, body: { status: 'error' } },
    });
    const res = await runFulfilment(deps(), {
      requestId: 'req-saas-fail',
      orgId: ORG,
      type: 'erasure',
      identities: { customerNumber: who.customerNumber, email: who.email },
    });
    crm.routes.shift();
    const failed = res.steps.find((x) => x.step === 'notify:crm');
    expect(failed?.status).toBe('failed');
    expect(failed?.error).toContain('crm: contacts read answered HTTP 401');
    expect(failed?.error).not.toContain(who.email);
    expect(res.status).toBe('failed');
  });
});
