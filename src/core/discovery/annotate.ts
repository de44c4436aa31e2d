/**
 * From discovery's findings to the dataset annotation: the draft (`ombud dataset discover`) is the schema's
 * draft (core/fulfilment/generate.ts) with each discovered column's fideslang category, identity and a
 * description that carries the kind, the counts and the confidence; the drift (`ombud dataset validate`)
 * is every discovered column that an annotation leaves out or marks as not personal data.
 */
import type { Dataset, DatasetFinding, Field } from '../fulfilment/dataset.ts';
import { draftDataset } from '../fulfilment/generate.ts';
import type { LiveSchema } from '../fulfilment/live-schema.ts';
import { isOwnTable } from '../fulfilment/own-tables.ts';
import { type ColumnFinding, KIND_LABEL } from './columns.ts';

const IDENTITY: Partial<Record<ColumnFinding['kind'], 'email' | 'phone_number' | 'customer_number'>> = {
  email: 'email',
  phone: 'phone_number',
  'customer-number': 'customer_number',
};

/** One line about a finding: the kind, the counts and the confidence (never a value). */
export function describeFinding(f: ColumnFinding): string {
  const contains = Object.entries(f.contains ?? {})
    .map(([k, v]) => `${k} in ${v}`)
    .join(', ');
  const what =
    f.kind === 'free-text'
      ? `free text${contains ? ` holding ${contains}` : ''} of ${f.sampled} sampled values`
      : `${KIND_LABEL[f.kind]} in ${f.matched} of ${f.sampled} sampled values`;
  return `${what} (confidence ${f.confidence.toFixed(2)})`;
}

const key = (table: string, column: string) => `${table}\u0000${column}`;

/** The draft annotation of a live database with what discovery found in its columns. */
export function draftDiscovered(
  datasetKey: string,
  system: string,
  live: LiveSchema,
  findings: readonly ColumnFinding[],
): Dataset {
  const byColumn = new Map(findings.map((f) => [key(f.table, f.column), f]));
  const draft = draftDataset(datasetKey, system, live);
  draft.description =
    'Drafted by ombud dataset discover from a sample of each column: review the categories, identities and the columns with a low confidence.';
  for (const c of draft.collections) {
    c.fields = c.fields.map((field): Field => {
      const f = byColumn.get(key(c.name, field.name));
      if (!f) return field;
      const meta = { ...field.fides_meta };
      const identity = IDENTITY[f.kind];
      if (identity && !meta.primary_key) meta.identity = identity;
      else delete meta.identity;
      return {
        ...field,
        description: `Discovered: ${describeFinding(f)}.`,
        data_categories: [f.category],
        fides_meta: meta,
      };
    });
  }
  return draft;
}

export type DriftFinding = DatasetFinding & { table: string; column: string; kind: ColumnFinding['kind'] };

const personal = (categories: readonly string[]) => categories.some((c) => !c.startsWith('system.'));

/**
 * Columns that hold personal data but are not annotated as such: a table the annotation leaves out, a
 * column its collection leaves out, or a field of only `system.*` categories. Warnings, located at the
 * collection or the field.
 */
export function discoveryDrift(dataset: Dataset, findings: readonly ColumnFinding[]): DriftFinding[] {
  const out: DriftFinding[] = [];
  for (const f of findings) {
    if (isOwnTable(f.table)) continue;
    const c = dataset.collections.find((x) => x.name === f.table);
    const field = c?.fields.find((x) => x.name === f.column);
    const base = { severity: 'warning' as const, table: f.table, column: f.column, kind: f.kind };
    const hint = `Annotate it with ${f.category} (or the category that fits better).`;
    if (!c)
      out.push({
        ...base,
        path: dataset.fides_key,
        message: `Table '${f.table}' is not annotated, but its column '${f.column}' holds personal data: ${describeFinding(f)}.`,
        hint,
      });
    else if (!field)
      out.push({
        ...base,
        path: `${dataset.fides_key}.${c.name}`,
        message: `Column '${f.column}' of '${f.table}' is not annotated, but holds personal data: ${describeFinding(f)}.`,
        hint,
      });
    else if (!personal(field.data_categories))
      out.push({
        ...base,
        path: `${dataset.fides_key}.${c.name}.${field.name}`,
        message: `Column '${f.column}' of '${f.table}' is annotated as not personal data (${field.data_categories.join(', ') || 'no category'}), but holds personal data: ${describeFinding(f)}.`,
        hint,
      });
  }
  return out;
}
