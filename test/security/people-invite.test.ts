/**
 * People (issue 16, item 3): an invitation mailed over a real SMTP server on loopback in the invitee's
 * language (sv, nb: the expected phrases written by hand), pending until the link sets a password, a
 * used or expired link with its own page, and reset, role change and disabling on the person's page
 * from the audit log.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type DeskServer, startDesk } from '../requests/support.ts';
import { SAME_ORIGIN } from './helpers.ts';

let ts: DeskServer;
let now = new Date('2026-05-04T08:00:00Z');
beforeAll(async () => {
  ts = await startDesk({ now: () => now });
}, 60_000);
afterAll(() => ts?.close());

const form = (url: string, body: Record<string, string>, cookie = ts.cookie) =>
  ts.server.inject({
    method: 'POST',
    url,
    headers: { cookie, ...SAME_ORIGIN, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams(body).toString(),
  });
const get = (url: string, cookie = ts.cookie) =>
  ts.server.inject({ method: 'GET', url, headers: { cookie } });
const linkIn = (text: string) => text.match(/https?:\/\/\S+\/console\/reset\?token=[A-Za-z0-9_-]{43}/)?.[0];
const userId = async (email: string) =>
  (await ts.app.db.query<{ id: string }>('SELECT id FROM users WHERE email = $1', [email]))[0]!.id;

describe('invitations by mail', () => {
  test('in Swedish from the console: mailed, pending, accepted with the link, then active', async () => {
    const inv = await form('/console/users/invite', {
      email: 'sara.lind@staff.example',
      name: 'Sara Lind',
      orgId: 'bokhylla',
      role: 'auditor',
      lang: 'sv',
    });
    expect(inv.statusCode).toBe(200);
    expect(inv.body).toContain('Invitation mailed');
    expect(inv.body).toContain('in Swedish');
    const mail = await ts.smtp.waitFor((m) => m.to.includes('sara.lind@staff.example'));
    expect(mail.subject).toBe('Du är inbjuden till Ombud hos Bokhyllan Nordic AB');
    expect(mail.text).toContain('Hej Sara Lind!');
    expect(mail.text).toContain(
      'Du har bjudits in till Ombud som granskare (endast läsning) hos Bokhyllan Nordic AB.',
    );
    expect(mail.text).toContain('Välj ditt lösenord inom 72 timmar via länken:');
    const link = linkIn(mail.text)!;
    expect(link).toBeDefined();
    // The outbox keeps that the mail went, not the working link.
    const [kept] = await ts.app.db.query<{ body: string }>(
      `SELECT body FROM mail_outbox WHERE template = 'user.invite' AND to_address = 'sara.lind@staff.example'`,
    );
    expect(kept!.body).not.toContain(link);
    expect(kept!.body).toContain('[link removed once sent]');

    const people = await get('/console/users');
    const row = people.body.split('<tr>').find((r) => r.includes('Sara Lind'))!;
    expect(row).toContain('invited, not yet accepted');
    expect(row).toContain('Auditor (read-only) at Bokhyllan Nordic AB');

    const path = new URL(link).pathname + new URL(link).search;
    expect((await get(path, '')).statusCode).toBe(200);
    const token = new URL(link).searchParams.get('token')!;
    const set = await form('/console/reset', { token, password: 'sara has a long passphrase' }, '');
    expect(set.statusCode).toBe(303);
    const after = (await get('/console/users')).body.split('<tr>').find((r) => r.includes('Sara Lind'))!;
    expect(after).not.toContain('invited, not yet accepted');
    expect(after).toContain('active');
    // The same link again: used.
    const again = await get(path, '');
    expect(again.statusCode).toBe(410);
    expect(again.body).toContain('This link has been used already, or it is not a link we sent.');
  });

  test('in Norwegian over the API; after 72 hours the link has expired', async () => {
    const res = await ts.server.inject({
      method: 'POST',
      url: '/api/v1/users/invite',
      headers: { cookie: ts.cookie, ...SAME_ORIGIN },
      payload: {
        email: 'ola.nordmann@staff.example',
        name: 'Ola Nordmann',
        orgId: 'provendo',
        role: 'cs-agent',
        lang: 'nb',
      },
    });
    expect(res.statusCode).toBe(201);
    const mail = await ts.smtp.waitFor((m) => m.to.includes('ola.nordmann@staff.example'));
    expect(mail.subject).toBe('Du er invitert til Ombud hos Provendo AS');
    expect(mail.text).toContain('Hei Ola Nordmann!');
    expect(mail.text).toContain('Du er invitert til Ombud som kundeservicemedarbeider hos Provendo AS.');
    expect(mail.text).toContain('Velg passordet ditt innen 72 timer via lenken:');
    expect(mail.text).toContain('Lenken virker én gang.');
    const link = new URL(linkIn(mail.text)!);
    now = new Date('2026-05-07T08:00:01Z');
    try {
      const expired = await get(link.pathname + link.search, '');
      expect(expired.statusCode).toBe(410);
      expect(expired.body).toContain('This link expired on 2026-05-07 08:00 UTC.');
    } finally {
      now = new Date('2026-05-04T08:00:00Z');
    }
    const people = (
      await ts.server.inject({ method: 'GET', url: '/api/v1/users', headers: { cookie: ts.cookie } })
    ).json();
    expect(people.find((p: { email: string }) => p.email === 'ola.nordmann@staff.example')).toMatchObject({
      pending: true,
      disabled: false,
    });
  });
});

describe("a person's page", () => {
  test('reset, role change and disabling are audited and shown in their history', async () => {
    const id = await userId('sara.lind@staff.example');
    expect((await form(`/console/users/${id}/reset`, {})).statusCode).toBe(200);
    expect(
      (await form(`/console/users/${id}/roles`, { orgId: 'bokhylla', role: 'cs-agent' })).statusCode,
    ).toBe(303);
    expect(
      (await form(`/console/users/${id}/roles/revoke`, { orgId: 'bokhylla', role: 'auditor' })).statusCode,
    ).toBe(303);
    expect((await form(`/console/users/${id}/disable`, {})).statusCode).toBe(303);
    const page = await get(`/console/users/${id}`);
    expect(page.statusCode).toBe(200);
    const history = page.body.split('<h2>History</h2>')[1]!;
    const whats = [
      ...history.matchAll(/<tr><td>[^<]*(?:<[^>]+>[^<]*<\/[^>]+>)?[^<]*<\/td><td>([^<]+)<\/td>/g),
    ].map((m) => m[1]);
    expect(whats).toEqual([
      'Disabled',
      'Role taken away: Auditor (read-only) at Bokhyllan Nordic AB',
      'Role granted: Customer-service agent at Bokhyllan Nordic AB',
      'Password reset link issued',
      'Invitation accepted, password set',
      'Invited: Auditor (read-only) at Bokhyllan Nordic AB',
      'Role granted: Auditor (read-only) at Bokhyllan Nordic AB',
      'Account created',
    ]);
    expect(page.body).toContain('disabled');
    expect(page.body).toContain('Customer-service agent at Bokhyllan Nordic AB');
  });
});
