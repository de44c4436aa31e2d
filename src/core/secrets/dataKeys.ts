/**
 * The keys that protect the personal data Ombud must keep readable (a requester's e-mail address to answer
 * to, a consent identity to put on a suppression list): sealed with the envelope of ./envelope.ts under the
 * data keyring, and looked up only by a keyed hash (`lookupHash`), never by the plain value.
 *
 * The keyring is OMBUD_SECRET_KEYS (newest last) when set. The key `installation` is always in it: derived
 * (HKDF-SHA256) from OMBUD_SECRET, or without one from the installation secret Ombud keeps in its
 * database; it seals when OMBUD_SECRET_KEYS is not set, so a default start protects the data too, and it
 * opens what was sealed before the operator set OMBUD_SECRET_KEYS (`ombud secrets reseal` then moves it
 * to the newest key). In production set OMBUD_SECRET_KEYS, so the key lives outside the database.
 * Pure: no I/O (crypto only).
 */
import { createHmac, hkdfSync } from 'node:crypto';
import { precondition } from '../errors.ts';
import { type Keyring, parseKeyring } from './envelope.ts';

export const INSTALLATION_KEY_ID = 'installation';

const rings = new Map<string, Keyring>();

/** The data keyring of a configuration (`secret` is OMBUD_SECRET or the installation secret). */
export function dataKeyring(config: { secret?: string; secretKeys?: string }): Keyring {
  if (!config.secret && !config.secretKeys)
    throw precondition(
      'secret-keys',
      'No key to seal personal data with: neither OMBUD_SECRET_KEYS nor a secret is configured.',
      'Set OMBUD_SECRET_KEYS (id:<32 bytes in base64>), or open the App with openApp, which resolves the installation secret.',
    );
  const memo = `${config.secret ?? ''}\0${config.secretKeys ?? ''}`;
  const known = rings.get(memo);
  if (known) return known;
  const keys = new Map<string, Buffer>();
  if (config.secret)
    keys.set(
      INSTALLATION_KEY_ID,
      Buffer.from(hkdfSync('sha256', config.secret, 'ombud-data-keys', 'personal-data-at-rest', 32)),
    );
  let current = INSTALLATION_KEY_ID;
  if (config.secretKeys) {
    const ring = parseKeyring(config.secretKeys);
    for (const [id, k] of ring.keys) keys.set(id, k);
    current = ring.current;
  }
  const ring = { keys, current };
  rings.set(memo, ring);
  return ring;
}

/** What a sealed value is bound to (a sealed value copied to another row does not open). */
export const sealContext = {
  submission: (id: string, field: 'email' | 'name') => `dsr-submission:${id}:${field}`,
  consentIdentity: (orgId: string, kind: string, valueHash: string) =>
    `consent-identity:${orgId}:${kind}:${valueHash}`,
};

/** The keyed hash a requester's e-mail address is found by: HMAC-SHA256 keyed with the secret (OMBUD_SECRET or the installation secret). */
export function submissionEmailHash(secret: string, email: string): string {
  return createHmac('sha256', secret)
    .update(`dsr-submission-email\0${email.trim().toLowerCase()}`)
    .digest('hex');
}
