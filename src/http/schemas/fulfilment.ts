/**
 * What the fulfilment API answers (src/http/routes/fulfilment.ts, and the request desk's view of a run in
 * src/http/routes/requests.ts): a run's progress, a task's answer, a connector's secret, the artifacts.
 * Strict objects: a field a service adds without the contract fails the tests instead of being dropped.
 */
import { z } from 'zod';
import { FULFILMENT_TYPES } from '../../services/fulfilment/runTypes.ts';

const count = z.number().int().min(0);

/** What one step did in one collection of one dataset (src/services/fulfilment/engine.ts CollectionOutcome). */
const collectionOutcome = z.strictObject({
  dataset: z
    .string()
    .describe("The dataset's fides_key; empty for a service asked through a recipient task."),
  system: z.string().describe('The register system the collection (or the service) belongs to.'),
  collection: z.string(),
  erased: count.describe('Rows erased, masked or corrected (for a told service: the records it reported).'),
  kept: count.describe('Rows found and left in place: read, restricted, or kept under a retention rule.'),
  keptUnder: z
    .array(
      z.strictObject({
        rule: z.string().describe("The retention rule that keeps the rows ('legal-hold' for a legal hold)."),
        eraseOn: z.iso
          .date()
          .optional()
          .describe('The day the rule lets them go (absent under a legal hold).'),
        hold: z.string().optional().describe('The legal hold that keeps them, until it is lifted.'),
        rows: count,
      }),
    )
    .describe('Rows kept although the request asked to erase them, by the rule that keeps them.'),
  action: z.enum(['delete', 'mask', 'rectify', 'restrict', 'none']),
  recipient: z
    .strictObject({
      via: z.enum(['http', 'manual', 'saas']),
      status: z.string().describe("The service's answer (done, not_found) or the task's state."),
      records: count.optional(),
      note: z.string().optional(),
      by: z.string().optional().describe('Who answered: a person, an API key or the connector.'),
    })
    .optional()
    .describe('For a service asked or told through a recipient task: how it answered.'),
});

export const fulfilmentStatus = z
  .strictObject({
    requestId: z.string(),
    type: z.enum(FULFILMENT_TYPES),
    status: z.enum(['queued', 'running', 'waiting', 'done', 'failed']),
    stepsDone: count,
    stepsTotal: count,
    attempts: count,
    error: z.string().nullable().describe('Why the run failed (never personal data); null otherwise.'),
    steps: z.array(
      z.strictObject({
        step: z.string().describe('e.g. locate, erase:<dataset>, collect:<system>, notify:<system>, access.'),
        status: z.enum(['pending', 'waiting', 'done', 'failed']),
        attempts: count,
        error: z.string().nullable(),
        note: z.string().nullable().describe('What the step wants the desk to know without failing.'),
        outcome: z.array(collectionOutcome).nullable().describe('What the step did, per collection.'),
      }),
    ),
  })
  .describe("Progress of the request's fulfilment: steps, counts, rows kept under which rule");

export const taskAnswered = z
  .strictObject({
    requestId: z.string(),
    systemId: z.string(),
    status: z.enum(['open', 'sent', 'unanswered', 'done', 'failed']),
    answer: z
      .strictObject({
        status: z.enum(['done', 'not_found', 'failed']),
        records: count.optional(),
        message: z.string().optional(),
      })
      .nullable()
      .describe('The answer as stored (never the data itself); null while none was recorded.'),
    note: z.string().nullable(),
    doneBy: z.string().nullable().describe('Who answered (kind:id).'),
  })
  .describe('The task as stored after the answer (an answered task is left as it was)');

export const tasksAnswered = z
  .strictObject({ answered: z.array(taskAnswered) })
  .describe('Each task as stored after the answer, in the order asked (an answered task is left as it was)');

export const connectorConfigured = z
  .strictObject({
    systemId: z.string(),
    secret: z
      .string()
      .describe("The connector's signing secret (Standard Webhooks, whsec_…): shown in this response only."),
  })
  .describe('The connector is configured');

export const callbackReceived = z
  .strictObject({
    received: z.literal(true),
    recorded: z.boolean().describe('false when the task was already answered (the answer is ignored).'),
  })
  .describe('The answer was received');

/** A file of this media type, sent as stored (a Buffer: never passed through the serializer). */
const file = (mediaType: string, description: string) =>
  z.instanceof(Buffer).meta({ type: 'string', contentMediaType: mediaType, description });

/** An artifact as stored, one content type per name. */
export const artifactFile = {
  description: 'The artifact file: extract.json, extract.html, extract.pdf or portability.zip',
  content: {
    'application/json': {
      schema: z
        .record(z.string(), z.unknown())
        .describe('extract.json: request, controller, data (rows per collection), services, processing.'),
    },
    'text/html': { schema: file('text/html', 'extract.html: the same extract as a page.') },
    'application/pdf': { schema: file('application/pdf', 'extract.pdf: the page printed.') },
    'application/zip': {
      schema: file('application/zip', 'portability.zip: the data in machine-readable files.'),
    },
  },
};
