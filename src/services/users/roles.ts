/** Roles held per organization. Granting and revoking is itself checked with `can` and audited. */
import { forbidden, validationError } from '../../core/errors.ts';
import {
  can,
  isRole,
  type Principal,
  type Role,
  type RoleAssignment,
} from '../../core/policies/permissions.ts';
import type { Db } from '../../storage/db.ts';
import { type Actor, recordAudit } from '../audit/auditLog.ts';

export async function rolesOf(db: Db, userId: string): Promise<RoleAssignment[]> {
  const rows = await db.query<{ org_id: string; role: string }>(
    'SELECT org_id, role FROM role_assignments WHERE user_id = $1 ORDER BY org_id, role',
    [userId],
  );
  return rows.filter((r) => isRole(r.role)).map((r) => ({ orgId: r.org_id, role: r.role as Role }));
}

/** Grant a role; `by` (when given) must hold users:manage in that organization. */
export async function grantRole(
  db: Db,
  actor: Actor,
  input: { userId: string; orgId: string; role: string },
  by?: Principal,
): Promise<void> {
  if (!isRole(input.role))
    throw validationError('bad-role', `There is no role '${input.role}'.`, [
      { path: ['role'], message: 'Use dpo, privacy-agent, cs-agent, engineer or auditor.' },
    ]);
  if (by && !can(by, 'users:manage', input.orgId)) throw forbidden();
  await db.query(
    `INSERT INTO role_assignments (user_id, org_id, role, granted_by) VALUES ($1, $2, $3, $4)
     ON CONFLICT DO NOTHING`,
    [input.userId, input.orgId, input.role, `${actor.kind}:${actor.id}`],
  );
  await recordAudit(db, {
    actor,
    orgId: input.orgId,
    action: 'role.grant',
    target: `user:${input.userId}`,
    details: { role: input.role },
  });
}

export async function revokeRole(
  db: Db,
  actor: Actor,
  input: { userId: string; orgId: string; role: string },
  by?: Principal,
): Promise<boolean> {
  if (by && !can(by, 'users:manage', input.orgId)) throw forbidden();
  const rows = await db.query(
    'DELETE FROM role_assignments WHERE user_id = $1 AND org_id = $2 AND role = $3 RETURNING user_id',
    [input.userId, input.orgId, input.role],
  );
  if (rows.length > 0)
    await recordAudit(db, {
      actor,
      orgId: input.orgId,
      action: 'role.revoke',
      target: `user:${input.userId}`,
      details: { role: input.role },
    });
  return rows.length > 0;
}
