import { describeFinding, draftDiscovered } from '../../core/discovery/annotate.ts';
import { KIND_LABEL } from '../../core/discovery/columns.ts';
import { datasetToYaml } from '../../core/fulfilment/generate.ts';
import { discoverColumns, MAX_SAMPLE } from '../../services/discovery/discoverColumns.ts';
import type { COMMANDS } from '../commands.ts';
import { openConnection } from '../connections.ts';
import { printJson } from '../io.ts';
import { type Run, UsageError } from '../spec.ts';

/**
 * Samples every column of a live database and prints the draft annotation with what was found: YAML (a
 * summary of the findings as comments at its head) or, with --json, the findings and the annotation.
 * Kinds and counts only: no value is printed.
 */
export const run: Run<(typeof COMMANDS)['dataset discover']> = async ({ values }, io) => {
  const sample = Number(values.sample);
  if (!Number.isInteger(sample) || sample < 1 || sample > MAX_SAMPLE)
    throw new UsageError(`--sample takes a whole number from 1 to ${MAX_SAMPLE}.`);
  const system = values.system ?? values.key.replace(/_/g, '-');
  const c = await openConnection(values.connection, 'connection');
  try {
    const d = await discoverColumns(c, { sample });
    const annotation = draftDiscovered(values.key, system, d.live, d.findings);
    if (values.json) {
      printJson(io, {
        dataset: values.key,
        columnsSampled: d.columnsSampled,
        valuesSampled: d.valuesSampled,
        unreadable: d.unreadable,
        findings: d.findings,
        annotation,
      });
      return 0;
    }
    const head = [
      `# ombud dataset discover: ${d.columnsSampled} columns sampled (${d.valuesSampled} values, at most ${sample} a column), ${d.findings.length} hold personal data.`,
      ...d.findings.map(
        (f) => `#   ${f.table}.${f.column}: ${KIND_LABEL[f.kind]} → ${f.category}; ${describeFinding(f)}`,
      ),
      ...d.unreadable.map((u) => `#   ${u.table}.${u.column}: could not be read`),
    ];
    io.out(`${head.join('\n')}\n${datasetToYaml([annotation])}`);
    return 0;
  } finally {
    await c.close();
  }
};
