import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { LiveSchema } from '../../core/fulfilment/live-schema.ts';
import { discoveryDrift } from '../../core/discovery/annotate.ts';
import type { DatasetFinding } from '../../core/fulfilment/dataset.ts';
import { validateDatasets } from '../../core/fulfilment/validate.ts';
import {
  type DatasetSource,
  formatFinding,
  type LocatedDatasetFinding,
  parseDatasetSources,
} from '../../core/retention/annotations.ts';
import type { Register } from '../../core/register/schema.ts';
import { discoverColumns } from '../../services/discovery/discoverColumns.ts';
import { readRegisterDir } from '../../services/register/readRegisterDir.ts';
import type { COMMANDS } from '../commands.ts';
import { openConnection } from '../connections.ts';
import { printJson } from '../io.ts';
import { type Run, UsageError } from '../spec.ts';

/** The files named: a folder stands for its YAML files; a path that is not there is a usage error. */
async function readSources(paths: string[]): Promise<DatasetSource[]> {
  const out: DatasetSource[] = [];
  for (const p of paths) {
    const st = await stat(p).catch(() => undefined);
    if (!st) throw new UsageError(`no such file or folder: ${p}`);
    if (st.isDirectory()) {
      const files = (await readdir(p)).filter((f) => /\.ya?ml$/.test(f)).sort();
      if (files.length === 0) throw new UsageError(`the folder ${p} holds no .yaml files.`);
      for (const f of files) out.push({ path: join(p, f), text: await readFile(join(p, f), 'utf8') });
    } else out.push({ path: p, text: await readFile(p, 'utf8') });
  }
  return out;
}

/**
 * Checks the annotations against themselves, each live database (--connection dataset_key=URL) and the
 * register. Every finding is located at file:line:column (YAML, the schema, then the checks beyond it, run
 * once every file parses). Exit 1 on any error.
 */
export const run: Run<(typeof COMMANDS)['dataset validate']> = async ({ values, positionals }, io) => {
  const sources = await readSources(positionals);
  const parsed = parseDatasetSources(sources);
  const { datasets } = parsed;
  let findings: LocatedDatasetFinding[] = parsed.findings;
  if (findings.length === 0) {
    const live = new Map<string, LiveSchema>();
    const drift: DatasetFinding[] = [];
    for (const spec of values.connection) {
      const eq = spec.indexOf('=');
      const [key, url] = eq > 0 ? [spec.slice(0, eq), spec.slice(eq + 1)] : [datasets[0]!.fides_key, spec];
      const c = await openConnection(url, 'connection');
      try {
        const schema = await c.describe();
        live.set(key, schema);
        const dataset = datasets.find((d) => d.fides_key === key);
        // Drift: personal data found by sampling the database that the annotation does not declare.
        if (dataset && !values['no-drift']) {
          const found = await discoverColumns(c, { live: schema });
          drift.push(...discoveryDrift(dataset, found.findings));
        }
      } finally {
        await c.close();
      }
    }
    let register: Register | undefined;
    if (values.register) {
      const r = await readRegisterDir(values.register);
      if (!r.register) {
        io.err('ombud dataset validate: the register does not parse; run ombud register validate first.');
        if (values.json) printJson(io, { ok: false, registerParses: false });
        return 1;
      }
      register = r.register;
    }
    findings = [...validateDatasets(datasets, { live, register }), ...drift].map((f) => ({
      severity: f.severity,
      ...(parsed.locate(f.path) ?? { file: f.path, line: 1, column: 1 }),
      message: `${f.path}: ${f.message}`,
      ...(f.hint ? { hint: f.hint } : {}),
    }));
  }
  const errors = findings.filter((f) => f.severity === 'error').length;
  const collections = datasets.reduce((n, d) => n + d.collections.length, 0);
  if (values.json) {
    printJson(io, {
      ok: errors === 0,
      datasets: datasets.length,
      collections,
      errors,
      warnings: findings.length - errors,
      findings,
    });
    return errors ? 1 : 0;
  }
  for (const f of findings) (f.severity === 'error' ? io.err : io.out)(formatFinding(f));
  io.out(`${datasets.length} datasets, ${collections} collections: ${errors} errors.`);
  return errors ? 1 : 0;
};
