/**
 * Telling the people affected by a high-risk breach (Art. 34) as a durable pg-boss job, on the same
 * database as the other queues (src/services/queue/role.ts). A breach of 200,000 people is not told inside
 * one HTTP request:
 *
 * - `queueTelling` (the API's and the console's "tell"): checks what the request can check at once (the
 *   caller may change the breach, the risk is decided as high; else 403/404 or 409), queues one job per
 *   breach (`singletonKey` = the breach's id, on a `stately` queue: a second press while the job waits
 *   or runs queues nothing), writes "Telling queued" on the timeline and answers with the progress so far.
 * - The job runs `tellSubjects` as the caller who asked: the job's data holds the breach's id and the
 *   caller's kind and id, never an address; the principal is read again when it runs (a person disabled
 *   since, or a revoked key, is refused, and the refusal is on the timeline). It runs under the breach's
 *   lock, so a job taken as lost while its worker still runs waits instead of telling alongside; and
 *   `tellSubjects` tells nobody twice, so a retry resumes where the last run stopped. The progress (listed,
 *   queued, sent, failed) is written batch by batch in breach_recipients, which the breach's page shows.
 *
 * An API process (`consume: false`) only queues; a worker runs the jobs.
 */
import PgBoss from 'pg-boss';
import { OmbudError } from '../../core/errors.ts';
import type { Caller, Group } from '../../core/policies/policy.ts';
import { type Log, queueErrorFields } from '../../log.ts';
import type { Db } from '../../storage/db.ts';
import { type Actor, recordAudit } from '../audit/auditLog.ts';
import { pgBossDb } from '../fulfilment/queue.ts';
import { bossRole, createQueueOnce, startBossOnce, jobExpiry, type QueueRole } from '../queue/role.ts';
import { callerOfActor } from '../users/principal.ts';
import { addEvent, authorizedBreach, type BreachDeps, type TellProgress, tellProgress } from './store.ts';
import { mayTell, type TellDeps, tellSubjects } from './tellSubjects.ts';

export const BREACH_TELL_QUEUE = 'ombud-breach-tell';

/** A job's data: the breach, who asked (kind and id only) and the batch size. */
export type TellJob = { breachId: string; by: Actor; batch?: number };

export type TellQueueOptions = QueueRole & {
  pollingIntervalSeconds?: number;
  retryLimit?: number;
  retryDelaySeconds?: number;
  /** Called after each batch of a job (tests, logs). */
  onProgress?: (breachId: string, p: TellProgress) => void;
};

/** What the job needs when it runs: the telling's dependencies and the group, as they are then. */
export type TellContext = () => Promise<{ deps: TellDeps; group: Group }>;

export type TellSlot = {
  breachTell?: Pick<BreachTellQueue, 'send' | 'stop'> & {
    boss: { getQueue(name: string): Promise<unknown> };
  };
};

export class BreachTellQueue {
  private constructor(
    private readonly host: { db: Db; log?: Log },
    private readonly slot: TellSlot,
    private readonly context: TellContext,
    readonly boss: PgBoss,
    private readonly opts: TellQueueOptions,
  ) {}

  static async start(
    host: { db: Db; log?: Log },
    slot: TellSlot,
    context: TellContext,
    opts: TellQueueOptions = {},
  ): Promise<BreachTellQueue> {
    const consume = opts.consume !== false;
    const boss = new PgBoss({ db: pgBossDb(host.db), schema: 'pgboss', ...bossRole(opts), schedule: false });
    boss.on('error', (err) => host.log?.warn(queueErrorFields(err), 'breach tell queue error'));
    await startBossOnce(host.db, boss);
    await createQueueOnce(host.db, boss, BREACH_TELL_QUEUE, {
      name: BREACH_TELL_QUEUE,
      policy: 'stately',
      retryLimit: opts.retryLimit ?? 3,
      retryDelay: opts.retryDelaySeconds ?? 60,
      retryBackoff: true,
      ...jobExpiry(opts),
    });
    const q = new BreachTellQueue(host, slot, context, boss, opts);
    if (consume)
      await boss.work<TellJob>(
        BREACH_TELL_QUEUE,
        { batchSize: 1, pollingIntervalSeconds: opts.pollingIntervalSeconds ?? 2 },
        async ([job]) => (job ? q.run(job.data) : undefined),
      );
    slot.breachTell = q;
    return q;
  }

  /**
   * Queue the job of a breach (null: one already waits or runs for it). The queue's `stately` policy keeps
   * one waiting job per breach; the check keeps a press while one runs from queueing a second.
   */
  async send(job: TellJob): Promise<string | null> {
    const pending = await this.host.db.query(
      "SELECT 1 FROM pgboss.job WHERE name = $1 AND singleton_key = $2 AND state IN ('created', 'retry', 'active') LIMIT 1",
      [BREACH_TELL_QUEUE, job.breachId],
    );
    if (pending.length) return null;
    return this.boss.send(BREACH_TELL_QUEUE, job, { singletonKey: job.breachId });
  }

  /**
   * The job: `tellSubjects` as the caller who asked, under the breach's lock. A caller who may no longer
   * act (or a breach no longer high-risk) ends the job with a line on the timeline, without a retry.
   */
  async run(job: TellJob): Promise<TellProgress | { refused: string }> {
    const { deps, group } = await this.context();
    return this.host.db.lock(`ombud:breach-tell:${job.breachId}`, async () => {
      try {
        const caller = await callerOfActor(deps.db, job.by, deps.now());
        return await tellSubjects(deps, caller, group, job.breachId, {
          batch: job.batch,
          onProgress: (p) => this.opts.onProgress?.(job.breachId, p),
        });
      } catch (err) {
        if (!(err instanceof OmbudError) || !['forbidden', 'not-found', 'precondition'].includes(err.kind))
          throw err;
        this.host.log?.warn({ breach: job.breachId, code: err.code }, 'breach telling refused');
        await addEvent(deps.db, job.breachId, {
          kind: 'tell-refused',
          summary: `Telling not done: ${err.message}`,
          caller: { principal: { kind: 'system' }, actor: job.by },
          at: deps.now(),
        }).catch(() => undefined);
        return { refused: err.code };
      }
    });
  }

  async stop(): Promise<void> {
    await this.boss.stop({ graceful: true, wait: true, timeout: 10_000 });
    if (this.slot.breachTell === this) this.slot.breachTell = undefined;
  }
}

/**
 * The API's and the console's "tell": the checks a request can make at once, then one job per breach.
 * Returns whether a job was queued now (false: one already waits) and the progress so far.
 */
export async function queueTelling(
  deps: BreachDeps,
  /** The queue (called once the breach is checked: a process without one answers after the checks). */
  queue: () => Pick<BreachTellQueue, 'send'>,
  caller: Caller,
  group: Group,
  id: string,
  opts: { batch?: number } = {},
): Promise<{ queued: boolean; progress: TellProgress }> {
  const b = mayTell(await authorizedBreach(deps.db, caller, group, id, 'write'));
  const jobId = await queue().send({
    breachId: id,
    by: caller.actor,
    ...(opts.batch ? { batch: opts.batch } : {}),
  });
  if (jobId) {
    const at = deps.now();
    await addEvent(deps.db, id, { kind: 'tell-queued', summary: 'Telling queued', caller, at });
    await recordAudit(deps.db, {
      actor: caller.actor,
      orgId: null,
      action: 'breach.tell-queued',
      target: `breach:${id}`,
      at,
      details: { reference: b.reference, job: jobId },
    });
  }
  return { queued: jobId !== null, progress: await tellProgress(deps.db, id) };
}

/** `ombud start`: the telling jobs over the systems the fulfilment worker uses. */
export function startBreachTelling(
  host: { db: Db; log?: Log },
  slot: TellSlot,
  context: TellContext,
  opts: TellQueueOptions = {},
): Promise<BreachTellQueue> {
  return BreachTellQueue.start(host, slot, context, opts);
}
