/**
 * Discovery of personal data in a live database (`ombud dataset discover`, drift in `ombud dataset
 * validate`): each column of each table is sampled inside the database (at most `sample` non-null values,
 * each cut to 1,000 characters, read as text) and classified by the pure rules of core/discovery. The
 * values stay in this function's memory: nothing is written, logged or returned but kinds and counts.
 */
import { type ColumnFinding, classifyColumn, sampledType } from '../../core/discovery/columns.ts';
import { isOwnTable } from '../../core/fulfilment/own-tables.ts';
import type { LiveSchema } from '../../core/fulfilment/live-schema.ts';
import { sql } from '../../storage/sql.ts';
import { select } from '../fulfilment/connectors/run.ts';
import type { SqlConnector } from '../fulfilment/connectors/types.ts';

export const DEFAULT_SAMPLE = 200;
export const MAX_SAMPLE = 5000;

export type Discovery = {
  live: LiveSchema;
  /** Columns sampled (own tables and types that say nothing by content left out) and values read in all. */
  columnsSampled: number;
  valuesSampled: number;
  /** Columns that could not be read (the database refused the statement): table and column only. */
  unreadable: { table: string; column: string }[];
  findings: ColumnFinding[];
};

/** Sample and classify every column of the connected database. */
export async function discoverColumns(
  c: SqlConnector,
  opts: { sample?: number; live?: LiveSchema } = {},
): Promise<Discovery> {
  const limit = Math.max(1, Math.min(MAX_SAMPLE, Math.floor(opts.sample ?? DEFAULT_SAMPLE)));
  const live = opts.live ?? (await c.describe());
  const out: Discovery = { live, columnsSampled: 0, valuesSampled: 0, unreadable: [], findings: [] };
  for (const col of live.columns) {
    if (isOwnTable(col.table) || !sampledType(col.dataType)) continue;
    const column = sql.id(col.column);
    let values: string[];
    try {
      const rows = await select<{ v: string | null }>(
        c,
        sql`SELECT LEFT(${c.dialect.asText(column)}, 1000) AS v FROM ${sql.id(col.table)}
             WHERE ${column} IS NOT NULL LIMIT ${sql.raw(String(limit))}`,
      );
      values = rows.map((r) => (r.v === null ? '' : String(r.v)));
    } catch {
      // The driver's message may quote the statement; only the column is named.
      out.unreadable.push({ table: col.table, column: col.column });
      continue;
    }
    out.columnsSampled++;
    out.valuesSampled += values.length;
    const finding = classifyColumn(col, values);
    if (finding) out.findings.push(finding);
  }
  return out;
}
