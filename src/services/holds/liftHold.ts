/**
 * Lift a legal hold: its markers come off the rows (each row gets back what should stand: another standing
 * hold's marker, else the marker it had before, else none), so the next retention run and erasure act on
 * them; the hold is kept, lifted, with who, when and why, and the lifting is audited.
 */
import { conflict } from '../../core/errors.ts';
import { authorize, type Caller, type Group, readAuthorized } from '../../core/policies/policy.ts';
import { legalHoldPolicy } from '../../core/policies/resources.ts';
import { actorString, recordAudit } from '../audit/auditLog.ts';
import { restoreMarkers } from './markers.ts';
import { type Hold, type HoldDeps, heldRowsOf, readHold, standingHoldOf, toHold } from './store.ts';

export async function liftHold(
  deps: Pick<HoldDeps, 'db' | 'connectors' | 'now'>,
  caller: Caller,
  group: Group,
  id: string,
  reason: string,
): Promise<Hold & { markersRemoved: number; markersRestored: number }> {
  const row = await readAuthorized(caller, legalHoldPolicy, await stand(deps, id), group, () =>
    readHold(deps.db, id),
  );
  authorize(caller.principal, legalHoldPolicy, 'write', row, group);
  if (row.lifted_at) throw conflict('hold-lifted', `The hold ${id} was lifted already.`);
  const at = deps.now();
  // Lifted first (so it no longer counts as standing), then the markers; a failure puts it back.
  const claimed = await deps.db.query(
    'UPDATE legal_holds SET lifted_by = $2, lifted_at = $3, lift_reason = $4 WHERE id = $1 AND lifted_at IS NULL RETURNING id',
    [id, actorString(caller.actor), at, reason],
  );
  if (!claimed.length) throw conflict('hold-lifted', `The hold ${id} was lifted already.`);
  let counts: { restored: number; removed: number };
  try {
    counts = await restoreMarkers(deps, id, await heldRowsOf(deps.db, id), (r) =>
      standingHoldOf(deps.db, r, id),
    );
  } catch (err) {
    await deps.db.query(
      'UPDATE legal_holds SET lifted_by = NULL, lifted_at = NULL, lift_reason = NULL WHERE id = $1',
      [id],
    );
    throw err;
  }
  await recordAudit(deps.db, {
    actor: caller.actor,
    orgId: row.org_id,
    action: 'hold.lift',
    target: `hold:${id}`,
    at,
    details: { markersRemoved: counts.removed, markersRestored: counts.restored },
  });
  return {
    ...toHold((await readHold(deps.db, id))!),
    markersRemoved: counts.removed,
    markersRestored: counts.restored,
  };
}

/** What the decision reads: the hold's companies (a missing hold is decided as one of no company: not found). */
async function stand(deps: Pick<HoldDeps, 'db'>, id: string) {
  const [r] = await deps.db.query<{ id: string; org_id: string; companies: string[] }>(
    'SELECT id, org_id, companies FROM legal_holds WHERE id = $1',
    [id],
  );
  return r ?? { id, org_id: '' };
}
