/**
 * /readyz (issue 18 part 4): 200 while the database answers (and the queue, when this process runs
 * workers); 503 problem+json naming the part that fails: the queue when propagation's outbox is gone, the
 * database when it is closed. The worker's errors that follow are logged with their code, never their
 * message. /healthz stays liveness.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createLogger } from '../../src/log.ts';
import { BreachTellQueue } from '../../src/services/breaches/tellJob.ts';
import { type Propagator, startPropagation } from '../../src/services/consent/propagator.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let t: TestServer;
let propagator: Propagator | undefined;
const lines: string[] = [];
const log = createLogger({ level: 'info', format: 'json', write: (l) => lines.push(l) });

beforeAll(async () => {
  t = await startTestServer();
}, 120_000);
afterAll(async () => {
  await propagator?.stop().catch(() => undefined);
  await t?.server.close();
});

const waitFor = async (pred: () => boolean, ms = 20_000) => {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
};

test('ready without workers: the database answers, no queue runs in this process', async () => {
  const res = await t.server.inject('/readyz');
  expect(res.statusCode).toBe(200);
  expect(res.json()).toEqual({ status: 'ready', database: 'ok', queue: 'not-running' });
});

test('ready with a worker: its queue (the webhook outbox) answers too', async () => {
  propagator = await startPropagation(t.app, t.workers, {
    pollingIntervalSeconds: 0.5,
    maintenanceIntervalSeconds: 1,
    log,
  });
  const res = await t.server.inject('/readyz');
  expect(res.statusCode).toBe(200);
  expect(res.json()).toEqual({ status: 'ready', database: 'ok', queue: 'ok' });
});

test("the breach telling queue is asked too: 503 while pg-boss's queue table does not answer", async () => {
  // An API process's queue (it only queues; a worker tells): the context is never asked here.
  const tell = await BreachTellQueue.start(
    t.app,
    t.workers,
    async () => {
      throw new Error('not asked');
    },
    { consume: false },
  );
  expect((await t.server.inject('/readyz')).statusCode).toBe(200);
  await t.app.db.exec('ALTER TABLE pgboss.queue RENAME TO queue_gone');
  try {
    const res = await t.server.inject('/readyz');
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({
      code: 'queue-unavailable',
      detail: 'Not ready: the queue does not answer (42P01).',
    });
  } finally {
    await t.app.db.exec('ALTER TABLE pgboss.queue_gone RENAME TO queue');
  }
  expect((await t.server.inject('/readyz')).statusCode).toBe(200);
  await tell.stop();
  t.workers.breachTell = undefined;
});

test("503 naming the queue when propagation's outbox is gone; the worker's errors are logged by their code only", async () => {
  await t.app.db.exec('ALTER TABLE webhook_deliveries RENAME TO webhook_deliveries_gone');
  const res = await t.server.inject('/readyz');
  expect(res.statusCode).toBe(503);
  expect(res.headers['content-type']).toContain('application/problem+json');
  expect(res.json()).toEqual({
    type: 'https://ombud.dev/problems/not-ready',
    title: 'not ready',
    status: 503,
    detail: 'Not ready: the queue does not answer (42P01).',
    code: 'queue-unavailable',
    hint: 'Liveness is /healthz; this answers 200 again once the part named answers.',
  });
  // The worker's look at the outbox fails the same way: logged, never swallowed, without the driver's message.
  await waitFor(() => lines.some((l) => l.includes('propagation queue error')));
  const entry = JSON.parse(lines.find((l) => l.includes('propagation queue error'))!);
  expect(entry).toMatchObject({ level: 40, msg: 'propagation queue error', errCode: '42P01' });
  // pino's own fields, and the error's kind: nothing else.
  const own = ['level', 'time', 'pid', 'hostname', 'msg'];
  const allowed = ['errCode', 'errName', 'queue', 'worker'];
  expect(Object.keys(entry).filter((k) => !own.includes(k) && !allowed.includes(k))).toEqual([]);
  for (const l of lines) expect(l).not.toMatch(/does not exist|relation|webhook_deliveries/);
  await propagator!.stop().catch(() => undefined);
  propagator = undefined;
  t.workers.propagator = undefined;
});

test('503 naming the database when it is closed; /healthz is liveness and not asked here', async () => {
  await t.app.db.close();
  const res = await t.server.inject('/readyz');
  expect(res.statusCode).toBe(503);
  const body = res.json();
  expect(body.code).toBe('database-unavailable');
  expect(body.detail).toMatch(/^Not ready: the database does not answer \(\w+\)\.$/);
  // Nothing of the driver's words: the error's kind only.
  expect(body.detail).not.toMatch(/closed/i);
});
