/**
 * The audit log as a caller may search it (the API, its CSV export and the console page share this):
 * entries of the companies where the caller holds audit:read, narrowed in SQL; entries of no company
 * (sign-ins, the register, group-wide changes) only for callers who hold audit:read in every company.
 * The search itself is audited.
 */
import { forbidden } from '../../core/errors.ts';
import { type Caller, type Group, groupListScope } from '../../core/policies/policy.ts';
import { auditEntryPolicy } from '../../core/policies/resources.ts';
import type { Db } from '../../storage/db.ts';
import { type AuditRow, recordAudit, searchAudit } from './auditLog.ts';

export type AuditSearch = {
  action?: string;
  actor?: string;
  org?: string;
  target?: string;
  limit: number;
  /** 'export' records an audit.export entry instead of audit.search. */
  purpose?: 'search' | 'export';
};

export async function searchAuditAs(
  db: Db,
  caller: Caller,
  group: Group,
  q: AuditSearch,
): Promise<{ rows: AuditRow[]; scope: 'all' | string[] }> {
  const scope = groupListScope(caller.principal, auditEntryPolicy.actions.read, group);
  if (q.org && scope !== 'all' && !scope.includes(q.org))
    throw forbidden(`You do not have 'audit:read' in organization '${q.org.slice(0, 64)}'.`);
  const rows = await searchAudit(db, {
    action: q.action,
    actor: q.actor,
    orgId: q.org,
    target: q.target,
    limit: q.limit,
    scope,
  });
  await recordAudit(db, {
    actor: caller.actor,
    orgId: q.org ?? null,
    action: q.purpose === 'export' ? 'audit.export' : 'audit.search',
    details: { rows: rows.length, filters: { action: q.action, org: q.org } },
  });
  return { rows, scope };
}
