/**
 * "May we contact this subject on this channel for this purpose?", one at a time or for a whole
 * send list. The register gives the purpose and its basis; the current-state table gives the
 * subject's choices; src/core/consent/rules.ts decides.
 */
import { type IdentityInput, identitiesFrom, identityKindForChannel } from '../../core/consent/identity.ts';
import { type Decision, DIRECT_MARKETING, mayContact, type StateRow } from '../../core/consent/rules.ts';
import { conflict, OmbudError, validationError } from '../../core/errors.ts';
import type { RegisterIndex } from '../../core/register/register-index.ts';
import type { Purpose } from '../../core/register/schema.ts';
import type { Db } from '../../storage/db.ts';
import { type ConsentKeys, identityHash } from './keys.ts';

export type ContactDecision = Decision & { subjectId: string | null };

function purposeOf(index: RegisterIndex, orgId: string, purposeId: string): Purpose {
  const p = index.purposes.get(purposeId);
  if (!p?.controllers.includes(orgId))
    throw validationError('invalid-purpose', `purpose: '${purposeId}' is not a purpose of '${orgId}'.`, [
      {
        path: ['purpose'],
        message: 'unknown purpose for this organization',
        hint: `Use one of: ${index
          .purposesOf(orgId)
          .filter((x) => x.communication || x.consent)
          .map((x) => x.id)
          .join(', ')}.`,
      },
    ]);
  return p;
}

/** The single lookup: $1 org, $2 identity hashes, $3 purpose, $4 DIRECT_MARKETING. */
export const CONTACT_CHECK_SQL = `SELECT s.id, s.restricted,
            (SELECT json_agg(json_build_object('purposeId', c.purpose_id, 'channel', c.channel, 'status', c.status, 'since', c.since))
               FROM consent_state c WHERE c.subject_id = s.id AND c.purpose_id IN ($3, $4)) AS state
       FROM consent_identities i JOIN consent_subjects s ON s.id = i.subject_id
      WHERE i.value_hash = ANY($2::text[]) AND i.org_id = $1`;

export async function checkContact(
  db: Db,
  keys: ConsentKeys,
  index: RegisterIndex,
  q: { orgId: string; identity: IdentityInput; purposeId: string; channel: string },
): Promise<ContactDecision> {
  const purpose = purposeOf(index, q.orgId, q.purposeId);
  const org = index.organization(q.orgId)!;
  const hashes = identitiesFrom(q.identity, org.country).map((i) =>
    identityHash(keys, q.orgId, i.kind, i.value),
  );
  // One round trip: the subject and its state rows for the purpose and for direct marketing.
  const rows = await db.query<{
    id: string;
    restricted: boolean;
    state: (Omit<StateRow, 'since'> & { since: string })[] | null;
  }>(
CONTACT_CHECK_SQL,
    [q.orgId, hashes, purpose.id, DIRECT_MARKETING],
  );
  const distinct = new Set(rows.map((r) => r.id)).size;
  if (distinct > 1)
    throw conflict(
      'identities-of-different-subjects',
      `The identities given belong to ${distinct} different data subjects of '${q.orgId}'.`,
      'Send identities of one person only, or merge the subjects first.',
    );
  const subject = rows[0];
  const d = mayContact({
    purpose,
    orgId: q.orgId,
    channel: q.channel,
    state: (subject?.state ?? []).map((r) => ({ ...r, since: new Date(r.since) })),
    restricted: subject?.restricted ?? false,
  });
  return { ...d, subjectId: subject?.id ?? null };
}

const BULK_CHUNK = 100_000;

export type BulkResult = {
  purpose: string;
  channel: string;
  total: number;
  allowed: string[];
  refused: { index: number; reason: string }[];
};

/**
 * Filter a send list: the addresses (e-mail for email, phone for sms/phone) that may be contacted,
 * normalised, in input order. Refused entries are named by their index, never by their value.
 */
export async function bulkFilter(
  db: Db,
  keys: ConsentKeys,
  index: RegisterIndex,
  q: { orgId: string; purposeId: string; channel: string; recipients: string[] },
): Promise<BulkResult> {
  const purpose = purposeOf(index, q.orgId, q.purposeId);
  const kind = identityKindForChannel(q.channel);
  if (!kind)
    throw validationError('invalid-channel', `channel: '${q.channel}' cannot be filtered by address.`, [
      { path: ['channel'], message: 'no address kind for this channel', hint: 'Use email, sms or phone.' },
    ]);
  const org = index.organization(q.orgId)!;
  const normalised: (string | null)[] = [];
  const refused: BulkResult['refused'] = [];
  q.recipients.forEach((raw, i) => {
    try {
      normalised.push(
        identitiesFrom(kind === 'email' ? { email: raw } : { phone: raw }, org.country)[0]!.value,
      );
    } catch (err) {
      if (!(err instanceof OmbudError)) throw err;
      normalised.push(null);
      refused.push({ index: i, reason: 'invalid-address' });
    }
  });
  const hashes = new Map<string, string>();
  for (const v of normalised) if (v) hashes.set(identityHash(keys, q.orgId, kind, v), v);
  // Set-based: each chunk of hashes is one parameter (unnest), joined to identities, subjects and
  // the state rows of the purpose and of direct marketing in one query.
  const subjectOf = new Map<string, { id: string; restricted: boolean }>();
  const states = new Map<string, StateRow[]>();
  const firstHash = new Map<string, string>();
  const all = [...hashes.keys()];
  for (let i = 0; i < all.length; i += BULK_CHUNK) {
    const rows = await db.query<{
      value_hash: string;
      id: string;
      restricted: boolean;
      purpose_id: string | null;
      channel: string | null;
      status: StateRow['status'] | null;
      since: Date | string | null;
    }>(
      `SELECT i.value_hash, s.id, s.restricted, c.purpose_id, c.channel, c.status, c.since
         FROM unnest($3::text[]) AS l(h)
         JOIN consent_identities i ON i.org_id = $1 AND i.kind = $2 AND i.value_hash = l.h
         JOIN consent_subjects s ON s.id = i.subject_id
         LEFT JOIN consent_state c ON c.subject_id = s.id AND c.purpose_id IN ($4, $5)`,
      [q.orgId, kind, all.slice(i, i + BULK_CHUNK), purpose.id, DIRECT_MARKETING],
    );
    for (const r of rows) {
      const v = hashes.get(r.value_hash)!;
      if (!subjectOf.has(v)) subjectOf.set(v, { id: r.id, restricted: r.restricted });
      // A subject listed under several addresses: its state rows come once per address; keep one set.
      if (!firstHash.has(r.id)) firstHash.set(r.id, r.value_hash);
      if (r.status === null || firstHash.get(r.id) !== r.value_hash) continue;
      const list = states.get(r.id) ?? [];
      if (!states.has(r.id)) states.set(r.id, list);
      list.push({
        purposeId: r.purpose_id!,
        channel: r.channel!,
        status: r.status,
        since: new Date(r.since!),
      });
    }
  }
  const allowed: string[] = [];
  const seen = new Set<string>();
  normalised.forEach((v, i) => {
    if (!v) return;
    const s = subjectOf.get(v);
    const d = mayContact({
      purpose,
      orgId: q.orgId,
      channel: q.channel,
      state: s ? (states.get(s.id) ?? []) : [],
      restricted: s?.restricted ?? false,
    });
    if (!d.allowed) refused.push({ index: i, reason: d.reason });
    else if (seen.has(v)) refused.push({ index: i, reason: 'duplicate' });
    else {
      seen.add(v);
      allowed.push(v);
    }
  });
  refused.sort((a, b) => a.index - b.index);
  return { purpose: purpose.id, channel: q.channel, total: q.recipients.length, allowed, refused };
}
