/**
 * P21 fulfilment decided per company, over real rows: the desk files and verifies an access and an erasure
 * at Provendo and at NestIT Sverige (the worker runs them against the web shop on PostgreSQL and customer
 * service on MariaDB; the erasures wait on manual recipient tasks). Provendo-only people of every role and
 * a Provendo-only API key then probe the other company's run, extract and tasks: each answers 404 or 403
 * and leaks nothing, answering the other company's task changes nothing, and their own company's work
 * still goes through. The expected answers are written by hand below, not computed with can().
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Role } from '../../src/core/policies/permissions.ts';
import { createApiKey } from '../../src/services/apikeys/apiKeys.ts';
import { SYSTEM_ACTOR } from '../../src/services/audit/auditLog.ts';
import { getTask, tasksOf } from '../../src/services/fulfilment/recipients.ts';
import { startRequestFulfilment } from '../../src/services/requests/fulfilRequest.ts';
import { type DeskApi, deskApi } from '../integration/support.ts';
import { codeIn, type DeskServer, startDesk } from '../requests/support.ts';
import { SAME_ORIGIN, userWithRoles } from '../security/helpers.ts';
import { type NestitSystems, nestitSystems, richCustomer } from '../support/nestit-systems.ts';
import { postForm } from '../support/http.ts';

type Who = Role | 'key';
const ROLES: Role[] = ['dpo', 'privacy-agent', 'cs-agent', 'engineer', 'auditor'];
const WHO: Who[] = [...ROLES, 'key'];

// What a Provendo-only caller gets for NestIT Sverige's run, extract or progress page (fulfilment:read
// routes): the run is not found for whoever reads fulfilment at Provendo; the route's gate refuses the rest.
const OTHER_READ: Record<Who, number> = {
  dpo: 404,
  'privacy-agent': 404,
  'cs-agent': 403,
  engineer: 404,
  auditor: 404,
  key: 404,
};
// Ticking off NestIT Sverige's task (fulfilment:write routes): not found for the writers, refused at the
// gate for those who cannot write anywhere.
const OTHER_ANSWER: Record<Who, number> = {
  dpo: 404,
  'privacy-agent': 404,
  'cs-agent': 403,
  engineer: 404,
  auditor: 403,
  key: 404,
};
// The same callers on Provendo's own run.
const OWN_READ: Record<Who, number> = {
  dpo: 200,
  'privacy-agent': 200,
  'cs-agent': 403,
  engineer: 200,
  auditor: 200,
  key: 200,
};

let sys: NestitSystems;
let s: DeskServer;
let d: DeskApi;
let pro: Awaited<ReturnType<typeof richCustomer>>;
let nis: Awaited<ReturnType<typeof richCustomer>>;
const ids = { proAccess: '', nisAccess: '', proErasure: '', nisErasure: '' };
const auth: Record<Who, Record<string, string>> = {} as never;

/** File by API and verify with the code of the mail sent for this filing (the same address gets several). */
async function fileAndVerify(body: { company: string; type: string; email: string }): Promise<string> {
  const before = s.smtp.mails.length;
  const res = await d.api('POST', '/api/v1/requests', body, { 'idempotency-key': crypto.randomUUID() });
  expect(res.statusCode).toBe(201);
  const mail = await s.smtp.waitFor(
    (m) => s.smtp.mails.indexOf(m) >= before && m.to.includes(body.email) && codeIn(m) !== undefined,
    15_000,
  );
  const v = await d.api('POST', '/api/v1/requests/verify-code', {
    submissionId: res.json().submissionId,
    code: codeIn(mail),
  });
  expect(v.statusCode).toBe(200);
  return res.json().requests[0].id;
}

async function waitForRun(id: string, status: string, ms = 60_000) {
  const end = Date.now() + ms;
  for (;;) {
    const r = await d.api('GET', `/api/v1/requests/${id}/fulfilment`);
    if (r.statusCode === 200 && r.json().status === status) return r.json();
    if (Date.now() > end) throw new Error(`fulfilment of ${id} is not ${status}: ${r.statusCode}`);
    await new Promise((res) => setTimeout(res, 250));
  }
}

beforeAll(async () => {
  sys = await nestitSystems({ customers: 160 });
  s = await startDesk();
  s.configure({
    secret: randomBytes(32).toString('hex'),
    secretKeys: `k1:${randomBytes(32).toString('base64')}`,
  });
  await startRequestFulfilment(
    s.app,
    s.workers,
    { datasets: sys.datasets, connectors: sys.connectors },
    { pollingIntervalSeconds: 0.5, retryDelaySeconds: 1, retryLimit: 1, pdf: false },
  );
  d = await deskApi(s);
  pro = await richCustomer(sys, 'provendo');
  nis = await richCustomer(sys, 'nestit-sverige');
  expect(pro.email).not.toBe(nis.email);

  ids.proAccess = await fileAndVerify({ company: 'provendo', type: 'access', email: pro.email });
  ids.nisAccess = await fileAndVerify({ company: 'nestit-sverige', type: 'access', email: nis.email });
  await d.waitForState(ids.proAccess, 'completed');
  await d.waitForState(ids.nisAccess, 'completed');
  // Erasures: the own databases are done, the recipients are manual tasks, and the runs wait on them.
  ids.proErasure = await fileAndVerify({ company: 'provendo', type: 'erasure', email: pro.email });
  ids.nisErasure = await fileAndVerify({ company: 'nestit-sverige', type: 'erasure', email: nis.email });
  for (const id of [ids.proErasure, ids.nisErasure])
    expect((await d.api('POST', `/api/v1/requests/${id}/approve`, {})).statusCode).toBe(200);
  await waitForRun(ids.proErasure, 'waiting');
  await waitForRun(ids.nisErasure, 'waiting');

  for (const role of ROLES) {
    const u = await userWithRoles(s.app, s.server, `pro-${role}`, [{ orgId: 'provendo', role }]);
    auth[role] = { cookie: u.cookie, ...SAME_ORIGIN };
  }
  const { key } = await createApiKey(s.app.db, SYSTEM_ACTOR, {
    name: 'provendo fulfilment',
    orgIds: ['provendo'],
    permissions: ['fulfilment:read', 'fulfilment:write', 'requests:read', 'connectors:manage'],
  });
  auth.key = { authorization: `Bearer ${key}` };
}, 240_000);
afterAll(async () => {
  await s?.close();
  await sys?.close();
});

const as = (who: Who, method: 'GET' | 'POST', url: string, payload?: object) =>
  s.server.inject({ method, url, headers: auth[who], ...(payload ? { payload } : {}) });

/** Nothing of the other company's customer in a response. */
function leaksNothing(body: string) {
  expect(body).not.toContain(nis.email);
  expect(body).not.toContain(nis.phone);
  expect(body).not.toContain(nis.customerNumber);
}

describe('P21 fulfilment runs, artifacts and tasks per company', () => {
  test('P21 the real rows: each company has an access with its extract and an erasure waiting on open tasks', async () => {
    for (const [id, who] of [
      [ids.proAccess, pro],
      [ids.nisAccess, nis],
    ] as const) {
      const x = await d.api('GET', `/api/v1/fulfilment/${id}/artifacts/extract.json`);
      expect(x.statusCode).toBe(200);
      expect(x.body).toContain(who.email);
    }
    const [run] = await s.app.db.query<{ org_id: string }>(
      'SELECT org_id FROM fulfilment_runs WHERE request_id = $1',
      [ids.nisAccess],
    );
    expect(run!.org_id).toBe('nestit-sverige');
    expect(
      (await tasksOf(s.app.db, ids.proErasure)).filter((t) => t.status === 'open').length,
    ).toBeGreaterThan(1);
    expect(
      (await tasksOf(s.app.db, ids.nisErasure)).filter((t) => t.status === 'open').length,
    ).toBeGreaterThan(0);
  });

  test("P21 another company's run, extract and progress page answer 404 (or 403 at the gate) and leak nothing", async () => {
    const downloads = async () =>
      (
        await s.app.db.query(
          "SELECT 1 FROM audit_log WHERE action = 'fulfilment.artifact.read' AND target = $1",
          [`request:${ids.nisAccess}`],
        )
      ).length;
    const downloadsBefore = await downloads();
    let probes = 0;
    for (const who of WHO) {
      const urls = [
        `/api/v1/fulfilment/${ids.nisAccess}`,
        `/api/v1/fulfilment/${ids.nisAccess}/artifacts/extract.json`,
        `/api/v1/fulfilment/${ids.nisAccess}/artifacts/extract.html`,
        `/api/v1/fulfilment/${ids.nisAccess}/artifacts/portability.zip`,
        `/api/v1/fulfilment/${ids.nisErasure}`,
        `/console/fulfilment/${ids.nisAccess}`,
        `/console/fulfilment/${ids.nisErasure}`,
      ];
      for (const url of urls) {
        const r = await as(who, 'GET', url);
        probes++;
        expect(r.statusCode, `${who} GET ${url}`).toBe(OTHER_READ[who]);
        leaksNothing(r.body);
      }
      // A hidden run reads exactly like one that does not exist.
      if (OTHER_READ[who] === 404) {
        const hidden = (await as(who, 'GET', `/api/v1/fulfilment/${ids.nisAccess}`)).json();
        const missing = (await as(who, 'GET', '/api/v1/fulfilment/no-such-request')).json();
        expect([hidden.status, hidden.code, hidden.title]).toEqual([
          missing.status,
          missing.code,
          missing.title,
        ]);
        expect(hidden.detail.replace(ids.nisAccess, 'X')).toBe(
          missing.detail.replace('no-such-request', 'X'),
        );
      }
      // The request desk's view of the same run: refused (the request is another company's).
      const desk = await as(who, 'GET', `/api/v1/requests/${ids.nisAccess}/fulfilment`);
      expect([403, 404], `${who} desk view`).toContain(desk.statusCode);
      leaksNothing(desk.body);
    }
    // No download of the other company's extract happened, so none was recorded.
    expect(await downloads()).toBe(downloadsBefore);
    expect(probes).toBe(WHO.length * 7);
  });

  test("P21 answering another company's task changes nothing; the task list shows only the own company's", async () => {
    const [task] = (await tasksOf(s.app.db, ids.nisErasure)).filter((t) => t.status === 'open');
    const before = (await getTask(s.app.db, ids.nisErasure, task!.system_id))!;
    for (const who of WHO) {
      const api = await as(who, 'POST', `/api/v1/fulfilment/${ids.nisErasure}/tasks/${task!.system_id}`, {
        status: 'done',
        note: `ticked by ${who}`,
      });
      expect(api.statusCode, `${who} API tick`).toBe(OTHER_ANSWER[who]);
      leaksNothing(api.body);
      if (who !== 'key') {
        const form = await postForm(
          s.server,
          `/console/fulfilment/${ids.nisErasure}/tasks/${task!.system_id}`,
          { status: 'done', note: `ticked by ${who}` },
          auth[who],
        );
        expect(form.statusCode, `${who} console tick`).toBe(OTHER_ANSWER[who]);
        leaksNothing(form.body);
      }
    }
    // Re-read: the task is as it was, and the run still waits.
    const after = (await getTask(s.app.db, ids.nisErasure, task!.system_id))!;
    expect(after.status).toBe('open');
    expect(after.note).toBeNull();
    expect(after.done_by).toBeNull();
    expect(after).toEqual(before);
    const [run] = await s.app.db.query<{ status: string }>(
      'SELECT status FROM fulfilment_runs WHERE request_id = $1',
      [ids.nisErasure],
    );
    expect(run!.status).toBe('waiting');

    // The checklist of open tasks: Provendo's, never NestIT Sverige's.
    for (const who of ['dpo', 'privacy-agent', 'engineer', 'auditor'] as const) {
      const page = await as(who, 'GET', '/console/fulfilment/tasks');
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain(`/console/fulfilment/${ids.proErasure}`);
      expect(page.body).not.toContain(ids.nisErasure);
      expect(page.body).not.toContain(ids.nisAccess);
    }
    // The auditor reads but may not tick off: no form (and no box to tick) for them.
    const seen = (await as('auditor', 'GET', '/console/fulfilment/tasks')).body;
    expect(seen).not.toContain('action="/console/fulfilment/tasks/bulk"');
    expect(seen).not.toContain('name="task"');
    const agent = (await as('privacy-agent', 'GET', '/console/fulfilment/tasks')).body;
    expect(agent).toContain('action="/console/fulfilment/tasks/bulk"');
    expect(agent).toContain(`name="task" value="${ids.proErasure}/`);
    expect((await as('cs-agent', 'GET', '/console/fulfilment/tasks')).statusCode).toBe(403);
  });

  test("P21 the own company's run, extract and tasks still work for the same callers", async () => {
    for (const who of WHO) {
      const r = await as(who, 'GET', `/api/v1/fulfilment/${ids.proAccess}`);
      expect(r.statusCode, `${who} own run`).toBe(OWN_READ[who]);
      const x = await as(who, 'GET', `/api/v1/fulfilment/${ids.proAccess}/artifacts/extract.json`);
      expect(x.statusCode, `${who} own extract`).toBe(OWN_READ[who]);
      if (OWN_READ[who] === 200) {
        expect(x.body).toContain(pro.email);
        leaksNothing(x.body);
      }
    }
    // The desk's view: requests:read at Provendo.
    expect((await as('cs-agent', 'GET', `/api/v1/requests/${ids.proAccess}/fulfilment`)).statusCode).toBe(
      200,
    );
    expect((await as('engineer', 'GET', `/api/v1/requests/${ids.proAccess}/fulfilment`)).statusCode).toBe(
      403,
    );

    const open = (await tasksOf(s.app.db, ids.proErasure)).filter((t) => t.status === 'open');
    expect(open.length).toBeGreaterThan(1);
    // A Provendo privacy agent ticks one off in the console, the key another over the API.
    const form = await postForm(
      s.server,
      `/console/fulfilment/${ids.proErasure}/tasks/${open[0]!.system_id}`,
      { status: 'done', note: 'Deleted in the tool' },
      auth['privacy-agent'],
    );
    expect(form.statusCode).toBe(303);
    const api = await as('key', 'POST', `/api/v1/fulfilment/${ids.proErasure}/tasks/${open[1]!.system_id}`, {
      status: 'not_found',
      note: 'Not held there',
    });
    expect(api.statusCode).toBe(200);
    expect(api.json()).toMatchObject({ status: 'done', note: 'Not held there' });
    expect((await getTask(s.app.db, ids.proErasure, open[0]!.system_id))!.status).toBe('done');
    expect((await getTask(s.app.db, ids.proErasure, open[1]!.system_id))!.done_by).toMatch(/^api-key:/);
    // The auditor may see the own task but not answer it.
    const rest = (await tasksOf(s.app.db, ids.proErasure)).filter((t) => t.status === 'open');
    if (rest.length) {
      const a = await as(
        'auditor',
        'POST',
        `/api/v1/fulfilment/${ids.proErasure}/tasks/${rest[0]!.system_id}`,
        {
          status: 'done',
          note: 'no',
        },
      );
      expect(a.statusCode).toBe(403);
    }
  });

  test('P21 a connector serves every company whose purposes name its system: configuring it needs connectors:manage in each', async () => {
    const body = { systemId: 'messaging', url: 'http://127.0.0.1:9/ombud' };
    // messaging is named by purposes of bokhylla, nestit-group, nestit-sverige and provendo.
    const engineer = await as('engineer', 'POST', '/api/v1/fulfilment/connectors/http', body);
    expect(engineer.statusCode).toBe(403);
    expect((await as('key', 'POST', '/api/v1/fulfilment/connectors/http', body)).statusCode).toBe(403);
    expect(await s.app.db.query('SELECT 1 FROM fulfilment_http_connectors')).toEqual([]);
    // Engineer at three of the four companies: still not enough.
    const three = await userWithRoles(
      s.app,
      s.server,
      'eng-3',
      ['nestit-group', 'nestit-sverige', 'provendo'].map((orgId) => ({ orgId, role: 'engineer' as const })),
    );
    const short = await s.server.inject({
      method: 'POST',
      url: '/api/v1/fulfilment/connectors/http',
      headers: { cookie: three.cookie, ...SAME_ORIGIN },
      payload: body,
    });
    expect(short.statusCode).toBe(403);
    expect(await s.app.db.query('SELECT 1 FROM fulfilment_http_connectors')).toEqual([]);
    const everywhere = await userWithRoles(
      s.app,
      s.server,
      'eng-4',
      ['bokhylla', 'nestit-group', 'nestit-sverige', 'provendo'].map((orgId) => ({
        orgId,
        role: 'engineer' as const,
      })),
    );
    const ok = await s.server.inject({
      method: 'POST',
      url: '/api/v1/fulfilment/connectors/http',
      headers: { cookie: everywhere.cookie, ...SAME_ORIGIN },
      payload: body,
    });
    expect(ok.statusCode).toBe(201);
    expect(
      (await s.app.db.query<{ system_id: string }>('SELECT system_id FROM fulfilment_http_connectors')).map(
        (r) => r.system_id,
      ),
    ).toEqual(['messaging']);
  });
});
