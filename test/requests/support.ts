/**
 * Support for the request desk's tests: a real SMTP server on loopback that keeps what it receives,
 * and a test server with the demo group wired to it.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { type FulfilmentSystems, startTestServer, type TestServer } from '../support/server.ts';
import type { RequestFulfilmentOptions } from '../../src/services/requests/fulfilRequest.ts';

export type CaughtMail = { to: string[]; raw: string; subject: string; text: string };

export type SmtpCatcher = {
  url: string;
  mails: CaughtMail[];
  close: () => Promise<void>;
  waitFor: (pred: (m: CaughtMail) => boolean, ms?: number) => Promise<CaughtMail>;
};

function decode(raw: string): { subject: string; text: string } {
  const [head = '', ...rest] = raw.split(/\r?\n\r?\n/);
  const unfolded = head.replace(/\r?\n[ \t]+/g, ' ');
  const subjectRaw = /^Subject: (.*)$/im.exec(unfolded)?.[1] ?? '';
  const subject = subjectRaw.replace(/=\?utf-8\?([QB])\?(.*?)\?=\s*/gi, (_m, enc: string, s: string) =>
    enc.toUpperCase() === 'B'
      ? Buffer.from(s, 'base64').toString('utf8')
      : Buffer.from(
          s
            .replace(/_/g, ' ')
            .replace(/=([0-9A-F]{2})/gi, (_x, h: string) => String.fromCharCode(Number.parseInt(h, 16))),
          'latin1',
        ).toString('utf8'),
  );
  let body = rest.join('\n\n');
  if (/Content-Transfer-Encoding: quoted-printable/i.test(unfolded))
    body = Buffer.from(
      body
        .replace(/=\r?\n/g, '')
        .replace(/=([0-9A-F]{2})/gi, (_x, h: string) => String.fromCharCode(Number.parseInt(h, 16))),
      'latin1',
    ).toString('utf8');
  else if (/Content-Transfer-Encoding: base64/i.test(unfolded))
    body = Buffer.from(body, 'base64').toString('utf8');
  return { subject, text: body };
}

export async function startSmtp(): Promise<SmtpCatcher> {
  const mails: CaughtMail[] = [];
  const waiters: (() => void)[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw, ...decode(raw) });
        for (const w of waiters.splice(0)) w();
        cb();
      });
    },
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', () => res()));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    close: () => new Promise<void>((res) => server.close(() => res())),
    waitFor: async (pred, ms = 5000) => {
      const deadline = Date.now() + ms;
      for (;;) {
        const hit = mails.find(pred);
        if (hit) return hit;
        if (Date.now() > deadline)
          throw new Error(`no matching mail within ${ms} ms (${mails.length} received)`);
        await new Promise<void>((res) => {
          waiters.push(res);
          setTimeout(res, 100);
        });
      }
    },
  };
}

export type DeskServer = TestServer & { smtp: SmtpCatcher; origin: Record<string, string> };

/** A test server with the demo group, its mail going to a real SMTP server on loopback. */
export async function startDesk(
  opts: {
    kind?: 'pglite' | 'postgres';
    now?: () => Date;
    /** Run the fulfilment worker against these systems (verified requests are carried out). */
    fulfilment?: FulfilmentSystems;
    /** The worker's options (by default no recipients told, no PDF). */
    fulfilmentOptions?: RequestFulfilmentOptions;
  } = {},
): Promise<DeskServer> {
  const smtp = await startSmtp();
  const ts = await startTestServer({
    kind: opts.kind,
    now: opts.now,
    fulfilment: opts.fulfilment,
    fulfilmentOptions: opts.fulfilmentOptions,
  });
  ts.configure({ smtpUrl: smtp.url, mailFrom: 'NestIT privacy <privacy@nestit.example>' });
  return {
    ...ts,
    smtp,
    // Same-origin headers for cookie-authenticated changes (URL('http://localhost').host === 'localhost').
    origin: { cookie: ts.cookie, origin: 'http://localhost', host: 'localhost' },
    close: async () => {
      await ts.close();
      await smtp.close();
    },
  };
}

export const codeIn = (m: CaughtMail) => /\b(\d{6})\b/.exec(m.text)?.[1];
