/**
 * The audit log: append-only and hash-chained (src/core/audit/chain.ts). Every read and
 * change of personal data and of the register goes through `recordAudit`.
 */
import {
  type AuditFields,
  auditHash,
  type ChainCheck,
  GENESIS_HASH,
  verifyChain,
} from '../../core/audit/chain.ts';
import type { Db } from '../../storage/db.ts';

export type Actor = { kind: 'user' | 'api-key' | 'cli' | 'system' | 'data-subject'; id: string };
export const actorString = (a: Actor) => `${a.kind}:${a.id}`;
export const CLI_ACTOR: Actor = { kind: 'cli', id: process.env.USER ?? 'cli' };
export const SYSTEM_ACTOR: Actor = { kind: 'system', id: 'ombud' };

export type AuditEntry = {
  actor: Actor;
  orgId?: string | null;
  action: string;
  target?: string | null;
  reason?: string | null;
  /** Ids and hashes only: never personal data. */
  details?: Record<string, unknown>;
  at?: Date;
};

const AUDIT_LOCK = 4242002;

export async function recordAudit(db: Db, e: AuditEntry): Promise<number> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_LOCK]);
    const last = await tx.query<{ hash: string }>('SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1');
    const prev = last[0]?.hash ?? GENESIS_HASH;
    const fields: AuditFields = {
      at: (e.at ?? new Date()).toISOString(),
      actor: actorString(e.actor),
      orgId: e.orgId ?? null,
      action: e.action,
      target: e.target ?? null,
      reason: e.reason ?? null,
      details: e.details ?? {},
    };
    const hash = auditHash(prev, fields);
    const rows = await tx.query<{ seq: number }>(
      `INSERT INTO audit_log (at, actor, org_id, action, target, reason, details, prev_hash, hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING seq`,
      [
        fields.at,
        fields.actor,
        fields.orgId,
        fields.action,
        fields.target,
        fields.reason,
        JSON.stringify(fields.details),
        prev,
        hash,
      ],
    );
    return rows[0]!.seq;
  });
}

type AuditRow = {
  seq: number;
  at: Date;
  actor: string;
  org_id: string | null;
  action: string;
  target: string | null;
  reason: string | null;
  details: Record<string, unknown>;
  prev_hash: string;
  hash: string;
};

/** Walk the whole chain in pages; names the first entry that was altered, removed or reordered. */
export async function verifyAuditLog(db: Db, pageSize = 5000): Promise<ChainCheck> {
  let after = 0;
  let prev = GENESIS_HASH;
  let total = 0;
  for (;;) {
    const rows = await db.query<AuditRow>('SELECT * FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2', [
      after,
      pageSize,
    ]);
    if (rows.length === 0) return { ok: true, count: total };
    const check = verifyChain(
      rows.map((r) => ({
        seq: r.seq,
        at: new Date(r.at).toISOString(),
        actor: r.actor,
        orgId: r.org_id,
        action: r.action,
        target: r.target,
        reason: r.reason,
        details: r.details,
        prevHash: r.prev_hash,
        hash: r.hash,
      })),
      prev,
    );
    if (!check.ok) return { ...check, count: total + check.count };
    total += rows.length;
    prev = rows.at(-1)!.hash;
    after = rows.at(-1)!.seq;
  }
}

export async function searchAudit(
  db: Db,
  q: { orgId?: string; action?: string; target?: string; actor?: string; limit?: number; beforeSeq?: number },
) {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, v: unknown) => {
    params.push(v);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (q.orgId) add('org_id = ?', q.orgId);
  if (q.action) add('action LIKE ?', `${q.action}%`);
  if (q.target) add('target = ?', q.target);
  if (q.actor) add('actor = ?', q.actor);
  if (q.beforeSeq) add('seq < ?', q.beforeSeq);
  params.push(Math.min(q.limit ?? 100, 1000));
  return db.query<AuditRow>(
    `SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT $${params.length}`,
    params,
  );
}
