/**
 * Where Ombud's CPU per lookup goes beyond a bare Fastify route (issue #20): both in this process over
 * `inject()` (no sockets, so the HTTP parser and the kernel, the same for both, are left out), one request at
 * a time, the same prepared statement on the same Db, against the data set of `lookup.ts` (run it first
 * with the same --db and --subjects). Prints CPU µs per request of this process for each, the difference and
 * the ratio. Variants switch parts of Ombud off (`OMBUD_BENCH_OFF=metrics,...`) to price them.
 *
 *   node --import tsx bench/consent/overhead.ts [--db ombud_consent_bench_small] [--subjects 20000] [--n 20000]
 */
import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { parseArgs, promisify } from 'node:util';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { buildServer } from '../../src/http/server.ts';
import { createApiKey } from '../../src/services/apikeys/apiKeys.ts';
import { SYSTEM_ACTOR } from '../../src/services/audit/auditLog.ts';
import { chainKeysFrom, installAuditChainKeys } from '../../src/services/audit/keys.ts';
import { consentKeys } from '../../src/services/consent/keys.ts';
import { openPostgres } from '../../src/storage/postgres.ts';
import { startBareFastify } from './bare.ts';
import { email, ORG, PURPOSE } from './generate.ts';

const { values: a } = parseArgs({
  options: {
    db: { type: 'string', default: 'ombud_consent_bench_small' },
    subjects: { type: 'string', default: '20000' },
    n: { type: 'string', default: '20000' },
    rounds: { type: 'string', default: '40' },
    only: { type: 'string' },
    callgrind: { type: 'boolean', default: false },
    warm: { type: 'string', default: '6000' },
    heap: { type: 'string' },
  },
});
const url = new URL(process.env.OMBUD_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
url.pathname = `/${a.db}`;
const db = await openPostgres(url.toString(), 10);
const app = createApp(db, loadConfig({ LOG_LEVEL: 'warn', OMBUD_SECRET: 'b'.repeat(64) }));
installAuditChainKeys(chainKeysFrom(`bench:${randomBytes(32).toString('base64')}`, 'bench'));
const keys = await consentKeys(db, app.config.secret);
const { key } = await createApiKey(db, SYSTEM_ACTOR, {
  name: 'bench-overhead',
  orgIds: [ORG],
  permissions: ['consent:read'],
  expiresInDays: 1,
});
const server = await buildServer(app, { logger: false });
await server.ready();
const bare = await startBareFastify(db, keys);
const N = Number(a.n);
const S = Number(a.subjects);
const bodies = Array.from({ length: N }, (_, k) =>
  JSON.stringify({ identity: { email: email((k * 7919) % S) }, purpose: PURPOSE, channel: 'email' }),
);
const path = `/api/v1/organizations/${ORG}/contact-checks`;
const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };

async function run(target: typeof bare.server, n: number): Promise<number> {
  const t0 = process.cpuUsage();
  for (let k = 0; k < n; k++) {
    const r = await target.inject({ method: 'POST', url: path, headers, payload: bodies[k % N] });
    if (r.statusCode !== 200) throw new Error(`${r.statusCode} ${r.body}`);
  }
  const t = process.cpuUsage(t0);
  return (t.user + t.system) / n;
}
const ombud = server as unknown as typeof bare.server;
if (a.heap) {
  // --heap ombud|bare: V8's sampling heap profile over --n requests of one side, bytes allocated per
  // request by function (what the young-generation collections pay for).
  await run(a.heap === 'bare' ? bare.server : ombud, Number(a.warm));
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.enable');
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 512,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  await run(a.heap === 'bare' ? bare.server : ombud, N);
  const { profile } = await session.post('HeapProfiler.stopSampling');
  type HeapNode = {
    callFrame: { functionName: string; url: string; lineNumber: number };
    selfSize: number;
    children: HeapNode[];
  };
  const by = new Map<string, number>();
  let total = 0;
  const walk = (n: HeapNode) => {
    const f = n.callFrame;
    const key = `${f.functionName || '(anonymous)'} ${f.url.replace(/.*node_modules\//, '').replace(/.*\/src\//, 'src/')}:${f.lineNumber + 1}`;
    by.set(key, (by.get(key) ?? 0) + n.selfSize);
    total += n.selfSize;
    for (const c of n.children) walk(c);
  };
  walk(profile.head as HeapNode);
  console.log(`${a.heap}: ${Math.round(total / N)} bytes allocated per request (sampled)`);
  for (const [k, v] of [...by.entries()].sort((x, y) => y[1] - x[1]).slice(0, 30))
    console.log(`${String(Math.round(v / N)).padStart(7)} B  ${k}`);
  process.exit(0);
}
if (a.callgrind) {
  await callgrindCompare(ombud, bare.server);
  process.exit(0);
}
await run(ombud, 2000);
await run(bare.server, 2000);
// Short alternating chunks, the lowest of each side: other work on the machine only ever adds CPU time
// (cache misses, switches), so the minimum over many chunks is the closest to a quiet machine's figure.
const chunk = Math.min(N, 1000);
const o: number[] = [];
const b: number[] = [];
for (let round = 0; round < Number(a.rounds); round++) {
  if (a.only !== 'bare') o.push(await run(ombud, chunk));
  if (a.only !== 'ombud') b.push(await run(bare.server, chunk));
}
const low = (xs: number[]) => Math.min(...xs);
const mid = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? 0;
console.log(
  `${a.rounds} chunks of ${chunk} each: Ombud min ${low(o).toFixed(1)} µs (median ${mid(o).toFixed(1)}), bare Fastify min ${low(b).toFixed(1)} µs (median ${mid(b).toFixed(1)}) per request (this process, inject): +${(low(o) - low(b)).toFixed(1)} µs, ${(low(o) / low(b)).toFixed(2)}×`,
);
await server.close();
await bare.server.close();
await app.close();

/**
 * --callgrind (run under `valgrind --tool=callgrind --instr-atstart=no`): instructions per request of each
 * side, counted by valgrind, which other work on the machine does not change (a shared machine's CPU time
 * does). Both sides are warmed (JIT) first; then each runs --n requests with instrumentation on.
 */
async function callgrindCompare(o: typeof bare.server, b: typeof bare.server) {
  const control = (...args: string[]) =>
    promisify(execFile)('callgrind_control', [...args, String(process.pid)]);
  const n = Number(a.n);
  const counted = async (target: typeof bare.server, label: string) => {
    await run(target, Number(a.warm)); // warm: the JIT has compiled the hot paths before counting starts
    await control('-z');
    await control('-i', 'on');
    await run(target, n);
    await control('-i', 'off');
    await control('-d', label);
  };
  await counted(o, 'ombud');
  await counted(b, 'bare');
  // The dumps: callgrind.out.<pid>.<k>, each with a `totals:` line of instructions executed.
  const files = readdirSync('.').filter((f) => f.startsWith(`callgrind.out.${process.pid}.`));
  const ir = (label: string) => {
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      if (!new RegExp(`^desc: Trigger: .*\\b${label}\\b`, 'm').test(text)) continue;
      const m = /^totals: (\d+)/m.exec(text);
      if (m) return Number(m[1]);
    }
    throw new Error(`no callgrind dump for ${label}`);
  };
  const io = ir('ombud') / n;
  const ib = ir('bare') / n;
  for (const f of files) rmSync(f, { force: true });
  console.log(
    `instructions per request (valgrind, this process, inject, ${n} requests each): Ombud ${Math.round(io).toLocaleString('en')}, bare Fastify ${Math.round(ib).toLocaleString('en')}: ${(io / ib).toFixed(2)}×`,
  );
}
