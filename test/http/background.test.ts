/**
 * Work after the answer (src/http/background.ts): it starts once the response is out, a failure is
 * logged with an id and the error's kind only, and closing the server waits for what still runs.
 */
import Fastify from 'fastify';
import { expect, test } from 'vitest';
import { afterResponse } from '../../src/http/background.ts';

test('a task runs after the answer; its failure is logged without its message; close waits for it', async () => {
  const lines: string[] = [];
  const server = Fastify({ logger: { level: 'error', stream: { write: (l: string) => lines.push(l) } } });
  const later = afterResponse(server);
  let release!: () => void;
  const gate = new Promise<void>((r) => {
    release = r;
  });
  const events: string[] = [];
  server.get('/slow', async (req) => {
    later(req, 'slow-task', async () => {
      events.push('task started');
      await gate;
      events.push('task done');
    });
    events.push('handler returned');
    return 'ok';
  });
  server.get('/failing', async (req) => {
    later(req, 'failing-task', async () => {
      throw Object.assign(new Error('value frida@example.se refused'), { code: '22021' });
    });
    return 'ok';
  });

  const res = await server.inject('/slow');
  expect(res.body).toBe('ok');
  // The answer came back while the task waits.
  await new Promise((r) => setImmediate(r));
  expect(events).toEqual(['handler returned', 'task started']);

  await server.inject('/failing');
  await new Promise((r) => setImmediate(r));
  const log = lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'background task failed');
  expect(log).toMatchObject({ task: 'failing-task', errName: 'Error', errCode: '22021' });
  expect(log.errorId).toMatch(/^[0-9a-f-]{36}$/);
  expect(lines.join('\n')).not.toContain('frida');

  // Closing waits for the running task.
  let closed = false;
  const closing = server.close().then(() => {
    closed = true;
  });
  await new Promise((r) => setTimeout(r, 20));
  expect(closed).toBe(false);
  release();
  await closing;
  expect(events).toEqual(['handler returned', 'task started', 'task done']);
});
