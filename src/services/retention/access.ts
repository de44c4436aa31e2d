/**
 * Retention as a caller (a person or an API key over HTTP) sees it, under retentionRunPolicy
 * (src/core/policies/resources.ts). A run sweeps the group's shared databases with no company predicate
 * (the purpose rules are per collection, not per company), so every run is group-wide: it belongs to every
 * company of the group.
 * - Starting a run (or a recorded dry run) needs retention:run in every company; otherwise 403 and no run
 *   is recorded. The CLI and the daily worker run as the system.
 * - A run, the list of runs and the preview of the next run (counts over every company's rows) need
 *   retention:read in every company. A run the caller may not read is "not found"; the list is then empty;
 *   the preview answers 403.
 */
import { forbidden } from '../../core/errors.ts';
import type { IsoDate } from '../../core/deadlines/iso-date.ts';
import type { Principal } from '../../core/policies/permissions.ts';
import { type Caller, decide, type Group, readAuthorized } from '../../core/policies/policy.ts';
import { type RetentionRunLike, retentionRunPolicy } from '../../core/policies/resources.ts';
import type { RetentionPlan } from '../../core/retention/plan.ts';
import type { Db } from '../../storage/db.ts';
import {
  getRetentionRun,
  listRetentionRuns,
  type RetentionRunDetail,
  type RetentionRunSummary,
} from './listRetentionRuns.ts';
import { previewRetention } from './previewRetention.ts';
import {
  type RetentionDeps,
  type RetentionRunInput,
  type RetentionRunResult,
  runRetention,
} from './runRetention.ts';
import type { RetentionOutcome } from './sweep.ts';
import { listRetentionTasks, type RetentionTask, type TickInput, tickRetentionTask } from './tasks.ts';

/** Every run today: it covers every company of the group (no org_ids). */
const groupRun = (id: string): RetentionRunLike => ({ id, org_ids: null });

/** May the principal start a (group-wide) retention run? The console shows its Run buttons only then. */
export function mayRunRetention(p: Principal, group: Group): boolean {
  return decide(p, retentionRunPolicy, 'run', groupRun('new'), group) === 'allow';
}

/** May the principal see retention runs and the preview (retention:read in every company)? */
export function mayReadRetention(p: Principal, group: Group): boolean {
  return decide(p, retentionRunPolicy, 'read', groupRun('any'), group) === 'allow';
}

const companies = (group: Group) => retentionRunPolicy.companiesOf(groupRun('new'), group).join(', ');

/** Throws 403 unless the caller may start a run. Call it before anything else a start does. */
export function assertMayRunRetention(caller: Caller, group: Group): void {
  if (!mayRunRetention(caller.principal, group))
    throw forbidden(
      `A retention run sweeps the databases every company shares: starting one needs '${retentionRunPolicy.actions.run}' in every company (${companies(group)}).`,
    );
}

/** Throws 403 unless the caller may see retention (the preview counts the rows of every company). */
export function assertMayReadRetention(caller: Caller, group: Group): void {
  if (!mayReadRetention(caller.principal, group))
    throw forbidden(
      `Retention covers the databases every company shares: seeing its preview needs '${retentionRunPolicy.actions.read}' in every company (${companies(group)}).`,
    );
}

/** Start a run (or a recorded dry run) for a caller; the run is recorded as started by the caller's actor. */
export async function startRetentionRun(
  deps: RetentionDeps,
  caller: Caller,
  group: Group,
  input: RetentionRunInput,
): Promise<RetentionRunResult> {
  assertMayRunRetention(caller, group);
  return runRetention({ ...deps, actor: caller.actor }, input);
}

/** Past runs the caller may see: all of them with retention:read in every company, otherwise none. */
export async function listRetentionRunsFor(
  db: Db,
  caller: Caller,
  group: Group,
  limit = 50,
): Promise<RetentionRunSummary[]> {
  // Every stored run is group-wide (no company column), so one decision holds for every row.
  if (!mayReadRetention(caller.principal, group)) return [];
  return listRetentionRuns(db, limit);
}

/** One run, or "not found" alike for a missing run and one the caller may not read. */
export async function getRetentionRunFor(
  db: Db,
  caller: Caller,
  group: Group,
  id: string,
): Promise<RetentionRunDetail> {
  // Every run is group-wide, so the decision needs no row: decided first, then the run is read once.
  return readAuthorized(caller, retentionRunPolicy, groupRun(id), group, () => getRetentionRun(db, id));
}

/** What a run would do on a day (counts over every company's rows): retention:read in every company. */
export async function previewRetentionFor(
  deps: RetentionDeps,
  caller: Caller,
  group: Group,
  today?: IsoDate,
): Promise<{ today: IsoDate; outcomes: RetentionOutcome[]; plan: RetentionPlan }> {
  assertMayReadRetention(caller, group);
  return previewRetention(deps, today);
}

/**
 * Manual retention tasks as a caller sees them: they come from group-wide runs, so reading them needs
 * retention:read in every company (else the list is empty), ticking one off retention:run in every
 * company (else 403).
 */
export async function listRetentionTasksFor(
  db: Db,
  caller: Caller,
  group: Group,
  opts: { open?: boolean; limit?: number } = {},
): Promise<RetentionTask[]> {
  if (!mayReadRetention(caller.principal, group)) return [];
  return listRetentionTasks(db, opts);
}

export async function tickRetentionTaskFor(
  db: Db,
  caller: Caller,
  group: Group,
  id: string,
  input: TickInput,
): Promise<RetentionTask> {
  if (!mayRunRetention(caller.principal, group))
    throw forbidden(
      `A retention task comes from a run over the databases and systems every company shares: ticking it off needs '${retentionRunPolicy.actions.run}' in every company (${companies(group)}).`,
    );
  return tickRetentionTask(db, caller.actor, id, input);
}
