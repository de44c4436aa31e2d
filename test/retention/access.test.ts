/**
 * P21 retention runs are group-wide: a run sweeps the databases every company shares, so starting one
 * needs retention:run in every company of the group, and seeing runs or the preview retention:read in
 * every company. A Provendo-only DPO (and a Provendo-only key) is refused and no run is recorded; a person
 * who is DPO in every company (not a group owner) runs it. Expectations are written by hand.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createApiKey } from '../../src/services/apikeys/apiKeys.ts';
import { SYSTEM_ACTOR } from '../../src/services/audit/auditLog.ts';
import { RetentionWorker } from '../../src/services/retention/worker.ts';
import { SAME_ORIGIN, userWithRoles } from '../security/helpers.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { count, type RetentionSystems, retentionSystems } from './support.ts';
import { FORM } from '../support/http.ts';

const COMPANIES = ['nestit-group', 'nestit-sverige', 'bokhylla', 'provendo'];

describe('P21 retention runs need the role in every company', () => {
  let t: TestServer;
  let s: RetentionSystems;
  let proDpo: Record<string, string>;
  let allDpo: Record<string, string>;
  let threeDpo: Record<string, string>;
  let proKey: Record<string, string>;
  const runs = async () => (await t.app.db.query('SELECT id FROM retention_runs')).length;

  beforeAll(async () => {
    t = await startTestServer({
      kind: 'pglite',
      now: () => new Date('2026-11-25T10:00:00Z'),
      config: { secret: 'retention-access-test-0123456789abcdef' },
    });
    s = await retentionSystems({ customers: 30 });
    await RetentionWorker.start(t.app, t.workers, s, { catchUp: false, pollingIntervalSeconds: 1 });
    const pro = await userWithRoles(t.app, t.server, 'ret-pro-dpo', [{ orgId: 'provendo', role: 'dpo' }]);
    proDpo = { cookie: pro.cookie, ...SAME_ORIGIN };
    const all = await userWithRoles(
      t.app,
      t.server,
      'ret-all-dpo',
      COMPANIES.map((orgId) => ({ orgId, role: 'dpo' as const })),
    );
    allDpo = { cookie: all.cookie, ...SAME_ORIGIN };
    const three = await userWithRoles(
      t.app,
      t.server,
      'ret-three-dpo',
      ['nestit-group', 'nestit-sverige', 'provendo'].map((orgId) => ({
        orgId,
        role: 'privacy-agent' as const,
      })),
    );
    threeDpo = { cookie: three.cookie, ...SAME_ORIGIN };
    const { key } = await createApiKey(t.app.db, SYSTEM_ACTOR, {
      name: 'provendo retention',
      orgIds: ['provendo'],
      permissions: ['retention:read', 'retention:run'],
    });
    proKey = { authorization: `Bearer ${key}` };
  }, 120_000);
  afterAll(async () => {
    await t?.workers.retention?.stop();
    await t?.close();
    await s?.close();
  });

  test('P21 a Provendo-only DPO or key cannot start a run (API or console), and no run row is created', async () => {
    const customers = await count(s.webshop, 'SELECT COUNT(*) AS n FROM customers');
    expect(await runs()).toBe(0);
    for (const [who, headers] of [
      ['provendo dpo', proDpo],
      ['provendo key', proKey],
      ['privacy agent at three of four', threeDpo],
    ] as const) {
      for (const payload of [{ dryRun: false }, { dryRun: true }]) {
        const res = await t.server.inject({
          method: 'POST',
          url: '/api/v1/retention/runs',
          headers,
          payload,
        });
        expect(res.statusCode, `${who} ${JSON.stringify(payload)}`).toBe(403);
        expect(res.json().code).toBe('forbidden');
      }
    }
    for (const mode of ['run', 'dry-run']) {
      const res = await t.server.inject({
        method: 'POST',
        url: '/console/retention/run',
        headers: { ...proDpo, ...FORM },
        payload: `mode=${mode}`,
      });
      expect(res.statusCode).toBe(403);
    }
    // A day ahead would be 422 for someone allowed; the refused caller is told 403 first.
    const ahead = await t.server.inject({
      method: 'POST',
      url: '/api/v1/retention/runs',
      headers: proDpo,
      payload: { dryRun: false, today: '2099-01-01' },
    });
    expect(ahead.statusCode).toBe(403);
    expect(await runs()).toBe(0);
    expect(await count(s.webshop, 'SELECT COUNT(*) AS n FROM customers')).toBe(customers);
    const audited = await t.app.db.query("SELECT 1 FROM audit_log WHERE action LIKE 'retention.%'");
    expect(audited).toEqual([]);
  });

  test('P21 the Provendo-only DPO sees no Run button, no preview and no group-wide runs', async () => {
    const page = await t.server.inject({ method: 'GET', url: '/console/retention', headers: proDpo });
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('Run now');
    expect(page.body).not.toContain('Dry run now');
    expect(page.body).not.toContain('action="/console/retention/run"');
    expect(page.body).not.toContain('<svg');
    expect(page.body).toContain('id="retention-group-wide"');
    const preview = await t.server.inject({
      method: 'GET',
      url: '/api/v1/retention/preview',
      headers: proDpo,
    });
    expect(preview.statusCode).toBe(403);
    expect(
      (await t.server.inject({ method: 'GET', url: '/api/v1/retention/preview', headers: proKey }))
        .statusCode,
    ).toBe(403);
  });

  test('P21 a DPO of every company (not an owner) runs retention; the run is then hidden from the Provendo-only DPO', async () => {
    const page = await t.server.inject({ method: 'GET', url: '/console/retention', headers: allDpo });
    expect(page.body).toContain('Run now');
    expect(page.body).toContain('<svg');
    const res = await t.server.inject({
      method: 'POST',
      url: '/api/v1/retention/runs',
      headers: allDpo,
      payload: { dryRun: true },
    });
    expect(res.statusCode).toBe(201);
    const runId = res.json().runId as string;
    expect(await runs()).toBe(1);
    const [row] = await t.app.db.query<{ started_by: string }>(
      'SELECT started_by FROM retention_runs WHERE id = $1',
      [runId],
    );
    expect(row!.started_by).toMatch(/^user:/);
    const form = await t.server.inject({
      method: 'POST',
      url: '/console/retention/run',
      headers: { ...allDpo, ...FORM },
      payload: 'mode=dry-run',
    });
    expect(form.statusCode).toBe(303);
    expect(await runs()).toBe(2);

    // The one who ran sees the runs; the Provendo-only DPO and key do not.
    const mine = await t.server.inject({ method: 'GET', url: '/api/v1/retention/runs', headers: allDpo });
    expect((mine.json() as { runs: unknown[] }).runs).toHaveLength(2);
    expect(
      (await t.server.inject({ method: 'GET', url: `/api/v1/retention/runs/${runId}`, headers: allDpo }))
        .statusCode,
    ).toBe(200);
    for (const headers of [proDpo, proKey]) {
      const list = await t.server.inject({ method: 'GET', url: '/api/v1/retention/runs', headers });
      expect(list.statusCode).toBe(200);
      expect(list.json()).toEqual({ runs: [] });
      const one = await t.server.inject({ method: 'GET', url: `/api/v1/retention/runs/${runId}`, headers });
      expect(one.statusCode).toBe(404);
      expect(one.body).not.toContain('webshop');
    }
    const detail = await t.server.inject({
      method: 'GET',
      url: `/console/retention/runs/${runId}`,
      headers: proDpo,
    });
    expect(detail.statusCode).toBe(404);
    const listPage = await t.server.inject({ method: 'GET', url: '/console/retention', headers: proDpo });
    expect(listPage.body).not.toContain(runId);
  });
});
