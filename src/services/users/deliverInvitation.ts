/**
 * Send an invitation from the outbox over SMTP at once; once sent, the link is taken out of the stored
 * copy (the outbox keeps that a mail went, not a working link to someone's account).
 */
import type { Log } from '../../log.ts';
import type { Db } from '../../storage/db.ts';
import { deliverOutbox } from '../mail/outbox.ts';

export async function deliverInvitation(
  db: Db,
  smtp: { url?: string; from: string },
  mail: { id: string; token: string },
  now: Date,
  log?: Log,
): Promise<boolean> {
  await deliverOutbox(db, smtp, now, log);
  const [m] = await db.query<{ status: string }>('SELECT status FROM mail_outbox WHERE id = $1', [mail.id]);
  if (m?.status !== 'sent') return false;
  await db.query(
    `UPDATE mail_outbox SET body = replace(body, $2, '[link removed once sent]') WHERE id = $1`,
    [mail.id, mail.token],
  );
  return true;
}
