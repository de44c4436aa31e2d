/**
 * /console/retention: the next due work per rule (a preview that records nothing, with a chart), past
 * runs, and the run button; the API beside it; who may see and who may run.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { can, type Principal } from '../../src/core/policies/permissions.ts';
import { previewRetention } from '../../src/services/retention/previewRetention.ts';
import { RetentionWorker } from '../../src/services/retention/worker.ts';
import { SAME_ORIGIN, userWithRoles } from '../security/helpers.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { count, type RetentionSystems, retentionSystems } from './support.ts';
import { FORM } from '../support/http.ts';

describe('retention in the console', () => {
  let t: TestServer;
  let s: RetentionSystems;
  beforeAll(async () => {
    t = await startTestServer({
      kind: 'pglite',
      now: () => new Date('2026-11-25T10:00:00Z'),
      config: { secret: 'retention-console-test-0123456789abcdef' },
    });
    s = await retentionSystems({ customers: 40 });
    await RetentionWorker.start(t.app, t.workers, s, { catchUp: false, pollingIntervalSeconds: 1 });
  }, 120_000);
  afterAll(async () => {
    await t?.workers.retention?.stop();
    await t?.close();
    await s?.close();
  });

  test('P10 P12 the page shows what a run would do today per rule, with a chart, and changes nothing', async () => {
    const customers = await count(s.webshop, 'SELECT COUNT(*) AS n FROM customers');
    const page = await t.server.inject({
      method: 'GET',
      url: '/console/retention',
      headers: { cookie: t.cookie },
    });
    expect(page.statusCode).toBe(200);
    const preview = await previewRetention(
      await t.workers.retention!.deps({ kind: 'system', id: 'test' }),
      '2026-11-25',
    );
    const deleted = preview.outcomes
      .filter((o) => o.rule === 'order-data' && o.action === 'delete')
      .reduce((n, o) => n + o.rows, 0);
    expect(deleted).toBeGreaterThan(0);
    expect(page.body).toContain('<svg');
    expect(page.body).toContain('Rows per action on 2026-11-25');
    // The order-data row: its collections and the rows it would delete.
    expect(page.body).toMatch(
      new RegExp(
        `<td><strong>order-data</strong>.*?</td><td>[^<]*webshop: customers[^<]*</td><td>${deleted}</td>`,
      ),
    );
    // P12 P38 sign-ups are under the marketing-profile rule now, no longer listed as not swept.
    expect(page.body).toMatch(
      /<td><strong>marketing-profile<\/strong>.*?<\/td><td>[^<]*webshop: newsletter_signups/,
    );
    expect(page.body).not.toMatch(/No retention rule annotated \(not swept\):[^<]*newsletter_signups/);
    expect(page.body).toContain('Run now');
    expect(await count(s.webshop, 'SELECT COUNT(*) AS n FROM customers')).toBe(customers);
    const runs = await t.app.db.query('SELECT 1 FROM retention_runs');
    expect(runs).toEqual([]);
    // The API gives the same preview.
    const api = await t.server.inject({
      method: 'GET',
      url: '/api/v1/retention/preview?today=2026-11-25',
      headers: { cookie: t.cookie },
    });
    expect(api.json()).toEqual({ today: '2026-11-25', outcomes: preview.outcomes });
    const doc = (await t.server.inject('/api/openapi.json')).json() as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/retention/runs',
        '/api/v1/retention/runs/{id}',
        '/api/v1/retention/preview',
      ]),
    );
  });

  test('P12 the button runs a recorded dry run, then a run; both are listed with their counts', async () => {
    const dry = await t.server.inject({
      method: 'POST',
      url: '/console/retention/run',
      headers: { cookie: t.cookie, ...SAME_ORIGIN, ...FORM },
      payload: 'mode=dry-run',
    });
    expect(dry.statusCode).toBe(303);
    const location = String(dry.headers.location);
    expect(location).toMatch(/^\/console\/retention\/runs\/[0-9a-f-]{36}$/);
    const detail = await t.server.inject({ method: 'GET', url: location, headers: { cookie: t.cookie } });
    expect(detail.statusCode).toBe(200);
    expect(detail.body).toContain('Retention run 2026-11-25 (dry run)');
    expect(detail.body).toMatch(
      /<td>webshop<\/td><td>customers<\/td><td>order-data<\/td><td>Delete<\/td><td><\/td><td>\d+<\/td>/,
    );

    const customers = await count(s.webshop, 'SELECT COUNT(*) AS n FROM customers');
    const real = await t.server.inject({
      method: 'POST',
      url: '/console/retention/run',
      headers: { cookie: t.cookie, ...SAME_ORIGIN, ...FORM },
      payload: 'mode=run',
    });
    expect(real.statusCode).toBe(303);
    expect(await count(s.webshop, 'SELECT COUNT(*) AS n FROM customers')).toBeLessThan(customers);
    const list = await t.server.inject({
      method: 'GET',
      url: '/api/v1/retention/runs',
      headers: { cookie: t.cookie },
    });
    const { runs } = list.json() as {
      runs: { dryRun: boolean; status: string; totals: Record<string, number>; startedBy: string }[];
    };
    expect(runs.map((r) => [r.dryRun, r.status])).toEqual([
      [false, 'done'],
      [true, 'done'],
    ]);
    // The dry run predicted the run.
    expect(runs[0]!.totals).toEqual(runs[1]!.totals);
    expect(runs[0]!.startedBy).toMatch(/^user:/);
    const page = await t.server.inject({
      method: 'GET',
      url: '/console/retention',
      headers: { cookie: t.cookie },
    });
    expect(page.body).toContain('dry run');
    expect(page.body).toMatch(/Delete \d+/);
  });

  test('an auditor sees retention but cannot run it; a customer-service agent sees nothing; a run ahead of today is refused', async () => {
    const auditor = await userWithRoles(t.app, t.server, 'ret-auditor', [
      { orgId: 'nestit-group', role: 'auditor' },
    ]);
    const cs = await userWithRoles(t.app, t.server, 'ret-cs', [{ orgId: 'nestit-group', role: 'cs-agent' }]);
    expect(
      (
        await t.server.inject({
          method: 'GET',
          url: '/console/retention',
          headers: { cookie: auditor.cookie },
        })
      ).statusCode,
    ).toBe(200);
    const page = await t.server.inject({
      method: 'GET',
      url: '/console/retention',
      headers: { cookie: auditor.cookie },
    });
    expect(page.body).not.toContain('Run now');
    const post = await t.server.inject({
      method: 'POST',
      url: '/console/retention/run',
      headers: { cookie: auditor.cookie, ...SAME_ORIGIN, ...FORM },
      payload: 'mode=run',
    });
    expect(post.statusCode).toBe(403);
    expect(
      (
        await t.server.inject({
          method: 'GET',
          url: '/api/v1/retention/runs',
          headers: { cookie: cs.cookie },
        })
      ).statusCode,
    ).toBe(403);
    const ahead = await t.server.inject({
      method: 'POST',
      url: '/api/v1/retention/runs',
      headers: { cookie: t.cookie, ...SAME_ORIGIN },
      payload: { dryRun: false, today: '2099-01-01' },
    });
    expect(ahead.statusCode).toBe(422);
    expect(ahead.json()).toMatchObject({ code: 'retention-day-in-future' });
    const preview = await t.server.inject({
      method: 'POST',
      url: '/api/v1/retention/runs',
      headers: { cookie: t.cookie, ...SAME_ORIGIN },
      payload: { dryRun: true, today: '2099-01-01' },
    });
    expect(preview.statusCode).toBe(201);
    expect(preview.json()).toMatchObject({ today: '2099-01-01', dryRun: true, status: 'done' });
  });

  test('roles: privacy agents and owners run retention, auditors read it, others neither', () => {
    const user = (role: 'dpo' | 'privacy-agent' | 'cs-agent' | 'engineer' | 'auditor'): Principal => ({
      kind: 'user',
      userId: 'u',
      isOwner: false,
      roles: [{ orgId: 'nestit-group', role }],
    });
    const grid = (['dpo', 'privacy-agent', 'cs-agent', 'engineer', 'auditor'] as const).map((r) => [
      r,
      can(user(r), 'retention:read'),
      can(user(r), 'retention:run'),
    ]);
    expect(grid).toEqual([
      ['dpo', true, true],
      ['privacy-agent', true, true],
      ['cs-agent', false, false],
      ['engineer', false, false],
      ['auditor', true, false],
    ]);
  });
});
