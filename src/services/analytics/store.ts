/**
 * Analytics exports in Ombud's database (migration 0710): the series (pseudonym keys), the exports with what
 * each guaranteed, the budget each purpose has spent.
 */
import type { Dataset } from '../../core/fulfilment/dataset.ts';
import type { RegisterIndex } from '../../core/register/register-index.ts';
import type { Guarantee } from '../../core/analytics/output.ts';
import type { Db } from '../../storage/db.ts';
import type { Connectors } from '../fulfilment/engine.ts';

/** What the analytics use cases need: Ombud's database, the register, the group's databases, the keys. */
export type AnalyticsDeps = {
  db: Db;
  index: RegisterIndex;
  datasets: Dataset[];
  connectors: Connectors;
  /** The installation secret (OMBUD_SECRET or the one Ombud keeps). */
  secret: string;
  /** OMBUD_SECRET_KEYS, when set. */
  secretKeys?: string;
  now: () => Date;
  /** Uniform numbers in (0, 1) for noise; default crypto-random. */
  uniform?: () => number;
};

export type AnalyticsExport = {
  id: string;
  orgId: string;
  purposeId: string;
  exportId: string;
  kind: 'aggregate' | 'rows';
  format: 'csv' | 'json' | 'parquet';
  seriesId: string | null;
  guarantee: Guarantee;
  createdBy: string;
  createdAt: Date;
};

export type ExportRow = {
  id: string;
  org_id: string;
  purpose_id: string;
  export_id: string;
  kind: 'aggregate' | 'rows';
  format: 'csv' | 'json' | 'parquet';
  series_id: string | null;
  guarantee: Guarantee;
  created_by: string;
  created_at: Date;
};

export const EXPORT_COLUMNS =
  'id, org_id, purpose_id, export_id, kind, format, series_id, guarantee, created_by, created_at';

export const exportOf = (r: ExportRow): AnalyticsExport => ({
  id: r.id,
  orgId: r.org_id,
  purposeId: r.purpose_id,
  exportId: r.export_id,
  kind: r.kind,
  format: r.format,
  seriesId: r.series_id,
  guarantee: r.guarantee,
  createdBy: r.created_by,
  createdAt: new Date(r.created_at),
});

/** The media type of an export's file. */
export function mediaTypeOf(format: AnalyticsExport['format']): string {
  if (format === 'csv') return 'text/csv; charset=utf-8';
  if (format === 'parquet') return 'application/vnd.apache.parquet';
  return 'application/json; charset=utf-8';
}
