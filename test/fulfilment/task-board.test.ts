/**
 * The work list of fulfilment tasks (issue 16 item 1): a group erasure across the four companies, approved
 * once, leaves manual tasks in three systems (made as the run makes them, notifyRecipient). The list groups
 * them by system, each with the R- reference, the company, the request type and the e-mail masked (never
 * the address; the view audited); filters by system, company and age narrow it; one bulk form ticks off a
 * system's tasks with one note, audited per task; a task of a company the caller may not answer in stops
 * the whole batch; the daily digest counts the open tasks per system. Expectations are written by hand.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { notifyRecipient } from '../../src/services/fulfilment/recipients.ts';
import { deliverOutbox } from '../../src/services/mail/outbox.ts';
import { dailyDigest } from '../../src/services/requests/listRequests.ts';
import { type DeskApi, deskApi } from '../integration/support.ts';
import { FOUR, groupOfFour } from '../requests/groupSupport.ts';
import { type DeskServer, startDesk } from '../requests/support.ts';
import { userWithRoles } from '../security/helpers.ts';
import { postForm } from '../support/http.ts';

const EMAIL = 'maja.lind@example.org';
/** The manual tasks made per company: shipping and the survey provider at all four, the CRM at two. */
const SYSTEMS: Record<string, string[]> = {
  bokhylla: ['crm', 'shipping', 'survey-provider'],
  'nestit-group': ['shipping', 'survey-provider'],
  'nestit-sverige': ['shipping', 'survey-provider'],
  provendo: ['crm', 'shipping', 'survey-provider'],
};

describe('the work list of fulfilment tasks', () => {
  let s: DeskServer;
  let d: DeskApi;
  let children: Record<string, string>;
  let reference: string;
  beforeAll(async () => {
    s = await startDesk({ fulfilment: 'embedded' });
    d = await deskApi(s);
    const g = await groupOfFour(d, EMAIL);
    children = g.children;
    reference = (await d.request(g.parent)).request.reference;
    expect((await d.api('POST', `/api/v1/requests/${g.parent}/group/approve`, {})).statusCode).toBe(200);
    for (const org of FOUR) {
      await d.waitForState(children[org]!, 'completed');
      for (const systemId of SYSTEMS[org]!)
        await notifyRecipient(
          s.app.db,
          { callbackBaseUrl: 'http://localhost' },
          {
            requestId: children[org]!,
            orgId: org,
            action: 'erasure',
            systemId,
            identities: {},
            now: s.app.now(),
          },
        );
    }
    // Made an hour ago on the app's clock; Bokhylla's CRM task ten days ago.
    const at = (ms: number) => new Date(s.app.now().getTime() - ms).toISOString();
    await s.app.db.query('UPDATE fulfilment_recipient_tasks SET created_at = $1', [at(3_600_000)]);
    await s.app.db.query(
      `UPDATE fulfilment_recipient_tasks SET created_at = $1 WHERE request_id = $2 AND system_id = 'crm'`,
      [at(10 * 86_400_000), children.bokhylla],
    );
  }, 180_000);
  afterAll(async () => s?.close());

  const page = async (query = '') =>
    (await s.server.inject({ method: 'GET', url: `/console/fulfilment/tasks${query}`, headers: s.origin }))
      .body;
  const rows = (body: string) => [...body.matchAll(/<tr data-task="([^"]+)">/g)].map((m) => m[1]!);
  const task = (org: string, system: string) => `${children[org]}/${system}`;

  test('grouped by system, each task with its reference, company, type and masked e-mail; the view is audited', async () => {
    const body = await page();
    expect(body).toContain('<h2>crm · 2 open</h2>');
    expect(body).toContain('<h2>shipping · 4 open</h2>');
    expect(body).toContain('<h2>survey-provider · 4 open</h2>');
    expect(rows(body)).toHaveLength(10);
    expect(body).toContain('Done for these 4');
    expect(body).toContain('Done for these 2');
    const row = body
      .slice(body.indexOf(`<tr data-task="${task('provendo', 'shipping')}">`))
      .split('</tr>')[0]!;
    expect(row).toContain(`>${reference}</a>`);
    expect(row).toContain('<td>Provendo AS</td><td>erasure</td><td class="masked">m•••@e•••.org</td>');
    expect(body).not.toContain(EMAIL);
    expect(body).not.toContain('maja');
    const [read] = await s.app.db.query<{ details: Record<string, unknown> }>(
      `SELECT details FROM audit_log WHERE action = 'fulfilment.tasks.read' ORDER BY seq DESC LIMIT 1`,
    );
    // Ten tasks shown; one address (the four requests share the submission) opened to mask it.
    expect(read!.details).toEqual({ tasks: 10, addresses: 1, masked: true });
  });

  test('filters by system, company and age', async () => {
    expect(rows(await page('?system=crm')).sort()).toEqual(
      [task('bokhylla', 'crm'), task('provendo', 'crm')].sort(),
    );
    expect(rows(await page('?company=provendo')).sort()).toEqual(
      [task('provendo', 'crm'), task('provendo', 'shipping'), task('provendo', 'survey-provider')].sort(),
    );
    expect(rows(await page('?age=7'))).toEqual([task('bokhylla', 'crm')]);
    expect(rows(await page('?system=shipping&company=nestit-group'))).toEqual([
      task('nestit-group', 'shipping'),
    ]);
    expect(rows(await page('?age=30'))).toEqual([]);
    expect(await page('?age=30')).toContain('No open tasks.');
  });

  test('the daily digest counts the open tasks per system for the privacy team', async () => {
    const digest = await dailyDigest(s.app, { fallbackTo: 'privacy-team@nestit.example' });
    expect(digest.tasksBySystem).toEqual({ crm: 2, shipping: 4, 'survey-provider': 4 });
    // No request is due soon: the team's mail is the tasks' only.
    expect(digest.mails).toBe(1);
    await deliverOutbox(s.app.db, { url: s.app.config.smtpUrl, from: s.app.config.mailFrom });
    const mail = await s.smtp.waitFor((m) => m.to.includes('privacy-team@nestit.example'));
    expect(mail.subject).toBe('Ombud: 0 overdue, 0 due soon, 10 open tasks');
    expect(mail.text).toContain('Open fulfilment tasks per system (10 in all)');
    expect(mail.text).toMatch(/\n {6}4 {2}shipping\r?\n {6}4 {2}survey-provider\r?\n {6}2 {2}crm\r?\n/);
  });

  test('a batch with a task of a company the caller may not answer in is refused whole; nothing changes', async () => {
    const { cookie } = await userWithRoles(s.app, s.server, 'provendo-agent', [
      { orgId: 'provendo', role: 'privacy-agent' },
    ]);
    const res = await s.server.inject({
      method: 'POST',
      url: '/console/fulfilment/tasks/bulk',
      payload: `${new URLSearchParams([
        ['task', task('provendo', 'shipping')],
        ['task', task('bokhylla', 'shipping')],
        ['note', 'Both done'],
      ])}`,
      headers: { ...s.origin, cookie, 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.statusCode).toBe(404);
    const open = await s.app.db.query<{ status: string }>(
      `SELECT status FROM fulfilment_recipient_tasks WHERE system_id = 'shipping' AND status = 'open'`,
    );
    expect(open).toHaveLength(4);
  });

  test('one note ticks off all four shipping tasks, each audited on its own', async () => {
    const form = new URLSearchParams([
      ...FOUR.map((org) => ['task', task(org, 'shipping')]),
      ['note', 'Cancelled in the carrier portal, batch 17'],
      ['status', 'done'],
    ]);
    const res = await s.server.inject({
      method: 'POST',
      url: '/console/fulfilment/tasks/bulk',
      payload: form.toString(),
      headers: { ...s.origin, 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.statusCode, res.body).toBe(303);
    const done = await s.app.db.query<{ request_id: string; status: string; note: string; done_by: string }>(
      `SELECT request_id, status, note, done_by FROM fulfilment_recipient_tasks WHERE system_id = 'shipping' ORDER BY request_id`,
    );
    expect(done).toHaveLength(4);
    for (const t of done) {
      expect(t.status).toBe('done');
      expect(t.note).toBe('Cancelled in the carrier portal, batch 17');
      expect(t.done_by).toMatch(/^user:/);
    }
    const audited = await s.app.db.query<{ target: string; details: { system: string } }>(
      `SELECT target, details FROM audit_log WHERE action = 'fulfilment.recipient.answered' AND details->>'system' = 'shipping'`,
    );
    expect(audited.map((a) => a.target).sort()).toEqual(FOUR.map((o) => `request:${children[o]}`).sort());
    const [batch] = await s.app.db.query<{ details: { tasks: string[]; changed: number } }>(
      `SELECT details FROM audit_log WHERE action = 'fulfilment.tasks.answered'`,
    );
    expect(batch!.details.tasks).toHaveLength(4);
    expect(batch!.details.changed).toBe(4);
    const after = await page();
    expect(after).not.toContain('<h2>shipping');
    expect(rows(after)).toHaveLength(6);
    // The other systems' tasks are untouched.
    expect(after).toContain('<h2>survey-provider · 4 open</h2>');
    expect((await dailyDigest(s.app)).tasksBySystem).toEqual({ crm: 2, 'survey-provider': 4 });
  });

  test('an empty note is refused, nothing ticked off', async () => {
    const res = await postForm(
      s.server,
      '/console/fulfilment/tasks/bulk',
      { task: task('provendo', 'crm'), note: '' },
      s.origin,
    );
    expect(res.statusCode).toBe(400);
    const [t] = await s.app.db.query<{ status: string }>(
      `SELECT status FROM fulfilment_recipient_tasks WHERE request_id = $1 AND system_id = 'crm'`,
      [children.provendo],
    );
    expect(t!.status).toBe('open');
  });

  test('a page shows 100 tasks; the next page starts after the last one shown, keeping the filters', async () => {
    // 105 more open tasks of Provendo's request in a system of their own (made a day ago, one a minute apart).
    await s.app.db.query(
      `INSERT INTO fulfilment_recipient_tasks (request_id, system_id, org_id, action, via, delivery_id, created_at)
       SELECT $1, 'zz-archive-' || lpad(i::text, 3, '0'), 'provendo', 'erasure', 'manual', 'dlv-page-' || i,
              $2::timestamptz + i * interval '1 minute'
         FROM generate_series(1, 105) AS i`,
      [children.provendo, new Date(s.app.now().getTime() - 86_400_000).toISOString()],
    );
    const first = await page('?company=provendo');
    // Provendo's two still open (crm, survey-provider; shipping was ticked off above) first, then 98 new ones.
    expect(rows(first)).toHaveLength(100);
    expect(rows(first).at(-1)).toBe(task('provendo', 'zz-archive-098'));
    const next = /<a href="([^"]+)" id="next-page"/.exec(first)?.[1]?.replaceAll('&amp;', '&');
    expect(next).toMatch(/^\/console\/fulfilment\/tasks\?company=provendo&after=/);
    const second = await page(next!.slice('/console/fulfilment/tasks'.length));
    expect(rows(second)).toEqual(
      Array.from({ length: 7 }, (_, i) => task('provendo', `zz-archive-${String(99 + i).padStart(3, '0')}`)),
    );
    expect(second).not.toContain('id="next-page"');
    expect(second).toContain('id="first-page"');
  });
});
