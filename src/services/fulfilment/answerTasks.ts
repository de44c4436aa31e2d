/**
 * Several tasks ticked off at once with one note ("done for these 11"): each task is authorized
 * (fulfilment:write in its company; another company's is "not found") before any is answered, then each is
 * answered as one person ticking it off would (answerTask: its step, its run settled, its own audit entry),
 * and one entry records the batch.
 */
import { notFound } from '../../core/errors.ts';
import { authorize, type Caller, type Group } from '../../core/policies/policy.ts';
import { taskPolicy } from '../../core/policies/resources.ts';
import type { Db } from '../../storage/db.ts';
import { recordAudit } from '../audit/auditLog.ts';
import { answerTask, getTasks, type TaskRow, taskKey } from './recipients.ts';

export type TaskKey = { requestId: string; systemId: string };

export async function answerTasksAs(
  db: Db,
  caller: Caller,
  group: Group,
  keys: readonly TaskKey[],
  answer: { status: 'done' | 'not_found'; note: string },
  now: Date,
): Promise<{ answered: TaskRow[]; changed: string[] }> {
  // Every task in one query, then checked in the order given (the first missing or refused one answers).
  const found = await getTasks(db, keys);
  const tasks: TaskRow[] = [];
  for (const k of keys) {
    const task = found.get(taskKey({ request_id: k.requestId, system_id: k.systemId }));
    if (!task) throw notFound(taskPolicy.resource, `${k.requestId}/${k.systemId}`);
    authorize(caller.principal, taskPolicy, 'answer', task, group);
    tasks.push(task);
  }
  const { actor } = caller;
  const changed: string[] = [];
  for (const t of tasks) {
    const r = await answerTask(
      db,
      t,
      { status: answer.status },
      { by: `${actor.kind}:${actor.id}`, actor, note: answer.note },
    );
    if (r.changed) changed.push(t.request_id);
  }
  await recordAudit(db, {
    actor,
    action: 'fulfilment.tasks.answered',
    details: {
      tasks: tasks.map((t) => `${t.request_id}/${t.system_id}`),
      status: answer.status,
      changed: changed.length,
    },
    at: now,
  });
  // Each task as stored now (an already answered one is left as it was), read again in one query.
  const stored = await getTasks(
    db,
    tasks.map((t) => ({ requestId: t.request_id, systemId: t.system_id })),
  );
  const answered = tasks.map((t) => stored.get(taskKey(t)) ?? t);
  return { answered, changed: [...new Set(changed)] };
}
