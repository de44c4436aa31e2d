/**
 * The TOTP second factor: enrolment (a seed sealed with the secrets keyring, pending until a code
 * confirms it) and the check at sign-in. Apart from the rest of the accounts so that sign-in
 * (admins.ts) and the account pages (accounts.ts) both use it without importing each other.
 */
import * as OTPAuth from 'otpauth';
import { precondition, validationError } from '../../core/errors.ts';
import { type Keyring, open, parseKeyring, seal } from '../../core/secrets/envelope.ts';
import type { Db } from '../../storage/db.ts';
import { recordAudit } from '../audit/auditLog.ts';

/**
 * The keyring secrets at rest are sealed with (the App's config: OMBUD_SECRET_KEYS, or on the embedded
 * database the keyring file `openApp` keeps in the data directory). None only on a PostgreSQL server
 * without OMBUD_SECRET_KEYS: a 409 that says what to set.
 */
export function keyringOf(secretKeys: string | undefined): Keyring {
  if (!secretKeys)
    throw precondition(
      'no-secret-keys',
      'No key for secrets at rest is configured on this server, so TOTP seeds and connector secrets cannot be stored.',
      'Set OMBUD_SECRET_KEYS=k1:$(openssl rand -base64 32), the same value in every Ombud process of this database, and restart.',
    );
  return parseKeyring(secretKeys);
}

const totpFor = (secret: string, label: string) =>
  new OTPAuth.TOTP({
    issuer: 'Ombud',
    label,
    secret: OTPAuth.Secret.fromBase32(secret),
    digits: 6,
    period: 30,
  });
const ctx = (userId: string) => `user:${userId}:totp`;

/** Start enrolment: a new seed, sealed and pending until confirmed; returns the otpauth:// URI. */
export async function startTotp(
  db: Db,
  ring: Keyring,
  userId: string,
): Promise<{ uri: string; secret: string }> {
  const secret = new OTPAuth.Secret({ size: 20 }).base32;
  await db.query('UPDATE users SET totp_pending = $2 WHERE id = $1', [
    userId,
    seal(ring, secret, ctx(userId)),
  ]);
  return { uri: totpFor(secret, `Ombud:${userId.slice(0, 8)}`).toString(), secret };
}

function validCode(secret: string, code: string, now: Date): boolean {
  if (!/^\d{6}$/.test(code)) return false;
  return totpFor(secret, 'x').validate({ token: code, window: 1, timestamp: now.getTime() }) !== null;
}

export async function confirmTotp(db: Db, ring: Keyring, userId: string, code: string, now = new Date()) {
  const rows = await db.query<{ totp_pending: string | null }>(
    'SELECT totp_pending FROM users WHERE id = $1',
    [userId],
  );
  const pending = rows[0]?.totp_pending;
  if (!pending)
    throw precondition(
      'no-totp-pending',
      'Start the set-up first.',
      'Open the account page and start again.',
    );
  if (!validCode(open(ring, pending, ctx(userId)), code, now))
    throw validationError('bad-totp-code', 'That code is not right.', [
      { path: ['code'], message: 'Enter the 6-digit code your authenticator app shows now.' },
    ]);
  await db.query('UPDATE users SET totp_secret = totp_pending, totp_pending = NULL WHERE id = $1', [userId]);
  await recordAudit(db, {
    actor: { kind: 'user', id: userId },
    action: 'user.totp-enabled',
    target: `user:${userId}`,
  });
}

/** At sign-in: true when the user has no second factor or the code matches. */
export async function secondFactorOk(
  db: Db,
  secretKeys: string | undefined,
  userId: string,
  code: string | undefined,
  now: Date,
): Promise<boolean> {
  const rows = await db.query<{ totp_secret: string | null }>('SELECT totp_secret FROM users WHERE id = $1', [
    userId,
  ]);
  const sealed = rows[0]?.totp_secret;
  if (!sealed) return true;
  if (!code) return false;
  return validCode(open(keyringOf(secretKeys), sealed, ctx(userId)), code, now);
}

/** For tests and recovery tooling: the current code of a seed. */
export const totpCode = (secret: string, now: Date) =>
  totpFor(secret, 'x').generate({ timestamp: now.getTime() });
