/**
 * `erase:<dataset>`: delete or mask the subject's rows in one database, in one transaction; rows a legal
 * rule keeps are restricted and get their first erasable day (engine.ts, core/retention/expiry.ts).
 */
import { eraseInDatabase } from '../engine.ts';
import { subjectHash } from '../subject.ts';
import { changeDatabase, planPerDatabase } from './changes.ts';
import type { Step } from './step.ts';

export const eraseStep: Step = {
  kind: 'erase',
  plan: planPerDatabase('erase', 'erasure'),
  run: (ctx, key) =>
    changeDatabase(ctx, key, (engine, k, nodes, found) =>
      eraseInDatabase(engine, k, nodes, found, {
        requestId: ctx.input.requestId,
        rules: ctx.deps.index.retentionRules,
        today: ctx.today,
        subjectKey: subjectHash(ctx.ids),
        secret: ctx.deps.secret,
      }),
    ),
};
