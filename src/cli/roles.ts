/**
 * What a process of `ombud start --role` runs (docs/deploy.md). Every process is stateless beside the one
 * database, so a group runs as many of each as it needs:
 *
 * - `api`: the HTTP server only. It still queues work (a verified request's fulfilment, a woken or retried
 *   run, a consent event's webhook deliveries) on the job queues in the database, and reads the group's
 *   systems for the subject locator, the retention preview and legal holds; it runs no job.
 * - `worker`: no HTTP listener. It runs the queues' jobs (fulfilment, the daily retention run, webhook
 *   deliveries, audience removals and scheduled exports, the telling of a breach's people), keeps the queues (jobs lost with a stopped worker are run again) and signs the daily
 *   audit checkpoint.
 * - `all` (the default): both, in one process.
 *
 * Work that must happen once however many processes start at the same moment (loading the demo, seeding its
 * systems, a backfill) runs under one lock on the database (`once`); the job queues run each job once
 * (pg-boss), and a request's fulfilment run and a day's retention run each take their own lock while they
 * run, so a job taken as lost while its worker still runs it waits instead of running alongside.
 */
import type { App } from '../app.ts';
import { startRequestFulfilment } from '../services/requests/fulfilRequest.ts';
import { backfillRequestStops } from '../services/requests/consentLink.ts';
import type { QueueRole } from '../services/queue/role.ts';
import { startRetention } from '../services/retention/worker.ts';
import { startAudience } from '../services/audience/worker.ts';
import { startBreachTelling } from '../services/breaches/tellJob.ts';
import { precondition } from '../core/errors.ts';
import { groupOf } from '../services/register/group.ts';
import { installationSecret } from '../services/consent/keys.ts';
import type { SubjectSystems, Workers } from '../workers.ts';

export const ROLES = ['all', 'api', 'worker'] as const;
export type Role = (typeof ROLES)[number];

/** Whether a role listens for HTTP, and whether it runs the jobs. */
export const roleParts = (role: Role): { http: boolean; jobs: boolean } => ({
  http: role !== 'worker',
  jobs: role !== 'api',
});

/** How the role takes part in the job queues, with the configured timings. */
export function queueRole(app: Pick<App, 'config'>, role: Role): QueueRole {
  return {
    consume: roleParts(role).jobs,
    expireInSeconds: app.config.queues.jobTimeoutSeconds,
    maintenanceIntervalSeconds: app.config.queues.maintenanceSeconds,
  };
}

/** The lock of the work a start does once for all processes. */
export const STARTUP_LOCK = 'ombud:startup';

/** fn once at a time across the processes starting on this database (each finds the work of the one before). */
export const once = <T>(app: Pick<App, 'db'>, fn: () => Promise<T>): Promise<T> =>
  app.db.lock(STARTUP_LOCK, fn);

/**
 * Fulfilment and retention over the group's systems, as the role takes part: an API process queues and
 * reads, a worker runs the jobs (and first turns the desk's old stops into consent events, once).
 */
export async function startSystemsWork(
  app: App,
  workers: Workers,
  systems: SubjectSystems,
  role: Role,
): Promise<void> {
  const queues = queueRole(app, role);
  if (queues.consume) await once(app, () => backfillRequestStops(app, workers));
  await startRequestFulfilment(app, workers, systems, queues);
  await startRetention(app, workers, systems, {
    ...queues,
    retryDelaySeconds: app.config.queues.retentionRetrySeconds,
  });
  // Audience segments: removal at once after an objection (queued by any process), scheduled exports.
  await startAudience(app, workers, systems, queues);
  // Breaches: the people affected told as a job (queued by any process, run by a worker).
  await startBreachTelling(
    app,
    workers,
    async () => {
      const reg = await app.registers.get();
      if (!reg) throw precondition('no-register', 'No register has been applied yet.');
      return {
        deps: {
          db: app.db,
          now: app.now,
          index: reg.index,
          systems,
          secret: app.config.secret ?? (await installationSecret(app.db)),
          smtp: { url: app.config.smtpUrl, from: app.config.mailFrom },
          log: app.log,
        },
        group: await groupOf(app.registers),
      };
    },
    queues,
  );
}

/** What a worker prints when it runs (it has no addresses to give). */
export const workerReady = (withSystems: boolean) =>
  `Worker ready: ${withSystems ? 'fulfilment, retention, ' : ''}webhook deliveries and audit checkpoints; no HTTP listener.`;

/** Said at the start of an `api` or `worker` process on the embedded database, which one process holds. */
export const embeddedRoleNote = (role: Role): string | undefined =>
  role === 'all'
    ? undefined
    : `Note: --role ${role} on the embedded database, which only this process may open: ${role === 'api' ? 'no worker can run the jobs it queues' : 'no API process can queue work'}. Use DATABASE_URL (a PostgreSQL server) to run API and worker processes apart.`;
