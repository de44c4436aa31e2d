/**
 * The demo's local SMTP catcher: a mail sent by the desk over SMTP arrives in the catcher (a real SMTP
 * server on loopback) and shows in the console's "Inbox (demo)", recipient masked.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { decodeHeader, maskAddress, parseMail } from '../../src/core/mail/parse.ts';
import { listCaught, type MailCatcher, startMailCatcher } from '../../src/services/mail/catcher.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

describe('mail parsing', () => {
  test('subjects, quoted-printable bodies and masked addresses', () => {
    expect(decodeHeader('=?UTF-8?Q?din_beg=C3=A4ran?= =?UTF-8?Q?_=C3=A4r_klar?=')).toBe(
      'din begäran är klar',
    );
    const m = parseMail(
      'From: a@b\r\nSubject: =?UTF-8?B?aMOkag==?=\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nR=C3=A4ttelse =\r\nklar\r\n',
    );
    expect(m).toEqual({ from: 'a@b', subject: 'häj', text: 'Rättelse klar\n' });
    expect(maskAddress('anna.svensson@example.org')).toBe('a***n@example.org');
    expect(maskAddress('al@example.org')).toBe('a***@example.org');
  });
});

describe('demo SMTP catcher', () => {
  let ts: TestServer;
  let catcher: MailCatcher;
  beforeAll(async () => {
    ts = await startTestServer();
    catcher = await startMailCatcher(ts.app.db, { port: 0 });
    ts.configure({ smtpUrl: catcher.url, mailFrom: 'NestIT privacy <privacy@nestit.example>' });
  }, 60_000);
  afterAll(async () => {
    await ts?.close();
    await catcher?.close();
  });

  test('a mail sent by the desk arrives in the catcher and shows in the console inbox, recipient masked', async () => {
    expect(catcher.url).toMatch(/^smtp:\/\/127\.0\.0\.1:\d+$/);
    const email = 'inbox.reader@example.org';
    const res = await ts.server.inject({
      method: 'POST',
      url: '/api/v1/requests',
      headers: {
        cookie: ts.cookie,
        origin: 'http://localhost',
        host: 'localhost',
        'idempotency-key': crypto.randomUUID(),
      },
      payload: { company: 'nestit-sverige', type: 'access', email, lang: 'sv' },
    });
    expect(res.statusCode).toBe(201);
    // The outbox row was delivered over SMTP …
    const [out] = await ts.app.db.query<{ status: string; subject: string }>(
      "SELECT status, subject FROM mail_outbox WHERE template = 'verification-code' AND to_address = $1",
      [email],
    );
    expect(out!.status).toBe('sent');
    // … and the catcher stored what it received.
    const caught = (await listCaught(ts.app.db, 'all', { orgIds: [] })).find(
      (m) => m.subject === out!.subject,
    );
    expect(caught).toBeDefined();
    expect(caught!.subject).toContain('verifieringskod');
    expect(caught!.rcpt_masked).toBe('i***r@example.org');
    expect(caught!.body).toMatch(/Din kod för att bekräfta din begäran är \d{6}/);
    expect(JSON.stringify(caught)).not.toContain(email);

    const page = await ts.server.inject({
      method: 'GET',
      url: '/console/inbox',
      headers: { cookie: ts.cookie },
    });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Inbox (demo)');
    expect(page.body).toContain(out!.subject);
    expect(page.body).toContain('i***r@example.org');
    expect(page.body).toMatch(/Din kod för att bekräfta din begäran är \d{6}/);
    expect(page.body).not.toContain(email);
    const audit = await ts.app.db.query("SELECT 1 FROM audit_log WHERE action = 'mail-catcher.read'");
    expect(audit.length).toBe(1);
    // Reading the inbox needs a signed-in agent.
    expect((await ts.server.inject({ method: 'GET', url: '/console/inbox' })).statusCode).not.toBe(200);
  });
});
