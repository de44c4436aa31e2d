/**
 * The principal of an actor who asked for work that runs later (a job): rebuilt from the database when the
 * job runs, so the job acts with the rights the person or key has then. A disabled person, a revoked or
 * expired key, or an actor that is no one's is refused. The job's data holds the actor's kind and id only.
 */
import { forbidden } from '../../core/errors.ts';
import { type Principal, SYSTEM_PRINCIPAL } from '../../core/policies/permissions.ts';
import type { Caller } from '../../core/policies/policy.ts';
import type { Db } from '../../storage/db.ts';
import type { Actor } from '../audit/auditLog.ts';
import { rolesOf } from './roles.ts';

async function principalOf(db: Db, actor: Actor, now: Date): Promise<Principal> {
  if (actor.kind === 'system' || actor.kind === 'cli') return SYSTEM_PRINCIPAL;
  const uuid = /^[0-9a-f-]{36}$/i.test(actor.id);
  if (actor.kind === 'user' && uuid) {
    const [u] = await db.query<{ id: string; is_owner: boolean }>(
      'SELECT id, is_owner FROM users WHERE id = $1 AND disabled_at IS NULL',
      [actor.id],
    );
    if (u) return { kind: 'user', userId: u.id, isOwner: u.is_owner, roles: await rolesOf(db, u.id) };
  }
  if (actor.kind === 'api-key' && uuid) {
    const [k] = await db.query<{ id: string; org_ids: string[]; permissions: string[] }>(
      `SELECT id, org_ids, permissions FROM api_keys
        WHERE id = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)`,
      [actor.id, now],
    );
    if (k) return { kind: 'api-key', keyId: k.id, orgIds: k.org_ids, permissions: k.permissions };
  }
  throw forbidden('The person or key who asked for this may no longer act.');
}

/** The caller of a job, as it was when the job was asked for: the actor, with its principal as it is now. */
export async function callerOfActor(db: Db, actor: Actor, now: Date): Promise<Caller> {
  return { principal: await principalOf(db, actor, now), actor };
}
