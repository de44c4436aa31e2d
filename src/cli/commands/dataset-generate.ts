import { datasetToYaml, draftDataset } from '../../core/fulfilment/generate.ts';
import { openConnection } from '../connections.ts';
import type { COMMANDS } from '../commands.ts';
import type { Run } from '../spec.ts';

/** Prints a draft annotation (YAML) of a live database. */
export const run: Run<(typeof COMMANDS)['dataset generate']> = async ({ values }, io) => {
  const c = await openConnection(values.connection, 'connection');
  try {
    const live = await c.describe();
    io.out(datasetToYaml([draftDataset(values.key, values.system ?? values.key.replace(/_/g, '-'), live)]));
    return 0;
  } finally {
    await c.close();
  }
};
