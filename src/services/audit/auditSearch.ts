/**
 * The audit log as a caller may search it (the API, its exports and the console page share this):
 * entries of the companies where the caller holds audit:read, narrowed in SQL; entries of no company
 * (sign-ins, the register, group-wide changes) only for callers who hold audit:read in every company.
 * Pages are keyset pages by seq (newest first); exports stream every matching entry. The search itself
 * is audited.
 */
import { forbidden } from '../../core/errors.ts';
import { type Caller, type Group, groupListScope } from '../../core/policies/policy.ts';
import { auditEntryPolicy } from '../../core/policies/resources.ts';
import type { Db } from '../../storage/db.ts';
import { type AuditQuery, type AuditRow, recordAudit, searchAudit, streamAudit } from './auditLog.ts';

export type AuditSearch = {
  action?: string;
  actor?: string;
  org?: string;
  target?: string;
  /** Entries on or after this day / before the end of this day (YYYY-MM-DD, UTC). */
  from?: string;
  to?: string;
  /** Keyset paging: older than `before`, or newer than `after`. */
  before?: number;
  after?: number;
  limit: number;
  /** 'export' records an audit.export entry instead of audit.search. */
  purpose?: 'search' | 'export';
};

export type AuditPage = {
  rows: AuditRow[];
  scope: 'all' | string[];
  /** The keys of the neighbouring pages, when there are entries there. */
  older?: number;
  newer?: number;
};

const DAY = 86_400_000;

function queryOf(caller: Caller, group: Group, q: AuditSearch): AuditQuery & { scope: 'all' | string[] } {
  const scope = groupListScope(caller.principal, auditEntryPolicy.actions.read, group);
  if (q.org && scope !== 'all' && !scope.includes(q.org))
    throw forbidden(`You do not have 'audit:read' in organization '${q.org.slice(0, 64)}'.`);
  return {
    action: q.action,
    actor: q.actor,
    orgId: q.org,
    target: q.target,
    from: q.from ? new Date(`${q.from}T00:00:00Z`) : undefined,
    to: q.to ? new Date(new Date(`${q.to}T00:00:00Z`).getTime() + DAY) : undefined,
    scope,
  };
}

const filtersOf = (q: AuditSearch) => ({ action: q.action, org: q.org, from: q.from, to: q.to });

/** One page, newest first; one entry more is read to know whether the page has a neighbour. */
export async function searchAuditAs(
  db: Db,
  caller: Caller,
  group: Group,
  q: AuditSearch,
): Promise<AuditPage> {
  const base = queryOf(caller, group, q);
  const up = q.after !== undefined && q.before === undefined;
  const found = await searchAudit(db, {
    ...base,
    beforeSeq: up ? undefined : q.before,
    afterSeq: up ? q.after : undefined,
    limit: q.limit + 1,
  });
  const more = found.length > q.limit;
  // Walking up, the extra entry is the newest (first); walking down, the oldest (last).
  const rows = more ? (up ? found.slice(1) : found.slice(0, q.limit)) : found;
  const first = rows[0];
  const last = rows[rows.length - 1];
  await recordAudit(db, {
    actor: caller.actor,
    orgId: q.org ?? null,
    action: q.purpose === 'export' ? 'audit.export' : 'audit.search',
    details: { rows: rows.length, filters: filtersOf(q) },
  });
  return {
    rows,
    scope: base.scope,
    older: last && (up || more) ? Number(last.seq) : undefined,
    newer: first && (up ? more : q.before !== undefined) ? Number(first.seq) : undefined,
  };
}

/**
 * Every matching entry for an export, streamed newest first. The export is audited when it starts
 * (its filters; the row count is the stream's).
 */
export async function exportAuditAs(
  db: Db,
  caller: Caller,
  group: Group,
  q: Omit<AuditSearch, 'limit' | 'before' | 'after' | 'purpose'> & { format: 'csv' | 'json' },
): Promise<AsyncGenerator<AuditRow>> {
  const base = queryOf(caller, group, { ...q, limit: 0 });
  await recordAudit(db, {
    actor: caller.actor,
    orgId: q.org ?? null,
    action: 'audit.export',
    details: { format: q.format, filters: filtersOf({ ...q, limit: 0 }) },
  });
  return streamAudit(db, base);
}
