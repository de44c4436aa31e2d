import { createHmac } from 'node:crypto';
import { canonicalJson, sha256 } from '../canonical.ts';

/**
 * One audit entry as hashed. `at` is the instant as PostgreSQL stores it, at microsecond precision
 * ("2026-12-06T20:09:50.123000Z"); Ombud writes whole milliseconds, so the last three digits are 0.
 */
export type AuditFields = {
  at: string;
  actor: string;
  orgId: string | null;
  action: string;
  target: string | null;
  reason: string | null;
  details: Record<string, unknown>;
};

export const GENESIS_HASH = '0'.repeat(64);

/** An instant at the microsecond precision of a PostgreSQL timestamptz, as hashed and inserted. */
export const microIso = (d: Date): string => d.toISOString().replace(/Z$/, '000Z');

const ordered = (f: AuditFields) => ({
  at: f.at,
  actor: f.actor,
  orgId: f.orgId,
  action: f.action,
  target: f.target,
  reason: f.reason,
  details: f.details,
});

/**
 * The unkeyed hash of entries written before the keyed chain (no key id): SHA-256 over the previous
 * hash and the fields, `at` with milliseconds ("…50.123Z"). Anyone can recompute it, so it proves
 * nothing against someone who can write the table; it is kept to verify old entries.
 */
export function auditHash(prevHash: string, f: AuditFields): string {
  return sha256(`${prevHash}\n${canonicalJson(ordered(f))}`);
}

/**
 * The keyed hash of an entry: HMAC-SHA-256 under the audit chain key `keyId` (kept outside the
 * database, src/services/audit/keys.ts) over the previous hash, the fields with `at` at microsecond
 * precision, and the key id. Without the key an altered entry cannot be given a matching hash.
 */
export function auditMac(key: Buffer, keyId: string, prevHash: string, f: AuditFields): string {
  return createHmac('sha256', key)
    .update(`${prevHash}\n${canonicalJson({ ...ordered(f), keyId })}`)
    .digest('hex');
}

export type ChainRow = AuditFields & { seq: number; prevHash: string; hash: string; keyId: string | null };
export type ChainCheck =
  | { ok: true; count: number }
  | {
      ok: false;
      count: number;
      seq: number;
      problem: string;
      /** True when the entry could not be checked (its key is not configured here), not proven altered. */
      cannotVerify?: boolean;
    };
export type ChainProblem = { seq: number; problem: string; cannotVerify?: boolean };

/**
 * Walks the chain one entry at a time (pages of a long log keep their state here). Rules:
 * each entry links to the previous hash; a keyed entry's HMAC matches under its key; an unkeyed
 * entry's SHA-256 matches and comes before every keyed entry (and before `keyedFrom`, the first keyed
 * entry a signed checkpoint recorded): an unkeyed entry after the switch was written without the key;
 * nothing below a millisecond is set in an unkeyed entry's time (Ombud never wrote one).
 */
export class ChainWalker {
  prev: string;
  count = 0;
  keyed = 0;
  unkeyed = 0;
  firstKeyed: number | null = null;
  readonly missingKeys = new Set<string>();

  constructor(
    private readonly keyOf: (id: string) => Buffer | undefined,
    opts: { prev?: string; keyedFrom?: number | null } = {},
  ) {
    this.prev = opts.prev ?? GENESIS_HASH;
    this.keyedFrom = opts.keyedFrom ?? null;
  }
  private readonly keyedFrom: number | null;

  step(r: ChainRow): ChainProblem | undefined {
    this.count++;
    if (r.prevHash !== this.prev)
      return { seq: r.seq, problem: 'links to a different previous entry: one was removed or reordered' };
    if (r.keyId === null) {
      const from = this.firstKeyed ?? this.keyedFrom;
      if (from !== null && r.seq >= from)
        return {
          seq: r.seq,
          problem: `it is unkeyed, but the chain is keyed from entry ${from} on: it was rewritten without the audit key`,
        };
      if (!/\.\d{3}000Z$/.test(r.at))
        return { seq: r.seq, problem: 'its time was changed below a millisecond: it was altered' };
      if (auditHash(this.prev, { ...r, at: r.at.replace(/000Z$/, 'Z') }) !== r.hash)
        return { seq: r.seq, problem: 'its content no longer matches its hash: it was altered' };
      this.unkeyed++;
    } else {
      const key = this.keyOf(r.keyId);
      if (!key) {
        this.missingKeys.add(r.keyId);
        return {
          seq: r.seq,
          problem: `it is keyed with audit key '${r.keyId}', which this verifier does not have: configure that key (OMBUD_SECRET_KEYS or the audit key file) to check it; an unknown key can also mean a forged entry`,
          cannotVerify: true,
        };
      }
      if (auditMac(key, r.keyId, this.prev, r) !== r.hash)
        return { seq: r.seq, problem: 'its content no longer matches its keyed hash: it was altered' };
      this.firstKeyed ??= r.seq;
      this.keyed++;
    }
    this.prev = r.hash;
    return undefined;
  }
}

/** Verify rows in one go (tests, small logs). */
export function verifyChain(
  rows: Iterable<ChainRow>,
  keyOf: (id: string) => Buffer | undefined,
  startPrev = GENESIS_HASH,
): ChainCheck {
  const w = new ChainWalker(keyOf, { prev: startPrev });
  for (const r of rows) {
    const p = w.step(r);
    if (p) return { ok: false, count: w.count, ...p };
  }
  return { ok: true, count: w.count };
}
