/**
 * The demo's erasure tells the mail provider and the CRM automatically: the demo's vendors (Mailchimp's and
 * HubSpot's API shapes on loopback, src/demo/saas/vendors.ts) hold the demo customers, the catalogue's
 * connectors are stored for `messaging` and `crm` as `ombud start` stores them, and an erasure removes the
 * customer from both; no manual task is opened for them.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseKeyring } from '../../src/core/secrets/envelope.ts';
import { connectDemoSaas } from '../../src/demo/saas/connect.ts';
import { type DemoVendors, startDemoVendors } from '../../src/demo/saas/vendors.ts';
import { SYSTEM_ACTOR } from '../../src/services/audit/auditLog.ts';
import { tasksOf } from '../../src/services/fulfilment/recipients.ts';
import { runFulfilment } from '../../src/services/fulfilment/runFulfilment.ts';
import { type NestitSystems, nestitSystems, richCustomer } from '../support/nestit-systems.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let ts: TestServer;
let s: NestitSystems;
let vendors: DemoVendors;
const ring = parseKeyring(`k1:${randomBytes(32).toString('base64')}`);

beforeAll(async () => {
  ts = await startTestServer();
  s = await nestitSystems({ customers: 40 });
  vendors = await startDemoVendors({ customers: 40 });
}, 120_000);
afterAll(async () => {
  await vendors?.close();
  await s?.close();
  await ts?.close();
});

describe('the demo reaches its mail provider and CRM through connectors', () => {
  test('P28 a demo erasure removes the customer from the mail provider and the CRM; both tasks are via the SaaS connector, not manual', async () => {
    expect(await connectDemoSaas(ts.app.db, ring, SYSTEM_ACTOR, vendors.url)).toEqual(['messaging', 'crm']);
    // A second start with the same vendors stores nothing anew.
    expect(await connectDemoSaas(ts.app.db, ring, SYSTEM_ACTOR, vendors.url)).toEqual([]);
    const who = await richCustomer(s);
    expect(vendors.members.has(who.email)).toBe(true);
    expect(vendors.contacts.has(who.email)).toBe(true);
    const res = await runFulfilment(
      {
        db: ts.app.db,
        actor: SYSTEM_ACTOR,
        index: s.index,
        datasets: s.datasets,
        connectors: s.connectors,
        secret: 'k',
        now: ts.app.now,
        recipients: { callbackBaseUrl: 'http://127.0.0.1:9', keyring: ring },
      },
      {
        requestId: 'req-demo-saas',
        orgId: 'nestit-sverige',
        type: 'erasure',
        identities: { customerNumber: who.customerNumber, email: who.email },
      },
    );
    expect(vendors.members.has(who.email)).toBe(false);
    expect(vendors.contacts.has(who.email)).toBe(false);
    const tasks = await tasksOf(ts.app.db, 'req-demo-saas');
    const via = Object.fromEntries(tasks.map((t) => [t.system_id, [t.via, t.status]]));
    expect(via.messaging).toEqual(['saas', 'done']);
    expect(via.crm).toEqual(['saas', 'done']);
    expect(res.steps.find((x) => x.step === 'notify:messaging')?.outcome?.[0]).toMatchObject({
      collection: 'members',
      erased: 1,
    });
  });
});
