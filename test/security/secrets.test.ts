import { randomBytes } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { keyIdOf, open, parseKeyring, reseal, seal } from '../../src/core/secrets/envelope.ts';

const k = () => randomBytes(32).toString('base64');

describe('secrets at rest (AES-256-GCM envelope)', () => {
  const old = `k2025:${k()}`;
  const next = `k2026:${k()}`;

  test('round trip; the plaintext does not appear in the ciphertext; each seal is different', () => {
    const ring = parseKeyring(old);
    const s1 = seal(ring, 'smtp-password-123', 'connector:erp:password');
    const s2 = seal(ring, 'smtp-password-123', 'connector:erp:password');
    expect(s1).not.toBe(s2);
    expect(s1).not.toContain('smtp-password');
    expect(open(ring, s1, 'connector:erp:password')).toBe('smtp-password-123');
  });

  test('rotation: old ciphertexts open with the old key, new ones use the newest, reseal moves them', () => {
    const before = seal(parseKeyring(old), 'totp-seed', 'user:1:totp');
    const ring = parseKeyring(`${old},${next}`);
    expect(open(ring, before, 'user:1:totp')).toBe('totp-seed');
    expect(keyIdOf(seal(ring, 'x', 'c'))).toBe('k2026');
    const moved = reseal(ring, before, 'user:1:totp');
    expect(keyIdOf(moved)).toBe('k2026');
    expect(open(parseKeyring(next), moved, 'user:1:totp')).toBe('totp-seed');
    // Once the old key is dropped, an un-resealed secret names the missing key.
    expect(() => open(parseKeyring(next), before, 'user:1:totp')).toThrow(/k2025/);
  });

  test('tampering, a wrong context and a wrong key are refused', () => {
    const ring = parseKeyring(old);
    const s = seal(ring, 'secret', 'user:1:totp');
    const parts = s.split('.');
    const flipped = Buffer.from(parts[5]!, 'base64url');
    flipped[0] = flipped[0]! ^ 1;
    parts[5] = flipped.toString('base64url');
    expect(() => open(ring, parts.join('.'), 'user:1:totp')).toThrow(/integrity/);
    expect(() => open(ring, s, 'user:2:totp')).toThrow(/integrity/);
    expect(() => open(parseKeyring(`k2025:${k()}`), s, 'user:1:totp')).toThrow(/integrity/);
  });

  test('a bad keyring is refused with the fix', () => {
    expect(() => parseKeyring('k1:short')).toThrow(/32 bytes/);
    expect(() => parseKeyring(`${old},${old}`)).toThrow(/twice/);
    expect(() => parseKeyring('')).toThrow(/no key/);
  });
});

describe('key rotation of stored secrets', () => {
  test('resealAll moves every stored secret to the newest key; the old key can then go', async () => {
    const { freshDb } = await import('../support/db.ts');
    const { resealAll } = await import('../../src/services/secrets/reseal.ts');
    const { createAdmin } = await import('../../src/services/users/admins.ts');
    const db = await freshDb('pglite');
    try {
      const oldKey = `old:${k()}`;
      const newKey = `new:${k()}`;
      const u = await createAdmin(
        db,
        { kind: 'cli', id: 't' },
        { email: 'a@b.example', password: 'x'.repeat(12) },
      );
      await db.query('UPDATE users SET totp_secret = $2 WHERE id = $1', [
        u.id,
        seal(parseKeyring(oldKey), 'JBSWY3DPEHPK3PXP', `user:${u.id}:totp`),
      ]);
      const ring = parseKeyring(`${oldKey},${newKey}`);
      expect(await resealAll(db, ring, { kind: 'cli', id: 't' })).toEqual({ resealed: 1, current: 'new' });
      const [row] = await db.query<{ totp_secret: string }>('SELECT totp_secret FROM users WHERE id = $1', [
        u.id,
      ]);
      expect(keyIdOf(row!.totp_secret)).toBe('new');
      expect(open(parseKeyring(newKey), row!.totp_secret, `user:${u.id}:totp`)).toBe('JBSWY3DPEHPK3PXP');
      expect((await resealAll(db, ring, { kind: 'cli', id: 't' })).resealed).toBe(0);
    } finally {
      await db.close();
    }
  });
});
