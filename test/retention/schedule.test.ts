/**
 * The daily retention run on pg-boss (embedded PGlite and the PostgreSQL server), and `ombud retention
 * run` from the command line.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { type App, createApp } from '../../src/app.ts';
import { main } from '../../src/cli/main.ts';
import { loadConfig } from '../../src/config.ts';
import { DEMO_REGISTER_DIR } from '../../src/demo/loadDemo.ts';
import { SYSTEM_ACTOR } from '../../src/services/audit/auditLog.ts';
import { applyRegister } from '../../src/services/register/applyRegister.ts';
import { readRegisterSources } from '../../src/services/register/readRegisterDir.ts';
import type { RetentionRunResult } from '../../src/services/retention/runRetention.ts';
import { RETENTION_QUEUE, type RetentionSlot, RetentionWorker } from '../../src/services/retention/worker.ts';
import type { Db } from '../../src/storage/db.ts';
import { freshDb } from '../support/db.ts';
import { count, ombudServerDb, retentionSystems } from './support.ts';
import { TEST_AUDIT_KEYRING } from '../support/audit-keys.ts';
import { captureIo } from '../support/cli.ts';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function ombudApp(kind: 'pglite' | 'postgres', clock: { now: Date }): Promise<App> {
  let db: Db;
  if (kind === 'pglite') {
    db = await freshDb('pglite');
    cleanup.push(() => db.close());
  } else {
    const s = await ombudServerDb();
    db = s.db;
    cleanup.push(s.drop);
  }
  await applyRegister(db, SYSTEM_ACTOR, await readRegisterSources(DEMO_REGISTER_DIR));
  return createApp(
    db,
    { ...loadConfig({ LOG_LEVEL: 'silent' }), secret: 'retention-schedule-test-0123456789abcdef' },
    () => clock.now,
  );
}

async function until<T>(what: string, f: () => T | undefined, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.each(['pglite', 'postgres'] as const)('the daily retention run on pg-boss [%s]', (kind) => {
  test("P12 it is scheduled in the controller's time zone, survives a restart, and sweeps each day once", async () => {
    const clock = { now: new Date('2026-11-25T10:00:00Z') };
    const app = await ombudApp(kind, clock);
    const s = await retentionSystems({ customers: 30 });
    cleanup.push(s.close);
    const runs: RetentionRunResult[] = [];
    const opts = {
      pollingIntervalSeconds: 0.5,
      retryDelaySeconds: 1,
      onRun: (r: RetentionRunResult) => runs.push(r),
    };

    const workers: RetentionSlot = {};
    const w1 = await RetentionWorker.start(app, workers, s, opts);
    expect(workers.retention).toBe(w1);
    // The start found today's run not done and queued it.
    const first = await until('the first run', () => runs[0]);
    expect(first).toMatchObject({ today: '2026-11-25', status: 'done', alreadyDone: false });
    expect(first.outcomes.length).toBeGreaterThan(0);
    await w1.stop();

    // The schedule is stored in the database, in the group's time zone.
    const schedules = await app.db.query<{ name: string; cron: string; timezone: string }>(
      'SELECT name, cron, timezone FROM pgboss.schedule',
    );
    expect(schedules).toEqual([{ name: RETENTION_QUEUE, cron: '15 3 * * *', timezone: 'Europe/Stockholm' }]);

    // Restarted the same day: nothing is queued; the day's job arriving again sweeps nothing.
    const customers = await count(s.webshop, 'SELECT COUNT(*) AS n FROM customers');
    const w2 = await RetentionWorker.start(app, workers, s, opts);
    cleanup.push(() => w2.stop());
    expect(await w2.catchUp()).toBeNull();
    await w2.boss.send(RETENTION_QUEUE, {});
    const again = await until('the repeated job', () => runs[1]);
    expect(again).toMatchObject({ runId: first.runId, alreadyDone: true });
    expect(await count(s.webshop, 'SELECT COUNT(*) AS n FROM customers')).toBe(customers);

    // Past midnight in Stockholm (23:30 UTC) it is the next day there: a new daily run.
    clock.now = new Date('2026-11-25T23:30:00Z');
    expect(await w2.catchUp()).not.toBeNull();
    const next = await until('the next day', () => runs[2]);
    expect(next).toMatchObject({ today: '2026-11-26', alreadyDone: false, status: 'done' });
    const keys = await app.db.query<{ run_key: string }>(
      'SELECT run_key FROM retention_runs ORDER BY run_key',
    );
    expect(keys.map((k) => k.run_key)).toEqual(['daily:2026-11-25', 'daily:2026-11-26']);
  }, 180_000);
});

describe('ombud retention run', () => {
  const io = () => captureIo();

  test('P10 P12 a dry run with progress, a refusal to run ahead of today, a real run, and bad annotations at file:line:column', async () => {
    const o = await ombudServerDb();
    cleanup.push(o.drop);
    await applyRegister(o.db, SYSTEM_ACTOR, await readRegisterSources(DEMO_REGISTER_DIR));
    const s = await retentionSystems({ customers: 40 });
    cleanup.push(s.close);
    // The CLI against a server loads the server's audit keys (it never makes its own): the test key here.
    const before = { url: process.env.DATABASE_URL, keys: process.env.OMBUD_SECRET_KEYS };
    process.env.DATABASE_URL = o.url;
    process.env.OMBUD_SECRET_KEYS = TEST_AUDIT_KEYRING;
    cleanup.push(async () => {
      if (before.url === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = before.url;
      if (before.keys === undefined) delete process.env.OMBUD_SECRET_KEYS;
      else process.env.OMBUD_SECRET_KEYS = before.keys;
    });
    const conn = [
      '--connection',
      `nestit_webshop=${s.webshop.url}`,
      '--connection',
      `nestit_customer_service=${s.service.url}`,
    ];
    const customers = await count(s.webshop, 'SELECT COUNT(*) AS n FROM customers');

    const dry = io();
    expect(await main(['retention', 'run', '--dry-run', '--today', '2027-01-01', ...conn], dry.io)).toBe(0);
    const text = dry.out.join('\n');
    expect(text).toContain('[1/3] nestit_customer_service (customer-service-system)');
    expect(text).toContain('[2/3] nestit_webshop (webshop)');
    // Ombud's own data is the run's last step (nothing of it is due in these tests' database).
    expect(text).toContain('[3/3] ombud (ombud)');
    expect(text).toMatch(/ {2}customers: \d+ would be deleted \(order-data\)/);
    expect(text).toMatch(
      / {2}invoices: .*would be kept under a legal rule \(bookkeeping-se, after order-data\)/,
    );
    expect(text).toMatch(/Run [0-9a-f-]{36} \(dry run: nothing was changed\) for 2027-01-01: done\./);
    // The systems outside the SQL databases (no HTTP connector here): what the run would ask of each.
    expect(text).toContain('shipping (order-data): would get a manual task');
    expect(text).toContain(
      'Outside the SQL databases: would ask 0 requests through HTTP connectors; 16 manual task(s) would be opened, 0 already asked this month.',
    );
    expect(await count(s.webshop, 'SELECT COUNT(*) AS n FROM customers')).toBe(customers);

    // The same dry run for a script: one JSON document on stdout; progress went to the progress line.
    const json = io();
    expect(
      await main(['retention', 'run', '--dry-run', '--today', '2027-01-01', '--json', ...conn], json.io),
    ).toBe(0);
    expect(json.out).toHaveLength(1);
    const doc = JSON.parse(json.text());
    expect(doc).toMatchObject({ today: '2027-01-01', dryRun: true, status: 'done', alreadyDone: false });
    expect(doc.datasets.map((d: { dataset: string; status: string }) => [d.dataset, d.status])).toEqual([
      ['nestit_customer_service', 'done'],
      ['nestit_webshop', 'done'],
      ['ombud', 'done'],
    ]);
    expect(doc.datasets[1].outcomes).toContainEqual(
      expect.objectContaining({ collection: 'customers', action: 'delete', rule: 'order-data' }),
    );
    expect(doc.totals.delete).toBeGreaterThan(0);
    expect(json.progress).toContainEqual(
      expect.stringMatching(
        /^Sweeping \[1\/3\] nestit_customer_service \(customer-service-system\) … \d+ s$/,
      ),
    );
    expect(await count(s.webshop, 'SELECT COUNT(*) AS n FROM customers')).toBe(customers);

    const ahead = io();
    expect(await main(['retention', 'run', '--today', '2099-01-01', ...conn], ahead.io)).toBe(2);
    expect(ahead.err.join('\n')).toContain('is after today');

    const real = io();
    expect(await main(['retention', 'run', ...conn], real.io)).toBe(0);
    expect(real.out.join('\n')).toMatch(/committed in \d+ ms/);
    expect(real.out.join('\n')).toContain('16 manual task(s): 16 opened now, 0 already asked this month.');
    expect(await count(s.webshop, 'SELECT COUNT(*) AS n FROM customers')).toBeLessThan(customers);
    const runs = await o.db.query<{ dry_run: boolean; status: string; started_by: string }>(
      'SELECT dry_run, status, started_by FROM retention_runs ORDER BY started_at',
    );
    expect(runs.map((r) => [r.dry_run, r.status])).toEqual([
      [true, 'done'],
      [true, 'done'],
      [false, 'done'],
    ]);
    expect(runs[2]!.started_by).toMatch(/^cli:/);

    const dir = await mkdtemp(join(tmpdir(), 'retention-cli-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    await writeFile(
      join(dir, 'shop.yaml'),
      `dataset:
  - fides_key: nestit_webshop
    ombud: { system: webshop }
    collections:
      - name: customers
        ombud:
          retention: { purpose: { rule: order-data, trigger_field: last_seen_at } }
        fields:
          - { name: id, fides_meta: { primary_key: true } }
          - { name: email, data_categories: [user.contact.email], fides_meta: { identity: email } }
`,
    );
    const bad = io();
    expect(await main(['retention', 'run', '--datasets', dir, ...conn.slice(0, 2)], bad.io)).toBe(1);
    expect(bad.err[0]).toMatch(
      new RegExp(
        `^${dir}/shop\\.yaml:7:\\d+: error: nestit_webshop\\.customers: Column 'last_seen_at' is not an annotated field of 'customers'\\.`,
      ),
    );
    expect(bad.err.join('\n')).toContain('nothing was swept');
  }, 180_000);
});
