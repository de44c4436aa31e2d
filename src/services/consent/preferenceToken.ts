/**
 * The token in every mail's "Manage my communication settings" and List-Unsubscribe link: an
 * encrypted JWT (JWE, dir + A256GCM), so it is opaque — it names a subject id, never an address —
 * and it expires. Only Ombud can read or forge it.
 */
import { EncryptJWT, jwtDecrypt } from 'jose';
import { OmbudError } from '../../core/errors.ts';
import type { ConsentKeys } from './keys.ts';

export type PreferenceClaims = {
  /** Subject id. */
  sub: string;
  org: string;
  /** For one-click unsubscribe: the purpose and channel of the mail that carried the link. */
  purpose?: string;
  channel?: string;
};

export const DEFAULT_TOKEN_DAYS = 90;

export async function issuePreferenceToken(
  keys: ConsentKeys,
  claims: PreferenceClaims,
  now: Date,
  days = DEFAULT_TOKEN_DAYS,
): Promise<{ token: string; expiresAt: Date }> {
  const iat = Math.floor(now.getTime() / 1000);
  const exp = iat + days * 86_400;
  const token = await new EncryptJWT({ org: claims.org, p: claims.purpose, c: claims.channel })
    .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
    .setSubject(claims.sub)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .setAudience('ombud:preferences')
    .encrypt(keys.token);
  return { token, expiresAt: new Date(exp * 1000) };
}

export async function readPreferenceToken(
  keys: ConsentKeys,
  token: string,
  now: Date,
): Promise<PreferenceClaims> {
  try {
    const { payload } = await jwtDecrypt(token, keys.token, {
      audience: 'ombud:preferences',
      currentDate: now,
      clockTolerance: 60,
    });
    if (typeof payload.sub !== 'string' || typeof payload.org !== 'string') throw new Error('claims');
    return {
      sub: payload.sub,
      org: payload.org,
      purpose: typeof payload.p === 'string' ? payload.p : undefined,
      channel: typeof payload.c === 'string' ? payload.c : undefined,
    };
  } catch (err) {
    const expired = (err as { code?: string }).code === 'ERR_JWT_EXPIRED';
    throw new OmbudError(
      expired ? 'gone' : 'not-found',
      expired ? 'preference-link-expired' : 'preference-link-invalid',
      expired ? 'This link to your communication settings has expired.' : 'This link is not valid.',
      { hint: 'Use the link in a newer mail from us, or ask customer service for help.' },
    );
  }
}
