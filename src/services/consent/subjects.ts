/**
 * Data subjects of an organization, found by the keyed hash of any of their identities.
 * Values are stored (the suppression export and the preference center need them) but never
 * looked up by, logged or put in a URL.
 */
import { conflict, notFound } from '../../core/errors.ts';
import type { Identity } from '../../core/consent/identity.ts';
import { authorize, type Caller, type Group } from '../../core/policies/policy.ts';
import { consentSubjectPolicy } from '../../core/policies/resources.ts';
import type { Db } from '../../storage/db.ts';
import { type ConsentKeys, identityHash, openIdentity, sealIdentity } from './keys.ts';

export type Subject = { id: string; orgId: string; restricted: boolean };

/** The subject the identities point at, or undefined. Two identities of two different subjects is a conflict. */
export async function findSubject(
  db: Db,
  keys: ConsentKeys,
  orgId: string,
  identities: Identity[],
): Promise<Subject | undefined> {
  const hashes = identities.map((i) => identityHash(keys, orgId, i.kind, i.value));
  const rows = await db.query<{ id: string; restricted: boolean }>(
    `SELECT DISTINCT s.id, s.restricted FROM consent_identities i JOIN consent_subjects s ON s.id = i.subject_id
      WHERE i.org_id = $1 AND i.value_hash = ANY($2::text[])`,
    [orgId, hashes],
  );
  if (rows.length > 1)
    throw conflict(
      'identities-of-different-subjects',
      `The identities given belong to ${rows.length} different data subjects of '${orgId}'.`,
      'Send identities of one person only, or merge the subjects first.',
    );
  const r = rows[0];
  return r ? { id: r.id, orgId, restricted: r.restricted } : undefined;
}

/** Find or create the subject, and attach any identity not yet known. Call inside a transaction. */
export async function resolveSubject(
  tx: Db,
  keys: ConsentKeys,
  orgId: string,
  identities: Identity[],
): Promise<Subject & { created: boolean }> {
  // Serialise creation per organization and identity so two concurrent first events make one subject.
  const hashes = identities.map((i) => identityHash(keys, orgId, i.kind, i.value)).sort();
  for (const h of hashes) await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [h]);
  let subject = await findSubject(tx, keys, orgId, identities);
  let created = false;
  if (!subject) {
    const rows = await tx.query<{ id: string }>(
      'INSERT INTO consent_subjects (org_id) VALUES ($1) RETURNING id',
      [orgId],
    );
    subject = { id: rows[0]!.id, orgId, restricted: false };
    created = true;
  }
  for (const i of identities) {
    const { valueHash, sealed } = sealIdentity(keys, orgId, i.kind, i.value);
    await tx.query(
      `INSERT INTO consent_identities (subject_id, org_id, kind, value_sealed, value_hash) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (org_id, kind, value_hash) DO NOTHING`,
      [subject.id, orgId, i.kind, sealed, valueHash],
    );
  }
  return { ...subject, created };
}

export async function subjectById(db: Db, id: string): Promise<Subject | undefined> {
  const rows = await db.query<{ id: string; org_id: string; restricted: boolean }>(
    'SELECT id, org_id, restricted FROM consent_subjects WHERE id = $1',
    [id],
  );
  const r = rows[0];
  return r ? { id: r.id, orgId: r.org_id, restricted: r.restricted } : undefined;
}

/**
 * A subject the caller may read ('read') or change ('write'): "not found" when they may not even read
 * it (another company's customer), "forbidden" when they may read but not change it.
 */
export async function subjectFor(
  db: Db,
  caller: Caller,
  group: Group,
  id: string,
  action: 'read' | 'write',
): Promise<Subject> {
  const s = await subjectById(db, id);
  if (!s) throw notFound(consentSubjectPolicy.resource, id);
  authorize(caller.principal, consentSubjectPolicy, action, s, group);
  return s;
}

export async function identitiesOf(db: Db, keys: ConsentKeys, subjectId: string): Promise<Identity[]> {
  const rows = await db.query<{
    org_id: string;
    kind: Identity['kind'];
    value_hash: string;
    value: string | null;
    value_sealed: string | null;
  }>(
    `SELECT org_id, kind, value_hash, value, value_sealed FROM consent_identities WHERE subject_id = $1
      ORDER BY kind, retired_at NULLS FIRST, created_at`,
    [subjectId],
  );
  return rows.map((r) => ({ kind: r.kind, value: openIdentity(keys, r) }));
}

export type KnownSubject = {
  orgId: string;
  subjectId: string;
  purposes: { purposeId: string; events: number }[];
};

/**
 * The subjects one identity points at in each of the given organizations, with how many consent events
 * each has per purpose (read by the keyed hashes only; for locating a requester across the group).
 */
export async function subjectsWithIdentity(
  db: Db,
  keys: ConsentKeys,
  orgIds: string[],
  identity: Identity,
): Promise<KnownSubject[]> {
  if (orgIds.length === 0) return [];
  const hashes = orgIds.map((o) => identityHash(keys, o, identity.kind, identity.value));
  const rows = await db.query<{ org_id: string; subject_id: string; purpose_id: string | null; n: number }>(
    `SELECT i.org_id, i.subject_id, e.purpose_id, count(e.seq)::int AS n
       FROM consent_identities i LEFT JOIN consent_events e ON e.subject_id = i.subject_id
      WHERE i.value_hash = ANY($1::text[]) AND i.kind = $2
      GROUP BY i.org_id, i.subject_id, e.purpose_id
      ORDER BY i.org_id, i.subject_id, e.purpose_id`,
    [hashes, identity.kind],
  );
  const out = new Map<string, KnownSubject>();
  for (const r of rows) {
    const k = `${r.org_id} ${r.subject_id}`;
    const s = out.get(k) ?? { orgId: r.org_id, subjectId: r.subject_id, purposes: [] };
    if (r.purpose_id) s.purposes.push({ purposeId: r.purpose_id, events: Number(r.n) });
    out.set(k, s);
  }
  return [...out.values()];
}
