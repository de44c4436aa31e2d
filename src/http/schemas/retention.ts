/**
 * What the retention API answers (src/http/routes/retention.ts): runs, their steps per database and their
 * outcome counts (counts only, never personal data), and the preview of a run.
 */
import { z } from 'zod';
import { OUTCOME_ACTIONS } from '../../services/retention/sweep.ts';
import { day, timestamp } from './wire.ts';

const runId = z.uuid().describe('The run id.');

/** Rows of one collection under one rule and action. */
const outcome = z.strictObject({
  system: z.string().describe('The system (database) of the register swept.'),
  dataset: z.string().describe('The dataset (fides_key) of the database.'),
  collection: z.string().describe('The table or collection.'),
  rule: z
    .string()
    .describe(
      'The purpose rule that acted, the legal rule that keeps (keep), or the marker rule (erase-due).',
    ),
  action: z
    .enum(OUTCOME_ACTIONS)
    .describe(
      'What was (or would be) done: delete, anonymise, mask, erase-due, keep; held and blocked left rows alone.',
    ),
  detail: z
    .string()
    .describe(
      "keep: the purpose rule that ended; held: 'art-18' or 'retention'; blocked: 'referenced' or 'erase-due'; erase-due: delete or mask.",
    ),
  rows: z.number().int().describe('How many rows.'),
});

const outcomes = z.array(outcome).describe('Row counts per database, collection, rule and action.');

/** A system outside the SQL databases asked under one rule (HTTP connector or manual task). */
const outsideRequest = z.strictObject({
  system: z.string().describe('The register system asked (no SQL dataset sweeps it).'),
  rule: z.string().describe('The purpose rule whose period has ended.'),
  via: z.enum(['http', 'manual']).describe('http: a signed retention request; manual: a task for a person.'),
  action: z.enum(['delete', 'anonymise']),
  expiredBefore: day.describe("Records whose trigger date is before this day have reached the rule's end."),
  status: z
    .enum(['pending', 'done', 'accepted', 'failed', 'task', 'planned'])
    .describe(
      'done: the service answered; accepted: it answered 202, its callback is awaited; failed: see error; task: a manual task stands for it; planned: a dry run, nothing asked.',
    ),
  deliveryId: z
    .string()
    .nullable()
    .describe('The webhook-id (idempotency key of run, system and rule); null for manual.'),
  deleted: z.number().int().nullable().describe('Records deleted, as the service answered.'),
  anonymised: z.number().int().nullable(),
  kept: z.number().int().nullable().describe('Records past the rule that an exception keeps.'),
  message: z.string().nullable().describe("The service's message (never personal data)."),
  error: z.string().nullable().describe('Why the request failed.'),
  attempts: z.number().int(),
  taskId: z.string().nullable().describe('The manual task (a dry run: the one already asked this month).'),
  taskOpened: z.boolean().describe("This run opened the task (false: the month's task was there)."),
});
const outside = z
  .array(outsideRequest)
  .describe('Systems outside the SQL databases, one per system and purpose rule.');

/** A manual retention task. */
export const retentionTask = z
  .strictObject({
    id: z.uuid(),
    system: z.string(),
    rule: z.string(),
    period: z.string().describe('The month the task is for (YYYY-MM): one task per system, rule and month.'),
    action: z.enum(['delete', 'anonymise']),
    expiredBefore: day.describe('Delete or anonymise the records whose trigger date is before this day.'),
    dueOn: day.describe('Due 30 days after the run that opened it.'),
    status: z.enum(['open', 'done', 'not-held']),
    records: z.number().int().nullable().describe('How many records the person deleted or anonymised.'),
    note: z.string().nullable(),
    openedByRun: z.string().nullable(),
    openedAt: timestamp,
    doneBy: z.string().nullable(),
    doneAt: timestamp.nullable(),
  })
  .describe('A manual retention task.');

export const retentionTasks = z
  .strictObject({ tasks: z.array(retentionTask).describe('Open tasks first, by due day.') })
  .describe('Manual retention tasks.');

export const retentionCallbackReceived = z
  .strictObject({
    received: z.literal(true),
    recorded: z.boolean().describe('false when the request was already answered (the answer is ignored).'),
  })
  .describe('The answer was received');

/** A run as the list shows it. */
const runSummary = {
  id: runId,
  runKey: z
    .string()
    .nullable()
    .describe("The run's idempotency key: daily:YYYY-MM-DD for the scheduled run, else null."),
  today: day.describe('The day the run swept for.'),
  dryRun: z.boolean().describe('A dry run counts and changes nothing.'),
  status: z.enum(['running', 'done', 'failed']),
  startedBy: z.string().describe('Who started it, as the audit log names them (kind:id).'),
  attempts: z.number().int(),
  error: z.string().nullable().describe('Why the run failed, per database.'),
  startedAt: timestamp,
  finishedAt: timestamp.nullable(),
  totals: z.record(z.string(), z.number().int()).describe('Rows per action over every database.'),
};

/** Past runs. */
export const retentionRuns = z
  .strictObject({ runs: z.array(z.strictObject(runSummary)).describe('The runs, newest first.') })
  .describe('Past retention runs.');

/** One run with its steps (one per database) and outcomes. */
export const retentionRunDetail = z
  .strictObject({
    ...runSummary,
    steps: z
      .array(
        z.strictObject({
          dataset: z.string(),
          system: z.string(),
          status: z.enum(['pending', 'done', 'failed']),
          attempts: z.number().int(),
          recovered: z
            .boolean()
            .describe("The outcome came from the database's own record of a commit an earlier attempt made."),
          error: z.string().nullable(),
        }),
      )
      .describe('One step per database, in the order swept.'),
    outcomes,
    outside,
    tasks: z.array(retentionTask).describe('The manual tasks the run opened or named, as they stand now.'),
  })
  .describe('A retention run: its steps per database and outcome counts.');

/** What a run would do. */
export const retentionPreview = z
  .strictObject({ today: day.describe('The day previewed.'), outcomes })
  .describe('What a retention run would do on the day: counts, nothing changed or recorded.');

/** A run just made (or found done under the same day). */
export const retentionRunResult = z
  .strictObject({
    runId,
    today: day.describe('The day the run swept for.'),
    dryRun: z.boolean(),
    status: z.enum(['done', 'failed']).describe('failed: a database failed; its step says why.'),
    alreadyDone: z.boolean().describe('The run was already done: nothing was swept now.'),
    steps: z
      .array(
        z.strictObject({
          dataset: z.string(),
          system: z.string(),
          status: z.enum(['done', 'failed']),
          recovered: z
            .boolean()
            .describe("The outcome came from the database's own record of a commit an earlier attempt made."),
          error: z.string().optional().describe('Why the database failed (a failed step only).'),
        }),
      )
      .describe('One step per database.'),
    outcomes,
    outside,
  })
  .describe('The run: recorded with its outcome per database (status failed says a database failed).');
