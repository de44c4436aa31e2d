/**
 * The audit trail's keys. None of them is ever stored in the database.
 *
 * - **Chain keys** (HMAC-SHA-256 of every entry): derived with HKDF-SHA-256 from each key of
 *   OMBUD_SECRET_KEYS (salt "ombud-audit-chain", info "audit-chain-key:<id>"), and from the keys in the
 *   audit key file (default <data dir>/audit-chain.key, "id:base64" lines). The newest key of
 *   OMBUD_SECRET_KEYS writes, else the file's last one. Each entry records its key id, so after a
 *   rotation old entries verify with their (retired, still configured) key. Without OMBUD_SECRET_KEYS
 *   and without the file, the file is created on first use (the embedded demo's default).
 * - **Signing key** (Ed25519, checkpoints): a PKCS#8 PEM file (OMBUD_AUDIT_SIGNING_KEY, default
 *   <data dir>/audit-signing.key), created with its public key (same path + '.pub') when a checkpoint is
 *   first made. Verification uses the public key file (OMBUD_AUDIT_PUBLIC_KEY; several PEM blocks after a
 *   rotation) and the signing key's own public half.
 *
 * The chain keys are installed process-wide (`installAuditChainKeys`), because every store appends
 * through `recordAudit(db, …)`; `openApp` installs them.
 */
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  hkdfSync,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Config } from '../../config.ts';
import { keyIdOf } from '../../core/audit/checkpoint.ts';
import { precondition, validationError } from '../../core/errors.ts';
import { parseKeyring } from '../../core/secrets/envelope.ts';

export type AuditChainKeys = {
  keys: Map<string, Buffer>;
  /** The key new entries are written with. */
  current: string;
  /** Where the keys came from, for messages (never the keys). */
  sources: string[];
};

let installed: AuditChainKeys | undefined;

/** The chain keys every append and verification in this process uses (undefined: none loaded). */
export function installAuditChainKeys(keys: AuditChainKeys | undefined): void {
  installed = keys;
}
export const auditChainKeys = (): AuditChainKeys | undefined => installed;

/** The key new entries are written with; a clear error when none is loaded. */
export function currentChainKey(): { id: string; key: Buffer } {
  if (!installed)
    throw precondition(
      'no-audit-key',
      'The audit chain key is not loaded: audit entries cannot be written.',
      'Set OMBUD_SECRET_KEYS or OMBUD_AUDIT_KEY_FILE as the server has them (openApp loads them; code that opens the database itself calls installAuditChainKeys).',
    );
  return { id: installed.current, key: installed.keys.get(installed.current)! };
}

export const deriveChainKey = (root: Buffer, id: string): Buffer =>
  Buffer.from(hkdfSync('sha256', root, 'ombud-audit-chain', `audit-chain-key:${id}`, 32));

/** Chain keys from a keyring spec ("id:base64,…" or one per line), each derived with HKDF. */
export function chainKeysFrom(spec: string, source: string): AuditChainKeys {
  const ring = parseKeyring(spec.split(/\r?\n/).join(','));
  const keys = new Map([...ring.keys].map(([id, k]) => [id, deriveChainKey(k, id)]));
  return { keys, current: ring.current, sources: [source] };
}

export const auditPaths = (config: Config) => {
  const dir = config.dataDir;
  const signingKeyFile = config.audit?.signingKeyFile ?? join(dir, 'audit-signing.key');
  return {
    keyFile: config.audit?.keyFile ?? join(dir, 'audit-chain.key'),
    signingKeyFile,
    publicKeyFile: config.audit?.publicKeyFile ?? `${signingKeyFile}.pub`,
    checkpointDir: config.audit?.checkpointDir ?? join(dir, 'audit-checkpoints'),
  };
};

function writeSecretFile(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  // 'wx': never overwrite a key another process just created.
  writeFileSync(path, text, { mode: 0o600, flag: 'wx' });
}

/**
 * The chain keys of this installation: the audit key file's keys and OMBUD_SECRET_KEYS' (newest
 * writes). With `create` and neither present, a new key file is written. `created` names it.
 */
export function loadAuditChainKeys(
  config: Config,
  opts: { create: boolean },
): { keys: AuditChainKeys | undefined; created?: string } {
  const { keyFile } = auditPaths(config);
  let created: string | undefined;
  if (!existsSync(keyFile) && !config.secretKeys && opts.create) {
    const id = `a${new Date().toISOString().slice(0, 10).replace(/-/g, '')}`;
    try {
      writeSecretFile(keyFile, `${id}:${randomBytes(32).toString('base64')}\n`);
      created = keyFile;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  const parts: AuditChainKeys[] = [];
  if (existsSync(keyFile)) parts.push(chainKeysFrom(readFileSync(keyFile, 'utf8'), `key file ${keyFile}`));
  if (config.secretKeys) parts.push(chainKeysFrom(config.secretKeys, 'OMBUD_SECRET_KEYS'));
  if (parts.length === 0) return { keys: undefined };
  const keys = new Map<string, Buffer>();
  for (const p of parts)
    for (const [id, k] of p.keys) {
      if (keys.has(id) && !keys.get(id)!.equals(k))
        throw validationError(
          'bad-audit-keys',
          `The audit key file and OMBUD_SECRET_KEYS both define key '${id}', differently.`,
          [{ path: ['OMBUD_AUDIT_KEY_FILE'], message: 'Give every key its own id.' }],
        );
      keys.set(id, k);
    }
  return {
    keys: { keys, current: parts.at(-1)!.current, sources: parts.flatMap((p) => p.sources) },
    created,
  };
}

export type CheckpointKeys = {
  /** The signing key and its id; undefined when no signing key is configured (verification only). */
  signer?: { key: KeyObject; kid: string };
  /** kid → public key: every key a checkpoint may be signed with. */
  publicKeys: Map<string, KeyObject>;
  created?: string;
};

/** Read the signing key and the public keys; with `create`, make a key pair if there is no signing key. */
export function loadCheckpointKeys(
  paths: { signingKeyFile: string; publicKeyFile: string },
  opts: { create: boolean },
): CheckpointKeys {
  let created: string | undefined;
  if (opts.create && !existsSync(paths.signingKeyFile)) {
    const pair = generateKeyPairSync('ed25519');
    try {
      writeSecretFile(
        paths.signingKeyFile,
        pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      );
      created = paths.signingKeyFile;
      if (!existsSync(paths.publicKeyFile))
        writeFileSync(
          paths.publicKeyFile,
          pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
          {
            mode: 0o644,
          },
        );
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  const publicKeys = new Map<string, KeyObject>();
  let signer: CheckpointKeys['signer'];
  if (existsSync(paths.signingKeyFile)) {
    const key = createPrivateKey(readFileSync(paths.signingKeyFile));
    if (key.asymmetricKeyType !== 'ed25519')
      throw validationError('bad-audit-signing-key', 'The audit signing key is not an Ed25519 key.', [
        {
          path: ['OMBUD_AUDIT_SIGNING_KEY'],
          message: 'Use an Ed25519 PKCS#8 PEM file (openssl genpkey -algorithm ed25519).',
        },
      ]);
    signer = { key, kid: keyIdOf(key) };
    publicKeys.set(signer.kid, createPublicKey(key));
  }
  if (existsSync(paths.publicKeyFile)) {
    const pems = readFileSync(paths.publicKeyFile, 'utf8').match(
      /-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----/g,
    );
    for (const pem of pems ?? []) {
      const k = createPublicKey(pem);
      if (k.asymmetricKeyType === 'ed25519') publicKeys.set(keyIdOf(k), k);
    }
  }
  return { signer, publicKeys, created };
}
