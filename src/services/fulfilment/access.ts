/**
 * Fulfilment as a caller (a person or an API key over HTTP) sees it: a run's progress, its artifacts, its
 * tasks, the open tasks, and the connectors. Each function reads the row's company, asks the resource's
 * policy (src/core/policies/resources.ts) and only then reads or changes anything:
 * - a run and its artifacts belong to the run's company (the request's controller); reading needs
 *   fulfilment:read there (the request desk's progress view: requests:read there);
 * - a task belongs to its run's company; answering it needs fulfilment:write there;
 * - a connector belongs to every company whose purposes name its system (connectors:manage in each).
 * A caller who may not read a run gets the same "not found" as for a run that does not exist.
 * The workers and the desk's own completion (system callers) use the plain functions of runFulfilment.ts
 * and recipients.ts.
 */
import { forbidden, notFound } from '../../core/errors.ts';
import type { Keyring } from '../../core/secrets/envelope.ts';
import {
  authorize,
  type Caller,
  decide,
  type Group,
  listScope,
  readAuthorized,
  visibleTo,
} from '../../core/policies/policy.ts';
import {
  artifactPolicy,
  companiesUsingSystem,
  connectorPolicy,
  type FulfilmentRunLike,
  fulfilmentRunPolicy,
  requestFulfilmentPolicy,
  taskPolicy,
} from '../../core/policies/resources.ts';
import type { Db } from '../../storage/db.ts';
import { recordAudit } from '../audit/auditLog.ts';
import type { RegisterCache } from '../register/currentRegister.ts';
import { groupOf } from '../register/group.ts';
import { type HttpConnectorInput, saveHttpConnector } from './connectors/http.ts';
import { answerTask, getTask, listOpenTasks, type TaskRow, tasksOf } from './recipients.ts';
import { type FulfilmentStatus, getArtifact, getFulfilmentStatus } from './runStore.ts';

/** The run's company, or the same "not found" a hidden run gets. */
async function runRow(db: Db, requestId: string): Promise<FulfilmentRunLike> {
  const [run] = await db.query<FulfilmentRunLike>(
    'SELECT request_id, org_id FROM fulfilment_runs WHERE request_id = $1',
    [requestId],
  );
  if (!run) throw notFound(fulfilmentRunPolicy.resource, requestId);
  return run;
}

/**
 * A run's progress, steps and counts. `policy`: fulfilmentRunPolicy (the fulfilment console and API), or
 * requestFulfilmentPolicy for the request desk's view of the same run.
 */
export async function fulfilmentStatusFor(
  db: Db,
  caller: Caller,
  group: Group,
  requestId: string,
  policy: typeof fulfilmentRunPolicy | typeof requestFulfilmentPolicy = fulfilmentRunPolicy,
): Promise<FulfilmentStatus> {
  return readAuthorized(caller, policy, await runRow(db, requestId), group, () =>
    getFulfilmentStatus(db, requestId),
  );
}

/** The request desk's view of a request's run (requests:read in the run's company). */
export async function requestFulfilmentStatusFor(
  db: Db,
  registers: RegisterCache,
  caller: Caller,
  requestId: string,
): Promise<FulfilmentStatus> {
  return fulfilmentStatusFor(db, caller, await groupOf(registers), requestId, requestFulfilmentPolicy);
}

/** An artifact of a run (extract, ZIP), for a caller who may read the run; the download is audited. */
export async function artifactFor(
  db: Db,
  caller: Caller,
  group: Group,
  requestId: string,
  name: string,
  now: Date,
): Promise<{ contentType: string; body: Buffer }> {
  const run = await runRow(db, requestId);
  const a = await readAuthorized(
    caller,
    artifactPolicy,
    run,
    group,
    () => getArtifact(db, requestId, name, now),
    { resource: 'artifact', id: `${requestId}/${name}` },
  );
  await recordAudit(db, {
    actor: caller.actor,
    orgId: run.org_id,
    action: 'fulfilment.artifact.read',
    target: `request:${requestId}`,
    details: { artifact: name },
  });
  return a;
}

/** A run's tasks (the run must be readable), each with whether the caller may answer it. */
export async function tasksOfRunFor(
  db: Db,
  caller: Caller,
  group: Group,
  requestId: string,
): Promise<(TaskRow & { mayAnswer: boolean })[]> {
  const run = await runRow(db, requestId);
  authorize(caller.principal, fulfilmentRunPolicy, 'read', run, group);
  return withMayAnswer(
    caller,
    group,
    (await tasksOf(db, requestId)).filter(visibleTo(caller.principal, taskPolicy, group)),
  );
}

/** The open tasks of the companies where the caller holds fulfilment:read (filtered in SQL). */
export async function openTasksFor(
  db: Db,
  caller: Caller,
  group: Group,
): Promise<(TaskRow & { mayAnswer: boolean })[]> {
  return withMayAnswer(
    caller,
    group,
    await listOpenTasks(db, listScope(caller.principal, taskPolicy.actions.read)),
  );
}

function withMayAnswer(caller: Caller, group: Group, tasks: TaskRow[]) {
  return tasks.map((t) => ({
    ...t,
    mayAnswer: decide(caller.principal, taskPolicy, 'answer', t, group) === 'allow',
  }));
}

/**
 * Tick off a task by hand (done / not held there, with a note). Needs fulfilment:write in the task's
 * company; another company's task is "not found" and stays as it was. Returns the task as stored after.
 */
export async function answerTaskAs(
  db: Db,
  caller: Caller,
  group: Group,
  requestId: string,
  systemId: string,
  answer: { status: 'done' | 'not_found'; records?: number; note: string },
): Promise<{ task: TaskRow; changed: boolean }> {
  const task = await getTask(db, requestId, systemId);
  if (!task) throw notFound(taskPolicy.resource, `${requestId}/${systemId}`);
  authorize(caller.principal, taskPolicy, 'answer', task, group);
  const { actor } = caller;
  const r = await answerTask(
    db,
    task,
    { status: answer.status, ...(answer.records !== undefined ? { records: answer.records } : {}) },
    { by: `${actor.kind}:${actor.id}`, actor, note: answer.note },
  );
  return { task: (await getTask(db, requestId, systemId))!, changed: r.changed };
}

/**
 * Configure a service's HTTP connector. One configuration serves every company whose purposes name the
 * system, so it needs connectors:manage in each of them (a system no purpose names: in every company).
 */
export async function configureHttpConnector(
  db: Db,
  /** The keyring that seals the secret; opened only once the caller may configure the connector. */
  ring: () => Keyring,
  caller: Caller,
  group: Group,
  purposes: Parameters<typeof companiesUsingSystem>[0],
  input: HttpConnectorInput,
): Promise<{ systemId: string; secret: string }> {
  const row = { system_id: input.systemId, usedBy: companiesUsingSystem(purposes, input.systemId) };
  if (decide(caller.principal, connectorPolicy, 'manage', row, group) !== 'allow')
    throw forbidden(
      `The connector of ${input.systemId} serves ${connectorPolicy.companiesOf(row, group).join(', ')}: configuring it needs '${connectorPolicy.actions.manage}' in each.`,
    );
  return saveHttpConnector(db, ring(), caller.actor, input);
}
