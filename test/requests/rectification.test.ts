/**
 * Rectification on the desk (embedded: Ombud and the demo systems as schemas of one PGlite): the agent
 * chooses among the data categories the systems hold, a category no system holds is refused before
 * anything is recorded, and a phone number typed at home is stored as the systems store numbers.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { customerEmail } from '../../src/demo/systems/seed.ts';
import { deskApi } from '../integration/support.ts';
import { type DeskServer, startDesk } from './support.ts';

describe('rectification on the desk (embedded systems)', () => {
  let s: DeskServer;
  let d: ReturnType<typeof deskApi>;
  beforeAll(async () => {
    s = await startDesk({ fulfilment: 'embedded' });
    d = deskApi(s);
  }, 120_000);
  afterAll(async () => s?.close());

  test('P26 a correction of a category no system holds is a 422 naming it and the allowed ones; nothing is recorded; a valid one is carried out in E.164', async () => {
    const email = customerEmail(3);
    const [id] = await d.fileAndVerify({ company: 'nestit-sverige', type: 'rectification', email });
    const refused = await d.api('POST', `/api/v1/requests/${id}/approve`, {
      corrections: { 'user.name.middle': 'Maria' },
    });
    expect(refused.statusCode).toBe(422);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    const problem = refused.json();
    expect(problem.code).toBe('correction-category-unknown');
    expect(problem.detail).toContain("'user.name.middle'");
    expect(JSON.stringify(problem.errors)).toContain('user.name.middle');
    expect(JSON.stringify(problem.errors)).toContain('user.name.first');
    // Nothing was recorded: no approval on the timeline, no run.
    const before = (await d.api('GET', `/api/v1/requests/${id}`)).json();
    expect(before.timeline.map((e: { kind: string }) => e.kind)).not.toContain('approved');
    expect((await d.api('GET', `/api/v1/requests/${id}/fulfilment`)).statusCode).toBe(404);

    // The desk offers the categories the systems hold, not a free-text box.
    const page = await s.server.inject({ method: 'GET', url: `/console/requests/${id}`, headers: s.origin });
    expect(page.body).toMatch(/<select id="category" name="category" required>/);
    expect(page.body).toContain('<option value="user.name.first">');
    expect(page.body).not.toContain('<option value="system.operations">');

    const ok = await d.api('POST', `/api/v1/requests/${id}/approve`, {
      corrections: { 'user.contact.phone_number': '070-765 43 21' },
    });
    expect(ok.statusCode).toBe(200);
    await d.waitForState(id!, 'completed');
    const [row] = await s.workers
      .subjectSystems!.connectors.get('nestit_webshop')!
      .query<{ phone: string }>('SELECT phone FROM customers WHERE email = $1', [email]);
    expect(row).toEqual({ phone: '+46707654321' });
  });
});
