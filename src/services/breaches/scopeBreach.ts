/**
 * Scope a breach from the live data map: the plan of its affected collections (core/breaches/scope.ts),
 * counted in the group's databases (./countScope.ts), as controllers with their authority, categories
 * (Art. 9 flagged), purposes and the number of people affected. The breach then concerns the companies
 * the scope found (besides those it was recorded for). Audited, on the timeline.
 */
import { assembleScope, type BreachScope, planScope } from '../../core/breaches/scope.ts';
import type { Caller, Group } from '../../core/policies/policy.ts';
import type { RegisterIndex } from '../../core/register/register-index.ts';
import type { SubjectSystems } from '../../workers.ts';
import { recordAudit } from '../audit/auditLog.ts';
import { countScope } from './countScope.ts';
import {
  addEvent,
  authorizedBreach,
  type Breach,
  type BreachDeps,
  readBreachRow,
  toBreach,
} from './store.ts';

export type ScopeDeps = BreachDeps & { index: RegisterIndex; systems: SubjectSystems };

/** The scope of affected collections over a window, without a breach (the bench and a dry run use it). */
export async function computeScope(
  deps: Pick<ScopeDeps, 'index' | 'systems' | 'now'>,
  affected: Breach['affected'],
  window: Breach['window'],
): Promise<BreachScope> {
  const plans = planScope(deps.index, deps.systems.datasets, affected);
  const { counts, records, databases } = await countScope(deps.systems.connectors, plans, window);
  return assembleScope(deps.index, plans, affected, window, counts, records, databases, deps.now());
}

export async function scopeBreach(
  deps: ScopeDeps,
  caller: Caller,
  group: Group,
  id: string,
): Promise<Breach> {
  const b = await authorizedBreach(deps.db, caller, group, id, 'write');
  const scope = await computeScope(deps, b.affected, b.window);
  const orgIds = [...new Set([...b.orgIds, ...scope.controllers.map((c) => c.orgId)])].sort();
  const at = deps.now();
  await deps.db.transaction(async (tx) => {
    await tx.query(
      'UPDATE breaches SET scope = $2::jsonb, org_ids = $3::text[], updated_at = $4 WHERE id = $1',
      [id, JSON.stringify(scope), orgIds, at.toISOString()],
    );
    await addEvent(tx, id, {
      kind: 'scoped',
      summary: `Scoped: ${scope.subjects} people affected (${scope.controllers.map((c) => `${c.orgId} ${c.subjects}`).join(', ') || 'none'}); ${scope.categories.length} data categories${scope.categories.some((c) => c.special) ? ', special categories among them' : ''}`,
      caller,
      at,
    });
    await recordAudit(tx, {
      actor: caller.actor,
      orgId: null,
      action: 'breach.scope',
      target: `breach:${id}`,
      at,
      details: {
        reference: b.reference,
        subjects: scope.subjects,
        controllers: scope.controllers.map((c) => ({ orgId: c.orgId, subjects: c.subjects })),
      },
    });
  });
  return toBreach((await readBreachRow(deps.db, id))!);
}
