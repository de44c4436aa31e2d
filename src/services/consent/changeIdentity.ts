/**
 * A data subject's identity changed (an e-mail address corrected by a rectification, or changed in the
 * account): the new value joins the subject and the old one is retired. A retired identity still finds
 * its subject, so a contact check by the old address answers as one by the new address, and it stays on
 * the suppression lists; mail goes to the identities that are not retired. Values are never logged: the
 * audit entry holds the keyed hashes.
 */
import type { IdentityKind } from '../../core/consent/identity.ts';
import type { Db } from '../../storage/db.ts';
import { type Actor, recordAudit } from '../audit/auditLog.ts';
import { type ConsentKeys, identityHash, sealIdentity } from './keys.ts';
import { findSubject } from './subjects.ts';

export type IdentityChange = {
  orgId: string;
  kind: IdentityKind;
  /** Both normalised (normaliseIdentity). */
  from: string;
  to: string;
  /** What the change comes from, e.g. `request:<id>`. */
  reference: string;
  at: Date;
};

/**
 * `unknown`: the register holds no subject with the old identity (nothing to change). `unchanged`: the
 * new identity is the subject's already. `conflict`: the new identity is another subject's (they are not
 * merged; an agent decides). Call inside a transaction.
 */
export type IdentityChangeOutcome = 'changed' | 'unchanged' | 'unknown' | 'conflict';

export async function changeIdentity(
  tx: Db,
  actor: Actor,
  keys: ConsentKeys,
  c: IdentityChange,
): Promise<IdentityChangeOutcome> {
  const fromHash = identityHash(keys, c.orgId, c.kind, c.from);
  const toHash = identityHash(keys, c.orgId, c.kind, c.to);
  for (const h of [fromHash, toHash].sort())
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [h]);
  const subject = await findSubject(tx, keys, c.orgId, [{ kind: c.kind, value: c.from }]);
  if (!subject) return 'unknown';
  const [holder] = await tx.query<{ subject_id: string }>(
    'SELECT subject_id FROM consent_identities WHERE org_id = $1 AND kind = $2 AND value_hash = $3',
    [c.orgId, c.kind, toHash],
  );
  let outcome: IdentityChangeOutcome;
  if (holder && holder.subject_id !== subject.id) outcome = 'conflict';
  else {
    outcome = holder ? 'unchanged' : 'changed';
    if (!holder)
      await tx.query(
        `INSERT INTO consent_identities (subject_id, org_id, kind, value_sealed, value_hash, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [
          subject.id,
          c.orgId,
          c.kind,
          sealIdentity(keys, c.orgId, c.kind, c.to).sealed,
          toHash,
          c.at.toISOString(),
        ],
      );
    // The new value is current again (it may have been retired before); the old one is retired.
    await tx.query(
      'UPDATE consent_identities SET retired_at = NULL WHERE org_id = $1 AND kind = $2 AND value_hash = $3',
      [c.orgId, c.kind, toHash],
    );
    if (fromHash !== toHash)
      await tx.query(
        `UPDATE consent_identities SET retired_at = $4
          WHERE org_id = $1 AND kind = $2 AND value_hash = $3 AND retired_at IS NULL`,
        [c.orgId, c.kind, fromHash, c.at.toISOString()],
      );
  }
  await recordAudit(tx, {
    actor,
    orgId: c.orgId,
    action: 'consent.identity.change',
    target: `subject:${subject.id}`,
    reason: c.reference,
    details: { kind: c.kind, from: fromHash, to: toHash, outcome },
    at: c.at,
  });
  return outcome;
}
