/**
 * Opt-in and opt-out per purpose and channel over time, for the console's consent desk: per ISO week
 * (Monday, UTC) the events that opt a person in (a consent granted, an objection lifted) and out (a consent
 * withdrawn, an objection), of the companies where the caller holds consent:read. Counts only, no person.
 */
import { listScope, type Caller } from '../../core/policies/policy.ts';
import { consentSubjectPolicy } from '../../core/policies/resources.ts';
import type { Db } from '../../storage/db.ts';

export type RateRow = {
  purposeId: string;
  channel: string;
  /** The Monday the week starts on (YYYY-MM-DD). */
  week: string;
  optIns: number;
  optOuts: number;
};

export async function consentRates(
  db: Db,
  caller: Caller,
  range: { from: Date; to: Date },
): Promise<RateRow[]> {
  const scope = listScope(caller.principal, consentSubjectPolicy.actions.read);
  const rows = await db.query<{
    purpose_id: string;
    channel: string;
    week: string;
    opt_ins: number;
    opt_outs: number;
  }>(
    `SELECT purpose_id, channel,
            to_char(date_trunc('week', at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS week,
            count(*) FILTER (WHERE kind IN ('grant', 'lift-objection'))::int AS opt_ins,
            count(*) FILTER (WHERE kind IN ('withdraw', 'object'))::int AS opt_outs
       FROM consent_events
      WHERE at >= $1 AND at <= $2 AND ($3::text[] IS NULL OR org_id = ANY($3::text[]))
      GROUP BY purpose_id, channel, week ORDER BY purpose_id, channel, week`,
    [range.from.toISOString(), range.to.toISOString(), scope === 'all' ? null : scope],
  );
  return rows.map((r) => ({
    purposeId: r.purpose_id,
    channel: r.channel,
    week: r.week,
    optIns: Number(r.opt_ins),
    optOuts: Number(r.opt_outs),
  }));
}
