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

import { type Actor, actorString } from '../../core/audit/actor.ts';

export { type Actor, actorString };
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
  return (await recordAuditWith(db, e)).seq;
}

/**
 * Append an entry together with other changes, in one statement: `with.ctes` are WITH clauses (their
 * parameters `with.params` are $1…$n; the entry's follow), `with.select` extra columns of the answer. For a
 * caller that records its own state with the entry in one round trip.
 */
export async function recordAuditWith<T extends Record<string, unknown> = Record<string, never>>(
  db: Db,
  e: AuditEntry,
  extra: { ctes?: string[]; params?: unknown[]; select?: string } = {},
): Promise<{ seq: number } & T> {
  return db.transaction(async (tx) => {
    // Appends are serialised on the head's row: locked, it gives the hash of the last entry (under a
    // concurrent append, the one committed last). Without a head (never in a migrated database), on the log.
    const [head] = await tx.query<{ hash: string }>('SELECT hash FROM audit_head WHERE id = 1 FOR UPDATE');
    let prev = head?.hash;
    if (prev === undefined) {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_LOCK]);
      const last = await tx.query<{ hash: string }>('SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1');
      prev = last[0]?.hash ?? GENESIS_HASH;
    }
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
    const params = [...(extra.params ?? [])];
    const p = (i: number) => `$${params.length + i}`;
    // The entry and the head that follows it, in one statement (with the caller's changes).
    const ctes = [
      ...(extra.ctes ?? []),
      `e AS (
         INSERT INTO audit_log (at, actor, org_id, action, target, reason, details, prev_hash, hash)
         VALUES (${[1, 2, 3, 4, 5, 6, 7, 8, 9].map(p).join(', ')}) RETURNING seq)`,
      `h AS (UPDATE audit_head SET seq = e.seq, count = count + 1, hash = ${p(9)} FROM e WHERE id = 1)`,
    ];
    params.push(
      fields.at,
      fields.actor,
      fields.orgId,
      fields.action,
      fields.target,
      fields.reason,
      JSON.stringify(fields.details),
      prev,
      hash,
    );
    const rows = await tx.query<{ seq: number } & T>(
      `WITH ${ctes.join(',\n')} SELECT e.seq${extra.select ? `, ${extra.select}` : ''} FROM e`,
      params,
    );
    return rows[0]!;
  });
}

export type AuditRow = {
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

/**
 * Walk the whole chain in pages; names the first entry that was altered, removed or reordered.
 * Then compare the end of the chain with the separately kept head (sequence, count and hash,
 * updated in the same transaction as each append): a log cut short at the tail is caught too.
 */
export async function verifyAuditLog(db: Db, pageSize = 5000): Promise<ChainCheck> {
  let after = 0;
  let prev = GENESIS_HASH;
  let total = 0;
  for (;;) {
    const rows = await db.query<AuditRow>('SELECT * FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2', [
      after,
      pageSize,
    ]);
    if (rows.length === 0) {
      const head = (
        await db.query<{ seq: string | number; count: string | number; hash: string }>(
          'SELECT seq, count, hash FROM audit_head WHERE id = 1',
        )
      )[0];
      if (!head) return { ok: false, count: total, seq: 0, problem: 'the audit head record is missing' };
      if (Number(head.count) !== total || head.hash !== prev || Number(head.seq) !== Number(after))
        return {
          ok: false,
          count: total + 1,
          seq: Number(head.seq),
          problem: `the log ends early: the head records ${head.count} entries up to entry ${head.seq}, the table holds ${total} up to entry ${after}; entries at the tail were removed`,
        };
      return { ok: true, count: total };
    }
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

export type AuditQuery = {
  orgId?: string;
  action?: string;
  target?: string;
  actor?: string;
  limit?: number;
  beforeSeq?: number;
  /** The organizations the reader may see ('all' for group owners); rows of others are never returned. */
  scope?: 'all' | string[];
};

export async function searchAudit(db: Db, q: AuditQuery): Promise<AuditRow[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, v: unknown) => {
    params.push(v);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (q.scope && q.scope !== 'all') add('org_id = ANY(?::text[])', q.scope);
  if (q.orgId) add('org_id = ?', q.orgId);
  if (q.action) add('action LIKE ?', `${q.action.replace(/[%_\\]/g, '')}%`);
  if (q.target) add('target = ?', q.target);
  if (q.actor) add('actor = ?', q.actor);
  if (q.beforeSeq) add('seq < ?', q.beforeSeq);
  params.push(Math.min(q.limit ?? 100, 5000));
  return db.query<AuditRow>(
    `SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT $${params.length}`,
    params,
  );
}

const csvCell = (v: unknown) => {
  const s = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  // Quote always; neutralise spreadsheet formulas.
  return `"${(/^[=+\-@\t\r]/.test(s) ? `'${s}` : s).replace(/"/g, '""')}"`;
};

export function auditCsv(rows: AuditRow[]): string {
  const head = ['seq', 'at', 'actor', 'org_id', 'action', 'target', 'reason', 'details', 'prev_hash', 'hash'];
  return (
    [
      head.join(','),
      ...rows.map((r) =>
        [
          r.seq,
          new Date(r.at).toISOString(),
          r.actor,
          r.org_id,
          r.action,
          r.target,
          r.reason,
          r.details,
          r.prev_hash,
          r.hash,
        ]
          .map(csvCell)
          .join(','),
      ),
    ].join('\r\n') + '\r\n'
  );
}
