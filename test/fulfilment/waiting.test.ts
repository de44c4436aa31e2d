/**
 * Runs that wait on services, on the real servers (Ombud on PostgreSQL, the web shop on PostgreSQL, customer
 * service on MariaDB) with a service on loopback that implements docs/connectors/http.md:
 * - a waiting run is looked at again by a follow-up job in PostgreSQL (pg-boss), also by another worker
 *   process; an overdue delivery is sent again, and after the connector's resends the step fails with
 *   "no answer from <system> after N attempts — retry"; retry sends once more; the desk's hook runs only
 *   when the last answer is in (injected clock: hours pass in seconds);
 * - an access asks the services with an HTTP connector and their answer is in the extract, not in tables;
 * - a PDF that cannot be made is noted on the step, the request does not fail;
 * - the per-connector limit caps concurrent sends to one service.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { newWebhookSecret } from '../../src/core/fulfilment/signature.ts';
import { type Keyring, parseKeyring } from '../../src/core/secrets/envelope.ts';
import { SYSTEM_ACTOR } from '../../src/services/audit/auditLog.ts';
import { saveHttpConnector } from '../../src/services/fulfilment/connectors/http.ts';
import type { Extract } from '../../src/services/fulfilment/extract.ts';
import { ConnectorLimits } from '../../src/services/fulfilment/limiter.ts';
import { FulfilmentQueue } from '../../src/services/fulfilment/queue.ts';
import { answerTask, getTask, tasksOf } from '../../src/services/fulfilment/recipients.ts';
import {
  type FulfilmentDeps,
  type FulfilmentInput,
  type FulfilmentResult,
  getArtifact,
  getFulfilmentStatus,
  runFulfilment,
} from '../../src/services/fulfilment/runFulfilment.ts';
import { pdfRenderer } from '../../src/services/requests/fulfilRequest.ts';
import type { Db } from '../../src/storage/db.ts';
import { freshDb } from '../support/db.ts';
import { type MailProvider, startMailProvider } from '../support/mail-provider.ts';
import {
  fulfilmentDeps,
  type NestitSystems,
  nestitSystems,
  richCustomer,
  TOLD_OF_SHOP_AND_SERVICE,
} from '../support/nestit-systems.ts';

const ORG = 'nestit-sverige';
const secret = newWebhookSecret();
let s: NestitSystems;
let db: Db;
let provider: MailProvider;
let ring: Keyring;
let offsetMs = 0;
const clock = () => new Date(Date.now() + offsetMs);
const queues: FulfilmentQueue[] = [];

beforeAll(async () => {
  s = await nestitSystems({ customers: 60 });
  db = await freshDb('postgres');
  ring = parseKeyring(`k1:${randomBytes(32).toString('base64')}`);
  provider = await startMailProvider(secret);
  await saveHttpConnector(db, ring, SYSTEM_ACTOR, {
    systemId: 'messaging',
    url: provider.url,
    secret,
    timeoutMs: 3000,
    callbackHours: 1,
    resends: 2,
  });
}, 120_000);
afterAll(async () => {
  for (const q of queues) await q.stop().catch(() => {});
  await provider?.close();
  await s?.close();
  await db?.close();
});

const deps = (over: Partial<FulfilmentDeps> = {}): FulfilmentDeps =>
  fulfilmentDeps(s, db, {
    now: clock,
    // Callbacks are not used here (the service is silent or answers at once).
    recipients: { callbackBaseUrl: 'http://127.0.0.1:9', keyring: ring, backoffMs: 20 },
    ...over,
  });

async function until<T>(what: string, f: () => Promise<T | undefined | false>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
const sendsTo = (requestId: string) => provider.received.filter((r) => r.requestId === requestId).length;
async function customerAt(offset: number) {
  const [c] = await s.webshop.connector.query<{ customer_number: string; email: string }>(
    `SELECT customer_number, email FROM customers ORDER BY id DESC LIMIT 1 OFFSET ${offset}`,
  );
  return c!;
}

describe('a waiting run on a timer (pg-boss follow-up jobs)', () => {
  test('P28 an erasure whose HTTP recipient never calls back: sent again each time callbackHours pass, by whichever worker runs; after the resends the step fails "no answer … retry"; retry sends once more; the desk hook runs only after the last answer', async () => {
    const who = await richCustomer(s);
    provider.mode = 'silent';
    const doneCalls: FulfilmentResult[] = [];
    const options = {
      workers: 1,
      pollingIntervalSeconds: 0.5,
      waitingCheckSeconds: 1,
      retryLimit: 1,
      retryDelaySeconds: 1,
      onDone: async (_i: FulfilmentInput, r: FulfilmentResult) => {
        doneCalls.push(r);
      },
    };
    const q1 = await FulfilmentQueue.start(deps(), options);
    queues.push(q1);
    const requestId = 'req-timer-1';
    await q1.enqueue({
      requestId,
      orgId: ORG,
      type: 'erasure',
      identities: { customerNumber: who.customerNumber, email: who.email },
    });
    await until('the first delivery', async () => sendsTo(requestId) === 1);
    const waiting = await until('the run to wait', async () => {
      const st = await getFulfilmentStatus(db, requestId);
      return st?.status === 'waiting' && st;
    });
    expect(waiting.steps.find((x) => x.step === 'notify:messaging')!.status).toBe('waiting');
    expect(waiting.steps.filter((x) => x.step.startsWith('erase:')).every((x) => x.status === 'done')).toBe(
      true,
    );
    // The timer is a job in PostgreSQL, not a process's interval: this worker stops, another one starts.
    await until('a follow-up job in pg-boss', async () => (await q1.jobState(requestId)) === 'created');
    await q1.stop();
    const q2 = await FulfilmentQueue.start(deps(), options);
    queues.push(q2);
    // Looked at again and again within the hour: nothing is sent before the callback is overdue.
    const job = (
      await db.query<{ job_id: string }>('SELECT job_id FROM fulfilment_runs WHERE request_id = $1', [
        requestId,
      ])
    )[0]!.job_id;
    await until('another follow-up', async () => {
      const [r] = await db.query<{ job_id: string }>(
        'SELECT job_id FROM fulfilment_runs WHERE request_id = $1',
        [requestId],
      );
      return r!.job_id !== job;
    });
    expect(sendsTo(requestId)).toBe(1);

    for (const n of [2, 3]) {
      offsetMs += 61 * 60_000; // callbackHours (1 h) pass
      // The service sees the delivery a moment before the task records the accepted send: wait for both.
      await until(
        `delivery ${n}`,
        async () => sendsTo(requestId) === n && (await getTask(db, requestId, 'messaging'))!.sends === n,
      );
      expect(sendsTo(requestId)).toBe(n);
    }
    // Every resend is the same delivery: one webhook-id, signed afresh.
    const ids = provider.webhookIds.slice(-3);
    expect(new Set(ids).size).toBe(1);

    offsetMs += 61 * 60_000;
    const failed = await until('the step to fail', async () => {
      const st = await getFulfilmentStatus(db, requestId);
      return st?.status === 'failed' && st;
    });
    expect(failed.error).toBe('no answer from messaging after 3 attempts — retry');
    expect(failed.steps.find((x) => x.step === 'notify:messaging')).toMatchObject({
      status: 'failed',
      error: 'no answer from messaging after 3 attempts — retry',
    });
    expect((await getTask(db, requestId, 'messaging'))!.status).toBe('unanswered');
    // pg-boss's own retries do not send again; the job ends failed and waits for a person.
    await until('the job to fail', async () => (await q2.jobState(requestId)) === 'failed');
    expect(sendsTo(requestId)).toBe(3);
    expect(doneCalls).toHaveLength(0);

    // "Retry" — a day later, after pg-boss's maintenance has archived the failed job (as it does after
    // 12 h; done here with pg-boss's own archive statement): sent once more, and the run waits again.
    const COLS =
      'id, name, priority, data, state, retry_limit, retry_count, retry_delay, retry_backoff, start_after, started_on, singleton_key, singleton_on, expire_in, created_on, completed_on, keep_until, dead_letter, policy, output';
    const [failedJob] = await db.query<{ job_id: string }>(
      'SELECT job_id FROM fulfilment_runs WHERE request_id = $1',
      [requestId],
    );
    await db.query(
      `WITH moved AS (DELETE FROM pgboss.job WHERE id = $1 RETURNING *)
       INSERT INTO pgboss.archive (${COLS}) SELECT ${COLS} FROM moved`,
      [failedJob!.job_id],
    );
    expect(await q2.jobState(requestId)).toBe('failed'); // (from the archive)
    await q2.retry(requestId);
    const [resent] = await db.query<{ job_id: string }>(
      'SELECT job_id FROM fulfilment_runs WHERE request_id = $1',
      [requestId],
    );
    expect(resent!.job_id).not.toBe(failedJob!.job_id);
    await until('the resend after retry', async () => sendsTo(requestId) === 4);
    await until(
      'waiting again',
      async () => (await getFulfilmentStatus(db, requestId))?.status === 'waiting',
    );

    // The answers come in (the service's callback, people ticking the manual tasks); each is followed by
    // `wake`, as the callback and tick routes do. Only the last one completes the run.
    const tasks = await tasksOf(db, requestId);
    // By hand: the routine recipients of every purpose with data in the systems where the rows are.
    const expected = TOLD_OF_SHOP_AND_SERVICE;
    expect(tasks.map((t) => [t.system_id, t.via])).toEqual(
      expected.map((x) => [x, x === 'messaging' ? 'http' : 'manual']),
    );
    for (const [i, t] of tasks.entries()) {
      await answerTask(
        db,
        t,
        { status: 'done', records: 1 },
        t.via === 'http'
          ? { by: 'system:messaging', actor: { kind: 'system', id: 'connector:messaging' } }
          : { by: 'user:agent', actor: { kind: 'user', id: 'agent' }, note: 'Erased in the portal' },
      );
      await q2.wake(requestId);
      if (i === 0 || i === tasks.length - 2) {
        await new Promise((r) => setTimeout(r, 1500));
        expect(doneCalls).toHaveLength(0);
        // The follow-up job (every waitingCheckSeconds) shows the run as 'running' for a moment, longer
        // on a busy machine: look once it has settled.
        const settled = await until('the follow-up to settle', async () => {
          const st = await getFulfilmentStatus(db, requestId);
          return st?.status !== 'running' && st;
        });
        expect(settled.status).toBe('waiting');
      }
    }
    await until('the desk hook', async () => doneCalls.length === 1, 30_000);
    expect((await getFulfilmentStatus(db, requestId))!.status).toBe('done');
    expect(doneCalls[0]!.outcomes.filter((o) => 'recipient' in o).map((o) => o.system)).toEqual(
      tasks.map((t) => t.system_id),
    );
    // Done runs get no more follow-ups.
    await until('the last job to complete', async () => (await q2.jobState(requestId)) === 'completed');
    await new Promise((r) => setTimeout(r, 2500));
    expect(doneCalls).toHaveLength(1);
    expect(sendsTo(requestId)).toBe(4);
  }, 240_000);
});

describe('an unanswered service ticked off by hand', () => {
  test('P28 after the resends a person may confirm the service by hand: the step is done and the run waits only for the others again', async () => {
    const [c] = await s.webshop.connector.query<{ customer_number: string }>(
      'SELECT customer_number FROM customers ORDER BY id LIMIT 1 OFFSET 2',
    );
    provider.mode = 'silent';
    const input = {
      requestId: 'req-by-hand',
      orgId: ORG,
      type: 'restriction' as const,
      identities: { customerNumber: c!.customer_number },
    };
    expect((await runFulfilment(deps(), input)).status).toBe('waiting');
    for (let i = 0; i < 3; i++) {
      offsetMs += 61 * 60_000;
      await runFulfilment(deps(), input);
    }
    expect(sendsTo('req-by-hand')).toBe(3);
    const st = (await getFulfilmentStatus(db, 'req-by-hand'))!;
    expect(st.status).toBe('failed');
    expect(st.error).toBe('no answer from messaging after 3 attempts — retry');
    const task = (await getTask(db, 'req-by-hand', 'messaging'))!;
    expect(task.status).toBe('unanswered');
    const r = await answerTask(
      db,
      task,
      { status: 'done' },
      {
        by: 'user:agent',
        actor: { kind: 'user', id: 'agent' },
        note: 'Confirmed by phone with the provider',
      },
    );
    expect(r.changed).toBe(true);
    const after = (await getFulfilmentStatus(db, 'req-by-hand'))!;
    expect(after.status).toBe('waiting');
    expect(after.error).toBeNull();
    expect(after.steps.find((x) => x.step === 'notify:messaging')!.status).toBe('done');
    expect(after.steps.some((x) => x.status === 'waiting')).toBe(true);
  }, 60_000);
});

describe('wake on the embedded database', () => {
  test('P25 on PGlite (what `ombud start` runs on) an access waiting for a service completes as soon as the answer is recorded, not at the hourly timer', async () => {
    const lite = await freshDb('pglite');
    await saveHttpConnector(lite, ring, SYSTEM_ACTOR, { systemId: 'messaging', url: provider.url, secret });
    const doneCalls: string[] = [];
    const q = await FulfilmentQueue.start(deps({ db: lite }), {
      workers: 1,
      pollingIntervalSeconds: 0.5,
      onDone: async (i) => {
        doneCalls.push(i.requestId);
      },
    });
    try {
      const who = await customerAt(10);
      provider.mode = 'silent';
      await q.enqueue({
        requestId: 'req-lite',
        orgId: ORG,
        type: 'access',
        identities: { email: who.email },
      });
      await until(
        'the run to wait',
        async () => (await getFulfilmentStatus(lite, 'req-lite'))?.status === 'waiting',
      );
      await until('the follow-up job', async () => (await q.jobState('req-lite')) === 'created');
      const task = (await getTask(lite, 'req-lite', 'messaging'))!;
      await answerTask(
        lite,
        task,
        { status: 'done', records: 1, data: { contacts: [{ email: who.email }] } },
        { by: 'system:messaging', actor: { kind: 'system', id: 'connector:messaging' } },
      );
      expect(await q.wake('req-lite')).toBe(true);
      await until('the desk hook', async () => doneCalls.length === 1, 20_000);
      const st = (await getFulfilmentStatus(lite, 'req-lite'))!;
      expect(st.status).toBe('done');
      expect(st.steps.map((x) => [x.step, x.status])).toEqual([
        ['collect:messaging', 'done'],
        ['access', 'done'],
      ]);
    } finally {
      await q.stop();
      await lite.close();
    }
  }, 120_000);
});

describe('access asks the services with an HTTP connector', () => {
  test('P25 the service answers at once: its records are in the extract (JSON, HTML) under its name; nothing of it stays in Ombud’s tables', async () => {
    const who = await customerAt(3);
    const marker = `Marker ${randomBytes(4).toString('hex')}`;
    provider.mode = 'sync';
    provider.contacts.set(who.email, { email: who.email, name: marker, lists: ['news', 'offers'] });
    const res = await runFulfilment(deps(), {
      requestId: 'req-access-svc',
      orgId: ORG,
      type: 'access',
      identities: { customerNumber: who.customer_number, email: who.email },
    });
    expect(res.status).toBe('done');
    expect(res.steps.map((x) => [x.step, x.status])).toEqual([
      ['collect:messaging', 'done'],
      ['access', 'done'],
    ]);
    expect(provider.received.filter((r) => r.requestId === 'req-access-svc')).toEqual([
      { action: 'access', requestId: 'req-access-svc', verified: true },
    ]);
    const x = JSON.parse(
      (await getArtifact(db, 'req-access-svc', 'extract.json', clock()))!.body.toString('utf8'),
    ) as Extract;
    expect(x.services).toEqual([
      {
        system: 'messaging',
        systemName: 'E-mail and text-message communication',
        status: 'done',
        records: 1,
      },
    ]);
    const fromService = x.data.filter((c) => c.source === 'service');
    expect(fromService).toHaveLength(1);
    expect(fromService[0]).toMatchObject({ system: 'messaging', collection: 'contacts' });
    expect(fromService[0]!.rows).toEqual([{ email: who.email, name: marker, lists: ['news', 'offers'] }]);
    expect(x.data.some((c) => c.source === 'database' && c.collection === 'customers')).toBe(true);
    const page = (await getArtifact(db, 'req-access-svc', 'extract.html', clock()))!.body.toString('utf8');
    expect(page).toContain('<h4>contacts</h4>');
    expect(page).toContain('Held in: E-mail and text-message communication');
    expect(page).toContain(marker);
    expect(page).toContain('<td>news and offers</td>'); // a list, in words
    // Kept only in the run's artifacts: no service copy left, not in the task, steps or audit log.
    expect(res.artifacts).toEqual(['extract.html', 'extract.json', 'portability.zip']);
    expect(await db.query("SELECT name FROM fulfilment_artifacts WHERE name LIKE 'service-%'")).toEqual([]);
    for (const table of ['fulfilment_recipient_tasks', 'fulfilment_steps', 'audit_log']) {
      const dump = JSON.stringify(await db.query(`SELECT * FROM ${table}`));
      expect(dump, table).not.toContain(marker);
    }
    // The portability ZIP holds the group's own provided data only.
    const zip = (await getArtifact(db, 'req-access-svc', 'portability.zip', clock()))!.body;
    expect(zip.toString('latin1')).not.toContain(marker);
  }, 60_000);

  test('P25 a service that holds nothing is listed as asked, holding nothing', async () => {
    const who = await customerAt(4);
    provider.mode = 'sync';
    provider.contacts.delete(who.email);
    const res = await runFulfilment(deps(), {
      requestId: 'req-access-none',
      orgId: ORG,
      type: 'access',
      identities: { email: who.email },
    });
    expect(res.status).toBe('done');
    const x = JSON.parse(
      (await getArtifact(db, 'req-access-none', 'extract.json', clock()))!.body.toString('utf8'),
    ) as Extract;
    expect(x.services).toEqual([
      {
        system: 'messaging',
        systemName: 'E-mail and text-message communication',
        status: 'not_found',
        records: 0,
      },
    ]);
    expect(x.data.some((c) => c.source === 'service')).toBe(false);
    const page = (await getArtifact(db, 'req-access-none', 'extract.html', clock()))!.body.toString('utf8');
    expect(page).toContain('E-mail and text-message communication: holds no data about you');
  }, 60_000);

  test('P25 a service that answers later: the extract waits for its callback, then holds its records', async () => {
    const who = await customerAt(5);
    provider.mode = 'silent';
    provider.contacts.set(who.email, { email: who.email, name: 'Later Answer', lists: [] });
    const input = {
      requestId: 'req-access-later',
      orgId: ORG,
      type: 'access' as const,
      identities: { email: who.email },
    };
    const first = await runFulfilment(deps(), input);
    expect(first.status).toBe('waiting');
    expect(first.steps.map((x) => [x.step, x.status])).toEqual([
      ['collect:messaging', 'waiting'],
      ['access', 'pending'],
    ]);
    expect(first.artifacts).toEqual([]);
    // The callback's answer (as the route records it) is held as the run's artifact until the extract.
    const task = (await getTask(db, 'req-access-later', 'messaging'))!;
    await answerTask(
      db,
      task,
      { status: 'done', records: 1, data: { contacts: [{ email: who.email, name: 'Later Answer' }] } },
      { by: 'system:messaging', actor: { kind: 'system', id: 'connector:messaging' } },
    );
    expect(
      (
        await db.query<{ name: string }>(
          "SELECT name FROM fulfilment_artifacts WHERE request_id = 'req-access-later'",
        )
      ).map((r) => r.name),
    ).toEqual(['service-messaging.json']);
    const again = await runFulfilment(deps(), input);
    expect(again.status).toBe('done');
    expect(again.artifacts).toEqual(['extract.html', 'extract.json', 'portability.zip']);
    const page = (await getArtifact(db, 'req-access-later', 'extract.html', clock()))!.body.toString('utf8');
    expect(page).toContain('Later Answer');
  }, 60_000);
});

describe('PDF extract', () => {
  test('P25 without Chromium the access is done with HTML and JSON and the step says why there is no PDF; a failing print is noted the same way', async () => {
    const who = await customerAt(6);
    const missing = pdfRenderer('/nonexistent/chromium');
    expect(missing).toEqual({
      pdfUnavailable:
        'Chromium was not found at /nonexistent/chromium (install it or set OMBUD_CHROMIUM); the extract is HTML and JSON.',
    });
    const res = await runFulfilment(deps({ recipients: undefined, ...missing }), {
      requestId: 'req-nopdf',
      orgId: ORG,
      type: 'access',
      identities: { email: who.email },
    });
    expect(res.status).toBe('done');
    expect(res.artifacts).toEqual(['extract.html', 'extract.json', 'portability.zip']);
    expect(res.steps[0]!.note).toBe(
      'No PDF: Chromium was not found at /nonexistent/chromium (install it or set OMBUD_CHROMIUM); the extract is HTML and JSON.',
    );
    expect((await getFulfilmentStatus(db, 'req-nopdf'))!.steps[0]!.note).toBe(res.steps[0]!.note);

    const broken = await runFulfilment(
      deps({
        recipients: undefined,
        pdf: async () => {
          throw new Error(`browser has been closed while printing for ${who.email}`);
        },
      }),
      { requestId: 'req-brokenpdf', orgId: ORG, type: 'access', identities: { email: who.email } },
    );
    expect(broken.status).toBe('done');
    expect(broken.artifacts).not.toContain('extract.pdf');
    expect(broken.steps[0]!.note).toBe(
      'No PDF: printing the extract failed (browser has been closed while printing for [redacted]); HTML and JSON are complete.',
    );
    // Where Chromium is installed the renderer is used.
    expect('pdf' in pdfRenderer()).toBe(true);
  }, 60_000);
});

describe('per-connector limit for services', () => {
  test('concurrent runs send to one service no more than its limit at once', async () => {
    provider.mode = 'sync';
    provider.responseDelayMs = 400;
    try {
      const run = (limits: ConnectorLimits, tag: string) =>
        Promise.all(
          [7, 8, 9].map(async (n) => {
            const who = await customerAt(n);
            return runFulfilment(deps({ limits }), {
              requestId: `req-limit-${tag}-${n}`,
              orgId: ORG,
              type: 'access',
              identities: { email: who.email },
            });
          }),
        );
      provider.peakInFlight = 0;
      const one = await run(new ConnectorLimits(2, { 'http:messaging': 1 }), 'one');
      expect(one.map((r) => r.status)).toEqual(['done', 'done', 'done']);
      expect(provider.peakInFlight).toBe(1);
      provider.peakInFlight = 0;
      await run(new ConnectorLimits(3), 'three');
      expect(provider.peakInFlight).toBeGreaterThan(1);
    } finally {
      provider.responseDelayMs = 0;
    }
  }, 90_000);
});
