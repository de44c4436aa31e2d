import type { LiveSchema } from '../../core/fulfilment/live-schema.ts';
import { validateDatasets } from '../../core/fulfilment/validate.ts';
import type { Register } from '../../core/register/schema.ts';
import { readDatasetFiles } from '../../services/fulfilment/datasets.ts';
import { readRegisterDir } from '../../services/register/readRegisterDir.ts';
import type { COMMANDS } from '../commands.ts';
import { openConnection } from '../connections.ts';
import { printJson } from '../io.ts';
import type { Run } from '../spec.ts';

/**
 * Checks the annotations against themselves, each live database (--connection dataset_key=URL) and the
 * register. Exit 1 on any error.
 */
export const run: Run<(typeof COMMANDS)['dataset validate']> = async ({ values, positionals }, io) => {
  const datasets = await readDatasetFiles(positionals);
  const live = new Map<string, LiveSchema>();
  for (const spec of values.connection) {
    const eq = spec.indexOf('=');
    const [key, url] = eq > 0 ? [spec.slice(0, eq), spec.slice(eq + 1)] : [datasets[0]!.fides_key, spec];
    const c = await openConnection(url, 'connection');
    try {
      live.set(key, await c.describe());
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
  const findings = validateDatasets(datasets, { live, register });
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
  for (const f of findings)
    (f.severity === 'error' ? io.err : io.out)(
      `${f.severity}: ${f.path}: ${f.message}${f.hint ? ` ${f.hint}` : ''}`,
    );
  io.out(`${datasets.length} datasets, ${collections} collections: ${errors} errors.`);
  return errors ? 1 : 0;
};
