/**
 * `notify:<system>` (Art. 19): after a rectification, erasure or restriction of the own databases, each
 * recipient the register lists for the purposes held in the changed systems is told, through its HTTP
 * connector or a manual task. The step waits until the recipient answers (recipients.ts). The steps are
 * planned before the rows are located; when the step runs, a recipient of none of the systems where the
 * change found the subject's rows received nothing of theirs: it is not told (no task), and the step is done
 * saying so.
 */
import { recipientsToTell } from '../../../core/fulfilment/recipients.ts';
import type { ServiceAction } from '../connectors/http.ts';
import { getTask, notifyRecipient, recipientOutcome } from '../recipients.ts';
import type { RunContext, Step, StepOutput } from './step.ts';

/** Send the request to a recipient or service (or open its task); done once it has answered. */
export async function tellRecipient(
  ctx: RunContext,
  systemId: string,
  action: ServiceAction,
  corrections: Record<string, string> | undefined,
): Promise<StepOutput> {
  const { deps, input, ids } = ctx;
  const r = await notifyRecipient(
    deps.db,
    deps.recipients!,
    {
      requestId: input.requestId,
      orgId: input.orgId,
      action,
      systemId,
      identities: {
        ...(ids.email ? { email: ids.email } : {}),
        ...(ids.phone_number ? { phone: ids.phone_number } : {}),
        ...(ids.customer_number ? { customer_number: ids.customer_number } : {}),
      },
      corrections,
      now: ctx.now(),
    },
    deps.limits,
  );
  if (r.state === 'waiting') return { status: 'waiting' };
  return { status: 'done', outcome: recipientOutcome(r.task) };
}

export const notifyStep: Step = {
  kind: 'notify',
  plan: (p) => {
    if (!p.tellRecipients || !['erasure', 'rectification', 'restriction'].includes(p.type)) return [];
    const dbs = [...p.byDb.keys()];
    const systems = p.engine.datasets.filter((d) => dbs.includes(d.fides_key)).map((d) => d.ombud.system);
    return recipientsToTell(p.index, systems).map((s) => `notify:${s}`);
  },
  run: async (ctx, systemId) => {
    const changed = [...ctx.byDb.keys()].flatMap((k) => {
      const d = ctx.engine.datasets.find((x) => x.fides_key === k);
      return d ? [d.ombud.system] : [];
    });
    const held = await ctx.systemsHolding();
    // A task already opened (a run before this one decided to tell) is carried on.
    if (
      !recipientsToTell(ctx.deps.index, changed, held).includes(systemId) &&
      !(await getTask(ctx.deps.db, ctx.input.requestId, systemId))
    )
      return {
        status: 'done',
        outcome: [],
        notes: [`Not told: none of the systems it receives data from held the subject's data.`],
      };
    return tellRecipient(
      ctx,
      systemId,
      ctx.input.type as 'erasure' | 'rectification' | 'restriction',
      ctx.input.corrections,
    );
  },
};
