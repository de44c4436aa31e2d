/**
 * `notify:<system>` (Art. 19): after a rectification, erasure or restriction of the own databases, each
 * recipient the register lists for the purposes held in the changed systems is told, through its HTTP
 * connector or a manual task. The step waits until the recipient answers (recipients.ts).
 */
import { recipientsToTell } from '../../../core/fulfilment/recipients.ts';
import type { ServiceAction } from '../connectors/http.ts';
import { notifyRecipient, recipientOutcome } from '../recipients.ts';
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
  run: (ctx, systemId) =>
    tellRecipient(
      ctx,
      systemId,
      ctx.input.type as 'erasure' | 'rectification' | 'restriction',
      ctx.input.corrections,
    ),
};
