/**
 * The part of a retention run outside the SQL databases: every register system that no connected dataset
 * sweeps and that holds data under a purpose rule (src/core/retention/outside.ts) is asked once per rule
 * and run. A system with an HTTP connector receives a signed `ombud.retention.request` (docs/connectors/
 * http.md, "Retention") whose delivery id is derived from run, system and rule, so a resumed run sends the
 * same delivery again and the service can de-duplicate it; its answer (counts, or 202 and a callback) is
 * recorded. A system without one gets a manual task (one per system, rule and month: src/services/
 * retention/tasks.ts). A dry run records what it would ask and asks nothing. Failures are recorded on the
 * request and fail the run (resumable) while the other systems go on. No personal data is sent or kept.
 */
import { randomUUID } from 'node:crypto';
import type { IsoDate } from '../../core/deadlines/iso-date.ts';
import {
  outsideTargets,
  type RetentionAsk,
  retentionAsk,
  retentionDeliveryId,
  taskDueOn,
  taskPeriod,
} from '../../core/retention/outside.ts';
import type { Db } from '../../storage/db.ts';
import { type Actor, recordAudit } from '../audit/auditLog.ts';
import { HttpServiceConnector, loadHttpConnector } from '../fulfilment/connectors/http.ts';
import type { RecipientOptions } from '../fulfilment/recipients.ts';
import { safeError } from '../fulfilment/subject.ts';
import type { FulfilmentDeps } from '../fulfilment/runTypes.ts';
import { type RetentionAnswer, type RetentionRequest, retentionAnswer } from './contract.ts';

export type OutsideStatus = 'pending' | 'done' | 'accepted' | 'failed' | 'task' | 'planned';

/** One system asked under one rule in a run, as the API, the console and the CLI show it. */
export type OutsideResult = {
  system: string;
  rule: string;
  via: 'http' | 'manual';
  action: 'delete' | 'anonymise';
  expiredBefore: IsoDate;
  status: OutsideStatus;
  deliveryId: string | null;
  deleted: number | null;
  anonymised: number | null;
  kept: number | null;
  message: string | null;
  error: string | null;
  attempts: number;
  /** The manual task that stands for the request (status task; a dry run: the task already open, if any). */
  taskId: string | null;
  /** This run opened the task; false: a task of the same rule and period was there already. */
  taskOpened: boolean;
};

export type OutsideProgress = {
  kind: 'outside';
  system: string;
  rule: string;
  via: 'http' | 'manual';
  status: OutsideStatus;
  error?: string;
};

/** What asking needs of a retention run's dependencies (RetentionDeps is one). */
export type OutsideDeps = Pick<FulfilmentDeps, 'db' | 'actor' | 'index' | 'datasets' | 'now' | 'recipients'>;

type RunRef = { id: string; today: IsoDate; dry_run: boolean };

type RequestRow = {
  system: string;
  rule: string;
  via: 'http' | 'manual';
  action: 'delete' | 'anonymise';
  expired_before: string;
  status: OutsideStatus;
  delivery_id: string | null;
  deleted: number | null;
  anonymised: number | null;
  kept: number | null;
  message: string | null;
  error: string | null;
  attempts: number;
  task_id: string | null;
  task_opened: boolean;
};

const COLUMNS = `system, rule, via, action, expired_before::text AS expired_before, status, delivery_id,
  deleted, anonymised, kept, message, error, attempts, task_id, task_opened`;

const toResult = (r: RequestRow): OutsideResult => ({
  system: r.system,
  rule: r.rule,
  via: r.via,
  action: r.action,
  expiredBefore: String(r.expired_before).slice(0, 10),
  status: r.status,
  deliveryId: r.delivery_id,
  deleted: r.deleted,
  anonymised: r.anonymised,
  kept: r.kept,
  message: r.message,
  error: r.error,
  attempts: r.attempts,
  taskId: r.task_id,
  taskOpened: r.task_opened,
});

/** The run's requests outside the SQL databases, by system and rule. */
export async function outsideResults(db: Db, runId: string): Promise<OutsideResult[]> {
  const rows = await db.query<RequestRow>(
    `SELECT ${COLUMNS} FROM retention_requests WHERE run_id = $1 ORDER BY position, system, rule`,
    [runId],
  );
  return rows.map(toResult);
}

/** The systems with an HTTP connector (their requests go through it). */
async function httpSystems(db: Db): Promise<Set<string>> {
  const rows = await db.query<{ system_id: string }>('SELECT system_id FROM fulfilment_http_connectors');
  return new Set(rows.map((r) => r.system_id));
}

/** The request rows of this run, created on its first attempt (a resume finds them). */
async function plannedRequests(deps: OutsideDeps, run: RunRef): Promise<Map<string, RetentionAsk>> {
  const targets = outsideTargets(deps.index.register, new Set(deps.datasets.map((d) => d.ombud.system)));
  const http = await httpSystems(deps.db);
  const asks = new Map<string, RetentionAsk>();
  for (const [position, t] of targets.entries()) {
    const rule = deps.index.retentionRules.get(t.rule);
    const ask = rule && retentionAsk(rule, deps.index.retentionRules, run.today);
    if (!ask) continue;
    asks.set(`${t.system} ${t.rule}`, ask);
    const via = http.has(t.system) ? 'http' : 'manual';
    await deps.db.query(
      `INSERT INTO retention_requests (run_id, system, rule, via, action, expired_before, delivery_id, position)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (run_id, system, rule) DO NOTHING`,
      [
        run.id,
        t.system,
        t.rule,
        via,
        ask.action,
        ask.expired_before,
        via === 'http' ? retentionDeliveryId(run.id, t.system, t.rule) : null,
        position,
      ],
    );
  }
  return asks;
}

/**
 * Ask every system outside the SQL databases for the run's day; requests answered (or tasks opened) by an
 * earlier attempt of the run are not asked again. Returns every request of the run.
 */
export async function askOutsideSystems(
  deps: OutsideDeps,
  run: RunRef,
  onProgress?: (p: OutsideProgress) => void,
): Promise<OutsideResult[]> {
  const asks = await plannedRequests(deps, run);
  for (const row of await outsideResults(deps.db, run.id)) {
    if (row.status !== 'pending' && row.status !== 'failed') continue;
    const ask = asks.get(`${row.system} ${row.rule}`);
    if (!ask) continue;
    const status: { status: OutsideStatus; error?: string } = run.dry_run
      ? await planRequest(deps.db, run, row)
      : row.via === 'http'
        ? await sendRequest(deps, run, row, ask)
        : await openTask(deps, run, row);
    onProgress?.({
      kind: 'outside',
      system: row.system,
      rule: row.rule,
      via: row.via,
      status: status.status,
      ...(status.error ? { error: status.error } : {}),
    });
  }
  return outsideResults(deps.db, run.id);
}

/** A dry run: nothing asked; a manual request names the task already open for the period, if any. */
async function planRequest(
  db: Db,
  run: RunRef,
  row: OutsideResult,
): Promise<{ status: OutsideStatus; error?: string }> {
  const [open] =
    row.via === 'manual'
      ? await db.query<{ id: string }>(
          'SELECT id FROM retention_tasks WHERE system = $1 AND rule = $2 AND period = $3',
          [row.system, row.rule, taskPeriod(run.today)],
        )
      : [];
  await db.query(
    `UPDATE retention_requests SET status = 'planned', task_id = $4 WHERE run_id = $1 AND system = $2 AND rule = $3`,
    [run.id, row.system, row.rule, open?.id ?? null],
  );
  return { status: 'planned' };
}

/** One task per system, rule and period: opened by the first run of the period, named by the later ones. */
async function openTask(
  deps: OutsideDeps,
  run: RunRef,
  row: OutsideResult,
): Promise<{ status: OutsideStatus }> {
  const period = taskPeriod(run.today);
  const id = randomUUID();
  const opened = await deps.db.transaction(async (tx) => {
    const [created] = await tx.query<{ id: string }>(
      `INSERT INTO retention_tasks (id, system, rule, period, action, expired_before, due_on, opened_by_run)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (system, rule, period) DO NOTHING RETURNING id`,
      [id, row.system, row.rule, period, row.action, row.expiredBefore, taskDueOn(run.today), run.id],
    );
    const [task] = created
      ? [created]
      : await tx.query<{ id: string }>(
          'SELECT id FROM retention_tasks WHERE system = $1 AND rule = $2 AND period = $3',
          [row.system, row.rule, period],
        );
    await tx.query(
      `UPDATE retention_requests SET status = 'task', task_id = $4, task_opened = $5, attempts = attempts + 1,
              error = NULL WHERE run_id = $1 AND system = $2 AND rule = $3`,
      [run.id, row.system, row.rule, task!.id, !!created],
    );
    return created ? task!.id : null;
  });
  if (opened)
    await recordAudit(deps.db, {
      actor: deps.actor,
      action: 'retention.task.opened',
      target: `retention-task:${opened}`,
      details: {
        runId: run.id,
        system: row.system,
        rule: row.rule,
        period,
        action: row.action,
        expiredBefore: row.expiredBefore,
      },
    });
  return { status: 'task' };
}

function requestBody(
  run: RunRef,
  row: OutsideResult,
  ask: RetentionAsk,
  opts: RecipientOptions,
  answerBy: Date,
): RetentionRequest {
  return {
    type: 'ombud.retention.request',
    delivery_id: row.deliveryId!,
    run_id: run.id,
    system: row.system,
    rule: ask.rule,
    name: ask.name,
    action: ask.action,
    duration: ask.duration,
    trigger: ask.trigger,
    expired_before: ask.expired_before,
    exceptions: ask.exceptions,
    today: run.today,
    callback_url: `${opts.callbackBaseUrl.replace(/\/$/, '')}/api/v1/retention/callbacks/${row.deliveryId}`,
    answer_by: answerBy.toISOString(),
  };
}

/** The signed request through the system's connector; its answer, or the failure, recorded. */
async function sendRequest(
  deps: OutsideDeps,
  run: RunRef,
  row: OutsideResult,
  ask: RetentionAsk,
): Promise<{ status: OutsideStatus; error?: string }> {
  const now = deps.now ?? (() => new Date());
  const where = [run.id, row.system, row.rule];
  try {
    const opts = deps.recipients;
    if (!opts)
      throw new Error(
        `${row.system}: an HTTP connector is configured, but this run has no public URL and keys to reach it`,
      );
    const cfg = await loadHttpConnector(deps.db, opts.keyring, row.system);
    if (!cfg) throw new Error(`${row.system}: the HTTP connector was removed`);
    const answerBy = new Date(now().getTime() + cfg.callbackHours * 3_600_000);
    const connector = new HttpServiceConnector(cfg, {
      ...(opts.retries !== undefined ? { retries: opts.retries } : {}),
      ...(opts.backoffMs !== undefined ? { backoffMs: opts.backoffMs } : {}),
      now,
    });
    const out = await connector.deliver(requestBody(run, row, ask, opts, answerBy), retentionAnswer);
    if (out.kind === 'accepted') {
      await deps.db.query(
        `UPDATE retention_requests SET status = 'accepted', attempts = attempts + 1, error = NULL, answer_by = $4
          WHERE run_id = $1 AND system = $2 AND rule = $3`,
        [...where, answerBy],
      );
      await auditRequest(deps.actor, deps.db, run, row, { status: 'accepted' });
      return { status: 'accepted' };
    }
    const status = (await recordAnswer(deps.db, where, out.answer)) ?? 'failed';
    await auditRequest(deps.actor, deps.db, run, row, { status, ...counts(out.answer) });
    return status === 'failed' ? { status, error: failedWhy(row.system, out.answer) } : { status };
  } catch (err) {
    const why = safeError(err, {});
    await deps.db.query(
      `UPDATE retention_requests SET status = 'failed', attempts = attempts + 1, error = $4
        WHERE run_id = $1 AND system = $2 AND rule = $3`,
      [...where, why],
    );
    return { status: 'failed', error: why };
  }
}

const counts = (a: RetentionAnswer) => ({
  ...(a.deleted !== undefined ? { deleted: a.deleted } : {}),
  ...(a.anonymised !== undefined ? { anonymised: a.anonymised } : {}),
  ...(a.kept !== undefined ? { kept: a.kept } : {}),
});

const failedWhy = (system: string, a: RetentionAnswer) =>
  `${system}: the service answered failed${a.message ? ` (${a.message})` : ''}`;

/**
 * A service's answer on its request row (at once, or by callback: then only while it awaits one). Returns
 * the status, or null when the row was not awaiting a callback.
 */
async function recordAnswer(
  db: Db,
  where: unknown[],
  a: RetentionAnswer,
  callback = false,
): Promise<OutsideStatus | null> {
  const status = a.status === 'done' ? 'done' : 'failed';
  const rows = await db.query(
    `UPDATE retention_requests SET status = $4, attempts = attempts + ${callback ? 0 : 1}, deleted = $5,
            anonymised = $6, kept = $7, message = $8, error = $9, answered_at = now()
      WHERE run_id = $1 AND system = $2 AND rule = $3 ${callback ? "AND status = 'accepted'" : ''}
      RETURNING 1 AS n`,
    [
      ...where,
      status,
      a.deleted ?? null,
      a.anonymised ?? null,
      a.kept ?? null,
      a.message ?? null,
      status === 'failed' ? failedWhy(String(where[1]), a).slice(0, 1000) : null,
    ],
  );
  return rows.length ? status : null;
}

async function auditRequest(
  actor: Actor,
  db: Db,
  run: RunRef,
  row: OutsideResult,
  details: Record<string, unknown>,
): Promise<void> {
  await recordAudit(db, {
    actor,
    action: 'retention.request',
    target: `retention-run:${run.id}`,
    details: {
      today: run.today,
      system: row.system,
      rule: row.rule,
      action: row.action,
      expiredBefore: row.expiredBefore,
      deliveryId: row.deliveryId,
      ...details,
    },
  });
}

/** The request a callback answers: its run, system and state. */
export async function requestByDelivery(
  db: Db,
  deliveryId: string,
): Promise<(OutsideResult & { runId: string; today: IsoDate }) | undefined> {
  const [r] = await db.query<RequestRow & { run_id: string; today: string }>(
    `SELECT ${COLUMNS}, run_id, (SELECT r.today::text FROM retention_runs r WHERE r.id = run_id) AS today
       FROM retention_requests WHERE delivery_id = $1`,
    [deliveryId],
  );
  return r ? { ...toResult(r), runId: r.run_id, today: String(r.today).slice(0, 10) } : undefined;
}

/**
 * A service's signed callback after a 202: the first answer is recorded (and audited); a repeat, or an
 * answer to a request not awaiting one, changes nothing.
 */
export async function recordRetentionCallback(
  db: Db,
  request: OutsideResult & { runId: string; today: IsoDate },
  answer: RetentionAnswer,
): Promise<{ changed: boolean }> {
  if (request.status !== 'accepted') return { changed: false };
  const where = [request.runId, request.system, request.rule];
  const status = await recordAnswer(db, where, answer, true);
  if (!status) return { changed: false };
  await auditRequest(
    { kind: 'system', id: `connector:${request.system}` },
    db,
    { id: request.runId, today: request.today, dry_run: false },
    request,
    { status, callback: true, ...counts(answer) },
  );
  return { changed: true };
}
