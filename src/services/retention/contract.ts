/**
 * The retention operation of the HTTP connector contract (docs/connectors/http.md, "Retention"): what a
 * service receives when a retention run asks it to end a purpose rule, and what it answers, at once or by
 * the signed callback. No personal data in either: a rule, days, an action and counts.
 */
import { z } from 'zod';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

export const retentionRequest = z.strictObject({
  type: z.literal('ombud.retention.request'),
  delivery_id: z
    .string()
    .describe(
      'dlv_ + 32 hex, derived from run, system and rule: the same on every retry and on a resumed run (also the webhook-id). Use it as the idempotency key.',
    ),
  run_id: z.string().describe("The retention run's id."),
  system: z.string().describe("The system's id in the register."),
  rule: z.string().describe('The purpose rule whose period has ended (register id, e.g. order-data).'),
  name: z.string().describe("The rule's name (English)."),
  action: z.enum(['delete', 'anonymise']).describe('What to do with the records the rule has ended.'),
  duration: z.string().describe("The rule's period (ISO 8601, e.g. P3Y)."),
  trigger: z
    .string()
    .describe('The event the period runs from: collected, last-activity, relationship-ended, case-closed, …'),
  expired_before: day.describe(
    'Records whose trigger date is before this day have reached the end of the period (computed by the same arithmetic as the SQL sweep).',
  ),
  exceptions: z
    .array(
      z.strictObject({
        rule: z.string(),
        name: z.string(),
        law: z.string().optional(),
        duration: z.string(),
        trigger: z.string(),
        expired_before: day
          .nullable()
          .describe('Records this rule keeps whose trigger is before this day may go; null: none yet.'),
      }),
    )
    .describe(
      'Legal rules that keep records longer (bookkeeping, legal holds): keep a record such a rule still covers, and count it as kept.',
    ),
  today: day.describe("The run's day in the controller's time zone."),
  callback_url: z.url().describe('Where to POST the answer after a 202, signed with the same secret.'),
  answer_by: z.iso.datetime().describe('When the answer is expected; the next daily run asks again anyway.'),
});
export type RetentionRequest = z.infer<typeof retentionRequest>;

export const retentionAnswer = z.object({
  status: z
    .enum(['done', 'failed'])
    .describe(
      'done: carried out (also when nothing was due); failed: could not (the run fails and says so).',
    ),
  deleted: z.number().int().min(0).optional().describe('Records deleted.'),
  anonymised: z.number().int().min(0).optional().describe('Records anonymised.'),
  kept: z.number().int().min(0).optional().describe('Records past the rule that an exception keeps.'),
  message: z.string().max(500).optional().describe('Optional; never personal data.'),
});
export type RetentionAnswer = z.infer<typeof retentionAnswer>;
