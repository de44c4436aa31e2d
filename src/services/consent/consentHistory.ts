/** A data subject's consent history: every event, oldest first, with the wording shown — the proof. */
import { type IdentityInput, identitiesFrom } from '../../core/consent/identity.ts';
import { notFound } from '../../core/errors.ts';
import type { RegisterIndex } from '../../core/register/register-index.ts';
import type { Db } from '../../storage/db.ts';
import { authorize, type Caller, type Group } from '../../core/policies/policy.ts';
import { consentSubjectPolicy } from '../../core/policies/resources.ts';
import { recordAudit } from '../audit/auditLog.ts';
import type { ConsentKeys } from './keys.ts';
import { type ConsentEvent, toEvent } from './recordConsentEvent.ts';
import { findSubject } from './subjects.ts';

export async function eventsOfSubject(db: Db, subjectId: string): Promise<ConsentEvent[]> {
  const rows = await db.query<Parameters<typeof toEvent>[0]>(
    'SELECT * FROM consent_events WHERE subject_id = $1 ORDER BY at, seq',
    [subjectId],
  );
  return rows.map(toEvent);
}

export async function consentHistory(
  db: Db,
  caller: Caller,
  group: Group,
  keys: ConsentKeys,
  index: RegisterIndex,
  q: { orgId: string; identity: IdentityInput },
): Promise<{ subjectId: string; events: ConsentEvent[] }> {
  const org = index.organization(q.orgId);
  if (!org) throw notFound('organization', q.orgId);
  const subject = await findSubject(db, keys, q.orgId, identitiesFrom(q.identity, org.country));
  if (!subject) throw notFound('data subject', '(the identity given)');
  authorize(caller.principal, consentSubjectPolicy, 'read', subject, group);
  const events = await eventsOfSubject(db, subject.id);
  await recordAudit(db, {
    actor: caller.actor,
    orgId: q.orgId,
    action: 'consent.history.read',
    target: `subject:${subject.id}`,
    details: { events: events.length },
  });
  return { subjectId: subject.id, events };
}
