/** `rectify:<dataset>`: the corrected values, by data category, in one database (one transaction). */
import { rectifyInDatabase } from '../engine.ts';
import { changeDatabase, planPerDatabase } from './changes.ts';
import type { Step } from './step.ts';

export const rectifyStep: Step = {
  kind: 'rectify',
  plan: planPerDatabase('rectify', 'rectification'),
  run: (ctx, key) =>
    changeDatabase(ctx, key, (engine, k, nodes, found) =>
      rectifyInDatabase(engine, k, nodes, found, ctx.input.corrections!),
    ),
};
