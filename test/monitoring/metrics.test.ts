/**
 * /metrics scraped on a running app (issue 18 part 4): requests filed in several states relative to the
 * injected clock, webhook deliveries pending, failing and dead, pg-boss jobs queued, active and failed,
 * retention runs (a done one, a failed one after it, a dry run that does not count) and tasks, the audit
 * chain's verification, and the HTTP series by route pattern. Every expected value is written by hand below.
 * Who may scrape: loopback without a token, never a forwarded request; with OMBUD_METRICS_TOKEN only its
 * bearer.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import PgBoss from 'pg-boss';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { consentKeys } from '../../src/services/consent/keys.ts';
import { deliverOnce, markDead } from '../../src/services/consent/webhooks.ts';
import { FULFILMENT_QUEUE, pgBossDb } from '../../src/services/fulfilment/queue.ts';
import { grantNewsletter, type JsonApi, jsonApi } from '../support/http.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { samples, single, table } from './support.ts';

/** The app's clock: a Monday. Due dates below are counted from it by hand. */
const NOW = '2026-10-19T09:00:00Z';
const at = (iso: string) => Date.parse(iso) / 1000;

let t: TestServer;
let api: JsonApi;
let scraped: ReturnType<typeof samples>;
let rawBody: string;

async function file(company: string, type: string, receivedAt: string, email: string): Promise<string> {
  const res = await api(
    'POST',
    '/api/v1/requests',
    { company, type, email, receivedAt, sendCode: false },
    { 'idempotency-key': crypto.randomUUID() },
  );
  if (res.statusCode !== 201) throw new Error(`filing failed: ${res.statusCode} ${res.body}`);
  return res.json().requests[0].id;
}

async function act(id: string, action: string, body: object = {}) {
  const res = await api('POST', `/api/v1/requests/${id}/${action}`, body);
  if (res.statusCode !== 200) throw new Error(`${action} failed: ${res.statusCode} ${res.body}`);
}

/** Requests: two overdue, one due soon, one on track, one completed (the clock is NOW). */
async function requestsInSeveralStates() {
  // Due 2026-10-01 and 2026-10-02 at the latest (a month, or the promised 30 days): overdue on 2026-10-19.
  await file('provendo', 'access', '2026-09-01T09:00:00+02:00', 'overdue.one@example.org');
  const b = await file('nestit-sverige', 'access', '2026-09-02T09:00:00+02:00', 'overdue.two@example.org');
  await act(b, 'verify-manual', { note: 'ID seen' });
  // Due 2026-10-21 (a Wednesday): two days left, due soon (five days or fewer).
  await file('nestit-sverige', 'erasure', '2026-09-21T09:00:00+02:00', 'soon@example.org');
  // Due in November: on track.
  await file('provendo', 'access', '2026-10-15T09:00:00+02:00', 'on.track@example.org');
  // Completed: closed, counted by state only.
  const e = await file('provendo', 'access', '2026-10-12T09:00:00+02:00', 'done@example.org');
  await act(e, 'verify-manual', { note: 'ID seen' });
  await act(e, 'start');
  await act(e, 'complete', { outcome: 'Sent.' });
}

/** Three deliveries to a receiver that is down: one attempted (failing), one dead-lettered, one not tried. */
async function webhookDeliveries() {
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const port = (closed.address() as AddressInfo).port;
  await new Promise<void>((r) => closed.close(() => r()));
  const ep = await api('POST', '/api/v1/webhooks/endpoints', {
    url: `http://127.0.0.1:${port}/hook`,
    orgId: 'nestit-group',
    description: 'ESP (down)',
  });
  expect(ep.statusCode).toBe(201);
  for (const who of ['a', 'b', 'c']) await grantNewsletter(api, 'nestit-group', `${who}.news@example.org`);
  const ids = (
    await t.app.db.query<{ id: string }>('SELECT id FROM webhook_deliveries ORDER BY created_at, id')
  ).map((r) => r.id);
  expect(ids).toHaveLength(3);
  const keys = await consentKeys(t.app.db, t.app.config.secret, t.app.config.secretKeys);
  expect((await deliverOnce(t.app.db, keys, ids[0]!, t.app.now, 2000)).ok).toBe(false);
  await markDead(t.app.db, ids[1]!);
}

/** pg-boss on the app's database: three fulfilment jobs, one taken (active), one failed, one left queued. */
async function queuedJobs() {
  const boss = new PgBoss({ db: pgBossDb(t.app.db), schema: 'pgboss', supervise: false, schedule: false });
  await boss.start();
  await boss.createQueue(FULFILMENT_QUEUE, { name: FULFILMENT_QUEUE });
  const sent = [];
  // No retries: failed is failed (with retries left a failed job is queued again, state 'retry').
  for (let i = 0; i < 3; i++) sent.push(await boss.send(FULFILMENT_QUEUE, { n: i }, { retryLimit: 0 }));
  await boss.fail(FULFILMENT_QUEUE, sent[0]!, { reason: 'test' });
  const taken = await boss.fetch(FULFILMENT_QUEUE, { batchSize: 1 });
  expect(taken).toHaveLength(1);
  await boss.stop({ graceful: false, close: false, wait: true });
}

/** Retention as the runs and tasks tables hold it (rows written by hand, so every figure is known). */
async function retentionRecords() {
  const db = t.app.db;
  const run = (id: string, key: string | null, dry: boolean, status: string, times: string[]) =>
    db.query(
      `INSERT INTO retention_runs (id, run_key, today, dry_run, status, started_by, started_at, updated_at, finished_at)
       VALUES ($1, $2, $3, $4, $5, 'system:ombud', $6, $7, $8)`,
      [id, key, times[0]!.slice(0, 10), dry, status, times[0], times[1], status === 'done' ? times[1] : null],
    );
  await run('r-done', 'daily:2026-10-18', false, 'done', ['2026-10-18T01:15:00Z', '2026-10-18T01:16:40Z']);
  await run('r-failed', 'daily:2026-10-19', false, 'failed', [
    '2026-10-19T01:15:00Z',
    '2026-10-19T01:17:00Z',
  ]);
  await run('r-dry', null, true, 'done', ['2026-10-19T08:00:00Z', '2026-10-19T08:01:00Z']);
  const outcome = (
    runId: string,
    system: string,
    collection: string,
    rule: string,
    action: string,
    n: number,
  ) =>
    db.query(
      `INSERT INTO retention_outcomes (run_id, dataset, system, collection, rule, action, row_count)
       VALUES ($1, $2, $2, $3, $4, $5, $6)`,
      [runId, system, collection, rule, action, n],
    );
  await outcome('r-done', 'webshop', 'customers', 'order-data', 'delete', 7);
  await outcome('r-done', 'webshop', 'orders', 'order-data', 'anonymise', 3);
  await outcome('r-done', 'customer-service', 'tickets', 'support-cases', 'delete', 2);
  await outcome('r-dry', 'webshop', 'customers', 'order-data', 'delete', 99);
  const asked = (runId: string, status: string, deleted: number | null) =>
    db.query(
      `INSERT INTO retention_requests (run_id, system, rule, via, action, expired_before, status, deleted)
       VALUES ($1, 'newsletter-tool', 'marketing-profile', 'http', 'delete', '2024-10-18', $2, $3)`,
      [runId, status, deleted],
    );
  await asked('r-done', 'done', 4);
  await asked('r-failed', 'failed', null);
  await db.query(
    `INSERT INTO retention_steps (run_id, dataset, system, position, status) VALUES
       ('r-failed', 'webshop', 'webshop', 0, 'done'), ('r-failed', 'customer-service', 'customer-service', 1, 'failed')`,
  );
  const task = (id: string, period: string, due: string, status: string) =>
    db.query(
      `INSERT INTO retention_tasks (id, system, rule, period, action, expired_before, due_on, status, done_at)
       VALUES ($1, 'paper-archive', 'order-data', $2, 'delete', '2019-01-01', $3, $4, $5)`,
      [id, period, due, status, status === 'open' ? null : '2026-10-01T10:00:00Z'],
    );
  await task('t-overdue', '2026-09', '2026-10-10', 'open');
  await task('t-open', '2026-10', '2026-10-30', 'open');
  await task('t-done', '2026-08', '2026-09-10', 'done');
}

beforeAll(async () => {
  t = await startTestServer({ now: () => new Date(NOW) });
  api = jsonApi(() => ({
    server: t.server,
    origin: { cookie: t.cookie, origin: 'http://localhost', host: 'localhost' },
  }));
  await requestsInSeveralStates();
  await webhookDeliveries();
  await queuedJobs();
  await retentionRecords();
  expect((await api('GET', '/api/v1/audit/verify')).json().ok).toBe(true);
  // A page with a token in its path, and a path no route has.
  await t.server.inject('/privacy/preferences/tok_SECRET-IN-THE-URL-0123456789');
  await t.server.inject('/no/such/page?email=someone@example.org');
  const res = await t.server.inject('/metrics');
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toContain('text/plain');
  rawBody = res.body;
  scraped = samples(res.body);
}, 180_000);
afterAll(() => t?.close());

describe('/metrics on a running app', () => {
  test('requests by company and state, and the open ones against their due date: 2 overdue, 1 due soon', () => {
    expect(table(scraped, 'ombud_requests')).toEqual({
      'organization=nestit-sverige,state=received': 1,
      'organization=nestit-sverige,state=verified': 1,
      'organization=provendo,state=completed': 1,
      'organization=provendo,state=received': 2,
    });
    expect(table(scraped, 'ombud_requests_open')).toEqual({
      'due=awaiting-payment,organization=nestit-sverige': 0,
      'due=due-soon,organization=nestit-sverige': 1,
      'due=on-track,organization=nestit-sverige': 0,
      'due=overdue,organization=nestit-sverige': 1,
      'due=awaiting-payment,organization=provendo': 0,
      'due=due-soon,organization=provendo': 0,
      'due=on-track,organization=provendo': 1,
      'due=overdue,organization=provendo': 1,
    });
  });

  test('webhook deliveries: 2 pending (1 of them failing), 1 dead', () => {
    expect(table(scraped, 'ombud_webhook_deliveries')).toEqual({
      'organization=nestit-group,status=dead': 1,
      'organization=nestit-group,status=pending': 2,
    });
    expect(table(scraped, 'ombud_webhook_deliveries_failing')).toEqual({ 'organization=nestit-group': 1 });
    expect(single(scraped, 'ombud_webhook_oldest_pending_seconds')).toBeGreaterThanOrEqual(0);
  });

  test('the queues: fulfilment 1 queued, 1 active, 1 failed; the others empty', () => {
    expect(table(scraped, 'ombud_queue_jobs')).toEqual({
      'queue=ombud-fulfilment,state=queued': 1,
      'queue=ombud-fulfilment,state=active': 1,
      'queue=ombud-fulfilment,state=failed': 1,
      'queue=ombud-retention,state=queued': 0,
      'queue=ombud-retention,state=active': 0,
      'queue=ombud-retention,state=failed': 0,
    });
  });

  test('retention: the latest run failed (its failures named), the rows of the latest successful one; dry runs do not count', () => {
    expect(single(scraped, 'ombud_retention_last_run_timestamp_seconds')).toBe(at('2026-10-19T01:17:00Z'));
    expect(single(scraped, 'ombud_retention_last_run_failed')).toBe(1);
    expect(single(scraped, 'ombud_retention_last_success_timestamp_seconds')).toBe(
      at('2026-10-18T01:16:40Z'),
    );
    expect(table(scraped, 'ombud_retention_last_run_rows')).toEqual({
      'action=anonymise,rule=order-data,system=webshop': 3,
      'action=delete,rule=order-data,system=webshop': 7,
      'action=delete,rule=support-cases,system=customer-service': 2,
      'action=delete,rule=marketing-profile,system=newsletter-tool': 4,
    });
    expect(table(scraped, 'ombud_retention_last_run_failures')).toEqual({
      'rule=*,system=customer-service': 1,
      'rule=marketing-profile,system=newsletter-tool': 1,
    });
    expect(single(scraped, 'ombud_retention_tasks_open')).toBe(2);
    expect(single(scraped, 'ombud_retention_tasks_overdue')).toBe(1);
  });

  test("the audit chain's last verification: when (the app's clock) and that it passed", () => {
    expect(single(scraped, 'ombud_audit_last_verification_timestamp_seconds')).toBe(at(NOW));
    expect(single(scraped, 'ombud_audit_last_verification_ok')).toBe(1);
    expect(single(scraped, 'ombud_metrics_collect_success')).toBe(1);
  });

  test('HTTP requests by method, route pattern and status class, never the raw URL', () => {
    const requests = table(scraped, 'ombud_http_requests_total');
    // Five filings, and the actions on two of them.
    expect(requests['method=POST,route=/api/v1/requests,status_class=2xx']).toBe(5);
    expect(requests['method=POST,route=/api/v1/requests/:id/verify-manual,status_class=2xx']).toBe(2);
    expect(requests['method=GET,route=/privacy/preferences/:token,status_class=4xx']).toBe(1);
    expect(requests['method=GET,route=unmatched,status_class=4xx']).toBe(1);
    const hist = table(scraped, 'ombud_http_request_duration_seconds_count');
    expect(hist['method=POST,route=/api/v1/requests,status_class=2xx']).toBe(5);
    expect(rawBody).not.toContain('SECRET-IN-THE-URL');
    expect(rawBody).not.toContain('@example.org');
    // The process's own series are there too.
    expect(scraped.some((s) => s.name === 'process_cpu_user_seconds_total')).toBe(true);
  });
});

describe('who may scrape /metrics', () => {
  test('without OMBUD_METRICS_TOKEN: loopback only, never a request a proxy forwarded', async () => {
    expect((await t.server.inject({ url: '/metrics', remoteAddress: '::1' })).statusCode).toBe(200);
    const remote = await t.server.inject({ url: '/metrics', remoteAddress: '203.0.113.7' });
    expect(remote.statusCode).toBe(403);
    expect(remote.headers['content-type']).toContain('application/problem+json');
    expect(remote.json().detail).toContain('OMBUD_METRICS_TOKEN');
    for (const header of ['x-forwarded-for', 'forwarded', 'x-real-ip'])
      expect(
        (await t.server.inject({ url: '/metrics', headers: { [header]: '127.0.0.1' } })).statusCode,
      ).toBe(403);
  });

  test('with OMBUD_METRICS_TOKEN: its bearer only, from anywhere; a session or a wrong token is a 401', async () => {
    t.configure({ metricsToken: 'scrape-token-0123456789abcdef' });
    try {
      const ok = await t.server.inject({
        url: '/metrics',
        remoteAddress: '203.0.113.7',
        headers: { authorization: 'Bearer scrape-token-0123456789abcdef' },
      });
      expect(ok.statusCode).toBe(200);
      expect(ok.body).toContain('ombud_requests{');
      for (const headers of [
        {},
        { authorization: 'Bearer scrape-token-0123456789abcdeX' },
        { cookie: t.cookie },
      ]) {
        const res = await t.server.inject({ url: '/metrics', headers });
        expect(res.statusCode).toBe(401);
        expect(res.headers['www-authenticate']).toBe('Bearer realm="ombud-metrics"');
        expect(res.body).not.toContain('ombud_requests');
      }
    } finally {
      t.configure({ metricsToken: undefined });
    }
  });
});
