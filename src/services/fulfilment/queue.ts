/**
 * Durable execution on pg-boss (Postgres-backed; on PGlite through its `db` option). One job per request:
 * the job runs `runFulfilment`, whose steps are idempotent and recorded, so a job that is retried after a
 * failure or a crash resumes at the first step not done. A failed run throws, so pg-boss retries it with
 * exponential back-off; when the retries are spent, the run shows "failed" with the reason, and `retry`
 * starts it again. A concurrency limit per connector caps the steps that touch one database at a time.
 *
 * The job's data holds the verified identities (the worker needs them); pg-boss deletes finished jobs after
 * `deleteAfterDays` (default 7), and the identities never go to Ombud's own run tables.
 */
import PgBoss from 'pg-boss';
import type { Db } from '../../storage/db.ts';
import { ConnectorLimits } from './limiter.ts';
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

export type FulfilmentQueueOptions = {
  /** Workers polling the queue (jobs in flight at once). Default 2. */
  workers?: number;
  retryLimit?: number;
  retryDelaySeconds?: number;
  /** Steps at a time per connector (database). Default 2; override per dataset key. */
  perConnector?: Record<string, number>;
  defaultPerConnector?: number;
  pollingIntervalSeconds?: number;
  deleteAfterDays?: number;
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
      supervise: true,
      schedule: false,
      deleteAfterDays: opts.deleteAfterDays ?? 7,
    });
    boss.on('error', () => {}); // surfaced through job states
    await boss.start();
    await boss.createQueue(FULFILMENT_QUEUE, {
      name: FULFILMENT_QUEUE,
      retryLimit: opts.retryLimit ?? 5,
      retryDelay: opts.retryDelaySeconds ?? 5,
      retryBackoff: true,
    });
    const limits = new ConnectorLimits(opts.defaultPerConnector ?? 2, opts.perConnector ?? {});
    const q = new FulfilmentQueue(boss, { ...deps, limits }, opts);
    for (let i = 0; i < (opts.workers ?? 2); i++)
      await boss.work<FulfilmentInput>(
        FULFILMENT_QUEUE,
        { batchSize: 1, pollingIntervalSeconds: opts.pollingIntervalSeconds ?? 2 },
        async ([job]) => {
          const res = await runFulfilment(q.deps, job!.data);
          if (res.status === 'failed')
            throw new Error(res.steps.find((s) => s.error)?.error ?? 'fulfilment failed');
          await opts.onDone?.(job!.data, res);
          return { steps: res.steps.length };
        },
      );
    return q;
  }

  /** Queue a verified request. Idempotent per request id: a request already queued or done is not queued again. */
  async enqueue(input: FulfilmentInput): Promise<string> {
    const data = fulfilmentInput.parse(input);
    const [existing] = await this.deps.db.query<{ job_id: string | null }>(
      'SELECT job_id FROM fulfilment_runs WHERE request_id = $1',
      [data.requestId],
    );
    if (existing?.job_id) return existing.job_id;
    const id = await this.boss.send(FULFILMENT_QUEUE, data, {
      retryLimit: this.opts.retryLimit ?? 5,
      retryDelay: this.opts.retryDelaySeconds ?? 5,
      retryBackoff: true,
    });
    if (!id) throw new Error('pg-boss did not accept the job');
    await this.deps.db.query(
      `INSERT INTO fulfilment_runs (request_id, org_id, type, status, job_id) VALUES ($1, $2, $3, 'queued', $4)
       ON CONFLICT (request_id) DO UPDATE SET job_id = EXCLUDED.job_id`,
      [data.requestId, data.orgId, data.type, id],
    );
    return id;
  }

  /** Start a failed request again (after its retries were spent): it resumes at the failed step. */
  async retry(requestId: string): Promise<void> {
    const [run] = await this.deps.db.query<{ job_id: string | null; status: string }>(
      'SELECT job_id, status FROM fulfilment_runs WHERE request_id = $1',
      [requestId],
    );
    if (!run?.job_id) throw new Error(`No queued fulfilment for request ${requestId}`);
    await this.deps.db.query(
      "UPDATE fulfilment_runs SET status = 'queued', updated_at = now() WHERE request_id = $1",
      [requestId],
    );
    await this.boss.retry(FULFILMENT_QUEUE, run.job_id);
  }

  async jobState(requestId: string): Promise<string | undefined> {
    const [run] = await this.deps.db.query<{ job_id: string | null }>(
      'SELECT job_id FROM fulfilment_runs WHERE request_id = $1',
      [requestId],
    );
    if (!run?.job_id) return undefined;
    return (await this.boss.getJobById(FULFILMENT_QUEUE, run.job_id, { includeArchive: true }))?.state;
  }

  async stop(): Promise<void> {
    await this.boss.stop({ graceful: true, wait: true, timeout: 10_000 });
  }
}
