/**
 * Dataset annotation files with every problem located at file:line:column: YAML syntax, the schema, the
 * retention annotations (planRetention's findings) and, given a register, the dataset checks of
 * validate.ts that concern retention (unknown or non-legal rules under `rules:`). Pure: the caller reads
 * the files.
 */
import { type Document, LineCounter, parseDocument } from 'yaml';
import { yamlPosition, yamlSyntaxFindings } from '../yamlPosition.ts';
import { type Dataset, datasetFileSchema } from '../fulfilment/dataset.ts';
import type { Register } from '../register/schema.ts';
import { planRetention } from './plan.ts';

export type DatasetSource = { path: string; text: string };
export type LocatedDatasetFinding = {
  severity: 'error' | 'warning';
  file: string;
  line: number;
  column: number;
  message: string;
  hint?: string;
};

type Parsed = { source: DatasetSource; doc: Document; lines: LineCounter; datasets: Dataset[] };

export const formatFinding = (f: LocatedDatasetFinding) =>
  `${f.file}:${f.line}:${f.column}: ${f.severity}: ${f.message}${f.hint ? ` ${f.hint}` : ''}`;

/**
 * Where a dataset finding's dotted path (`<dataset>.<collection>.<field>.<key>…`, as validate.ts names
 * them) stands in the files: the deepest node of it that exists.
 */
function locatePath(
  parsed: Parsed[],
  path: string,
): { file: string; line: number; column: number } | undefined {
  const [key, ...rest] = path.split('.');
  for (const p of parsed) {
    const di = p.datasets.findIndex((d) => d.fides_key === key);
    if (di < 0) continue;
    const at: (string | number)[] = ['dataset', di];
    const d = p.datasets[di]!;
    let used = 0;
    const ci = d.collections.findIndex((c) => c.name === rest[0]);
    if (ci >= 0) {
      at.push('collections', ci);
      used = 1;
      const fi = d.collections[ci]!.fields.findIndex((f) => f.name === rest[1]);
      if (fi >= 0) {
        at.push('fields', fi);
        used = 2;
      }
    }
    return { file: p.source.path, ...yamlPosition(p, [...at, ...rest.slice(used)]) };
  }
  return undefined;
}

export function parseDatasetSources(
  sources: DatasetSource[],
  opts: { register?: Register } = {},
): {
  datasets: Dataset[];
  findings: LocatedDatasetFinding[];
  /** Where a finding's dotted path (validate.ts) stands in the files; undefined for a dataset not in them. */
  locate: (path: string) => { file: string; line: number; column: number } | undefined;
} {
  const findings: LocatedDatasetFinding[] = [];
  const parsed: Parsed[] = [];
  for (const source of sources) {
    const lines = new LineCounter();
    const doc = parseDocument(source.text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    if (doc.errors.length) {
      findings.push(...yamlSyntaxFindings({ doc, lines }, source.path));
      continue;
    }
    const result = datasetFileSchema.safeParse(doc.toJS());
    if (!result.success) {
      for (const issue of result.error.issues) {
        const path = issue.path.map((k) => (typeof k === 'symbol' ? String(k) : k));
        const at = issue.code === 'unrecognized_keys' ? [...path, issue.keys[0]!] : path;
        findings.push({
          severity: 'error',
          file: source.path,
          ...yamlPosition({ doc, lines }, at),
          message: `${path.join('.') || '(file)'}: ${issue.message}`,
        });
      }
      continue;
    }
    parsed.push({ source, doc, lines, datasets: result.data.dataset });
  }
  const datasets = parsed.flatMap((p) => p.datasets);
  if (opts.register && findings.length === 0) {
    const where = (fidesKey: string) => {
      for (const p of parsed) {
        const i = p.datasets.findIndex((d) => d.fides_key === fidesKey);
        if (i >= 0) return { p, i };
      }
      return undefined;
    };
    const rules = opts.register.retentionRules;
    for (const f of planRetention(datasets, rules, '2000-01-01').findings) {
      const w = where(f.dataset);
      findings.push({
        severity: f.severity,
        file: w?.p.source.path ?? f.dataset,
        ...(w ? yamlPosition(w.p, ['dataset', w.i, ...f.path]) : { line: 1, column: 1 }),
        message: `${f.where}: ${f.message}`,
        ...(f.hint ? { hint: f.hint } : {}),
      });
    }
    // Legal rules under `rules:` must be legal rules of the register (as ombud dataset validate says).
    for (const p of parsed)
      p.datasets.forEach((d, di) =>
        d.collections.forEach((c, ci) =>
          c.ombud?.retention?.rules.forEach((r, ri) => {
            const rule = rules.find((x) => x.id === r.rule);
            if (rule?.kind === 'legal') return;
            findings.push({
              severity: 'error',
              file: p.source.path,
              ...yamlPosition(p, [
                'dataset',
                di,
                'collections',
                ci,
                'ombud',
                'retention',
                'rules',
                ri,
                'rule',
              ]),
              message: `${d.fides_key}.${c.name}: ${rule ? `Retention rule '${r.rule}' is not a legal rule.` : `Unknown retention rule '${r.rule}'.`}`,
              hint: rule
                ? `Only legal rules keep rows under rules:; a purpose rule goes under purpose: { rule: ${r.rule}, trigger_field: … }.`
                : `Legal rules of the register: ${rules
                    .filter((x) => x.kind === 'legal')
                    .map((x) => x.id)
                    .join(', ')}.`,
            });
          }),
        ),
      );
  }
  return { datasets, findings, locate: (path) => locatePath(parsed, path) };
}
