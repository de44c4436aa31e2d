/**
 * "May we contact?" lookups against a real PostgreSQL: Ombud over HTTP (the real server with its
 * logger at --log-level, an API key, POST /api/v1/organizations/:orgId/contact-checks) beside the
 * same lookup done with raw SQL through `pg`, in one run; and the bulk filter of a send list
 * through the real endpoint. Load comes from a second process (bench/consent/load.ts), which also
 * measures CPU time per request of itself, the server process and the PostgreSQL backends.
 * Data is generated deterministically (bench/consent/generate.ts) into the database --db and
 * reused by later runs of the same size (--regenerate to redo).
 *
 *   node --import tsx bench/consent/lookup.ts [--subjects 1000000] [--events-per-subject 5]
 *        [--rate 2000] [--seconds 20] [--concurrency 64] [--bulk 1000000] [--log-level warn]
 *        [--pool 10] [--db ombud_consent_bench] [--parallel 2] [--regenerate] [--generate-only] [--no-wrk]
 * Needs PostgreSQL at OMBUD_BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/postgres).
 * Exits 1 when Ombud and raw SQL disagree on how many may be contacted, or on any error.
 */
import { execFile } from 'node:child_process';
import { createWriteStream, existsSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { parseArgs, promisify } from 'node:util';
import pg from 'pg';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { loadDemo } from '../../src/demo/loadDemo.ts';
import { buildServer } from '../../src/http/server.ts';
import { SYSTEM_ACTOR } from '../../src/services/audit/auditLog.ts';
import { createApiKey } from '../../src/services/apikeys/apiKeys.ts';
import { CONTACT_CHECK_SQL } from '../../src/services/consent/checkContact.ts';
import { consentKeys, identityHash } from '../../src/services/consent/keys.ts';
import { migrate } from '../../src/storage/migrate.ts';
import { openPostgres } from '../../src/storage/postgres.ts';
import { randomBytes } from 'node:crypto';
import { chainKeysFrom, installAuditChainKeys } from '../../src/services/audit/keys.ts';
import { startBareFastify } from './bare.ts';
import { cpuProfiler } from './profile.ts';
import { email, GENERATOR_VERSION, generate, ORG, PURPOSE } from './generate.ts';

const { values: a } = parseArgs({
  options: {
    subjects: { type: 'string', default: '1000000' },
    'events-per-subject': { type: 'string', default: '5' },
    rate: { type: 'string', default: '2000' },
    seconds: { type: 'string', default: '20' },
    concurrency: { type: 'string', default: '64' },
    bulk: { type: 'string', default: '1000000' },
    'log-level': { type: 'string', default: 'warn' },
    pool: { type: 'string', default: '10' },
    db: { type: 'string', default: 'ombud_consent_bench' },
    parallel: { type: 'string', default: '2' },
    client: { type: 'string', default: 'raw' },
    regenerate: { type: 'boolean', default: false },
    'generate-only': { type: 'boolean', default: false },
    'no-wrk': { type: 'boolean', default: false },
    profile: { type: 'string' },
  },
});
const N = Number(a.subjects);
const EPS = Number(a['events-per-subject']);
const RATE = Number(a.rate);
const SECONDS = Number(a.seconds);
const CONC = Number(a.concurrency);
const BULK = Number(a.bulk);
const POOL = Number(a.pool);
const LOG_LEVEL = a['log-level']!;
const ADMIN_URL = process.env.OMBUD_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DB_NAME = a.db!;
if (!/^[a-z_][a-z0-9_]*$/.test(DB_NAME)) throw new Error('--db: a plain lower-case identifier');
const SECRET = 'b'.repeat(64);
const SIZE_MARK = `${N}x${EPS}/v${GENERATOR_VERSION}`;
const SERVER_APP = 'ombud-bench-server';
const SQL_APP = 'ombud-bench-raw-sql';

const ms = (x: number) => `${x.toFixed(2)} ms`;
const log = (m: string) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${m}`);
const uptime = async () => (await promisify(execFile)('uptime', [], { encoding: 'utf8' })).stdout.trim();

/** Deterministic PRNG (mulberry32). */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function dbExistsWithSize(dbUrl: string): Promise<boolean> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    const r = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [DB_NAME]);
    if (r.rowCount === 0) return false;
  } finally {
    await admin.end();
  }
  const c = new pg.Client({ connectionString: dbUrl });
  await c.connect();
  try {
    const r = await c.query(`SELECT value FROM settings WHERE key = 'bench.size'`);
    return r.rows[0]?.value === SIZE_MARK;
  } catch {
    return false;
  } finally {
    await c.end();
  }
}

type Stats = {
  sent: number;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  allowed: number;
  errors: number;
  cpu: { load: number | null; server: number | null; postgres: number | null };
  /** Garbage-collection pauses of the server process during the run. */
  gc?: { count: number; totalMs: number; maxMs: number };
  /** The server's event-loop delay during the run (ms). */
  loopDelay?: { p99: number; max: number };
  /** Open loop: the worst latency per 100 ms of schedule (ms). */
  timeline: number[];
};

async function main() {
  const startUptime = await uptime();
  log(`uptime at start: ${startUptime}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${DB_NAME}`;
  const reuse = !a.regenerate && (await dbExistsWithSize(url.toString()));
  if (!reuse) {
    const admin = new pg.Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${DB_NAME}`);
    await admin.end();
  }
  const serverUrl = new URL(url);
  serverUrl.searchParams.set('application_name', SERVER_APP);
  const db = await openPostgres(serverUrl.toString(), POOL);
  process.env.OMBUD_DEMO_PASSWORD = 'bench-password-1234';
  const app = createApp(db, loadConfig({ LOG_LEVEL, OMBUD_SECRET: SECRET }));
  // The audit chain key (outside the database; openApp loads it in production): one for this run.
  installAuditChainKeys(chainKeysFrom(`bench:${randomBytes(32).toString('base64')}`, 'bench'));
  const keys = await consentKeys(db, app.config.secret);
  await migrate(db);

  let generated: Awaited<ReturnType<typeof generate>> | null = null;
  if (!reuse) {
    await loadDemo(app);
    log(`generating ${N.toLocaleString('en')} subjects, ${(N * EPS).toLocaleString('en')} events`);
    generated = await generate(url.toString(), keys, N, EPS, { parallel: Number(a.parallel), log });
    await db.query(
      `INSERT INTO settings (key, value) VALUES ('bench.size', $1) ON CONFLICT (key) DO UPDATE SET value = $1`,
      [JSON.stringify(SIZE_MARK)],
    );
    log(`data generated and loaded in ${generated.seconds.toFixed(1)} s`);
  }
  const [{ events, subjects }] = await db.query<{ events: number; subjects: number }>(
    'SELECT (SELECT count(*)::int FROM consent_events) AS events, (SELECT count(*)::int FROM consent_subjects) AS subjects',
  );
  const dataLine = `Data: ${subjects.toLocaleString('en')} subjects, ${events.toLocaleString('en')} consent events (${
    generated === null
      ? 'reused from an earlier run'
      : `generated and loaded in ${generated.seconds.toFixed(1)} s: ${Object.entries(generated.steps)
          .filter(([k]) => k.includes('wall') || k.startsWith('vacuum') || k.startsWith('drop'))
          .map(([k, v]) => `${k} ${v.toFixed(1)} s`)
          .join(', ')}`
  })`;
  if (a['generate-only']) {
    console.log(dataLine);
    await app.close();
    return;
  }
  // The plan PostgreSQL keeps for the prepared lookup (after five executions it may switch to a
  // generic plan; `$2` in the plan shows it did).
  const plan = await (async () => {
    const c = new pg.Client({ connectionString: url.toString() });
    await c.connect();
    try {
      const sample = identityHash(keys, ORG, 'email', email(1));
      await c.query(`PREPARE bench_plan(text, text, text, text) AS ${CONTACT_CHECK_SQL}`);
      const args = `('${ORG}', '${sample}', '${PURPOSE}', 'direct-marketing')`;
      for (let k = 0; k < 6; k++) await c.query(`EXECUTE bench_plan${args}`);
      const r = await c.query<{ 'QUERY PLAN': string }>(`EXPLAIN EXECUTE bench_plan${args}`);
      return r.rows;
    } finally {
      await c.end();
    }
  })();

  // --- The server, with its real logger at LOG_LEVEL (written to /dev/null, not the terminal) ---
  const { key } = await createApiKey(db, SYSTEM_ACTOR, {
    name: 'bench',
    orgIds: [ORG],
    permissions: ['consent:read'],
    expiresInDays: 1,
  });
  const server = await buildServer(app, { logger: { stream: createWriteStream('/dev/null') } });
  await server.listen({ port: 0, host: '127.0.0.1' });
  const port = (server.server.address() as AddressInfo).port;
  const base = `http://127.0.0.1:${port}`;
  // The baseline over HTTP: a bare Fastify route with the same prepared query, in this process too.
  const bare = await startBareFastify(db, keys);

  const profiler = cpuProfiler();
  const pick = rng(7);
  const count = Math.max(1000, Math.round((RATE > 0 ? RATE : 2000) * SECONDS));
  const targets = Array.from({ length: count }, () => {
    const i = Math.floor(pick() * N);
    return { email: email(i), hash: identityHash(keys, ORG, 'email', email(i)) };
  });
  const file = `/tmp/consent-bench-targets-${process.pid}.json`;
  writeFileSync(file, JSON.stringify(targets));
  // Warm-up: the whole list once through each path, closed loop, before anything is measured. With only a
  // part of it warmed, the first measured run (Ombud's) met cold index pages of most of its subjects and the
  // raw-SQL run after it found them warm; now both measured runs see the same warm caches and a JIT-warm server.
  const warmFile = `${file}.warm`;
  writeFileSync(warmFile, JSON.stringify(targets));

  // The server's garbage-collection pauses (it runs in this process): a long pause is what an
  // open-loop p99 feels first.
  let gcPauses: number[] = [];
  const gcObserver = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcPauses.push(e.duration);
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  const load = async (mode: 'http' | 'sql', rate: number, f = file, url = base): Promise<Stats> => {
    gcPauses = [];
    const delay = monitorEventLoopDelay({ resolution: 1 });
    delay.enable();
    const profiling = a.profile !== undefined && mode === 'http' && rate === 0 && f !== warmFile;
    if (profiling) await profiler.start();
    const s = await loadRaw(mode, rate, f, url);
    if (profiling) await profiler.stop(`${a.profile}/${url === base ? 'ombud' : 'bare'}.cpuprofile`);
    delay.disable();
    s.loopDelay = { p99: delay.percentile(99) / 1e6, max: delay.max / 1e6 };
    await new Promise((r) => setImmediate(r));
    s.gc = {
      count: gcPauses.length,
      totalMs: gcPauses.reduce((x, y) => x + y, 0),
      maxMs: Math.max(0, ...gcPauses),
    };
    log(`${mode}${url === base ? '' : ' (bare Fastify)'} rate ${rate}: ${JSON.stringify(s)}`);
    return s;
  };
  const loadRaw = async (mode: 'http' | 'sql', rate: number, f: string, target: string): Promise<Stats> =>
    JSON.parse(
      (
        await promisify(execFile)(
          process.execPath,
          [
            '--import',
            'tsx',
            'bench/consent/load.ts',
            ...['--mode', mode, '--client', a.client!, '--targets', f, '--rate', String(rate)],
            ...['--concurrency', String(CONC), '--url', target, '--key', key, '--pg', url.toString()],
            ...(mode === 'http' ? ['--server-pid', String(process.pid)] : []),
            ...['--backends', mode === 'http' ? SERVER_APP : SQL_APP],
          ],
          { encoding: 'utf8', maxBuffer: 1 << 20 },
        )
      ).stdout.trim(),
    ) as Stats;

  log('warming up');
  await load('http', 0, warmFile);
  await load('sql', 0, warmFile);
  await load('http', 0, warmFile, bare.base);
  log(`HTTP at ${RATE} req/s`);
  const httpFixed = await load('http', RATE);
  log(`bare Fastify at ${RATE} req/s`);
  const bareFixed = await load('http', RATE, file, bare.base);
  log(`raw SQL at ${RATE} q/s`);
  const sqlFixed = await load('sql', RATE);
  log('HTTP closed loop');
  const httpMax = await load('http', 0);
  log('raw SQL closed loop');
  const sqlMax = await load('sql', 0);
  log('bare Fastify closed loop');
  const bareMax = await load('http', 0, file, bare.base);

  // Closed loop with wrk (C, cheaper than any Node client) when installed: the server's ceiling.
  let wrk: {
    rps: number;
    p50: number;
    p90: number;
    p99: number;
    max: number;
    requests: number;
    allowed: number;
    errors: number;
  } | null = null;
  if (!a['no-wrk'] && existsSync('/usr/bin/wrk')) {
    log('HTTP closed loop with wrk');
    wrk = await runWrk(base, key, targets, CONC, Math.max(5, Math.min(SECONDS, 15)));
  }

  // --- Bulk filter of a send list, through the real endpoint ---
  log(`bulk filter of ${BULK.toLocaleString('en')}`);
  // A send list of the addresses of subjects 0 … BULK-1 (beyond N: addresses the database does
  // not know), posted by the second process.
  const bulk = JSON.parse(
    (
      await promisify(execFile)(
        process.execPath,
        [
          '--import',
          'tsx',
          'bench/consent/load.ts',
          ...['--mode', 'bulk', '--bulk', String(BULK), '--url', base, '--key', key],
          ...['--server-pid', String(process.pid)],
        ],
        { encoding: 'utf8', maxBuffer: 1 << 20 },
      )
    ).stdout.trim(),
  ) as {
    status: number;
    error?: string;
    seconds: number;
    bytesSent: number;
    bytesReceived: number;
    allowed: number;
    refused: number;
    serverCpuSeconds: number;
  };
  if (bulk.status !== 200) throw new Error(`bulk: HTTP ${bulk.status} ${bulk.error}`);
  // The same count in SQL, by the addresses themselves.
  const [{ expected }] = await db.query<{ expected: number }>(
    `SELECT count(*)::int AS expected
       FROM consent_identities i JOIN consent_subjects s ON s.id = i.subject_id
       JOIN consent_state c ON c.subject_id = s.id AND c.purpose_id = $2 AND c.channel = 'email' AND c.status = 'granted'
      WHERE i.org_id = $1 AND i.kind = 'email' AND NOT s.restricted
        AND i.value IN (SELECT 'subject' || g || '@bench.example' FROM generate_series(0, $3::int - 1) AS g)
        AND NOT EXISTS (SELECT 1 FROM consent_state o WHERE o.subject_id = s.id AND o.purpose_id = 'direct-marketing'
                           AND o.status = 'objected' AND o.since >= c.since)`,
    [ORG, PURPOSE, Math.min(BULK, N)],
  );
  const endUptime = await uptime();

  gcObserver.disconnect();
  await server.close();
  await bare.server.close();
  await app.close();
  rmSync(file, { force: true });
  rmSync(warmFile, { force: true });

  const perSecond = (t: number[]) => {
    const out: number[] = [];
    for (let k = 0; k < t.length; k += 10) out.push(Math.max(...t.slice(k, k + 10)));
    return out.join(' ');
  };
  const us = (x: number | null) => (x === null ? '–' : `${Math.round(x)} µs`);
  const total = (s: Stats) => (s.cpu.load ?? 0) + (s.cpu.server ?? 0) + (s.cpu.postgres ?? 0);
  const row = (name: string, s: Stats, unit: string, http: boolean) =>
    `| ${name} | ${s.rps.toFixed(0)} ${unit} | ${ms(s.p50)} | ${ms(s.p90)} | ${ms(s.p99)} | ${ms(s.max)} | ${s.allowed.toLocaleString('en')} | ${s.errors} | ${http ? us(s.cpu.server) : '–'} | ${us(s.cpu.postgres)} | ${us(s.cpu.load)} | ${us(total(s))} |`;
  const meets = (ok: boolean) => (ok ? 'met' : '**NOT met**');
  const out = [
    dataLine,
    `Server: log level ${LOG_LEVEL}, pg pool ${POOL}. Load: ${count.toLocaleString('en')} lookups per row from a second process (${a.client} HTTP client), at most ${CONC} in flight; raw SQL over 8 connections.`,
    `uptime at start: ${startUptime}`,
    `uptime at end:   ${endUptime}`,
    `Plan of the lookup: ${plan.map((p) => p['QUERY PLAN'].trim()).join(' / ')}`,
    '',
    '| lookup | throughput | p50 | p90 | p99 | max | allowed | errors | CPU/req Ombud | CPU/req PostgreSQL | CPU/req load driver | CPU/req total |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    row(`Ombud HTTP, open loop at ${RATE} req/s`, httpFixed, 'req/s', true),
    row(`raw SQL through pg, open loop at ${RATE} q/s`, sqlFixed, 'q/s', false),
    row(`bare Fastify route, same prepared query, open loop at ${RATE} req/s`, bareFixed, 'req/s', true),
    row('Ombud HTTP, closed loop (max)', httpMax, 'req/s', true),
    row('bare Fastify route, same prepared query, closed loop (max)', bareMax, 'req/s', true),
    row('raw SQL through pg, closed loop (max)', sqlMax, 'q/s', false),
    ...(wrk
      ? [
          `| Ombud HTTP, closed loop with wrk (${wrk.requests.toLocaleString('en')} requests) | ${wrk.rps.toFixed(0)} req/s | ${ms(wrk.p50)} | ${ms(wrk.p90)} | ${ms(wrk.p99)} | ${ms(wrk.max)} | ${wrk.allowed.toLocaleString('en')} | ${wrk.errors} | – | – | – | – |`,
        ]
      : []),
    '',
    `Ratios (Ombud HTTP / raw SQL): p99 at ${RATE}/s ${(httpFixed.p99 / sqlFixed.p99).toFixed(1)}×, p50 ${(httpFixed.p50 / sqlFixed.p50).toFixed(1)}×; maximum throughput raw SQL / Ombud ${(sqlMax.rps / httpMax.rps).toFixed(1)}×; CPU per request (all processes, closed loop) ${(total(httpMax) / total(sqlMax)).toFixed(1)}×.`,
    `Server CPU per request, Ombud / bare Fastify with the same prepared query (same run; the "CPU/req Ombud" column is the server process for both): open loop ${((httpFixed.cpu.server ?? 0) / (bareFixed.cpu.server ?? 1)).toFixed(2)}×, closed loop ${((httpMax.cpu.server ?? 0) / (bareMax.cpu.server ?? 1)).toFixed(2)}×. Target ≤ 1.25×: ${meets((httpFixed.cpu.server ?? 0) <= 1.25 * (bareFixed.cpu.server ?? 0))} (open loop).`,
    `Server during the open-loop HTTP run: ${httpFixed.gc!.count} garbage-collection pauses, ${httpFixed.gc!.totalMs.toFixed(0)} ms in all, longest ${httpFixed.gc!.maxMs.toFixed(1)} ms; event-loop delay p99 ${httpFixed.loopDelay!.p99.toFixed(1)} ms, max ${httpFixed.loopDelay!.max.toFixed(1)} ms (closed loop: ${httpMax.gc!.count} pauses, longest ${httpMax.gc!.maxMs.toFixed(1)} ms).`,
    `Worst latency per second of the open-loop runs (ms): Ombud ${perSecond(httpFixed.timeline)}; raw SQL ${perSecond(sqlFixed.timeline)}.`,
    `CPU needed for ${RATE} req/s at the open-loop cost per request: ${((total(httpFixed) * RATE) / 1e6).toFixed(2)} cores of 2 (Ombud ${(((httpFixed.cpu.server ?? 0) * RATE) / 1e6).toFixed(2)}, PostgreSQL ${(((httpFixed.cpu.postgres ?? 0) * RATE) / 1e6).toFixed(2)}, load driver ${(((httpFixed.cpu.load ?? 0) * RATE) / 1e6).toFixed(2)}).`,
    `Target p99 < 5 ms at ${RATE} req/s over HTTP: ${meets(httpFixed.p99 < 5 && httpFixed.rps >= RATE * 0.97)} (p99 ${ms(httpFixed.p99)}, ${httpFixed.rps.toFixed(0)} req/s).`,
    `Bulk filter of a ${BULK.toLocaleString('en')}-address send list over HTTP (one POST of ${(bulk.bytesSent / 1e6).toFixed(1)} MB, answer ${(bulk.bytesReceived / 1e6).toFixed(1)} MB): ${bulk.seconds.toFixed(2)} s, server CPU ${bulk.serverCpuSeconds.toFixed(2)} s (${bulk.allowed.toLocaleString('en')} may be contacted, ${bulk.refused.toLocaleString('en')} refused; SQL count by address: ${expected.toLocaleString('en')}). Target < 10 s: ${meets(bulk.seconds < 10)}.`,
  ];
  console.log(out.join('\n'));
  const problems: string[] = [];
  if (bareFixed.allowed !== sqlFixed.allowed)
    problems.push(`bare Fastify and raw SQL disagree: ${bareFixed.allowed} vs ${sqlFixed.allowed}`);
  if (httpFixed.allowed !== sqlFixed.allowed || httpMax.allowed !== sqlMax.allowed)
    problems.push(
      `Ombud and raw SQL disagree: HTTP allowed ${httpFixed.allowed}/${httpMax.allowed}, SQL allowed ${sqlFixed.allowed}/${sqlMax.allowed}`,
    );
  if (httpFixed.errors + sqlFixed.errors + httpMax.errors + sqlMax.errors + (wrk?.errors ?? 0) > 0)
    problems.push('errors in the lookups');
  if (bulk.allowed !== expected) problems.push(`bulk filter allowed ${bulk.allowed}, SQL count ${expected}`);
  if (problems.length > 0) {
    console.error(`FAILED: ${problems.join('; ')}`);
    process.exitCode = 1;
  }
}

/** wrk (closed loop) cycling through the same request bodies; counts allowed answers in Lua. */
async function runWrk(
  base: string,
  key: string,
  targets: { email: string }[],
  conc: number,
  seconds: number,
) {
  const bodies = targets
    .slice(0, 20_000)
    .map((t) => JSON.stringify({ identity: { email: t.email }, purpose: PURPOSE, channel: 'email' }));
  const script = `/tmp/consent-bench-wrk-${process.pid}.lua`;
  writeFileSync(
    script,
    `local bodies = {${bodies.map((b) => `[==[${b}]==]`).join(',\n')}}
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) n = 0; allowed = 0; errors = 0; requests = 0 end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer ${key}"
function request()
  n = n % #bodies + 1
  return wrk.format(nil, "/api/v1/organizations/${ORG}/contact-checks", nil, bodies[n])
end
function response(status, headers, body)
  requests = requests + 1
  if status ~= 200 then errors = errors + 1
  elseif string.find(body, '"allowed":true', 1, true) then allowed = allowed + 1 end
end
function done(summary, latency, requests_)
  local a, e, r = 0, 0, 0
  for _, t in ipairs(threads) do a = a + t:get("allowed"); e = e + t:get("errors"); r = r + t:get("requests") end
  io.write(string.format('WRKJSON {"rps":%f,"p50":%f,"p90":%f,"p99":%f,"max":%f,"requests":%d,"allowed":%d,"errors":%d}\\n',
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, r, a, e + summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
`,
  );
  try {
    const { stdout } = await promisify(execFile)(
      'wrk',
      ['-t', '1', '-c', String(conc), '-d', `${seconds}s`, '-s', script, base],
      { encoding: 'utf8', maxBuffer: 1 << 20 },
    );
    const line = stdout.split('\n').find((l) => l.startsWith('WRKJSON '));
    if (!line) throw new Error(`wrk printed no result: ${stdout.slice(0, 500)}`);
    return JSON.parse(line.slice(8));
  } finally {
    rmSync(script, { force: true });
  }
}

await main();
