/**
 * bench/edge: the cookie-banner proof POST against a bare INSERT loop, in one run (README.md).
 *
 *   node --import tsx bench/edge/run.ts [--rate 2000] [--seconds 20] [--processes 1] [--kill-at 8]
 *        [--restart-after 1] [--connections 64] [--addresses 5000] [--pool 10] [--closed-seconds 0]
 *
 * 1. A fresh database `ombud_edge_bench` on the PostgreSQL server (OMBUD_BENCH_PG_URL, default
 *    postgres://postgres@127.0.0.1:5432/postgres): migrated, the demo register loaded.
 * 2. Bare INSERT loop: --rate single-row INSERTs a second (autocommit, as durable as a 201) for --seconds,
 *    through `pg` with --pool connections (Ombud's pool is its default, 10), from the load process (bench/edge/load.ts).
 * 3. Ombud: --processes API processes (`ombud start --role api --no-demo`, OMBUD_TRUST_PROXY=1, pg pool
 *    --pool each); with more than one, HAProxy from Debian (`haproxy` on the PATH) balances them
 *    (round robin, retrying a refused connection on another). The load process POSTs --rate proofs a
 *    second for --seconds from --addresses simulated client addresses (X-Forwarded-For). At --kill-at
 *    seconds one API process is killed with SIGKILL and started again --restart-after seconds later
 *    (as systemd would); --kill-at 0: no kill.
 * 4. Every 201 is checked against the rows stored: lost (answered 201, no row), duplicated (more than one
 *    row for one proof), a different number than answered; rows stored without a 201 are counted too.
 * 5. --closed-seconds S > 0: both again closed loop (each connection back to back) for S seconds, no kill.
 *
 * Prints a Markdown table and the figures as JSON; exits 1 when a proof was lost or duplicated.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import pg from 'pg';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { loadDemo } from '../../src/demo/loadDemo.ts';
import { chainKeysFrom, installAuditChainKeys } from '../../src/services/audit/keys.ts';
import { migrate } from '../../src/storage/migrate.ts';
import { openPostgres } from '../../src/storage/postgres.ts';

const { values: a } = parseArgs({
  options: {
    rate: { type: 'string', default: '2000' },
    seconds: { type: 'string', default: '20' },
    processes: { type: 'string', default: '1' },
    'kill-at': { type: 'string', default: '8' },
    'restart-after': { type: 'string', default: '1' },
    connections: { type: 'string', default: '64' },
    addresses: { type: 'string', default: '5000' },
    pool: { type: 'string', default: '10' },
    'closed-seconds': { type: 'string', default: '0' },
    db: { type: 'string', default: 'ombud_edge_bench' },
    port: { type: 'string', default: '3700' },
  },
});
const ADMIN_URL = process.env.OMBUD_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const PROCS = Number(a.processes);
const BASE_PORT = Number(a.port);
const SECRET = 'bench-secret-0123456789abcdef0123456789abcdef';
const log = (s: string) => console.error(`[edge ${new Date().toISOString().slice(11, 19)}] ${s}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const exec = promisify(execFile);
const uptime = async () => (await exec('uptime')).stdout.trim();

const dbUrl = (() => {
  const u = new URL(ADMIN_URL);
  u.pathname = `/${a.db}`;
  return u.toString();
})();

async function prepare() {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${a.db} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${a.db}`);
  await admin.end();
  const db = await openPostgres(dbUrl, 4);
  process.env.OMBUD_DEMO_PASSWORD = 'bench-password-1234';
  installAuditChainKeys(chainKeysFrom(`bench:${'k'.repeat(43)}=`, 'bench'));
  await migrate(db);
  await loadDemo(createApp(db, loadConfig({ LOG_LEVEL: 'warn', OMBUD_SECRET: SECRET })));
  await db.close();
}

/** The API processes: started, watched, one killed and started again. */
const dataDir = mkdtempSync(join(tmpdir(), 'ombud-edge-'));
const pidFile = join(dataDir, 'pids');
const procs: (ChildProcess | undefined)[] = [];
const writePids = () => writeFileSync(pidFile, procs.map((p) => p?.pid ?? '').join(' '));

function startApi(i: number) {
  const child = spawn(process.execPath, ['bin/ombud.mjs', 'start', '--role', 'api', '--no-demo'], {
    env: {
      ...process.env,
      DATABASE_URL: `${dbUrl}?application_name=ombud_edge_api`,
      PORT: String(BASE_PORT + 1 + i),
      HOST: '127.0.0.1',
      OMBUD_TRUST_PROXY: '1',
      OMBUD_SECRET: SECRET,
      OMBUD_DATA_DIR: dataDir,
      OMBUD_PUBLIC_URL: `http://127.0.0.1:${BASE_PORT}`,
      LOG_LEVEL: 'warn',
      NODE_OPTIONS: '',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  procs[i] = child;
  writePids();
  return child;
}

async function waitHealthy(port: number, timeoutMs = 180_000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (r.ok) return;
    } catch {}
    await sleep(200);
  }
  throw new Error(`nothing answered on port ${port}`);
}

let haproxy: ChildProcess | undefined;
async function startBalancer() {
  if (PROCS === 1) {
    // One process: the load goes straight to it, on the bench's port.
    return BASE_PORT + 1;
  }
  const cfg = join(dataDir, 'haproxy.cfg');
  writeFileSync(
    cfg,
    `global
  maxconn 4096
defaults
  mode http
  timeout connect 1s
  timeout check 2s
  timeout client 30s
  timeout server 30s
  retries 3
  option redispatch
  retry-on conn-failure empty-response response-timeout
frontend edge
  bind 127.0.0.1:${BASE_PORT}
  default_backend api
backend api
  balance roundrobin
  option httpchk GET /healthz
${procs.map((_, i) => `  server api${i} 127.0.0.1:${BASE_PORT + 1 + i} check inter 500 fall 2 rise 1`).join('\n')}
`,
  );
  haproxy = spawn('haproxy', ['-f', cfg, '-db'], { stdio: ['ignore', 'ignore', 'inherit'] });
  await waitHealthy(BASE_PORT);
  return BASE_PORT;
}

type LoadResult = {
  mode: string;
  offered: number;
  acked: number;
  failedForGood: number;
  retried: number;
  attempts: number;
  statuses: Record<string, number>;
  seconds: number;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  cpuMsPerRequest: { driver: number; server: number | null };
};

async function load(args: string[]): Promise<{ result: LoadResult; acked: Map<number, number> }> {
  const out = join(dataDir, `acked-${Math.random().toString(36).slice(2)}.json`);
  const { stdout } = await exec(
    process.execPath,
    ['--import', 'tsx', 'bench/edge/load.ts', ...args, '--out', out],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as LoadResult;
  const acked = new Map<number, number>(JSON.parse(readFileSync(out, 'utf8')) as [number, number][]);
  return { result, acked };
}

/** Every 201 against the rows of the run. */
async function account(run: string, acked: Map<number, number>) {
  const c = new pg.Client({ connectionString: dbUrl });
  await c.connect();
  const rows = await c.query<{ consent_id: string; seqs: string[] }>(
    `SELECT consent_id, array_agg(seq::text) AS seqs FROM cookie_consents WHERE consent_id LIKE $1 GROUP BY consent_id`,
    [`${run}-%`],
  );
  await c.end();
  const stored = new Map(
    rows.rows.map((r) => [Number(r.consent_id.slice(run.length + 1)), r.seqs.map(Number)]),
  );
  let lost = 0;
  let wrongNumber = 0;
  for (const [k, seq] of acked) {
    const s = stored.get(k);
    if (!s) lost++;
    else if (!s.includes(seq)) wrongNumber++;
  }
  let duplicated = 0;
  let storedUnanswered = 0;
  for (const [k, s] of stored) {
    if (s.length > 1) duplicated += s.length - 1;
    if (!acked.has(k)) storedUnanswered++;
  }
  return { rows: rows.rows.length, lost, duplicated, wrongNumber, storedUnanswered };
}

const fmt = (ms: number) => `${ms.toFixed(2)} ms`;
const us = (ms: number | null) => (ms === null ? '–' : `${Math.round(ms * 1000)} µs`);

async function main() {
  const startUptime = await uptime();
  log(`uptime at start: ${startUptime}`);
  await prepare();
  log('database ready (migrated, demo register)');
  const rows: string[] = [];
  const figures: Record<string, unknown> = { command: process.argv.slice(2).join(' '), startUptime };
  const common = ['--rate', a.rate!, '--seconds', a.seconds!];

  // 2. The bare INSERT loop.
  log(`bare INSERT loop: ${a.rate}/s for ${a.seconds} s, ${a.pool} connections`);
  const bare = await load([
    '--mode',
    'insert',
    '--pg',
    dbUrl,
    '--run',
    'bare',
    '--connections',
    a.pool!,
    ...common,
  ]);
  const bareAcc = await account('bare', bare.acked);
  figures.bare = { ...bare.result, ...bareAcc };

  // 3. Ombud.
  for (let i = 0; i < PROCS; i++) startApi(i);
  for (let i = 0; i < PROCS; i++) await waitHealthy(BASE_PORT + 1 + i);
  const port = await startBalancer();
  log(`${PROCS} API process(es) ready${PROCS > 1 ? ' behind HAProxy' : ''} on port ${port}`);
  // Warm-up (JIT, pool, prepared statements); not counted.
  await load([
    '--mode',
    'http',
    '--url',
    `http://127.0.0.1:${port}`,
    '--run',
    'warm',
    '--rate',
    '1000',
    '--seconds',
    '3',
    '--connections',
    a.connections!,
    '--addresses',
    a.addresses!,
  ]);
  const killAt = Number(a['kill-at']);
  const t0 = Date.now();
  let killed: string | undefined;
  const killer = (async () => {
    if (!(killAt > 0)) return;
    await sleep(killAt * 1000);
    const victim = procs[0]!;
    log(`kill -9 of API process ${victim.pid} at ${killAt} s`);
    victim.kill('SIGKILL');
    await sleep(Number(a['restart-after']) * 1000);
    startApi(0);
    await waitHealthy(BASE_PORT + 1);
    killed = `process ${victim.pid} killed with SIGKILL at ${killAt} s, started again after ${a['restart-after']} s (answering after ${(
      (Date.now() - t0) / 1000 - killAt
    ).toFixed(1)} s)`;
    log(killed);
  })().catch((err: unknown) => {
    killed = `process killed at ${killAt} s; starting it again failed: ${String(err)}`;
    log(killed);
  });
  log(`Ombud: ${a.rate}/s for ${a.seconds} s from ${a.addresses} client addresses`);
  const ombud = await load([
    '--mode',
    'http',
    '--url',
    `http://127.0.0.1:${port}`,
    '--run',
    'ombud',
    '--connections',
    a.connections!,
    '--addresses',
    a.addresses!,
    '--server-pids',
    pidFile,
    ...common,
  ]);
  await killer;
  const ombudAcc = await account('ombud', ombud.acked);
  figures.ombud = { ...ombud.result, ...ombudAcc, kill: killed ?? 'none' };

  const row = (name: string, r: LoadResult, acc: Awaited<ReturnType<typeof account>>) =>
    `| ${name} | ${Math.round(r.rps)}/s | ${fmt(r.p50)} | ${fmt(r.p90)} | ${fmt(r.p99)} | ${fmt(r.max)} | ${r.acked} | ${acc.rows} | ${acc.lost} | ${acc.duplicated} | ${acc.storedUnanswered} | ${r.failedForGood} | ${r.retried} | ${us(r.cpuMsPerRequest.server)} |`;
  rows.push(row(`bare INSERT loop, open loop at ${a.rate}/s`, bare.result, bareAcc));
  rows.push(
    row(
      `Ombud POST, ${PROCS} process${PROCS > 1 ? 'es behind HAProxy' : ''}, open loop at ${a.rate}/s${killAt > 0 ? ', kill -9 mid-run' : ''}`,
      ombud.result,
      ombudAcc,
    ),
  );

  const closed = Number(a['closed-seconds']);
  if (closed > 0) {
    log(`closed loop, ${closed} s each`);
    const cb = await load([
      '--mode',
      'insert',
      '--pg',
      dbUrl,
      '--run',
      'cbare',
      '--connections',
      a.pool!,
      '--rate',
      '0',
      '--seconds',
      String(closed),
    ]);
    const cbAcc = await account('cbare', cb.acked);
    const co = await load([
      '--mode',
      'http',
      '--url',
      `http://127.0.0.1:${port}`,
      '--run',
      'combud',
      '--connections',
      a.connections!,
      '--addresses',
      a.addresses!,
      '--server-pids',
      pidFile,
      '--rate',
      '0',
      '--seconds',
      String(closed),
    ]);
    const coAcc = await account('combud', co.acked);
    rows.push(row('bare INSERT loop, closed loop (max)', cb.result, cbAcc));
    rows.push(row(`Ombud POST, ${PROCS} process(es), closed loop (max)`, co.result, coAcc));
    figures.closed = { bare: { ...cb.result, ...cbAcc }, ombud: { ...co.result, ...coAcc } };
    figures.closedRatio = co.result.rps / cb.result.rps;
  }

  for (const p of procs) p?.kill('SIGTERM');
  haproxy?.kill('SIGTERM');
  const endUptime = await uptime();
  figures.endUptime = endUptime;
  console.log(
    '| run | stored/s | p50 | p90 | p99 | max | 201s | rows | lost | duplicated | stored, no 201 | failed for good | retried | server CPU/proof |',
  );
  console.log(
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const r of rows) console.log(r);
  console.log('');
  console.log(
    `Ratio Ombud / bare INSERT at ${a.rate}/s: p99 ${(ombud.result.p99 / Math.max(0.001, bare.result.p99)).toFixed(1)}×, p50 ${(ombud.result.p50 / Math.max(0.001, bare.result.p50)).toFixed(1)}×, stored/s ${(ombud.result.rps / bare.result.rps).toFixed(2)}×` +
      (figures.closedRatio ? `; closed loop stored/s ${(figures.closedRatio as number).toFixed(2)}×` : ''),
  );
  console.log(
    `Kill: ${killed ?? 'none'}. Statuses seen by the load: ${JSON.stringify(ombud.result.statuses)}`,
  );
  console.log(`uptime at start: ${startUptime}`);
  console.log(`uptime at end:   ${endUptime}`);
  console.log(`\n${JSON.stringify(figures)}`);
  const bad = ombudAcc.lost + ombudAcc.duplicated + ombudAcc.wrongNumber + bareAcc.lost;
  process.exit(bad > 0 ? 1 : 0);
}

main().catch((err) => {
  console.error(err);
  for (const p of procs) p?.kill('SIGKILL');
  haproxy?.kill('SIGKILL');
  process.exit(1);
});
