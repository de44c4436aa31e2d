/**
 * The files of an analytics export, CSV, JSON and Parquet, with what the export guaranteed. Pure.
 *
 * An aggregate has a record per cell and per margin (a margin's dimension is "*"), each with its distinct
 * subjects, rows and measures, or, when suppressed, empty figures and the reason (below-k, complementary).
 * A rows export has a record per row: the series pseudonym and the export's columns, nothing else.
 */
import { parquetWriteBuffer } from 'hyparquet-writer';
import type { AggregateTable, Suppressed, SuppressionReason } from './suppress.ts';

export const TOTAL = '*';

export type Guarantee = {
  kind: 'aggregate' | 'rows';
  k: number | null;
  timePrecision: 'month' | 'day';
  /** Records in the file (cells and margins, or rows). */
  records: number;
  suppressed: { primary: number; complementary: number };
  /** Data subjects of the consent register left out, by reason, and let in by their consent (behaviour). */
  subjects: { restricted: number; objected: number; noConsent: number; consented: number | null };
  noise: {
    mechanism: 'laplace' | 'gaussian';
    epsilon: number;
    delta: number | null;
    budget: number;
    spent: number;
  } | null;
  pseudonym: { series: string; algorithm: 'HMAC-SHA256/128' } | null;
  excludes: string[];
};

export type OutRecord = Record<string, string | number | null>;

/** The aggregate's records: cells first (row by row), then row totals, column totals, the grand total. */
export function aggregateRecords(
  t: AggregateTable,
  s: Suppressed,
  names: { dimensions: string[]; measures: { name: string; op: 'sum' | 'avg' }[] },
  counts?: (subjects: number, rows: number) => { subjects: number; rows: number },
): OutRecord[] {
  const out: OutRecord[] = [];
  const dimsOf = (r: string, c: string): OutRecord => {
    const o: OutRecord = {};
    if (names.dimensions[0]) o[names.dimensions[0]] = r === '\0' ? null : r;
    if (names.dimensions[1]) o[names.dimensions[1]] = c === '\0' ? null : c;
    return o;
  };
  const push = (dims: OutRecord, e: AggregateTable['grand'] | undefined, why: SuppressionReason | null) => {
    const rec: OutRecord = { ...dims };
    if (why) {
      rec.subjects = null;
      rec.rows = null;
      for (const m of names.measures) rec[m.name] = null;
    } else {
      const subjects = e?.subjects ?? 0;
      const rows = e?.rows ?? 0;
      const c = counts ? counts(subjects, rows) : { subjects, rows };
      rec.subjects = c.subjects;
      rec.rows = c.rows;
      names.measures.forEach((m, i) => {
        const sum = e?.sums[i] ?? 0;
        rec[m.name] = m.op === 'sum' ? sum : rows ? Math.round((sum / rows) * 100) / 100 : null;
      });
    }
    rec.suppressed = why;
    out.push(rec);
  };
  const twoDims = names.dimensions.length === 2;
  const oneDim = names.dimensions.length === 1;
  t.rowKeys.forEach((r, i) =>
    t.colKeys.forEach((c, j) => {
      if (names.dimensions.length === 0) return;
      if (!twoDims && !oneDim) return;
      push(dimsOf(r, c), t.cells[i]?.[j], s.cells[i]![j]!);
    }),
  );
  if (twoDims) {
    t.rowKeys.forEach((r, i) => push(dimsOf(r, TOTAL), t.rowTotals[i], s.rowTotals[i]!));
    t.colKeys.forEach((c, j) => push(dimsOf(TOTAL, c), t.colTotals[j], s.colTotals[j]!));
  }
  push(dimsOf(TOTAL, TOTAL), t.grand, s.grand);
  return out;
}

function csvCell(v: string | number | null): string {
  if (v === null) return '';
  const s = String(v);
  // A cell a spreadsheet would run as a formula is quoted with a leading apostrophe.
  const safe = /^[=+\-@\t\r]/.test(s) && typeof v === 'string' ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function toCsv(columns: string[], records: OutRecord[]): string {
  const lines = [columns.map(csvCell).join(',')];
  for (const r of records) lines.push(columns.map((c) => csvCell(r[c] ?? null)).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

export function toJson(meta: Record<string, unknown>, guarantee: Guarantee, records: OutRecord[]): string {
  return `${JSON.stringify({ ...meta, guarantee, records }, null, 2)}\n`;
}

/** The Parquet key-value metadata key under which the file carries its guarantee (JSON), and its heading. */
export const PARQUET_GUARANTEE_KEY = 'ombud.guarantee';
export const PARQUET_EXPORT_KEY = 'ombud.export';

type ParquetType = 'STRING' | 'INT32' | 'DOUBLE';

/** A column's type from its values: text, whole numbers (INT32 while they fit), else doubles; all-null is text. */
function parquetType(values: (string | number | null)[]): ParquetType {
  if (values.some((v) => typeof v === 'string')) return 'STRING';
  const nums = values.filter((v): v is number => typeof v === 'number');
  return nums.every((v) => Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 31) && nums.length
    ? 'INT32'
    : nums.length
      ? 'DOUBLE'
      : 'STRING';
}

/**
 * The same records as a Parquet file: one typed, nullable column per column (a suppressed figure is null), and
 * what the export guaranteed as JSON in the file's key-value metadata (PARQUET_GUARANTEE_KEY), with the
 * export's heading (company, purpose, export, title, createdAt) under PARQUET_EXPORT_KEY.
 */
export function toParquet(
  meta: Record<string, unknown>,
  guarantee: Guarantee,
  columns: string[],
  records: OutRecord[],
): Uint8Array {
  const columnData = columns.map((name) => {
    const values = records.map((r) => r[name] ?? null);
    const type = parquetType(values);
    const data = type === 'STRING' ? values.map((v) => (v === null ? null : String(v))) : values;
    return { name, data, type, nullable: true };
  });
  return new Uint8Array(
    parquetWriteBuffer({
      columnData,
      kvMetadata: [
        { key: PARQUET_GUARANTEE_KEY, value: JSON.stringify(guarantee) },
        { key: PARQUET_EXPORT_KEY, value: JSON.stringify(meta) },
      ],
      createdBy: 'Ombud',
    }),
  );
}
