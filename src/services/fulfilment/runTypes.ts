/**
 * What a fulfilment run is given and what it answers: the input (checked with zod), its dependencies, the
 * steps' and the run's results.
 */
import { z } from 'zod';
import { FULFILMENT_TYPES, type FulfilmentType } from '../../core/fulfilment/types.ts';
import type { Log } from '../../log.ts';
import type { Dataset } from '../../core/fulfilment/dataset.ts';
import type { RegisterIndex } from '../../core/register/register-index.ts';
import { LANGUAGES } from '../../core/register/schema.ts';
import type { Db } from '../../storage/db.ts';
import type { Actor } from '../audit/auditLog.ts';
import type { CollectionOutcome, Connectors } from './engine.ts';
import type { ConnectorLimits } from './limiter.ts';
import type { RecipientOptions } from './recipients.ts';

export { FULFILMENT_TYPES, type FulfilmentType };

export const fulfilmentInput = z.object({
  requestId: z.string().min(1).max(100),
  orgId: z.string().min(1),
  type: z.enum(FULFILMENT_TYPES),
  identities: z
    .object({
      email: z.string().optional(),
      phone: z.string().optional(),
      customerNumber: z.string().optional(),
    })
    .refine((i) => Boolean(i.email || i.phone || i.customerNumber), {
      message: 'Give at least one verified identity: email, phone or customerNumber.',
    }),
  /**
   * Only rows these controllers hold (organization ids and `joint:<arrangement>`; see
   * src/core/fulfilment/controllers.ts): one company's request reads and changes its own rows of a shared
   * system, not another company's. The request desk passes the request's company and the joint
   * arrangements it answers for; without it every row found is in scope.
   */
  holders: z.array(z.string().min(1)).min(1).optional(),
  /** For rectification: corrected values by data category, e.g. { "user.contact.email": "new@example.com" }. */
  corrections: z.record(z.string().regex(/^user(\.[a-z0-9_]+)+$/), z.string().min(1)).optional(),
  /** The customer's language: the extract is written in it (default English). */
  lang: z.enum(LANGUAGES).optional(),
  /** The customer's reference of the request (R-…), shown on the extract instead of the internal id. */
  reference: z.string().max(40).optional(),
});
export type FulfilmentInput = z.infer<typeof fulfilmentInput>;

export type FulfilmentDeps = {
  db: Db;
  actor: Actor;
  index: RegisterIndex;
  datasets: Dataset[];
  connectors: Connectors;
  /** The HMAC key for pseudonyms. */
  secret: string;
  now?: () => Date;
  /** Where the queue logs (ids and codes only); silent by default. */
  log?: Log;
  /** How long extracts are kept for the subject to fetch (default 30 days). */
  artifactDays?: number;
  /** Concurrency limit per connector, shared by every run in this process. */
  limits?: ConnectorLimits;
  /**
   * Art. 19: tell every recipient the register lists for the changed systems' purposes (HTTP connector or
   * manual task). Given, a rectification, erasure or restriction gets a `notify:<system>` step per recipient
   * and the run waits for their answers. The request desk passes this; without it only the group's own
   * databases are changed.
   */
  recipients?: RecipientOptions;
  /**
   * Render the HTML extract as PDF (see pdf.ts, Chromium); without it the extract is HTML and JSON. A PDF
   * that fails to print is noted on the access step, never a failed request.
   */
  pdf?: (html: string) => Promise<Uint8Array>;
  /** Why there is no `pdf` (e.g. "Chromium not found at …"): noted on the access step so the desk sees it. */
  pdfUnavailable?: string;
  /** Ombud's public URL: the JSON extract names the schema served there. */
  publicUrl?: string;
};

export type StepResult = {
  step: string;
  /** pending: an access extract that waits for the services it asked (collect steps). */
  status: 'done' | 'failed' | 'waiting' | 'pending';
  outcome?: CollectionOutcome[];
  error?: string;
  /** What the desk should know without the step failing (e.g. no PDF). */
  note?: string;
};
export type FulfilmentResult = {
  requestId: string;
  status: 'done' | 'failed' | 'waiting';
  steps: StepResult[];
  outcomes: CollectionOutcome[];
  artifacts: string[];
};
