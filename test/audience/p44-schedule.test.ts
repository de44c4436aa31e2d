/**
 * P44 scheduled exports: each segment with a `schedule` in the register has a pg-boss schedule (stored in
 * the database) set at the audience worker's start and again when a new register revision is applied; its
 * job runs the export as system:scheduler at the app's injected clock. Ombud's database and the web shop
 * on the PostgreSQL server.
 */
import { afterEach, expect, test } from 'vitest';
import { createApp } from '../../src/app.ts';
import { cronOf } from '../../src/core/audience/schedule.ts';
import { loadConfig } from '../../src/config.ts';
import { DEMO_REGISTER_DIR } from '../../src/demo/loadDemo.ts';
import { SYSTEM_ACTOR } from '../../src/services/audit/auditLog.ts';
import type { AudienceExport } from '../../src/services/audience/exportSegment.ts';
import {
  type AudienceSlot,
  AudienceWorker,
  audienceExportQueue,
} from '../../src/services/audience/worker.ts';
import { applyRegister } from '../../src/services/register/applyRegister.ts';
import { readRegisterSources } from '../../src/services/register/readRegisterDir.ts';
import { freshDb } from '../support/db.ts';
import { nestitSystems } from '../support/nestit-systems.ts';

const NOW = new Date('2026-11-25T10:00:00Z');
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function until<T>(what: string, f: () => T | undefined, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('the words of a schedule stand for these crons (UTC)', () => {
  expect(cronOf('daily')).toBe('0 4 * * *');
  expect(cronOf('weekly')).toBe('0 4 * * 1');
  expect(cronOf('hourly')).toBe('0 * * * *');
  expect(cronOf('monthly')).toBe('0 4 1 * *');
  expect(cronOf(' 30  4 * * 1 ')).toBe('30 4 * * 1');
});

test('P44 each segment is scheduled on pg-boss as the register says; its job exports as system:scheduler at the injected clock; a new register revision reschedules', async () => {
  const db = await freshDb('postgres');
  cleanup.push(() => db.close());
  const sources = await readRegisterSources(DEMO_REGISTER_DIR);
  await applyRegister(db, SYSTEM_ACTOR, sources);
  let clock = NOW;
  const app = createApp(
    db,
    { ...loadConfig({ LOG_LEVEL: 'silent' }), secret: 'audience-schedule-test-0123456789abcdef01' },
    () => clock,
  );
  const s = await nestitSystems({ customers: 0, webshop: 'postgres' });
  cleanup.push(s.close);
  const w0 = s.webshop.connector;
  await w0.execute(
    `INSERT INTO customers (id, customer_number, email, country, created_at) VALUES (1, 'C1', 'anna@example.se', 'SE', '2024-01-01 00:00:00')`,
  );
  await w0.execute(
    `INSERT INTO accounts (id, customer_id, username, password_hash) VALUES (1, 1, 'u1', 'x')`,
  );
  await w0.execute(
    `INSERT INTO orders (id, customer_id, order_number, placed_at, total_cents) VALUES (1, 1, 'O1', '2026-11-01 12:00:00', 100)`,
  );

  const exports: AudienceExport[] = [];
  const slot: AudienceSlot = {};
  const w = await AudienceWorker.start(
    app,
    slot,
    { datasets: s.datasets, connectors: s.connectors },
    {
      pollingIntervalSeconds: 0.5,
      retryDelaySeconds: 1,
      syncSeconds: 0,
      onExports: (what, e) => {
        if (what === 'scheduled') exports.push(...e);
      },
    },
  );
  cleanup.push(() => w.stop());
  const schedules = () =>
    db.query<{ name: string; cron: string; timezone: string }>(
      `SELECT name, cron, timezone FROM pgboss.schedule WHERE name LIKE 'ombud-audience-export.%' ORDER BY name`,
    );
  // The demo register's schedules (examples/nestit/register/audiences.yaml), by hand.
  expect(await schedules()).toEqual([
    {
      name: 'ombud-audience-export.nestit-sverige.recent-buyers-se-google',
      cron: '0 4 * * 1',
      timezone: 'UTC',
    },
    {
      name: 'ombud-audience-export.nestit-sverige.recent-buyers-se-meta',
      cron: '30 4 * * 1',
      timezone: 'UTC',
    },
    { name: 'ombud-audience-export.provendo.account-holders-no-google', cron: '0 5 * * 1', timezone: 'UTC' },
  ]);

  // The job pg-boss sends on the cron, sent here: the worker runs the export at the injected clock.
  clock = new Date('2026-11-30T04:00:00Z');
  await w.boss.send(audienceExportQueue('nestit-sverige', 'recent-buyers-se-google'), {
    orgId: 'nestit-sverige',
    segmentId: 'recent-buyers-se-google',
  });
  const e = await until('the scheduled export', () => exports[0]);
  expect(e).toMatchObject({
    segmentId: 'recent-buyers-se-google',
    kind: 'scheduled',
    createdBy: 'system:scheduler',
    createdAt: '2026-11-30T04:00:00.000Z',
    members: 1,
    added: 1,
    removed: 0,
  });
  const audit = await db.query<{ actor: string; action: string }>(
    `SELECT actor, action FROM audit_log WHERE action = 'audience.export'`,
  );
  expect(audit).toEqual([{ actor: 'system:scheduler', action: 'audience.export' }]);

  // A new revision: Google's segment daily, Meta's without a schedule (exported by hand only).
  const changed = sources.map((f) =>
    f.path.endsWith('audiences.yaml')
      ? {
          ...f,
          text: f.text
            .replace('schedule: "0 4 * * 1"', 'schedule: daily')
            .replace('    schedule: "30 4 * * 1"\n', ''),
        }
      : f,
  );
  await applyRegister(db, SYSTEM_ACTOR, changed);
  await w.syncSchedules();
  expect(await schedules()).toEqual([
    {
      name: 'ombud-audience-export.nestit-sverige.recent-buyers-se-google',
      cron: '0 4 * * *',
      timezone: 'UTC',
    },
    { name: 'ombud-audience-export.provendo.account-holders-no-google', cron: '0 5 * * 1', timezone: 'UTC' },
  ]);
}, 120_000);
