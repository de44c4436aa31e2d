/**
 * A retention run: sweep every connected database (src/services/retention/sweep.ts) for one day, in the
 * controller's time zone unless a day is given, and record it: `retention_runs`, one `retention_steps` row
 * per database, `retention_outcomes` (counts), and the audit log (one entry per database changed, one for
 * the run). Steps are done once: calling again with the same run key (the daily schedule's
 * 'daily:YYYY-MM-DD') returns the finished run or resumes an unfinished one; a manual run resumes the
 * unfinished run of the same day. A database whose sweep committed before a crash is not swept again: its
 * outcome is read back from the database itself.
 */
import { randomUUID } from 'node:crypto';
import { type IsoDate, isIsoDate, localDate } from '../../core/deadlines/iso-date.ts';
import { OmbudError, validationError } from '../../core/errors.ts';
import type { RegisterIndex } from '../../core/register/register-index.ts';
import { OWN_DATASET, ownDataCutoffs } from '../../core/retention/ownData.ts';
import { planRetention, type RetentionPlan } from '../../core/retention/plan.ts';
import type { Db } from '../../storage/db.ts';
import { actorString, recordAudit } from '../audit/auditLog.ts';
import type { FulfilmentDeps } from '../fulfilment/runTypes.ts';
import { safeError } from '../fulfilment/subject.ts';
import { type ConsentKeys, consentKeys, identityHash, openIdentity } from '../consent/keys.ts';
import { sweepOwnData } from './ownData.ts';
import { askOutsideSystems, type OutsideProgress, type OutsideResult, outsideResults } from './outside.ts';
import { type RetentionOutcome, sweepDataset, type WithdrawnIdentity } from './sweep.ts';

/**
 * What a retention run needs: what a fulfilment run does, without its queue and artifacts. `recipients`
 * (the public URL for callbacks, the keyring of the connectors' secrets) lets it reach the systems with an
 * HTTP connector (src/services/retention/outside.ts); without it their requests fail and say why.
 */
export type RetentionDeps = Pick<
  FulfilmentDeps,
  'db' | 'actor' | 'index' | 'datasets' | 'connectors' | 'secret' | 'now' | 'recipients'
> & {
  /** OMBUD_SECRET_KEYS, when set: the data keyring that opens consent identities (core/secrets/dataKeys.ts). */
  secretKeys?: string;
};

export type RetentionProgress =
  | { kind: 'database'; dataset: string; system: string; position: number; total: number }
  | { kind: 'collection'; dataset: string; collection: string; outcomes: RetentionOutcome[] }
  | { kind: 'committed'; dataset: string; ms: number; recovered: boolean }
  | { kind: 'failed'; dataset: string; error: string };

export type RetentionRunInput = {
  dryRun?: boolean;
  /** The day to sweep for (YYYY-MM-DD); default today in the controller's time zone. */
  today?: IsoDate;
  /** Idempotency key: a run with this key is done once ('daily:2026-11-25'). */
  runKey?: string;
  onProgress?: (p: RetentionProgress) => void;
  /** Each system outside the SQL databases as it is asked. */
  onOutside?: (p: OutsideProgress) => void;
};

export type RetentionRunResult = {
  runId: string;
  today: IsoDate;
  dryRun: boolean;
  status: 'done' | 'failed';
  /** The run was already done (same run key): nothing was swept now. */
  alreadyDone: boolean;
  steps: { dataset: string; system: string; status: 'done' | 'failed'; recovered: boolean; error?: string }[];
  outcomes: RetentionOutcome[];
  /** Systems outside the SQL databases: asked through their HTTP connector, or given a manual task. */
  outside: OutsideResult[];
};

/** Changes, as opposed to counts of rows left alone (held, blocked). */
export const CHANGE_ACTIONS = ['delete', 'anonymise', 'mask', 'erase-due', 'keep'] as const;

/** The controllers' day: the time zone of the group's top organization (the one without a parent). */
export function controllerTimeZone(index: RegisterIndex): string {
  const orgs = index.register.organizations;
  return (orgs.find((o) => !o.parent) ?? orgs[0])?.timeZone ?? 'Europe/Stockholm';
}

export function retentionToday(index: RegisterIndex, now: Date): IsoDate {
  return localDate(now, controllerTimeZone(index));
}

/** The plan for a day; bad annotations stop it (a rule is enforced fully or not at all). */
export function retentionPlanFor(
  deps: Pick<RetentionDeps, 'datasets' | 'index'>,
  today: IsoDate,
): RetentionPlan {
  const plan = planRetention(deps.datasets, deps.index.register.retentionRules, today);
  const errors = plan.findings.filter((f) => f.severity === 'error');
  if (errors.length)
    throw validationError(
      'retention-annotations',
      `The dataset annotations have ${errors.length} retention error${errors.length === 1 ? '' : 's'}; nothing was swept.`,
      errors.map((f) => ({ path: [f.where], message: f.message, ...(f.hint ? { hint: f.hint } : {}) })),
      'Run ombud dataset validate (or ombud retention run) to see each error at file:line:column.',
    );
  return plan;
}

export function checkDay(today: string): IsoDate {
  if (!isIsoDate(today))
    throw validationError('invalid-date', `'${today}' is not a date.`, [
      {
        path: ['today'],
        message: 'Expected YYYY-MM-DD.',
        hint: 'Write the day as YYYY-MM-DD, e.g. 2026-11-25.',
      },
    ]);
  return today;
}

type RunRow = { id: string; today: string; dry_run: boolean; status: string };

async function findOrCreateRun(
  deps: RetentionDeps,
  input: { today: IsoDate; dryRun: boolean; runKey?: string },
  steps: { dataset: string; system: string }[],
): Promise<{ run: RunRow; created: boolean }> {
  const day = (r: RunRow) => ({ ...r, today: String(r.today).slice(0, 10) });
  return deps.db.transaction(async (tx) => {
    let existing: RunRow | undefined;
    if (input.runKey)
      [existing] = await tx.query<RunRow>(
        'SELECT id, today::text AS today, dry_run, status FROM retention_runs WHERE run_key = $1 FOR UPDATE',
        [input.runKey],
      );
    else if (!input.dryRun)
      [existing] = await tx.query<RunRow>(
        `SELECT id, today::text AS today, dry_run, status FROM retention_runs
          WHERE dry_run = false AND run_key IS NULL AND status <> 'done' AND today = $1
          ORDER BY started_at DESC LIMIT 1 FOR UPDATE`,
        [input.today],
      );
    if (existing) {
      if (existing.status !== 'done')
        await tx.query(
          `UPDATE retention_runs SET status = 'running', attempts = attempts + 1, error = NULL, updated_at = now()
            WHERE id = $1`,
          [existing.id],
        );
      return { run: day(existing), created: false };
    }
    const id = randomUUID();
    await tx.query(
      `INSERT INTO retention_runs (id, run_key, today, dry_run, started_by, steps_total)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [id, input.runKey ?? null, input.today, input.dryRun, actorString(deps.actor), steps.length],
    );
    for (const [i, s] of steps.entries())
      await tx.query(
        'INSERT INTO retention_steps (run_id, dataset, system, position) VALUES ($1, $2, $3, $4)',
        [id, s.dataset, s.system, i],
      );
    return { run: { id, today: input.today, dry_run: input.dryRun, status: 'running' }, created: true };
  });
}

export async function storedOutcomes(db: Db, runId: string, dataset?: string): Promise<RetentionOutcome[]> {
  const rows = await db.query<{
    system: string;
    dataset: string;
    collection: string;
    rule: string;
    action: RetentionOutcome['action'];
    detail: string;
    row_count: number;
  }>(
    `SELECT system, dataset, collection, rule, action, detail, row_count FROM retention_outcomes
      WHERE run_id = $1 ${dataset ? 'AND dataset = $2' : ''} ORDER BY dataset, collection, rule, action, detail`,
    dataset ? [runId, dataset] : [runId],
  );
  return rows.map(({ row_count, ...r }) => ({ ...r, rows: row_count }));
}

/** Requests outside the SQL databases per status (for the run's audit entry). */
function outsideTotals(outside: OutsideResult[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const o of outside) out[o.status] = (out[o.status] ?? 0) + 1;
  return out;
}

/** Totals per system and action, for the audit log and the console. */
export function totals(outcomes: RetentionOutcome[]): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const o of outcomes) {
    out[o.system] ??= {};
    out[o.system]![o.action] = (out[o.system]![o.action] ?? 0) + o.rows;
  }
  return out;
}

type StepRow = { dataset: string; system: string; status: string; recovered: boolean; error: string | null };
type StepResult = RetentionRunResult['steps'][number];

/** Every annotated database must be connected before a run starts. */
function checkConnected(deps: RetentionDeps): void {
  for (const d of deps.datasets)
    if (!deps.connectors.has(d.fides_key))
      throw new OmbudError('precondition', 'no-connection', `No connection for dataset ${d.fides_key}.`, {
        hint: 'Connect every annotated database before a retention run.',
      });
}

async function runSteps(db: Db, runId: string): Promise<StepRow[]> {
  return db.query<StepRow>(
    'SELECT dataset, system, status, recovered, error FROM retention_steps WHERE run_id = $1 ORDER BY position',
    [runId],
  );
}

/** A run found done (same run key): its steps and stored outcomes, nothing swept now. */
async function finishedRun(db: Db, run: RunRow, stepRows: StepRow[]): Promise<RetentionRunResult> {
  return {
    runId: run.id,
    today: run.today,
    dryRun: run.dry_run,
    status: 'done',
    alreadyDone: true,
    steps: stepRows.map((s) => ({
      dataset: s.dataset,
      system: s.system,
      status: 'done',
      recovered: s.recovered,
    })),
    outcomes: await storedOutcomes(db, run.id),
    outside: await outsideResults(db, run.id),
  };
}

/** The outcomes of one swept database, its step done and the run's count, in one transaction. */
async function recordSweep(
  db: Db,
  run: RunRow,
  step: StepRow,
  outcomes: RetentionOutcome[],
  resumed: boolean,
): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query('DELETE FROM retention_outcomes WHERE run_id = $1 AND dataset = $2', [
      run.id,
      step.dataset,
    ]);
    for (const o of outcomes)
      await tx.query(
        `INSERT INTO retention_outcomes (run_id, dataset, system, collection, rule, action, detail, row_count)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [run.id, o.dataset, o.system, o.collection, o.rule, o.action, o.detail, o.rows],
      );
    await tx.query(
      `UPDATE retention_steps SET status = 'done', attempts = attempts + 1, recovered = $3, error = NULL,
              finished_at = now() WHERE run_id = $1 AND dataset = $2`,
      [run.id, step.dataset, resumed],
    );
    await tx.query(
      'UPDATE retention_runs SET steps_done = steps_done + 1, updated_at = now() WHERE id = $1',
      [run.id],
    );
  });
}

/** The audit entry of one database changed (a dry run changes nothing and writes none). */
async function auditSweep(
  deps: RetentionDeps,
  run: RunRow,
  step: StepRow,
  outcomes: RetentionOutcome[],
  resumed: boolean,
): Promise<void> {
  if (run.dry_run) return;
  await recordAudit(deps.db, {
    actor: deps.actor,
    action: 'retention.sweep',
    target: `retention-run:${run.id}`,
    details: {
      today: run.today,
      system: step.system,
      dataset: step.dataset,
      recovered: resumed,
      outcomes: outcomes.map((o) => ({
        collection: o.collection,
        rule: o.rule,
        action: o.action,
        detail: o.detail,
        rows: o.rows,
      })),
    },
  });
}

/**
 * From Ombud's consent register: the identities (e-mail, phone) of subjects who withdrew consent to, or
 * objected to, one of the purposes before the day (on any channel, at any organization) and hold no
 * granted consent to any of them now, at any organization, by any subject sharing the identity. The
 * values stay in memory: they are only bound as parameters of the shop's DELETE, never logged.
 */
export async function withdrawnIdentities(
  db: Db,
  keys: ConsentKeys,
  orgIds: readonly string[],
  purposes: string[],
  before: IsoDate,
): Promise<WithdrawnIdentity[]> {
  const rows = await db.query<{
    org_id: string;
    kind: 'email' | 'phone';
    value_hash: string;
    value: string | null;
    value_sealed: string | null;
  }>(
    `SELECT DISTINCT i.org_id, i.kind, i.value_hash, i.value, i.value_sealed FROM consent_state s
       JOIN consent_identities i ON i.subject_id = s.subject_id
      WHERE s.purpose_id = ANY($1::text[]) AND s.status IN ('withdrawn', 'objected')
        AND s.since < $2::date AND i.kind IN ('email', 'phone')`,
    [purposes, before],
  );
  const found = new Map<string, WithdrawnIdentity>();
  for (const r of rows) {
    const plain = openIdentity(keys, r);
    const value = r.kind === 'email' ? plain.toLowerCase() : plain;
    found.set(`${r.kind}\0${value}`, { kind: r.kind, value });
  }
  if (!found.size) return [];
  // Anyone holding the same identity at any company who grants one of the purposes now keeps the rows:
  // looked up by the identity's keyed hash at each company (values are never compared in SQL).
  const hashOf = new Map<string, string>();
  for (const [k, id] of found)
    for (const o of orgIds) hashOf.set(identityHash(keys, o, id.kind, id.value), k);
  const granted = await db.query<{ value_hash: string }>(
    `SELECT DISTINCT i.value_hash FROM consent_identities i
       JOIN consent_state g ON g.subject_id = i.subject_id
      WHERE i.value_hash = ANY($1::text[]) AND g.purpose_id = ANY($2::text[]) AND g.status = 'granted'`,
    [[...hashOf.keys()], purposes],
  );
  for (const g of granted) found.delete(hashOf.get(g.value_hash)!);
  return [...found.values()].sort((a, b) => `${a.kind}${a.value}`.localeCompare(`${b.kind}${b.value}`));
}

/** The sweep's reader of withdrawn identities, from Ombud's consent register (opened with the data keys). */
export const withdrawnFor =
  (deps: RetentionDeps) =>
  async (purposes: string[], before: IsoDate): Promise<WithdrawnIdentity[]> =>
    withdrawnIdentities(
      deps.db,
      await consentKeys(deps.db, deps.secret, deps.secretKeys),
      deps.index.register.organizations.map((o) => o.id),
      purposes,
      before,
    );

/** Ombud's own stores on a day (services/retention/ownData.ts): their cut-offs and how to read the days. */
export const ownSweepFor = (deps: Pick<RetentionDeps, 'index' | 'now'>, today: IsoDate, dryRun: boolean) =>
  [
    ownDataCutoffs(deps.index.register.retentionRules, today),
    {
      today,
      timeZone: controllerTimeZone(deps.index),
      dryRun,
      at: (deps.now ?? (() => new Date()))(),
    },
  ] as const;

/** A step that failed: recorded on the step (the run goes on with the others), never thrown. */
async function failStep(
  deps: RetentionDeps,
  input: RetentionRunInput,
  run: RunRow,
  step: StepRow,
  err: unknown,
): Promise<StepResult> {
  const why = safeError(err, {});
  await deps.db.query(
    `UPDATE retention_steps SET status = 'failed', attempts = attempts + 1, error = $3
      WHERE run_id = $1 AND dataset = $2`,
    [run.id, step.dataset, why],
  );
  input.onProgress?.({ kind: 'failed', dataset: step.dataset, error: why });
  return { dataset: step.dataset, system: step.system, status: 'failed', recovered: false, error: why };
}

/** Sweep one database of the run and record it; a failure is recorded on its step, not thrown. */
async function sweepStep(
  deps: RetentionDeps,
  input: RetentionRunInput,
  run: RunRow,
  plan: RetentionPlan,
  step: StepRow,
  where: { position: number; total: number },
): Promise<StepResult> {
  const dp = plan.datasets.find((d) => d.dataset === step.dataset);
  const dataset = deps.datasets.find((d) => d.fides_key === step.dataset);
  const c = deps.connectors.get(step.dataset);
  input.onProgress?.({ kind: 'database', dataset: step.dataset, system: step.system, ...where });
  const t0 = Date.now();
  try {
    if (!dp || !dataset || !c)
      throw new Error(`Dataset ${step.dataset} is no longer annotated or connected.`);
    const { outcomes, resumed } = await sweepDataset(c, dp, {
      today: run.today,
      dryRun: run.dry_run,
      runId: run.id,
      secret: deps.secret,
      rules: deps.index.retentionRules,
      collections: new Map(dataset.collections.map((x) => [x.name, x])),
      withdrawn: withdrawnFor(deps),
      onProgress: (p) => input.onProgress?.({ kind: 'collection', ...p }),
    });
    await recordSweep(deps.db, run, step, outcomes, resumed);
    await auditSweep(deps, run, step, outcomes, resumed);
    input.onProgress?.({ kind: 'committed', dataset: step.dataset, ms: Date.now() - t0, recovered: resumed });
    return { dataset: step.dataset, system: step.system, status: 'done', recovered: resumed };
  } catch (err) {
    return failStep(deps, input, run, step, err);
  }
}

/**
 * Sweep Ombud's own stores (services/retention/ownData.ts): the changes, the outcomes and the step's done
 * in one transaction of Ombud's database, so a resumed run never counts them twice.
 */
async function sweepOwnStep(
  deps: RetentionDeps,
  input: RetentionRunInput,
  run: RunRow,
  step: StepRow,
  where: { position: number; total: number },
): Promise<StepResult> {
  input.onProgress?.({ kind: 'database', dataset: step.dataset, system: step.system, ...where });
  const t0 = Date.now();
  try {
    const outcomes = await deps.db.transaction(async (tx) => {
      const found = await sweepOwnData(tx, ...ownSweepFor(deps, run.today, run.dry_run));
      await recordSweep(tx, run, step, found, false);
      return found;
    });
    for (const collection of new Set(outcomes.map((o) => o.collection)))
      input.onProgress?.({
        kind: 'collection',
        dataset: step.dataset,
        collection,
        outcomes: outcomes.filter((o) => o.collection === collection),
      });
    if (outcomes.length) await auditSweep(deps, run, step, outcomes, false);
    input.onProgress?.({ kind: 'committed', dataset: step.dataset, ms: Date.now() - t0, recovered: false });
    return { dataset: step.dataset, system: step.system, status: 'done', recovered: false };
  } catch (err) {
    return failStep(deps, input, run, step, err);
  }
}

/** The run's status from its steps, stored, and its audit entry; the run's outcomes as stored. */
async function finishRun(
  deps: RetentionDeps,
  input: RetentionRunInput,
  run: RunRow,
  created: boolean,
  results: StepResult[],
  outside: OutsideResult[],
): Promise<RetentionRunResult> {
  const failed = results.filter((r) => r.status === 'failed');
  const failedOutside = outside.filter((o) => o.status === 'failed');
  const status = failed.length || failedOutside.length ? 'failed' : 'done';
  const error =
    status === 'failed'
      ? [
          ...failed.map((f) => `${f.dataset}: ${f.error}`),
          ...failedOutside.map((o) => `${o.system} (${o.rule}): ${o.error}`),
        ]
          .join('; ')
          .slice(0, 1000)
      : null;
  await deps.db.query(
    `UPDATE retention_runs SET status = $2, error = $3, updated_at = now(),
            finished_at = CASE WHEN $2 = 'done' THEN now() ELSE NULL END WHERE id = $1`,
    [run.id, status, error],
  );
  const outcomes = await storedOutcomes(deps.db, run.id);
  const today = run.today;
  await recordAudit(deps.db, {
    actor: deps.actor,
    action: run.dry_run ? 'retention.dry-run' : 'retention.run',
    target: `retention-run:${run.id}`,
    details: {
      today,
      status,
      resumed: !created,
      ...(input.runKey ? { runKey: input.runKey } : {}),
      totals: totals(outcomes),
      ...(failed.length ? { failed: failed.map((f) => f.dataset) } : {}),
      ...(outside.length ? { outside: outsideTotals(outside) } : {}),
      ...(failedOutside.length ? { failedSystems: failedOutside.map((o) => `${o.system}:${o.rule}`) } : {}),
    },
  });
  return {
    runId: run.id,
    today,
    dryRun: run.dry_run,
    status,
    alreadyDone: false,
    steps: results,
    outcomes,
    outside,
  };
}

export async function runRetention(
  deps: RetentionDeps,
  input: RetentionRunInput = {},
): Promise<RetentionRunResult> {
  const now = deps.now ?? (() => new Date());
  const dryRun = input.dryRun ?? false;
  const requested = checkDay(input.today ?? retentionToday(deps.index, now()));
  checkConnected(deps);
  const stepsPlanned = deps.datasets.map((d) => ({ dataset: d.fides_key, system: d.ombud.system }));
  // Ombud's own data, last: its rules' stores (none named: no step).
  if (ownDataCutoffs(deps.index.register.retentionRules, requested).length)
    stepsPlanned.push({ dataset: OWN_DATASET, system: OWN_DATASET });
  const { run, created } = await findOrCreateRun(
    deps,
    { today: requested, dryRun, runKey: input.runKey },
    stepsPlanned,
  );
  const stepRows = await runSteps(deps.db, run.id);
  if (run.status === 'done') return finishedRun(deps.db, run, stepRows);
  const plan = retentionPlanFor(deps, run.today);
  const results: StepResult[] = [];
  for (const [position, step] of stepRows.entries()) {
    if (step.status === 'done')
      results.push({ dataset: step.dataset, system: step.system, status: 'done', recovered: step.recovered });
    else if (step.dataset === OWN_DATASET)
      results.push(await sweepOwnStep(deps, input, run, step, { position, total: stepRows.length }));
    else results.push(await sweepStep(deps, input, run, plan, step, { position, total: stepRows.length }));
  }
  const outside = await askOutsideSystems(deps, run, input.onOutside);
  return finishRun(deps, input, run, created, results, outside);
}
