import { canonicalJson, sha256 } from '../canonical.ts';

/** One audit entry as hashed. `at` is an ISO instant with milliseconds. */
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

/** Each entry's hash covers its own fields and the previous entry's hash: altering, removing or reordering breaks the chain. */
export function auditHash(prevHash: string, f: AuditFields): string {
  const fields: AuditFields = {
    at: f.at,
    actor: f.actor,
    orgId: f.orgId,
    action: f.action,
    target: f.target,
    reason: f.reason,
    details: f.details,
  };
  return sha256(`${prevHash}\n${canonicalJson(fields)}`);
}

export type ChainRow = AuditFields & { seq: number; prevHash: string; hash: string };
export type ChainCheck =
  | { ok: true; count: number }
  | { ok: false; count: number; seq: number; problem: string };

export function verifyChain(rows: Iterable<ChainRow>, startPrev = GENESIS_HASH): ChainCheck {
  let prev = startPrev;
  let count = 0;
  for (const r of rows) {
    count++;
    if (r.prevHash !== prev)
      return {
        ok: false,
        count,
        seq: r.seq,
        problem: 'links to a different previous entry: one was removed or reordered',
      };
    const expected = auditHash(prev, r);
    if (expected !== r.hash)
      return {
        ok: false,
        count,
        seq: r.seq,
        problem: 'its content no longer matches its hash: it was altered',
      };
    prev = r.hash;
  }
  return { ok: true, count };
}
