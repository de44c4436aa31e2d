/**
 * The crash test: a worker erasing a batch of customers is killed (SIGKILL) at random points and restarted
 * until it finishes; the final databases must equal those of a run without crashes — nothing missed,
 * nothing erased that was to be kept. Web shop on PostgreSQL, customer service on MariaDB.
 */
import { OWN_MIGRATIONS_TABLE } from '../../src/core/fulfilment/own-tables.ts';
import { spawn } from 'node:child_process';
import { afterAll, expect, test } from 'vitest';
import { prng } from '../../src/demo/systems/seed.ts';
import { openPostgres } from '../../src/storage/postgres.ts';
import { migratedServerDb } from '../support/db.ts';
import { type NestitSystems, nestitSystems } from '../support/nestit-systems.ts';
import type { SystemDb } from '../support/systems.ts';

const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const f of cleanup.reverse()) await f();
});

async function ombudDb(): Promise<string> {
  const { url, db, drop } = await migratedServerDb('ombud_crash', 1);
  await db.close();
  cleanup.push(drop);
  return url;
}

/** Run the worker; with `kill`, SIGKILL it `afterMs` after its `afterDone`-th finished request of this run. */
function runWorker(
  env: Record<string, string>,
  kill?: { afterDone: number; afterMs: number },
): Promise<'finished' | 'killed'> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/fulfilment/crash-worker.ts'], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // Kills are placed by progress, not by the clock, so they land inside the batch however slow the machine is.
    let done = 0;
    let timer: NodeJS.Timeout | undefined;
    child.stdout.on('data', (d) => {
      done += (String(d).match(/^done /gm) ?? []).length;
      if (kill && !timer && done >= kill.afterDone)
        timer = setTimeout(() => child.kill('SIGKILL'), kill.afterMs);
    });
    let err = '';
    child.stderr.on('data', (d) => {
      err += String(d);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL') resolve('killed');
      else if (code === 0) resolve('finished');
      else reject(new Error(`worker exited ${code}: ${err.slice(-500)}`));
    });
  });
}

async function snapshot(sys: SystemDb): Promise<Record<string, unknown[]>> {
  const c = sys.connector;
  const schema = await c.describe();
  const out: Record<string, unknown[]> = {};
  // Not the record of which versions of Ombud's tables ran here (its times differ from run to run).
  for (const t of schema.tables.filter((x) => x !== OWN_MIGRATIONS_TABLE)) {
    const cols = schema.columns.filter((x) => x.table === t).map((x) => x.column);
    const rows = await c.query(
      `SELECT * FROM ${c.quote(t)} ORDER BY ${cols.map((x) => c.quote(x)).join(', ')}`,
    );
    out[t] = rows.map((r) => JSON.parse(JSON.stringify(r)));
  }
  return out;
}

test('P28 P14 a worker killed at random points during a batch of erasures ends with the same databases as one never killed', async () => {
  const crashed: NestitSystems = await nestitSystems({ customers: 150 });
  const control: NestitSystems = await nestitSystems({ customers: 150 });
  cleanup.push(crashed.close, control.close);
  const batch = Array.from({ length: 25 }, (_, i) => `C${String(3 + i * 5).padStart(7, '0')}`);
  const envFor = async (s: NestitSystems) => ({
    CRASH_OMBUD_URL: await ombudDb(),
    CRASH_WEBSHOP_URL: s.webshop.url,
    CRASH_SERVICE_URL: s.service.url,
    CRASH_CUSTOMERS: JSON.stringify(batch),
  });

  expect(await runWorker(await envFor(control))).toBe('finished');

  const env = await envFor(crashed);
  const rand = prng(7);
  let kills = 0;
  const doneAtKill: number[] = [];
  for (let i = 0; i < 40; i++) {
    // Kill somewhere inside the next request or two: after 1–3 finished requests, 0–80 ms into the next.
    const outcome = await runWorker(
      env,
      i < 8 ? { afterDone: 1 + Math.floor(rand() * 3), afterMs: Math.floor(rand() * 80) } : undefined,
    );
    if (outcome === 'finished') break;
    kills++;
    const db = await openPostgres(env.CRASH_OMBUD_URL, 1);
    const [row] = await db.query<{ n: number }>(
      "SELECT COUNT(*)::int AS n FROM fulfilment_runs WHERE status = 'done'",
    );
    await db.close();
    doneAtKill.push(row!.n);
  }
  expect(kills).toBeGreaterThan(0);
  // At least one kill fell in the middle of the batch (some requests done, others not).
  expect(doneAtKill.some((n) => n > 0 && n < batch.length)).toBe(true);

  const [a, b] = [await snapshot(crashed.webshop), await snapshot(control.webshop)];
  expect(a).toEqual(b);
  expect(await snapshot(crashed.service)).toEqual(await snapshot(control.service));
  // And the work was really done: the batch is gone except the invoices, which are kept and restricted.
  expect(a.customers!.length).toBe(150 - batch.length);
  const kept = (a.invoices as { customer_number: string; restricted: boolean }[]).filter((r) =>
    batch.includes(r.customer_number),
  );
  expect(kept.length).toBeGreaterThan(0);
  expect(kept.every((r) => r.restricted)).toBe(true);
}, 300_000);
