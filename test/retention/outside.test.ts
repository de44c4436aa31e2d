/**
 * P12 P14 Retention outside the SQL databases, over the demo group's real systems (web shop on
 * PostgreSQL, customer service on MariaDB, swept as before) and a real HTTP service on loopback: the CRM,
 * a stand-in written as a vendor would (node:http, node:crypto), that holds records under the rules,
 * verifies Ombud's signature and applies the retention request. The other systems with no SQL dataset
 * have no interface: they get manual tasks, once per rule and month, ticked off through the API and the
 * console. Expected cut-offs and counts are written by hand from the register's rules and the CRM's records.
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseKeyring } from '../../src/core/secrets/envelope.ts';
import { SYSTEM_ACTOR } from '../../src/services/audit/auditLog.ts';
import { saveHttpConnector } from '../../src/services/fulfilment/connectors/http.ts';
import { type RetentionDeps, runRetention } from '../../src/services/retention/runRetention.ts';
import { RetentionWorker } from '../../src/services/retention/worker.ts';
import { SAME_ORIGIN } from '../security/helpers.ts';
import { FORM } from '../support/http.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { type RetentionSystems, retentionSystems } from './support.ts';

// ---- The CRM: a vendor's implementation of the retention operation of docs/connectors/http.md --------

type CrmRecord = { id: number; rule: string; trigger: string; invoiceDate?: string };
type Received = { webhookId: string; verified: boolean; body: Record<string, unknown> };

type Crm = {
  url: string;
  records: CrmRecord[];
  received: Received[];
  /** Rules answered 503 (the service is down for them). */
  failing: Set<string>;
  /** Rules accepted with 202; the answer goes later by callback (`callback`). */
  later: Set<string>;
  /** The answer to a delivery accepted earlier, signed as the service signs it. */
  callback: (deliveryId: string, secret?: string) => { headers: Record<string, string>; payload: string };
  close: () => Promise<void>;
};

const keyOf = (secret: string) => Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
const sign = (secret: string, id: string, ts: string, body: string) =>
  `v1,${createHmac('sha256', keyOf(secret)).update(`${id}.${ts}.${body}`).digest('base64')}`;

async function startCrm(secret: string, records: CrmRecord[]): Promise<Crm> {
  const answers = new Map<string, Record<string, unknown>>(); // by delivery id: a repeat gets the same answer
  const crm: Crm = {
    url: '',
    records,
    received: [],
    failing: new Set(),
    later: new Set(),
    callback: (deliveryId, s = secret) => {
      const payload = JSON.stringify(answers.get(deliveryId));
      const id = `msg_${randomUUID()}`;
      const ts = String(Math.floor(new Date('2026-11-25T10:00:00Z').getTime() / 1000));
      return {
        headers: {
          'content-type': 'application/json',
          'webhook-id': id,
          'webhook-timestamp': ts,
          'webhook-signature': sign(s, id, ts, payload),
        },
        payload,
      };
    },
    close: async () => {},
  };
  const apply = (b: Record<string, unknown>) => {
    const before = String(b.expired_before);
    const exceptions = b.exceptions as { rule: string; expired_before: string | null }[];
    const bookkeeping = exceptions.find((e) => e.rule === 'bookkeeping-se');
    let done = 0;
    let kept = 0;
    for (const r of [...crm.records]) {
      if (r.rule !== b.rule || r.trigger >= before) continue;
      const stillKept =
        r.invoiceDate !== undefined &&
        bookkeeping !== undefined &&
        (bookkeeping.expired_before === null || r.invoiceDate >= bookkeeping.expired_before);
      if (stillKept) kept++;
      else {
        // Delete the record, or anonymise it: it stays, linked to no one (a statistic).
        if (b.action === 'anonymise') r.rule = 'anonymous';
        else crm.records.splice(crm.records.indexOf(r), 1);
        done++;
      }
    }
    return b.action === 'anonymise'
      ? { status: 'done', anonymised: done, kept }
      : { status: 'done', deleted: done, kept };
  };
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => {
      raw += c;
    });
    req.on('end', () => {
      const id = String(req.headers['webhook-id'] ?? '');
      const ts = String(req.headers['webhook-timestamp'] ?? '');
      const verified = String(req.headers['webhook-signature'] ?? '') === sign(secret, id, ts, raw);
      const body = JSON.parse(raw) as Record<string, unknown>;
      crm.received.push({ webhookId: id, verified, body });
      if (!verified) return res.writeHead(401).end();
      const rule = String(body.rule);
      if (crm.failing.has(rule)) return res.writeHead(503).end();
      const deliveryId = String(body.delivery_id);
      if (!answers.has(deliveryId)) answers.set(deliveryId, apply(body));
      if (crm.later.has(rule)) return res.writeHead(202).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answers.get(deliveryId)));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  crm.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ombud`;
  crm.close = () => new Promise<void>((r) => server.close(() => r()));
  return crm;
}

// ---- Hand-written expectations for 2026-11-25 (register: examples/nestit/register) ------------------

/** The CRM's rules (purposes naming crm as a recipient) and their cut-offs on 2026-11-25. */
const CRM_ASKS: [rule: string, action: string, expiredBefore: string][] = [
  ['account-data', 'delete', '2026-10-26'], // P30D: trigger + 30 days ended by 11-24
  ['ad-segments', 'delete', '2025-10-25'], // P13M
  ['customer-analysis', 'anonymise', '2023-11-25'], // P36M
  ['marketing-profile', 'delete', '2024-11-25'], // P24M
  ['order-data', 'delete', '2023-11-25'], // P3Y
  ['purchase-messages', 'delete', '2024-11-25'], // P24M
  ['reviews', 'delete', '2023-11-25'], // P3Y
  ['survey-answers', 'anonymise', '2025-11-25'], // P12M
];
/** order-data's exceptions: bookkeeping-se ends with 2018's records (P7Y after the year, to its end). */
const ORDER_EXCEPTIONS = [
  ['bookkeeping-se', '2019-01-01'],
  ['bookkeeping-no', '2021-01-01'], // P5Y after the financial year: 2020's records
  ['legal-hold', '2026-10-26'],
];
/** Systems with no SQL dataset and no connector: a manual task per rule. */
const MANUAL: [system: string, rule: string, expiredBefore: string][] = [
  ['analytics', 'customer-analysis', '2023-11-25'],
  ['case-management', 'legal-claims', '2016-11-25'], // P10Y
  ['customer-service-provider', 'customer-service-cases', '2024-11-25'],
  ['messaging', 'marketing-profile', '2024-11-25'],
  ['messaging', 'purchase-messages', '2024-11-25'],
  ['messaging', 'reviews', '2023-11-25'],
  ['shipping', 'order-data', '2023-11-25'],
  ['survey-provider', 'survey-answers', '2025-11-25'],
];

const CRM_RECORDS: CrmRecord[] = [
  { id: 1, rule: 'order-data', trigger: '2023-11-24' }, // ended: deleted
  { id: 2, rule: 'order-data', trigger: '2023-11-25' }, // the first day not ended: stays
  { id: 3, rule: 'order-data', trigger: '2022-02-01', invoiceDate: '2022-02-01' }, // ended, bookkeeping keeps
  { id: 4, rule: 'order-data', trigger: '2017-03-01', invoiceDate: '2017-03-01' }, // bookkeeping ended too
  { id: 5, rule: 'customer-analysis', trigger: '2023-01-10' }, // anonymised (answer by callback)
  { id: 6, rule: 'survey-answers', trigger: '2025-11-24' }, // anonymised (after the service is back)
  { id: 7, rule: 'survey-answers', trigger: '2026-01-01' }, // not ended
];

type Outside = {
  system: string;
  rule: string;
  via: string;
  action: string;
  expiredBefore: string;
  status: string;
  deliveryId: string | null;
  deleted: number | null;
  anonymised: number | null;
  kept: number | null;
  error: string | null;
  taskId: string | null;
  taskOpened: boolean;
};

describe('retention outside the SQL databases', () => {
  let t: TestServer;
  let s: RetentionSystems;
  let crm: Crm;
  let secret: string;
  let deps: RetentionDeps;
  const ring = `k1:${randomBytes(32).toString('base64')}`;
  let firstRun = '';
  const identified = () => crm.records.filter((r) => r.rule !== 'anonymous').map((r) => r.id);
  const ombudCount = async (sql: string) => (await t.app.db.query<{ n: number }>(sql))[0]!.n;
  const api = async (method: 'GET' | 'POST', url: string, payload?: unknown) =>
    t.server.inject({
      method,
      url,
      headers: { cookie: t.cookie, ...SAME_ORIGIN },
      ...(payload ? { payload } : {}),
    });

  beforeAll(async () => {
    t = await startTestServer({
      kind: 'pglite',
      now: () => new Date('2026-11-25T10:00:00Z'),
      config: {
        secret: 'retention-outside-test-0123456789abcdef',
        secretKeys: ring,
        publicUrl: 'https://ombud.test',
      },
    });
    s = await retentionSystems({ customers: 20 });
    await RetentionWorker.start(t.app, t.workers, s, { catchUp: false, pollingIntervalSeconds: 1 });
    const saved = await saveHttpConnector(t.app.db, parseKeyring(ring), SYSTEM_ACTOR, {
      systemId: 'crm',
      url: 'http://127.0.0.1:9/replaced',
      timeoutMs: 3000,
    });
    secret = saved.secret;
    crm = await startCrm(
      secret,
      CRM_RECORDS.map((r) => ({ ...r })),
    );
    await saveHttpConnector(t.app.db, parseKeyring(ring), SYSTEM_ACTOR, {
      systemId: 'crm',
      url: crm.url,
      secret,
      timeoutMs: 3000,
    });
    const base = await t.workers.retention!.deps(SYSTEM_ACTOR);
    deps = { ...base, recipients: { ...base.recipients!, retries: 0 } };
  }, 120_000);
  afterAll(async () => {
    await t?.workers.retention?.stop();
    await t?.close();
    await s?.close();
    await crm?.close();
  });

  test('P12 P14 the CRM receives a signed retention request per rule with the cut-off of the rule; a failing service fails the run, resumable, and the resume sends the same delivery once', async () => {
    crm.failing.add('survey-answers');
    crm.later.add('customer-analysis');
    const first = await runRetention(deps, { today: '2026-11-25' });
    firstRun = first.runId;
    // The SQL databases were swept as always; the run failed because the CRM failed one rule.
    expect(first.steps.map((x) => [x.dataset, x.status])).toEqual([
      ['nestit_customer_service', 'done'],
      ['nestit_webshop', 'done'],
      ['ombud', 'done'],
    ]);
    expect(first.status).toBe('failed');
    const [stored] = await t.app.db.query<{ status: string; error: string }>(
      'SELECT status, error FROM retention_runs WHERE id = $1',
      [first.runId],
    );
    expect(stored).toEqual({
      status: 'failed',
      error: 'crm (survey-answers): crm: the service answered HTTP 503',
    });

    // One signed request per rule, with the hand-computed cut-offs; no personal data in it.
    expect(crm.received).toHaveLength(CRM_ASKS.length);
    expect(crm.received.every((r) => r.verified)).toBe(true);
    const asked = crm.received
      .map((r) => [r.body.rule, r.body.action, r.body.expired_before])
      .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    expect(asked).toEqual(CRM_ASKS);
    const order = crm.received.find((r) => r.body.rule === 'order-data')!;
    expect(order.body).toMatchObject({
      type: 'ombud.retention.request',
      run_id: first.runId,
      system: 'crm',
      today: '2026-11-25',
      duration: 'P3Y',
      trigger: 'relationship-ended',
      callback_url: `https://ombud.test/api/v1/retention/callbacks/${order.webhookId}`,
    });
    expect(order.body.delivery_id).toBe(order.webhookId);
    expect(
      (order.body.exceptions as { rule: string; expired_before: string }[]).map((e) => [
        e.rule,
        e.expired_before,
      ]),
    ).toEqual(ORDER_EXCEPTIONS);
    expect(JSON.stringify(crm.received.map((r) => r.body))).not.toMatch(/@|\+46/);

    // What the run recorded of the answers: order-data deleted 2 and kept 1 (bookkeeping), per the records.
    const crmOf = (o: Outside[]) => new Map(o.filter((x) => x.system === 'crm').map((x) => [x.rule, x]));
    const firstCrm = crmOf(first.outside as Outside[]);
    expect(firstCrm.get('order-data')).toMatchObject({ via: 'http', status: 'done', deleted: 2, kept: 1 });
    expect(firstCrm.get('customer-analysis')).toMatchObject({ status: 'accepted', anonymised: null });
    expect(firstCrm.get('survey-answers')).toMatchObject({
      status: 'failed',
      error: 'crm: the service answered HTTP 503',
    });
    expect(firstCrm.get('reviews')).toMatchObject({ status: 'done', deleted: 0, kept: 0 });
    expect(identified()).toEqual([2, 3, 6, 7]); // 5 anonymised when accepted, reported later

    // The service is back: the resumed run (a manual run of the same day resumes it) asks only the rule
    // that failed, with the same delivery id (the service's idempotency key); the databases are not swept
    // again.
    crm.failing.clear();
    const failedId = crm.received.find((r) => r.body.rule === 'survey-answers')!.webhookId;
    const resumed = await runRetention(deps, { today: '2026-11-25' });
    expect(resumed.runId).toBe(first.runId);
    expect(resumed.status).toBe('done');
    expect(crm.received).toHaveLength(CRM_ASKS.length + 1);
    expect(crm.received.at(-1)!.webhookId).toBe(failedId);
    expect(crmOf(resumed.outside as Outside[]).get('survey-answers')).toMatchObject({
      status: 'done',
      anonymised: 1,
    });
    expect(identified()).toEqual([2, 3, 7]);

    // The accepted request answers by the signed callback: recorded once; a repeat is acknowledged only;
    // a callback signed with another secret is refused.
    const analysisId = crm.received.find((r) => r.body.rule === 'customer-analysis')!.webhookId;
    const forged = crm.callback(analysisId, `whsec_${randomBytes(32).toString('base64')}`);
    const refused = await t.server.inject({
      method: 'POST',
      url: `/api/v1/retention/callbacks/${analysisId}`,
      ...forged,
    });
    expect(refused.statusCode).toBe(401);
    const cb = await t.server.inject({
      method: 'POST',
      url: `/api/v1/retention/callbacks/${analysisId}`,
      ...crm.callback(analysisId),
    });
    expect(cb.statusCode).toBe(200);
    expect(cb.json()).toEqual({ received: true, recorded: true });
    const again = await t.server.inject({
      method: 'POST',
      url: `/api/v1/retention/callbacks/${analysisId}`,
      ...crm.callback(analysisId),
    });
    expect(again.json()).toEqual({ received: true, recorded: false });
    expect(crm.records.map((r) => r.id)).toEqual([2, 3, 5, 6, 7]); // 1 and 4 deleted

    // The run's detail (API) holds every outside request, the callback's answer included.
    const detail = await api('GET', `/api/v1/retention/runs/${first.runId}`);
    expect(detail.statusCode).toBe(200);
    const d = detail.json() as { outside: Outside[]; tasks: { system: string }[] };
    expect(crmOf(d.outside).get('customer-analysis')).toMatchObject({ status: 'done', anonymised: 1 });
    expect(d.outside.filter((o) => o.via === 'http').length).toBe(CRM_ASKS.length);
    expect(d.outside.every((o) => o.status !== 'failed')).toBe(true);
    const audit = await ombudCount(
      "SELECT COUNT(*)::int AS n FROM audit_log WHERE action = 'retention.request'",
    );
    // Audited: 6 answers at once and 1 acceptance in the first attempt (the 503 is on the run's entry),
    // the answer on resume, the callback's answer.
    expect(audit).toBe(6 + 1 + 1 + 1);
  }, 60_000);

  test('P12 systems with no interface get one manual task per rule and month; a dry run opens none; tasks are ticked off through the API and the console and shown with the run', async () => {
    const tasks = () =>
      t.app.db.query<{
        id: string;
        system: string;
        rule: string;
        period: string;
        expired_before: string;
        due_on: string;
      }>(
        `SELECT id, system, rule, period, expired_before::text AS expired_before, due_on::text AS due_on
           FROM retention_tasks ORDER BY system, rule, period`,
      );
    // The first run (and its resume) opened one task per manual system and rule, due in 30 days.
    const november = await tasks();
    expect(november.map((x) => [x.system, x.rule, x.expired_before])).toEqual(MANUAL);
    expect(new Set(november.map((x) => `${x.period} ${x.due_on}`))).toEqual(new Set(['2026-11 2026-12-25']));

    // Another run in the same month asks again but opens nothing new: it names the month's tasks.
    const next = await runRetention(deps, { today: '2026-11-26' });
    expect(next.runId).not.toBe(firstRun);
    expect(await tasks()).toEqual(november);
    const manual = (next.outside as Outside[]).filter((o) => o.via === 'manual');
    expect(manual.map((o) => [o.system, o.rule, o.status, o.taskOpened])).toEqual(
      MANUAL.map(([system, rule]) => [system, rule, 'task', false]),
    );
    expect(manual.map((o) => o.taskId)).toEqual(november.map((x) => x.id));

    // A dry run for a day of December opens nothing and asks no one; it says what it would ask.
    const asked = crm.received.length;
    const dry = await runRetention(deps, { today: '2026-12-02', dryRun: true });
    expect(dry.status).toBe('done');
    expect(await tasks()).toEqual(november);
    expect(crm.received.length).toBe(asked);
    expect((dry.outside as Outside[]).map((o) => [o.system, o.rule, o.status, o.taskId])).toEqual(
      [...CRM_ASKS.map(([rule]) => ['crm', rule]), ...MANUAL.map(([system, rule]) => [system, rule])]
        .sort((a, b) => a[0]!.localeCompare(b[0]!) || a[1]!.localeCompare(b[1]!))
        .map(([system, rule]) => [system, rule, 'planned', null]),
    );

    // A run for a day of October (a manual run for a past day) opens October's tasks, overdue by now.
    await runRetention(deps, { today: '2026-10-20' });
    const all = await tasks();
    expect(all.length).toBe(2 * MANUAL.length);
    const october = all.filter((x) => x.period === '2026-10');
    expect(new Set(october.map((x) => x.due_on))).toEqual(new Set(['2026-11-19']));

    // The API lists the open tasks, due first; ticking one off records the note and the count, once.
    const list = await api('GET', '/api/v1/retention/tasks');
    expect(list.statusCode).toBe(200);
    const open = (list.json() as { tasks: { id: string; dueOn: string; status: string }[] }).tasks;
    expect(open.length).toBe(2 * MANUAL.length);
    expect(open.slice(0, MANUAL.length).every((x) => x.dueOn === '2026-11-19')).toBe(true);
    const shippingOct = october.find((x) => x.system === 'shipping')!;
    const tick = await api('POST', `/api/v1/retention/tasks/${shippingOct.id}`, {
      status: 'done',
      note: 'Deleted in the carrier portal',
      records: 4,
    });
    expect(tick.statusCode).toBe(200);
    expect(tick.json()).toMatchObject({ status: 'done', records: 4, note: 'Deleted in the carrier portal' });
    expect(
      (await api('POST', `/api/v1/retention/tasks/${shippingOct.id}`, { note: 'again' })).statusCode,
    ).toBe(409);
    const noNote = await api('POST', `/api/v1/retention/tasks/${october[0]!.id}`, { status: 'done' });
    expect(noNote.statusCode).toBe(400);
    expect(noNote.headers['content-type']).toContain('application/problem+json');
    expect(JSON.stringify(noNote.json())).toContain('note');

    // The console: open and overdue tasks on /console/retention, the tick-off form, and the run's page.
    const page = await t.server.inject({
      method: 'GET',
      url: '/console/retention',
      headers: { cookie: t.cookie },
    });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Manual tasks');
    expect(page.body).toContain(`${2 * MANUAL.length - 1} open`);
    expect(page.body).toContain(`${MANUAL.length - 1} overdue`);
    expect(page.body).not.toContain(`id="task-${shippingOct.id}"`);
    const caseTask = october.find((x) => x.system === 'case-management')!;
    expect(page.body).toContain(`action="/console/retention/tasks/${caseTask.id}"`);
    const form = await t.server.inject({
      method: 'POST',
      url: `/console/retention/tasks/${caseTask.id}`,
      headers: { cookie: t.cookie, ...SAME_ORIGIN, ...FORM },
      payload: 'status=not-held&note=No+claims+older+than+2016+in+the+case+system&records=',
    });
    expect(form.statusCode).toBe(303);
    const [ticked] = await t.app.db.query<{ status: string; note: string; records: number | null }>(
      'SELECT status, note, records FROM retention_tasks WHERE id = $1',
      [caseTask.id],
    );
    expect(ticked).toEqual({
      status: 'not-held',
      note: 'No claims older than 2016 in the case system',
      records: null,
    });
    const runPage = await t.server.inject({
      method: 'GET',
      url: `/console/retention/runs/${firstRun}`,
      headers: { cookie: t.cookie },
    });
    expect(runPage.body).toContain('Systems outside the SQL databases');
    expect(runPage.body).toMatch(
      /<td>crm<\/td><td>order-data<\/td><td>HTTP connector<\/td><td>delete<\/td><td>2023-11-25<\/td><td>answered<\/td><td>deleted 2, anonymised 0, kept 1<\/td>/,
    );
    expect(runPage.body).toMatch(/<td>shipping<\/td><td>order-data<\/td><td>manual task<\/td>/);
    const opened = await ombudCount(
      "SELECT COUNT(*)::int AS n FROM audit_log WHERE action = 'retention.task.opened'",
    );
    expect(opened).toBe(2 * MANUAL.length);
  }, 120_000);
});
