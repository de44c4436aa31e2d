/**
 * Recipients are told (Art. 19), the HTTP connector's callback and manual tasks, end to end: the demo
 * group's web shop (PostgreSQL) and customer service (MariaDB) on the real servers, Ombud listening on
 * loopback for callbacks, and a mail-provider stand-in that implements docs/connectors/http.md.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { newWebhookSecret } from '../../src/core/fulfilment/signature.ts';
import { type Keyring, parseKeyring } from '../../src/core/secrets/envelope.ts';
import { SYSTEM_ACTOR } from '../../src/services/audit/auditLog.ts';
import { saveHttpConnector } from '../../src/services/fulfilment/connectors/http.ts';
import { tasksOf } from '../../src/services/fulfilment/recipients.ts';
import {
  type FulfilmentDeps,
  getFulfilmentStatus,
  runFulfilment,
} from '../../src/services/fulfilment/runFulfilment.ts';
import {
  type NestitSystems,
  nestitSystems,
  richCustomer,
  TOLD_OF_SHOP_AND_SERVICE,
} from '../support/nestit-systems.ts';
import { type MailProvider, startMailProvider } from '../support/mail-provider.ts';
import { launchBrowser, SCREENSHOTS } from '../support/browser.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let ts: TestServer;
let s: NestitSystems;
let provider: MailProvider;
let ring: Keyring;
let base: string;
const secret = newWebhookSecret();
const ORG = 'nestit-sverige';

beforeAll(async () => {
  ts = await startTestServer();
  const spec = `k1:${randomBytes(32).toString('base64')}`;
  ts.configure({ secretKeys: spec });
  ring = parseKeyring(spec);
  await ts.server.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(ts.server.server.address() as { port: number }).port}`;
  s = await nestitSystems({ customers: 60 });
  provider = await startMailProvider(secret);
  await saveHttpConnector(ts.app.db, ring, SYSTEM_ACTOR, {
    systemId: 'messaging',
    url: provider.url,
    secret,
    timeoutMs: 3000,
  });
}, 120_000);
afterAll(async () => {
  await provider?.close();
  await s?.close();
  await ts?.close();
});

const deps = (over: Partial<FulfilmentDeps> = {}): FulfilmentDeps => ({
  db: ts.app.db,
  actor: SYSTEM_ACTOR,
  index: s.index,
  datasets: s.datasets,
  connectors: s.connectors,
  secret: 'k',
  now: ts.app.now,
  recipients: { callbackBaseUrl: base, keyring: ring, backoffMs: 20 },
  ...over,
});
const form = (note: string, status = 'done') => ({
  cookie: ts.cookie,
  origin: 'http://localhost',
  host: 'localhost',
  'content-type': 'application/x-www-form-urlencoded',
  payload: new URLSearchParams({ note, status }).toString(),
});
async function tick(requestId: string, systemId: string, note: string) {
  const { payload, ...headers } = form(note);
  return ts.server.inject({
    method: 'POST',
    url: `/console/fulfilment/${requestId}/tasks/${systemId}`,
    headers,
    payload,
  });
}
async function someCustomer(offset: number) {
  const [c] = await s.webshop.connector.query<{ customer_number: string; email: string }>(
    `SELECT customer_number, email FROM customers ORDER BY id DESC LIMIT 1 OFFSET ${offset}`,
  );
  return c!;
}

describe('recipients told (Art. 19)', () => {
  test('P28 an erasure reaches every recipient the register lists: the mail provider through the HTTP connector with a slow callback, the rest as manual tasks; the run waits and completes when all have answered', async () => {
    const who = await richCustomer(s);
    provider.contacts.set(who.email, { email: who.email, name: 'Subject', lists: ['news'] });
    provider.mode = 'async';
    provider.callbackDelayMs = 1500;
    const requestId = 'req-art19-erase';
    const res = await runFulfilment(deps(), {
      requestId,
      orgId: ORG,
      type: 'erasure',
      identities: { customerNumber: who.customerNumber, email: who.email },
    });
    // The group's own databases are done; the recipients are asked and awaited.
    expect(res.status).toBe('waiting');
    // By hand from examples/nestit/register: the routine recipients of every purpose with data in the web
    // shop or the customer-service system (not the case-by-case advisers, buyer and authorities).
    const expected = TOLD_OF_SHOP_AND_SERVICE;
    expect(res.steps.filter((x) => x.step.startsWith('notify:')).map((x) => x.step.slice(7))).toEqual(
      expected,
    );
    expect(res.steps.filter((x) => x.step.startsWith('erase:')).every((x) => x.status === 'done')).toBe(true);

    // The slow callback arrives after the run has returned; Ombud verifies it and records the answer.
    expect(provider.contacts.has(who.email)).toBe(true);
    await provider.idle();
    expect(provider.callbacks).toEqual([{ status: 200, body: '{"received":true,"recorded":true}' }]);
    expect(provider.contacts.has(who.email)).toBe(false);
    let st = (await getFulfilmentStatus(ts.app.db, requestId))!;
    expect(st.status).toBe('waiting');
    const messaging = st.steps.find((x) => x.step === 'notify:messaging')!;
    expect(messaging.status).toBe('done');
    expect((messaging.outcome![0] as unknown as { recipient: object }).recipient).toEqual({
      via: 'http',
      status: 'done',
      records: 1,
      by: 'system:messaging',
    });

    // The console lists the open manual tasks; a person ticks each off with a note.
    const page = await ts.server.inject({
      method: 'GET',
      url: '/console/fulfilment/tasks',
      headers: { cookie: ts.cookie },
    });
    expect(page.statusCode).toBe(200);
    for (const sys of expected.filter((x) => x !== 'messaging'))
      expect(page.body).toContain(`data-task="${requestId}/${sys}"`);
    const manual = expected.filter((x) => x !== 'messaging');
    // In a browser: the checklist, and ticking the first task off with a note through the form.
    const browser = await launchBrowser();
    try {
      const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const [name, value] = ts.cookie.split('=') as [string, string];
      await ctx.addCookies([{ name, value, url: base }]);
      const p = await ctx.newPage();
      await p.goto(`${base}/console/fulfilment/tasks`);
      await p.screenshot({ path: `${SCREENSHOTS}/fulfilment-tasks.png`, fullPage: true });
      const first = manual.shift()!;
      // The system's form holds its one task, ticked.
      await p.fill(`#bulk-${first}-note`, `Erased in ${first}'s portal, ticket browser`);
      const [resp] = await Promise.all([
        p.waitForResponse((r) => r.request().method() === 'POST'),
        p.click(`#bulk-${first} button[type=submit]`),
      ]);
      expect(resp.status(), await resp.text().catch(() => '')).toBe(303);
      await p.waitForLoadState('load');
      expect(await p.content()).not.toContain(`data-task="${requestId}/${first}"`);
    } finally {
      await browser.close();
    }
    for (const [i, sys] of manual.entries()) {
      const r = await tick(requestId, sys, `Erased in ${sys}'s portal, ticket ${i}`);
      expect(r.statusCode).toBe(303);
      st = (await getFulfilmentStatus(ts.app.db, requestId))!;
      expect(st.status).toBe(i === manual.length - 1 ? 'done' : 'waiting');
    }
    expect(st.stepsDone).toBe(st.stepsTotal);
    // Every answer is recorded on its step and in the audit log.
    const tasks = await tasksOf(ts.app.db, requestId);
    expect(tasks.map((t) => [t.system_id, t.via, t.status])).toEqual(
      expected.map((x) => [x, x === 'messaging' ? 'http' : 'manual', 'done']),
    );
    for (const t of tasks.filter((x) => x.via === 'manual')) {
      expect(t.note).toMatch(new RegExp(`^Erased in ${t.system_id}'s portal, ticket \\w+$`));
      expect(t.done_by).toMatch(/^user:/);
    }
    const audit = await ts.app.db.query<{ details: { system: string; via: string } }>(
      "SELECT details FROM audit_log WHERE action = 'fulfilment.recipient.answered' AND target = $1",
      [`request:${requestId}`],
    );
    expect(audit.map((a) => a.details.system).sort()).toEqual(expected);
    // A second tick of an answered task changes nothing.
    expect((await tick(requestId, 'crm', 'again')).statusCode).toBe(303);
    expect((await tasksOf(ts.app.db, requestId)).find((t) => t.system_id === 'crm')!.note).toContain(
      'ticket',
    );
  }, 120_000);

  test('P26 P06 a corrected e-mail address reaches the mail provider as well as the own databases; its answer is recorded', async () => {
    const who = await someCustomer(0);
    provider.contacts.set(who.email, { email: who.email, name: 'Subject', lists: ['news'] });
    provider.mode = 'sync';
    const res = await runFulfilment(deps(), {
      requestId: 'req-art19-rect',
      orgId: ORG,
      type: 'rectification',
      identities: { customerNumber: who.customer_number, email: who.email },
      corrections: { 'user.contact.email': 'corrected.address@example.test' },
    });
    expect(res.status).toBe('waiting');
    expect(res.steps.find((x) => x.step === 'notify:messaging')!.status).toBe('done');
    expect(provider.contacts.has(who.email)).toBe(false);
    expect(provider.contacts.get('corrected.address@example.test')?.name).toBe('Subject');
    const [row] = await s.webshop.connector.query<{ email: string }>(
      'SELECT email FROM customers WHERE customer_number = $1',
      [who.customer_number],
    );
    expect(row!.email).toBe('corrected.address@example.test');
    const req = provider.received.filter((r) => r.requestId === 'req-art19-rect');
    expect(req).toEqual([{ action: 'rectification', requestId: 'req-art19-rect', verified: true }]);
  }, 60_000);

  test('P29 a restriction is told to the mail provider; a callback with a bad signature is refused and audited, the run keeps waiting, and the delivery is sent again once its answer is overdue', async () => {
    const who = await someCustomer(1);
    provider.contacts.set(who.email, { email: who.email, name: 'Subject', lists: ['news'] });
    provider.mode = 'async';
    provider.callbackDelayMs = 200;
    provider.callbackSecretOverride = newWebhookSecret();
    const requestId = 'req-art19-restrict';
    const input = {
      requestId,
      orgId: ORG,
      type: 'restriction' as const,
      identities: { customerNumber: who.customer_number, email: who.email },
    };
    const first = await runFulfilment(deps(), input);
    expect(first.status).toBe('waiting');
    await provider.idle();
    const forged = provider.callbacks.at(-1)!;
    expect(forged.status).toBe(401);
    expect(JSON.parse(forged.body)).toMatchObject({ status: 401, code: 'unauthenticated' });
    expect(forged.body).not.toContain(who.email);
    const [task] = (await tasksOf(ts.app.db, requestId)).filter((t) => t.system_id === 'messaging');
    expect(task!.status).toBe('sent');
    const rejected = await ts.app.db.query<{ details: { reason: string } }>(
      "SELECT details FROM audit_log WHERE action = 'fulfilment.callback.rejected' AND target = $1",
      [`request:${requestId}`],
    );
    expect(rejected.map((r) => r.details.reason)).toEqual(['bad-signature']);
    expect((await getFulfilmentStatus(ts.app.db, requestId))!.status).toBe('waiting');

    // Resuming before the answer is due does not send again; after callbackHours (72 h) it does.
    provider.callbackSecretOverride = undefined;
    const sent = provider.received.filter((r) => r.requestId === requestId).length;
    await runFulfilment(deps(), input);
    expect(provider.received.filter((r) => r.requestId === requestId)).toHaveLength(sent);
    const later = new Date(ts.app.now().getTime() + 73 * 3_600_000);
    await runFulfilment(deps({ now: () => later }), input);
    await provider.idle();
    expect(provider.callbacks.at(-1)!.status).toBe(200);
    expect(provider.contacts.get(who.email)?.restricted).toBe(true);
    const again = (await tasksOf(ts.app.db, requestId)).find((t) => t.system_id === 'messaging')!;
    expect(again.status).toBe('done');
    expect(again.delivery_id).toBe(task!.delivery_id);
  }, 60_000);

  test('a callback for an unknown delivery is 404, a malformed answer is 422 naming the field', async () => {
    const unknown = await ts.server.inject({
      method: 'POST',
      url: `/api/v1/fulfilment/callbacks/dlv_${'0'.repeat(32)}`,
      headers: { 'content-type': 'application/json' },
      payload: '{"status":"done"}',
    });
    expect(unknown.statusCode).toBe(404);
    const [t] = await tasksOf(ts.app.db, 'req-art19-rect');
    expect(t).toBeDefined();
    const { signWebhook } = await import('../../src/core/fulfilment/signature.ts');
    const [own] = (await tasksOf(ts.app.db, 'req-art19-rect')).filter((x) => x.system_id === 'messaging');
    const body = '{"status":"erased"}';
    const now = Math.floor(ts.app.now().getTime() / 1000);
    const bad = await ts.server.inject({
      method: 'POST',
      url: `/api/v1/fulfilment/callbacks/${own!.delivery_id}`,
      headers: {
        'content-type': 'application/json',
        'webhook-id': 'msg_x',
        'webhook-timestamp': String(now),
        'webhook-signature': signWebhook(secret, 'msg_x', now, body),
      },
      payload: body,
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors[0].path).toBe('status');
  });
});
