/**
 * The audience jobs on pg-boss (issue #14, P44), on the same database as the other queues:
 *
 * - **Removal at once.** After a consent event that can stop a segment (an objection, to direct marketing
 *   or to a purpose, or a withdrawn consent), recorded through any route (the preference center, the
 *   consent API, an objection request fulfilled), `eventRecorded` queues one durable job. The job decides,
 *   by the same consent rules a segment is built with, which of the company's `immediateRemoval`
 *   segments the subject may no longer be in, and writes a removal-only export for them
 *   (`removeSubjectAtOnce`). A restriction (Art. 18) queues the same job (`subjectChanged`). The HTTP
 *   request only queues it: a failed job is retried by pg-boss.
 * - **Scheduled exports.** Each segment with a `schedule` in the register has its own queue and pg-boss
 *   schedule (stored in the database, so one per segment for all workers), run as `system:scheduler`.
 *   The schedules are set at the worker's start and again when a new register revision is seen (checked
 *   every `syncSeconds`, default 60): new segments scheduled, changed crons replaced, removed ones
 *   unscheduled.
 */
import PgBoss from 'pg-boss';
import type { Config } from '../../config.ts';
import type { ConsentEvent } from '../../core/consent/event.ts';
import { cronOf } from '../../core/audience/schedule.ts';
import type { RegisterIndex } from '../../core/register/register-index.ts';
import type { Audience } from '../../core/register/schema.ts';
import type { Db } from '../../storage/db.ts';
import { type Log, queueErrorFields } from '../../log.ts';
import type { SubjectSystems } from '../../workers.ts';
import { type Actor, SYSTEM_ACTOR } from '../audit/auditLog.ts';
import { bulkFilter } from '../consent/checkContact.ts';
import { consentKeys } from '../consent/keys.ts';
import { identitiesOf, subjectById } from '../consent/subjects.ts';
import { pgBossDb } from '../fulfilment/queue.ts';
import { bossRole, createQueueOnce, startBossOnce, jobExpiry, type QueueRole } from '../queue/role.ts';
import type { RegisterCache } from '../register/currentRegister.ts';
import {
  type AudienceDeps,
  type AudienceExport,
  exportSegment,
  removeSubjectAtOnce,
} from './exportSegment.ts';

export const AUDIENCE_REMOVAL_QUEUE = 'ombud-audience-removal';
/** The queue (and schedule) of one segment's exports. */
export const audienceExportQueue = (orgId: string, segmentId: string) =>
  `ombud-audience-export.${orgId}.${segmentId}`;
const EXPORT_QUEUE_PREFIX = 'ombud-audience-export.';

/** Who runs a scheduled export (the audit log and the export's `createdBy`: system:scheduler). */
export const SCHEDULER_ACTOR: Actor = { kind: 'system', id: 'scheduler' };

export type AudienceHost = Readonly<{
  db: Db;
  registers: RegisterCache;
  now: () => Date;
  config: Pick<Config, 'secret' | 'secretKeys'>;
  log?: Log;
}>;

export type AudienceSlot = {
  audience?: Pick<AudienceWorker, 'subjectChanged' | 'stop'>;
  consentChanged?: (event: ConsentEvent) => Promise<void>;
};

export type AudienceWorkerOptions = QueueRole & {
  pollingIntervalSeconds?: number;
  retryLimit?: number;
  retryDelaySeconds?: number;
  /** How often the register is checked for a new revision to reschedule (default 60 s; 0: only at start). */
  syncSeconds?: number;
  /** Called after each job's exports (tests, logs). */
  onExports?: (what: 'removal' | 'scheduled', exports: AudienceExport[]) => void;
};

type RemovalJob = { orgId: string; subjectId: string };
type ExportJob = { orgId: string; segmentId: string };

/** The segments of the register that have a schedule, by their queue. */
function scheduled(index: RegisterIndex | undefined): Map<string, Audience> {
  const out = new Map<string, Audience>();
  for (const a of index?.register.audiences ?? [])
    if (a.schedule) out.set(audienceExportQueue(a.controller, a.id), a);
  return out;
}

export class AudienceWorker {
  private syncedRevision?: number;
  private timer?: NodeJS.Timeout;
  private readonly working = new Set<string>();
  private previousHook?: (event: ConsentEvent) => Promise<void>;
  private hook?: (event: ConsentEvent) => Promise<void>;

  private constructor(
    private readonly app: AudienceHost,
    private readonly slot: AudienceSlot,
    readonly systems: SubjectSystems,
    readonly boss: PgBoss,
    private readonly opts: AudienceWorkerOptions,
  ) {}

  private get settings() {
    return {
      policy: 'standard' as const,
      retryLimit: this.opts.retryLimit ?? 3,
      retryDelay: this.opts.retryDelaySeconds ?? 60,
      retryBackoff: true,
      ...jobExpiry(this.opts),
    };
  }

  static async start(
    app: AudienceHost,
    slot: AudienceSlot,
    systems: SubjectSystems,
    opts: AudienceWorkerOptions = {},
  ): Promise<AudienceWorker> {
    const consume = opts.consume !== false;
    const boss = new PgBoss({ db: pgBossDb(app.db), schema: 'pgboss', ...bossRole(opts), schedule: consume });
    boss.on('error', (err) => app.log?.warn(queueErrorFields(err), 'audience queue error'));
    await startBossOnce(app.db, boss);
    const w = new AudienceWorker(app, slot, systems, boss, opts);
    await createQueueOnce(app.db, boss, AUDIENCE_REMOVAL_QUEUE, {
      name: AUDIENCE_REMOVAL_QUEUE,
      ...w.settings,
    });
    if (consume) {
      await boss.work<RemovalJob>(
        AUDIENCE_REMOVAL_QUEUE,
        { batchSize: 1, pollingIntervalSeconds: opts.pollingIntervalSeconds ?? 2 },
        async ([job]) => (job ? w.runRemoval(job.data) : undefined),
      );
      await w.syncSchedules();
      const every = opts.syncSeconds ?? 60;
      if (every > 0) {
        w.timer = setInterval(() => {
          w.syncSchedules().catch((err) =>
            app.log?.warn(queueErrorFields(err), 'audience schedules not synced'),
          );
        }, every * 1000);
        w.timer.unref();
      }
    }
    // After the events' other listeners (webhook propagation), each stopping event queues a removal job.
    w.previousHook = slot.consentChanged;
    w.hook = async (e) => {
      await w.previousHook?.(e);
      await w.eventRecorded(e);
    };
    slot.consentChanged = w.hook;
    slot.audience = w;
    return w;
  }

  private async deps(): Promise<AudienceDeps | undefined> {
    const reg = await this.app.registers.get();
    if (!reg) return undefined;
    const keys = await consentKeys(this.app.db, this.app.config.secret, this.app.config.secretKeys);
    return { db: this.app.db, keys, index: reg.index, now: this.app.now };
  }

  /** Queue the removal job for an event that can stop a segment of its company with `immediateRemoval`. */
  async eventRecorded(e: ConsentEvent): Promise<string | null> {
    if (e.kind !== 'object' && e.kind !== 'withdraw') return null;
    return this.subjectChanged(e.orgId, e.subjectId);
  }

  /** Queue the removal job for a subject whose state changed (an objection, a withdrawal, a restriction). */
  async subjectChanged(orgId: string, subjectId: string): Promise<string | null> {
    const reg = await this.app.registers.get();
    const any = (reg?.index.register.audiences ?? []).some(
      (a) => a.controller === orgId && a.immediateRemoval,
    );
    if (!any) return null;
    return this.boss.send(AUDIENCE_REMOVAL_QUEUE, { orgId, subjectId } satisfies RemovalJob);
  }

  /**
   * The removal job: the company's immediate-removal segments whose purpose the consent rules now refuse
   * the subject for (by their e-mail addresses, as the segment is built) get a removal-only export.
   */
  async runRemoval(job: RemovalJob): Promise<AudienceExport[]> {
    const deps = await this.deps();
    const subject = await subjectById(this.app.db, job.subjectId);
    if (!deps || !subject) return [];
    const identities = await identitiesOf(this.app.db, deps.keys, job.subjectId);
    const emails = identities.filter((i) => i.kind === 'email').map((i) => i.value);
    const purposes = new Set(
      (deps.index.register.audiences ?? [])
        .filter((a) => a.controller === job.orgId && a.immediateRemoval)
        .map((a) => a.purpose),
    );
    const stopped: string[] = [];
    for (const purposeId of purposes) {
      if (emails.length === 0) break;
      const d = await bulkFilter(deps.db, deps.keys, deps.index, {
        orgId: job.orgId,
        purposeId,
        channel: 'email',
        recipients: emails,
      });
      if (d.refused.some((r) => r.reason !== 'invalid-address' && r.reason !== 'duplicate'))
        stopped.push(purposeId);
    }
    if (stopped.length === 0) return [];
    const out = await this.app.db.lock(`ombud:audience:${job.orgId}`, () =>
      removeSubjectAtOnce(deps, SYSTEM_ACTOR, { orgId: job.orgId, purposeIds: stopped, identities }),
    );
    this.opts.onExports?.('removal', out);
    return out;
  }

  /** A scheduled export of one segment, as system:scheduler (nothing when it left the register). */
  async runScheduled(job: ExportJob): Promise<AudienceExport | undefined> {
    const deps = await this.deps();
    const segment = (deps?.index.register.audiences ?? []).find(
      (a) => a.controller === job.orgId && a.id === job.segmentId,
    );
    if (!deps || !segment) return undefined;
    const e = await this.app.db.lock(`ombud:audience:${job.orgId}`, () =>
      exportSegment(deps, this.systems, SCHEDULER_ACTOR, { ...job, kind: 'scheduled' }),
    );
    this.opts.onExports?.('scheduled', [e]);
    return e;
  }

  /**
   * The pg-boss schedules as the current register has them: one per segment with a schedule, replaced
   * when its cron changed, removed with the segment. Returns the queues scheduled.
   */
  async syncSchedules(): Promise<string[]> {
    const reg = await this.app.registers.get();
    if (!reg || reg.stored.revision === this.syncedRevision) return [...this.working];
    const wanted = scheduled(reg.index);
    const existing = (await this.boss.getSchedules()).filter((s) => s.name.startsWith(EXPORT_QUEUE_PREFIX));
    for (const s of existing)
      if (!wanted.has(s.name)) {
        await this.boss.unschedule(s.name);
        await this.boss.offWork(s.name).catch(() => undefined);
        this.working.delete(s.name);
      }
    for (const [name, a] of wanted) {
      await createQueueOnce(this.app.db, this.boss, name, { name, ...this.settings, policy: 'stately' });
      const cron = cronOf(a.schedule!);
      const data: ExportJob = { orgId: a.controller, segmentId: a.id };
      if (!existing.some((s) => s.name === name && s.cron === cron))
        await this.boss.schedule(name, cron, data, { tz: 'UTC' });
      if (!this.working.has(name)) {
        await this.boss.work<ExportJob>(
          name,
          { batchSize: 1, pollingIntervalSeconds: this.opts.pollingIntervalSeconds ?? 10 },
          async ([job]) => (job ? this.runScheduled(job.data) : undefined),
        );
        this.working.add(name);
      }
    }
    this.syncedRevision = reg.stored.revision;
    return [...this.working];
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.slot.consentChanged === this.hook) this.slot.consentChanged = this.previousHook;
    await this.boss.stop({ graceful: true, wait: true, timeout: 10_000 });
    if (this.slot.audience === this) this.slot.audience = undefined;
  }
}

/** `ombud start`: the audience jobs over the systems the fulfilment worker uses. */
export function startAudience(
  app: AudienceHost,
  slot: AudienceSlot,
  systems: SubjectSystems,
  opts: AudienceWorkerOptions = {},
): Promise<AudienceWorker> {
  return AudienceWorker.start(app, slot, systems, opts);
}
