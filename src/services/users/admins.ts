import { createHash, randomBytes } from 'node:crypto';
import argon2 from 'argon2';
import { conflict, unauthenticated, validationError } from '../../core/errors.ts';
import type { Db } from '../../storage/db.ts';
import { type Actor, recordAudit } from '../audit/auditLog.ts';
import { secondFactorOk } from './totp.ts';
import { type Language, LANGUAGES } from '../../core/register/schema.ts';

export type User = { id: string; email: string; name: string; isOwner: boolean; disabledAt: Date | null };
type Row = {
  id: string;
  email: string;
  name: string;
  is_owner: boolean;
  disabled_at: Date | null;
  password_hash: string;
  language?: string | null;
};
const toUser = (r: Row): User => ({
  id: r.id,
  email: r.email,
  name: r.name,
  isOwner: r.is_owner,
  disabledAt: r.disabled_at,
});

const ARGON = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;
export const SESSION_HOURS = 12;

export function checkPassword(password: string) {
  if (password.length < 12)
    throw validationError(
      'weak-password',
      'The password is too short.',
      [{ path: ['password'], message: 'Use at least 12 characters.' }],
      'Choose a passphrase of 12 or more characters.',
    );
}

export async function createAdmin(
  db: Db,
  actor: Actor,
  input: { email: string; password: string; name?: string; owner?: boolean },
): Promise<User> {
  const email = input.email.trim().toLowerCase();
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email))
    throw validationError('bad-email', 'That is not an e-mail address.', [
      { path: ['email'], message: 'Use name@example.com.' },
    ]);
  checkPassword(input.password);
  const hash = await argon2.hash(input.password, ARGON);
  const existing = await db.query('SELECT 1 FROM users WHERE email = $1', [email]);
  if (existing.length > 0)
    throw conflict(
      'user-exists',
      'A user with that e-mail address exists already.',
      'Sign in, or reset the password.',
    );
  const rows = await db.query<Row>(
    'INSERT INTO users (email, name, password_hash, is_owner) VALUES ($1, $2, $3, $4) RETURNING *',
    [email, input.name ?? '', hash, input.owner ?? true],
  );
  const user = toUser(rows[0]!);
  await recordAudit(db, { actor, action: 'user.create', target: `user:${user.id}` });
  return user;
}

const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');
// A fixed hash verified when the user does not exist, so timing does not reveal which addresses exist.
let dummyHash: Promise<string> | undefined;

export const MAX_FAILED_LOGINS = 5;
export const LOCK_MINUTES = 15;
const WRONG =
  'The e-mail address, password or code is wrong, or the account is locked for a while after repeated failures.';

/**
 * Check e-mail, password and (when enrolled) the TOTP code; returns a session token (only its
 * hash is stored). Throttled per account: after MAX_FAILED_LOGINS failures the account is locked
 * for LOCK_MINUTES, and a locked account answers exactly like a wrong password.
 */
export async function login(
  db: Db,
  email: string,
  password: string,
  now = new Date(),
  opts: { code?: string; secretKeys?: string } = {},
): Promise<{ token: string; user: User; expiresAt: Date }> {
  const rows = await db.query<Row & { locked_until: Date | null }>('SELECT * FROM users WHERE email = $1', [
    email.trim().toLowerCase(),
  ]);
  const row = rows[0];
  dummyHash ??= argon2.hash('not-a-real-password-000', ARGON);
  const locked = !!row?.locked_until && new Date(row.locked_until) > now;
  // An unknown address costs the same hash as a known one (no timing oracle), and never succeeds.
  const passwordOk = row
    ? await argon2.verify(row.password_hash, password)
    : (await argon2.verify(await dummyHash, password)) && false;
  const ok =
    !!row &&
    passwordOk &&
    !locked &&
    !row.disabled_at &&
    (await secondFactorOk(db, opts.secretKeys, row.id, opts.code, now));
  if (!row || !ok) {
    if (row && !locked) {
      const upd = await db.query<{ failed_logins: number }>(
        'UPDATE users SET failed_logins = failed_logins + 1 WHERE id = $1 RETURNING failed_logins',
        [row.id],
      );
      if (upd[0]!.failed_logins >= MAX_FAILED_LOGINS) {
        await db.query('UPDATE users SET failed_logins = 0, locked_until = $2 WHERE id = $1', [
          row.id,
          new Date(now.getTime() + LOCK_MINUTES * 60_000),
        ]);
        await recordAudit(db, {
          actor: { kind: 'system', id: 'auth' },
          action: 'auth.locked',
          target: `user:${row.id}`,
        });
      }
    }
    await recordAudit(db, {
      actor: { kind: 'system', id: 'auth' },
      action: 'auth.login-failed',
      target: row ? `user:${row.id}` : null,
      details: row && passwordOk && !locked && !row.disabled_at ? { secondFactor: 'missing-or-wrong' } : {},
    });
    throw unauthenticated(WRONG);
  }
  if (row.locked_until || (row as { failed_logins?: number }).failed_logins)
    await db.query('UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1', [row.id]);
  const { token, expiresAt } = await startSession(db, row.id, now);
  await recordAudit(db, {
    actor: { kind: 'user', id: row.id },
    action: 'auth.login',
    target: `user:${row.id}`,
  });
  return { token, user: toUser(row), expiresAt };
}

/**
 * A new console session for a person (after a password sign-in, or a single sign-on through `ssoProvider`):
 * the token for the cookie; only its hash is stored.
 */
export async function startSession(
  db: Db,
  userId: string,
  now: Date,
  ssoProvider?: string,
): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + SESSION_HOURS * 3600_000);
  await db.query('INSERT INTO sessions (id, user_id, expires_at, sso_provider) VALUES ($1, $2, $3, $4)', [
    tokenHash(token),
    userId,
    expiresAt,
    ssoProvider ?? null,
  ]);
  return { token, expiresAt };
}

/** The person a session belongs to, with the console language they chose (Account; null: the browser's); one query. */
export async function sessionUser(
  db: Db,
  token: string,
  now = new Date(),
): Promise<(User & { language: Language | null }) | undefined> {
  const rows = await db.query<Row>(
    `SELECT u.* FROM sessions s JOIN users u ON u.id = s.user_id
     WHERE s.id = $1 AND s.expires_at > $2 AND u.disabled_at IS NULL`,
    [tokenHash(token), now],
  );
  const r = rows[0];
  if (!r) return undefined;
  const language = LANGUAGES.find((l) => l === r.language) ?? null;
  return { ...toUser(r), language };
}

/**
 * A person's console language: 'en', 'sv' or 'nb', or null to follow the browser. Audited as
 * `user.language` (the old and new choice; no personal data).
 */
export async function setConsoleLanguage(db: Db, userId: string, language: Language | null): Promise<void> {
  await db.transaction(async (tx) => {
    const rows = await tx.query<{ language: string | null }>(
      'SELECT language FROM users WHERE id = $1 FOR UPDATE',
      [userId],
    );
    if (!rows[0]) throw validationError('unknown-user', 'No such person.', []);
    await tx.query('UPDATE users SET language = $2 WHERE id = $1', [userId, language]);
    await recordAudit(tx, {
      actor: { kind: 'user', id: userId },
      action: 'user.language',
      target: `user:${userId}`,
      details: { from: rows[0].language ?? 'browser', to: language ?? 'browser' },
    });
  });
}

/** End a session; answers the provider it was begun through (single sign-on), if any. */
export async function logout(db: Db, token: string): Promise<{ ssoProvider?: string }> {
  const rows = await db.query<{ sso_provider: string | null }>(
    'DELETE FROM sessions WHERE id = $1 RETURNING sso_provider',
    [tokenHash(token)],
  );
  return { ssoProvider: rows[0]?.sso_provider ?? undefined };
}

export async function countUsers(db: Db): Promise<number> {
  const rows = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM users');
  return rows[0]!.n;
}
