/**
 * The background work over the group's systems, the same for the demo's own systems and for the ones a
 * systems file names (`ombud start`): the stops filed as requests before a restart handed to consent, the
 * fulfilment worker (which also gives the subject locator its systems, `Workers.subjectSystems`) and the
 * daily retention run.
 */
import type { Workers, SubjectSystems } from '../../workers.ts';
import { backfillRequestStops } from '../requests/consentLink.ts';
import { type RequestFulfilmentOptions, startRequestFulfilment } from '../requests/fulfilRequest.ts';
import type { RequestDeps } from '../requests/store.ts';
import { type RetentionHost, type RetentionWorkerOptions, startRetention } from '../retention/worker.ts';

export async function startSystemWorkers(
  app: RequestDeps & RetentionHost,
  workers: Workers,
  systems: SubjectSystems,
  opts: { fulfilment?: RequestFulfilmentOptions; retention?: RetentionWorkerOptions } = {},
): Promise<void> {
  await backfillRequestStops(app, workers);
  await startRequestFulfilment(app, workers, systems, opts.fulfilment);
  // The nightly retention run over the same systems (and /console/retention).
  await startRetention(app, workers, systems, opts.retention);
}
