/**
 * The outbox: every mail is first a row (so nothing is lost when SMTP is down and the console can
 * show what was sent), then delivered over SMTP with nodemailer. Logs carry outbox ids, never addresses.
 */
import { randomUUID } from 'node:crypto';
import nodemailer from 'nodemailer';
import type { Group } from '../../core/policies/policy.ts';
import type { Log } from '../../log.ts';
import type { Db } from '../../storage/db.ts';
import { type Sql, sql } from '../../storage/sql.ts';

export type OutboxMail = {
  to: string;
  template: string;
  lang: string;
  subject: string;
  body: string;
  requestId?: string | null;
  /**
   * The company the mail belongs to (its request's), so the console shows it only to that company's
   * agents; null for the group's mail (a group request, a digest over companies): shown only to someone
   * with requests:read in every company (mailPolicy).
   */
  orgId: string | null;
};

export async function enqueueMail(db: Db, mail: OutboxMail, now: Date): Promise<string> {
  const id = randomUUID();
  await db.query(
    `INSERT INTO mail_outbox (id, to_address, template, lang, subject, body, request_id, created_at, org_id)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)`,
    [
      id,
      mail.to,
      mail.template,
      mail.lang,
      mail.subject,
      mail.body,
      mail.requestId ?? null,
      now.toISOString(),
      mail.orgId,
    ],
  );
  return id;
}

export type OutboxRow = {
  id: string;
  to_address: string;
  template: string;
  lang: string;
  subject: string;
  body: string;
  request_id: string | null;
  org_id: string | null;
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  last_error: string | null;
  created_at: Date;
  sent_at: Date | null;
};

const MAX_ATTEMPTS = 5;
/** Mail taken per claim, at most per delivery, and how long a claim holds (well past a batch's sending). */
const CLAIM_BATCH = 10;
const DELIVERY_LIMIT = 100;
const CLAIM_MS = 10 * 60_000;

/**
 * Claim the next pending mail for this delivery (less the mail it has tried already): no other process
 * (or delivery) takes it until it is sent, has failed, or the claim has run out (a process that stopped
 * mid-send).
 */
async function claimPending(db: Db, now: Date, tried: string[]): Promise<OutboxRow[]> {
  const rows = await db.query<OutboxRow>(
    `UPDATE mail_outbox SET claimed_until = $2
      WHERE id IN (SELECT id FROM mail_outbox
                    WHERE status = 'pending' AND (claimed_until IS NULL OR claimed_until < $1)
                      AND NOT (id = ANY($3::uuid[]))
                    ORDER BY created_at LIMIT ${CLAIM_BATCH} FOR UPDATE SKIP LOCKED)
      RETURNING *`,
    [now.toISOString(), new Date(now.getTime() + CLAIM_MS).toISOString(), tried],
  );
  return rows.sort((a, b) => new Date(a.created_at).getTime() - new Date(b.created_at).getTime());
}

/**
 * Send pending mail over SMTP. Returns how many were sent; failures stay pending until MAX_ATTEMPTS, each
 * logged to `log` by outbox id, request id and the SMTP error's code (never the address or the reply text).
 * Processes delivering at once send each mail once: each sends only the mail it has claimed.
 */
export async function deliverOutbox(
  db: Db,
  smtp: { url?: string; from: string },
  now: Date = new Date(),
  log?: Log,
): Promise<{ sent: number; failed: number }> {
  if (!smtp.url) return { sent: 0, failed: 0 };
  const tried: string[] = [];
  let rows = await claimPending(db, now, tried);
  if (rows.length === 0) return { sent: 0, failed: 0 };
  const transport = nodemailer.createTransport(smtp.url);
  let sent = 0;
  let failed = 0;
  try {
    while (rows.length > 0) {
      tried.push(...rows.map((r) => r.id));
      await sendClaimed(db, transport, smtp.from, rows, now, (ok) => (ok ? sent++ : failed++), log);
      rows = tried.length < DELIVERY_LIMIT ? await claimPending(db, now, tried) : [];
    }
  } finally {
    transport.close();
  }
  return { sent, failed };
}

/** Send claimed mail, one at a time; each ends sent, or pending (unclaimed) with its error code, or failed. */
async function sendClaimed(
  db: Db,
  transport: ReturnType<typeof nodemailer.createTransport>,
  from: string,
  rows: OutboxRow[],
  now: Date,
  counted: (ok: boolean) => void,
  log?: Log,
): Promise<void> {
  for (const m of rows) {
    try {
      await transport.sendMail({
        from,
        to: m.to_address,
        subject: m.subject,
        text: m.body,
        headers: { 'X-Ombud-Outbox-Id': m.id, 'Content-Language': m.lang },
      });
      await db.query(
        `UPDATE mail_outbox SET status='sent', sent_at=$2, attempts=attempts+1, claimed_until=NULL WHERE id=$1`,
        [m.id, now.toISOString()],
      );
      counted(true);
    } catch (err) {
      // The SMTP error text can quote the address: keep only its code.
      const e = err as { code?: unknown; responseCode?: unknown };
      const code = typeof e.code === 'string' && /^[\w.-]{1,40}$/.test(e.code) ? e.code : 'error';
      log?.warn(
        {
          mailId: m.id,
          requestId: m.request_id ?? undefined,
          template: m.template,
          attempt: m.attempts + 1,
          errCode: code,
          responseCode: typeof e.responseCode === 'number' ? e.responseCode : undefined,
        },
        m.attempts + 1 >= MAX_ATTEMPTS ? 'mail failed: no more attempts' : 'mail not delivered: will retry',
      );
      await db.query(
        `UPDATE mail_outbox SET attempts=attempts+1, last_error=$2, claimed_until=NULL,
             status = CASE WHEN attempts+1 >= $3 THEN 'failed' ELSE 'pending' END WHERE id=$1`,
        [m.id, code, MAX_ATTEMPTS],
      );
      counted(false);
    }
  }
}

/**
 * The latest mails the caller may see, filtered in SQL: those of the companies in `scope` (listScope of
 * requests:read); mail of no company (null) only when the scope covers the whole group (mailPolicy).
 */
export async function listOutbox(
  db: Db,
  scope: 'all' | readonly string[],
  group: Group,
  limit = 200,
): Promise<OutboxRow[]> {
  const { text, params } =
    sql`SELECT * FROM mail_outbox WHERE ${mailScopeSql(scope, group)} ORDER BY created_at DESC LIMIT ${limit}`.render();
  return db.query<OutboxRow>(text, params);
}

/**
 * The WHERE condition of a mail list (its parameters numbered from $1): every row for 'all' or a scope
 * covering every company of the group; else the rows of those companies (never one of no company).
 */
export function mailScopeSql(scope: 'all' | readonly string[], group: Group): Sql {
  const whole = scope === 'all' || (group.orgIds.length > 0 && group.orgIds.every((o) => scope.includes(o)));
  if (whole) return sql`true`;
  return sql`org_id = ANY(${[...scope]}::text[])`;
}
