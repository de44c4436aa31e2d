/**
 * Who the consent register keeps out of an analytics export, or (channel behaviour) lets in: every data
 * subject of the company with a restriction or a state row for the export's purpose, direct marketing or a
 * consent the export requires, decided by core/analytics/consent.ts. Their identities (sealed in Ombud's
 * database) are opened here, in the process, to filter the group's rows; they never reach the output.
 */
import { analyticsDecision, type AnalyticsExclusion } from '../../core/analytics/consent.ts';
import { DIRECT_MARKETING, type StateRow } from '../../core/consent/rules.ts';
import type { Purpose } from '../../core/register/schema.ts';
import type { Db } from '../../storage/db.ts';
import { type ConsentKeys, openIdentity } from '../consent/keys.ts';
import type { SubjectFilter } from './query.ts';

export type SubjectCounts = Record<AnalyticsExclusion, number> & { consented: number };

export async function subjectFilter(
  db: Db,
  keys: ConsentKeys,
  q: { orgId: string; purpose: Purpose; requires: { purpose: Purpose; channel: string }[] },
): Promise<{ filter: SubjectFilter; counts: SubjectCounts }> {
  const purposes = [...new Set([q.purpose.id, DIRECT_MARKETING, ...q.requires.map((r) => r.purpose.id)])];
  const rows = await db.query<{
    id: string;
    restricted: boolean;
    purpose_id: string | null;
    channel: string | null;
    status: StateRow['status'] | null;
    since: Date | null;
  }>(
    `SELECT s.id, s.restricted, c.purpose_id, c.channel, c.status, c.since
       FROM consent_subjects s
       LEFT JOIN consent_state c ON c.subject_id = s.id AND c.purpose_id = ANY($2::text[])
      WHERE s.org_id = $1 AND (s.restricted OR c.subject_id IS NOT NULL)`,
    [q.orgId, purposes],
  );
  const subjects = new Map<string, { restricted: boolean; state: StateRow[] }>();
  for (const r of rows) {
    const s = subjects.get(r.id) ?? { restricted: r.restricted, state: [] };
    if (r.status)
      s.state.push({
        purposeId: r.purpose_id!,
        channel: r.channel!,
        status: r.status,
        since: new Date(r.since!),
      });
    subjects.set(r.id, s);
  }
  const counts: SubjectCounts = { restricted: 0, objected: 0, 'no-consent': 0, consented: 0 };
  const out: string[] = [];
  const inn: string[] = [];
  for (const [id, s] of subjects) {
    const d = analyticsDecision({ purpose: q.purpose, orgId: q.orgId, requires: q.requires, ...s });
    if (d.included) {
      if (q.requires.length) {
        inn.push(id);
        counts.consented++;
      }
    } else {
      out.push(id);
      counts[d.reason]++;
    }
  }
  const identities = async (ids: string[]) => {
    const emails: string[] = [];
    const customerNumbers: string[] = [];
    if (ids.length === 0) return { emails, customerNumbers };
    const rows = await db.query<{
      org_id: string;
      kind: string;
      value_hash: string;
      value: string | null;
      value_sealed: string | null;
    }>(
      `SELECT org_id, kind, value_hash, value, value_sealed FROM consent_identities
        WHERE org_id = $1 AND subject_id = ANY($2::uuid[]) AND kind IN ('email', 'customer-number')`,
      [q.orgId, ids],
    );
    for (const r of rows) {
      const v = openIdentity(keys, r);
      if (r.kind === 'email') emails.push(v.toLowerCase());
      else customerNumbers.push(v);
    }
    return { emails, customerNumbers };
  };
  const filter: SubjectFilter = { excluded: await identities(out) };
  if (q.requires.length) filter.only = await identities(inn);
  return { filter, counts };
}
