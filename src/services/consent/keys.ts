/**
 * Secrets of the consent capability, derived (HKDF-SHA256) from OMBUD_SECRET, or from a random
 * installation secret kept in `settings` when none is configured. One key hashes identities for
 * lookups; another signs preference-center tokens; another is the default webhook signing secret.
 */
import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { dataKeyring, sealContext } from '../../core/secrets/dataKeys.ts';
import { type Keyring, open, seal } from '../../core/secrets/envelope.ts';
import type { Db } from '../../storage/db.ts';

/** `ring`: the data keyring identities' plain values are sealed with (core/secrets/dataKeys.ts). */
export type ConsentKeys = { identity: Buffer; token: Uint8Array; ring: Keyring };

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

export function consentKeys(db: Db, secret?: string, secretKeys?: string): Promise<ConsentKeys> {
  let keys = cache.get(db);
  if (!keys) {
    keys = (async () => {
      const root = secret ?? (await installationSecret(db));
      const derive = (info: string) => Buffer.from(hkdfSync('sha256', root, 'ombud-consent', info, 32));
      return {
        identity: derive('identity-hash'),
        token: new Uint8Array(derive('preference-token')),
        ring: dataKeyring({ secret: root, secretKeys }),
      };
    })();
    cache.set(db, keys);
  }
  return keys;
}

/** The keyed hash under which an identity is looked up: HMAC-SHA256(key, org NUL kind NUL value), hex. */
export function identityHash(keys: ConsentKeys, orgId: string, kind: string, value: string): string {
  return createHmac('sha256', keys.identity).update(`${orgId}\0${kind}\0${value}`).digest('hex');
}

/** An identity's value as stored: sealed, bound to its row (organization, kind, keyed hash). */
export function sealIdentity(keys: ConsentKeys, orgId: string, kind: string, value: string) {
  const valueHash = identityHash(keys, orgId, kind, value);
  return { valueHash, sealed: seal(keys.ring, value, sealContext.consentIdentity(orgId, kind, valueHash)) };
}

/** An identity's plain value from its row (a row written before sealing still has it plain). */
export function openIdentity(
  keys: ConsentKeys,
  row: {
    org_id: string;
    kind: string;
    value_hash: string;
    value?: string | null;
    value_sealed?: string | null;
  },
): string {
  if (row.value_sealed)
    return open(
      keys.ring,
      row.value_sealed,
      sealContext.consentIdentity(row.org_id, row.kind, row.value_hash),
    );
  return row.value ?? '';
}

/** The hash as the keyed-hash loop of a worker thread runs it: must stay the same as identityHash. */
const DIGEST_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHmac } = require('node:crypto');
const { key, prefix, values } = workerData;
const out = Buffer.alloc(values.length * 32);
for (let i = 0; i < values.length; i++)
  out.write(createHmac('sha256', key).update(prefix + values[i]).digest('hex'), i * 32, 'hex');
parentPort.postMessage(out, [out.buffer]);
`;

/** Below this many values the second thread costs more than it saves. */
const PARALLEL_FROM = 50_000;

/**
 * The keyed hashes of many identities of one kind as raw bytes, 32 per value in order (bulk
 * lookups ship them as one bytea). Hashing is most of the CPU a large send list costs, so a long
 * list is hashed on two threads: this one and a short-lived worker thread.
 */
export async function identityDigests(
  keys: ConsentKeys,
  orgId: string,
  kind: string,
  values: string[],
): Promise<Buffer> {
  const out = Buffer.alloc(values.length * 32);
  const prefix = `${orgId}\0${kind}\0`;
  const hashRange = (from: number, to: number) => {
    // Through the hex string: cheaper in Node than a Buffer per digest.
    for (let i = from; i < to; i++)
      out.write(
        createHmac('sha256', keys.identity)
          .update(prefix + values[i])
          .digest('hex'),
        i * 32,
        'hex',
      );
  };
  if (values.length < PARALLEL_FROM) {
    hashRange(0, values.length);
    return out;
  }
  const half = Math.floor(values.length / 2);
  const worker = new Worker(DIGEST_WORKER, {
    eval: true,
    execArgv: [],
    workerData: { key: keys.identity, prefix, values: values.slice(half) },
  });
  const second = new Promise<Buffer>((resolve, reject) => {
    worker.once('message', (b: Uint8Array) => resolve(Buffer.from(b.buffer, b.byteOffset, b.byteLength)));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`identity hashing worker exited with ${code}`)));
  });
  // Rejected by the exit that follows terminate() when this thread failed first: not unhandled.
  second.catch(() => {});
  try {
    hashRange(0, half);
    (await second).copy(out, half * 32);
  } finally {
    void worker.terminate();
  }
  return out;
}
