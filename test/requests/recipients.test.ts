/**
 * The request desk's worker with everything wired as `ombud start` wires it: recipients told (Art. 19)
 * through the mail provider's HTTP connector on loopback (a node:http service implementing the signed
 * contract of docs/connectors/http.md, calling back to Ombud over real HTTP) and as manual tasks, the PDF
 * extract by Debian's Chromium, services asked on an access. Ombud on PostgreSQL, the web shop on
 * PostgreSQL, customer service on MariaDB, mail through a real SMTP server. The worker's timer is left at
 * its default (an hour), so a request that completes within seconds of its last answer was woken by it.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { strFromU8, unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { recipientsToTell } from '../../src/core/fulfilment/recipients.ts';
import { newWebhookSecret } from '../../src/core/fulfilment/signature.ts';
import { parseKeyring } from '../../src/core/secrets/envelope.ts';
import { SYSTEM_ACTOR } from '../../src/services/audit/auditLog.ts';
import { saveHttpConnector } from '../../src/services/fulfilment/connectors/http.ts';
import { startRequestFulfilment } from '../../src/services/requests/fulfilRequest.ts';
import { type DeskApi, deskApi } from '../integration/support.ts';
import { type MailProvider, startMailProvider } from '../support/mail-provider.ts';
import {
  type NestitSystems,
  nestitSystems,
  richCustomer,
  TOLD_OF_SHOP_AND_SERVICE,
  traces,
} from '../support/nestit-systems.ts';
import { type DeskServer, startDesk } from './support.ts';

const ORG = 'nestit-sverige';
let sys: NestitSystems;
let s: DeskServer;
let d: DeskApi;
let provider: MailProvider;

beforeAll(async () => {
  sys = await nestitSystems({ customers: 80 });
  s = await startDesk({ kind: 'postgres' });
  await s.server.listen({ port: 0, host: '127.0.0.1' });
  // The configured public URL is where services call back.
  s.configure({
    publicUrl: `http://127.0.0.1:${(s.server.server.address() as { port: number }).port}`,
    secretKeys: `k1:${randomBytes(32).toString('base64')}`,
    secret: randomBytes(32).toString('hex'),
  });
  const secret = newWebhookSecret();
  provider = await startMailProvider(secret);
  await saveHttpConnector(s.app.db, parseKeyring(s.app.config.secretKeys!), SYSTEM_ACTOR, {
    systemId: 'messaging',
    url: provider.url,
    secret,
    timeoutMs: 5000,
  });
  await startRequestFulfilment(
    s.app,
    s.workers,
    { datasets: sys.datasets, connectors: sys.connectors },
    { pollingIntervalSeconds: 0.5, retryDelaySeconds: 1, retryLimit: 1 },
  );
  d = await deskApi(s);
}, 180_000);
afterAll(async () => {
  await s?.close();
  await provider?.close();
  await sys?.close();
});

type Run = { status: string; steps: { step: string; status: string; note: string | null }[] };
async function runOf(id: string): Promise<Run> {
  return (await d.api('GET', `/api/v1/requests/${id}/fulfilment`)).json();
}
async function waitForRun(id: string, status: string, ms = 60_000): Promise<Run> {
  const end = Date.now() + ms;
  for (;;) {
    const r = await d.api('GET', `/api/v1/requests/${id}/fulfilment`);
    if (r.statusCode === 200 && r.json().status === status) return r.json();
    if (Date.now() > end) throw new Error(`fulfilment of ${id} is not ${status}: ${r.body}`);
    await new Promise((res) => setTimeout(res, 250));
  }
}
const stateOf = async (id: string) => (await d.api('GET', `/api/v1/requests/${id}`)).json().request.state;
const tick = (id: string, system: string) =>
  d.api('POST', `/api/v1/fulfilment/${id}/tasks/${system}`, {
    status: 'done',
    note: `Erased in ${system}'s own tool`,
  });

/** How the notice names each kind of recipient in English (examples/nestit/register/systems.yaml, by hand). */
const KIND: Record<string, string> = {
  webshop: 'System provider for order management',
  'group-companies':
    'Companies within NestIT Group (for internal administration, service development and joint processing of customer data)',
  crm: 'System provider for customer information management',
  shipping: 'Service providers for shipping and delivery',
  messaging: 'Service provider for e-mail and text-message communication',
  'survey-provider': 'Service provider that handles customer surveys',
  analytics: 'Service providers of analysis tools',
  'customer-service-system': 'Customer service system and chat service provider',
  'customer-service-provider': 'Customer service provider',
  'case-management': 'IT suppliers that provide systems for documentation and case management',
  'social-media': 'Social media provider',
  'google-ads': 'Service providers for advertising in external channels (Google Ireland Ltd)',
  'meta-ads': 'Service providers for advertising in external channels (Meta Platforms Ireland Ltd)',
  advisers: 'External advisers',
  buyer: 'A potential buyer and, after a completed transfer, the new owner',
  authorities: 'Authorities and courts',
};

describe('P28 P25 the desk with recipients, services and the PDF', () => {
  test('P28 P32 an erasure from the desk tells every recipient; the request stays in progress, showing whom it waits for, and completes only when the HTTP service has called back and the last manual task is ticked off', async () => {
    const who = await richCustomer(sys, ORG);
    provider.mode = 'async';
    provider.callbackDelayMs = 4000;
    provider.contacts.set(who.email, { email: who.email, name: 'Subject', lists: ['news'] });
    const [id] = await d.fileAndVerify({ company: ORG, type: 'erasure', email: who.email });
    expect((await d.api('POST', `/api/v1/requests/${id}/approve`, {})).statusCode).toBe(200);

    // The own databases are done; the recipients are asked, and the run waits.
    const run = await waitForRun(id!, 'waiting');
    const expected = recipientsToTell(sys.index, ['webshop', 'customer-service-system']);
    expect(expected).toContain('messaging');
    expect(run.steps.filter((x) => x.step.startsWith('notify:')).map((x) => x.step.slice(7))).toEqual(
      expected,
    );
    expect(run.steps.filter((x) => x.step.startsWith('erase:')).every((x) => x.status === 'done')).toBe(true);
    // Told (by hand from examples/nestit/register): the routine recipients of every purpose with data in the
    // web shop or the customer-service system, where this customer's rows are.
    const told = run.steps
      .filter((x) => x.step.startsWith('notify:') && x.status === 'waiting')
      .map((x) => x.step.slice(7));
    expect(told).toEqual(TOLD_OF_SHOP_AND_SERVICE);
    expect(await traces(sys.webshop, who.email)).toEqual(['invoices.billing_email']);
    expect(await traces(sys.service, who.email)).toEqual([]);
    expect(await stateOf(id!)).toBe('in-progress');
    // The request page and the console's progress page say whom the request waits for.
    const page = await d.api('GET', `/console/requests/${id}`);
    expect(page.body).toContain('id="fulfilment-status">waiting');
    expect(page.body).toContain('id="fulfilment-waiting"');
    for (const x of expected) expect(page.body).toContain(`notify:${x}`);
    const progress = await d.api('GET', `/console/fulfilment/${id}`);
    expect(progress.statusCode).toBe(200);
    expect(progress.body).toContain('messaging (HTTP, callback awaited)');
    expect(progress.body).toContain('crm (manual task)');
    expect(progress.body).toMatch(/of \d+ steps \(\d+%\)/);

    // People tick off all manual tasks but one.
    const manual = told.filter((x) => x !== 'messaging');
    const last = manual.pop()!;
    for (const x of manual) expect((await tick(id!, x)).statusCode).toBe(200);
    // The service's signed callback arrives over HTTP and is recorded; one task is still open.
    await provider.idle();
    expect(provider.callbacks.at(-1)).toEqual({ status: 200, body: '{"received":true,"recorded":true}' });
    expect(provider.contacts.has(who.email)).toBe(false);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await stateOf(id!)).toBe('in-progress');
    const open = await runOf(id!);
    expect(open.status).toBe('waiting');
    expect(open.steps.filter((x) => x.status === 'waiting').map((x) => x.step)).toEqual([`notify:${last}`]);

    // The last answer: the desk learns of it at once (not at the hourly timer) and completes the request.
    const t0 = Date.now();
    expect((await tick(id!, last)).statusCode).toBe(200);
    const done = await d.waitForState(id!, 'completed', 30_000);
    expect(Date.now() - t0).toBeLessThan(30_000);
    expect(done.timeline.map((e: { kind: string }) => e.kind)).toEqual(
      expect.arrayContaining(['approved', 'fulfilment-queued', 'completed']),
    );
    const mail = await s.smtp.waitFor((m) => m.to.includes(who.email) && /completed/.test(m.subject), 15_000);
    expect(mail.text).toContain(
      'because the Swedish Bookkeeping Act (Bokföringslagen 1999:1078, chapter 7, section 2) requires it',
    );
    const toldLine = mail.text
      .split('\n')
      .find((l) => l.startsWith('We have told those who received your data from us: '));
    expect(toldLine).toContain(
      'Service provider for e-mail and text-message communication (Nordic Messaging ApS (placeholder))',
    );
    // Answers recorded per recipient; no personal data in the run's records or the audit log.
    const tasks = await s.app.db.query<{ system_id: string; via: string; status: string }>(
      'SELECT system_id, via, status FROM fulfilment_recipient_tasks WHERE request_id = $1 ORDER BY system_id',
      [id],
    );
    expect(tasks).toEqual(
      told.map((x) => ({ system_id: x, via: x === 'messaging' ? 'http' : 'manual', status: 'done' })),
    );
    const stored = JSON.stringify(
      await s.app.db.query(
        'SELECT * FROM fulfilment_steps s JOIN fulfilment_recipient_tasks t USING (request_id)',
      ),
    );
    const audit = JSON.stringify(await s.app.db.query('SELECT * FROM audit_log'));
    for (const needle of [who.email, who.customerNumber]) {
      expect(stored).not.toContain(needle);
      expect(audit).not.toContain(needle);
    }
  }, 180_000);

  test('P28 P25 the access extract and the Art. 19 notice of an erasure name the same recipients, in the notice’s words: everyone told was named in the extract; the extract’s other recipients are the systems changed directly and those that get data only case by case', async () => {
    // A customer with an account, orders, invoices, a newsletter sign-up, survey answers and a case: the last
    // such customer, so the other tests here (which take the first ones) do not change what is found.
    const conn = sys.webshop.connector;
    const candidates = await conn.query<{ email: string; customer_number: string }>(
      `SELECT c.email, c.customer_number FROM customers c
        WHERE EXISTS (SELECT 1 FROM invoices i WHERE i.customer_number = c.customer_number AND i.seller_org = ${conn.param(1)})
          AND EXISTS (SELECT 1 FROM newsletter_signups n WHERE n.email = c.email)
          AND EXISTS (SELECT 1 FROM survey_answers a WHERE a.customer_number = c.customer_number)
          AND EXISTS (SELECT 1 FROM accounts ac WHERE ac.customer_id = c.id)
        ORDER BY c.id DESC`,
      [ORG],
    );
    let who: { email: string } | undefined;
    for (const c of candidates) {
      const cases = await sys.service.connector.query(
        `SELECT 1 FROM cases WHERE customer_number = ${sys.service.connector.param(1)}`,
        [c.customer_number],
      );
      if (cases.length) {
        who = c;
        break;
      }
    }
    if (!who) throw new Error('no such customer in the seed: raise the number of customers');
    provider.mode = 'sync';
    provider.contacts.set(who.email, { email: who.email, name: 'Subject', lists: ['news'] });

    // Access first: the recipients the extract names, over all purposes the customer's data serves.
    const [access] = await d.fileAndVerify({ company: ORG, type: 'access', email: who.email });
    await d.waitForState(access!, 'completed', 60_000);
    const accessMail = await s.smtp.waitFor(
      (m) => m.to.includes(who.email) && /completed/.test(m.subject) && /download/.test(m.text),
      15_000,
    );
    const files = await Promise.all(
      [...accessMail.text.matchAll(/(\S+\/privacy\/requests\/download\/\S+)/g)].map((m) =>
        s.server.inject({ method: 'GET', url: new URL(m[1]!).pathname }),
      ),
    );
    expect(files).toHaveLength(4);
    const extract = JSON.parse(
      files.find((f) => String(f.headers['content-type']).startsWith('application/json'))!.body,
    ) as { processing: { purposes: { recipients: string[] }[] } };
    const named = new Set(extract.processing.purposes.flatMap((p) => p.recipients));

    // Then the erasure: whom Art. 19 told, as recorded per recipient.
    // (The access's mails are set aside, so the erasure's code and completion are read from its own.)
    for (let i = s.smtp.mails.length - 1; i >= 0; i--)
      if (s.smtp.mails[i]!.to.includes(who.email)) s.smtp.mails.splice(i, 1);
    const [erasure] = await d.fileAndVerify({ company: ORG, type: 'erasure', email: who.email });
    expect((await d.api('POST', `/api/v1/requests/${erasure}/approve`, {})).statusCode).toBe(200);
    const run = await waitForRun(erasure!, 'waiting');
    for (const x of run.steps.filter((x) => x.step.startsWith('notify:') && x.status === 'waiting'))
      if (x.step !== 'notify:messaging') expect((await tick(erasure!, x.step.slice(7))).statusCode).toBe(200);
    await d.waitForState(erasure!, 'completed', 60_000);
    const told = (
      await s.app.db.query<{ system_id: string }>(
        "SELECT system_id FROM fulfilment_recipient_tasks WHERE request_id = $1 AND status = 'done' ORDER BY system_id",
        [erasure],
      )
    ).map((r) => r.system_id);
    // Written by hand from examples/nestit/register: the routine recipients of every purpose with data in the
    // web shop or the customer-service system, where this customer's rows are (not the case-by-case ones).
    expect(told).toEqual(TOLD_OF_SHOP_AND_SERVICE);
    const erasureMail = await s.smtp.waitFor(
      (m) => m.to.includes(who.email) && /completed/.test(m.subject),
      15_000,
    );
    for (const id of told) {
      expect(named, `the extract names ${id}`).toContain(KIND[id]);
      expect(erasureMail.text, `the erasure's mail names ${id}`).toContain(KIND[id]!);
    }
    // What the extract names beyond those told: the systems the erasure changed itself, and recipients that
    // get data only case by case (told only where a disclosure is on record).
    const toldKinds = new Set(told.map((id) => KIND[id]));
    expect([...named].filter((n) => !toldKinds.has(n)).sort()).toEqual(
      [KIND.webshop, KIND['customer-service-system'], KIND.advisers, KIND.authorities, KIND.buyer].sort(),
    );
  }, 240_000);

  test('P25 P30 an access from the desk asks the mail provider, waits for its callback, and hands over extract.html, extract.json, extract.pdf and the ZIP with the provider’s records in the extract', async () => {
    const [c] = await sys.webshop.connector.query<{ email: string; customer_number: string }>(
      'SELECT email, customer_number FROM customers ORDER BY id LIMIT 1 OFFSET 7',
    );
    const marker = `Newsletter name ${randomBytes(3).toString('hex')}`;
    provider.mode = 'async';
    provider.callbackDelayMs = 3000;
    provider.contacts.set(c!.email, { email: c!.email, name: marker, lists: ['news'] });
    const [id] = await d.fileAndVerify({ company: ORG, type: 'access', email: c!.email });

    // Runs on verification; the extract waits for the provider's answer.
    const run = await waitForRun(id!, 'waiting');
    expect(run.steps.map((x) => [x.step, x.status])).toEqual([
      ['collect:messaging', 'waiting'],
      ['access', 'pending'],
    ]);
    expect(await stateOf(id!)).toBe('in-progress');
    await provider.idle();
    await d.waitForState(id!, 'completed', 60_000);

    const mail = await s.smtp.waitFor((m) => m.to.includes(c!.email) && /completed/.test(m.subject), 15_000);
    const links = [...mail.text.matchAll(/(\S+\/privacy\/requests\/download\/\S+)/g)].map((m) => m[1]!);
    expect(links).toHaveLength(4);
    const files = await Promise.all(
      links.map((u) => s.server.inject({ method: 'GET', url: new URL(u).pathname })),
    );
    for (const f of files) expect(f.statusCode).toBe(200);
    const byType = (t: string) => files.find((f) => String(f.headers['content-type']).startsWith(t))!;
    const html = byType('text/html').body;
    expect(html).toContain(c!.email);
    expect(html).toContain('<h4>contacts</h4>');
    expect(html).toContain('Held in: E-mail and text-message communication');
    expect(html).toContain(marker);
    const json = JSON.parse(byType('application/json').body);
    expect(json.services).toEqual([
      {
        system: 'messaging',
        systemName: 'E-mail and text-message communication',
        status: 'done',
        records: 1,
      },
    ]);
    expect(JSON.stringify(json)).toContain(c!.customer_number);
    expect(JSON.stringify(json)).toContain(marker);
    const pdf = byType('application/pdf').rawPayload;
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    mkdirSync('test-results', { recursive: true });
    writeFileSync('test-results/desk-extract.pdf', pdf);
    const text = execFileSync('pdftotext', ['-layout', 'test-results/desk-extract.pdf', '-']).toString(
      'utf8',
    );
    expect(text).toContain(marker);
    expect(text).toContain('Your rights');
    const zip = unzipSync(new Uint8Array(byType('application/zip').rawPayload));
    const names = Object.keys(zip);
    expect(names.some((n) => n.endsWith('.csv'))).toBe(true);
    expect(strFromU8(zip['data.json']!)).toContain(c!.email);
    // The provider's answer lives only in the run's artifacts (the extract), not in Ombud's tables.
    expect(await s.app.db.query("SELECT name FROM fulfilment_artifacts WHERE name LIKE 'service-%'")).toEqual(
      [],
    );
    for (const table of ['fulfilment_recipient_tasks', 'fulfilment_steps', 'audit_log', 'dsr_events']) {
      const dump = JSON.stringify(await s.app.db.query(`SELECT * FROM ${table}`));
      expect(dump, table).not.toContain(marker);
    }
  }, 180_000);
});
