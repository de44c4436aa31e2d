/**
 * The console's desk: the queue sorted by due date with due-soon and overdue colours, filters, manual
 * entry of a letter, the detail page with its timeline and actions, the SVG charts, the outbox, the
 * daily digest; and the mail templates in three languages.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { renderMail } from '../../src/core/requests/mail-templates.ts';
import { deliverOutbox } from '../../src/services/mail/outbox.ts';
import { dailyDigest, deskStats } from '../../src/services/requests/listRequests.ts';
import { daysBefore, tickingClock } from '../support/clock.ts';
import { type DeskServer, startDesk } from './support.ts';
import { postForm } from '../support/http.ts';

/** The desk's clock: the letter below, received 2026-11-02, is due 2026-12-02 and not yet past due. */
const NOW = '2026-11-06T09:00:00Z';

describe('console desk', () => {
  let s: DeskServer;
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    s = await startDesk({ now: tickingClock(NOW) });
    const file = async (name: string, body: Record<string, unknown>) => {
      const res = await s.server.inject({
        method: 'POST',
        url: '/api/v1/requests',
        payload: { sendCode: false, ...body },
        headers: { ...s.origin, 'idempotency-key': crypto.randomUUID() },
      });
      ids[name] = res.json().requests[0].id;
    };
    const daysAgo = (d: number) => daysBefore(s.app.now(), d);
    await file('overdue', {
      company: 'nestit-group',
      type: 'erasure',
      email: 'o@example.org',
      receivedAt: daysAgo(40),
    });
    await file('soon', {
      company: 'provendo',
      type: 'access',
      email: 's@example.org',
      receivedAt: daysAgo(27),
    });
    await file('fresh', { company: 'bokhylla', type: 'portability', email: 'f@example.org' });
  });
  afterAll(async () => s?.close());

  const get = (url: string) => s.server.inject({ method: 'GET', url, headers: s.origin });
  const form = (url: string, fields: Record<string, string>) => postForm(s.server, url, fields, s.origin);

  test('P32 the queue is sorted by due date and colours overdue and due-soon requests', async () => {
    const res = await get('/console/requests');
    expect(res.statusCode).toBe(200);
    const order = [...res.body.matchAll(/data-request="([0-9a-f-]{36})"/g)].map((m) => m[1]);
    expect(order.indexOf(ids.overdue!)).toBeLessThan(order.indexOf(ids.soon!));
    expect(order.indexOf(ids.soon!)).toBeLessThan(order.indexOf(ids.fresh!));
    const row = (id: string) =>
      res.body.slice(
        res.body.indexOf(`data-request="${id}"`),
        res.body.indexOf('</tr>', res.body.indexOf(`data-request="${id}"`)),
      );
    expect(row(ids.overdue!)).toContain('class="due-overdue"');
    expect(row(ids.soon!)).toContain('class="due-due-soon"');
    expect(row(ids.fresh!)).toContain('class="due-on-track"');
    // No requester address in the queue.
    expect(res.body).not.toContain('@example.org');
    // Charts are server-rendered SVG.
    expect(res.body).toContain('aria-label="Requests by type"');
    expect(res.body).toContain('aria-label="Answered on time');
  });

  test('P05 filters by company, type and state', async () => {
    const byCompany = await get('/console/requests?company=provendo');
    expect(byCompany.body).toContain(ids.soon);
    expect(byCompany.body).not.toContain(ids.overdue);
    const byType = await get('/console/requests?type=portability&state=received');
    expect(byType.body).toContain(ids.fresh);
    expect(byType.body).not.toContain(ids.soon);
    const none = await get('/console/requests?state=completed');
    expect(none.body).toContain('No requests match.');
  });

  test('P05 an agent files a letter with its real receipt date and an ID check; the detail shows the due date and timeline', async () => {
    const res = await form('/console/requests/new', {
      company: 'nestit-sverige',
      type: 'restriction',
      email: 'letter@example.org',
      receivedAt: '2026-11-02T10:00',
      lang: 'sv',
      idCheck: 'ID seen: Swedish ID card, name matches',
    });
    expect(res.statusCode).toBe(303);
    const id = String(res.headers.location).split('/').pop()!;
    const page = await get(`/console/requests/${id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('verified');
    expect(page.body).toContain('2026-12-02');
    expect(page.body).toContain('manual-id-check');
    expect(page.body).toMatch(/received[\s\S]*verified[\s\S]*acknowledged/);
    // Reading the detail (which shows the address) is audited, with the request as its target (so the
    // audit log names it and a search by target finds it).
    const reads = await s.app.db.query('SELECT 1 FROM audit_log WHERE action = $1 AND target = $2', [
      'request.read',
      `request:${id}`,
    ]);
    expect(reads.length).toBeGreaterThan(0);

    const noReason = await form(`/console/requests/${id}/action`, { action: 'extend', reason: '' });
    expect(noReason.statusCode).toBe(422);
    expect(noReason.body).toContain('An extension needs a reason');
    const start = await form(`/console/requests/${id}/action`, { action: 'start' });
    expect(start.statusCode).toBe(303);
    const note = await form(`/console/requests/${id}/action`, {
      action: 'note',
      note: 'Called the warehouse',
    });
    expect(note.statusCode).toBe(303);
    const done = await form(`/console/requests/${id}/action`, {
      action: 'complete',
      outcome: 'Behandlingen är begränsad.',
    });
    expect(done.statusCode).toBe(303);
    const after = await get(`/console/requests/${id}`);
    expect(after.body).toContain('Called the warehouse');
    expect(after.body).toMatch(/<td id="state">completed<\/td>/);
    // The timeline names who acted (the demo's administrator), linked to their page, not a user id.
    expect(after.body).toMatch(
      /<a href="\/console\/users\/[0-9a-f-]{36}" title="user:[0-9a-f-]{36}">Demo DPO<\/a>/,
    );
  });

  test('P05 an extension after the due date is refused in the console with a clear message', async () => {
    const res = await form(`/console/requests/${ids.overdue}/action`, {
      action: 'extend',
      reason: 'Complex',
    });
    expect(res.statusCode).toBe(409);
    expect(res.body).toContain('has passed');
    expect(res.body).toContain('role="alert"');
  });

  test('P32 charts count by type and state, the on-time rate and the median days to close', async () => {
    const stats = await deskStats(s.app, 'all');
    expect(stats.byType.erasure).toBe(1);
    expect(stats.byState.completed).toBe(1);
    expect(stats.closed).toBe(1);
    expect(stats.onTimeRate).toBe(1);
    expect(stats.medianDaysToClose).toBeGreaterThan(0);
  });

  test('P05 the outbox lists the mails; delivery goes over SMTP; the daily digest goes to assignees', async () => {
    await form(`/console/requests/${ids.overdue}/action`, {
      action: 'assign',
      assignee: 'agent@nestit.example',
    });
    const digest = await dailyDigest(s.app, { fallbackTo: 'privacy-team@nestit.example' });
    expect(digest.mails).toBe(2);
    await deliverOutbox(s.app.db, { url: s.app.config.smtpUrl, from: s.app.config.mailFrom });
    const mail = await s.smtp.waitFor((m) => m.to.includes('agent@nestit.example'));
    expect(mail.subject).toContain('1 overdue');
    expect(mail.text).toContain(`/console/requests/${ids.overdue}`);
    const team = await s.smtp.waitFor((m) => m.to.includes('privacy-team@nestit.example'));
    expect(team.text).toContain(ids.soon);
    const outbox = await get('/console/outbox');
    expect(outbox.statusCode).toBe(200);
    expect(outbox.body).toContain('acknowledgement');
    expect(outbox.body).toContain('sent');
  });
});

describe('mail templates', () => {
  const authority = { name: 'Datatilsynet', web: 'https://www.datatilsynet.no/' };
  test('P31 P32 every answer in en, sv and nb names the authority; the code mail does not need to', () => {
    for (const lang of ['en', 'sv', 'nb'] as const) {
      for (const template of [
        'acknowledgement',
        'extension',
        'completion',
        'refusal-warning',
        'refusal',
      ] as const) {
        const m = renderMail(template, {
          lang,
          company: 'Provendo AS',
          reference: 'R-1234ABCD',
          type: 'access',
          dueDate: '2026-04-01',
          reason: 'Many systems',
          authority,
        });
        expect(m.subject).toContain('R-1234ABCD');
        expect(m.text).toContain('Datatilsynet, https://www.datatilsynet.no/');
      }
      const code = renderMail('verification-code', {
        lang,
        company: 'Provendo AS',
        reference: 'R',
        code: '123456',
        codeMinutes: 15,
        authority,
      });
      expect(code.text).toContain('123456');
    }
    expect(
      renderMail('acknowledgement', {
        lang: 'nb',
        company: 'P',
        reference: 'R',
        type: 'erasure',
        dueDate: 'D',
      }).text,
    ).toContain('sletting');
    expect(
      renderMail('acknowledgement', {
        lang: 'sv',
        company: 'P',
        reference: 'R',
        type: 'erasure',
        dueDate: 'D',
      }).text,
    ).toContain('radering');
  });
});
