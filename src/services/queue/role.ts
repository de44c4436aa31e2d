/**
 * How a process shares the job queues (pg-boss: fulfilment, the daily retention run, webhook deliveries)
 * with the other processes on its database (`ombud start --role`, docs/deploy.md). An API process only
 * sends jobs (`consume: false`: a verified request is queued, a waiting run woken, a failed one retried, a
 * consent event's deliveries queued); worker processes run them and keep the queues (pg-boss's upkeep:
 * lost jobs found again, finished ones archived). Any number of each may run at once.
 */
import type PgBoss from 'pg-boss';
import type { Db } from '../../storage/db.ts';

export type QueueRole = {
  /** Run the queue's jobs here (default true). */
  consume?: boolean;
  /**
   * A job still running after this long is taken as lost with its worker (killed, or its host gone) and
   * run again by any worker; each run resumes where it stopped (default 900 s, pg-boss's).
   */
  expireInSeconds?: number;
  /** How often a worker looks for lost jobs and archives finished ones (default 120 s, pg-boss's). */
  maintenanceIntervalSeconds?: number;
};

/** The pg-boss settings of a role: upkeep (`supervise`) only where jobs are run. */
export const bossRole = (role: QueueRole) => ({
  supervise: role.consume !== false,
  ...(role.maintenanceIntervalSeconds ? { maintenanceIntervalSeconds: role.maintenanceIntervalSeconds } : {}),
});

/** A job's expiry as pg-boss takes it (nothing: pg-boss's default). */
export const jobExpiry = (role: QueueRole) =>
  role.expireInSeconds ? { expireInSeconds: role.expireInSeconds } : {};

/**
 * Start a pg-boss instance, one process at a time: the first start creates pg-boss's schema, and two
 * processes starting at the same moment would both find it missing and both create it (the second fails).
 */
export async function startBossOnce(db: Db, boss: PgBoss): Promise<void> {
  await db.lock('ombud:pgboss-start', async () => {
    await boss.start();
  });
}

/**
 * Create a queue unless it is there, one process at a time: pg-boss's createQueue makes the queue's table
 * and keys, and two processes starting at the same moment would deadlock on them.
 */
export async function createQueueOnce(
  db: Db,
  boss: PgBoss,
  name: string,
  options: PgBoss.Queue,
): Promise<void> {
  await db.lock('ombud:pgboss-queues', async () => {
    if (!(await boss.getQueue(name))) await boss.createQueue(name, options);
  });
}
