/**
 * "May we contact this subject on this channel for this purpose?", one at a time or for a whole
 * send list. The register gives the purpose and its basis; the current-state table gives the
 * subject's choices; src/core/consent/rules.ts decides.
 */
import {
  type IdentityInput,
  type IdentityKind,
  identitiesFrom,
  identityKindForChannel,
  normaliseIdentity,
} from '../../core/consent/identity.ts';
import { type Decision, DIRECT_MARKETING, mayContact, type StateRow } from '../../core/consent/rules.ts';
import { conflict, OmbudError, validationError } from '../../core/errors.ts';
import type { RegisterIndex } from '../../core/register/register-index.ts';
import type { Purpose } from '../../core/register/schema.ts';
import type { Db } from '../../storage/db.ts';
import { type ConsentKeys, identityDigests, identityHash } from './keys.ts';

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

/**
 * The single lookup: the subject and its state rows for the purpose and for direct marketing, one
 * row per state row (one with nulls when it has none; `since` as epoch milliseconds, what a JS Date
 * holds). $1 org, $2 identity hash, $3 purpose, $4 DIRECT_MARKETING. Prepared once per connection:
 * with the hash compared by `=`, PostgreSQL keeps one generic plan (identity-hash index → subject
 * primary key → state primary key) instead of planning every call. Several identities use the same
 * query with `= ANY($2)`.
 */
export const CONTACT_CHECK_SQL = `SELECT s.id, s.restricted, c.purpose_id, c.channel, c.status,
            (extract(epoch FROM c.since) * 1000)::float8 AS since
       FROM consent_identities i JOIN consent_subjects s ON s.id = i.subject_id
       LEFT JOIN consent_state c ON c.subject_id = s.id AND c.purpose_id IN ($3, $4)
      WHERE i.value_hash = $2 AND i.org_id = $1`;
const CONTACT_CHECK_ANY_SQL = CONTACT_CHECK_SQL.replace(
  'i.value_hash = $2',
  'i.value_hash = ANY($2::text[])',
);

/** A subject's restriction and one of its state rows (all null when it has none), as both lookups read it. */
type StateLookup = {
  restricted: boolean;
  purpose_id: string | null;
  channel: string | null;
  status: StateRow['status'] | null;
  since: number | null;
};
type LookupRow = StateLookup & { id: string };

/** The state row of a lookup row that has one (`status` not null). */
const stateRowOf = (r: StateLookup): StateRow => ({
  purposeId: r.purpose_id!,
  channel: r.channel!,
  status: r.status!,
  since: new Date(r.since!),
});

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
  // One round trip, no write (single lookups are not audited one by one: see consent.md).
  const rows =
    hashes.length === 1
      ? await db.query<LookupRow>(CONTACT_CHECK_SQL, [q.orgId, hashes[0], purpose.id, DIRECT_MARKETING], {
          name: 'consent.contact-check',
        })
      : await db.query<LookupRow>(CONTACT_CHECK_ANY_SQL, [q.orgId, hashes, purpose.id, DIRECT_MARKETING], {
          name: 'consent.contact-check-any',
        });
  const subject = rows[0];
  const state: StateRow[] = [];
  for (const r of rows) {
    if (r.id !== subject!.id)
      throw conflict(
        'identities-of-different-subjects',
        `The identities given belong to ${new Set(rows.map((x) => x.id)).size} different data subjects of '${q.orgId}'.`,
        'Send identities of one person only, or merge the subjects first.',
      );
    if (r.status !== null) state.push(stateRowOf(r));
  }
  const d = mayContact({
    purpose,
    orgId: q.orgId,
    channel: q.channel,
    state,
    restricted: subject?.restricted ?? false,
  });
  return { ...d, subjectId: subject?.id ?? null };
}

const BULK_FETCH = 100_000;

/**
 * The bulk filter's one query: $3 the identity hashes of the distinct addresses as one bytea (32
 * raw bytes each, in order); per known address (by its 1-based position `o`) the subject's
 * restriction and its state rows for the purpose ($4) and for direct marketing ($5), `since` as
 * epoch milliseconds (what a JS Date holds). The planner sees how many addresses there are: a
 * short list probes the indexes, a long one hash-joins the tables once.
 */
const BULK_SQL = `SELECT l.o::int4 AS o, s.restricted, c.purpose_id, c.channel, c.status,
              (extract(epoch FROM c.since) * 1000)::float8 AS since
         FROM (SELECT g AS o, encode(substring($3::bytea FROM g * 32 - 31 FOR 32), 'hex') AS h
                 FROM generate_series(1, length($3::bytea) / 32) AS g) AS l
         JOIN consent_identities i ON i.org_id = $1 AND i.kind = $2 AND i.value_hash = l.h
         JOIN consent_subjects s ON s.id = i.subject_id
         LEFT JOIN consent_state c ON c.subject_id = s.id AND c.purpose_id IN ($4, $5)`;

export type BulkResult = {
  purpose: string;
  channel: string;
  total: number;
  allowed: string[];
  /** Refused recipients by index: the decision's reason, an address that is none, or a repeat of an allowed one. */
  refused: { index: number; reason: Decision['reason'] | 'invalid-address' | 'duplicate' }[];
};

/**
 * Filter a send list: the addresses (e-mail for email, phone for sms/phone) that may be contacted,
 * normalised, in input order. Refused entries are named by their index, never by their value.
 *
 * Set-based: each distinct address is normalised and hashed once; all hashes go to the database as
 * one bytea parameter of one query, read back through a cursor 100,000 rows at a time (the next
 * batch is produced while one is read); the decision is made in the core once per distinct address.
 */
export async function bulkFilter(
  db: Db,
  keys: ConsentKeys,
  index: RegisterIndex,
  q: { orgId: string; purposeId: string; channel: string; recipients: string[] },
): Promise<BulkResult> {
  const purpose = purposeOf(index, q.orgId, q.purposeId);
  const kind = addressKindOf(q.channel);
  const org = index.organization(q.orgId)!;
  const { slot, values } = distinctAddresses(kind, q.recipients, org.country);
  const digests = await identityDigests(keys, q.orgId, kind, values);
  const known = await lookUpAddresses(
    db,
    { orgId: q.orgId, kind, purposeId: purpose.id },
    digests,
    values.length,
  );
  const decide = decider(known, (state, restricted) =>
    mayContact({ purpose, orgId: q.orgId, channel: q.channel, state, restricted }),
  );
  return {
    purpose: purpose.id,
    channel: q.channel,
    total: q.recipients.length,
    ...sortRecipients(slot, values, decide),
  };
}

/** The identity kind a channel's addresses are (email, phone), or 400. */
function addressKindOf(channel: string): IdentityKind {
  const kind = identityKindForChannel(channel);
  if (!kind)
    throw validationError('invalid-channel', `channel: '${channel}' cannot be filtered by address.`, [
      { path: ['channel'], message: 'no address kind for this channel', hint: 'Use email, sms or phone.' },
    ]);
  return kind;
}

/**
 * Each recipient normalised once: `slot[i]` is recipient i's distinct address in `values` (-1: not an
 * address), in order of first appearance.
 */
function distinctAddresses(
  kind: IdentityKind,
  recipients: string[],
  country: string,
): { slot: Int32Array; values: string[] } {
  const n = recipients.length;
  const slot = new Int32Array(n);
  const distinct = new Map<string, number>();
  const values: string[] = [];
  for (let i = 0; i < n; i++) {
    let v: string;
    try {
      v = normaliseIdentity(kind, recipients[i]!, country).value;
    } catch (err) {
      if (!(err instanceof OmbudError)) throw err;
      slot[i] = -1;
      continue;
    }
    let d = distinct.get(v);
    if (d === undefined) {
      d = values.length;
      distinct.set(v, d);
      values.push(v);
    }
    slot[i] = d;
  }
  return { slot, values };
}

/** Per distinct address: restricted?, its state rows (an unknown address has neither). */
type KnownAddresses = { restricted: Uint8Array; states: (StateRow[] | undefined)[] };

/** The bulk query over a cursor, read 100,000 rows at a time while the database produces the next batch. */
async function lookUpAddresses(
  db: Db,
  q: { orgId: string; kind: IdentityKind; purposeId: string },
  digests: Buffer,
  count: number,
): Promise<KnownAddresses> {
  const restricted = new Uint8Array(count);
  const states: (StateRow[] | undefined)[] = new Array(count);
  type BulkRow = StateLookup & { o: number };
  await db.transaction(async (tx) => {
    // A long list hash-joins the tables: let the hash tables stay in memory.
    if (count > BULK_FETCH) await tx.query(`SET LOCAL work_mem = '64MB'`);
    await tx.query(`DECLARE consent_bulk NO SCROLL CURSOR FOR ${BULK_SQL}`, [
      q.orgId,
      q.kind,
      digests,
      q.purposeId,
      DIRECT_MARKETING,
    ]);
    const fetch = () => tx.query<BulkRow>(`FETCH ${BULK_FETCH} FROM consent_bulk`);
    let next: Promise<BulkRow[]> | undefined = fetch();
    while (next) {
      const rows: BulkRow[] = await next;
      // The database produces the next batch while this one is read.
      next = rows.length === BULK_FETCH ? fetch() : undefined;
      for (const r of rows) {
        const d = r.o - 1;
        if (r.restricted) restricted[d] = 1;
        if (r.status === null) continue;
        const row = stateRowOf(r);
        const list = states[d];
        if (list) list.push(row);
        else states[d] = [row];
      }
    }
  });
  return { restricted, states };
}

/**
 * The decision for a distinct address. With no state row, or exactly one, the core's answer depends
 * only on that row's purpose, channel and status (its time matters only against another row), so
 * those answers are shared: every unknown or stateless address gets one, and each single-row shape
 * one more.
 */
function decider(
  { restricted, states }: KnownAddresses,
  decide: (state: StateRow[], restricted: boolean) => Decision,
): (d: number) => Decision {
  const shared = new Map<string, Decision>();
  return (d) => {
    const state = states[d];
    if (restricted[d] || (state && state.length > 1)) return decide(state ?? [], restricted[d] === 1);
    const key = state ? `${state[0]!.purposeId}\0${state[0]!.channel}\0${state[0]!.status}` : '';
    let decision = shared.get(key);
    if (!decision) {
      decision = decide(state ?? [], false);
      shared.set(key, decision);
    }
    return decision;
  };
}

/** Recipients in input order: the first of each allowed address is allowed, the rest refused by index. */
function sortRecipients(
  slot: Int32Array,
  values: string[],
  decide: (d: number) => Decision,
): Pick<BulkResult, 'allowed' | 'refused'> {
  const allowed: string[] = [];
  const refused: BulkResult['refused'] = [];
  const seen = new Uint8Array(values.length);
  const decisions: (Decision | undefined)[] = new Array(values.length);
  for (let i = 0; i < slot.length; i++) {
    const d = slot[i]!;
    if (d < 0) {
      refused.push({ index: i, reason: 'invalid-address' });
      continue;
    }
    decisions[d] ??= decide(d);
    const decision = decisions[d];
    if (!decision.allowed) refused.push({ index: i, reason: decision.reason });
    else if (seen[d]) refused.push({ index: i, reason: 'duplicate' });
    else {
      seen[d] = 1;
      allowed.push(values[d]!);
    }
  }
  return { allowed, refused };
}
