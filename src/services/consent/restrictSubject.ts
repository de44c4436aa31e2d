/**
 * Art. 18 restriction in the consent register: a restricted subject is store-only, so "may we contact?"
 * answers no for every purpose and channel (src/core/consent/rules.ts, reason 'restricted') until the
 * restriction is lifted. The subject is found (or created) by its identities' keyed hashes; the audit entry
 * carries the subject id, never the identity.
 */
import { type IdentityInput, identitiesFrom } from '../../core/consent/identity.ts';
import { notFound } from '../../core/errors.ts';
import type { RegisterIndex } from '../../core/register/register-index.ts';
import type { Db } from '../../storage/db.ts';
import { type Actor, recordAudit } from '../audit/auditLog.ts';
import type { ConsentKeys } from './keys.ts';
import { resolveSubject } from './subjects.ts';

export async function setSubjectRestricted(
  db: Db,
  actor: Actor,
  keys: ConsentKeys,
  index: RegisterIndex,
  input: { orgId: string; identity: IdentityInput; restricted: boolean; reference?: string },
): Promise<{ subjectId: string; changed: boolean }> {
  const org = index.organization(input.orgId);
  if (!org) throw notFound('organization', input.orgId);
  const identities = identitiesFrom(input.identity, org.country);
  return db.transaction(async (tx) => {
    const subject = await resolveSubject(tx, keys, input.orgId, identities);
    const changed = subject.restricted !== input.restricted;
    if (changed)
      await tx.query('UPDATE consent_subjects SET restricted = $2 WHERE id = $1', [
        subject.id,
        input.restricted,
      ]);
    await recordAudit(tx, {
      actor,
      orgId: input.orgId,
      action: input.restricted ? 'consent.restrict' : 'consent.lift-restriction',
      target: `subject:${subject.id}`,
      details: {
        changed,
        newSubject: subject.created,
        ...(input.reference ? { reference: input.reference } : {}),
      },
    });
    return { subjectId: subject.id, changed };
  });
}
