/**
 * The run's record keeping, in one place: the run and its steps (fulfilment_runs, fulfilment_steps), the
 * artifacts it stores (fulfilment_artifacts), the status it settles on, and the reads of all three. Steps
 * (./steps/) never write here themselves: they answer what they did and runFulfilment records it.
 * Personal data never goes to these tables or the audit log: counts, rule ids and hashes only.
 */
import type { Identities } from '../../core/fulfilment/dataset.ts';
import type { Db } from '../../storage/db.ts';
import { bindInto, sql } from '../../storage/sql.ts';
import { type Actor, recordAuditWith } from '../audit/auditLog.ts';
import type { CollectionOutcome } from './engine.ts';
import type { FulfilmentType } from '../../core/fulfilment/types.ts';
import { safeError, subjectHash } from './subject.ts';

/** Who records a run's steps, and how long its artifacts are kept (the run's dependencies hold both). */
export type RecordDeps = { db: Db; actor: Actor; artifactDays?: number };
/** The run a record belongs to. */
export type RunKey = { requestId: string; orgId: string };

export type Artifact = { name: string; type: string; body: Uint8Array };

/** What the start statement answers: the type of a run already there, and the steps it has done. */
export type RunStart = {
  prior: string | null;
  done: { step: string; outcome: CollectionOutcome[] | null; note: string | null }[];
};

/**
 * The run and its steps: created once; a second call resumes. One statement, committed without waiting
 * for the disk (the run's record is progress, not evidence: lost in a crash, the retry writes it again).
 * A step no longer planned (the register or the connectors changed since) is dropped: it would hold the
 * run forever. The statement answers the type of a run already there and the steps it has done.
 */
export async function startRun(db: Db, input: RunKey & { type: string }, steps: string[]): Promise<RunStart> {
  const [start] = await db.query<RunStart>(
    `WITH cfg AS (SELECT set_config('synchronous_commit', 'off', true) AS v),
     prior AS (SELECT type FROM fulfilment_runs WHERE request_id = $1),
     run AS (
       INSERT INTO fulfilment_runs (request_id, org_id, type, steps_total, status, attempts)
       SELECT $1, $2, $3, $4, 'running', 1 FROM cfg
       ON CONFLICT (request_id) DO UPDATE SET status = 'running', steps_total = EXCLUDED.steps_total,
         attempts = fulfilment_runs.attempts + 1, error = NULL, updated_at = now()
       WHERE fulfilment_runs.type = EXCLUDED.type
       RETURNING 1),
     st AS (
       INSERT INTO fulfilment_steps (request_id, step, position)
       SELECT $1, s.step, s.n - 1 FROM unnest($5::text[]) WITH ORDINALITY AS s(step, n)
        WHERE EXISTS (SELECT 1 FROM run)
       ON CONFLICT DO NOTHING),
     gone AS (
       DELETE FROM fulfilment_steps WHERE request_id = $1 AND status <> 'done' AND NOT (step = ANY($5::text[]))
          AND EXISTS (SELECT 1 FROM run))
     SELECT (SELECT type FROM prior) AS prior,
            (SELECT coalesce(json_agg(json_build_object('step', step, 'outcome', outcome, 'note', note)), '[]'::json)
               FROM fulfilment_steps WHERE request_id = $1 AND status = 'done') AS done`,
    [input.requestId, input.orgId, input.type, steps.length, steps],
  );
  return start!;
}

// The queue's job of a run (queue.ts): which pg-boss job carries it, and the run's status around it.

/** The run's job and status, or undefined before the request was queued or run. */
export async function runJob(
  db: Db,
  requestId: string,
): Promise<{ job_id: string | null; status: string } | undefined> {
  const [run] = await db.query<{ job_id: string | null; status: string }>(
    'SELECT job_id, status FROM fulfilment_runs WHERE request_id = $1',
    [requestId],
  );
  return run;
}

/** A request queued: its run is recorded as queued with the job (a run already there gets the job). */
export async function queueRun(db: Db, data: RunKey & { type: string }, jobId: string): Promise<void> {
  await db.query(
    `INSERT INTO fulfilment_runs (request_id, org_id, type, status, job_id) VALUES ($1, $2, $3, 'queued', $4)
       ON CONFLICT (request_id) DO UPDATE SET job_id = EXCLUDED.job_id`,
    [data.requestId, data.orgId, data.type, jobId],
  );
}

/** The job that carries the run now (a follow-up, a job sent anew). */
export async function setRunJob(db: Db, requestId: string, jobId: string): Promise<void> {
  await db.query('UPDATE fulfilment_runs SET job_id = $2 WHERE request_id = $1', [requestId, jobId]);
}

/** Is a step still waiting for an answer, or failed? */
export async function stepsOpen(db: Db, requestId: string): Promise<boolean> {
  const waiting = await db.query(
    "SELECT 1 FROM fulfilment_steps WHERE request_id = $1 AND status IN ('waiting', 'failed') LIMIT 1",
    [requestId],
  );
  return waiting.length > 0;
}

/** A retry: the run is queued again. */
export async function requeueRun(db: Db, requestId: string): Promise<void> {
  await db.query("UPDATE fulfilment_runs SET status = 'queued', updated_at = now() WHERE request_id = $1", [
    requestId,
  ]);
}

/** A retry that could not start: the run's status as it was (unless it has moved on). */
export async function unqueueRun(db: Db, requestId: string, status: string): Promise<void> {
  await db.query(
    "UPDATE fulfilment_runs SET status = $2, updated_at = now() WHERE request_id = $1 AND status = 'queued'",
    [requestId, status],
  );
}

/** A step failed: why (identities redacted), and one more attempt. */
export async function failStep(db: Db, requestId: string, step: string, why: string): Promise<void> {
  await db.query(
    `UPDATE fulfilment_steps SET status = 'failed', attempts = attempts + 1, error = $3 WHERE request_id = $1 AND step = $2`,
    [requestId, step, why],
  );
}

/** A step that waits for a recipient's answer (a callback or a person ticking the task off). */
export async function waitStep(db: Db, requestId: string, step: string): Promise<void> {
  await db.query(
    `UPDATE fulfilment_steps SET status = 'waiting', attempts = attempts + 1, error = NULL
      WHERE request_id = $1 AND step = $2 AND status <> 'done'`,
    [requestId, step],
  );
}

/** A service's answer to an access: its data, held as the run's expiring artifact until the extract is made. */
export async function storeServiceData(
  tx: Db,
  requestId: string,
  name: string,
  data: unknown,
  days: number,
): Promise<void> {
  await tx.query(
    `INSERT INTO fulfilment_artifacts (request_id, name, content_type, body, expires_at)
     VALUES ($1, $2, 'application/json', $3, now() + make_interval(days => $4))
     ON CONFLICT (request_id, name) DO UPDATE SET body = EXCLUDED.body, expires_at = EXCLUDED.expires_at`,
    [requestId, name, Buffer.from(JSON.stringify(data)), days],
  );
}

/** A recipient answered: its step is done, with the answer's outcome (status and count only). */
export async function stepAnswered(tx: Db, requestId: string, step: string, outcome: unknown): Promise<void> {
  await tx.query(
    `UPDATE fulfilment_steps SET status = 'done', outcome = $3, error = NULL, finished_at = now()
      WHERE request_id = $1 AND step = $2`,
    [requestId, step, JSON.stringify(outcome)],
  );
}

/** A recipient answered that it failed: its step fails, saying so (no attempt is counted). */
export async function stepAnsweredFailed(
  tx: Db,
  requestId: string,
  step: string,
  why: string,
): Promise<void> {
  await tx.query(
    `UPDATE fulfilment_steps SET status = 'failed', error = $3 WHERE request_id = $1 AND step = $2`,
    [requestId, step, why],
  );
}

/** Is a service an access asked still to answer (a `collect:` step not done)? */
export async function collectsOpen(db: Db, requestId: string): Promise<boolean> {
  return (
    (
      await db.query(
        "SELECT 1 FROM fulfilment_steps WHERE request_id = $1 AND step LIKE 'collect:%' AND status <> 'done' LIMIT 1",
        [requestId],
      )
    ).length > 0
  );
}

/**
 * The systems where the run's change steps (erase, rectify, restrict) found the subject's rows, from their
 * recorded outcomes (a collection with rows changed or kept). Read from the record, not located again: once
 * the rows are erased or corrected, locating them would find nothing.
 */
export async function systemsHolding(db: Db, requestId: string): Promise<string[]> {
  const rows = await db.query<{ system: string }>(
    `SELECT DISTINCT o->>'system' AS system
       FROM fulfilment_steps, jsonb_array_elements(coalesce(outcome, '[]'::jsonb)) AS o
      WHERE request_id = $1 AND status = 'done' AND step NOT LIKE 'notify:%' AND step NOT LIKE 'collect:%'
        AND (o->>'erased')::int + (o->>'kept')::int > 0
      ORDER BY 1`,
    [requestId],
  );
  return rows.map((r) => r.system);
}

/** Settle the run from its recorded steps now (progress: no wait for the disk). */
export function settleNow(db: Db, requestId: string): Promise<string> {
  return db.transaction(async (tx) => {
    await tx.exec('SET LOCAL synchronous_commit = off');
    return settleRun(tx, requestId);
  });
}

/** The subject's artifacts a run holds (not the services' copies), by name. */
export async function artifactNames(db: Db, requestId: string): Promise<string[]> {
  return (
    await db.query<{ name: string }>(
      "SELECT name FROM fulfilment_artifacts WHERE request_id = $1 AND name NOT LIKE 'service-%' ORDER BY name",
      [requestId],
    )
  ).map((r) => r.name);
}

/** A step done, as runFulfilment records it. */
export type StepRecord = {
  step: string;
  op: string;
  outcome: CollectionOutcome[];
  note: string | null;
  artifacts: Artifact[];
  now: Date;
  /** The services' answers are in the extract now: their own copies go. */
  dropServiceCopies: boolean;
  /** The run's last step: its status is settled in the same statement. */
  settles: boolean;
};

/**
 * Step records are written while the next step runs, in step order (a crash in between repeats
 * idempotent steps): each in its own transaction, chained. The first write that fails stops the rest; the
 * run then marks that step failed.
 */
export class StepRecorder {
  private chain: Promise<void> = Promise.resolve();
  /** The step whose record could not be written, and why. */
  failed: { step: string; why: string } | undefined;
  /** The run's status, when the last step's record settled it. */
  settled: string | undefined;
  /** Names of the artifacts stored by this call. */
  readonly stored: string[] = [];

  constructor(
    private readonly deps: RecordDeps,
    private readonly input: RunKey,
    private readonly ids: Identities,
  ) {}

  /** Its artifacts, its record and its audit entry: one transaction, written while the next step runs. */
  write(rec: StepRecord): void {
    this.chain = this.chain.then(async () => {
      if (this.failed) return;
      try {
        const s = await this.deps.db.transaction((tx) =>
          recordStep(tx, this.deps, this.input, this.ids, rec),
        );
        if (s) this.settled = s;
        this.stored.push(...rec.artifacts.map((x) => x.name));
      } catch (err) {
        this.failed = { step: rec.step, why: safeError(err, this.ids) };
      }
    });
  }

  /** Every record asked for so far is written (or has failed). */
  written(): Promise<void> {
    return this.chain;
  }
}

/**
 * A step done: its artifacts (expiring), its record (and the run's count) and its audit entry, in the
 * caller's transaction. An access or portability step changed nothing outside Ombud: its transaction is
 * committed without waiting for the disk flush. Nothing of it leaves Ombud before a later durable commit
 * (the desk completing the request, the queue completing the job), which flushes it too, the log being
 * written in order; a crash before that loses it with the job, and the job runs again. A change (erasure,
 * rectification, restriction, a recipient told) is recorded durably at once.
 */
export async function recordStep(
  tx: Db,
  deps: Omit<RecordDeps, 'db'>,
  input: RunKey,
  ids: Identities,
  s: StepRecord,
): Promise<string | undefined> {
  const params: unknown[] = [input.requestId, s.step, JSON.stringify(s.outcome), s.note];
  const quick = s.op === 'access' || s.op === 'portability';
  // set_config(…, true) is SET LOCAL (this transaction only) without a round trip of its own.
  const ctes = quick ? ["cfg AS (SELECT set_config('synchronous_commit', 'off', true) AS v)"] : [];
  if (s.dropServiceCopies)
    ctes.push("d AS (DELETE FROM fulfilment_artifacts WHERE request_id = $1 AND name LIKE 'service-%')");
  if (s.artifacts.length) {
    params.push(new Date(s.now.getTime() + (deps.artifactDays ?? 30) * 86_400_000).toISOString());
    // Each row's own values are numbered after the ones already given ($1 … $5).
    const rows = s.artifacts.map((a) =>
      bindInto(
        params,
        sql`(${sql.raw('$1')}, ${a.name}, ${a.type}, ${Buffer.from(a.body)}, ${sql.raw('$5')}::timestamptz)`,
      ),
    );
    ctes.push(`a AS (
      INSERT INTO fulfilment_artifacts (request_id, name, content_type, body, expires_at) VALUES ${rows.join(', ')}
      ON CONFLICT (request_id, name) DO UPDATE SET body = EXCLUDED.body, expires_at = EXCLUDED.expires_at)`);
  }
  ctes.push(`s AS (
     UPDATE fulfilment_steps SET status = 'done', outcome = $3, note = $4, attempts = attempts + 1, error = NULL,
            finished_at = now()
      WHERE request_id = $1 AND step = $2 ${quick ? 'AND EXISTS (SELECT 1 FROM cfg)' : ''} RETURNING 1)`);
  if (s.settles) ctes.push(...settleCtes('$1', { assumeDone: '$2' }));
  else
    ctes.push(`r AS (
     UPDATE fulfilment_runs SET steps_done = steps_done + (SELECT count(*)::int FROM s), updated_at = now()
      WHERE request_id = $1)`);
  // The audit entry, with all of the above in the same statement.
  const row = await recordAuditWith<{ settled?: string }>(
    tx,
    {
      actor: deps.actor,
      orgId: input.orgId,
      action: `fulfilment.${s.op}`,
      target: `request:${input.requestId}`,
      details: {
        step: s.step,
        subject: subjectHash(ids).slice(0, 16),
        collections: s.outcome.map((o) => ({
          system: o.system,
          collection: o.collection,
          erased: o.erased,
          kept: o.kept,
        })),
      },
    },
    { ctes, params, select: s.settles ? '(SELECT status FROM st) AS settled' : undefined },
  );
  return row.settled;
}

/**
 * The run's status from its steps, as WITH clauses `st` (status, error, done) and `settled` (the run updated):
 * failed when a step failed (with the first failure's reason), done when all are, else waiting (open tasks).
 * `assumeDone` names a step (a parameter) to count as done: its record is written in the same statement.
 */
export function settleCtes(
  requestId: string,
  opts: { assumeDone?: string; onlyIfWaiting?: boolean } = {},
): string[] {
  const d = opts.assumeDone;
  const done = d ? `(status = 'done' OR step = ${d})` : `status = 'done'`;
  const failed = d ? `(status = 'failed' AND step <> ${d})` : `status = 'failed'`;
  return [
    `st AS (
       SELECT CASE WHEN coalesce(bool_or(${failed}), false) THEN 'failed'
                   WHEN coalesce(bool_and(${done}), true) THEN 'done' ELSE 'waiting' END AS status,
              (array_agg(error ORDER BY position) FILTER (WHERE ${failed}))[1] AS error,
              (count(*) FILTER (WHERE ${done}))::int AS done
         FROM fulfilment_steps WHERE request_id = ${requestId})`,
    `settled AS (
       UPDATE fulfilment_runs r SET status = st.status, error = st.error, updated_at = now(), steps_done = st.done,
              finished_at = CASE WHEN st.status = 'done' THEN now() ELSE NULL END
         FROM st
        WHERE r.request_id = ${requestId} ${opts.onlyIfWaiting ? "AND r.status IN ('waiting', 'failed')" : ''})`,
  ];
}

/** Set the run's status and count from its steps: failed, waiting (open tasks) or done. One statement. */
export async function settleRun(
  db: Db,
  requestId: string,
  opts: { onlyIfWaiting?: boolean } = {},
): Promise<string> {
  const [row] = await db.query<{ status: string }>(
    `WITH ${settleCtes('$1', opts).join(',\n')} SELECT status FROM st`,
    [requestId],
  );
  return row!.status;
}

/**
 * An artifact for the subject, or undefined when it has expired (at `now`, the clock its expiry was set
 * by: the run's; without it the database's) or never existed.
 */
export async function getArtifact(
  db: Db,
  requestId: string,
  name: string,
  now?: Date,
): Promise<{ contentType: string; body: Buffer } | undefined> {
  const rows = await db.query<{ content_type: string; body: Buffer | Uint8Array }>(
    `SELECT content_type, body FROM fulfilment_artifacts
      WHERE request_id = $1 AND name = $2 AND expires_at > COALESCE($3::timestamptz, now())`,
    [requestId, name, now?.toISOString() ?? null],
  );
  return rows[0] ? { contentType: rows[0].content_type, body: Buffer.from(rows[0].body) } : undefined;
}

/** Delete expired artifacts (personal data kept no longer than the request needs it). */
export async function purgeExpiredArtifacts(db: Db): Promise<number> {
  const rows = await db.query(
    'DELETE FROM fulfilment_artifacts WHERE expires_at <= now() RETURNING request_id',
  );
  return rows.length;
}

export type FulfilmentStatus = {
  requestId: string;
  type: FulfilmentType;
  status: 'queued' | 'running' | 'waiting' | 'done' | 'failed';
  stepsDone: number;
  stepsTotal: number;
  attempts: number;
  error: string | null;
  steps: {
    step: string;
    status: 'pending' | 'waiting' | 'done' | 'failed';
    attempts: number;
    error: string | null;
    note: string | null;
    outcome: CollectionOutcome[] | null;
  }[];
};

/** Progress of a request's fulfilment, for the console and the request desk. */
export async function getFulfilmentStatus(db: Db, requestId: string): Promise<FulfilmentStatus | undefined> {
  const [run] = await db.query<{
    type: FulfilmentType;
    status: FulfilmentStatus['status'];
    steps_done: number;
    steps_total: number;
    attempts: number;
    error: string | null;
  }>(
    'SELECT type, status, steps_done, steps_total, attempts, error FROM fulfilment_runs WHERE request_id = $1',
    [requestId],
  );
  if (!run) return undefined;
  const steps = await db.query<FulfilmentStatus['steps'][number]>(
    'SELECT step, status, attempts, error, note, outcome FROM fulfilment_steps WHERE request_id = $1 ORDER BY position',
    [requestId],
  );
  return {
    requestId,
    type: run.type,
    status: run.status,
    stepsDone: run.steps_done,
    stepsTotal: run.steps_total,
    attempts: run.attempts,
    error: run.error,
    steps,
  };
}
