/** What the change steps (erase, rectify, restrict) share: one step per database the request touches. */
import type { NodeId } from '../../../core/fulfilment/dataset.ts';
import type { CollectionOutcome, Engine, Located } from '../engine.ts';
import type { FulfilmentType } from '../runTypes.ts';
import type { PlanContext, RunContext, StepKind, StepOutput } from './step.ts';

/** `<kind>:<dataset>` for every database touched, in the order they are changed, when the request is `type`. */
export const planPerDatabase = (kind: StepKind, type: FulfilmentType) => (p: PlanContext) =>
  p.type === type ? [...p.byDb.keys()].map((k) => `${kind}:${k}`) : [];

/** Change one database (its collections children first) under the connector's limit, with the rows located. */
export async function changeDatabase(
  ctx: RunContext,
  key: string,
  change: (engine: Engine, key: string, nodes: NodeId[], found: Located) => Promise<CollectionOutcome[]>,
): Promise<StepOutput> {
  const found = await ctx.locate();
  const outcome = await ctx.limits.run(key, () => change(ctx.engine, key, ctx.byDb.get(key)!, found));
  return { status: 'done', outcome };
}
