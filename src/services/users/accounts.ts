/**
 * People's accounts beyond sign-in: invitation, disabling, password reset; the TOTP second factor is
 * totp.ts (re-exported here for the account pages). Tokens are random, shown once and stored as hashes. Who may see and act on whom is personPolicy
 * (src/core/policies/resources.ts): a manager sees and acts only on people all of whose roles lie in
 * companies where the manager holds users:manage; only group owners act on group owners.
 */
import { createHash, randomBytes } from 'node:crypto';
import argon2 from 'argon2';
import { forbidden, notFound, validationError } from '../../core/errors.ts';
import { can, type Role } from '../../core/policies/permissions.ts';
import { type InviteLang, invitationMail } from '../../core/people/invitation.ts';
import { authorize, type Caller, type Group, groupListScope, visibleTo } from '../../core/policies/policy.ts';
import { personPolicy } from '../../core/policies/resources.ts';
import type { Db } from '../../storage/db.ts';
import { recordAudit } from '../audit/auditLog.ts';
import { enqueueMail } from '../mail/outbox.ts';
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
    invite_pending: boolean;
  }>(
    `SELECT id, email, name, is_owner, disabled_at, totp_secret, invite_pending FROM users u
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
      pending: u.invite_pending,
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

/** How an invitation is mailed: the link for a token and the company's name (from the register). */
export type InvitationMailing = { link: (token: string) => string; company: string };

/**
 * Invite a person into a company with a role (needs users:manage there): a pending account (until the
 * link sets a password) and the one-time link token; with `mail`, the invitation is put in the outbox
 * in the chosen language (the caller delivers it).
 */
export async function invitePerson(
  db: Db,
  caller: Caller,
  input: { email: string; name?: string; orgId: string; role: Role; lang?: InviteLang },
  opts: { now?: Date; mail?: InvitationMailing } = {},
): Promise<{ userId: string; token: string; mailId?: string }> {
  const by = caller.principal;
  const actor = caller.actor;
  if (!can(by, 'users:manage', input.orgId))
    throw forbidden(`You do not have 'users:manage' in organization '${input.orgId.slice(0, 64)}'.`);
  const now = opts.now ?? new Date();
  const lang = input.lang ?? 'en';
  return db.transaction(async (tx) => {
    // An unusable random password until the invitation is accepted.
    const user = await createAdmin(tx, actor, {
      email: input.email,
      password: randomBytes(24).toString('base64url'),
      name: input.name,
      owner: false,
    });
    await tx.query('UPDATE users SET invite_pending = true, lang = $2 WHERE id = $1', [user.id, lang]);
    await grantRole(tx, actor, { userId: user.id, orgId: input.orgId, role: input.role }, by);
    const token = await issueToken(tx, user.id, now);
    let mailId: string | undefined;
    if (opts.mail) {
      const m = invitationMail(lang, {
        name: input.name ?? '',
        role: input.role,
        company: opts.mail.company,
        url: opts.mail.link(token),
        hours: RESET_HOURS,
      });
      // The group's mail (no company): only someone who reads every company's outbox sees it before it is sent.
      mailId = await enqueueMail(
        tx,
        { to: user.email, template: 'user.invite', lang, ...m, orgId: null },
        now,
      );
    }
    await recordAudit(tx, {
      actor,
      orgId: input.orgId,
      action: 'user.invite',
      target: `user:${user.id}`,
      details: { role: input.role, lang, mailed: !!mailId },
    });
    return { userId: user.id, token, ...(mailId ? { mailId } : {}) };
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

/**
 * Set a new password with an invitation or reset token (single use); ends all sessions. An accepted
 * invitation also sets the person's console language to the invitation's.
 */
export async function completePasswordReset(db: Db, token: string, password: string, now = new Date()) {
  checkPassword(password);
  const rows = await db.query<{ id: string; invite_pending: boolean }>(
    `SELECT id, invite_pending FROM users WHERE reset_token_hash = $1 AND reset_expires_at > $2 AND disabled_at IS NULL`,
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
       failed_logins = 0, locked_until = NULL, invite_pending = false,
       language = CASE WHEN invite_pending THEN lang ELSE language END WHERE id = $1`,
    [u.id, hash],
  );
  await db.query('DELETE FROM sessions WHERE user_id = $1', [u.id]);
  await recordAudit(db, {
    actor: { kind: 'user', id: u.id },
    action: u.invite_pending ? 'user.invite-accepted' : 'user.password-set',
    target: `user:${u.id}`,
  });
  return u.id;
}

/** What a password link is, for the page it opens: usable, expired (with when), or unknown/used. */
export async function passwordLinkState(
  db: Db,
  token: string,
  now: Date,
): Promise<{ state: 'ok' } | { state: 'used-or-unknown' } | { state: 'expired'; at: Date }> {
  const [u] = await db.query<{ reset_expires_at: Date }>(
    'SELECT reset_expires_at FROM users WHERE reset_token_hash = $1 AND disabled_at IS NULL',
    [sha(token)],
  );
  if (!u) return { state: 'used-or-unknown' };
  const at = new Date(u.reset_expires_at);
  return at > now ? { state: 'ok' } : { state: 'expired', at };
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
