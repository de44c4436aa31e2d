/**
 * One data subject request end to end on the real servers: Ombud on PostgreSQL, the web shop on PostgreSQL,
 * customer service on MariaDB, mail through a real SMTP server on loopback. Filed through the API, verified
 * with the mailed code, approved, carried out by the worker; the consent API answers no afterwards, the
 * request is completed and the completion mail names the authority. An access request hands over the
 * extract and the ZIP through the desk's signed download links.
 */
import { strFromU8, unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  expectInvoicesKept,
  nestitSystems,
  type NestitSystems,
  richCustomer,
  traces,
} from '../support/nestit-systems.ts';
import { type DeskServer, startDesk } from '../requests/support.ts';
import { type DeskApi, deskApi } from './support.ts';

describe('P11 P25 P28 P30 P32 one request end to end (PostgreSQL, MariaDB, SMTP)', () => {
  let sys: NestitSystems;
  let s: DeskServer;
  let d: DeskApi;
  beforeAll(async () => {
    sys = await nestitSystems({ customers: 80 });
    s = await startDesk({
      kind: 'postgres',
      fulfilment: { datasets: sys.datasets, connectors: sys.connectors },
    });
    d = await deskApi(s);
  }, 180_000);
  afterAll(async () => {
    await s?.close();
    await sys?.close();
  });

  test('P11 P28 P32 erasure for a seeded customer: filed by API, verified by mailed code, approved, carried out; only the restricted invoices remain; consent answers no; completed with the authority named', async () => {
    const who = await richCustomer(sys, 'nestit-sverige');
    const invoices = await sys.webshop.connector.query<{ id: number }>(
      'SELECT id FROM invoices WHERE customer_number = $1 ORDER BY id',
      [who.customerNumber],
    );
    expect(invoices.length).toBeGreaterThan(0);
    const [id] = await d.fileAndVerify({ company: 'nestit-sverige', type: 'erasure', email: who.email });
    expect((await d.request(id!)).request.state).toBe('verified');
    const approved = await d.client.POST('/api/v1/requests/{id}/approve', {
      params: { path: { id: id! } },
      body: {},
    });
    expect(approved.response.status).toBe(200);
    const done = await d.waitForState(id!, 'completed', 120_000);
    expect(done.timeline.map((e: { kind: string }) => e.kind)).toEqual(
      expect.arrayContaining(['verified', 'approved', 'fulfilment-queued', 'completed']),
    );

    // No trace in either demo database except the invoices (kept under the bookkeeping act).
    expect(await traces(sys.webshop, who.email)).toEqual(['invoices.billing_email']);
    expect(await traces(sys.webshop, who.customerNumber)).toEqual(['invoices.customer_number']);
    expect(await traces(sys.service, who.email)).toEqual([]);
    expect(await traces(sys.service, who.customerNumber)).toEqual([]);
    await expectInvoicesKept(sys.webshop, who.customerNumber, invoices);

    // Per-system results on the request: erased and kept counts and the rule keeping them.
    const run = await d.fulfilment(id!);
    const inv = run.steps.flatMap((x) => x.outcome ?? []).find((o) => o.collection === 'invoices');
    expect(inv).toMatchObject({ erased: 0, kept: invoices.length });
    expect(inv?.keptUnder[0]?.rule).toBe('bookkeeping-se');
    const page = await d.api('GET', `/console/requests/${id}`);
    expect(page.body).toContain('bookkeeping-se (until');

    // The consent API answers no at once.
    expect(await d.contact('nestit-sverige', who.email, 'communication-subscription')).toMatchObject({
      allowed: false,
      reason: 'objected-direct-marketing',
    });

    // The completion mail, free of charge and within the promised time, names the authority.
    const mail = await s.smtp.waitFor((m) => m.to.includes(who.email) && /completed/.test(m.subject), 10_000);
    expect(mail.text).toMatch(/IMY|Integritetsskyddsmyndigheten/);
    expect(mail.text).toContain(
      'because the Swedish Bookkeeping Act (Bokföringslagen 1999:1078, chapter 7, section 2) requires it',
    );
    expect(done.request.dueDate >= s.app.now().toISOString().slice(0, 10)).toBe(true);
    // Personal data never in the desk's or fulfilment's own records.
    const stored = JSON.stringify(await s.app.db.query('SELECT * FROM fulfilment_steps'));
    const audit = JSON.stringify(await s.app.db.query('SELECT * FROM audit_log'));
    for (const needle of [who.email, who.customerNumber]) {
      expect(stored).not.toContain(needle);
      expect(audit).not.toContain(needle);
    }
  }, 180_000);

  test('P25 P30 P32 an access request runs on verification and hands over the extract and the ZIP through the signed download links', async () => {
    const who = await richCustomer(sys, 'bokhylla').catch(() => richCustomer(sys, 'nestit-sverige'));
    // (a customer not erased above)
    const [id] = await d.fileAndVerify({ company: 'nestit-sverige', type: 'access', email: who.email });
    await d.waitForState(id!, 'completed', 120_000);
    const mail = await s.smtp.waitFor((m) => m.to.includes(who.email) && /completed/.test(m.subject), 10_000);
    expect(mail.text).toMatch(/IMY|Integritetsskyddsmyndigheten/);
    const links = [...mail.text.matchAll(/(\S+\/privacy\/requests\/download\/\S+)/g)].map((m) => m[1]!);
    expect(links).toHaveLength(3);
    const get = (url: string) => s.server.inject({ method: 'GET', url: new URL(url).pathname });
    const files = await Promise.all(links.map(get));
    for (const f of files) expect(f.statusCode).toBe(200);
    const html = files.find((f) => String(f.headers['content-type']).startsWith('text/html'))!;
    expect(html.body).toContain(who.email);
    expect(html.body).toMatch(/IMY|Integritetsskyddsmyndigheten/);
    const json = JSON.parse(files.find((f) => String(f.headers['content-type']).includes('json'))!.body);
    expect(JSON.stringify(json)).toContain(who.customerNumber);
    const zip = unzipSync(
      new Uint8Array(files.find((f) => f.headers['content-type'] === 'application/zip')!.rawPayload),
    );
    const names = Object.keys(zip);
    expect(names.some((n) => n.endsWith('.json'))).toBe(true);
    expect(names.some((n) => n.endsWith('.csv'))).toBe(true);
    expect(strFromU8(zip[names.find((n) => n.endsWith('.json'))!]!)).toContain(who.email);
    // A tampered link is gone (410), never a 500.
    const bad = await get(links[0]!.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')));
    expect(bad.statusCode).toBe(410);
  }, 180_000);
});
