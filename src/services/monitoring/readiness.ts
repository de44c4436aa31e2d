/**
 * Readiness (GET /readyz): may this process be sent traffic? The database answers a query, and, when this
 * process runs background workers, their queue (pg-boss, on the same database or its own connection)
 * answers too (pg-boss's for fulfilment, retention, audience removals and breach telling, the webhook
 * outbox for propagation). Liveness is /healthz. Each part is checked within a time limit; a failure names the part
 * and the error's kind only (driver messages can quote personal data).
 */
import { errorFields } from '../../log.ts';
import type { Db } from '../../storage/db.ts';
import type { BackgroundWork } from '../../workers.ts';
import { FULFILMENT_QUEUE } from '../fulfilment/queue.ts';
import { RETENTION_QUEUE } from '../retention/worker.ts';
import { AUDIENCE_REMOVAL_QUEUE } from '../audience/worker.ts';
import { BREACH_TELL_QUEUE } from '../breaches/tellJob.ts';

export type PartState = 'ok' | 'failed' | 'not-running';
export type Readiness = {
  ready: boolean;
  database: PartState;
  queue: PartState;
  /** What failed, by part: the error's name or code, or 'timeout' (never a message). */
  problems: { part: 'database' | 'queue'; kind: string }[];
};

type Boss = { getQueue(name: string): Promise<unknown> };

function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error('timeout'), { code: 'timeout' })), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

const kindOf = (err: unknown) => {
  const f = errorFields(err);
  return String(f.errCode ?? f.errName ?? 'error');
};

export async function checkReadiness(
  db: Db,
  work: BackgroundWork,
  opts: { timeoutMs?: number } = {},
): Promise<Readiness> {
  const ms = opts.timeoutMs ?? 2000;
  const problems: Readiness['problems'] = [];
  let database: PartState = 'ok';
  try {
    await within(db.query('SELECT 1 AS ok'), ms);
  } catch (err) {
    database = 'failed';
    problems.push({ part: 'database', kind: kindOf(err) });
  }
  const bosses: [Boss, string][] = [];
  if (work.fulfilment) bosses.push([work.fulfilment.boss, FULFILMENT_QUEUE]);
  if (work.retention) bosses.push([work.retention.boss, RETENTION_QUEUE]);
  if (work.audience) bosses.push([work.audience.boss, AUDIENCE_REMOVAL_QUEUE]);
  if (work.breachTell) bosses.push([work.breachTell.boss, BREACH_TELL_QUEUE]);
  const checks: (() => Promise<unknown>)[] = bosses.map(([boss, name]) => async () => {
    // pg-boss reads its queue table: reachable, installed, and the queue is there.
    if (!(await boss.getQueue(name))) throw Object.assign(new Error(name), { code: 'no-queue' });
  });
  // Propagation's queue is the webhook outbox: readable, and the worker's last look at it worked.
  if (work.propagator) checks.push(() => work.propagator!.check());
  let queue: PartState = checks.length ? 'ok' : 'not-running';
  for (const check of checks) {
    try {
      await within(check(), ms);
    } catch (err) {
      queue = 'failed';
      problems.push({ part: 'queue', kind: kindOf(err) });
      break;
    }
  }
  return { ready: problems.length === 0, database, queue, problems };
}
