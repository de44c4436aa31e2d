/** Past retention runs for the console and the API: newest first, with their steps and outcome counts. */
import type { Db } from '../../storage/db.ts';
import { storedOutcomes } from './runRetention.ts';
import { type OutsideResult, outsideResults } from './outside.ts';
import type { RetentionOutcome } from './sweep.ts';
import { type RetentionTask, tasksOfRun } from './tasks.ts';

export type RetentionRunSummary = {
  id: string;
  runKey: string | null;
  today: string;
  dryRun: boolean;
  status: 'running' | 'done' | 'failed';
  startedBy: string;
  attempts: number;
  error: string | null;
  startedAt: string;
  finishedAt: string | null;
  /** Rows per action over all systems. */
  totals: Record<string, number>;
};

export type RetentionRunDetail = RetentionRunSummary & {
  steps: {
    dataset: string;
    system: string;
    status: 'pending' | 'done' | 'failed';
    attempts: number;
    recovered: boolean;
    error: string | null;
  }[];
  outcomes: RetentionOutcome[];
  /** Systems outside the SQL databases asked by the run (HTTP connector or manual task). */
  outside: OutsideResult[];
  /** The manual tasks the run opened or named, with their state now. */
  tasks: RetentionTask[];
};

type RunRow = {
  id: string;
  run_key: string | null;
  today: string;
  dry_run: boolean;
  status: RetentionRunSummary['status'];
  started_by: string;
  attempts: number;
  error: string | null;
  started_at: Date | string;
  finished_at: Date | string | null;
};

const iso = (v: Date | string | null) => (v === null ? null : new Date(v).toISOString());

function summary(r: RunRow, outcomes: { action: string; rows: number }[]): RetentionRunSummary {
  const t: Record<string, number> = {};
  for (const o of outcomes) t[o.action] = (t[o.action] ?? 0) + o.rows;
  return {
    id: r.id,
    runKey: r.run_key,
    today: String(r.today).slice(0, 10),
    dryRun: r.dry_run,
    status: r.status,
    startedBy: r.started_by,
    attempts: r.attempts,
    error: r.error,
    startedAt: iso(r.started_at)!,
    finishedAt: iso(r.finished_at),
    totals: t,
  };
}

const COLUMNS =
  'id, run_key, today::text AS today, dry_run, status, started_by, attempts, error, started_at, finished_at';

export async function listRetentionRuns(db: Db, limit = 50): Promise<RetentionRunSummary[]> {
  const runs = await db.query<RunRow>(
    `SELECT ${COLUMNS} FROM retention_runs ORDER BY started_at DESC, id LIMIT $1`,
    [Math.max(1, Math.min(500, limit))],
  );
  if (!runs.length) return [];
  const sums = await db.query<{ run_id: string; action: string; rows: number }>(
    `SELECT run_id, action, SUM(row_count)::int AS rows FROM retention_outcomes
      WHERE run_id = ANY($1::text[]) GROUP BY run_id, action`,
    [runs.map((r) => r.id)],
  );
  return runs.map((r) =>
    summary(
      r,
      sums.filter((s) => s.run_id === r.id),
    ),
  );
}

export async function getRetentionRun(db: Db, id: string): Promise<RetentionRunDetail | undefined> {
  const [run] = await db.query<RunRow>(`SELECT ${COLUMNS} FROM retention_runs WHERE id = $1`, [id]);
  if (!run) return undefined;
  const outcomes = await storedOutcomes(db, id);
  const steps = await db.query<RetentionRunDetail['steps'][number]>(
    'SELECT dataset, system, status, attempts, recovered, error FROM retention_steps WHERE run_id = $1 ORDER BY position',
    [id],
  );
  return {
    ...summary(run, outcomes),
    steps,
    outcomes,
    outside: await outsideResults(db, id),
    tasks: await tasksOfRun(db, id),
  };
}
