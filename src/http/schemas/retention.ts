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
  })
  .describe('The run: recorded with its outcome per database (status failed says a database failed).');
