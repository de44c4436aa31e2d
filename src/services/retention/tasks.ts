/**
 * Manual retention tasks: a system with no interface (no SQL dataset, no HTTP connector) that holds data
 * under a purpose rule gets one task per rule and month from the retention run (src/services/retention/
 * outside.ts): delete or anonymise there what the rule has ended, records before the cut-off day. A person
 * ticks it off with a note (done, or not held there). Open and overdue tasks show on /console/retention.
 * Tasks hold a rule, days, a count and a note, never personal data; the note is checked for none by the
 * person who writes it, as fulfilment's manual tasks are.
 */
import { conflict, notFound } from '../../core/errors.ts';
import type { Db } from '../../storage/db.ts';
import { type Actor, actorString, recordAudit } from '../audit/auditLog.ts';

export type RetentionTask = {
  id: string;
  system: string;
  rule: string;
  period: string;
  action: 'delete' | 'anonymise';
  expiredBefore: string;
  dueOn: string;
  status: 'open' | 'done' | 'not-held';
  records: number | null;
  note: string | null;
  openedByRun: string | null;
  openedAt: string;
  doneBy: string | null;
  doneAt: string | null;
};

type TaskRow = {
  id: string;
  system: string;
  rule: string;
  period: string;
  action: RetentionTask['action'];
  expired_before: string;
  due_on: string;
  status: RetentionTask['status'];
  records: number | null;
  note: string | null;
  opened_by_run: string | null;
  opened_at: Date | string;
  done_by: string | null;
  done_at: Date | string | null;
};

const COLUMNS = `id, system, rule, period, action, expired_before::text AS expired_before, due_on::text AS due_on,
  status, records, note, opened_by_run, opened_at, done_by, done_at`;

const toTask = (r: TaskRow): RetentionTask => ({
  id: r.id,
  system: r.system,
  rule: r.rule,
  period: r.period,
  action: r.action,
  expiredBefore: String(r.expired_before).slice(0, 10),
  dueOn: String(r.due_on).slice(0, 10),
  status: r.status,
  records: r.records,
  note: r.note,
  openedByRun: r.opened_by_run,
  openedAt: new Date(r.opened_at).toISOString(),
  doneBy: r.done_by,
  doneAt: r.done_at === null ? null : new Date(r.done_at).toISOString(),
});

/** Tasks, open ones first by due day; `open` only the open ones. */
export async function listRetentionTasks(
  db: Db,
  opts: { open?: boolean; limit?: number } = {},
): Promise<RetentionTask[]> {
  const rows = await db.query<TaskRow>(
    `SELECT ${COLUMNS} FROM retention_tasks ${opts.open ? "WHERE status = 'open'" : ''}
      ORDER BY (status = 'open') DESC, due_on, system, rule, period DESC LIMIT $1`,
    [Math.max(1, Math.min(500, opts.limit ?? 100))],
  );
  return rows.map(toTask);
}

/** The tasks a run opened or named (the run's results). */
export async function tasksOfRun(db: Db, runId: string): Promise<RetentionTask[]> {
  const rows = await db.query<TaskRow>(
    `SELECT ${COLUMNS} FROM retention_tasks
      WHERE id IN (SELECT task_id FROM retention_requests WHERE run_id = $1 AND task_id IS NOT NULL)
      ORDER BY system, rule`,
    [runId],
  );
  return rows.map(toTask);
}

export type TickInput = { status: 'done' | 'not-held'; note: string; records?: number };

/** Tick a task off with a note; a task already ticked off is a conflict (its answer stands). */
export async function tickRetentionTask(
  db: Db,
  actor: Actor,
  id: string,
  input: TickInput,
): Promise<RetentionTask> {
  const [row] = await db.query<TaskRow>(
    `UPDATE retention_tasks SET status = $2, note = $3, records = $4, done_by = $5, done_at = now()
      WHERE id = $1 AND status = 'open' RETURNING ${COLUMNS}`,
    [id, input.status, input.note, input.records ?? null, actorString(actor)],
  );
  if (!row) {
    const [exists] = await db.query<{ status: string }>('SELECT status FROM retention_tasks WHERE id = $1', [
      id,
    ]);
    if (!exists) throw notFound('retention task', id);
    throw conflict('task-answered', `The task is already ticked off (${exists.status}).`);
  }
  await recordAudit(db, {
    actor,
    action: 'retention.task.answered',
    target: `retention-task:${id}`,
    details: {
      system: row.system,
      rule: row.rule,
      period: row.period,
      status: input.status,
      ...(input.records !== undefined ? { records: input.records } : {}),
    },
  });
  return toTask(row);
}
