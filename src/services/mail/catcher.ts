/**
 * The demo's local SMTP catcher: a real SMTP server on loopback (smtp-server) that keeps every mail it
 * receives in `mail_catcher`, so the console's "Inbox (demo)" shows what customers would get. `ombud
 * start` runs it when SMTP_URL is not set and points the outbox at it. Recipients are stored as hashes
 * and masked addresses; logs carry ids only.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { maskAddress, parseMail } from '../../core/mail/parse.ts';
import type { Db } from '../../storage/db.ts';

export type MailCatcher = { url: string; port: number; close: () => Promise<void> };

/** Mails larger than this are refused (the demo's mails are a few kilobytes). */
const MAX_SIZE = 1024 * 1024;

export async function startMailCatcher(
  db: Db,
  opts: { host?: string; port?: number; now?: () => Date } = {},
): Promise<MailCatcher> {
  const host = opts.host ?? '127.0.0.1';
  const now = opts.now ?? (() => new Date());
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    size: MAX_SIZE,
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded)
          return cb(Object.assign(new Error('Message too large'), { responseCode: 552 }));
        const raw = Buffer.concat(chunks).toString('utf8');
        const mail = parseMail(raw);
        const rcpts = session.envelope.rcptTo.map((r) => r.address);
        db.query(
          `INSERT INTO mail_catcher (id, received_at, rcpt_hashes, rcpt_masked, subject, body, size)
           VALUES ($1,$2,$3,$4,$5,$6,$7)`,
          [
            randomUUID(),
            now().toISOString(),
            JSON.stringify(
              rcpts.map((a) => createHash('sha256').update(a.trim().toLowerCase()).digest('hex')),
            ),
            rcpts.map(maskAddress).join(', '),
            mail.subject,
            mail.text,
            raw.length,
          ],
        ).then(
          () => cb(),
          () => cb(Object.assign(new Error('Could not store the message'), { responseCode: 451 })),
        );
      });
    },
  });
  server.on('error', () => {
    // A broken client connection must not stop the demo; nothing to log (no personal data).
  });
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.server.once('error', onError);
    server.listen(opts.port ?? 2525, host, () => {
      server.server.off('error', onError);
      resolve();
    });
  });
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://${host}:${port}`,
    port,
    close: () => new Promise<void>((res) => server.close(() => res())),
  };
}

export type CaughtRow = {
  id: string;
  received_at: Date;
  rcpt_hashes: string[];
  rcpt_masked: string;
  subject: string;
  body: string;
  size: number;
};

export async function listCaught(db: Db, limit = 200): Promise<CaughtRow[]> {
  return db.query<CaughtRow>('SELECT * FROM mail_catcher ORDER BY received_at DESC, id LIMIT $1', [limit]);
}
