/**
 * Recipients told (Art. 19) and fulfilment outside the group's databases: one task per request and system,
 * carried out through the system's HTTP connector when one is configured, otherwise as a manual task that
 * a person ticks off in the console with a note. The run step `notify:<system>` (or, for an access that
 * asks a service for its data, `collect:<system>`) waits for the task; the run completes when every task
 * is answered. Tasks hold statuses, counts and notes, never personal data; a service's access data is
 * kept only as an artifact of the run until the extract holds it.
 */
import { randomBytes } from 'node:crypto';
import type { Keyring } from '../../core/secrets/envelope.ts';
import type { ConnectorLimits } from './limiter.ts';
import type { Db } from '../../storage/db.ts';
import { type Actor, recordAudit } from '../audit/auditLog.ts';
import { settleRun, stepAnswered, stepAnsweredFailed, storeServiceData } from './runStore.ts';
import {
  HttpServiceConnector,
  loadHttpConnector,
  type ServiceAction,
  type ServiceAnswer,
  ServiceError,
} from './connectors/http.ts';
import { loadSaasConnector } from './connectors/saas.ts';
import { SaasClient, SaasError, type SaasRuntime } from '../connectors/saas.ts';

export type RecipientOptions = {
  /** Ombud's public base URL; callbacks go to <base>/api/v1/fulfilment/callbacks/<delivery id>. */
  callbackBaseUrl: string;
  /** The keyring that opens the connectors' sealed secrets. */
  keyring?: Keyring;
  /** Retries and back-off of one delivery (defaults 2 and 500 ms). */
  retries?: number;
  backoffMs?: number;
};

export type TaskRow = {
  request_id: string;
  system_id: string;
  org_id: string;
  action: ServiceAction;
  via: 'http' | 'manual' | 'saas';
  /** open: to send (HTTP) or to tick off (manual); sent: accepted, callback awaited; unanswered: resends spent. */
  status: 'open' | 'sent' | 'unanswered' | 'done' | 'failed';
  delivery_id: string;
  answer: ServiceAnswer | null;
  note: string | null;
  done_by: string | null;
  sent_at: string | Date | null;
  answered_at: string | Date | null;
  attempts: number;
  /** Deliveries the service accepted (202) so far. */
  sends: number;
  error: string | null;
};

/** The run step a task answers: `collect:<system>` for an access, `notify:<system>` for a change. */
export const taskStep = (t: Pick<TaskRow, 'action' | 'system_id'>) =>
  `${t.action === 'access' ? 'collect' : 'notify'}:${t.system_id}`;

/** The artifact holding a service's access answer until the extract is made (never a table of its own). */
export const serviceArtifact = (systemId: string) => `service-${systemId}.json`;
const SERVICE_ARTIFACT_DAYS = 30;

/** The step's error when a service never answered; the step fails and the desk offers "retry". */
export const noAnswer = (systemId: string, sends: number) =>
  `no answer from ${systemId} after ${sends} attempt${sends === 1 ? '' : 's'} — retry`;

export type NotifyContext = {
  requestId: string;
  orgId: string;
  action: ServiceAction;
  systemId: string;
  identities: { email?: string; phone?: string; customer_number?: string };
  corrections?: Record<string, string>;
  now: Date;
};

/** The outcome recorded on the `notify:<system>` step once the recipient has answered. */
export type RecipientOutcome = {
  dataset: '';
  system: string;
  collection: string;
  erased: number;
  kept: number;
  keptUnder: [];
  action: 'none';
  recipient: {
    via: 'http' | 'manual' | 'saas';
    status: string;
    records?: number;
    note?: string;
    by?: string;
  };
};

export async function getTask(db: Db, requestId: string, systemId: string): Promise<TaskRow | undefined> {
  const [t] = await db.query<TaskRow>(
    'SELECT * FROM fulfilment_recipient_tasks WHERE request_id = $1 AND system_id = $2',
    [requestId, systemId],
  );
  return t;
}

/** The key of a task in the map `getTasks` answers: the request id and system id, NUL between them. */
export const taskKey = (t: Pick<TaskRow, 'request_id' | 'system_id'>) => `${t.request_id}\0${t.system_id}`;

/** The tasks of several (request, system) pairs in one query, by `taskKey`; a pair with no task is absent. */
export async function getTasks(
  db: Db,
  keys: readonly { requestId: string; systemId: string }[],
): Promise<Map<string, TaskRow>> {
  if (!keys.length) return new Map();
  const rows = await db.query<TaskRow>(
    `SELECT t.* FROM fulfilment_recipient_tasks t
       JOIN unnest($1::text[], $2::text[]) AS k(request_id, system_id)
         ON t.request_id = k.request_id AND t.system_id = k.system_id`,
    [keys.map((k) => k.requestId), keys.map((k) => k.systemId)],
  );
  return new Map(rows.map((t) => [taskKey(t), t]));
}

/**
 * Carry out one recipient step: create the task once, send it when the system has an HTTP connector
 * (again when an accepted delivery got no callback within the connector's callbackHours, up to its
 * `resends`; then the task is `unanswered` and the step fails saying so), and say whether the step is
 * answered or waiting. Throws (step failed) when the service cannot be reached, refuses, or never answered.
 * Sending is claimed on the task's attempt count, so two runs of one request never send the same delivery
 * twice at once; `limits` caps the concurrent sends per service (key `http:<system>`).
 */
export async function notifyRecipient(
  db: Db,
  opts: RecipientOptions,
  ctx: NotifyContext,
  limits?: ConnectorLimits,
): Promise<{ state: 'answered'; task: TaskRow } | { state: 'waiting'; task: TaskRow }> {
  const http = await loadHttpConnector(db, opts.keyring, ctx.systemId);
  // A SaaS connector that cannot carry out this action (no restrict endpoint, say) leaves a manual task.
  const saas = http ? undefined : await loadSaasConnector(db, opts.keyring, ctx.systemId);
  const saasDoes = saas !== undefined && new SaasClient(saas).supports(ctx.action);
  await db.query(
    `INSERT INTO fulfilment_recipient_tasks (request_id, system_id, org_id, action, via, delivery_id)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (request_id, system_id) DO NOTHING`,
    [
      ctx.requestId,
      ctx.systemId,
      ctx.orgId,
      ctx.action,
      http ? 'http' : saasDoes ? 'saas' : 'manual',
      `dlv_${randomBytes(16).toString('hex')}`,
    ],
  );
  let task = (await getTask(db, ctx.requestId, ctx.systemId))!;
  if (task.status === 'done') return { state: 'answered', task };
  // Resends spent: stays failed until a person retries (reopenUnanswered) or the answer still comes.
  if (task.status === 'unanswered') throw new ServiceError(noAnswer(ctx.systemId, task.sends), false);
  if (task.status === 'failed') {
    // A retry of a step whose service answered "failed": send again.
    await db.query(
      "UPDATE fulfilment_recipient_tasks SET status = 'open' WHERE request_id = $1 AND system_id = $2 AND status = 'failed'",
      [ctx.requestId, ctx.systemId],
    );
    task = { ...task, status: 'open' };
  }
  if (task.via === 'saas' && saas && saasDoes) return runSaasTask(db, saas, ctx, task, limits);
  if (task.via === 'manual' || !http) return { state: 'waiting', task };
  const overdue =
    task.status === 'sent' &&
    task.sent_at !== null &&
    new Date(task.sent_at).getTime() + http.callbackHours * 3_600_000 <= ctx.now.getTime();
  if (task.status === 'sent' && !overdue) return { state: 'waiting', task };
  if (overdue && task.sends > http.resends) {
    const why = noAnswer(ctx.systemId, task.sends);
    await db.query(
      `UPDATE fulfilment_recipient_tasks SET status = 'unanswered', error = $3
        WHERE request_id = $1 AND system_id = $2 AND status = 'sent'`,
      [ctx.requestId, ctx.systemId, why],
    );
    throw new ServiceError(why, false);
  }

  // Claim this send: another run of the same request that got here first has already counted it.
  const claimed = await db.query(
    `UPDATE fulfilment_recipient_tasks SET attempts = attempts + 1, error = NULL
      WHERE request_id = $1 AND system_id = $2 AND attempts = $3 AND status IN ('open', 'sent') RETURNING 1`,
    [ctx.requestId, ctx.systemId, task.attempts],
  );
  if (claimed.length === 0) return { state: 'waiting', task };
  const connector = new HttpServiceConnector(http, {
    retries: opts.retries,
    backoffMs: opts.backoffMs,
  });
  const answerBy = new Date(ctx.now.getTime() + http.callbackHours * 3_600_000).toISOString();
  const request = {
    type: 'ombud.fulfilment.request' as const,
    delivery_id: task.delivery_id,
    request_id: ctx.requestId,
    system: ctx.systemId,
    action: ctx.action,
    identities: ctx.identities,
    ...(ctx.corrections ? { corrections: ctx.corrections } : {}),
    callback_url: `${opts.callbackBaseUrl.replace(/\/$/, '')}/api/v1/fulfilment/callbacks/${task.delivery_id}`,
    answer_by: answerBy,
  };
  try {
    const out = await (limits
      ? limits.run(`http:${ctx.systemId}`, () => connector.send(request))
      : connector.send(request));
    if (out.kind === 'answered') {
      await answerTask(db, task, out.answer, {
        by: `system:${ctx.systemId}`,
        actor: { kind: 'system', id: 'fulfilment' },
      });
      task = (await getTask(db, ctx.requestId, ctx.systemId))!;
      if (task.status === 'failed') throw new Error(`${ctx.systemId} answered: failed`);
      return { state: 'answered', task };
    }
    await db.query(
      `UPDATE fulfilment_recipient_tasks SET status = 'sent', sent_at = $3, sends = sends + 1
        WHERE request_id = $1 AND system_id = $2 AND status IN ('open', 'sent')`,
      [ctx.requestId, ctx.systemId, ctx.now.toISOString()],
    );
    task = (await getTask(db, ctx.requestId, ctx.systemId))!;
    return task.status === 'done' ? { state: 'answered', task } : { state: 'waiting', task };
  } catch (err) {
    await db.query(
      'UPDATE fulfilment_recipient_tasks SET error = $3 WHERE request_id = $1 AND system_id = $2',
      [ctx.requestId, ctx.systemId, (err as Error).message],
    );
    throw err;
  }
}

/**
 * A task carried out through a SaaS connector: the connector runs at once (reads, then changes each record
 * read), and its answer is recorded like a service's 200 answer. A failure (an HTTP status, no connection)
 * fails the step with the system, collection and status; a retry runs the connector again.
 */
async function runSaasTask(
  db: Db,
  saas: SaasRuntime,
  ctx: NotifyContext,
  task: TaskRow,
  limits?: ConnectorLimits,
): Promise<{ state: 'answered'; task: TaskRow }> {
  const claimed = await db.query(
    `UPDATE fulfilment_recipient_tasks SET attempts = attempts + 1, error = NULL, sent_at = $4
      WHERE request_id = $1 AND system_id = $2 AND attempts = $3 AND status = 'open' RETURNING 1`,
    [ctx.requestId, ctx.systemId, task.attempts, ctx.now.toISOString()],
  );
  if (claimed.length === 0) throw new ServiceError(`${ctx.systemId}: another run is carrying this out`, true);
  const client = new SaasClient(saas);
  try {
    const run = () => client.run(ctx.action, ctx.identities, ctx.corrections ?? {});
    const r = await (limits ? limits.run(`saas:${ctx.systemId}`, run) : run());
    const answer = {
      status: r.status,
      records: r.records,
      ...(ctx.action === 'access' ? { data: r.data ?? {} } : {}),
      collections: r.collections,
    } as ServiceAnswer;
    await answerTask(db, task, answer, {
      by: `system:${ctx.systemId}`,
      actor: { kind: 'system', id: 'fulfilment' },
    });
    return { state: 'answered', task: (await getTask(db, ctx.requestId, ctx.systemId))! };
  } catch (err) {
    const message =
      err instanceof SaasError
        ? err.message
        : `${ctx.systemId}: the connector failed (${(err as Error).name})`;
    await db.query(
      'UPDATE fulfilment_recipient_tasks SET error = $3 WHERE request_id = $1 AND system_id = $2',
      [ctx.requestId, ctx.systemId, message],
    );
    throw new ServiceError(message, err instanceof SaasError ? err.retryable : false);
  }
}

/** A person's retry: tasks whose resends were spent are opened again, so the next run sends once more. */
export async function reopenUnanswered(db: Db, requestId: string): Promise<number> {
  const rows = await db.query(
    `UPDATE fulfilment_recipient_tasks SET status = 'open', sends = 0, error = NULL
      WHERE request_id = $1 AND status = 'unanswered' RETURNING 1`,
    [requestId],
  );
  return rows.length;
}

const VIA_WORDS = { http: 'HTTP connector', saas: 'SaaS connector', manual: 'manual task' } as const;

export function recipientOutcome(task: TaskRow): RecipientOutcome[] {
  const asked = task.action === 'access';
  // A SaaS connector answers per collection, as the own databases do.
  const cols = (task.answer as { collections?: { name: string; read: number; changed: number }[] } | null)
    ?.collections;
  if (task.via === 'saas' && cols?.length)
    return cols.map((c) => ({
      dataset: '',
      system: task.system_id,
      collection: c.name,
      erased: asked ? 0 : c.changed,
      kept: asked ? c.read : 0,
      keptUnder: [],
      action: 'none',
      recipient: {
        via: 'saas',
        status: task.answer?.status ?? task.status,
        records: asked ? c.read : c.changed,
        ...(task.done_by ? { by: task.done_by } : {}),
      },
    }));
  return [
    {
      dataset: '',
      system: task.system_id,
      collection: `${asked ? 'asked' : 'told'} via ${VIA_WORDS[task.via]}`,
      erased: asked ? 0 : (task.answer?.records ?? 0),
      kept: asked ? (task.answer?.records ?? 0) : 0,
      keptUnder: [],
      action: 'none',
      recipient: {
        via: task.via,
        status: task.answer?.status ?? task.status,
        ...(task.answer?.records !== undefined ? { records: task.answer.records } : {}),
        ...(task.note ? { note: task.note } : {}),
        ...(task.done_by ? { by: task.done_by } : {}),
      },
    },
  ];
}

/**
 * Record a recipient's answer (from the service, its callback, or the person ticking the task off), mark
 * the step, and complete the run when nothing else is open. Idempotent: a task already answered is left.
 * An access answer's `data` is kept only as the run's artifact `service-<system>.json` until the extract
 * is made (then deleted); the task itself keeps the status and count.
 */
export async function answerTask(
  db: Db,
  task: Pick<TaskRow, 'request_id' | 'system_id'>,
  answer: ServiceAnswer,
  who: { by: string; actor: Actor; note?: string },
): Promise<{ changed: boolean }> {
  const changed = await db.transaction(async (tx) => {
    const status = answer.status === 'failed' ? 'failed' : 'done';
    const { data: _data, ...kept } = answer; // access data is not kept in Ombud's tables
    const rows = await tx.query<TaskRow>(
      `UPDATE fulfilment_recipient_tasks SET status = $3, answer = $4, note = $5, done_by = $6, answered_at = now(), error = NULL
        WHERE request_id = $1 AND system_id = $2 AND status IN ('open', 'sent', 'unanswered') RETURNING *`,
      [task.request_id, task.system_id, status, JSON.stringify(kept), who.note ?? null, who.by],
    );
    const t = rows[0];
    if (!t) return false;
    const step = taskStep(t);
    if (t.action === 'access' && status === 'done' && answer.data)
      await storeServiceData(
        tx,
        t.request_id,
        serviceArtifact(t.system_id),
        answer.data,
        SERVICE_ARTIFACT_DAYS,
      );
    if (status === 'done') await stepAnswered(tx, t.request_id, step, recipientOutcome(t));
    else await stepAnsweredFailed(tx, t.request_id, step, `${t.system_id} answered: failed`);
    // A run in progress settles itself when it ends; a waiting run (or one failed for want of this
    // answer) is settled here.
    await settleRun(tx, t.request_id, { onlyIfWaiting: true });
    await recordAudit(tx, {
      actor: who.actor,
      orgId: t.org_id,
      action: 'fulfilment.recipient.answered',
      target: `request:${t.request_id}`,
      details: {
        system: t.system_id,
        via: t.via,
        status: answer.status,
        records: answer.records ?? null,
        by: who.by,
      },
    });
    return true;
  });
  return { changed };
}

export type OpenTask = TaskRow & { type: string };

/** Tasks still to answer, for the console checklist: only those of the given companies ('all': every one). */
export async function listOpenTasks(db: Db, orgIds: 'all' | string[]): Promise<TaskRow[]> {
  if (orgIds !== 'all' && orgIds.length === 0) return [];
  return db.query<TaskRow>(
    `SELECT * FROM fulfilment_recipient_tasks
      WHERE status IN ('open', 'sent', 'unanswered') AND ($1::text[] IS NULL OR org_id = ANY($1::text[]))
      ORDER BY created_at, request_id, system_id`,
    [orgIds === 'all' ? null : orgIds],
  );
}

export async function tasksOf(db: Db, requestId: string): Promise<TaskRow[]> {
  return db.query<TaskRow>(
    'SELECT * FROM fulfilment_recipient_tasks WHERE request_id = $1 ORDER BY system_id',
    [requestId],
  );
}

export async function taskByDelivery(db: Db, deliveryId: string): Promise<TaskRow | undefined> {
  const [t] = await db.query<TaskRow>('SELECT * FROM fulfilment_recipient_tasks WHERE delivery_id = $1', [
    deliveryId,
  ]);
  return t;
}
