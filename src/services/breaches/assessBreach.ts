/**
 * The risk assessment of a breach: the factors from its scope and what a person adds (vulnerable people,
 * encryption), the level suggested from them, and the level a person decides, with a reason. The decision
 * says whether the authority is notified; a breach not notified stays documented with the reasoning
 * (Art. 33(5)). Audited, on the timeline.
 */
import { z } from 'zod';
import { factorsFromScope, RISK_LEVELS, suggestRisk } from '../../core/breaches/risk.ts';
import { precondition } from '../../core/errors.ts';
import type { Caller, Group } from '../../core/policies/policy.ts';
import { actorString, recordAudit } from '../audit/auditLog.ts';
import {
  addEvent,
  authorizedBreach,
  type Breach,
  type BreachDeps,
  readBreachRow,
  type Risk,
  toBreach,
} from './store.ts';

export const assessmentInput = z.strictObject({
  vulnerableSubjects: z.boolean().default(false),
  encrypted: z.boolean().default(false),
  level: z.enum(RISK_LEVELS),
  reason: z.string().trim().min(1).max(5000),
});
export type AssessmentInput = z.infer<typeof assessmentInput>;

export async function assessBreach(
  deps: BreachDeps,
  caller: Caller,
  group: Group,
  id: string,
  input: AssessmentInput,
): Promise<Breach> {
  const b = await authorizedBreach(deps.db, caller, group, id, 'write');
  if (!b.scope)
    throw precondition('breach-not-scoped', 'Scope the breach first: the assessment starts from its scope.');
  const factors = factorsFromScope(b.scope, input);
  const at = deps.now();
  const risk: Risk = {
    factors,
    suggested: suggestRisk(factors),
    level: input.level,
    reason: input.reason,
    decidedBy: actorString(caller.actor),
    decidedAt: at.toISOString(),
  };
  const decision = input.level === 'no-risk' ? 'not-required' : 'notify';
  await deps.db.transaction(async (tx) => {
    await tx.query(
      'UPDATE breaches SET risk = $2::jsonb, decision = $3, decision_reason = $4, updated_at = $5 WHERE id = $1',
      [id, JSON.stringify(risk), decision, input.reason, at.toISOString()],
    );
    await addEvent(tx, id, {
      kind: 'assessed',
      summary: `Risk decided: ${input.level} (suggested ${risk.suggested.level}); ${decision === 'notify' ? 'the authority is notified' : 'no notification (documented, Art. 33(5))'}`,
      caller,
      at,
    });
    await recordAudit(tx, {
      actor: caller.actor,
      orgId: null,
      action: 'breach.assess',
      target: `breach:${id}`,
      reason: input.reason,
      at,
      details: { reference: b.reference, level: input.level, suggested: risk.suggested.level, decision },
    });
  });
  return toBreach((await readBreachRow(deps.db, id))!);
}

/** The authority was notified (the drafts were submitted): the clock stops, late or not. */
export async function markNotified(
  deps: BreachDeps,
  caller: Caller,
  group: Group,
  id: string,
  at: Date,
): Promise<Breach> {
  const b = await authorizedBreach(deps.db, caller, group, id, 'write');
  if (b.decision !== 'notify')
    throw precondition('breach-not-to-notify', 'Decide the risk first: only a breach to notify is notified.');
  const now = deps.now();
  await deps.db.transaction(async (tx) => {
    await tx.query('UPDATE breaches SET notified_at = $2, updated_at = $3 WHERE id = $1', [
      id,
      at.toISOString(),
      now.toISOString(),
    ]);
    await addEvent(tx, id, {
      kind: 'notified',
      summary: `The authorities were notified at ${at.toISOString()}`,
      caller,
      at: now,
    });
    await recordAudit(tx, {
      actor: caller.actor,
      orgId: null,
      action: 'breach.notified',
      target: `breach:${id}`,
      at: now,
      details: { reference: b.reference, notifiedAt: at.toISOString() },
    });
  });
  return toBreach((await readBreachRow(deps.db, id))!);
}
