/**
 * The console's preview: what a retention run would do on a day (today by default), without recording a
 * run or changing anything. Counts only (no personal data is read out), so it is not audited.
 */
import type { IsoDate } from '../../core/deadlines/iso-date.ts';
import type { RetentionPlan } from '../../core/retention/plan.ts';
import { sweepOwnData } from './ownData.ts';
import {
  checkDay,
  ownSweepFor,
  type RetentionDeps,
  retentionPlanFor,
  retentionToday,
  withdrawnFor,
} from './runRetention.ts';
import { type RetentionOutcome, sweepDataset } from './sweep.ts';

export async function previewRetention(
  deps: RetentionDeps,
  today?: IsoDate,
): Promise<{ today: IsoDate; outcomes: RetentionOutcome[]; plan: RetentionPlan }> {
  const day = checkDay(today ?? retentionToday(deps.index, (deps.now ?? (() => new Date()))()));
  const plan = retentionPlanFor(deps, day);
  const outcomes: RetentionOutcome[] = [];
  for (const dp of plan.datasets) {
    const c = deps.connectors.get(dp.dataset);
    const dataset = deps.datasets.find((d) => d.fides_key === dp.dataset);
    if (!c || !dataset) continue;
    const r = await sweepDataset(c, dp, {
      today: day,
      dryRun: true,
      runId: 'preview',
      secret: deps.secret,
      rules: deps.index.retentionRules,
      collections: new Map(dataset.collections.map((x) => [x.name, x])),
      withdrawn: withdrawnFor(deps),
    });
    outcomes.push(...r.outcomes);
  }
  outcomes.push(...(await sweepOwnData(deps.db, ...ownSweepFor(deps, day, true))));
  return { today: day, outcomes, plan };
}
