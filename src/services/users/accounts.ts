/**
 * People's accounts beyond sign-in: invitation, disabling, password reset; the TOTP second factor is
 * totp.ts (re-exported here for the account pages). Tokens are random, shown once and stored as hashes. Who may see and act on whom is personPolicy
 * (src/core/policies/resources.ts): a manager sees and acts only on people all of whose roles lie in
 * companies where the manager holds users:manage; only group owners act on group owners.
 */
import { createHash, randomBytes } from 'node:crypto';
import argon2 from 'argon2';
import { forbidden, notFound, validationError } from '../../core/errors.ts';
import { can } from '../../core/policies/permissions.ts';
import { authorize, type Caller, type Group, groupListScope, visibleTo } from '../../core/policies/policy.ts';
import { personPolicy } from '../../core/policies/resources.ts';
import type { Db } from '../../storage/db.ts';
import { recordAudit } from '../audit/auditLog.ts';
import { checkPassword, createAdmin } from './admins.ts';
import { grantRole, rolesOf } from './roles.ts';

export { confirmTotp, keyringOf, startTotp, totpCode } from './totp.ts';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const ARGON = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;
export const RESET_HOURS = 72;

/**
 * People visible to a manager (personPolicy): those all of whose companies lie within the manager's
 * users:manage scope, narrowed in SQL; people without roles (group owners) only for managers of every
 * company.
 */
export async function listPeople(db: Db, caller: Caller, group: Group) {
  const scope = groupListScope(caller.principal, personPolicy.actions.read, group);
  const users = await db.query<{
    id: string;
    email: string;
    name: string;
    is_owner: boolean;
    disabled_at: Date | null;
    totp_secret: string | null;
  }>(
    `SELECT id, email, name, is_owner, disabled_at, totp_secret FROM users u
      WHERE $1::text[] IS NULL
         OR (EXISTS (SELECT 1 FROM role_assignments r WHERE r.user_id = u.id)
             AND NOT EXISTS (SELECT 1 FROM role_assignments r WHERE r.user_id = u.id AND NOT r.org_id = ANY($1::text[])))
      ORDER BY created_at, id`,
    [scope === 'all' ? null : scope],
  );
  const out = [];
  const visible = visibleTo(caller.principal, personPolicy, group);
  for (const u of users) {
    const roles = await rolesOf(db, u.id);
    if (!visible({ id: u.id, orgIds: roles.map((r) => r.orgId), isOwner: u.is_owner })) continue;
    out.push({
      id: u.id,
      email: u.email,
      name: u.name,
      isOwner: u.is_owner,
      disabled: u.disabled_at !== null,
      totp: u.totp_secret !== null,
      roles,
    });
  }
  return out;
}

/**
 * The person the caller may manage (personPolicy): "not found" for a person of another company (or
 * also of another company), "forbidden" for a group owner unless the caller is one.
 */
export async function manageable(
  db: Db,
  caller: Caller,
  group: Group,
  userId: string,
  action: 'read' | 'manage' = 'manage',
) {
  const rows = /^[0-9a-f-]{36}$/i.test(userId)
    ? await db.query<{ id: string; is_owner: boolean }>('SELECT id, is_owner FROM users WHERE id = $1', [
        userId,
      ])
    : [];
  const u = rows[0];
  if (!u) throw notFound('user', userId);
  const roles = await rolesOf(db, u.id);
  authorize(
    caller.principal,
    personPolicy,
    action,
    { id: u.id, orgIds: [...new Set(roles.map((r) => r.orgId))], isOwner: u.is_owner },
    group,
  );
  return u;
}

async function issueToken(db: Db, userId: string, now: Date): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await db.query('UPDATE users SET reset_token_hash = $2, reset_expires_at = $3 WHERE id = $1', [
    userId,
    sha(token),
    new Date(now.getTime() + RESET_HOURS * 3600_000),
  ]);
  return token;
}

/** Invite a person into a company with a role (needs users:manage there); returns the one-time link token. */
export async function invitePerson(
  db: Db,
  caller: Caller,
  input: { email: string; name?: string; orgId: string; role: string },
  opts: { now?: Date } = {},
): Promise<{ userId: string; token: string }> {
  const by = caller.principal;
  const actor = caller.actor;
  if (!can(by, 'users:manage', input.orgId))
    throw forbidden(`You do not have 'users:manage' in organization '${input.orgId.slice(0, 64)}'.`);
  const now = opts.now ?? new Date();
  return db.transaction(async (tx) => {
    // An unusable random password until the invitation is accepted.
    const user = await createAdmin(tx, actor, {
      email: input.email,
      password: randomBytes(24).toString('base64url'),
      name: input.name,
      owner: false,
    });
    await grantRole(tx, actor, { userId: user.id, orgId: input.orgId, role: input.role }, by);
    const token = await issueToken(tx, user.id, now);
    await recordAudit(tx, { actor, orgId: input.orgId, action: 'user.invite', target: `user:${user.id}` });
    return { userId: user.id, token };
  });
}

export async function issuePasswordReset(
  db: Db,
  caller: Caller,
  group: Group,
  userId: string,
  now = new Date(),
): Promise<string> {
  await manageable(db, caller, group, userId);
  const token = await issueToken(db, userId, now);
  await recordAudit(db, { actor: caller.actor, action: 'user.reset-issued', target: `user:${userId}` });
  return token;
}

/** Set a new password with an invitation or reset token (single use); ends all sessions. */
export async function completePasswordReset(db: Db, token: string, password: string, now = new Date()) {
  checkPassword(password);
  const rows = await db.query<{ id: string }>(
    `SELECT id FROM users WHERE reset_token_hash = $1 AND reset_expires_at > $2 AND disabled_at IS NULL`,
    [sha(token), now],
  );
  const u = rows[0];
  if (!u)
    throw validationError('bad-reset-token', 'This link is invalid, used or expired.', [
      { path: ['token'], message: 'Ask an administrator for a new link.' },
    ]);
  const hash = await argon2.hash(password, ARGON);
  await db.query(
    `UPDATE users SET password_hash = $2, reset_token_hash = NULL, reset_expires_at = NULL,
       failed_logins = 0, locked_until = NULL WHERE id = $1`,
    [u.id, hash],
  );
  await db.query('DELETE FROM sessions WHERE user_id = $1', [u.id]);
  await recordAudit(db, {
    actor: { kind: 'user', id: u.id },
    action: 'user.password-set',
    target: `user:${u.id}`,
  });
  return u.id;
}

export async function disablePerson(
  db: Db,
  caller: Caller,
  group: Group,
  userId: string,
  now = new Date(),
): Promise<void> {
  await manageable(db, caller, group, userId);
  const by = caller.principal;
  if (by.kind === 'user' && by.userId === userId)
    throw validationError('self-disable', 'You cannot disable your own account.', [
      { path: ['userId'], message: 'Ask another administrator.' },
    ]);
  await db.query('UPDATE users SET disabled_at = $2, reset_token_hash = NULL WHERE id = $1', [userId, now]);
  await db.query('DELETE FROM sessions WHERE user_id = $1', [userId]);
  await recordAudit(db, { actor: caller.actor, action: 'user.disable', target: `user:${userId}` });
}
