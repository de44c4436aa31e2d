/**
 * The suppression list: every address of an organization that must not be contacted on a channel
 * for a purpose (withdrawn consent, objection, objection to direct marketing, restriction), for
 * upload to a mail or SMS provider. Personal data leaves Ombud here, so every export is audited.
 */
import { identityKindForChannel } from '../../core/consent/identity.ts';
import {
  type Decision,
  DIRECT_MARKETING,
  isDirectMarketing,
  mayContact,
  type StateRow,
} from '../../core/consent/rules.ts';
import { validationError } from '../../core/errors.ts';
import type { RegisterIndex } from '../../core/register/register-index.ts';
import type { Db } from '../../storage/db.ts';
import { type Actor, recordAudit } from '../audit/auditLog.ts';
import { type ConsentKeys, openIdentity } from './keys.ts';

export type Suppression = { address: string; reason: Decision['reason']; subjectId: string };

export async function exportSuppressions(
  db: Db,
  keys: ConsentKeys,
  actor: Actor,
  index: RegisterIndex,
  q: { orgId: string; purposeId: string; channel: string },
): Promise<Suppression[]> {
  const purpose = index.purposes.get(q.purposeId);
  if (!purpose?.controllers.includes(q.orgId))
    throw validationError('invalid-purpose', `purpose: '${q.purposeId}' is not a purpose of '${q.orgId}'.`, [
      { path: ['purpose'], message: 'unknown purpose', hint: 'Use a purpose id from the register.' },
    ]);
  const kind = identityKindForChannel(q.channel);
  if (!kind)
    throw validationError('invalid-channel', `channel: '${q.channel}' has no addresses to suppress.`, [
      { path: ['channel'], message: 'no address kind', hint: 'Use email, sms or phone.' },
    ]);
  const purposes = isDirectMarketing(purpose) ? [purpose.id, DIRECT_MARKETING] : [purpose.id];
  // Candidates: every subject with a choice about these purposes, or restricted.
  const rows = await db.query<{
    id: string;
    restricted: boolean;
    state: { purposeId: string; channel: string; status: StateRow['status']; since: string }[] | null;
  }>(
    `SELECT s.id, s.restricted,
            (SELECT json_agg(json_build_object('purposeId', c.purpose_id, 'channel', c.channel, 'status', c.status, 'since', c.since))
               FROM consent_state c WHERE c.subject_id = s.id AND c.purpose_id = ANY($2::text[])) AS state
       FROM consent_subjects s
      WHERE s.org_id = $1
        AND (s.restricted OR EXISTS (SELECT 1 FROM consent_state c WHERE c.subject_id = s.id AND c.purpose_id = ANY($2::text[])))`,
    [q.orgId, purposes],
  );
  const suppressed = new Map<string, Decision['reason']>();
  for (const r of rows) {
    const d = mayContact({
      purpose,
      orgId: q.orgId,
      channel: q.channel,
      restricted: r.restricted,
      state: (r.state ?? []).map((s) => ({ ...s, since: new Date(s.since) })),
    });
    // Consent purposes: only subjects who said no are listed (never-asked people are not on any list).
    if (!d.allowed && d.reason !== 'no-consent') suppressed.set(r.id, d.reason);
  }
  const ids = [...suppressed.keys()];
  const out: Suppression[] = [];
  for (let i = 0; i < ids.length; i += 10_000) {
    const addr = await db.query<{
      subject_id: string;
      org_id: string;
      kind: string;
      value_hash: string;
      value: string | null;
      value_sealed: string | null;
    }>(
      `SELECT subject_id, org_id, kind, value_hash, value, value_sealed FROM consent_identities
        WHERE subject_id = ANY($1::uuid[]) AND kind = $2`,
      [ids.slice(i, i + 10_000), kind],
    );
    for (const a of addr)
      out.push({
        address: openIdentity(keys, a),
        reason: suppressed.get(a.subject_id)!,
        subjectId: a.subject_id,
      });
  }
  out.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  await recordAudit(db, {
    actor,
    orgId: q.orgId,
    action: 'consent.suppressions.export',
    target: `purpose:${purpose.id}`,
    details: { channel: q.channel, count: out.length },
  });
  return out;
}
