/**
 * "May we contact?" lookups against a real PostgreSQL: Ombud over HTTP (the real server with its
 * logger at LOG_LEVEL, an API key, POST /api/v1/organizations/:orgId/contact-checks) beside the
 * same lookup done with raw SQL through `pg`, in one run; and the bulk filter of a send list.
 * Load comes from a second process (bench/consent/load.ts). Data is generated deterministically
 * into the database `ombud_bench` and reused by later runs of the same size (--regenerate to redo).
 *
 *   node --import tsx bench/consent/lookup.ts [--subjects 1000000] [--events-per-subject 5]
 *        [--rate 2000] [--seconds 15] [--concurrency 64] [--bulk 1000000] [--log-level warn] [--regenerate]
 * Needs PostgreSQL at OMBUD_BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/postgres).
 */
import { execFile } from 'node:child_process';
import { createWriteStream, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { parseArgs, promisify } from 'node:util';
import pg from 'pg';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { loadDemo } from '../../src/demo/loadDemo.ts';
import { buildServer } from '../../src/http/server.ts';
import { SYSTEM_ACTOR } from '../../src/services/audit/auditLog.ts';
import { createApiKey } from '../../src/services/apikeys/apiKeys.ts';
import { consentKeys, identityHash } from '../../src/services/consent/keys.ts';
import { migrate } from '../../src/storage/migrate.ts';
import { openPostgres } from '../../src/storage/postgres.ts';

const { values: a } = parseArgs({
  options: {
    subjects: { type: 'string', default: '1000000' },
    'events-per-subject': { type: 'string', default: '5' },
    rate: { type: 'string', default: '2000' },
    seconds: { type: 'string', default: '15' },
    concurrency: { type: 'string', default: '64' },
    bulk: { type: 'string', default: '1000000' },
    'log-level': { type: 'string', default: 'warn' },
    regenerate: { type: 'boolean', default: false },
  },
});
const N = Number(a.subjects);
const EPS = Number(a['events-per-subject']);
const RATE = Number(a.rate);
const SECONDS = Number(a.seconds);
const CONC = Number(a.concurrency);
const BULK = Number(a.bulk);
const LOG_LEVEL = a['log-level']!;
const ORG = 'nestit-group';
const PURPOSE = 'communication-subscription';
const ADMIN_URL = process.env.OMBUD_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DB_NAME = 'ombud_bench';
const SECRET = 'b'.repeat(64);
const SIZE_MARK = `${N}x${EPS}`;

/** Deterministic PRNG (mulberry32). */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const email = (i: number) => `subject${i}@bench.example`;
const ms = (x: number) => `${x.toFixed(2)} ms`;
const log = (m: string) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${m}`);

async function dbExistsWithSize(): Promise<boolean> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    const r = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [DB_NAME]);
    if (r.rowCount === 0) return false;
  } finally {
    await admin.end();
  }
  const url = new URL(ADMIN_URL);
  url.pathname = `/${DB_NAME}`;
  const c = new pg.Client({ connectionString: url.toString() });
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

async function main() {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${DB_NAME}`;
  const reuse = !a.regenerate && (await dbExistsWithSize());
  if (!reuse) {
    const admin = new pg.Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${DB_NAME}`);
    await admin.end();
  }
  const db = await openPostgres(url.toString(), 10);
  process.env.OMBUD_DEMO_PASSWORD = 'bench-password-1234';
  const app = createApp(db, loadConfig({ LOG_LEVEL, OMBUD_SECRET: SECRET }));
  const keys = await consentKeys(db, app.config.secret);

  let loadSeconds: number | null = null;
  if (!reuse) {
    await migrate(db);
    await loadDemo(app);
    log(`generating ${N} subjects, ${N * EPS} events`);
    const t0 = performance.now();
    // Subjects and identities: the keyed hash is computed in Node (the key never goes to SQL),
    // sent 100,000 at a time as array parameters.
    const B = 100_000;
    for (let s = 0; s < N; s += B) {
      const n = Math.min(B, N - s);
      const hashes = Array.from({ length: n }, (_, k) => identityHash(keys, ORG, 'email', email(s + k)));
      await db.query(
        `INSERT INTO consent_subjects (id, org_id, created_at)
         SELECT md5('subject-' || i)::uuid, $1, timestamptz '2025-01-01' FROM generate_series($2::int, $3::int) AS i`,
        [ORG, s, s + n - 1],
      );
      await db.query(
        `INSERT INTO consent_identities (subject_id, org_id, kind, value, value_hash, created_at)
         SELECT md5('subject-' || ($2::int + o::int - 1))::uuid, $1, 'email',
                'subject' || ($2::int + o::int - 1) || '@bench.example', h, timestamptz '2025-01-01'
           FROM unnest($3::text[]) WITH ORDINALITY AS x(h, o)`,
        [ORG, s, hashes],
      );
    }
    log(`subjects and identities in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    // Events, all in SQL: EPS alternating grant/withdraw events per subject; the last one decides.
    // Subject i ends granted when md5('g' || i) falls in the lower 70 %; 2 % (i % 50 = 7) also
    // object to direct marketing. Ids are md5-derived, so every run produces the same rows.
    const granted = `((('x' || substr(md5('g' || i), 1, 7))::bit(28)::int % 100) < 70)`;
    for (let s = 0; s < N; s += 250_000) {
      await db.query(
        `INSERT INTO consent_events (id, org_id, subject_id, purpose_id, channel, kind, wording, notice_version, source, actor, at, recorded_at)
         SELECT md5('event-' || i || '-' || e)::uuid, $1, md5('subject-' || i)::uuid, $2, 'email',
                CASE WHEN (($3 - 1 - e) % 2 = 0) = ${granted} THEN 'grant' ELSE 'withdraw' END,
                'Yes, send me newsletters by e-mail.', 1, 'checkout', 'system:bench',
                timestamptz '2025-01-01' + make_interval(days => e), timestamptz '2025-01-01' + make_interval(days => e)
           FROM generate_series($4::int, $5::int) AS i, generate_series(0, $3 - 1) AS e`,
        [ORG, PURPOSE, EPS, s, Math.min(N, s + 250_000) - 1],
      );
    }
    log(`events in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    await db.query(
      `INSERT INTO consent_events (id, org_id, subject_id, purpose_id, channel, kind, wording, notice_version, source, actor, at, recorded_at)
       SELECT md5('objection-' || i)::uuid, $1, md5('subject-' || i)::uuid, 'direct-marketing', '*', 'object',
              NULL, 1, 'customer-service', 'system:bench', timestamptz '2025-06-01', timestamptz '2025-06-01'
         FROM generate_series(0, $2::int - 1) AS i WHERE i % 50 = 7`,
      [ORG, N],
    );
    await db.query(
      `INSERT INTO consent_state (org_id, subject_id, purpose_id, channel, status, event_id, since)
       SELECT $1, md5('subject-' || i)::uuid, $2, 'email',
              CASE WHEN ${granted} THEN 'granted' ELSE 'withdrawn' END,
              md5('event-' || i || '-' || ($3 - 1))::uuid, timestamptz '2025-01-01' + make_interval(days => $3 - 1)
         FROM generate_series(0, $4::int - 1) AS i
       UNION ALL
       SELECT $1, md5('subject-' || i)::uuid, 'direct-marketing', '*', 'objected', md5('objection-' || i)::uuid,
              timestamptz '2025-06-01'
         FROM generate_series(0, $4::int - 1) AS i WHERE i % 50 = 7`,
      [ORG, PURPOSE, EPS, N],
    );
    await db.exec('VACUUM ANALYZE');
    await db.query(
      `INSERT INTO settings (key, value) VALUES ('bench.size', $1) ON CONFLICT (key) DO UPDATE SET value = $1`,
      [JSON.stringify(SIZE_MARK)],
    );
    loadSeconds = (performance.now() - t0) / 1000;
    log(`data generated and loaded in ${loadSeconds.toFixed(1)} s`);
  }
  const [{ events, subjects }] = await db.query<{ events: number; subjects: number }>(
    'SELECT (SELECT count(*)::int FROM consent_events) AS events, (SELECT count(*)::int FROM consent_subjects) AS subjects',
  );
  const plan = await db.query<{ 'QUERY PLAN': string }>(
    `EXPLAIN SELECT s.id, s.restricted,
            (SELECT json_agg(json_build_object('purposeId', c.purpose_id, 'channel', c.channel, 'status', c.status, 'since', c.since))
               FROM consent_state c WHERE c.subject_id = s.id AND c.purpose_id IN ($3, $4)) AS state
       FROM consent_identities i JOIN consent_subjects s ON s.id = i.subject_id
      WHERE i.value_hash = ANY($2::text[]) AND i.org_id = $1`,
    [ORG, [identityHash(keys, ORG, 'email', email(1))], PURPOSE, 'direct-marketing'],
  );

  // --- The server, with its real logger at LOG_LEVEL (written to /dev/null, not the terminal) ---
  const { key } = await createApiKey(db, SYSTEM_ACTOR, {
    name: 'bench',
    orgIds: [ORG],
    permissions: ['consent:read'],
    expiresInDays: 1,
  });
  const server = await buildServer(app, { logger: { stream: createWriteStream('/dev/null') } });
  await server.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;

  const pick = rng(7);
  const count = Math.max(1000, Math.round((RATE > 0 ? RATE : 2000) * SECONDS));
  const targets = Array.from({ length: count }, () => {
    const i = Math.floor(pick() * N);
    return { email: email(i), hash: identityHash(keys, ORG, 'email', email(i)) };
  });
  const file = `/tmp/consent-perf-bench-targets-${process.pid}.json`;
  writeFileSync(file, JSON.stringify(targets));
  const warmFile = `/tmp/consent-perf-bench-warm-${process.pid}.json`;
  writeFileSync(warmFile, JSON.stringify(targets.slice(0, 2000)));

  type Stats = {
    rps: number;
    p50: number;
    p90: number;
    p99: number;
    max: number;
    allowed: number;
    errors: number;
  };
  const load = async (mode: 'http' | 'sql', rate: number, f = file): Promise<Stats> =>
    JSON.parse(
      (
        await promisify(execFile)(
          process.execPath,
          [
            '--import',
            'tsx',
            'bench/consent/load.ts',
            '--mode',
            mode,
            '--targets',
            f,
            '--rate',
            String(rate),
            '--concurrency',
            String(CONC),
            '--url',
            base,
            '--key',
            key,
            '--pg',
            url.toString(),
          ],
          { encoding: 'utf8', maxBuffer: 1 << 20 },
        )
      ).stdout.trim(),
    ) as Stats;

  const load1 = loadavg()[0]!;
  log('warming up');
  await load('http', 0, warmFile);
  await load('sql', 0, warmFile);
  log(`HTTP at ${RATE} req/s`);
  const httpFixed = await load('http', RATE);
  log(`raw SQL at ${RATE} q/s`);
  const sqlFixed = await load('sql', RATE);
  log('HTTP closed loop');
  const httpMax = await load('http', 0);
  log('raw SQL closed loop');
  const sqlMax = await load('sql', 0);

  // --- Bulk filter of a send list ---
  log(`bulk filter of ${BULK}`);
  const list = Array.from({ length: BULK }, (_, k) => email(k % N));
  const body = JSON.stringify({ purpose: PURPOSE, channel: 'email', recipients: list });
  const b0 = performance.now();
  const bulkRes = await fetch(`${base}/api/v1/organizations/${ORG}/contact-checks/bulk`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body,
  });
  const bulk = (await bulkRes.json()) as { allowed: string[] };
  const bulkSeconds = (performance.now() - b0) / 1000;
  if (bulkRes.status !== 200)
    throw new Error(`bulk: HTTP ${bulkRes.status} ${JSON.stringify(bulk).slice(0, 300)}`);
  const load2 = loadavg()[0]!;

  await server.close();
  await app.close();

  const row = (name: string, s: Stats, unit: string) =>
    `| ${name} | ${s.rps.toFixed(0)} ${unit} | ${ms(s.p50)} | ${ms(s.p90)} | ${ms(s.p99)} | ${ms(s.max)} | ${s.allowed} | ${s.errors} |`;
  const out = [
    `Data: ${subjects.toLocaleString('en')} subjects, ${events.toLocaleString('en')} consent events (${loadSeconds === null ? 'reused from an earlier run' : `generated and loaded in ${loadSeconds.toFixed(1)} s`})`,
    `Server log level: ${LOG_LEVEL}. Load: ${count.toLocaleString('en')} lookups per row from a second process, at most ${CONC} in flight. Load average (1 min) at start ${load1.toFixed(2)}, at end ${load2.toFixed(2)}.`,
    `Plan of the lookup: ${plan.map((p) => p['QUERY PLAN'].trim()).join(' / ')}`,
    '',
    '| lookup | throughput | p50 | p90 | p99 | max | allowed | errors |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    row(`Ombud HTTP, offered ${RATE} req/s`, httpFixed, 'req/s'),
    row(`raw SQL through pg, offered ${RATE} q/s`, sqlFixed, 'q/s'),
    row('Ombud HTTP, closed loop (max)', httpMax, 'req/s'),
    row('raw SQL through pg, closed loop (max)', sqlMax, 'q/s'),
    '',
    `Ratio of maximum throughput (raw SQL / Ombud HTTP): ${(sqlMax.rps / httpMax.rps).toFixed(1)}×; p99 at ${RATE}/s: ${(httpFixed.p99 / sqlFixed.p99).toFixed(1)}× raw SQL's`,
    `Bulk filter of a ${BULK.toLocaleString('en')}-address send list over HTTP: ${bulkSeconds.toFixed(2)} s (${bulk.allowed.length.toLocaleString('en')} may be contacted)`,
  ];
  console.log(out.join('\n'));
  if (httpFixed.allowed !== sqlFixed.allowed || httpFixed.errors + sqlFixed.errors > 0) {
    console.error(`MISMATCH or errors: HTTP allowed ${httpFixed.allowed}, SQL allowed ${sqlFixed.allowed}`);
    process.exitCode = 1;
  }
}

await main();
