/**
 * Execution on pg-boss, on PGlite (through pg-boss's `db` option) and on the PostgreSQL server: durable
 * jobs, automatic retries with back-off, a visible "failed, why" state and a retry that resumes.
 */
import { afterEach, describe, expect, test, vi } from 'vitest';
import { SYSTEM_ACTOR } from '../../src/services/audit/auditLog.ts';
import type { SqlConnector } from '../../src/services/fulfilment/connectors/types.ts';
import { Limiter } from '../../src/services/fulfilment/limiter.ts';
import { FulfilmentQueue } from '../../src/services/fulfilment/queue.ts';
import { getFulfilmentStatus } from '../../src/services/fulfilment/runFulfilment.ts';
import type { Db } from '../../src/storage/db.ts';
import { describeEachDatabase, freshDb } from '../support/db.ts';
import { nestitSystems, richCustomer } from '../support/nestit-systems.ts';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function waitFor(db: Db, requestId: string, status: string, ms = 100_000) {
  const until = Date.now() + ms;
  for (;;) {
    const st = await getFulfilmentStatus(db, requestId);
    if (st?.status === status) return st;
    if (Date.now() > until) throw new Error(`request ${requestId} is ${st?.status}, not ${status}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A connector whose DELETEs on `customers` fail the first `n` times. */
function flaky(real: SqlConnector, n: number): SqlConnector {
  let left = n;
  const c: SqlConnector = Object.create(real);
  c.transaction = (fn) =>
    real.transaction(async (tx) => {
      const w: SqlConnector = Object.create(tx);
      w.execute = async (sql, params) => {
        if (left > 0 && sql.startsWith('DELETE FROM "customers"')) {
          left--;
          throw Object.assign(new Error('simulated outage'), { code: 'ECONNRESET' });
        }
        return tx.execute(sql, params);
      };
      return fn(w);
    });
  return c;
}

describeEachDatabase('fulfilment on pg-boss', (kind) => {
  vi.setConfig({ testTimeout: 150_000 });
  test('P28 an erasure queued on pg-boss is retried with back-off after a failure and finishes', async () => {
    const s = await nestitSystems({ customers: 40 });
    const db = await freshDb(kind);
    cleanup.push(s.close, () => db.close());
    const who = await richCustomer(s);
    const connectors = new Map([...s.connectors, ['nestit_webshop', flaky(s.webshop.connector, 1)]]);
    const q = await FulfilmentQueue.start(
      { db, actor: SYSTEM_ACTOR, index: s.index, datasets: s.datasets, connectors, secret: 'k' },
      { retryLimit: 3, retryDelaySeconds: 1, pollingIntervalSeconds: 0.5, workers: 1 },
    );
    cleanup.push(() => q.stop());
    const input = {
      requestId: 'req-q-1',
      orgId: 'nestit-sverige',
      type: 'erasure' as const,
      identities: { email: who.email },
    };
    const id = await q.enqueue(input);
    expect(await q.enqueue(input)).toBe(id); // idempotent per request
    const st = await waitFor(db, 'req-q-1', 'done');
    expect(st.stepsDone).toBe(2);
    expect(st.stepsTotal).toBe(2);
    expect(st.attempts).toBe(2); // failed once, retried by pg-boss
    expect(st.steps.map((x) => [x.step, x.status, x.attempts])).toEqual([
      ['erase:nestit_customer_service', 'done', 1],
      ['erase:nestit_webshop', 'done', 2],
    ]);
    expect(await s.webshop.connector.query('SELECT 1 FROM customers WHERE id = $1', [who.id])).toHaveLength(
      0,
    );
    // The run is done before pg-boss records the job as completed: wait for it.
    for (let i = 0; i < 100 && (await q.jobState('req-q-1')) !== 'completed'; i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(await q.jobState('req-q-1')).toBe('completed');
  });

  test('P28 when the retries are spent the request shows failed and why; retry resumes it', async () => {
    const s = await nestitSystems({ customers: 40 });
    const db = await freshDb(kind);
    cleanup.push(s.close, () => db.close());
    const who = await richCustomer(s);
    const connectors = new Map([...s.connectors, ['nestit_webshop', flaky(s.webshop.connector, 1)]]);
    const q = await FulfilmentQueue.start(
      { db, actor: SYSTEM_ACTOR, index: s.index, datasets: s.datasets, connectors, secret: 'k' },
      { retryLimit: 0, pollingIntervalSeconds: 0.5, workers: 1 },
    );
    cleanup.push(() => q.stop());
    await q.enqueue({
      requestId: 'req-q-2',
      orgId: 'nestit-sverige',
      type: 'erasure',
      identities: { customerNumber: who.customerNumber },
    });
    const failed = await waitFor(db, 'req-q-2', 'failed');
    expect(failed.error).toContain('ECONNRESET: simulated outage');
    expect(failed.steps.find((x) => x.status === 'failed')?.step).toBe('erase:nestit_webshop');
    for (let i = 0; i < 50 && (await q.jobState('req-q-2')) !== 'failed'; i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(await q.jobState('req-q-2')).toBe('failed');
    await q.retry('req-q-2');
    const done = await waitFor(db, 'req-q-2', 'done');
    expect(done.stepsDone).toBe(2);
    expect(await s.webshop.connector.query('SELECT 1 FROM customers WHERE id = $1', [who.id])).toHaveLength(
      0,
    );
  });
});

describe('per-connector concurrency limit', () => {
  test('never more than the limit at once', async () => {
    const l = new Limiter(2);
    let active = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 8 }, () =>
        l.run(async () => {
          active++;
          peak = Math.max(peak, active);
          await new Promise((r) => setTimeout(r, 10));
          active--;
        }),
      ),
    );
    expect(peak).toBe(2);
  });
});
