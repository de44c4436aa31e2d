/**
 * A person's page for a manager (personPolicy 'read'): who they are, their roles, and their own
 * history from the audit log (entries whose target is the person: invitation, acceptance, resets,
 * roles granted and taken, disabling), newest first. The read is audited.
 */
import type { Caller, Group } from '../../core/policies/policy.ts';
import type { Db } from '../../storage/db.ts';
import { type AuditRow, recordAudit, searchAudit } from '../audit/auditLog.ts';
import { manageable } from './accounts.ts';
import { rolesOf } from './roles.ts';

export async function personWithHistory(db: Db, caller: Caller, group: Group, userId: string) {
  await manageable(db, caller, group, userId, 'read');
  const [u] = await db.query<{
    id: string;
    email: string;
    name: string;
    is_owner: boolean;
    disabled_at: Date | null;
    invite_pending: boolean;
    lang: string;
    created_at: Date;
  }>(
    'SELECT id, email, name, is_owner, disabled_at, invite_pending, lang, created_at FROM users WHERE id = $1',
    [userId],
  );
  const history: AuditRow[] = await searchAudit(db, { target: `user:${userId}`, limit: 200 });
  await recordAudit(db, { actor: caller.actor, action: 'user.read', target: `user:${userId}` });
  return {
    id: u!.id,
    email: u!.email,
    name: u!.name,
    isOwner: u!.is_owner,
    disabled: u!.disabled_at !== null,
    pending: u!.invite_pending,
    lang: u!.lang,
    createdAt: new Date(u!.created_at),
    roles: await rolesOf(db, userId),
    history,
  };
}
