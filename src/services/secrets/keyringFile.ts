/**
 * The data keyring of an installation (secrets at rest: TOTP seeds, connector credentials, the sealed
 * identities; src/core/secrets/envelope.ts), kept outside the database like the audit chain key
 * (src/services/audit/keys.ts, the same pattern).
 *
 * - OMBUD_SECRET_KEYS set: its keys, newest last (the newest seals).
 * - The embedded database: the keyring file in the data directory (default <data dir>/secret-keys.key,
 *   "id:base64" lines, mode 0600), created on the first start without OMBUD_SECRET_KEYS. With
 *   OMBUD_SECRET_KEYS set later, the file's keys stay in the ring (oldest first) so what they sealed still
 *   opens; `ombud secrets reseal` then moves it to the newest key.
 * - A PostgreSQL server (DATABASE_URL): no file (every process on every host needs the same keys); without
 *   OMBUD_SECRET_KEYS there is no keyring, `ombud start` says what to set and TOTP answers a 409 saying so.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Config } from '../../config.ts';
import { validationError } from '../../core/errors.ts';
import { parseKeyring } from '../../core/secrets/envelope.ts';

export const DATA_KEYRING_FILE = 'secret-keys.key';

export const dataKeyringPath = (config: Pick<Config, 'dataDir'>) => join(config.dataDir, DATA_KEYRING_FILE);

export type DataKeyring = {
  /** The keyring spec ("id:base64,…", newest last) the App's config carries; undefined: none. */
  secretKeys?: string;
  /** The keyring file created now (first start without OMBUD_SECRET_KEYS), to tell the operator. */
  created?: string;
  /** Where the keys came from (never the keys), for messages. */
  sources: string[];
};

/**
 * The data keyring of `config`: OMBUD_SECRET_KEYS, and on the embedded database the keyring file
 * (created with `create` when neither is there).
 */
export function loadDataKeyring(
  config: Pick<Config, 'dataDir' | 'databaseUrl' | 'secretKeys'>,
  opts: { create: boolean },
): DataKeyring {
  if (config.databaseUrl)
    return config.secretKeys
      ? { secretKeys: config.secretKeys, sources: ['OMBUD_SECRET_KEYS'] }
      : { sources: [] };
  const file = dataKeyringPath(config);
  let created: string | undefined;
  if (!existsSync(file) && !config.secretKeys && opts.create) {
    const id = `d${new Date().toISOString().slice(0, 10).replace(/-/g, '')}`;
    try {
      mkdirSync(dirname(file), { recursive: true });
      // 'wx': never overwrite a keyring another process just created.
      writeFileSync(file, `${id}:${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
      created = file;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  const parts: { spec: string; source: string }[] = [];
  if (existsSync(file))
    parts.push({
      spec: readFileSync(file, 'utf8')
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter(Boolean)
        .join(','),
      source: `key file ${file}`,
    });
  if (config.secretKeys) parts.push({ spec: config.secretKeys, source: 'OMBUD_SECRET_KEYS' });
  if (parts.length === 0) return { sources: [] };
  const seen = new Map<string, string>();
  for (const p of parts)
    for (const [id, key] of parseKeyring(p.spec).keys) {
      const b64 = key.toString('base64');
      if (seen.has(id) && seen.get(id) !== b64)
        throw validationError(
          'bad-secret-keys',
          `The keyring file ${file} and OMBUD_SECRET_KEYS both define key '${id}', differently.`,
          [{ path: ['OMBUD_SECRET_KEYS'], message: 'Give every key its own id.' }],
        );
      seen.set(id, b64);
    }
  // One spec, the file's keys first: the last key (OMBUD_SECRET_KEYS' newest, when set) seals.
  const merged = parts.map((p) => p.spec).join(',');
  const ring = parseKeyring(dedupe(merged));
  return {
    secretKeys: [...ring.keys].map(([id, k]) => `${id}:${k.toString('base64')}`).join(','),
    created,
    sources: parts.map((p) => p.source),
  };
}

/** A key listed in both places (same id, same key) once, in its last position (so the newest stays last). */
function dedupe(spec: string): string {
  const entries = spec
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  const lastIndex = new Map(entries.map((e, i) => [e.split(':')[0]!, i]));
  return entries.filter((e, i) => lastIndex.get(e.split(':')[0]!) === i).join(',');
}

/**
 * What `ombud start` tells the operator about the keyring (undefined: nothing to say): a created file to
 * keep and back up, or, on a server without OMBUD_SECRET_KEYS, what to set.
 */
export function dataKeyringNotice(
  config: Pick<Config, 'databaseUrl' | 'secretKeys'>,
  created: string | undefined,
): string | undefined {
  if (created)
    return `Data keyring created in ${created} (no OMBUD_SECRET_KEYS): it seals TOTP seeds, connector secrets and stored identities. Keep it, and back it up apart from the database; without it they cannot be opened.`;
  if (config.databaseUrl && !config.secretKeys)
    return 'No OMBUD_SECRET_KEYS on this PostgreSQL server: TOTP sign-in and connector secrets are unavailable. Set OMBUD_SECRET_KEYS=k1:$(openssl rand -base64 32), the same in every Ombud process, and restart.';
  return undefined;
}
