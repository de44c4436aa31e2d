/**
 * The daily retention run on pg-boss (the same setup as the fulfilment queue: Ombud's PostgreSQL, or
 * PGlite through `pgBossDb`). A cron schedule (stored by pg-boss in the database, so it survives restarts)
 * sends one job a day in the controller's time zone; on start the worker also sends today's job if
 * today's run is not done yet (a start after a night without the server catches up). Each job runs
 * `runRetention` with the run key 'daily:YYYY-MM-DD': a day is swept once however often its job runs;
 * a failed run throws, so pg-boss retries it and the retry resumes at the database that failed.
 */
import PgBoss from 'pg-boss';
import type { Config } from '../../config.ts';
import type { Dataset } from '../../core/fulfilment/dataset.ts';
import type { Db } from '../../storage/db.ts';
import { type Log, queueErrorFields } from '../../log.ts';
import { precondition } from '../../core/errors.ts';
import { parseKeyring } from '../../core/secrets/envelope.ts';
import { type Actor, SYSTEM_ACTOR } from '../audit/auditLog.ts';
import { installationSecret } from '../consent/keys.ts';
import type { Connectors } from '../fulfilment/engine.ts';
import { pgBossDb } from '../fulfilment/queue.ts';
import { bossRole, createQueueOnce, startBossOnce, jobExpiry, type QueueRole } from '../queue/role.ts';
import type { RegisterCache } from '../register/currentRegister.ts';
import {
  controllerTimeZone,
  type RetentionDeps,
  type RetentionRunResult,
  retentionToday,
  runRetention,
} from './runRetention.ts';

export const RETENTION_QUEUE = 'ombud-retention';
/** 03:15 every night in the controller's time zone. */
export const DEFAULT_RETENTION_CRON = '15 3 * * *';

export type RetentionSystems = { datasets: Dataset[]; connectors: Connectors };
/**
 * `consume: false` (an API process, ombud start --role api): the console's preview and runs and the legal
 * holds use the systems, and no job is run, scheduled or caught up here: the workers do that.
 */
export type RetentionWorkerOptions = QueueRole & {
  cron?: string;
  /** Send today's job on start when today's run is not done (default true). */
  catchUp?: boolean;
  pollingIntervalSeconds?: number;
  retryLimit?: number;
  retryDelaySeconds?: number;
  /** Called after each job's run (tests, logs). */
  onRun?: (r: RetentionRunResult) => void;
};

type Job = { day?: string };

/**
 * What the worker takes of the application (the App is one): the database, the register, the clock, the
 * installation secret (resolved by `openApp`; else the stored one), the public URL and secret keys (for
 * the systems asked through an HTTP connector) and a logger.
 */
export type RetentionHost = Readonly<{
  db: Db;
  registers: RegisterCache;
  now: () => Date;
  config: Pick<Config, 'secret' | 'publicUrl' | 'secretKeys'>;
  log?: Log;
}>;

/** Where the running worker is found (the console's preview and run): the start command's `Workers`. */
export type RetentionSlot = { retention?: RetentionWorker };

export class RetentionWorker {
  private constructor(
    private readonly app: RetentionHost,
    private readonly slot: RetentionSlot,
    readonly systems: RetentionSystems,
    readonly boss: PgBoss,
  ) {}

  static async start(
    app: RetentionHost,
    slot: RetentionSlot,
    systems: RetentionSystems,
    opts: RetentionWorkerOptions = {},
  ): Promise<RetentionWorker> {
    const consume = opts.consume !== false;
    const boss = new PgBoss({
      db: pgBossDb(app.db),
      schema: 'pgboss',
      ...bossRole(opts),
      schedule: consume,
    });
    // Surfaced through the runs and job states; logged by kind only.
    boss.on('error', (err) => app.log?.warn(queueErrorFields(err), 'retention queue error'));
    await startBossOnce(app.db, boss);
    const settings = {
      policy: 'stately' as const,
      retryLimit: opts.retryLimit ?? 3,
      retryDelay: opts.retryDelaySeconds ?? 300,
      retryBackoff: true,
      ...jobExpiry(opts),
    };
    await createQueueOnce(app.db, boss, RETENTION_QUEUE, { name: RETENTION_QUEUE, ...settings });
    const w = new RetentionWorker(app, slot, systems, boss);
    const reg = await app.registers.get();
    if (!reg) throw precondition('no-register', 'No register is stored.', 'Apply a register first.');
    if (consume) {
      // The queue's settings as this worker has them (the scheduled jobs take them from the queue).
      await boss.updateQueue(RETENTION_QUEUE, { name: RETENTION_QUEUE, ...settings });
      // One schedule in the database whoever stores it; pg-boss sends each day's job once for all workers.
      await boss.schedule(
        RETENTION_QUEUE,
        opts.cron ?? DEFAULT_RETENTION_CRON,
        {},
        { tz: controllerTimeZone(reg.index) },
      );
      await boss.work<Job>(
        RETENTION_QUEUE,
        { batchSize: 1, pollingIntervalSeconds: opts.pollingIntervalSeconds ?? 10 },
        async ([job]) => w.runDay(job?.data?.day, opts.onRun),
      );
      if (opts.catchUp ?? true) await w.catchUp();
    }
    slot.retention = w;
    return w;
  }

  /**
   * A day's run (default today), under the day's lock: one run at a time across the processes, so a job
   * taken as lost while its worker still runs it waits here, and then finds the day done.
   */
  private async runDay(day: string | undefined, onRun?: (r: RetentionRunResult) => void) {
    const deps = await this.deps(SYSTEM_ACTOR);
    const today = day ?? retentionToday(deps.index, this.app.now());
    const runKey = `daily:${today}`;
    const res = await this.app.db.lock(`ombud:retention:${runKey}`, () =>
      runRetention(deps, { today, runKey }),
    );
    onRun?.(res);
    if (res.status === 'failed') throw new Error(`retention run ${res.runId} failed`);
    return { runId: res.runId, alreadyDone: res.alreadyDone };
  }

  /** The use case's dependencies with the current register. */
  async deps(actor: Actor): Promise<RetentionDeps> {
    const reg = await this.app.registers.get();
    if (!reg) throw precondition('no-register', 'No register is stored.', 'Apply a register first.');
    return {
      db: this.app.db,
      actor,
      index: reg.index,
      datasets: this.systems.datasets,
      connectors: this.systems.connectors,
      secret: this.app.config.secret ?? (await installationSecret(this.app.db)),
      secretKeys: this.app.config.secretKeys,
      now: this.app.now,
      // Systems with an HTTP connector are asked through it; their callbacks come to the public URL.
      recipients: {
        callbackBaseUrl: this.app.config.publicUrl,
        ...(this.app.config.secretKeys ? { keyring: parseKeyring(this.app.config.secretKeys) } : {}),
      },
    };
  }

  /** Today's job, unless today's daily run is done; at most one per day is queued. Returns the job id. */
  async catchUp(): Promise<string | null> {
    const reg = await this.app.registers.get();
    if (!reg) return null;
    const today = retentionToday(reg.index, this.app.now());
    const done = await this.app.db.query(
      "SELECT 1 FROM retention_runs WHERE run_key = $1 AND status = 'done'",
      [`daily:${today}`],
    );
    if (done.length) return null;
    return this.boss.send(RETENTION_QUEUE, { day: today }, { singletonKey: `daily:${today}` });
  }

  async stop(): Promise<void> {
    await this.boss.stop({ graceful: true, wait: true, timeout: 10_000 });
    if (this.slot.retention === this) this.slot.retention = undefined;
  }
}

/** `ombud start`: the daily retention run over the systems the fulfilment worker uses. */
export function startRetention(
  app: RetentionHost,
  slot: RetentionSlot,
  systems: RetentionSystems,
  opts: RetentionWorkerOptions = {},
): Promise<RetentionWorker> {
  return RetentionWorker.start(app, slot, systems, opts);
}
