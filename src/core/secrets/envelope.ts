/**
 * Secrets at rest (connector credentials, TOTP seeds, signing keys): AES-256-GCM envelope
 * encryption. Each secret gets its own random data key; the data key is wrapped with a key
 * encryption key from the keyring, which is configured outside the database
 * (OMBUD_SECRET_KEYS). Rotation: add a new key at the end of the keyring; old ciphertexts still
 * decrypt with their (named) old key, new ones are sealed with the newest, and `reseal`
 * moves a ciphertext to the newest key. A context string (e.g. "user:<id>:totp") is bound as
 * additional authenticated data, so a ciphertext copied to another row does not decrypt.
 *
 * Format: osec1.<keyId>.<wrapIv>.<wrappedDataKey+tag>.<iv>.<ciphertext+tag> (base64url parts).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { precondition, validationError } from '../errors.ts';

export type Keyring = { keys: Map<string, Buffer>; current: string };

/** Parse "id1:BASE64KEY,id2:BASE64KEY" (32-byte keys; the last one encrypts). */
export function parseKeyring(spec: string): Keyring {
  const keys = new Map<string, Buffer>();
  let current = '';
  for (const [i, part] of spec
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)
    .entries()) {
    const m = /^([A-Za-z0-9_-]{1,32}):([A-Za-z0-9+/=_-]+)$/.exec(part);
    const key = m ? Buffer.from(m[2]!.replace(/-/g, '+').replace(/_/g, '/'), 'base64') : undefined;
    if (!m || !key || key.length !== 32)
      throw validationError(
        'bad-secret-keys',
        `OMBUD_SECRET_KEYS entry ${i + 1} is not "id:<32 bytes in base64>".`,
        [{ path: ['OMBUD_SECRET_KEYS', i], message: 'Use id:key, e.g. k2026:$(openssl rand -base64 32).' }],
        'List keys oldest first, separated by commas; the last one encrypts new secrets.',
      );
    if (keys.has(m[1]!))
      throw validationError('bad-secret-keys', `OMBUD_SECRET_KEYS names key '${m[1]}' twice.`, [
        { path: ['OMBUD_SECRET_KEYS', i], message: 'Give every key its own id.' },
      ]);
    keys.set(m[1]!, key);
    current = m[1]!;
  }
  if (!current)
    throw validationError('bad-secret-keys', 'OMBUD_SECRET_KEYS holds no key.', [
      { path: ['OMBUD_SECRET_KEYS'], message: 'Set at least one id:key.' },
    ]);
  return { keys, current };
}

const b64 = (b: Buffer) => b.toString('base64url');
const unb64 = (s: string) => Buffer.from(s, 'base64url');

function gcm(key: Buffer, plain: Buffer, aad: string): { iv: Buffer; out: Buffer } {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(Buffer.from(aad, 'utf8'));
  const out = Buffer.concat([c.update(plain), c.final(), c.getAuthTag()]);
  return { iv, out };
}

function ungcm(key: Buffer, iv: Buffer, data: Buffer, aad: string): Buffer {
  const d = createDecipheriv('aes-256-gcm', key, iv);
  d.setAAD(Buffer.from(aad, 'utf8'));
  d.setAuthTag(data.subarray(data.length - 16));
  return Buffer.concat([d.update(data.subarray(0, data.length - 16)), d.final()]);
}

export function seal(ring: Keyring, plaintext: string, context: string): string {
  const kek = ring.keys.get(ring.current)!;
  const dek = randomBytes(32);
  const wrapped = gcm(kek, dek, `ombud-dek:${context}`);
  const body = gcm(dek, Buffer.from(plaintext, 'utf8'), context);
  dek.fill(0);
  return ['osec1', ring.current, b64(wrapped.iv), b64(wrapped.out), b64(body.iv), b64(body.out)].join('.');
}

export function keyIdOf(sealed: string): string | undefined {
  const parts = sealed.split('.');
  return parts.length === 6 && parts[0] === 'osec1' ? parts[1] : undefined;
}

export function open(ring: Keyring, sealed: string, context: string): string {
  const parts = sealed.split('.');
  if (parts.length !== 6 || parts[0] !== 'osec1')
    throw precondition('bad-ciphertext', 'A stored secret is not in the expected format.');
  const kek = ring.keys.get(parts[1]!);
  if (!kek)
    throw precondition(
      'secret-key-missing',
      `A stored secret is sealed with key '${parts[1]}', which is not in OMBUD_SECRET_KEYS.`,
      'Keep old keys in OMBUD_SECRET_KEYS until every secret has been resealed with the newest one.',
    );
  try {
    const dek = ungcm(kek, unb64(parts[2]!), unb64(parts[3]!), `ombud-dek:${context}`);
    const plain = ungcm(dek, unb64(parts[4]!), unb64(parts[5]!), context);
    dek.fill(0);
    return plain.toString('utf8');
  } catch {
    throw precondition('secret-tampered', 'A stored secret failed its integrity check (altered or moved).');
  }
}

/** Rotation: re-encrypt under the newest key (returns the input unchanged when it already is). */
export function reseal(ring: Keyring, sealed: string, context: string): string {
  if (keyIdOf(sealed) === ring.current) return sealed;
  return seal(ring, open(ring, sealed, context), context);
}
