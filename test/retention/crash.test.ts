/**
 * A retention run that stops midway resumes correctly: each database is swept in one transaction, and
 * the database records the sweep in that same transaction, so a resumed run neither repeats nor loses a
 * database's work, and records exactly the counts of a run that never stopped.
 */
import { spawn } from 'node:child_process';
import { afterAll, expect, test } from 'vitest';
import { prng } from '../../src/demo/systems/seed.ts';
import { runRetention, storedOutcomes } from '../../src/services/retention/runRetention.ts';
import type { Db } from '../../src/storage/db.ts';
import { ombudServerDb, retentionDeps, retentionSystems, snapshot } from './support.ts';

const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const f of cleanup.reverse()) await f();
});

const TODAY = '2026-11-25';
const byKey = (os: { dataset: string; collection: string; rule: string; action: string; detail: string }[]) =>
  [...os].sort((a, b) =>
    `${a.dataset}.${a.collection}.${a.rule}.${a.action}.${a.detail}`.localeCompare(
      `${b.dataset}.${b.collection}.${b.rule}.${b.action}.${b.detail}`,
    ),
  );

/** Ombud's database, failing the first time the web shop's outcome is recorded (after its sweep committed). */
function failingOnce(db: Db): Db {
  let failed = false;
  const wrap = (d: Db): Db => ({
    kind: d.kind,
    query: async (sql, params) => {
      if (!failed && sql.startsWith('INSERT INTO retention_outcomes') && params?.[1] === 'nestit_webshop') {
        failed = true;
        throw new Error('connection to Ombud lost');
      }
      return d.query(sql, params);
    },
    exec: (sql) => d.exec(sql),
    transaction: (fn) => d.transaction((tx) => fn(wrap(tx))),
    lock: (name, fn) => d.lock(name, fn),
    tryLock: (name, fn) => d.tryLock(name, fn),
    close: () => d.close(),
  });
  return wrap(db);
}

test('P12 a run that fails after a database committed resumes without sweeping it again, and records what it did', async () => {
  const crashed = await retentionSystems({ customers: 60 });
  const control = await retentionSystems({ customers: 60 });
  cleanup.push(crashed.close, control.close);
  const cd = await retentionDeps(control);
  const d = await retentionDeps(crashed);
  cleanup.push(
    () => cd.db.close(),
    () => d.db.close(),
  );
  const expected = await runRetention(cd, { today: TODAY });

  const first = await runRetention({ ...d, db: failingOnce(d.db) }, { today: TODAY });
  expect(first.status).toBe('failed');
  expect(first.steps.find((s) => s.dataset === 'nestit_webshop')).toMatchObject({ status: 'failed' });
  // The web shop's sweep itself committed: its data is already as the control's.
  expect(await snapshot(crashed.webshop)).toEqual(await snapshot(control.webshop));

  const resumed = await runRetention(d, { today: TODAY });
  expect(resumed.runId).toBe(first.runId);
  expect(resumed.status).toBe('done');
  expect(resumed.steps.find((s) => s.dataset === 'nestit_webshop')).toMatchObject({
    status: 'done',
    recovered: true,
  });
  expect(byKey(resumed.outcomes)).toEqual(byKey(expected.outcomes));
  expect(await snapshot(crashed.webshop)).toEqual(await snapshot(control.webshop));
  expect(await snapshot(crashed.service)).toEqual(await snapshot(control.service));
  const [run] = await d.db.query<{ attempts: number; status: string }>(
    'SELECT attempts, status FROM retention_runs WHERE id = $1',
    [first.runId],
  );
  expect(run).toEqual({ attempts: 2, status: 'done' });
}, 180_000);

function runWorker(env: Record<string, string>, kill?: { afterLines: number; afterMs: number }) {
  return new Promise<'finished' | 'killed'>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/retention/crash-worker.ts'], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let lines = 0;
    let timer: NodeJS.Timeout | undefined;
    child.stdout.on('data', (b) => {
      lines += String(b).split('\n').filter(Boolean).length;
      if (kill && !timer && lines >= kill.afterLines)
        timer = setTimeout(() => child.kill('SIGKILL'), kill.afterMs);
    });
    let err = '';
    child.stderr.on('data', (b) => {
      err += String(b);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL') resolve('killed');
      else if (code === 0) resolve('finished');
      else reject(new Error(`worker exited ${code}: ${err.slice(-800)}`));
    });
  });
}

test('P12 P14 a run killed at random points ends with the same databases and the same recorded counts as one never killed', async () => {
  const crashed = await retentionSystems({ customers: 200 });
  const control = await retentionSystems({ customers: 200 });
  cleanup.push(crashed.close, control.close);
  const ombud = await ombudServerDb();
  cleanup.push(ombud.drop);
  const cd = await retentionDeps(control);
  cleanup.push(() => cd.db.close());
  const expected = await runRetention(cd, { today: TODAY });

  const env = {
    RET_OMBUD_URL: ombud.url,
    RET_WEBSHOP_URL: crashed.webshop.url,
    RET_SERVICE_URL: crashed.service.url,
    RET_TODAY: TODAY,
  };
  const rand = prng(11);
  let kills = 0;
  for (let i = 0; i < 30; i++) {
    // Kill after 1–12 progress lines (anywhere from the first database to the last collection), 0–60 ms on.
    const outcome = await runWorker(
      env,
      i < 6 ? { afterLines: 1 + Math.floor(rand() * 12), afterMs: Math.floor(rand() * 60) } : undefined,
    );
    if (outcome === 'finished') break;
    kills++;
  }
  expect(kills).toBeGreaterThan(0);
  expect(await snapshot(crashed.webshop)).toEqual(await snapshot(control.webshop));
  expect(await snapshot(crashed.service)).toEqual(await snapshot(control.service));
  const runs = await ombud.db.query<{ id: string; status: string; attempts: number }>(
    'SELECT id, status, attempts FROM retention_runs ORDER BY started_at',
  );
  // One run, resumed after each kill; a kill after it was done leaves the next start a run with nothing to do.
  expect(runs.every((r) => r.status === 'done')).toBe(true);
  // It was really resumed: at least one kill fell inside it.
  expect(runs[0]!.attempts).toBeGreaterThan(1);
  expect(byKey(await storedOutcomes(ombud.db, runs[0]!.id))).toEqual(byKey(expected.outcomes));
  for (const later of runs.slice(1))
    expect(
      (await storedOutcomes(ombud.db, later.id)).filter((o) => !['held', 'blocked'].includes(o.action)),
    ).toEqual([]);
}, 300_000);
