import { parseArgs } from 'node:util';
import type { LiveSchema } from '../../core/fulfilment/live-schema.ts';
import { validateDatasets } from '../../core/fulfilment/validate.ts';
import { openConnector } from '../../services/fulfilment/connectors/registry.ts';
import { readDatasetFiles } from '../../services/fulfilment/datasets.ts';
import { readRegisterDir } from '../../services/register/readRegisterDir.ts';
import type { CliIo } from '../io.ts';

/**
 * ombud dataset validate FILE… [--connection KEY=URL]… [--register DIR]
 * Checks the annotations against themselves, each live database (--connection dataset_key=URL) and the
 * register. Exit 1 on any error.
 */
export async function run(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { connection: { type: 'string', multiple: true }, register: { type: 'string' } },
  });
  if (positionals.length === 0) {
    io.err(
      'ombud dataset validate: give the dataset files, e.g. ombud dataset validate examples/nestit/datasets/webshop.yaml --connection nestit_webshop=postgres://… --register examples/nestit/register',
    );
    return 2;
  }
  const datasets = await readDatasetFiles(positionals);
  const live = new Map<string, LiveSchema>();
  for (const spec of values.connection ?? []) {
    const eq = spec.indexOf('=');
    const [key, url] = eq > 0 ? [spec.slice(0, eq), spec.slice(eq + 1)] : [datasets[0]!.fides_key, spec];
    const c = await openConnector(url);
    try {
      live.set(key, await c.describe());
    } finally {
      await c.close();
    }
  }
  let register: import('../../core/register/schema.ts').Register | undefined;
  if (values.register) {
    const r = await readRegisterDir(values.register);
    if (!r.register) {
      io.err('ombud dataset validate: the register does not parse; run ombud register validate first.');
      return 1;
    }
    register = r.register;
  }
  const findings = validateDatasets(datasets, { live, register });
  for (const f of findings)
    (f.severity === 'error' ? io.err : io.out)(
      `${f.severity}: ${f.path}: ${f.message}${f.hint ? ` ${f.hint}` : ''}`,
    );
  const errors = findings.filter((f) => f.severity === 'error').length;
  io.out(
    `${datasets.length} datasets, ${datasets.reduce((n, d) => n + d.collections.length, 0)} collections: ${errors} errors.`,
  );
  return errors ? 1 : 0;
}
