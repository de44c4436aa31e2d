/**
 * A request to the whole group on the demo as `ombud start` runs it (Ombud and the demo systems as schemas
 * of one PGlite, the fulfilment worker running): verified by the mailed code, it goes to the companies that
 * know the customer and each carries it out; an address known nowhere gets the no-data answer at once.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { customerEmail } from '../../src/demo/systems/seed.ts';
import { type DeskServer, startDesk } from '../requests/support.ts';
import { type DeskApi, decisionOf, deskApi } from './support.ts';

describe('group requests on the demo (embedded)', () => {
  let s: DeskServer;
  let d: DeskApi;
  beforeAll(async () => {
    s = await startDesk({ fulfilment: 'embedded' });
    d = await deskApi(s);
  }, 120_000);
  afterAll(async () => s?.close());

  test('P33 P25 an access request to the whole group is carried out by each company that knows the customer, and only by them', async () => {
    // Startup handed the worker's systems to the locator.
    expect(s.workers.subjectSystems?.datasets.map((x) => x.fides_key).sort()).toEqual([
      'nestit_customer_service',
      'nestit_webshop',
    ]);
    const email = customerEmail(3);
    const [groupId] = await d.fileAndVerify({ company: 'group', type: 'access', email });
    const g = (await d.request(groupId!)).request;
    expect(g.state).toBe('split');
    const routing = decisionOf(g).routing!;
    expect(routing.failed).toEqual([]);
    expect(routing.unchecked).toEqual([]);
    // A demo customer buys in one market: NestIT Sverige or Provendo, never Bokhyllan.
    expect(routing.known).toHaveLength(1);
    expect(['nestit-sverige', 'provendo']).toContain(routing.known[0]);
    expect(routing.notKnown).toContain('bokhylla');
    const ids = Object.values(routing.requests);
    expect(ids.length).toBeGreaterThanOrEqual(1);
    for (const id of ids) {
      const done = await d.waitForState(id, 'completed');
      expect(done.request.groupRequest).toBe(groupId);
      expect(done.timeline.map((e: { kind: string }) => e.kind)).toContain('fulfilment-queued');
    }
    const own = routing.requests[routing.known[0]];
    const mail = await s.smtp.waitFor((m) => m.to.includes(email) && /completed/.test(m.subject), 30_000);
    expect(mail.text).toContain('/privacy/requests/download/');
    expect((await d.fulfilment(own)).status).toBe('done');
  });

  test('P25 P31 an address the demo systems and the consent register do not hold gets the no-data answer at once', async () => {
    const email = 'not.a.customer@example.org';
    const [groupId] = await d.fileAndVerify({ company: 'group', type: 'erasure', email, lang: 'nb' });
    const g = (await d.request(groupId!)).request;
    expect(g.state).toBe('completed');
    expect(decisionOf(g).noData!.answeredBy).toBe('locator');
    const mail = await s.smtp.waitFor(
      (m) => m.to.includes(email) && /svar på henvendelsen din/.test(m.subject),
    );
    expect(mail.text).toContain('ingenting å slette');
    expect(mail.text).toContain('Datatilsynet');
  });
});
