/**
 * Propagation bench (issue 17 item 1): Ombud's webhook worker against a bare loop of signed POSTs, in
 * one run, to the same three local receivers (a process of their own, bench/propagation/receivers.ts).
 * Consent changes are recorded by a separate "API" process (bench/propagation/changes.ts) on the same
 * PostgreSQL database, as with `ombud start --role api` and `--role worker`; this process is the worker.
 *
 *   node --import tsx bench/propagation/bench.ts [--events 10000] [--rate 200] [--seconds 60]
 *        [--flaky-events 3000] [--pg postgres://postgres@127.0.0.1:5432/postgres]
 *
 * 1. Throughput: `--events` changes are recorded while no worker runs (3 deliveries each); then the
 *    worker sends the backlog. The bare loop then sends as many signed POSTs (same body shape, same
 *    signing, same HTTP client and connection limits, no database) to the same receivers.
 * 2. Latency: the worker runs while changes arrive at `--rate`/s for `--seconds`; the receivers measure
 *    change (the event's `at`) → accepted delivery.
 * 3. Flaky receiver: receiver 1 answers 500 to 20 % of calls while `--flaky-events` changes are sent;
 *    each receiver's accepted webhook-ids are compared with the database's deliveries: every one once.
 *
 * CPU is this process's (user + system, process.cpuUsage), and, apart, PostgreSQL's backends serving
 * this process (from /proc). Exits 1 when a target is missed or a delivery is lost or duplicated.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { randomBytes, randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { newWebhookSecret, webhookHeaders } from '../../src/core/consent/webhook-signature.ts';
import { loadDemo } from '../../src/demo/loadDemo.ts';
import { chainKeysFrom, installAuditChainKeys } from '../../src/services/audit/keys.ts';
import { consentKeys } from '../../src/services/consent/keys.ts';
import { Propagator, type PropagatorOptions } from '../../src/services/consent/propagator.ts';
import { webhookPayloads } from '../../src/services/consent/webhooks.ts';
import { migrate } from '../../src/storage/migrate.ts';
import { openPostgres } from '../../src/storage/postgres.ts';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '10000' },
    rate: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '60' },
    'flaky-events': { type: 'string', default: '3000' },
    pg: {
      type: 'string',
      default: process.env.OMBUD_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    },
    db: { type: 'string', default: 'ombud_propagation_bench' },
  },
});
const EVENTS = Number(values.events);
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);
const FLAKY = Number(values['flaky-events']);
const SECRET = 'bench-secret-0123456789abcdef0123456789abcdef';
const here = fileURLToPath(new URL('.', import.meta.url));
const CONCURRENCY = 64;
const PER_ENDPOINT = 16;

// --- database ---------------------------------------------------------------------------------------
const admin = new pg.Client({ connectionString: values.pg });
await admin.connect();
await admin.query(`DROP DATABASE IF EXISTS ${values.db} WITH (FORCE)`);
await admin.query(`CREATE DATABASE ${values.db}`);
await admin.end();
const url = new URL(values.pg!);
url.pathname = `/${values.db}`;
const dbUrl = url.toString();
// One audit key for this run, shared with the changes process (audit entries are written with each change).
process.env.OMBUD_BENCH_AUDIT_KEY = `bench:${randomBytes(32).toString('base64')}`;
installAuditChainKeys(chainKeysFrom(process.env.OMBUD_BENCH_AUDIT_KEY, 'bench'));
const db = await openPostgres(dbUrl, 8);
await migrate(db);
const app = createApp(db, {
  ...loadConfig({ LOG_LEVEL: 'silent', OMBUD_DEMO_PASSWORD: 'bench-password-1' }),
  secret: SECRET,
});
await loadDemo(app);
const keys = await consentKeys(db, SECRET);

// --- receivers --------------------------------------------------------------------------------------
const rx = spawn(process.execPath, ['--import', 'tsx', `${here}receivers.ts`, '--count', '3'], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
const first = await new Promise<string>((r) => createInterface({ input: rx.stdout! }).once('line', r));
const { ports, control } = JSON.parse(first) as { ports: number[]; control: number };
const ctl = async <T = unknown>(path: string, body?: unknown): Promise<T> =>
  (await (
    await fetch(`http://127.0.0.1:${control}${path}`, {
      method: body ? 'POST' : 'GET',
      ...(body ? { body: JSON.stringify(body) } : {}),
    })
  ).json()) as T;
type RxStats = {
  calls: number;
  failed: number;
  acceptedIds: number;
  duplicates: number;
  retriedIds: number;
  outOfOrder: number;
  verified: number;
  badSignatures: number;
  latencyMs: { p50: number; p99: number; max: number };
  ids?: string[];
  received?: Record<string, number>;
};
const stats = (ids = false) => ctl<RxStats[]>(`/stats${ids ? '?ids=1' : ''}`);

const secrets = ports.map(() => newWebhookSecret());
const endpointIds: string[] = [];
for (const [i, port] of ports.entries()) {
  const rows = await db.query<{ id: string }>(
    'INSERT INTO webhook_endpoints (url, secret, description) VALUES ($1, $2, $3) RETURNING id',
    [`http://127.0.0.1:${port}/hooks/ombud`, secrets[i], `bench receiver ${i + 1}`],
  );
  endpointIds.push(rows[0]!.id);
}
await ctl('/config', { secrets, failRate: [0, 0, 0] });

// --- helpers ----------------------------------------------------------------------------------------
const changes = (tag: string, count: number, rate: number, times?: string) =>
  new Promise<{ count: number; errors: number; seconds: number; perSecond: number; maxLateMs: number }>(
    (resolve, reject) => {
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          `${here}changes.ts`,
          '--url',
          dbUrl,
          '--secret',
          SECRET,
          '--tag',
          tag,
          '--count',
          String(count),
          '--rate',
          String(rate),
          ...(times ? ['--times', times] : []),
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      let out = '';
      child.stdout!.on('data', (c) => {
        out += c;
      });
      child.on('exit', (code) =>
        code === 0
          ? resolve(JSON.parse(out.trim().split('\n').at(-1)!))
          : reject(new Error(`changes exited ${code}`)),
      );
    },
  );

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
/** CPU ms of the PostgreSQL backends serving this database (clock ticks of 10 ms, from /proc). */
async function pgCpuMs(): Promise<Map<number, number>> {
  const rows = await db.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [
    values.db,
  ]);
  const out = new Map<number, number>();
  for (const { pid } of rows) {
    try {
      const f = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
      out.set(pid, (Number(f[11]) + Number(f[12])) * 10);
    } catch {
      // gone
    }
  }
  return out;
}
const pgDelta = (a: Map<number, number>, b: Map<number, number>) => {
  let s = 0;
  for (const [pid, v] of b) s += v - (a.get(pid) ?? 0);
  return s;
};
const until = async (pred: () => Promise<boolean> | boolean, ms: number) => {
  const end = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
};
const pending = async () =>
  Number(
    (
      await db.query<{ n: string }>("SELECT count(*) AS n FROM webhook_deliveries WHERE status = 'pending'")
    )[0]!.n,
  );
const worker = (opts: PropagatorOptions = {}) =>
  new Propagator(db, {
    keys: async () => keys,
    concurrency: CONCURRENCY,
    perEndpoint: PER_ENDPOINT,
    pollingIntervalSeconds: 0.1,
    ...opts,
  });

const failures: string[] = [];
const check = (ok: boolean, what: string) => {
  if (!ok) failures.push(what);
};
const r1 = (n: number) => Math.round(n * 10) / 10;

// --- 1. throughput ----------------------------------------------------------------------------------
process.stderr.write(`recording ${EVENTS} changes (no worker running)…\n`);
const loadA = await changes('a', EVENTS, 0);
const backlog = await pending();
check(backlog === EVENTS * 3, `backlog ${backlog} ≠ ${EVENTS * 3}`);
process.stderr.write(`sending the backlog of ${backlog} deliveries…\n`);
await ctl('/reset');
const wA = worker();
let pg0 = await pgCpuMs();
let c0 = cpuMs();
let t0 = performance.now();
await wA.start();
pg0 = new Map([...pg0, ...(await pgCpuMs())]);
await until(() => wA.counts.delivered >= backlog, 600_000);
const ombudA = {
  seconds: (performance.now() - t0) / 1000,
  cpuMs: cpuMs() - c0,
  pgCpuMs: pgDelta(pg0, await pgCpuMs()),
};
await wA.stop();
const statsA = await stats();
check(
  statsA.reduce((s, r) => s + r.acceptedIds, 0) === backlog,
  'throughput: receivers did not accept every delivery',
);
check(
  statsA.every((r) => r.duplicates === 0),
  'throughput: duplicates',
);

// The bare loop: the same number of signed POSTs of the same bodies, no database.
const sample = await db.query<{ event_id: string; endpoint_id: string }>(
  'SELECT event_id, endpoint_id FROM webhook_deliveries ORDER BY event_seq, endpoint_id',
);
const bodies = await webhookPayloads(db, keys, [...new Set(sample.map((s) => s.event_id))]);
const jobs = sample.map((s) => ({
  id: randomUUID(),
  port: ports[endpointIds.indexOf(s.endpoint_id)]!,
  secret: secrets[endpointIds.indexOf(s.endpoint_id)]!,
  payload: bodies.get(s.event_id)!,
}));
await ctl('/reset');
const agents = ports.map(() => new Agent({ keepAlive: true, maxSockets: PER_ENDPOINT }));
const post = (j: (typeof jobs)[number]) =>
  new Promise<number>((resolve, reject) => {
    const now = new Date();
    const body = JSON.stringify({ type: j.payload.type, timestamp: now.toISOString(), data: j.payload.data });
    const req = request(
      {
        host: '127.0.0.1',
        port: j.port,
        path: '/hooks/ombud',
        method: 'POST',
        agent: agents[ports.indexOf(j.port)],
        headers: {
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          'user-agent': 'bare-loop',
          ...webhookHeaders(j.secret, j.id, Math.floor(now.getTime() / 1000), body),
        },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
c0 = cpuMs();
t0 = performance.now();
let next = 0;
await Promise.all(
  Array.from({ length: CONCURRENCY }, async () => {
    while (next < jobs.length) await post(jobs[next++]!);
  }),
);
const bare = { seconds: (performance.now() - t0) / 1000, cpuMs: cpuMs() - c0 };
for (const a of agents) a.destroy();
const statsBare = await stats();
check(
  statsBare.reduce((s, r) => s + r.acceptedIds, 0) === jobs.length,
  'bare loop: receivers did not accept every POST',
);

const perS = (n: number, s: number) => Math.round(n / s);
const ombudRate = perS(backlog, ombudA.seconds);
const bareRate = perS(jobs.length, bare.seconds);
const ombudCpu = (ombudA.cpuMs * 1000) / backlog; // µs per delivery
const bareCpu = (bare.cpuMs * 1000) / jobs.length;
check(ombudRate >= 500, `throughput ${ombudRate}/s < 500/s`);
check(ombudCpu <= 2 * bareCpu, `CPU per delivery ${r1(ombudCpu)} µs > 2 × ${r1(bareCpu)} µs`);

// --- 2. latency at a steady rate -------------------------------------------------------------------
const countB = RATE * SECONDS;
process.stderr.write(`latency: ${RATE} changes/s for ${SECONDS} s with the worker running…\n`);
await ctl('/reset');
const wB = await worker().start();
pg0 = await pgCpuMs();
c0 = cpuMs();
t0 = performance.now();
const timesFile = `${here}.times-b.txt`;
const loadB = await changes('b', countB, RATE, timesFile);
await until(async () => (await pending()) === 0, 120_000);
const ombudB = {
  seconds: (performance.now() - t0) / 1000,
  cpuMs: cpuMs() - c0,
  pgCpuMs: pgDelta(pg0, await pgCpuMs()),
};
await wB.stop();
const statsB = await stats(true);
// Latency from the commit of the change (when a worker can first see it), per receiver.
const commits = new Map(
  (await readFile(timesFile, 'utf8'))
    .trim()
    .split('\n')
    .map((l) => l.split(' '))
    .map(([id, , c]) => [id!, Number(c)] as const),
);
const fromCommit = statsB
  .flatMap((r) => Object.entries(r.received ?? {}).map(([ev, at]) => at - (commits.get(ev) ?? at)))
  .sort((a, b) => a - b);
const pctC = (p: number) =>
  fromCommit[Math.min(fromCommit.length - 1, Math.floor(p * fromCommit.length))] ?? 0;
const acceptedB = statsB.reduce((s, r) => s + r.acceptedIds, 0);
const p99B = Math.max(...statsB.map((r) => r.latencyMs.p99));
const p50B = Math.max(...statsB.map((r) => r.latencyMs.p50));
const maxB = Math.max(...statsB.map((r) => r.latencyMs.max));
check(acceptedB === countB * 3, `latency run: ${acceptedB} accepted ≠ ${countB * 3}`);
check(p99B < 2000, `p99 change→delivery ${p99B} ms ≥ 2000 ms`);
check(loadB.errors === 0, 'latency run: changes failed');

// --- 3. a receiver failing 20 % of calls -----------------------------------------------------------
process.stderr.write(`flaky: receiver 1 fails 20 % of calls; ${FLAKY} changes…\n`);
await ctl('/reset');
await ctl('/config', { failRate: [0.2, 0, 0] });
const since = (
  await db.query<{ s: string }>('SELECT coalesce(max(event_seq), 0)::text AS s FROM webhook_deliveries')
)[0]!.s;
const wC = await worker({ retryDelaySeconds: 0.2 }).start();
const loadC = await changes('c', FLAKY, 0);
await until(async () => (await pending()) === 0, 300_000);
await wC.stop();
await ctl('/config', { failRate: [0, 0, 0] });
const statsC = await stats(true);
const dbC = await db.query<{ id: string; endpoint_id: string; status: string }>(
  'SELECT id, endpoint_id, status FROM webhook_deliveries WHERE event_seq > $1',
  [since],
);
const flaky = statsC.map((r, i) => {
  const expected = new Set(dbC.filter((d) => d.endpoint_id === endpointIds[i]).map((d) => d.id));
  const got = new Set(r.ids);
  const missing = [...expected].filter((id) => !got.has(id)).length;
  const unexpected = [...got].filter((id) => !expected.has(id)).length;
  return {
    expected: expected.size,
    accepted: r.acceptedIds,
    duplicates: r.duplicates,
    missing,
    unexpected,
    calls: r.calls,
    failed: r.failed,
    retriedIds: r.retriedIds,
  };
});
const dead = dbC.filter((d) => d.status === 'dead').length;
check(dbC.length === FLAKY * 3, `flaky: ${dbC.length} deliveries ≠ ${FLAKY * 3}`);
check(
  flaky.every((f) => f.missing === 0 && f.unexpected === 0 && f.duplicates === 0),
  'flaky: lost or duplicated',
);
check(dead === 0, `flaky: ${dead} dead`);
check(flaky[0]!.failed > 0, 'flaky: the receiver never failed');

const outOfOrder = [statsA, statsB, statsC].flat().reduce((s, r) => s + r.outOfOrder, 0);
const badSig = [statsA, statsB, statsC].flat().reduce((s, r) => s + r.badSignatures, 0);
const verified = [statsA, statsB, statsC].flat().reduce((s, r) => s + r.verified, 0);
check(outOfOrder === 0, `${outOfOrder} deliveries out of order`);
check(badSig === 0, `${badSig} bad signatures`);

rx.kill();
await db.close();

const result = {
  at: new Date().toISOString(),
  node: process.version,
  cpus: (await import('node:os')).cpus().length,
  throughput: {
    deliveries: backlog,
    recordedPerSecond: Math.round(loadA.perSecond),
    ombud: {
      ...ombudA,
      perSecond: ombudRate,
      cpuUsPerDelivery: r1(ombudCpu),
      pgCpuUsPerDelivery: r1((ombudA.pgCpuMs * 1000) / backlog),
    },
    bare: { ...bare, perSecond: bareRate, cpuUsPerDelivery: r1(bareCpu) },
    cpuRatio: r1(ombudCpu / bareCpu),
  },
  latency: {
    changes: countB,
    rate: RATE,
    recorded: { perSecond: r1(loadB.perSecond), maxLateMs: loadB.maxLateMs, errors: loadB.errors },
    deliveries: acceptedB,
    p50Ms: p50B,
    p99Ms: p99B,
    maxMs: maxB,
    fromCommit: { p50Ms: pctC(0.5), p99Ms: pctC(0.99), maxMs: fromCommit.at(-1) ?? 0 },
    cpuUsPerDelivery: r1((ombudB.cpuMs * 1000) / acceptedB),
    pgCpuUsPerDelivery: r1((ombudB.pgCpuMs * 1000) / acceptedB),
  },
  flaky: { changes: loadC.count, perReceiver: flaky, dead },
  order: { outOfOrder },
  signatures: { verified, bad: badSig },
  failures,
};
writeFileSync(`${here}results.json`, `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result, null, 2));
process.exit(failures.length ? 1 : 0);
