/**
 * The chain check the console's audit page runs (a POST): the whole keyed chain against the exported
 * checkpoints (verifyAuditTrail), the last signed checkpoint on record and the last verification before
 * this one. The check is itself audited.
 */
import type { Db } from '../../storage/db.ts';
import { type Actor, recordAudit } from './auditLog.ts';
import { type AuditTrust, verifyAuditTrail } from './checkpoints.ts';
import { type LastVerification, lastVerification } from './lastVerification.ts';

export type SignedCheckpoint = { seq: number; count: number; at: Date; kid: string; madeBy: string };

export type ChainReport = {
  ok: boolean;
  count: number;
  /** The first bad entry and what is wrong with it. */
  seq?: number;
  problem?: string;
  cannotVerify?: boolean;
  warnings: string[];
  checkpoint: SignedCheckpoint | null;
  previous: LastVerification | null;
};

export async function lastSignedCheckpoint(db: Db): Promise<SignedCheckpoint | null> {
  const [c] = await db.query<{ seq: string; count: string; at: Date; kid: string; made_by: string }>(
    'SELECT seq, count, at, kid, made_by FROM audit_checkpoints ORDER BY seq DESC, id DESC LIMIT 1',
  );
  return c
    ? { seq: Number(c.seq), count: Number(c.count), at: new Date(c.at), kid: c.kid, madeBy: c.made_by }
    : null;
}

export async function checkChain(
  db: Db,
  actor: Actor,
  trust: AuditTrust | undefined,
  now: () => Date,
): Promise<ChainReport> {
  const previous = (await lastVerification(db)) ?? null;
  const r = await verifyAuditTrail(db, trust, { now });
  const checkpoint = await lastSignedCheckpoint(db);
  await recordAudit(db, {
    actor,
    action: 'audit.verify',
    details: { ok: r.ok, count: r.count, ...(r.ok ? {} : { seq: r.seq }) },
    at: now(),
  });
  return {
    ok: r.ok,
    count: r.count,
    ...(r.ok ? {} : { seq: r.seq, problem: r.problem, cannotVerify: r.cannotVerify }),
    warnings: r.warnings,
    checkpoint,
    previous,
  };
}
