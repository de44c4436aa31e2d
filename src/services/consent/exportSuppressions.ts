/**
 * The suppression list: every address of an organization that must not be contacted on a channel
 * for a purpose (withdrawn consent, objection, objection to direct marketing, restriction), for
 * upload to a mail or SMS provider. Personal data leaves Ombud here, so every export is audited.
 *
 * A purpose that the register lets share the address only hashed (ad matching: `user.contact.email.hashed`
 * and not the plain category, P44) gets no plain list: its suppression list is the hashed one
 * (`exportHashedSuppressions`), each address normalised and hashed by an ad network's rule, so the list
 * an ad network is given holds no plain identifier.
 */
import { CURRENT_RULE, hashIdentifier, type NetworkRule } from '../../core/audience/hashing.ts';
import { sharedOnlyHashed } from '../../core/audience/sharedHashed.ts';
import { identityKindForChannel } from '../../core/consent/identity.ts';
import {
  type Decision,
  DIRECT_MARKETING,
  isDirectMarketing,
  mayContact,
  type StateRow,
} from '../../core/consent/rules.ts';
import { conflict, validationError } from '../../core/errors.ts';
import type { RegisterIndex } from '../../core/register/register-index.ts';
import type { Db } from '../../storage/db.ts';
import { type Actor, recordAudit } from '../audit/auditLog.ts';
import { type ConsentKeys, openIdentity } from './keys.ts';

export type Suppression = { address: string; reason: Decision['reason']; subjectId: string };
export type HashedSuppressions = {
  /** The rule and version used: "google-ads@2". */
  rule: string;
  /** Suppressed addresses the rule could not normalise (counted, never sent). */
  skipped: number;
  suppressions: { sha256: string; reason: Decision['reason'] }[];
};
type Query = { orgId: string; purposeId: string; channel: string };

/** The plain list, refused for a purpose whose addresses leave Ombud only hashed. */
export async function exportSuppressions(
  db: Db,
  keys: ConsentKeys,
  actor: Actor,
  index: RegisterIndex,
  q: Query,
): Promise<Suppression[]> {
  const { purpose, kind } = checkQuery(index, q);
  if (sharedOnlyHashed(purpose, kind))
    throw conflict(
      'hashed-only-purpose',
      `The purpose '${purpose.id}' shares ${kind === 'email' ? 'e-mail addresses' : 'phone numbers'} only hashed (the register names ${kind === 'email' ? 'user.contact.email.hashed' : 'user.contact.phone_number.hashed'}): no plain suppression list is given for it.`,
      `Ask for the hashed list (GET …/suppressions/hashed?purpose=${purpose.id}&channel=${q.channel}&rule=google-ads|google-data-manager|meta), or use the audience segments' removal files.`,
    );
  const out = await suppressed(db, keys, index, q);
  await recordAudit(db, {
    actor,
    orgId: q.orgId,
    action: 'consent.suppressions.export',
    target: `purpose:${purpose.id}`,
    details: { channel: q.channel, count: out.length, form: 'plain' },
  });
  return out;
}

/**
 * The list hashed by an ad network's rule (the current version of `rule`): one lowercase hex SHA-256 per
 * suppressed address, deduplicated, sorted; an address the rule cannot normalise is counted as skipped.
 */
export async function exportHashedSuppressions(
  db: Db,
  keys: ConsentKeys,
  actor: Actor,
  index: RegisterIndex,
  q: Query & { rule: NetworkRule },
): Promise<HashedSuppressions> {
  const { purpose, kind } = checkQuery(index, q);
  const rule = CURRENT_RULE[q.rule];
  const country = index.organization(q.orgId)?.country;
  const byHash = new Map<string, Decision['reason']>();
  let skipped = 0;
  for (const s of await suppressed(db, keys, index, q)) {
    const h = hashIdentifier(rule, kind, s.address, country);
    if (h === undefined) skipped++;
    else if (!byHash.has(h)) byHash.set(h, s.reason);
  }
  const suppressions = [...byHash]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([sha256, reason]) => ({ sha256, reason }));
  await recordAudit(db, {
    actor,
    orgId: q.orgId,
    action: 'consent.suppressions.export',
    target: `purpose:${purpose.id}`,
    details: { channel: q.channel, count: suppressions.length, form: 'hashed', rule: rule.id, skipped },
  });
  return { rule: rule.id, skipped, suppressions };
}

function checkQuery(index: RegisterIndex, q: Query) {
  const purpose = index.purposes.get(q.purposeId);
  if (!purpose?.controllers.includes(q.orgId))
    throw validationError('invalid-purpose', `purpose: '${q.purposeId}' is not a purpose of '${q.orgId}'.`, [
      { path: ['purpose'], message: 'unknown purpose', hint: 'Use a purpose id from the register.' },
    ]);
  const kind = identityKindForChannel(q.channel);
  if (kind !== 'email' && kind !== 'phone')
    throw validationError('invalid-channel', `channel: '${q.channel}' has no addresses to suppress.`, [
      { path: ['channel'], message: 'no address kind', hint: 'Use email, sms or phone.' },
    ]);
  return { purpose, kind };
}

/** Every suppressed address of the purpose and channel, opened, sorted. */
async function suppressed(db: Db, keys: ConsentKeys, index: RegisterIndex, q: Query): Promise<Suppression[]> {
  const { purpose, kind } = checkQuery(index, q);
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
  return out;
}
