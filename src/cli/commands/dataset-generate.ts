import { parseArgs } from 'node:util';
import { datasetToYaml, draftDataset } from '../../core/fulfilment/generate.ts';
import { openConnector } from '../../services/fulfilment/connectors/registry.ts';
import type { CliIo } from '../io.ts';

/** ombud dataset generate --connection URL --key KEY [--system ID]: prints a draft annotation (YAML). */
export async function run(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { connection: { type: 'string' }, key: { type: 'string' }, system: { type: 'string' } },
  });
  if (!values.connection || !values.key) {
    io.err(
      'ombud dataset generate: give --connection postgres://…|mysql://… and --key my_dataset (lower-case, underscores)',
    );
    return 2;
  }
  const c = await openConnector(values.connection);
  try {
    const live = await c.describe();
    io.out(datasetToYaml([draftDataset(values.key, values.system ?? values.key.replace(/_/g, '-'), live)]));
    return 0;
  } finally {
    await c.close();
  }
}
