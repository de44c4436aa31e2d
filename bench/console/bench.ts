/**
 * The console bench (issue 16 item 5): Ombud on the PostgreSQL server with 100,000 data subject requests
 * (every 50th a group request split into its companies' requests) and 1,000,000 audit entries, seeded
 * set-based on the server (`generate_series`), plus open fulfilment tasks; the console served over real
 * HTTP on loopback and four pages fetched with a signed-in session: the desk list, a request's detail, the
 * audit search and the task list. For each page p50/p95 of the whole render (request to last byte), and in
 * the same run the page's main query as raw SQL on the same pool (the baseline), with the ratio.
 *
 *   npx tsx bench/console/bench.ts [--requests 100000] [--audit 1000000] [--runs 60] [--only task]
 *
 * OMBUD_BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/postgres) names the server; the database
 * it makes is dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { loadDemo } from '../../src/demo/loadDemo.ts';
import { buildServer } from '../../src/http/server.ts';
import { chainKeysFrom, installAuditChainKeys } from '../../src/services/audit/keys.ts';
import { migrate } from '../../src/storage/migrate.ts';
import { openPostgres } from '../../src/storage/postgres.ts';
import { createWorkers } from '../../src/workers.ts';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '100000' },
    audit: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '60' },
    /** Only the pages whose name contains this (e.g. `--only task` for the task list). */
    only: { type: 'string', default: '' },
  },
});
const REQUESTS = Number(values.requests);
const AUDIT = Number(values.audit);
const RUNS = Number(values.runs);
const TARGET_MS = 100;
const PASSWORD = 'correct horse battery staple';
const adminUrl = process.env.OMBUD_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function admin(sql: string) {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

// A bench key for the audit chain (a server loads its own from OMBUD_SECRET_KEYS in openApp).
installAuditChainKeys(chainKeysFrom(`bench:${randomBytes(32).toString('base64')}`, 'bench key'));

const name = `ombud_bench_console_${randomBytes(4).toString('hex')}`;
await admin(`CREATE DATABASE ${name}`);
const url = new URL(adminUrl);
url.pathname = `/${name}`;
const db = await openPostgres(url.toString(), 10);
try {
  await migrate(db);
  process.env.OMBUD_DEMO_PASSWORD = PASSWORD;
  const app = createApp(db, loadConfig({ LOG_LEVEL: 'silent', OMBUD_DEMO_PASSWORD: PASSWORD }));
  await loadDemo(app);

  // --- Seed, set-based on the server -------------------------------------------------------------------
  const t0 = performance.now();
  // A version-4 UUID from a text (the API's and the console's id checks want one).
  await db.query(
    `CREATE FUNCTION bench_uuid(t text) RETURNS uuid LANGUAGE sql IMMUTABLE
       AS $$ SELECT overlay(overlay(md5(t) placing '4' from 13) placing '8' from 17)::uuid $$`,
  );
  const ORGS = `(ARRAY['nestit-group','nestit-sverige','bokhylla','provendo'])`;
  const TYPES = `(ARRAY['access','erasure','rectification','restriction','portability','objection'])`;
  const STATES = `(ARRAY['received','verified','in-progress','extended','completed','refused','completed','completed'])`;
  await db.query(
    `INSERT INTO dsr_submissions (id, channel, email, email_hash, scope)
     SELECT bench_uuid('s' || i), 'web', 'customer' || i || '@example.org', md5('e' || i),
            CASE WHEN i % 50 = 0 THEN 'group' ELSE ${ORGS}[1 + i % 4] END
       FROM generate_series(1, $1::int) AS i`,
    [REQUESTS],
  );
  // Every 50th submission is a group request: its parent (split) and requests at two companies.
  await db.query(
    `INSERT INTO dsr_requests (id, submission_id, org_id, type, state, scope, received_at, due_date,
        original_due_date, legal_due_date, max_due_date, closed_at)
     SELECT bench_uuid('r' || i), bench_uuid('s' || i),
            CASE WHEN i % 50 = 0 THEN 'nestit-group' ELSE ${ORGS}[1 + i % 4] END,
            ${TYPES}[1 + i % 6],
            CASE WHEN i % 50 = 0 THEN 'split' ELSE ${STATES}[1 + i % 8] END,
            CASE WHEN i % 50 = 0 THEN jsonb_build_object('group', jsonb_build_object('candidates', '["nestit-group","nestit-sverige","bokhylla","provendo"]'::jsonb))
                 ELSE '{}'::jsonb END,
            rcv, (rcv + interval '30 days')::date, (rcv + interval '30 days')::date,
            (rcv + interval '30 days')::date, (rcv + interval '90 days')::date,
            CASE WHEN i % 50 = 0 OR ${STATES}[1 + i % 8] IN ('completed', 'refused') THEN rcv + interval '12 days' END
       FROM generate_series(1, $1::int) AS i,
            LATERAL (SELECT timestamptz '2025-01-01T08:00:00Z' + (i * interval '5 minutes') AS rcv) r`,
    [REQUESTS],
  );
  await db.query(
    `INSERT INTO dsr_requests (id, submission_id, org_id, type, state, scope, received_at, due_date,
        original_due_date, legal_due_date, max_due_date)
     SELECT bench_uuid('c' || i || o), p.submission_id, o, p.type, 'verified',
            jsonb_build_object('parent', p.id), p.received_at, p.due_date, p.due_date, p.due_date, p.max_due_date
       FROM generate_series(50, $1::int, 50) AS i, unnest(ARRAY['bokhylla','provendo']) AS o,
            LATERAL (SELECT * FROM dsr_requests WHERE id = bench_uuid('r' || i)) p`,
    [REQUESTS],
  );
  // Open manual tasks: 2,000 erasures (fewer in a small run) waiting for five systems each.
  await db.query(
    `INSERT INTO fulfilment_runs (request_id, org_id, type, status)
     SELECT bench_uuid('r' || i)::text, ${ORGS}[1 + i % 4], 'erasure', 'running'
       FROM generate_series(1, LEAST(2000 * 6, $1::int), 6) AS i`,
    [REQUESTS],
  );
  await db.query(
    `INSERT INTO fulfilment_recipient_tasks (request_id, system_id, org_id, action, via, delivery_id, created_at)
     SELECT r.request_id, s, r.org_id, 'erasure', 'manual', 'dlv_' || md5(r.request_id || s), now() - (random() * interval '20 days')
       FROM fulfilment_runs r, unnest(ARRAY['shipping','crm','survey-provider','analytics','social-media']) AS s`,
  );
  await db.query(
    `INSERT INTO audit_log (at, actor, org_id, action, target, details, prev_hash, hash)
     SELECT timestamptz '2025-01-01T08:00:00Z' + i * interval '30 seconds', 'user:' || bench_uuid('u' || i % 40),
            ${ORGS}[1 + i % 4], (ARRAY['request.read','request.verified','consent.recorded','fulfilment.recipient.answered'])[1 + i % 4],
            bench_uuid('r' || i % $1::int)::text, '{}'::jsonb, 'seed', 'seed'
       FROM generate_series(1, $2::int) AS i`,
    [REQUESTS, AUDIT],
  );
  await db.query('ANALYZE');
  const [counts] = await db.query<{ requests: string; audit: string; tasks: string }>(
    `SELECT (SELECT count(*) FROM dsr_requests) AS requests, (SELECT count(*) FROM audit_log) AS audit,
            (SELECT count(*) FROM fulfilment_recipient_tasks WHERE status = 'open') AS tasks`,
  );
  console.log(`seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s:`, counts);

  // --- Serve over loopback, sign in -------------------------------------------------------------------
  const server = await buildServer(app, { logger: false, workers: createWorkers() });
  await server.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  const login = await fetch(`${base}/console/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: base },
    body: new URLSearchParams({ email: 'dpo@nestit.example', password: PASSWORD }).toString(),
  });
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
  if (login.status !== 303 || !cookie) throw new Error(`sign-in failed: ${login.status}`);

  const detailId = (
    await db.query<{ id: string }>(`SELECT bench_uuid('r' || $1)::text AS id`, [Math.floor(REQUESTS / 2) + 1])
  )[0]!.id;
  const page = async (path: string) => {
    const s = performance.now();
    const res = await fetch(`${base}${path}`, { headers: { cookie } });
    const body = await res.text();
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${body.slice(0, 200)}`);
    return { ms: performance.now() - s, bytes: body.length };
  };
  const raw = async (text: string, params: unknown[] = []) => {
    const s = performance.now();
    await db.query(text, params);
    return { ms: performance.now() - s, bytes: 0 };
  };
  // The pages and their main query as raw SQL (what the page reads for its rows, nothing else).
  const cases = [
    {
      name: 'desk list (/console/requests)',
      ombud: () => page('/console/requests'),
      base: () => raw('SELECT * FROM dsr_requests ORDER BY due_date, received_at, id LIMIT 51'),
    },
    {
      name: 'request detail (/console/requests/:id)',
      ombud: () => page(`/console/requests/${detailId}`),
      base: () => raw('SELECT * FROM dsr_requests WHERE id = $1', [detailId]),
    },
    {
      name: 'audit search (/console/audit)',
      ombud: () => page('/console/audit'),
      base: () => raw('SELECT * FROM audit_log ORDER BY seq DESC LIMIT 200'),
    },
    {
      name: 'task list (/console/fulfilment/tasks)',
      ombud: () => page('/console/fulfilment/tasks'),
      base: () =>
        raw(`SELECT t.*, r.type, r.submission_id FROM (SELECT * FROM fulfilment_recipient_tasks t
              WHERE t.status IN ('open', 'sent', 'unanswered') ORDER BY t.system_id, t.created_at, t.request_id LIMIT 101) t
              LEFT JOIN dsr_requests r ON r.id = (CASE WHEN t.request_id ~ '^[0-9a-f-]{36}$' THEN t.request_id END)::uuid
             ORDER BY t.system_id, t.created_at, t.request_id`),
    },
  ];
  const pct = (xs: number[], p: number) => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
  };
  const results = [];
  for (const c of cases.filter((x) => x.name.includes(values.only))) {
    for (let i = 0; i < 5; i++) await c.ombud(); // warm-up
    const o: number[] = [];
    const b: number[] = [];
    let bytes = 0;
    // Alternating, so both sides see the same load.
    for (let i = 0; i < RUNS; i++) {
      const r = await c.ombud();
      o.push(r.ms);
      bytes = r.bytes;
      b.push((await c.base()).ms);
    }
    const row = {
      page: c.name,
      bytes,
      p50: Math.round(pct(o, 50) * 10) / 10,
      p95: Math.round(pct(o, 95) * 10) / 10,
      sqlP50: Math.round(pct(b, 50) * 100) / 100,
      sqlP95: Math.round(pct(b, 95) * 100) / 100,
      ratioP50: Math.round((pct(o, 50) / pct(b, 50)) * 10) / 10,
      target: pct(o, 95) < TARGET_MS ? 'met' : 'MISSED',
    };
    results.push(row);
    console.log(JSON.stringify(row));
  }
  console.log('\n| Page | p50 ms | p95 ms | raw SQL p50 / p95 ms | ratio (p50) | p95 < 100 ms |');
  console.log('|---|---|---|---|---|---|');
  for (const r of results)
    console.log(
      `| ${r.page} | ${r.p50} | ${r.p95} | ${r.sqlP50} / ${r.sqlP95} | ${r.ratioP50}× | ${r.target} |`,
    );
  await server.close();
  if (results.some((r) => r.target !== 'met')) process.exitCode = 1;
} finally {
  await db.close().catch(() => {});
  await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}
