/**
 * Durable execution on pg-boss (Postgres-backed; on PGlite through its `db` option). One job per request:
 * the job runs `runFulfilment`, whose steps are idempotent and recorded, so a job that is retried after a
 * failure or a crash resumes at the first step not done. A failed run throws, so pg-boss retries it with
 * exponential back-off; when the retries are spent, the run shows "failed" with the reason, and `retry`
 * starts it again. A concurrency limit per connector caps the steps that touch one database at a time.
 *
 * A run that ends `waiting` (a recipient's manual task or a service's callback outstanding) is looked at
 * again by a follow-up job on the same queue, sent with `startAfter`: at the earliest moment an accepted
 * delivery's callback is overdue (the resend is due) and at most `waitingCheckSeconds` later. The timer
 * lives in PostgreSQL, so it survives the process. When the last answer arrives, `wake` brings the pending
 * follow-up forward so the desk learns of it at once. Only a `done` run reaches `onDone`.
 *
 * The job's data holds the verified identities (the worker needs them); pg-boss deletes finished jobs after
 * `deleteAfterDays` (default 7), and the identities never go to Ombud's own run tables.
 *
 * Several processes share the queue (../queue/role.ts): an API process only sends (enqueue, wake, retry);
 * workers run the jobs, each run under its request's lock on the database, so a job taken as lost
 * (`expireInSeconds` after it started) while its worker still runs it waits and then finds the run done.
 */
import { errorFields, queueErrorFields } from '../../log.ts';
import PgBoss from 'pg-boss';
import { precondition } from '../../core/errors.ts';
import type { Db } from '../../storage/db.ts';
import { ConnectorLimits } from './limiter.ts';
import { bossRole, createQueueOnce, startBossOnce, jobExpiry, type QueueRole } from '../queue/role.ts';
import { reopenUnanswered } from './recipients.ts';
import { queueRun, requeueRun, runJob, setRunJob, stepsOpen, unqueueRun } from './runStore.ts';
import {
  type FulfilmentDeps,
  type FulfilmentInput,
  type FulfilmentResult,
  fulfilmentInput,
  runFulfilment,
} from './runFulfilment.ts';

export const FULFILMENT_QUEUE = 'ombud-fulfilment';

/** pg-boss over Ombud's Db: parameterised statements through `query`, multi-statement SQL through `exec`. */
export function pgBossDb(db: Db): PgBoss.Db {
  return {
    async executeSql(text: string, values: unknown[] = []) {
      if (values.length > 0) return { rows: await db.query(text, values) };
      try {
        return { rows: await db.query(text) };
      } catch (err) {
        if (!/multiple commands|cannot insert multiple/i.test(String((err as Error).message))) throw err;
        await db.exec(text);
        return { rows: [] };
      }
    },
  };
}

/** The lock one run of a request is carried out under, in whichever process (src/storage/db.ts). */
export const fulfilmentLock = (requestId: string) => `ombud:fulfilment:${requestId}`;

export type FulfilmentQueueOptions = QueueRole & {
  /** Workers polling the queue (jobs in flight at once). Default 2. */
  workers?: number;
  retryLimit?: number;
  retryDelaySeconds?: number;
  /** Steps at a time per connector (database). Default 2; override per dataset key. */
  perConnector?: Record<string, number>;
  defaultPerConnector?: number;
  pollingIntervalSeconds?: number;
  deleteAfterDays?: number;
  /** A waiting run is looked at again at least this often (default 3600 s), besides when a resend is due. */
  waitingCheckSeconds?: number;
  /**
   * Called in the job after a run is done (e.g. the request desk delivers the results and completes the
   * request). Must be idempotent: when it throws, pg-boss retries the job, the run is already done and
   * only this hook runs again.
   */
  onDone?: (input: FulfilmentInput, result: FulfilmentResult) => Promise<void>;
};

export class FulfilmentQueue {
  private constructor(
    readonly boss: PgBoss,
    private readonly deps: FulfilmentDeps,
    private readonly opts: FulfilmentQueueOptions,
  ) {}

  static async start(deps: FulfilmentDeps, opts: FulfilmentQueueOptions = {}): Promise<FulfilmentQueue> {
    const boss = new PgBoss({
      db: pgBossDb(deps.db),
      schema: 'pgboss',
      ...bossRole(opts),
      schedule: false,
      deleteAfterDays: opts.deleteAfterDays ?? 7,
    });
    // Surfaced through job states; logged by kind, queue and worker only.
    boss.on('error', (err) => deps.log?.warn(queueErrorFields(err), 'fulfilment queue error'));
    await startBossOnce(deps.db, boss);
    await createQueueOnce(deps.db, boss, FULFILMENT_QUEUE, {
      name: FULFILMENT_QUEUE,
      retryLimit: opts.retryLimit ?? 5,
      retryDelay: opts.retryDelaySeconds ?? 5,
      retryBackoff: true,
    });
    const limits = new ConnectorLimits(opts.defaultPerConnector ?? 2, opts.perConnector ?? {});
    const q = new FulfilmentQueue(boss, { ...deps, limits }, opts);
    if (opts.consume === false) return q;
    for (let i = 0; i < (opts.workers ?? 2); i++)
      await boss.work<FulfilmentInput>(
        FULFILMENT_QUEUE,
        { batchSize: 1, pollingIntervalSeconds: opts.pollingIntervalSeconds ?? 2 },
        // One run of a request at a time, across the processes: a job taken as lost while its worker
        // still runs it waits here, then resumes a run that is done (and only completes it).
        async ([job]) => deps.db.lock(fulfilmentLock(job!.data.requestId), () => q.runJob(job!.data)),
      );
    return q;
  }

  private async runJob(data: FulfilmentInput) {
    const res = await runFulfilment(this.deps, data);
    if (res.status === 'failed')
      throw new Error(res.steps.find((s) => s.error)?.error ?? 'fulfilment failed');
    if (res.status === 'waiting') {
      await this.scheduleCheck(data);
      // An answer that came in while this run went on: look again now rather than at the timer.
      await this.wake(data.requestId);
      return { steps: res.steps.length, waiting: true };
    }
    await this.opts.onDone?.(data, res);
    return { steps: res.steps.length };
  }

  /** Queue a verified request. Idempotent per request id: a request already queued or done is not queued again. */
  async enqueue(input: FulfilmentInput): Promise<string> {
    const data = fulfilmentInput.parse(input);
    const existing = await runJob(this.deps.db, data.requestId);
    if (existing?.job_id) return existing.job_id;
    const id = await this.boss.send(FULFILMENT_QUEUE, data, this.jobOptions());
    if (!id) throw new Error('pg-boss did not accept the job');
    await queueRun(this.deps.db, data, id);
    return id;
  }

  private jobOptions() {
    return {
      retryLimit: this.opts.retryLimit ?? 5,
      retryDelay: this.opts.retryDelaySeconds ?? 5,
      retryBackoff: true,
      ...jobExpiry(this.opts),
    };
  }

  /**
   * Send the follow-up job of a waiting run: when the first accepted delivery's callback is overdue (by the
   * run's clock), and at most `waitingCheckSeconds` from now. It becomes the run's job (for retry and state).
   */
  async scheduleCheck(input: FulfilmentInput): Promise<string> {
    const now = (this.deps.now ?? (() => new Date()))().getTime();
    const sent = await this.deps.db.query<{ sent_at: string | Date; callback_hours: number }>(
      `SELECT t.sent_at, c.callback_hours FROM fulfilment_recipient_tasks t
         JOIN fulfilment_http_connectors c ON c.system_id = t.system_id
        WHERE t.request_id = $1 AND t.status = 'sent' AND t.sent_at IS NOT NULL`,
      [input.requestId],
    );
    let delay = this.opts.waitingCheckSeconds ?? 3600;
    for (const t of sent) {
      const due = new Date(t.sent_at).getTime() + t.callback_hours * 3_600_000;
      delay = Math.min(delay, Math.ceil((due - now) / 1000));
    }
    const id = await this.boss.send(FULFILMENT_QUEUE, input, {
      ...this.jobOptions(),
      startAfter: Math.max(1, delay),
    });
    if (!id) throw new Error('pg-boss did not accept the follow-up job');
    await setRunJob(this.deps.db, input.requestId, id);
    return id;
  }

  /**
   * An answer was recorded (callback or tick): when the run no longer waits for anyone, run its job now —
   * the pending follow-up is brought forward, a failed one retried — so a done run reaches `onDone` and an
   * access's extract is made. A run in progress settles itself. Returns whether a job was woken.
   */
  async wake(requestId: string): Promise<boolean> {
    const run = await runJob(this.deps.db, requestId);
    if (!run?.job_id || (run.status !== 'waiting' && run.status !== 'done')) return false;
    if (run.status === 'waiting' && (await stepsOpen(this.deps.db, requestId))) return false;
    const job = await this.boss.getJobById(FULFILMENT_QUEUE, run.job_id);
    if (!job || job.state === 'failed')
      return this.restart(requestId, run.job_id).catch((err: unknown) => {
        // The answer is recorded; the run is retried from the desk (`retry`) or by the next answer.
        this.deps.log?.warn(
          { requestId, jobId: run.job_id ?? undefined, ...errorFields(err) },
          'fulfilment: job not woken',
        );
        return false;
      });
    if (job.state !== 'created' && job.state !== 'retry') return false;
    // pg-boss has no call to move a job's start; its own table is the one place that says when.
    const moved = await this.deps.db.query(
      `UPDATE pgboss.job SET start_after = now() WHERE name = $1 AND id = $2 AND state IN ('created', 'retry')
        RETURNING 1`,
      [FULFILMENT_QUEUE, run.job_id],
    );
    return moved.length > 0;
  }

  /**
   * Start a failed request again (after its retries were spent): it resumes at the failed step. Services
   * that never answered are sent the request once more.
   */
  async retry(requestId: string): Promise<void> {
    const run = await runJob(this.deps.db, requestId);
    if (!run?.job_id) throw new Error(`No queued fulfilment for request ${requestId}`);
    await reopenUnanswered(this.deps.db, requestId);
    await requeueRun(this.deps.db, requestId);
    try {
      await this.restart(requestId, run.job_id);
    } catch (err) {
      await unqueueRun(this.deps.db, requestId, run.status);
      throw err;
    }
  }

  /**
   * Run a finished job of a request again: a failed job still in pg-boss's job table is retried; one that
   * pg-boss has archived (failed jobs after 12 h) is sent anew with its data. Once pg-boss has deleted it
   * (`deleteAfterDays` after archiving) the identities are gone with it, and the request must be queued again.
   */
  private async restart(requestId: string, jobId: string): Promise<boolean> {
    const live = await this.boss.getJobById<FulfilmentInput>(FULFILMENT_QUEUE, jobId);
    if (live?.state === 'failed') {
      await this.boss.retry(FULFILMENT_QUEUE, jobId);
      return true;
    }
    if (live) return false; // still to run, running, or finished well
    const old = await this.boss.getJobById<FulfilmentInput>(FULFILMENT_QUEUE, jobId, {
      includeArchive: true,
    });
    if (old && old.state !== 'failed') return false;
    if (!old)
      throw precondition(
        'fulfilment-job-gone',
        `The queued job of request ${requestId} is no longer kept, and with it the verified identities.`,
        'Carry the rest out by hand and complete the request, or have the requester file it again.',
      );
    const id = await this.boss.send(FULFILMENT_QUEUE, old.data, this.jobOptions());
    if (!id) throw new Error('pg-boss did not accept the job');
    await setRunJob(this.deps.db, requestId, id);
    return true;
  }

  async jobState(requestId: string): Promise<string | undefined> {
    const run = await runJob(this.deps.db, requestId);
    if (!run?.job_id) return undefined;
    return (await this.boss.getJobById(FULFILMENT_QUEUE, run.job_id, { includeArchive: true }))?.state;
  }

  async stop(): Promise<void> {
    await this.boss.stop({ graceful: true, wait: true, timeout: 10_000 });
  }
}
