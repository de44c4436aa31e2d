/**
 * The audit log: append-only and chained with a keyed hash (src/core/audit/chain.ts; the key lives
 * outside the database, ./keys.ts). Every read and change of personal data and of the register goes
 * through `recordAudit`. Signed checkpoints of the head are exported by ./checkpoints.ts.
 */
import {
  type AuditFields,
  auditMac,
  type ChainCheck,
  type ChainProblem,
  ChainWalker,
  GENESIS_HASH,
  microIso,
} from '../../core/audit/chain.ts';
import type { Checkpoint } from '../../core/audit/checkpoint.ts';
import type { Db } from '../../storage/db.ts';
import { bindInto, type Sql, sql } from '../../storage/sql.ts';
import { auditChainKeys, currentChainKey } from './keys.ts';

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
  const { id: keyId, key } = currentChainKey();
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
      // Microsecond precision, as PostgreSQL stores it: the hash covers every digit of the stored time.
      at: microIso(e.at ?? new Date()),
      actor: actorString(e.actor),
      orgId: e.orgId ?? null,
      action: e.action,
      target: e.target ?? null,
      reason: e.reason ?? null,
      details: e.details ?? {},
    };
    const hash = auditMac(key, keyId, prev, fields);
    // The caller's parameters are $1…$n; the entry's are numbered after them.
    const params = [...(extra.params ?? [])];
    // The entry and the head that follows it, in one statement (with the caller's changes).
    const ctes = [
      ...(extra.ctes ?? []),
      bindInto(
        params,
        sql`e AS (
         INSERT INTO audit_log (at, actor, org_id, action, target, reason, details, prev_hash, hash, key_id)
         VALUES (${fields.at}, ${fields.actor}, ${fields.orgId}, ${fields.action}, ${fields.target}, ${fields.reason}, ${JSON.stringify(fields.details)}, ${prev}, ${hash}, ${keyId}) RETURNING seq, hash)`,
      ),
      'h AS (UPDATE audit_head SET seq = e.seq, count = count + 1, hash = e.hash FROM e WHERE id = 1)',
    ];
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
  key_id: string | null;
};

export type AuditHead = { seq: number; count: number; hash: string };

export type AuditWalk = ChainCheck & {
  keyed: number;
  unkeyed: number;
  /** The first keyed entry (null: none). */
  keyedFrom: number | null;
  head?: AuditHead;
  /** The checkpoints matched (seq, count and hash found in the chain). */
  checkpointsMatched: number;
};

/** `at` as stored, to the microsecond, in the form hashed (src/core/audit/chain.ts). */
const AT_US = `to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

export type WalkOptions = {
  pageSize?: number;
  checkpoints?: Checkpoint[];
  keys?: Map<string, Buffer>;
  /**
   * Start at this (signed, trusted) checkpoint instead of the first entry: its entry must still have its
   * hash and count, and only the entries after it are walked (the daily checkpoint's cost).
   */
  from?: Checkpoint;
  /** After each page: the entries checked so far (the CLI's progress). */
  onProgress?: (checked: number) => void;
};

/**
 * Walk the whole chain in pages with the audit chain keys; names the first entry that was altered,
 * removed, reordered or rewritten without the key. Then compare the end of the chain with the
 * separately kept head (sequence, count and hash, updated in the same transaction as each append): a
 * log cut short at the tail is caught too. With `checkpoints` (signed, read from their export — never
 * from the database): each one's entry must still be in the chain with its hash and count, and the
 * head at or beyond it, so a tail cut and a head "repaired" to match is caught too.
 */
export async function walkAuditLog(db: Db, opts: WalkOptions = {}): Promise<AuditWalk> {
  const pageSize = opts.pageSize ?? 5000;
  const walk = new AuditLogWalk(opts);
  if (opts.from) {
    const problem = await walk.startAt(db, opts.from);
    if (problem) return problem;
  }
  for (let rechecks = 0; ; ) {
    const rows = await readPage(db, walk.after, pageSize);
    const problem = walk.page(rows);
    if (problem) return problem;
    opts.onProgress?.(walk.checked);
    if (rows.length === pageSize) continue;
    const head = await readHead(db);
    if (!head) return walk.fail({ seq: 0, problem: 'the audit head record is missing' });
    if (walk.reachedHead(head)) return walk.atHead(head);
    // An append may have committed after the last page was read: read on.
    if (head.seq > walk.after && rechecks++ < 100 && (await anyAfter(db, walk.after))) continue;
    return walk.headMismatch(head);
  }
}

const readPage = (db: Db, after: number, pageSize: number) => {
  const { text, params } =
    sql`SELECT seq, ${sql.raw(AT_US)} AS at_us, actor, org_id, action, target, reason, details, prev_hash, hash, key_id
       FROM audit_log WHERE seq > ${after} ORDER BY seq LIMIT ${pageSize}`.render();
  return db.query<AuditRow & { at_us: string }>(text, params);
};

async function readHead(db: Db): Promise<AuditHead | undefined> {
  const [head] = await db.query<{ seq: string | number; count: string | number; hash: string }>(
    'SELECT seq, count, hash FROM audit_head WHERE id = 1',
  );
  return head && { seq: Number(head.seq), count: Number(head.count), hash: head.hash };
}

async function anyAfter(db: Db, after: number): Promise<boolean> {
  const { text, params } = sql`SELECT 1 FROM audit_log WHERE seq > ${after} LIMIT 1`.render();
  return (await db.query(text, params)).length > 0;
}

const cpName = (c: Checkpoint) => `the signed checkpoint of ${c.at}`;

/** One walk of the chain: the chain walker, the checkpoints still to meet, and where it stands. */
class AuditLogWalk {
  private readonly w: ChainWalker;
  private readonly cps: Checkpoint[];
  private readonly keyedFrom: number | null;
  private readonly from?: Checkpoint;
  /** The next checkpoint to meet. */
  private next = 0;
  private matched = 0;
  /** The last entry walked. */
  after = 0;

  /** The entries checked so far. */
  get checked(): number {
    return this.w.count;
  }

  constructor(opts: WalkOptions) {
    const keys = opts.keys ?? auditChainKeys()?.keys ?? new Map<string, Buffer>();
    this.from = opts.from;
    this.cps = [...(opts.checkpoints ?? []), ...(this.from ? [this.from] : [])].sort((a, b) => a.seq - b.seq);
    this.keyedFrom = this.cps.reduce<number | null>(
      (m, c) => (c.keyedFrom === null ? m : m === null ? c.keyedFrom : Math.min(m, c.keyedFrom)),
      null,
    );
    this.w = new ChainWalker((id) => keys.get(id), { keyedFrom: this.keyedFrom, prev: this.from?.hash });
  }

  private stats() {
    const w = this.w;
    return {
      keyed: w.keyed,
      unkeyed: w.unkeyed,
      keyedFrom: this.from ? (this.keyedFrom ?? w.firstKeyed) : w.firstKeyed,
      checkpointsMatched: this.matched,
    };
  }

  fail(p: ChainProblem, count = this.w.count): AuditWalk {
    return { ok: false, count, ...p, ...this.stats() };
  }

  /** Start after the trusted checkpoint `from`, whose entry must still be there, unchanged. */
  async startAt(db: Db, from: Checkpoint): Promise<AuditWalk | undefined> {
    const { text, params } =
      sql`SELECT (SELECT hash FROM audit_log WHERE seq = ${from.seq}) AS hash, (SELECT count(*) FROM audit_log WHERE seq <= ${from.seq}) AS n`.render();
    const [at] = await db.query<{ hash: string; n: string | number }>(text, params);
    if ((from.seq > 0 && at?.hash !== from.hash) || Number(at?.n) !== from.count)
      return this.fail({
        seq: from.seq,
        problem: `it does not match ${cpName(from)} (${from.count} entries up to entry ${from.seq}): the log was rewritten; verify the whole log`,
      });
    this.w.count = from.count;
    this.after = from.seq;
    // Older checkpoints were checked when `from` was made, against the same entries.
    while (this.cps[this.next] && this.cps[this.next]!.seq <= from.seq) this.next++;
    return undefined;
  }

  /** Step through a page of entries; the first problem, if any. */
  page(rows: (AuditRow & { at_us: string })[]): AuditWalk | undefined {
    for (const r of rows) {
      const seq = Number(r.seq);
      const cp = this.cps[this.next];
      if (cp && seq > cp.seq)
        return this.fail(
          {
            seq: cp.seq,
            problem: `entry ${cp.seq}, which ${cpName(cp)} vouches for, is missing: it was removed`,
          },
          this.w.count + 1,
        );
      const problem = this.w.step({
        seq,
        at: r.at_us,
        actor: r.actor,
        orgId: r.org_id,
        action: r.action,
        target: r.target,
        reason: r.reason,
        details: r.details,
        prevHash: r.prev_hash,
        hash: r.hash,
        keyId: r.key_id,
      });
      if (problem) return this.fail(problem);
      const mismatch = this.meetCheckpoints(seq, r.hash);
      if (mismatch) return mismatch;
      this.after = seq;
    }
    return undefined;
  }

  /** The checkpoints of this entry must record its hash and the count up to it. */
  private meetCheckpoints(seq: number, hash: string): AuditWalk | undefined {
    const w = this.w;
    while (this.cps[this.next] && this.cps[this.next]!.seq === seq) {
      const c = this.cps[this.next]!;
      if (c.hash !== hash || c.count !== w.count)
        return this.fail({
          seq,
          problem: `it does not match ${cpName(c)} (which records ${c.count} entries up to entry ${c.seq}, the log now has ${w.count}${c.hash !== hash ? ', and another hash' : ''}): the log was rewritten`,
        });
      this.matched++;
      this.next++;
    }
    return undefined;
  }

  /** The walk ends where the head says the log ends. */
  reachedHead(h: AuditHead): boolean {
    return h.count === this.w.count && h.hash === this.w.prev && h.seq === this.after;
  }

  /** At the head: sound, unless a checkpoint vouches for entries beyond it. */
  atHead(h: AuditHead): AuditWalk {
    const w = this.w;
    const cp = this.cps[this.next];
    if (cp)
      return this.fail(
        {
          seq: cp.seq,
          problem: `the log ends before ${cpName(cp)}: it records ${cp.count} entries up to entry ${cp.seq}, the log holds ${w.count} up to entry ${this.after}; entries at the tail were removed and the head changed to match`,
        },
        w.count + 1,
      );
    return { ok: true, count: w.count, ...this.stats(), head: h };
  }

  /** The walk and the head disagree: the head was changed, or the tail removed. */
  headMismatch(h: AuditHead): AuditWalk {
    const { w, after } = this;
    if (h.seq < after || h.count < w.count)
      return this.fail({
        seq: after,
        problem: `the head records ${h.count} entries up to entry ${h.seq}, the table holds ${w.count} up to entry ${after}: the head was changed, or entries were added without it`,
      });
    return this.fail(
      {
        seq: h.seq,
        problem: `the log ends early: the head records ${h.count} entries up to entry ${h.seq}, the table holds ${w.count} up to entry ${after}; entries at the tail were removed`,
      },
      w.count + 1,
    );
  }
}

/** The chain and its head, with the installed keys: `{ ok, count }` or the first bad entry. */
export async function verifyAuditLog(
  db: Db,
  opts: number | { pageSize?: number; checkpoints?: Checkpoint[] } = {},
): Promise<ChainCheck> {
  const r = await walkAuditLog(db, typeof opts === 'number' ? { pageSize: opts } : opts);
  if (r.ok) return { ok: true, count: r.count };
  return {
    ok: false,
    count: r.count,
    seq: r.seq,
    problem: r.problem,
    ...(r.cannotVerify ? { cannotVerify: true } : {}),
  };
}

export type AuditQuery = {
  orgId?: string;
  action?: string;
  target?: string;
  actor?: string;
  limit?: number;
  /** Keyset paging: entries older than this seq (the next page, newest first)… */
  beforeSeq?: number;
  /** …or newer than this seq (the previous page; still answered newest first). */
  afterSeq?: number;
  /** Entries at or after `from` and before `to` (UTC instants). */
  from?: Date;
  to?: Date;

  /** The organizations the reader may see ('all' for group owners); rows of others are never returned. */
  scope?: 'all' | string[];
};

function auditWhere(q: AuditQuery): Sql[] {
  const where: Sql[] = [];
  if (q.scope && q.scope !== 'all') where.push(sql`org_id = ANY(${q.scope}::text[])`);
  if (q.orgId) where.push(sql`org_id = ${q.orgId}`);
  if (q.action) where.push(sql`action LIKE ${`${q.action.replace(/[%_\\]/g, '')}%`}`);
  if (q.target) where.push(sql`target = ${q.target}`);
  if (q.actor) where.push(sql`actor = ${q.actor}`);
  if (q.from) where.push(sql`at >= ${q.from.toISOString()}`);
  if (q.to) where.push(sql`at < ${q.to.toISOString()}`);
  if (q.beforeSeq) where.push(sql`seq < ${q.beforeSeq}`);
  if (q.afterSeq) where.push(sql`seq > ${q.afterSeq}`);
  return where;
}

/** One page of matching entries, newest first (by seq, never OFFSET: an index walk from the key). */
export async function searchAudit(db: Db, q: AuditQuery): Promise<AuditRow[]> {
  const where = auditWhere(q);
  // The previous page walks up from its key and is turned round.
  const up = q.afterSeq !== undefined && q.beforeSeq === undefined;
  const { text, params } = sql`SELECT * FROM audit_log ${
    where.length ? sql`WHERE ${sql.join(where, ' AND ')}` : sql.empty
  } ORDER BY seq ${up ? sql`ASC` : sql`DESC`} LIMIT ${Math.min(q.limit ?? 100, 5001)}`.render();
  const rows = await db.query<AuditRow>(text, params);
  return up ? rows.reverse() : rows;
}

/**
 * Every matching entry, newest first, as a stream of pages read by key (1,000 a statement): an export of
 * the whole log holds one page in memory, never the log.
 */
export async function* streamAudit(db: Db, q: Omit<AuditQuery, 'limit' | 'afterSeq'>, page = 1000) {
  let before = q.beforeSeq;
  for (;;) {
    const rows = await searchAudit(db, { ...q, beforeSeq: before, limit: page });
    for (const r of rows) yield r;
    if (rows.length < page) return;
    before = Number(rows[rows.length - 1]!.seq);
  }
}

const csvCell = (v: unknown) => {
  const s = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  // Quote always; neutralise spreadsheet formulas.
  return `"${(/^[=+\-@\t\r]/.test(s) ? `'${s}` : s).replace(/"/g, '""')}"`;
};

/** An audit entry as the API answers it (ids and hashes; the chain's links are checked by `verifyAuditChain`). */
export const auditEntryOf = (r: AuditRow) => ({
  seq: Number(r.seq),
  at: new Date(r.at).toISOString(),
  actor: r.actor,
  orgId: r.org_id,
  action: r.action,
  target: r.target,
  reason: r.reason,
  details: r.details,
  hash: r.hash,
});

export const AUDIT_CSV_HEAD = 'seq,at,actor,org_id,action,target,reason,details,prev_hash,hash\r\n';

/** One entry as a CSV line (CRLF-ended). */
export function auditCsvLine(r: AuditRow): string {
  return `${[
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
    .join(',')}\r\n`;
}

export function auditCsv(rows: AuditRow[]): string {
  return AUDIT_CSV_HEAD + rows.map(auditCsvLine).join('');
}
