/**
 * One analytics export's file (the download): decided on its company first, then read; the read is audited
 * (the file is pseudonymised or aggregate data of the company's customers).
 */
import { type Caller, readAuthorized } from '../../core/policies/policy.ts';
import { analyticsExportPolicy } from '../../core/policies/resources.ts';
import type { Db } from '../../storage/db.ts';
import { recordAudit } from '../audit/auditLog.ts';
import { type AnalyticsExport, EXPORT_COLUMNS, type ExportRow, exportOf, mediaTypeOf } from './store.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function getAnalyticsExport(
  db: Db,
  caller: Caller,
  orgIds: readonly string[],
  id: string,
): Promise<{ export: AnalyticsExport; body: string | Uint8Array; mediaType: string }> {
  const [head] = UUID.test(id)
    ? await db.query<{ id: string; org_id: string }>(
        'SELECT id, org_id FROM analytics_exports WHERE id = $1',
        [id],
      )
    : [];
  const found = await readAuthorized(
    caller,
    analyticsExportPolicy,
    head ?? { id, org_id: '' },
    { orgIds },
    async () =>
      head
        ? (
            await db.query<ExportRow & { body: string | null; body_bytes: Uint8Array | null }>(
              `SELECT ${EXPORT_COLUMNS}, body, body_bytes FROM analytics_exports WHERE id = $1`,
              [id],
            )
          )[0]
        : undefined,
  );
  await recordAudit(db, {
    actor: caller.actor,
    orgId: found.org_id,
    action: 'analytics.download',
    target: `analytics-export:${found.id}`,
  });
  return {
    export: exportOf(found),
    // A Parquet file is kept as bytes, CSV and JSON as text.
    body: found.body ?? new Uint8Array(found.body_bytes!),
    mediaType: mediaTypeOf(found.format),
  };
}
