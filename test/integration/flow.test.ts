/**
 * The desk, consent and fulfilment joined (embedded: Ombud and the demo systems as schemas of one PGlite):
 * stops filed as requests are consent events (one source of truth, the hook for webhooks fires), an upheld
 * objection stops the purpose, a completed restriction makes the subject store-only in consent, and the
 * console shows fulfilment progress.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { customerEmail } from '../../src/demo/systems/seed.ts';
import type { ConsentEvent } from '../../src/services/consent/recordConsentEvent.ts';
import { type DeskServer, startDesk } from '../requests/support.ts';
import { type DeskApi, decisionOf, deskApi } from './support.ts';
import { OmbudApiError } from '../../src/client/index.ts';
import { newsletterConsent } from '../support/http.ts';

describe('requests joined with consent and fulfilment (embedded)', () => {
  let s: DeskServer;
  let d: DeskApi;
  const propagated: ConsentEvent[] = [];
  beforeAll(async () => {
    s = await startDesk({ fulfilment: 'embedded' });
    s.workers.consentChanged = async (e) => {
      propagated.push(e);
    };
    d = await deskApi(s);
  }, 120_000);
  afterAll(async () => s?.close());

  const grant = (orgId: string, email: string) =>
    d.client.POST('/api/v1/organizations/{orgId}/consents', {
      params: { path: { orgId }, header: { 'idempotency-key': crypto.randomUUID() } },
      body: newsletterConsent(email),
    });
  const approve = (id: string) =>
    d.client.POST('/api/v1/requests/{id}/approve', { params: { path: { id } }, body: {} });

  test('P27 P38 an objection to direct marketing filed as a request is an objection event in consent: may-we-contact answers no at once, webhooks are queued', async () => {
    const email = 'dm.objector@example.org';
    expect((await grant('nestit-sverige', email)).response.status).toBe(201);
    expect((await d.contact('nestit-sverige', email, 'communication-subscription')).allowed).toBe(true);
    const [id] = await d.fileAndVerify({
      company: 'nestit-sverige',
      type: 'objection',
      purposeId: 'communication-subscription',
      email,
    });
    const r = await d.waitForState(id!, 'completed', 5_000);
    const stop = decisionOf(r.request).stop!;
    expect(stop.kind).toBe('objection-direct-marketing');
    expect(await d.contact('nestit-sverige', email, 'communication-subscription')).toMatchObject({
      allowed: false,
      reason: 'objected-direct-marketing',
    });
    // Every controller of the joint arrangement got the event, and each was handed to propagation.
    const orgs = stop.orgs;
    expect(orgs.length).toBeGreaterThan(1);
    const mine = propagated.filter((e) => e.purposeId === 'direct-marketing' && e.kind === 'object');
    expect(new Set(mine.map((e) => e.orgId))).toEqual(new Set(orgs));
    const stepEvent = r.timeline.find((e: { kind: string }) => e.kind === 'stop-applied')!;
    expect(stepEvent.details.consentEvents).toEqual(expect.arrayContaining(mine.map((e) => e.id)));
    // The desk keeps no stop table of its own any more.
    expect(await s.app.db.query("SELECT to_regclass('dsr_stops') AS t")).toEqual([{ t: null }]);
  });

  test('P28 P38 a withdrawal of consent filed as a request withdraws it in consent', async () => {
    const email = 'withdrawer@example.org';
    await grant('nestit-sverige', email);
    const [id] = await d.fileAndVerify({
      company: 'nestit-sverige',
      type: 'withdraw-consent',
      purposeId: 'communication-subscription',
      email,
    });
    await d.waitForState(id!, 'completed', 5_000);
    expect(await d.contact('nestit-sverige', email, 'communication-subscription')).toMatchObject({
      allowed: false,
      reason: 'consent-withdrawn',
    });
  });

  test('P27 an objection to a legitimate interest decided for the customer stops that purpose through consent', async () => {
    const email = 'survey.objector@example.org';
    expect((await d.contact('nestit-sverige', email, 'surveys')).allowed).toBe(true);
    const [id] = await d.fileAndVerify({
      company: 'nestit-sverige',
      type: 'objection',
      purposeId: 'surveys',
      email,
    });
    expect((await d.request(id!)).request.state).toBe('verified');
    const res = await d.client.POST('/api/v1/requests/{id}/objection-decision', {
      params: { path: { id: id! } },
      body: {
        upheld: true,
        balancingNote: 'Surveys are optional; the customer’s wish outweighs our interest.',
      },
    });
    expect(res.response.status).toBe(200);
    expect(await d.contact('nestit-sverige', email, 'surveys')).toMatchObject({
      allowed: false,
      reason: 'objected',
    });
  });

  test('P29 a restriction runs after approval in the demo systems and makes the subject store-only in consent; the console shows the progress', async () => {
    const email = customerEmail(3);
    expect((await d.contact('nestit-sverige', email, 'purchase-communication')).allowed).toBe(true);
    const [id] = await d.fileAndVerify({ company: 'nestit-sverige', type: 'restriction', email });
    // A change waits for an agent's approval.
    expect((await d.request(id!)).request.state).toBe('verified');
    const page = await d.api('GET', `/console/requests/${id}`);
    expect(page.body).toContain('Approve restriction');
    expect((await approve(id!)).response.status).toBe(200);
    const again = await approve(id!).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(OmbudApiError);
    expect((again as OmbudApiError).code).toBe('fulfilment-already-queued');
    await d.waitForState(id!, 'completed');
    const run = await d.fulfilment(id!);
    expect(run.status).toBe('done');
    expect(run.steps.map((x: { step: string }) => x.step)).toEqual(
      expect.arrayContaining(['restrict:nestit_webshop']),
    );
    expect(await d.contact('nestit-sverige', email, 'purchase-communication')).toMatchObject({
      allowed: false,
      reason: 'restricted',
    });
    const done = await d.api('GET', `/console/requests/${id}`);
    expect(done.body).toContain('id="fulfilment-status">done');
    expect(done.body).toContain('restrict:nestit_webshop');
    const mail = await s.smtp.waitFor((m) => m.to.includes(email) && /completed/.test(m.subject));
    expect(mail.text).toContain('stored only');
  }, 90_000);

  test('P32 a failed fulfilment says why on the request page and can be retried', async () => {
    const email = customerEmail(5);
    const [id] = await d.fileAndVerify({ company: 'nestit-sverige', type: 'restriction', email });
    // Break the web shop for a moment: the step fails with a reason and no personal data.
    const shop = (
      s.workers.fulfilment as unknown as {
        deps: { connectors: Map<string, { exec(q: string): Promise<void> }> };
      }
    ).deps.connectors.get('nestit_webshop')!;
    await shop.exec('ALTER TABLE customers RENAME TO customers_gone');
    await approve(id!);
    const end = Date.now() + 60_000;
    let run: { status: string; error: string | null } = { status: '', error: null };
    while (Date.now() < end) {
      run = await d.fulfilment(id!);
      const state = await s.workers.fulfilment!.jobState(id!);
      if (run.status === 'failed' && state === 'failed') break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(run.status).toBe('failed');
    expect(run.error).toBeTruthy();
    expect(run.error).not.toContain(email);
    const page = await d.api('GET', `/console/requests/${id}`);
    expect(page.body).toContain('id="fulfilment-error"');
    expect(page.body).toContain('Retry (resumes at the failed step)');
    await shop.exec('ALTER TABLE customers_gone RENAME TO customers');
    const retry = await d.api('POST', `/console/requests/${id}/action`, { action: 'retry-fulfilment' });
    expect(retry.statusCode).toBe(303);
    await d.waitForState(id!, 'completed');
  }, 120_000);
});
