/**
 * The durable queue of webhook deliveries: pg-boss@10 on the same database (on PGlite through
 * its `db` option, on a server through the connection string). Each attempt that fails is retried
 * by pg-boss with exponential back-off; after the last one the delivery is dead-lettered
 * (status 'dead'), listed in the console and replayable.
 */
import PgBoss from 'pg-boss';
import type { Db } from '../../storage/db.ts';
import { type Log, queueErrorFields } from '../../log.ts';
import type { ConsentEvent } from '../../core/consent/event.ts';
import { type ConsentKeys, consentKeys } from './keys.ts';
import { deliverOnce, markDead } from './webhooks.ts';
import { bossRole, createQueueOnce, jobExpiry, type QueueRole } from '../queue/role.ts';

export const QUEUE = 'consent-webhook';

/** `consume: false` (an API process): deliveries are queued here and delivered by the workers. */
export type PropagatorOptions = QueueRole & {
  connectionString?: string;
  retryLimit?: number;
  retryDelaySeconds?: number;
  pollingIntervalSeconds?: number;
  timeoutMs?: number;
  now?: () => Date;
  /** Where the queue logs (ids and codes only); silent by default. */
  log?: Log;
  /** The consent keys (they open the identities a webhook carries); default: the installation's. */
  keys?: () => Promise<ConsentKeys>;
};

/** pg-boss's database interface over Ombud's Db: parameterised SQL via query, multi-statement SQL via exec. */
function bossDb(db: Db) {
  return {
    async executeSql(text: string, values?: unknown[]) {
      if (values && values.length > 0) return { rows: await db.query(text, values) };
      try {
        return { rows: await db.query(text) };
      } catch (err) {
        if (!/multiple commands/i.test(String((err as Error).message))) throw err;
        await db.exec(text);
        return { rows: [] };
      }
    },
  };
}

export class Propagator {
  /** Read by the readiness check (src/services/monitoring/readiness.ts). */
  readonly boss: PgBoss;
  private readonly retryLimit: number;
  private readonly retryDelay: number;

  constructor(
    private readonly db: Db,
    private readonly opts: PropagatorOptions = {},
  ) {
    this.retryLimit = opts.retryLimit ?? 8;
    this.retryDelay = opts.retryDelaySeconds ?? 30;
    // bossRole carries the upkeep interval (QueueRole.maintenanceIntervalSeconds) with the role.
    this.boss = new PgBoss({
      ...(opts.connectionString ? { connectionString: opts.connectionString } : { db: bossDb(db) }),
      ...bossRole(opts),
      schedule: false,
    });
    this.boss.on('error', (err) => opts.log?.warn(queueErrorFields(err), 'propagation queue error'));
  }

  async start(): Promise<this> {
    await this.boss.start();
    await createQueueOnce(this.db, this.boss, QUEUE, {
      name: QUEUE,
      retryLimit: this.retryLimit,
      retryDelay: this.retryDelay,
      retryBackoff: true,
    });
    if (this.opts.consume === false) return this;
    await this.boss.work<{ deliveryId: string }>(
      QUEUE,
      { includeMetadata: true, batchSize: 1, pollingIntervalSeconds: this.opts.pollingIntervalSeconds ?? 2 },
      async (jobs) => {
        for (const job of jobs) {
          const r = await deliverOnce(
            this.db,
            await (this.opts.keys ?? (() => consentKeys(this.db)))(),
            job.data.deliveryId,
            this.opts.now ?? (() => new Date()),
            this.opts.timeoutMs,
          );
          if (r.ok) continue;
          if (job.retryCount >= job.retryLimit) await markDead(this.db, job.data.deliveryId);
          throw new Error(`delivery ${job.data.deliveryId} failed: ${r.error}`);
        }
      },
    );
    // Deliveries written while no worker ran (the outbox) are queued now.
    const pending = await this.db.query<{ id: string }>(
      `SELECT id FROM webhook_deliveries WHERE status = 'pending' AND attempts = 0`,
    );
    for (const p of pending) await this.queue(p.id, p.id);
    return this;
  }

  /** Queue one delivery. `jobId` = the delivery id for first sends, so a delivery is queued once. */
  async queue(deliveryId: string, jobId?: string): Promise<void> {
    await this.boss.send(
      QUEUE,
      { deliveryId },
      {
        ...(jobId ? { id: jobId } : {}),
        ...jobExpiry(this.opts),
      },
    );
  }

  /** Queue the deliveries of a new event (the hook in Workers.consentChanged). */
  async eventRecorded(event: ConsentEvent): Promise<void> {
    const rows = await this.db.query<{ id: string }>(
      `SELECT id FROM webhook_deliveries WHERE event_id = $1 AND status = 'pending'`,
      [event.id],
    );
    for (const r of rows) await this.queue(r.id, r.id);
  }

  async stop(): Promise<void> {
    await this.boss.stop({ graceful: true, wait: true, timeout: 5000 });
  }
}

/**
 * Start propagation for an app: the queue's worker, and the hook that queues each new event's deliveries,
 * both registered in the start command's `workers`.
 */
export async function startPropagation(
  app: Readonly<{
    db: Db;
    config: { readonly databaseUrl?: string; readonly secret?: string; readonly secretKeys?: string };
    now: () => Date;
    log?: Log;
  }>,
  workers: { consentChanged?: (e: ConsentEvent) => Promise<void>; propagator?: Propagator },
  opts: PropagatorOptions = {},
): Promise<Propagator> {
  const p = await new Propagator(app.db, {
    connectionString: app.config.databaseUrl,
    now: app.now,
    keys: () => consentKeys(app.db, app.config.secret, app.config.secretKeys),
    log: app.log,
    ...opts,
  }).start();
  workers.propagator = p;
  workers.consentChanged = (e) => p.eventRecorded(e);
  return p;
}
