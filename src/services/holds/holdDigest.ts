/**
 * The daily digest's part for legal holds: one mail to the privacy team listing the standing holds whose
 * review day has come or is near (the review keeps a hold from outliving its reason: P14, P46). Ids,
 * reasons and scopes in words only: never the subject's identities.
 */
import { describeScope, reviewState } from '../../core/holds/hold.ts';
import type { IsoDate } from '../../core/deadlines/iso-date.ts';
import type { Db } from '../../storage/db.ts';
import { enqueueMail } from '../mail/outbox.ts';
import { holdsDueForReview } from './listHolds.ts';

export async function mailHoldsDueForReview(
  db: Db,
  opts: { to: string; today: IsoDate; publicUrl: string; now: Date },
): Promise<{ mails: number; holds: number }> {
  const due = await holdsDueForReview(db, opts.today);
  if (due.length === 0) return { mails: 0, holds: 0 };
  const lines = due.map((h) => {
    const state = reviewState(h, opts.today);
    const when =
      state === 'overdue' ? 'REVIEW OVERDUE' : state === 'due-today' ? 'review today' : 'review soon';
    return `${when} ${h.reviewOn}  ${h.orgId}  ${h.reasonKind}${h.ruleId ? ` (${h.ruleId})` : ''}  ${describeScope(h.scope)}  ${h.rowsHeld} rows  ${opts.publicUrl}/console/holds`;
  });
  await enqueueMail(
    db,
    {
      to: opts.to,
      template: 'digest',
      lang: 'en',
      subject: `Ombud: ${due.length} legal hold${due.length === 1 ? '' : 's'} to review`,
      body: `Decide for each whether its reason still stands; lift it if not.\n${lines.join('\n')}\n`,
      orgId: new Set(due.map((h) => h.orgId)).size === 1 ? due[0]!.orgId : null,
    },
    opts.now,
  );
  return { mails: 1, holds: due.length };
}
