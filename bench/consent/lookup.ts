/**
 * "May we contact?" lookups against a real PostgreSQL: Ombud over HTTP (the real server, a signed-in
 * session, POST /api/v1/organizations/:orgId/contact-checks) beside the same lookup done with raw SQL
 * through `pg`, in one run; and the bulk filter of a send list. Data is generated deterministically.
 *
 *   node --import tsx bench/consent/lookup.ts [--subjects 100000] [--events-per-subject 5] [--requests 20000]
 *        [--concurrency 16] [--bulk 100000]
 * Needs PostgreSQL at OMBUD_BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/postgres).
 */
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { loadDemo } from '../../src/demo/loadDemo.ts';
import { buildServer } from '../../src/http/server.ts';
import { consentKeys, identityHash } from '../../src/services/consent/keys.ts';
import { migrate } from '../../src/storage/migrate.ts';
import { openPostgres } from '../../src/storage/postgres.ts';

const { values: a } = parseArgs({
  options: {
    subjects: { type: 'string', default: '100000' },
    'events-per-subject': { type: 'string', default: '5' },
    requests: { type: 'string', default: '20000' },
    concurrency: { type: 'string', default: '16' },
    bulk: { type: 'string', default: '100000' },
    keep: { type: 'boolean', default: false },
  },
});
const N = Number(a.subjects);
const EPS = Number(a['events-per-subject']);
const REQUESTS = Number(a.requests);
const CONC = Number(a.concurrency);
const BULK = Number(a.bulk);
const ORG = 'nestit-group';
const PURPOSE = 'communication-subscription';
const ADMIN_URL = process.env.OMBUD_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DB_NAME = `ombud_bench_${N}`;

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
const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const ms = (x: number) => `${x.toFixed(2)} ms`;

async function main() {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${DB_NAME}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${DB_NAME}`;
  const db = await openPostgres(url.toString(), 10);
  await migrate(db);
  process.env.OMBUD_DEMO_PASSWORD = 'bench-password-1234';
  const app = createApp(db, loadConfig({ LOG_LEVEL: 'silent', OMBUD_SECRET: 'b'.repeat(64) }));
  await loadDemo(app);
  const keys = await consentKeys(db, app.config.secret);

  // --- Data: N subjects with an e-mail identity; EPS events each; state from the last event. ---
  const t0 = performance.now();
  const r = rng(42);
  const B = 5000;
  for (let s = 0; s < N; s += B) {
    const n = Math.min(B, N - s);
    const idx = Array.from({ length: n }, (_, k) => s + k);
    await db.query(
      `WITH ins AS (
         INSERT INTO consent_subjects (id, org_id)
         SELECT md5('subject-' || i)::uuid, $1 FROM unnest($2::int[]) AS i RETURNING id)
       INSERT INTO consent_identities (subject_id, org_id, kind, value, value_hash)
       SELECT md5('subject-' || i)::uuid, $1, 'email', v, h FROM unnest($2::int[], $3::text[], $4::text[]) AS x(i, v, h)`,
      [ORG, idx, idx.map(email), idx.map((i) => identityHash(keys, ORG, 'email', email(i)))],
    );
    // Events alternate grant/withdraw; the last one decides. ~70% end granted.
    const finalGranted = idx.map(() => r() < 0.7);
    await db.query(
      `INSERT INTO consent_events (org_id, subject_id, purpose_id, channel, kind, wording, notice_version, source, actor, at)
       SELECT $1, md5('subject-' || i)::uuid, $2, 'email',
              CASE WHEN (($3 - 1 - e) % 2 = 0) = g THEN 'grant' ELSE 'withdraw' END,
              'Yes, send me newsletters by e-mail.', 1, 'checkout', 'system:bench',
              timestamptz '2025-01-01' + (e || ' days')::interval
         FROM unnest($4::int[], $5::boolean[]) AS x(i, g), generate_series(0, $3 - 1) AS e`,
      [ORG, PURPOSE, EPS, idx, finalGranted],
    );
    await db.query(
      `INSERT INTO consent_state (org_id, subject_id, purpose_id, channel, status, event_id, since)
       SELECT DISTINCT ON (subject_id) org_id, subject_id, purpose_id, channel,
              CASE kind WHEN 'grant' THEN 'granted' ELSE 'withdrawn' END, id, at
         FROM consent_events WHERE subject_id = ANY(SELECT md5('subject-' || i)::uuid FROM unnest($1::int[]) AS i)
        ORDER BY subject_id, at DESC`,
      [idx],
    );
    // 2% object to direct marketing.
    await db.query(
      `INSERT INTO consent_state (org_id, subject_id, purpose_id, channel, status, event_id, since)
       SELECT $1, md5('subject-' || i)::uuid, 'direct-marketing', '*', 'objected', gen_random_uuid(), timestamptz '2025-06-01'
         FROM unnest($2::int[]) AS i WHERE i % 50 = 7`,
      [ORG, idx],
    );
  }
  await db.query('ANALYZE');
  const loadSeconds = (performance.now() - t0) / 1000;
  const [{ events }] = await db.query<{ events: number }>(
    'SELECT count(*)::int AS events FROM consent_events',
  );

  // --- Ombud over HTTP ---
  const server = await buildServer(app, { logger: false });
  await server.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  const login = await fetch(`${base}/console/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'dpo@nestit.example', password: 'bench-password-1234' }),
    redirect: 'manual',
  });
  const cookie = String(login.headers.get('set-cookie')).split(';')[0]!;
  const host = new URL(base).host;
  const pick = rng(7);
  const targets = Array.from({ length: REQUESTS }, () => Math.floor(pick() * N));

  async function run(fn: (i: number) => Promise<unknown>) {
    const lat: number[] = [];
    let next = 0;
    const start = performance.now();
    await Promise.all(
      Array.from({ length: CONC }, async () => {
        while (next < targets.length) {
          const i = targets[next++]!;
          const s = performance.now();
          await fn(i);
          lat.push(performance.now() - s);
        }
      }),
    );
    const secs = (performance.now() - start) / 1000;
    lat.sort((x, y) => x - y);
    return { rps: targets.length / secs, p50: pct(lat, 50), p99: pct(lat, 99), secs };
  }

  let allowedHttp = 0;
  const warm = targets.slice(0, 500);
  for (const i of warm)
    await fetch(`${base}/api/v1/organizations/${ORG}/contact-checks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, origin: base, host },
      body: JSON.stringify({ identity: { email: email(i) }, purpose: PURPOSE, channel: 'email' }),
    }).then((x) => x.text());
  const http = await run(async (i) => {
    const res = await fetch(`${base}/api/v1/organizations/${ORG}/contact-checks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, origin: base },
      body: JSON.stringify({ identity: { email: email(i) }, purpose: PURPOSE, channel: 'email' }),
    });
    const j = (await res.json()) as { allowed?: boolean };
    if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
    if (j.allowed) allowedHttp++;
  });

  // --- The same lookup with raw SQL through pg (hash in Node, one query, decision in SQL) ---
  const pool = new pg.Pool({ connectionString: url.toString(), max: CONC });
  let allowedSql = 0;
  const sql = `SELECT s.restricted,
      (SELECT status FROM consent_state c WHERE c.subject_id = s.id AND c.purpose_id = $2 AND c.channel = 'email') AS consent,
      EXISTS (SELECT 1 FROM consent_state c WHERE c.subject_id = s.id AND c.purpose_id = 'direct-marketing' AND c.status = 'objected') AS objected
    FROM consent_identities i JOIN consent_subjects s ON s.id = i.subject_id
   WHERE i.org_id = $1 AND i.kind = 'email' AND i.value_hash = $3`;
  const raw = await run(async (i) => {
    const { rows } = await pool.query(sql, [ORG, PURPOSE, identityHash(keys, ORG, 'email', email(i))]);
    const row = rows[0];
    if (row && !row.restricted && !row.objected && row.consent === 'granted') allowedSql++;
  });
  await pool.end();

  // --- Bulk filter of a send list ---
  const list = Array.from({ length: BULK }, (_, k) => email(k % N));
  const b0 = performance.now();
  const bulkRes = await fetch(`${base}/api/v1/organizations/${ORG}/contact-checks/bulk`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie, origin: base },
    body: JSON.stringify({ purpose: PURPOSE, channel: 'email', recipients: list }),
  });
  const bulk = (await bulkRes.json()) as { allowed: string[] };
  const bulkSeconds = (performance.now() - b0) / 1000;

  await server.close();
  await app.close();
  if (!a.keep) {
    const c = new pg.Client({ connectionString: ADMIN_URL });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
    await c.end();
  }

  const out = [
    `Data: ${N.toLocaleString('en')} subjects, ${events.toLocaleString('en')} consent events (generated and loaded in ${loadSeconds.toFixed(1)} s)`,
    `Lookups: ${REQUESTS.toLocaleString('en')} requests at concurrency ${CONC}, the same deterministic subjects for both`,
    '',
    '| lookup | throughput | p50 | p99 | allowed |',
    '| --- | ---: | ---: | ---: | ---: |',
    `| Ombud HTTP (POST contact-checks) | ${http.rps.toFixed(0)} req/s | ${ms(http.p50)} | ${ms(http.p99)} | ${allowedHttp} |`,
    `| raw SQL through pg | ${raw.rps.toFixed(0)} q/s | ${ms(raw.p50)} | ${ms(raw.p99)} | ${allowedSql} |`,
    '',
    `Ratio (raw SQL throughput / Ombud HTTP throughput): ${(raw.rps / http.rps).toFixed(1)}×`,
    `Bulk filter of a ${BULK.toLocaleString('en')}-address send list over HTTP: ${bulkSeconds.toFixed(2)} s (${bulk.allowed.length.toLocaleString('en')} may be contacted)`,
  ];
  console.log(out.join('\n'));
  if (allowedHttp !== allowedSql) {
    console.error(`MISMATCH: HTTP allowed ${allowedHttp}, SQL allowed ${allowedSql}`);
    process.exitCode = 1;
  }
}

await main();
