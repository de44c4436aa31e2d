/**
 * Signed checkpoints of the audit chain's head: Ed25519 over {seq, count, hash, keyedFrom, at, kid}.
 * The private key never enters the database; checkpoints are exported as JSON lines to places the
 * database's owner does not control (src/services/audit/checkpoints.ts), and verification trusts a
 * checkpoint only when its signature verifies with a configured public key.
 *
 * Signed bytes: "ombud-audit-checkpoint\n" + canonical JSON of the payload (sorted keys), so any
 * Ed25519 tool can check a line: `openssl pkeyutl -verify -pubin -inkey audit-signing.pub -rawin …`.
 */
import { createHash, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';
import { canonicalJson } from '../canonical.ts';

export type CheckpointPayload = {
  v: 1;
  /** The head: the last entry's sequence number, how many entries there are up to it, its hash. */
  seq: number;
  count: number;
  hash: string;
  /** The first keyed entry (null while the log has none): no unkeyed entry may follow it. */
  keyedFrom: number | null;
  /** When it was made (ISO instant). */
  at: string;
  /** Which signing key: the first 16 hex digits of SHA-256 over its public key (SPKI DER). */
  kid: string;
};
export type Checkpoint = CheckpointPayload & { sig: string };

const DOMAIN = 'ombud-audit-checkpoint\n';

export function keyIdOf(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return createHash('sha256')
    .update(pub.export({ type: 'spki', format: 'der' }))
    .digest('hex')
    .slice(0, 16);
}

const signedBytes = (p: CheckpointPayload) =>
  Buffer.from(
    DOMAIN +
      canonicalJson({
        v: p.v,
        seq: p.seq,
        count: p.count,
        hash: p.hash,
        keyedFrom: p.keyedFrom,
        at: p.at,
        kid: p.kid,
      }),
    'utf8',
  );

export function signCheckpoint(
  privateKey: KeyObject,
  head: { seq: number; count: number; hash: string; keyedFrom: number | null; at: string },
): Checkpoint {
  const payload: CheckpointPayload = { v: 1, ...head, kid: keyIdOf(privateKey) };
  return { ...payload, sig: sign(null, signedBytes(payload), privateKey).toString('base64url') };
}

/** One JSON line of the checkpoint file. */
export const checkpointLine = (c: Checkpoint) =>
  JSON.stringify({
    v: c.v,
    seq: c.seq,
    count: c.count,
    hash: c.hash,
    keyedFrom: c.keyedFrom,
    at: c.at,
    kid: c.kid,
    sig: c.sig,
  });

export type CheckedLine = { ok: true; checkpoint: Checkpoint } | { ok: false; problem: string };

/** Parse a line and check its signature with the public keys (by kid). */
export function checkCheckpointLine(line: string, publicKeys: Map<string, KeyObject>): CheckedLine {
  let c: Checkpoint;
  try {
    c = JSON.parse(line);
  } catch {
    return { ok: false, problem: 'is not JSON' };
  }
  if (
    c?.v !== 1 ||
    !Number.isSafeInteger(c.seq) ||
    !Number.isSafeInteger(c.count) ||
    typeof c.hash !== 'string' ||
    !(c.keyedFrom === null || Number.isSafeInteger(c.keyedFrom)) ||
    typeof c.at !== 'string' ||
    typeof c.kid !== 'string' ||
    typeof c.sig !== 'string'
  )
    return { ok: false, problem: 'is not a checkpoint' };
  const key = publicKeys.get(c.kid);
  if (!key)
    return {
      ok: false,
      problem: `is signed with key ${c.kid}, which is not among the configured public keys (OMBUD_AUDIT_PUBLIC_KEY)`,
    };
  if (!verify(null, signedBytes(c), key, Buffer.from(c.sig, 'base64url')))
    return { ok: false, problem: 'has a signature that does not verify: it was altered or forged' };
  return { ok: true, checkpoint: c };
}
