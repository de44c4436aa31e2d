/**
 * Work a route does after its answer has been sent, e.g. where doing it first would make the answer's
 * timing tell something (the settings-link form must not reveal whether an address is known). The task
 * starts in the onResponse hook, once the response is out; a failure is logged with an error id and the
 * error's kind only (no message: driver messages can quote personal data); closing the server (the
 * `start` command's shutdown, the tests' close) waits for the tasks still running.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';

export type AfterResponse = (req: FastifyRequest, what: string, task: () => Promise<unknown>) => void;

/** Hooks for `server` (a route plugin's scope); returns the function that schedules a request's task. */
export function afterResponse(server: FastifyInstance): AfterResponse {
  const queued = new WeakMap<FastifyRequest, { what: string; task: () => Promise<unknown> }[]>();
  const running = new Set<Promise<void>>();
  server.addHook('onResponse', async (req) => {
    const tasks = queued.get(req);
    if (!tasks) return;
    queued.delete(req);
    for (const { what, task } of tasks) {
      const p: Promise<void> = Promise.resolve()
        .then(task)
        .then(
          () => undefined,
          (err: unknown) => {
            const e = err as { name?: string; code?: string } | undefined;
            req.log.error(
              { errorId: randomUUID(), task: what, reqId: req.id, errName: e?.name, errCode: e?.code },
              'background task failed',
            );
          },
        )
        .finally(() => running.delete(p));
      running.add(p);
    }
  });
  server.addHook('onClose', async () => {
    while (running.size > 0) await Promise.allSettled([...running]);
  });
  return (req, what, task) => {
    const tasks = queued.get(req) ?? [];
    tasks.push({ what, task });
    queued.set(req, tasks);
  };
}
