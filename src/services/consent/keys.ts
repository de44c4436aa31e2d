/**
 * Secrets of the consent capability, derived (HKDF-SHA256) from OMBUD_SECRET, or from a random
 * installation secret kept in `settings` when none is configured. One key hashes identities for
 * lookups; another signs preference-center tokens; another is the default webhook signing secret.
 */
import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import type { Db } from '../../storage/db.ts';

export type ConsentKeys = { identity: Buffer; token: Uint8Array };

const cache = new WeakMap<Db, Promise<ConsentKeys>>();

export async function installationSecret(db: Db): Promise<string> {
  const fresh = randomBytes(32).toString('hex');
  await db.query(
    `INSERT INTO settings (key, value) VALUES ('consent.secret', $1) ON CONFLICT (key) DO NOTHING`,
    [JSON.stringify(fresh)],
  );
  const rows = await db.query<{ value: string }>(`SELECT value FROM settings WHERE key = 'consent.secret'`);
  return rows[0]!.value;
}

export function consentKeys(db: Db, secret?: string): Promise<ConsentKeys> {
  let keys = cache.get(db);
  if (!keys) {
    keys = (async () => {
      const root = secret ?? (await installationSecret(db));
      const derive = (info: string) => Buffer.from(hkdfSync('sha256', root, 'ombud-consent', info, 32));
      return { identity: derive('identity-hash'), token: new Uint8Array(derive('preference-token')) };
    })();
    cache.set(db, keys);
  }
  return keys;
}

/** The keyed hash under which an identity is looked up: HMAC-SHA256(key, "kind:value"), hex. */
export function identityHash(keys: ConsentKeys, orgId: string, kind: string, value: string): string {
  return createHmac('sha256', keys.identity).update(`${orgId}\0${kind}\0${value}`).digest('hex');
}

/** The same keyed hash as raw bytes (32), written into `target` at `offset` (bulk lookups ship them as one bytea). */
export function identityDigestInto(
  keys: ConsentKeys,
  orgId: string,
  kind: string,
  value: string,
  target: Buffer,
  offset: number,
): void {
  // Through the hex string: cheaper in Node than a Buffer per digest.
  target.write(identityHash(keys, orgId, kind, value), offset, 'hex');
}
