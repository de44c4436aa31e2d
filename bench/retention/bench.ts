/**
 * The retention bench (see README.md): the demo web shop with N customers on PostgreSQL, copied twice; on
 * one copy Ombud's daily run (`runRetention`, a real run) for a fixed day, on the other the hand-written SQL
 * doing the same deletes, markers and anonymisation (hand.ts); then both end states are compared (row
 * counts and a digest of every remaining row per table, and the rows per action), and every difference is
 * reported as a problem.
 */
import type { IsoDate } from '../../src/core/deadlines/iso-date.ts';
import type { SeedCounts } from '../../src/demo/systems/seed.ts';
import { CHANGE_ACTIONS } from '../../src/services/retention/runRetention.ts';
import type { RetentionOutcome } from '../../src/services/retention/sweep.ts';
import {
  copiesOf,
  dropDb,
  type Fingerprint,
  fingerprint,
  pgAdmin,
  seededTemplate,
  withDb,
} from './copies.ts';
import { type Actions, handRun } from './hand.ts';
import { ombudRun } from './ombud.ts';

export type BenchOptions = {
  pgUrl: string;
  customers: number;
  /** The days run one after the other on both copies (the first run over the seeded data, then the next days'). */
  days: IsoDate[];
  seed?: number;
  reseed?: boolean;
  /** Drop the seeded template afterwards too (the copies are always dropped). */
  dropTemplate?: boolean;
  suffix?: string;
  log?: (m: string) => void;
};

export type DayResult = {
  day: IsoDate;
  ombud: { ms: number; actions: Actions; outcomes: RetentionOutcome[]; status: string };
  hand: { ms: number; actions: Actions };
  after: { ombud: Fingerprint; hand: Fingerprint };
};

export type BenchResult = {
  setup: string;
  seeded: SeedCounts;
  days: DayResult[];
  /** Every way the two sides differ; empty when they did the same work. */
  problems: string[];
};

/** Ombud's outcomes as the hand-written side counts them: changes only, per collection, action and rule. */
export function actionsOf(outcomes: RetentionOutcome[]): Actions {
  const out: Actions = {};
  for (const o of outcomes)
    if ((CHANGE_ACTIONS as readonly string[]).includes(o.action)) {
      const key = `${o.collection} ${o.action} ${o.rule}`;
      out[key] = (out[key] ?? 0) + o.rows;
    }
  return out;
}

function differences(what: string, a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return keys
    .filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]))
    .map((k) => `${what} ${k}: Ombud ${JSON.stringify(a[k])}, hand-written ${JSON.stringify(b[k])}`);
}

export async function benchRetention(o: BenchOptions): Promise<BenchResult> {
  const log = o.log ?? (() => {});
  const template = await seededTemplate({
    pgUrl: o.pgUrl,
    customers: o.customers,
    seed: o.seed ?? 42,
    reseed: o.reseed ?? false,
    suffix: o.suffix,
    log,
  });
  const copies = await copiesOf(o.pgUrl, template.name);
  log(`copies ${copies.ombud}, ${copies.hand} in ${copies.seconds.toFixed(1)} s`);
  try {
    const before = {
      ombud: await fingerprint(withDb(o.pgUrl, copies.ombud)),
      hand: await fingerprint(withDb(o.pgUrl, copies.hand)),
    };
    const problems = differences('before the run,', before.ombud, before.hand);
    for (const [t, n] of Object.entries(template.counts))
      if (before.ombud[t]?.rows !== n) problems.push(`${t}: ${before.ombud[t]?.rows} rows, seeded ${n}`);
    const days: DayResult[] = [];
    for (const [i, day] of o.days.entries()) {
      // A day passes between two daily runs: autovacuum has cleaned up and re-analysed the tables the
      // last run changed (half the rows, the first time). Done on both copies alike, not timed.
      if (i > 0)
        for (const db of [copies.ombud, copies.hand])
          await pgAdmin(withDb(o.pgUrl, db), (c) => c.query('VACUUM ANALYZE'));
      log(`${day}: Ombud's run …`);
      const om = await ombudRun({ pgUrl: o.pgUrl, db: copies.ombud, day });
      log(`  ${(om.ms / 1000).toFixed(2)} s, ${om.result.status}; hand-written SQL …`);
      const hd = await handRun({ url: withDb(o.pgUrl, copies.hand), day });
      log(`  ${(hd.ms / 1000).toFixed(2)} s; comparing …`);
      const after = {
        ombud: await fingerprint(withDb(o.pgUrl, copies.ombud)),
        hand: await fingerprint(withDb(o.pgUrl, copies.hand)),
      };
      const ombudActions = actionsOf(om.result.outcomes);
      if (om.result.status !== 'done') problems.push(`${day}: Ombud's run ended ${om.result.status}`);
      problems.push(...differences(`${day}: after the run,`, after.ombud, after.hand));
      problems.push(...differences(`${day}: rows acted on,`, ombudActions, hd.actions));
      days.push({
        day,
        ombud: { ms: om.ms, actions: ombudActions, outcomes: om.result.outcomes, status: om.result.status },
        hand: hd,
        after,
      });
    }
    return {
      setup: `${template.setup}; copied in ${copies.seconds.toFixed(1)} s`,
      seeded: template.counts,
      days,
      problems,
    };
  } finally {
    await dropDb(o.pgUrl, copies.ombud);
    await dropDb(o.pgUrl, copies.hand);
    if (o.dropTemplate) await dropDb(o.pgUrl, template.name);
  }
}
