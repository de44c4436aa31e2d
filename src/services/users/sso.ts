/**
 * Single sign-on (OIDC) for the console (docs/sso.md). A sign-in is begun with a state row (single use,
 * bound to the browser by a short-lived cookie, ten minutes at most) and finished at the callback: the
 * state taken, the code exchanged and the ID token checked (oidc.ts), then the person's account found by
 * provider and `sub` (never by e-mail address alone) or created just in time, the roles the provider's
 * mapping grants set anew (roles granted by hand are left alone), and a console session begun.
 *
 * Audited: every sign-in (`sso.login`), account created (`sso.user-created`), role granted or revoked by
 * the mapping (`role.grant`/`role.revoke`, `user.owner-set`/`user.owner-unset`) and refusal (`sso.refused`
 * with a reason code), with ids and codes only.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import argon2 from 'argon2';
import type { RoleAssignment, Role } from '../../core/policies/permissions.ts';
import { claimValues, type MappedAccess, mappedAccess, roleChanges } from '../../core/sso/mapping.ts';
import type { SsoProvider } from '../../core/sso/providers.ts';
import { SsoRefusal, type SsoRefusalReason } from '../../core/sso/refusal.ts';
import type { Db } from '../../storage/db.ts';
import { type Actor, recordAudit } from '../audit/auditLog.ts';
import { startSession } from './admins.ts';
import { authorizationUrl, exchangeCode } from './oidc.ts';

export const SSO_LOGIN_MINUTES = 10;
const SSO_ACTOR: Actor = { kind: 'system', id: 'sso' };
const ARGON = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;
const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const random = () => randomBytes(32).toString('base64url');

/** The callback URL registered at the provider for this Ombud. */
export const ssoRedirectUri = (publicUrl: string, p: SsoProvider) =>
  `${publicUrl}/console/sso/${p.id}/callback`;

/**
 * Begin a sign-in: a state row for the callback and the provider's authorization URL. `browser` goes into
 * a short-lived cookie; the callback must bring it back.
 */
export async function beginSsoSignIn(
  db: Db,
  p: SsoProvider,
  opts: { publicUrl: string; next: string; now: Date },
): Promise<{ url: string; browser: string }> {
  const checks = {
    state: random(),
    nonce: random(),
    codeVerifier: random(),
    redirectUri: ssoRedirectUri(opts.publicUrl, p),
  };
  const url = await authorizationUrl(p, checks);
  const browser = random();
  await db.query('DELETE FROM sso_logins WHERE expires_at <= $1', [opts.now]);
  await db.query(
    `INSERT INTO sso_logins (state_hash, provider, browser_hash, nonce, code_verifier, next_path, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [
      sha(checks.state),
      p.id,
      sha(browser),
      checks.nonce,
      checks.codeVerifier,
      opts.next,
      new Date(opts.now.getTime() + SSO_LOGIN_MINUTES * 60_000),
    ],
  );
  return { url, browser };
}

export type SsoSignedIn = { token: string; expiresAt: Date; userId: string; next: string };

/**
 * Finish a sign-in at the callback. Throws an SsoRefusal (audited) when the state is unknown, used, expired
 * or of another browser, when the provider's answer fails a check, or when the person gets no access.
 */
export async function finishSsoSignIn(
  db: Db,
  p: SsoProvider,
  opts: { callbackUrl: URL; browser: string | undefined; publicUrl: string; now: Date },
): Promise<SsoSignedIn> {
  let userId: string | undefined;
  try {
    const pending = await takeState(
      db,
      p,
      opts.callbackUrl.searchParams.get('state'),
      opts.browser,
      opts.now,
    );
    const claims = await exchangeCode(p, opts.callbackUrl, {
      state: pending.state,
      nonce: pending.nonce,
      codeVerifier: pending.code_verifier,
      redirectUri: ssoRedirectUri(opts.publicUrl, p),
    });
    const outcome = await db.transaction((tx) => signInPerson(tx, p, claims, opts.now));
    userId = outcome.userId;
    if ('refused' in outcome) throw new SsoRefusal(outcome.refused);
    return { ...outcome, next: pending.next_path };
  } catch (err) {
    if (err instanceof SsoRefusal)
      await recordAudit(db, {
        actor: SSO_ACTOR,
        action: 'sso.refused',
        target: userId ? `user:${userId}` : null,
        details: { provider: p.id, reason: err.reason, ...err.facts },
      });
    throw err;
  }
}

type Pending = { state: string; nonce: string; code_verifier: string; next_path: string };

/** The sign-in's state row, deleted as it is read (single use), if it is this provider's and this browser's. */
async function takeState(
  db: Db,
  p: SsoProvider,
  state: string | null,
  browser: string | undefined,
  now: Date,
): Promise<Pending> {
  if (!state || state.length > 200) throw new SsoRefusal('state-unknown');
  const rows = await db.query<
    Omit<Pending, 'state'> & { provider: string; browser_hash: string; expires_at: Date }
  >(
    'DELETE FROM sso_logins WHERE state_hash = $1 RETURNING provider, browser_hash, nonce, code_verifier, next_path, expires_at',
    [sha(state)],
  );
  const row = rows[0];
  if (
    !row ||
    row.provider !== p.id ||
    !browser ||
    row.browser_hash !== sha(browser) ||
    new Date(row.expires_at) <= now
  )
    throw new SsoRefusal('state-unknown');
  return { state, nonce: row.nonce, code_verifier: row.code_verifier, next_path: row.next_path };
}

type Outcome =
  | { token: string; expiresAt: Date; userId: string }
  | { refused: SsoRefusalReason; userId?: string };

/** In one transaction: the account (found or created), its mapped roles set anew, and a session. */
async function signInPerson(
  tx: Db,
  p: SsoProvider,
  claims: Record<string, unknown>,
  now: Date,
): Promise<Outcome> {
  const sub = String(claims.sub);
  const access = mappedAccess(p, claimValues(claims, p.claim));
  const linked = await tx.query<{ user_id: string; disabled_at: Date | null }>(
    `SELECT i.user_id, u.disabled_at FROM sso_identities i JOIN users u ON u.id = i.user_id
      WHERE i.provider = $1 AND i.subject = $2`,
    [p.id, sub],
  );
  let userId = linked[0]?.user_id;
  if (userId === undefined) {
    if (!access.owner && access.roles.length === 0) return { refused: 'no-role' };
    const created = await createLinkedPerson(tx, p, sub, claims, now);
    if ('refused' in created) return created;
    userId = created.userId;
  } else {
    if (linked[0]!.disabled_at) return { refused: 'account-disabled', userId };
    await tx.query('UPDATE sso_identities SET last_sign_in_at = $3 WHERE provider = $1 AND subject = $2', [
      p.id,
      sub,
      now,
    ]);
  }
  await applyMapping(tx, p, userId, access);
  const held = await tx.query('SELECT 1 FROM role_assignments WHERE user_id = $1 LIMIT 1', [userId]);
  if (!access.owner && held.length === 0) {
    // No access left: the person's sessions end too (the roles they held are gone already).
    await tx.query('DELETE FROM sessions WHERE user_id = $1', [userId]);
    return { refused: 'no-role', userId };
  }
  const session = await startSession(tx, userId, now, p.id);
  await recordAudit(tx, {
    actor: { kind: 'user', id: userId },
    action: 'sso.login',
    target: `user:${userId}`,
    details: { provider: p.id },
  });
  return { ...session, userId };
}

/** A person the provider knows, signing in for the first time: an account linked to provider and `sub`. */
async function createLinkedPerson(
  tx: Db,
  p: SsoProvider,
  sub: string,
  claims: Record<string, unknown>,
  now: Date,
): Promise<{ userId: string } | { refused: SsoRefusalReason }> {
  // The address is the account's contact, never what links it: used unless the provider says it is unverified.
  const claimed = typeof claims.email === 'string' ? claims.email.trim().toLowerCase() : '';
  const email =
    claims.email_verified !== false && /^[^@\s]{1,200}@[^@\s]{1,200}\.[^@\s]{1,60}$/.test(claimed)
      ? claimed
      : `${randomUUID()}@${p.id}.sso.invalid`;
  const taken = await tx.query('SELECT 1 FROM users WHERE email = $1', [email]);
  if (taken.length > 0) return { refused: 'email-taken' };
  const name = typeof claims.name === 'string' ? claims.name.slice(0, 200) : '';
  // An unusable random password: the person signs in through the provider.
  const hash = await argon2.hash(randomBytes(24).toString('base64url'), ARGON);
  const rows = await tx.query<{ id: string }>(
    'INSERT INTO users (email, name, password_hash, is_owner) VALUES ($1, $2, $3, false) RETURNING id',
    [email, name, hash],
  );
  const userId = rows[0]!.id;
  await tx.query(
    'INSERT INTO sso_identities (provider, subject, user_id, created_at, last_sign_in_at) VALUES ($1, $2, $3, $4, $4)',
    [p.id, sub, userId, now],
  );
  await recordAudit(tx, {
    actor: SSO_ACTOR,
    action: 'sso.user-created',
    target: `user:${userId}`,
    details: { provider: p.id },
  });
  return { userId };
}

/**
 * The roles this provider granted become exactly what its mapping gives now (a removed group loses its
 * roles); roles granted by hand stay. Group ownership of a linked account follows the mapping.
 */
async function applyMapping(tx: Db, p: SsoProvider, userId: string, access: MappedAccess): Promise<void> {
  const current = await tx.query<{ org_id: string; role: string }>(
    'SELECT org_id, role FROM role_assignments WHERE user_id = $1 AND sso_provider = $2',
    [userId, p.id],
  );
  const { grant, revoke } = roleChanges(
    current.map((r): RoleAssignment => ({ orgId: r.org_id, role: r.role as Role })),
    access.roles,
  );
  const target = `user:${userId}`;
  for (const r of revoke) {
    await tx.query(
      'DELETE FROM role_assignments WHERE user_id = $1 AND org_id = $2 AND role = $3 AND sso_provider = $4',
      [userId, r.orgId, r.role, p.id],
    );
    await recordAudit(tx, {
      actor: SSO_ACTOR,
      orgId: r.orgId,
      action: 'role.revoke',
      target,
      details: { role: r.role, provider: p.id },
    });
  }
  for (const r of grant) {
    const added = await tx.query(
      `INSERT INTO role_assignments (user_id, org_id, role, granted_by, sso_provider) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT DO NOTHING RETURNING user_id`,
      [userId, r.orgId, r.role, `sso:${p.id}`, p.id],
    );
    if (added.length > 0)
      await recordAudit(tx, {
        actor: SSO_ACTOR,
        orgId: r.orgId,
        action: 'role.grant',
        target,
        details: { role: r.role, provider: p.id },
      });
  }
  const owner = await tx.query<{ id: string }>(
    'UPDATE users SET is_owner = $2 WHERE id = $1 AND is_owner <> $2 RETURNING id',
    [userId, access.owner],
  );
  if (owner.length > 0)
    await recordAudit(tx, {
      actor: SSO_ACTOR,
      action: access.owner ? 'user.owner-set' : 'user.owner-unset',
      target,
      details: { provider: p.id },
    });
}

/** The people linked to each provider (for the console's mapping page). */
export async function linkedPeopleCounts(db: Db): Promise<Map<string, number>> {
  const rows = await db.query<{ provider: string; n: number }>(
    'SELECT provider, count(*)::int AS n FROM sso_identities GROUP BY provider',
  );
  return new Map(rows.map((r) => [r.provider, r.n]));
}
