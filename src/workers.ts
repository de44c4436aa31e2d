/**
 * The background work of a running Ombud, kept apart from the App: the fulfilment queue (and the systems
 * it reaches, which the subject locator also searches), the daily retention run, and consent propagation
 * (webhook deliveries). The `start` command (and test/support) makes one `Workers` with `createWorkers()`
 * and each worker's start function registers itself in it; the HTTP server and the services that need a
 * worker are handed the same object, read-only (`BackgroundWork`). Without a worker its service behaves as
 * it always has (a breach's people cannot be told without the telling queue): a verified request waits for an agent, a retry or a preview answers 409, a consent
 * change is stored and not propagated (nor removed from audience segments until their next export).
 */
import type { ConsentEvent } from './core/consent/event.ts';
import type { Dataset } from './core/fulfilment/dataset.ts';
import type { Actor } from './core/audit/actor.ts';
import type { Propagator } from './services/consent/propagator.ts';
import type { Connectors } from './services/fulfilment/engine.ts';
import type { FulfilmentQueue } from './services/fulfilment/queue.ts';
import type { RetentionWorker } from './services/retention/worker.ts';

/** The group's own systems (annotated datasets and their connections). */
export type SubjectSystems = { datasets: Dataset[]; connectors: Connectors };

export type Workers = {
  /** The fulfilment queue, when verified requests are carried out (src/services/requests/fulfilRequest.ts). */
  fulfilment?: FulfilmentQueue;
  /**
   * The systems the subject locator searches to find which companies know a requester
   * (src/services/requests/locateSubject.ts); set with the fulfilment worker. Without them a group request
   * waits for an agent unless the consent register already decides it.
   */
  subjectSystems?: SubjectSystems;
  /**
   * Whether an agent approves an erasure, rectification or restriction before it runs (default true);
   * access and portability run on verification.
   */
  approveChanges?: boolean;
  /** The daily retention run and the console's preview (src/services/retention/worker.ts). */
  retention?: RetentionWorker;
  /** The webhook delivery queue, when propagation runs (src/services/consent/propagator.ts). */
  propagator?: Propagator;
  /**
   * The audience jobs (src/services/audience/worker.ts): a segment's removal at once after an objection,
   * and the scheduled exports. Named by what the rest uses of it (the worker's module imports this one).
   */
  audience?: {
    /** Queue the removal job for a subject whose state changed (a restriction, an objection). */
    subjectChanged(orgId: string, subjectId: string): Promise<string | null>;
    /** Its pg-boss, which /readyz asks for the removal queue. */
    boss: { getQueue(name: string): Promise<unknown> };
    stop(): Promise<void>;
  };
  /**
   * The jobs that tell the people affected by a high-risk breach (src/services/breaches/tellJob.ts): the
   * API's and the console's "tell" queue one, a worker runs it. Without it, telling answers 409. Named by
   * what the rest uses of it (the queue's module imports this one).
   */
  breachTell?: {
    /** Queue the telling of a breach's people as `by` (null: a job already waits or runs for it). */
    send(job: { breachId: string; by: Actor; batch?: number }): Promise<string | null>;
    /** Its pg-boss, which /readyz asks for the telling queue. */
    boss: { getQueue(name: string): Promise<unknown> };
    stop(): Promise<void>;
  };
  /**
   * Called after a consent event is stored (propagation queues its deliveries here, then the audience
   * worker its removal job).
   */
  consentChanged?: (event: ConsentEvent) => Promise<void>;
};

/** What the server and the services see of the workers: read, never set. */
export type BackgroundWork = Readonly<Workers>;

export const createWorkers = (init: Workers = {}): Workers => ({ ...init });

/** No background work (the CLI's one-off commands). */
export const NO_WORKERS: BackgroundWork = Object.freeze({});

/** Stop every worker that runs (the start command's shutdown, the tests' close). */
export async function stopWorkers(w: Workers): Promise<void> {
  await w.propagator?.stop();
  await w.fulfilment?.stop();
  await w.retention?.stop();
  await w.audience?.stop();
  await w.breachTell?.stop();
}
