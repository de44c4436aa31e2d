/**
 * A company's analytics exports, newest first, with what each guaranteed (filtered in SQL to the companies
 * where the caller holds analytics:read); reading the list is audited per company shown.
 */
import { type Caller, listScope } from '../../core/policies/policy.ts';
import { analyticsExportPolicy } from '../../core/policies/resources.ts';
import type { Db } from '../../storage/db.ts';
import { recordAudit } from '../audit/auditLog.ts';
import { type AnalyticsExport, EXPORT_COLUMNS, type ExportRow, exportOf } from './store.ts';

export async function listAnalyticsExports(
  db: Db,
  caller: Caller,
  q: { orgId?: string; limit?: number } = {},
): Promise<AnalyticsExport[]> {
  const scope = listScope(caller.principal, analyticsExportPolicy.actions.read);
  const rows = await db.query<ExportRow>(
    `SELECT ${EXPORT_COLUMNS} FROM analytics_exports
      WHERE ($1::text[] IS NULL OR org_id = ANY($1::text[])) AND ($2::text IS NULL OR org_id = $2)
      ORDER BY created_at DESC, id LIMIT $3`,
    [scope === 'all' ? null : scope, q.orgId ?? null, q.limit ?? 200],
  );
  for (const orgId of new Set(rows.map((r) => r.org_id)))
    await recordAudit(db, {
      actor: caller.actor,
      orgId,
      action: 'analytics.list',
      details: { count: rows.length },
    });
  return rows.map(exportOf);
}
