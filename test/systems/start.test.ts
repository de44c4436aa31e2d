/**
 * `ombud start --register DIR` as its own process, without the demo, for the Acme group of
 * test/fixtures/group-systems: the register applied, the systems of its ombud.yaml (the shop on PostgreSQL,
 * its URL from the environment; the help desk on MariaDB, its URL from a file) opened, and fulfilment,
 * retention and the subject locator running over them. The start's own retention run ends what is due; an
 * erasure filed, verified by the mailed code and approved over the API is carried out in both databases,
 * checked there by SQL against rows expected by hand. `ombud start --no-demo` without systems starts and
 * says no systems are connected; a start whose systems cannot be reached does not start.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createOmbudClient } from '../../src/client/index.ts';
import { createApiKey } from '../../src/services/apikeys/apiKeys.ts';
import { SYSTEM_ACTOR } from '../../src/services/audit/auditLog.ts';
import type { Db } from '../../src/storage/db.ts';
import { openPostgres } from '../../src/storage/postgres.ts';
import { codeIn, type SmtpCatcher, startSmtp } from '../requests/support.ts';
import { type TestClient, KEY_PERMISSIONS } from '../support/client.ts';
import { serverDatabase } from '../support/db.ts';
import { type AcmeSystems, acmeFolder, acmeSystems } from './support.ts';

const SECRET = 'a'.repeat(64);

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((res) => s.listen(0, '127.0.0.1', () => res()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((res) => s.close(() => res()));
  return port;
}

/** `ombud start ARGS` as a process: its output so far, a wait for a line, and a stop (SIGTERM). */
function startOmbud(args: string[], env: Record<string, string>) {
  const child: ChildProcess = spawn(process.execPath, ['bin/ombud.mjs', 'start', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  return {
    output: () => ({ stdout, stderr }),
    exited,
    async waitFor(pattern: RegExp, ms = 120_000): Promise<void> {
      const end = Date.now() + ms;
      while (!pattern.test(stdout)) {
        if (child.exitCode !== null || Date.now() > end)
          throw new Error(`ombud start: no ${pattern} (exit ${child.exitCode})\n${stdout}\n${stderr}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    async stop(): Promise<number | null> {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** The environment of a start on a fresh Ombud database on the PostgreSQL server. */
async function ombudEnv(smtp: SmtpCatcher, cleanup: (() => Promise<void> | void)[]) {
  const ombudDb = await serverDatabase('ombud_start');
  cleanup.push(ombudDb.drop);
  const dataDir = mkdtempSync(join(tmpdir(), 'ombud-data-'));
  cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const port = await freePort();
  return {
    url: ombudDb.url,
    base: `http://127.0.0.1:${port}`,
    env: {
      DATABASE_URL: ombudDb.url,
      OMBUD_DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      SMTP_URL: smtp.url,
      MAIL_FROM: 'Acme privacy <privacy@acme.example>',
      OMBUD_SECRET: SECRET,
      OMBUD_AUDIT_CHECKPOINT_MAIL: 'none',
      LOG_LEVEL: 'warn',
    },
  };
}

const ids = async (c: AcmeSystems['shop']['connector'], table: string) =>
  (await c.query<{ id: number }>(`SELECT id FROM ${table} ORDER BY id`)).map((r) => Number(r.id));

describe("ombud start --register: the group's own systems, without the demo", () => {
  let systems: AcmeSystems;
  let smtp: SmtpCatcher;
  let ombud: ReturnType<typeof startOmbud>;
  let db: Db;
  let client: TestClient;
  let folder: ReturnType<typeof acmeFolder>;
  const cleanup: (() => Promise<void> | void)[] = [];

  beforeAll(async () => {
    systems = await acmeSystems();
    cleanup.push(systems.close);
    smtp = await startSmtp();
    cleanup.push(smtp.close);
    folder = acmeFolder({ helpdeskUrl: systems.helpdesk.url });
    cleanup.push(folder.remove);
    const o = await ombudEnv(smtp, cleanup);
    ombud = startOmbud(['--register', folder.register], { ...o.env, ACME_SHOP_URL: systems.shop.url });
    cleanup.push(async () => {
      await ombud.stop();
    });
    await ombud.waitFor(/Admin console/);
    db = await openPostgres(o.url, 2);
    cleanup.push(() => db.close());
    const { key } = await createApiKey(db, SYSTEM_ACTOR, {
      name: 'acme test',
      orgIds: ['acme-ab', 'acme-as'],
      permissions: [...KEY_PERMISSIONS],
    });
    client = createOmbudClient({ baseUrl: o.base, apiKey: key });
  }, 180_000);

  afterAll(async () => {
    for (const f of cleanup.reverse()) await f();
  });

  test('the start applies the register and names the systems of ombud.yaml; no demo', () => {
    const { stdout, stderr } = ombud.output();
    expect(stdout).toMatch(/Register of .*register applied: revision \d+ \(\d+ changes\)\./);
    expect(stdout).toMatch(
      /Systems of .*ombud\.yaml: acme_shop \(postgres:\/\/127\.0\.0\.1:5432\/acme_shop_\w+\), acme_helpdesk \(mysql:\/\/127\.0\.0\.1:3306\/acme_helpdesk_\w+\)\. Fulfilment, retention and the subject locator run over them\./,
    );
    expect(stdout).not.toMatch(/Demo|NestIT/);
    // The URLs' users and the help desk's file never reach the output.
    expect(stdout + stderr).not.toContain(systems.shop.url);
    expect(stdout + stderr).not.toContain(systems.helpdesk.url);
  });

  test("the start's retention run ends what is due in both databases: Cecilia's customer and order, her closed ticket", async () => {
    const end = Date.now() + 60_000;
    for (;;) {
      const runs = await db.query<{ status: string }>(
        "SELECT status FROM retention_runs WHERE run_key LIKE 'daily:%'",
      );
      if (runs.some((r) => r.status === 'done')) break;
      if (runs.some((r) => r.status === 'failed') || Date.now() > end)
        throw new Error(`retention run: ${JSON.stringify(runs)}\n${ombud.output().stderr}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const shop = systems.shop.connector;
    const desk = systems.helpdesk.connector;
    expect(await ids(shop, 'customers')).toEqual([1, 2, 4]);
    expect(await ids(shop, 'orders')).toEqual([10, 11, 12, 14]);
    expect(await ids(shop, 'reviews')).toEqual([20, 21]);
    expect(await ids(desk, 'tickets')).toEqual([30, 31, 32, 34]);
    expect(await ids(desk, 'ticket_messages')).toEqual([40, 41, 42, 43, 44, 46]);
    expect(await ids(desk, 'calls')).toEqual([50, 51, 52]);
  });

  test('a request to the whole group from an address no system holds is answered by the subject locator at once', async () => {
    const email = 'nobody@example.test';
    const filed = await client.POST('/api/v1/requests', {
      params: { header: { 'idempotency-key': crypto.randomUUID() } },
      body: { company: 'group', type: 'access', email },
    });
    expect(filed.response.status).toBe(201);
    const mail = await smtp.waitFor((m) => m.to.includes(email) && codeIn(m) !== undefined, 15_000);
    const v = await client.POST('/api/v1/requests/verify-code', {
      body: { submissionId: filed.data.submissionId, code: codeIn(mail)! },
    });
    expect(v.response.status).toBe(200);
    const r = await client.GET('/api/v1/requests/{id}', {
      params: { path: { id: filed.data.requests[0].id } },
    });
    expect(r.data.request.state).toBe('completed');
    expect((r.data.request.decision as { noData?: { answeredBy: string } }).noData?.answeredBy).toBe(
      'locator',
    );
  });

  test("an erasure for Anna at Acme AB is carried out in both databases: her rows deleted or anonymised as annotated, Acme AS's Anna and Bo untouched", async () => {
    const email = 'anna@example.test';
    const filed = await client.POST('/api/v1/requests', {
      params: { header: { 'idempotency-key': crypto.randomUUID() } },
      body: { company: 'acme-ab', type: 'erasure', email },
    });
    expect(filed.response.status).toBe(201);
    const id: string = filed.data.requests[0].id;
    const mail = await smtp.waitFor((m) => m.to.includes(email) && codeIn(m) !== undefined, 15_000);
    const v = await client.POST('/api/v1/requests/verify-code', {
      body: { submissionId: filed.data.submissionId, code: codeIn(mail)! },
    });
    expect(v.response.status).toBe(200);
    // A change waits for an agent's approval, then the worker of the start carries it out.
    const approved = await client.POST('/api/v1/requests/{id}/approve', {
      params: { path: { id } },
      body: {},
    });
    expect(approved.response.status).toBe(200);
    const end = Date.now() + 60_000;
    for (;;) {
      const r = await client.GET('/api/v1/requests/{id}', { params: { path: { id } } });
      if (r.data.request.state === 'completed') break;
      if (Date.now() > end) {
        const f = await client.GET('/api/v1/requests/{id}/fulfilment', { params: { path: { id } } });
        throw new Error(
          `request ${r.data.request.state}: ${JSON.stringify(f.data)}\n${ombud.output().stderr}`,
        );
      }
      await new Promise((res) => setTimeout(res, 250));
    }
    const run = (await client.GET('/api/v1/requests/{id}/fulfilment', { params: { path: { id } } })).data;
    expect(run.status).toBe('done');
    expect(run.steps.map((s: { step: string; status: string }) => [s.step, s.status])).toEqual(
      expect.arrayContaining([
        ['erase:acme_shop', 'done'],
        ['erase:acme_helpdesk', 'done'],
      ]),
    );

    // PostgreSQL: customer 1 and her orders 10 and 11 deleted; her review anonymised (the rating stays).
    const shop = systems.shop.connector;
    expect(await ids(shop, 'customers')).toEqual([2, 4]);
    expect(await ids(shop, 'orders')).toEqual([12, 14]);
    expect(await shop.query('SELECT id, email, author_name, rating, body FROM reviews ORDER BY id')).toEqual([
      { id: 20, email: null, author_name: 'Anonymous', rating: 5, body: null },
      { id: 21, email: 'bo@example.test', author_name: 'Bo E', rating: 3, body: 'Fine' },
    ]);
    // The Anna of Acme AS (customer 4, the same address) keeps her customer and order.
    expect(await shop.query('SELECT email, country FROM customers WHERE id = 4')).toEqual([
      { email: 'anna@example.test', country: 'NO' },
    ]);

    // MariaDB: her tickets 30 and 31 with their messages 40–42 deleted; her call pseudonymised.
    const desk = systems.helpdesk.connector;
    expect(await ids(desk, 'tickets')).toEqual([32, 34]);
    expect(await ids(desk, 'ticket_messages')).toEqual([43, 44, 46]);
    const calls = await desk.query<{
      id: number;
      email: string | null;
      caller_name: string;
      org: string;
      duration_s: number;
    }>('SELECT id, email, caller_name, org, duration_s FROM calls ORDER BY id');
    expect(calls.map((c) => ({ ...c, id: Number(c.id), duration_s: Number(c.duration_s) }))).toEqual([
      {
        id: 50,
        email: null,
        caller_name: expect.stringMatching(/^p_[0-9a-f]{16}$/),
        org: 'acme-ab',
        duration_s: 120,
      },
      { id: 51, email: 'bo@example.test', caller_name: 'Bo Ek', org: 'acme-ab', duration_s: 60 },
      { id: 52, email: 'anna@example.test', caller_name: 'Anna Lind', org: 'acme-as', duration_s: 30 },
    ]);
  });
});

describe('ombud start without systems, and with systems it cannot reach', () => {
  let smtp: SmtpCatcher;
  const cleanup: (() => Promise<void> | void)[] = [];
  beforeAll(async () => {
    smtp = await startSmtp();
    cleanup.push(smtp.close);
  });
  afterAll(async () => {
    for (const f of cleanup.reverse()) await f();
  });

  test('--no-demo without a systems file starts, and says that no systems are connected', async () => {
    const o = await ombudEnv(smtp, cleanup);
    const ombud = startOmbud(['--no-demo'], o.env);
    cleanup.push(async () => {
      await ombud.stop();
    });
    await ombud.waitFor(/Admin console/);
    const { stdout } = ombud.output();
    expect(stdout).toContain(
      'No systems are connected (no systems file: give --systems FILE, or put ombud.yaml in the register folder; docs/systems.md). Verified requests wait for an agent to carry them out, and no retention run is scheduled.',
    );
    expect(stdout).not.toMatch(/Demo|Fulfilment:/);
    expect((await fetch(`${o.base}/healthz`)).status).toBe(200);
    expect(await ombud.stop()).toBe(0);
  });

  test('--register whose systems cannot be reached: the reason at file:line:column, exit 1', async () => {
    const o = await ombudEnv(smtp, cleanup);
    const folder = acmeFolder({ helpdeskUrl: 'mysql://root@127.0.0.1:1/nowhere' });
    cleanup.push(folder.remove);
    const ombud = startOmbud(['--register', folder.register], {
      ...o.env,
      ACME_SHOP_URL: 'postgres://postgres@127.0.0.1:1/nowhere',
    });
    expect(await ombud.exited).toBe(1);
    const { stderr } = ombud.output();
    expect(stderr).toContain(`${folder.systemsFile}:5:14: error: systems.acme_shop: cannot connect: `);
    expect(stderr).toContain(`${folder.systemsFile}:7:10: error: systems.acme_helpdesk: cannot connect: `);
    expect(stderr).toContain('ombud systems check tells more');
  });
});
