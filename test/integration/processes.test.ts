/**
 * Ombud as several processes on one PostgreSQL server database (`ombud start --role`, docs/deploy.md): two
 * API processes and two workers, each a real `node bin/ombud.mjs start`, with the demo systems on the same
 * server. A batch of erasures is filed, verified (the code from the test's own SMTP server) and approved
 * through the APIs while no worker runs. The test then holds a lock on the web shop's tables (all but
 * `customers`, in SHARE mode: reads go on, changes wait), starts the workers, and waits until one of them
 * is inside the daily retention run (customer service swept, the web shop waiting) and inside two erasures
 * (customer service erased, the web shop waiting), and kills that worker with SIGKILL. Once the lock is
 * let go, the other worker finishes its own jobs and, after the killed worker's jobs time out, those too.
 *
 * It shows every request carried out exactly once (one record and one audit entry per step, one
 * completion, one completion mail; the customers gone, their invoices kept and restricted), the day's
 * retention run done exactly once (one run, resumed once, one sweep per database), and both APIs
 * answering throughout (health and a list read, polled the whole time: no failure).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, expect, test } from 'vitest';
import { createOmbudClient } from '../../src/client/index.ts';
import { demoDatabaseName } from '../../src/demo/systems/embedded.ts';
import { createApiKey } from '../../src/services/apikeys/apiKeys.ts';
import { SYSTEM_ACTOR } from '../../src/services/audit/auditLog.ts';
import { openPostgres } from '../../src/storage/postgres.ts';
import type { Db } from '../../src/storage/db.ts';
import { codeIn, startSmtp } from '../requests/support.ts';
import { TEST_AUDIT_KEYRING } from '../support/audit-keys.ts';
import { KEY_PERMISSIONS, type TestClient } from '../support/client.ts';
import { pgAdmin, serverDatabase } from '../support/db.ts';

const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const f of cleanup.reverse()) await f().catch(() => {});
});

/** The demo group's companies (examples/nestit/register/organizations.yaml). */
const COMPANIES = ['nestit-group', 'nestit-sverige', 'bokhylla', 'provendo'];
/** A job is taken as lost this long after it started (OMBUD_JOB_TIMEOUT_SECONDS). */
const JOB_TIMEOUT_S = 20;
const ERASURES = 6;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Poll `check` until it answers something (not undefined); fail with `what` after `ms`. */
async function until<T>(what: string, ms: number, check: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(250);
  }
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

type Proc = { name: string; child: ChildProcess; output: () => string; exited: Promise<unknown> };

/** `ombud start --role ROLE` as a process of its own; its connections carry its name (application_name). */
function startOmbud(name: string, role: 'api' | 'worker', env: Record<string, string>): Proc {
  const url = new URL(env.DATABASE_URL!);
  url.searchParams.set('application_name', name);
  const child = spawn(process.execPath, ['bin/ombud.mjs', 'start', '--role', role], {
    env: { ...process.env, ...env, DATABASE_URL: url.toString() },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (b) => {
    out += String(b);
  });
  child.stderr!.on('data', (b) => {
    out += String(b);
  });
  const exited = new Promise((r) => child.once('exit', r));
  cleanup.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  return { name, child, output: () => out, exited };
}

/** Wait for a line in the process's output; a process that exits first fails the test with its output. */
const waitForOutput = (p: Proc, re: RegExp, ms = 90_000) =>
  until(`${p.name}: ${re}`, ms, async () => {
    if (p.child.exitCode !== null) throw new Error(`${p.name} exited ${p.child.exitCode}:\n${p.output()}`);
    return re.test(p.output()) ? true : undefined;
  }).catch((err: Error) => {
    throw new Error(`${err.message}\n${p.name} said:\n${p.output().slice(-2000)}`);
  });

/** Health and a list read on each API, every 200 ms until stopped: every answer counted, every failure kept. */
function pollApis(bases: string[], apiKey: string) {
  const ok = new Map(bases.map((b) => [b, [] as number[]]));
  const failures: string[] = [];
  let running = true;
  const loop = async (base: string) => {
    while (running) {
      for (const path of ['/healthz', '/api/v1/requests']) {
        try {
          const res = await fetch(base + path, { headers: { authorization: `Bearer ${apiKey}` } });
          await res.arrayBuffer();
          if (res.ok) ok.get(base)!.push(Date.now());
          else failures.push(`${base}${path}: ${res.status}`);
        } catch (err) {
          failures.push(`${base}${path}: ${(err as Error).message}`);
        }
      }
      await sleep(200);
    }
  };
  const loops = bases.map(loop);
  return {
    ok,
    failures,
    stop: async () => {
      running = false;
      await Promise.all(loops);
    },
  };
}

/** Connections of each process (by application_name) waiting for a lock in a database. */
async function lockWaits(admin: pg.Client, database: string): Promise<Record<string, number>> {
  const { rows } = await admin.query<{ app: string; n: number }>(
    `SELECT application_name AS app, count(*)::int AS n FROM pg_stat_activity
      WHERE datname = $1 AND wait_event_type = 'Lock' GROUP BY 1`,
    [database],
  );
  return Object.fromEntries(rows.map((r) => [r.app, r.n]));
}

test('P14 two API and two worker processes on one PostgreSQL: a worker killed inside erasures and the daily retention run; every job finishes exactly once and both APIs answer throughout', async () => {
  const smtp = await startSmtp();
  cleanup.push(smtp.close);
  const ombud = await serverDatabase('ombud_procs');
  const dbName = new URL(ombud.url).pathname.slice(1);
  const demoDb = (system: 'webshop' | 'customer-service') => {
    const u = new URL(ombud.url);
    u.pathname = `/${demoDatabaseName(dbName, system)}`;
    return { name: demoDatabaseName(dbName, system), url: u.toString() };
  };
  const admin = new pg.Client({ connectionString: ombud.url });
  await admin.connect();
  cleanup.push(async () => {
    await admin.end();
    await ombud.drop();
    for (const s of ['webshop', 'customer-service'] as const)
      await pgAdmin(`DROP DATABASE IF EXISTS ${demoDb(s).name} WITH (FORCE)`);
  });
  const dataDir = await mkdtemp(join(tmpdir(), 'ombud-procs-'));
  cleanup.push(() => rm(dataDir, { recursive: true, force: true }));
  const ports = [await freePort(), await freePort()];
  const bases = ports.map((p) => `http://127.0.0.1:${p}`);
  const env: Record<string, string> = {
    DATABASE_URL: ombud.url,
    OMBUD_DATA_DIR: dataDir,
    OMBUD_SECRET: 'p'.repeat(64),
    // One keyring for every process (and this test, which appends the API key's audit entry with it).
    OMBUD_SECRET_KEYS: TEST_AUDIT_KEYRING,
    OMBUD_PUBLIC_URL: bases[0]!,
    SMTP_URL: smtp.url,
    MAIL_FROM: 'NestIT privacy <privacy@nestit.example>',
    OMBUD_CHROMIUM: join(dataDir, 'no-chromium'),
    LOG_LEVEL: 'warn',
    OMBUD_JOB_TIMEOUT_SECONDS: String(JOB_TIMEOUT_S),
    OMBUD_QUEUE_MAINTENANCE_SECONDS: '2',
    OMBUD_RETENTION_RETRY_SECONDS: '1',
    OMBUD_PUBLIC_RATE_LIMIT: '100000',
    OMBUD_REQUEST_FORM_LIMIT: '1000',
    OMBUD_REQUEST_RECIPIENT_LIMIT: '1000',
    OMBUD_VERIFY_LIMIT: '1000',
    HOST: '127.0.0.1',
  };

  // Two API processes start at the same moment: one loads the demo and seeds its systems, the other finds them.
  const apis = ports.map((port, i) =>
    startOmbud(`ombud-api-${i + 1}`, 'api', { ...env, PORT: String(port) }),
  );
  for (const p of apis) await waitForOutput(p, /Health {2,}http/);
  const db: Db = await openPostgres(ombud.url, 2);
  cleanup.push(() => db.close());
  const { key } = await createApiKey(db, SYSTEM_ACTOR, {
    name: 'processes test',
    orgIds: COMPANIES,
    permissions: [...KEY_PERMISSIONS],
  });
  const clients: TestClient[] = bases.map((baseUrl) => createOmbudClient({ baseUrl, apiKey: key }));
  const poll = pollApis(bases, key);
  cleanup.push(poll.stop);

  // The customers to erase: the web shop's most recently active ones with invoices of NestIT Sverige.
  const webshop = new pg.Client({ connectionString: demoDb('webshop').url });
  await webshop.connect();
  cleanup.push(() => webshop.end());
  const service = new pg.Client({ connectionString: demoDb('customer-service').url });
  await service.connect();
  cleanup.push(() => service.end());
  const { rows: customers } = await webshop.query<{ customer_number: string; email: string }>(
    `SELECT c.customer_number, c.email FROM customers c
      WHERE EXISTS (SELECT 1 FROM invoices i WHERE i.customer_number = c.customer_number AND i.seller_org = 'nestit-sverige')
      ORDER BY c.last_activity_at DESC, c.id LIMIT ${ERASURES}`,
  );
  expect(customers).toHaveLength(ERASURES);
  const invoicesBefore = new Map<string, number[]>();
  for (const c of customers) {
    const { rows } = await webshop.query<{ id: number }>(
      'SELECT id FROM invoices WHERE customer_number = $1 ORDER BY id',
      [c.customer_number],
    );
    expect(rows.length).toBeGreaterThan(0);
    invoicesBefore.set(
      c.customer_number,
      rows.map((r) => r.id),
    );
  }

  // Filed, verified and approved through both APIs, while no worker runs: the APIs queue the jobs.
  const ids: string[] = [];
  for (const [i, c] of customers.entries()) {
    const api = clients[i % 2]!;
    const filed = await api.POST('/api/v1/requests', {
      params: { header: { 'idempotency-key': crypto.randomUUID() } },
      body: { company: 'nestit-sverige', type: 'erasure', email: c.email },
    });
    expect(filed.response.status).toBe(201);
    const mail = await smtp.waitFor((m) => m.to.includes(c.email) && codeIn(m) !== undefined, 30_000);
    const other = clients[(i + 1) % 2]!;
    await other.POST('/api/v1/requests/verify-code', {
      body: { submissionId: filed.data.submissionId, code: codeIn(mail)! },
    });
    const id = filed.data.requests[0]!.id as string;
    const approved = await api.POST('/api/v1/requests/{id}/approve', { params: { path: { id } }, body: {} });
    expect(approved.response.status).toBe(200);
    ids.push(id);
  }
  const queued = await db.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'ombud-fulfilment' AND state = 'created'",
  );
  expect(queued[0]!.n).toBe(ERASURES);

  // The web shop's changes wait (reads go on): every run stops inside, after customer service.
  const { rows: tables } = await webshop.query<{ t: string }>(
    "SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'customers' ORDER BY 1",
  );
  await webshop.query('BEGIN');
  await webshop.query(`LOCK TABLE ${tables.map((r) => `"${r.t}"`).join(', ')} IN SHARE MODE`);

  const workers = [1, 2].map((n) => startOmbud(`ombud-worker-${n}`, 'worker', env));
  for (const w of workers) await waitForOutput(w, /Worker ready/);
  // One worker holds the day's retention run and two erasures, all three waiting in the web shop.
  const waits = await until('a worker inside retention and two erasures', 90_000, async () => {
    const w = await lockWaits(admin, demoDb('webshop').name);
    return Object.values(w).includes(3) ? w : undefined;
  });
  // Only workers run jobs: an API process only queued them.
  expect(Object.keys(waits).every((name) => name.startsWith('ombud-worker-'))).toBe(true);
  const victim = workers.find((w) => waits[w.name] === 3)!;
  const survivor = workers.find((w) => w !== victim)!;
  const [run] = await db.query<{ id: string; run_key: string; status: string }>(
    'SELECT id, run_key, status FROM retention_runs',
  );
  expect(run).toMatchObject({
    status: 'running',
    run_key: expect.stringMatching(/^daily:\d{4}-\d{2}-\d{2}$/),
  });
  expect(
    await db.query('SELECT dataset, status FROM retention_steps WHERE run_id = $1 ORDER BY position', [
      run!.id,
    ]),
  ).toEqual([
    { dataset: 'nestit_customer_service', status: 'done' },
    { dataset: 'nestit_webshop', status: 'pending' },
    { dataset: 'ombud', status: 'pending' },
  ]);
  // Erasures inside their run: customer service erased, the web shop not yet (at least the victim's two).
  const midway = await db.query<{ request_id: string }>(
    `SELECT request_id FROM fulfilment_steps WHERE step = 'erase:nestit_customer_service' AND status = 'done'
        AND request_id IN (SELECT request_id FROM fulfilment_steps WHERE step = 'erase:nestit_webshop' AND status <> 'done')`,
  );
  expect(midway.length).toBeGreaterThanOrEqual(2);

  const killedAt = Date.now();
  victim.child.kill('SIGKILL');
  await victim.exited;
  await webshop.query('ROLLBACK');

  // The runs go on in the survivor: the killed worker's jobs once they time out. Each run that waits for
  // the recipients (Art. 19 tasks) is answered through the APIs, as an agent would.
  const ticked = new Set<string>();
  await until('every request completed', 180_000, async () => {
    let open = 0;
    for (const [i, id] of ids.entries()) {
      const api = clients[i % 2]!;
      const r = await api.GET('/api/v1/requests/{id}', { params: { path: { id } } });
      if (r.data.request.state === 'completed') continue;
      open++;
      const f = await api.GET('/api/v1/requests/{id}/fulfilment', { params: { path: { id } } });
      for (const s of f.data?.steps ?? []) {
        const systemId = s.step.startsWith('notify:') ? s.step.slice('notify:'.length) : undefined;
        if (!systemId || s.status !== 'waiting' || ticked.has(`${id} ${systemId}`)) continue;
        await clients[(i + 1) % 2]!.POST('/api/v1/fulfilment/{requestId}/tasks/{systemId}', {
          params: { path: { requestId: id, systemId } },
          body: { status: 'done', note: 'Deleted in the partner portal' },
        });
        ticked.add(`${id} ${systemId}`);
      }
    }
    return open === 0 ? true : undefined;
  });
  await until('the retention run done', 120_000, async () => {
    const [r] = await db.query<{ status: string }>('SELECT status FROM retention_runs WHERE id = $1', [
      run!.id,
    ]);
    return r?.status === 'done' ? true : undefined;
  });
  await until('the outbox sent', 30_000, async () => {
    const [r] = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM mail_outbox WHERE status = 'pending'",
    );
    return r!.n === 0 ? true : undefined;
  });
  await poll.stop();

  // Every request carried out once: each step done, each change audited once, one completion, one mail.
  for (const [i, id] of ids.entries()) {
    const c = customers[i]!;
    const r = await clients[0]!.GET('/api/v1/requests/{id}', { params: { path: { id } } });
    const kinds = r.data.timeline.map((e: { kind: string }) => e.kind);
    expect(kinds.filter((k: string) => k === 'completed')).toHaveLength(1);
    expect(kinds.filter((k: string) => k === 'fulfilment-queued')).toHaveLength(1);
    const steps = await db.query<{ step: string; status: string }>(
      'SELECT step, status FROM fulfilment_steps WHERE request_id = $1 ORDER BY position',
      [id],
    );
    expect(steps.slice(0, 2).map((s) => s.step)).toEqual([
      'erase:nestit_customer_service',
      'erase:nestit_webshop',
    ]);
    expect(steps.every((s) => s.status === 'done')).toBe(true);
    // Each change recorded with one audit entry, though two of the runs were cut off inside and resumed.
    const audited = await db.query<{ step: string; n: number }>(
      `SELECT details->>'step' AS step, count(*)::int AS n FROM audit_log
        WHERE target = $1 AND action = 'fulfilment.erase' GROUP BY 1 ORDER BY 1`,
      [`request:${id}`],
    );
    expect(audited).toEqual([
      { step: 'erase:nestit_customer_service', n: 1 },
      { step: 'erase:nestit_webshop', n: 1 },
    ]);
    expect(smtp.mails.filter((m) => m.to.includes(c.email) && /completed/i.test(m.subject))).toHaveLength(1);
    // The customer is gone from both systems; the invoices are kept, restricted.
    const left = await webshop.query('SELECT 1 FROM customers WHERE customer_number = $1', [
      c.customer_number,
    ]);
    expect(left.rows).toEqual([]);
    const cases = await service.query('SELECT 1 FROM cases WHERE customer_number = $1', [c.customer_number]);
    expect(cases.rows).toEqual([]);
    const invoices = await webshop.query<{ id: number; restricted: boolean }>(
      'SELECT id, restricted FROM invoices WHERE customer_number = $1 ORDER BY id',
      [c.customer_number],
    );
    expect(invoices.rows.map((x) => x.id)).toEqual(invoicesBefore.get(c.customer_number));
    expect(invoices.rows.every((x) => x.restricted)).toBe(true);
  }
  const runs = await db.query<{ status: string; attempts: number }>(
    'SELECT status, attempts FROM fulfilment_runs ORDER BY request_id',
  );
  expect(runs).toEqual(ids.map(() => ({ status: 'done', attempts: expect.any(Number) })));
  // Every job finished (none failed, none left); the killed worker's two were run again after timing out.
  const jobs = await db.query<{ state: string; retry_count: number }>(
    "SELECT state, retry_count FROM pgboss.job WHERE name = 'ombud-fulfilment'",
  );
  expect(jobs.every((j) => j.state === 'completed')).toBe(true);
  expect(jobs.filter((j) => j.retry_count > 0).length).toBeGreaterThanOrEqual(2);

  // The day's retention run: one run, resumed once after the kill, each database swept once.
  expect(await db.query('SELECT id, status, attempts FROM retention_runs')).toEqual([
    { id: run!.id, status: 'done', attempts: 2 },
  ]);
  const sweeps = await db.query<{ dataset: string; n: number }>(
    `SELECT details->>'dataset' AS dataset, count(*)::int AS n FROM audit_log
      WHERE action = 'retention.sweep' AND target = $1 GROUP BY 1 ORDER BY 1`,
    [`retention-run:${run!.id}`],
  );
  expect(sweeps).toEqual([
    { dataset: 'nestit_customer_service', n: 1 },
    { dataset: 'nestit_webshop', n: 1 },
  ]);
  const done = await db.query<{ status: string; resumed: boolean }>(
    `SELECT details->>'status' AS status, (details->>'resumed')::boolean AS resumed FROM audit_log
      WHERE action = 'retention.run' AND target = $1`,
    [`retention-run:${run!.id}`],
  );
  expect(done).toEqual([{ status: 'done', resumed: true }]);
  // The killed worker's job of the day runs again once it has timed out (unless the survivor's catch-up
  // job ran the day first): it finds the day done, and the run stays as it is.
  const retentionJobs = await until('the retention jobs settled', 90_000, async () => {
    const js = await db.query<{ state: string; retry_count: number }>(
      "SELECT state, retry_count FROM pgboss.job WHERE name = 'ombud-retention'",
    );
    return js.every((j) => ['completed', 'failed', 'cancelled'].includes(j.state)) ? js : undefined;
  });
  expect(retentionJobs.length).toBeGreaterThan(0);
  expect(retentionJobs.every((j) => j.state === 'completed')).toBe(true);
  expect(await db.query('SELECT id, status, attempts FROM retention_runs')).toEqual([
    { id: run!.id, status: 'done', attempts: 2 },
  ]);

  // Both APIs answered the whole time, before and after the kill, with no failure.
  expect(poll.failures).toEqual([]);
  for (const base of bases) {
    const times = poll.ok.get(base)!;
    expect(times.filter((t) => t < killedAt).length).toBeGreaterThan(10);
    expect(times.filter((t) => t > killedAt).length).toBeGreaterThan(10);
  }
  expect(survivor.child.exitCode).toBeNull();
  for (const p of [...apis, survivor]) p.child.kill('SIGTERM');
  await Promise.all([...apis, survivor].map((p) => p.exited));
}, 300_000);
