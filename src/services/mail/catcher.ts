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
import type { Group } from '../../core/policies/policy.ts';
import type { Db } from '../../storage/db.ts';
import { sql } from '../../storage/sql.ts';
import { mailScopeSql } from './outbox.ts';

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
        // The company: the outbox row this mail was sent from (its X-Ombud-Outbox-Id), if it is ours.
        const outboxId = outboxIdOf(raw);
        db.query(
          `INSERT INTO mail_catcher (id, received_at, rcpt_hashes, rcpt_masked, subject, body, size, org_id)
           VALUES ($1,$2,$3,$4,$5,$6,$7,(SELECT org_id FROM mail_outbox WHERE id = $8::uuid))`,
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
            outboxId,
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

/** The outbox id a mail was sent with (header X-Ombud-Outbox-Id), when it is a well-formed one. */
export function outboxIdOf(raw: string): string | null {
  const split = /\r?\n\r?\n/.exec(raw);
  const head = (split ? raw.slice(0, split.index) : raw).replace(/\r?\n[ \t]+/g, ' ');
  const id = /^X-Ombud-Outbox-Id:[ \t]*([0-9a-f-]{36})[ \t]*$/im.exec(head)?.[1];
  return id && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)
    ? id.toLowerCase()
    : null;
}

export type CaughtRow = {
  id: string;
  received_at: Date;
  rcpt_hashes: string[];
  rcpt_masked: string;
  subject: string;
  body: string;
  size: number;
  /** The company of the outbox mail it matched; null: the group's. */
  org_id: string | null;
};

/** What the catcher received that the caller may see, filtered in SQL like the outbox (mailScopeSql). */
export async function listCaught(
  db: Db,
  scope: 'all' | readonly string[],
  group: Group,
  limit = 200,
): Promise<CaughtRow[]> {
  const { text, params } =
    sql`SELECT * FROM mail_catcher WHERE ${mailScopeSql(scope, group)} ORDER BY received_at DESC, id LIMIT ${limit}`.render();
  return db.query<CaughtRow>(text, params);
}
