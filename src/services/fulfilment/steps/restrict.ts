/** `restrict:<dataset>` (Art. 18): the subject's rows in one database are marked store-only. */
import { restrictInDatabase } from '../engine.ts';
import { changeDatabase, planPerDatabase } from './changes.ts';
import type { Step } from './step.ts';

export const restrictStep: Step = {
  kind: 'restrict',
  plan: planPerDatabase('restrict', 'restriction'),
  run: (ctx, key) =>
    changeDatabase(ctx, key, (engine, k, nodes, found) =>
      restrictInDatabase(engine, k, nodes, found, ctx.input.requestId),
    ),
};
