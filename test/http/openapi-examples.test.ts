/**
 * The examples of the OpenAPI document (src/http/openapiExamples.ts) do not rot: every operation that takes
 * a body shows an example of it, the running server accepts each one (sent with the administrator's session,
 * an Idempotency-Key where the operation takes one, and path parameters naming rows made here first), and
 * every answer example is one the operation's declared schema accepts (ajv on the served document, which is
 * the JSON Schema of the zod schema the serializer enforces). Expectations are written by hand.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import formats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { EXAMPLE_IDS } from '../../src/http/openapiExamples.ts';
import { notifyRecipient } from '../../src/services/fulfilment/recipients.ts';
import { codeHash } from '../../src/services/requests/submitRequest.ts';
import { SYSTEM_ACTOR } from '../../src/services/audit/auditLog.ts';
import { runRetention } from '../../src/services/retention/runRetention.ts';
import { jsonApi } from '../support/http.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

type Media = { schema: unknown; examples?: Record<string, { summary: string; value: unknown }> };
type Operation = {
  operationId: string;
  parameters?: { in: string; name: string; required?: boolean }[];
  requestBody?: { content: Record<string, Media> };
  responses: Record<string, { content?: Record<string, Media> }>;
};
type Doc = {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown> };
};

const PUBLIC_URL = 'https://privacy.nestit.example';
// ajv-formats is CommonJS: its default export is the plugin itself.
const addFormats = formats as unknown as typeof formats.default;

let t: TestServer;
/**
 * A second server without the fulfilment worker: there the subject locator searches no systems, so a group
 * request known nowhere waits for an agent to answer or route it (with the worker's systems all searched,
 * Ombud answers it itself).
 */
let plain: TestServer;
let doc: Doc;
const apiOf = (s: () => TestServer) =>
  jsonApi(() => ({
    server: s().server,
    origin: { cookie: s().cookie, origin: PUBLIC_URL, host: 'privacy.nestit.example' },
  }));
const onWorker = apiOf(() => t);
const onPlain = apiOf(() => plain);
let api = onWorker;

beforeAll(async () => {
  // The fulfilment worker runs (on the demo systems), so an approval and a recipient's task can be made.
  t = await startTestServer({
    config: { publicUrl: PUBLIC_URL, secretKeys: `k1:${Buffer.alloc(32, 7).toString('base64')}` },
    fulfilment: 'embedded',
  });
  plain = await startTestServer({ config: { publicUrl: PUBLIC_URL } });
  const res = await t.server.inject('/api/openapi.json');
  expect(res.statusCode).toBe(200);
  doc = res.json();
}, 60_000);
afterAll(async () => {
  await t?.close();
  await plain?.close();
});

const operations = () =>
  Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({ path, method, op })),
  );

// --- Preconditions: rows the examples act on -----------------------------------------------------------

const key = () => ({ 'idempotency-key': crypto.randomUUID() });
let filed = 0;
/**
 * Files a request at the desk (no code sent) and answers its id and submission id. An erasure by default: it
 * waits for a person's approval once verified (an access would go to the fulfilment worker at once).
 */
async function file(body: Record<string, unknown> = {}) {
  const res = await api(
    'POST',
    '/api/v1/requests',
    {
      company: 'nestit-sverige',
      type: 'erasure',
      email: `example-${++filed}@example.test`,
      sendCode: false,
      ...body,
    },
    key(),
  );
  expect(res.statusCode, res.body).toBe(201);
  const json = res.json();
  return { id: json.requests[0].id as string, submissionId: json.submissionId as string };
}
async function act(id: string, action: string, body: unknown = {}) {
  const res = await api('POST', `/api/v1/requests/${id}/${action}`, body);
  expect(res.statusCode, `${action}: ${res.body}`).toBe(200);
}
const verified = async (body: Record<string, unknown> = {}) => {
  const r = await file(body);
  await act(r.id, 'verify-manual', { note: 'ID seen: passport' });
  return r;
};
const started = async (body: Record<string, unknown> = {}) => {
  const r = await verified(body);
  await act(r.id, 'start');
  return r;
};
let breachId: string | undefined;
/** A breach recorded by the group owner (unscoped), for the examples of the operations on one. */
const exampleBreach = async () => {
  if (breachId) return breachId;
  const now = t.app.now().toISOString();
  const res = await api('POST', '/api/v1/breaches', {
    title: 'Example breach',
    description: 'Recorded for the examples.',
    detectedAt: now,
    awareAt: now,
    affected: [{ dataset: 'nestit_webshop', collection: 'customers' }],
  });
  expect(res.statusCode, res.body).toBe(201);
  breachId = res.json().id as string;
  return breachId;
};
const warned = async () => {
  const r = await started();
  await act(r.id, 'refusal-warning', { ground: 'excessive', reason: 'Fifth identical request.' });
  return r;
};
const charged = async () => {
  const r = await warned();
  await act(r.id, 'fee', { ground: 'excessive', reason: 'A further copy.', amount: 150, currency: 'SEK' });
  return r;
};

type Prepared = {
  /** The path parameters. */
  params?: Record<string, string>;
  /** Ids of rows made here, in place of the example's ids (EXAMPLE_IDS) in the body. */
  ids?: Record<string, string>;
  /** A status other than 2xx the answer may have, and why. */
  expect?: { status: number; why: string };
};

/** For each operation with a body: the rows its examples act on, made first. */
/** An approved erasure with the manual task a recipient without an HTTP connector gets when it reaches
 * the parcel carrier (Art. 19); the request's id. */
async function shippingTask(): Promise<string> {
  const { id } = await verified();
  await act(id, 'approve');
  await notifyRecipient(
    t.app.db,
    { callbackBaseUrl: PUBLIC_URL },
    {
      requestId: id,
      orgId: 'nestit-sverige',
      action: 'erasure',
      systemId: 'shipping',
      identities: {},
      now: t.app.now(),
    },
  );
  return id;
}

const PREPARE: Record<string, () => Promise<Prepared>> = {
  fileRequest: async () => ({}),
  verifyRequestByCode: async () => {
    // The code is e-mailed; the test stores the example's code as the one sent for a real submission.
    const { submissionId } = await file({ sendCode: true, email: 'code@example.test' });
    await t.app.db.query('UPDATE dsr_verification_codes SET code_hash = $2 WHERE submission_id = $1', [
      submissionId,
      codeHash(submissionId, '482913'),
    ]);
    return { ids: { [EXAMPLE_IDS.submission]: submissionId } };
  },
  verifyRequestByAssertion: async () => {
    const { submissionId } = await file({ sendCode: true, email: 'assertion@example.test' });
    return {
      ids: { [EXAMPLE_IDS.submission]: submissionId },
      // The body passes its schema; this server trusts no shop's keys (no OMBUD_ASSERTION_JWKS_URL), so the
      // assertion is refused as a precondition. test/requests/verification.test.ts verifies a signed one.
      expect: { status: 409, why: 'assertions-not-configured' },
    };
  },
  assignRequest: async () => ({ params: { id: (await file()).id } }),
  createRequestNote: async () => ({ params: { id: (await file()).id } }),
  verifyRequestManually: async () => ({ params: { id: (await file()).id } }),
  startRequest: async () => ({ params: { id: (await verified()).id } }),
  extendRequest: async () => ({ params: { id: (await started()).id } }),
  completeRequest: async () => ({ params: { id: (await started()).id } }),
  warnOfRefusal: async () => ({ params: { id: (await started()).id } }),
  refuseRequest: async () => ({ params: { id: (await warned()).id } }),
  chargeRequestFee: async () => ({ params: { id: (await warned()).id } }),
  markRequestFeePaid: async () => ({ params: { id: (await charged()).id } }),
  waiveRequestFee: async () => ({ params: { id: (await charged()).id } }),
  decideObjection: async () => ({
    params: { id: (await verified({ company: 'bokhylla', type: 'objection', purposeId: 'surveys' })).id },
  }),
  answerNoData: async () => {
    api = onPlain;
    return { params: { id: (await verified({ company: 'group' })).id } };
  },
  routeRequest: async () => {
    api = onPlain;
    return { params: { id: (await verified({ company: 'group' })).id } };
  },
  approveRequest: async () => ({ params: { id: (await verified({ type: 'rectification' })).id } }),
  retryRequestFulfilment: async () => ({
    params: { id: (await verified()).id },
    // The body (no fields) passes its schema; a retry needs a failed run, which takes the worker's retries
    // against a broken system to make. test/requests/desk-fulfilment.test.ts retries a failed one.
    expect: { status: 409, why: 'fulfilment-not-failed' },
  }),
  createRequestResult: async () => ({ params: { id: (await started()).id } }),
  // The bodies pass their schemas; a group request on the server without the worker is not sent to any
  // company, so there is nothing to decide yet. test/requests/group-decide.test.ts decides split ones.
  ...Object.fromEntries(
    ['approveGroupRequest', 'warnOfGroupRefusal', 'refuseGroupRequest', 'extendGroupRequest'].map((op) => [
      op,
      async () => {
        api = onPlain;
        return {
          params: { id: (await verified({ company: 'group' })).id },
          expect: { status: 409, why: 'group-nothing-to-decide' },
        };
      },
    ]),
  ),
  createConsent: async () => ({ params: { orgId: 'nestit-sverige' } }),
  createConsentWithdrawal: async () => ({ params: { orgId: 'nestit-sverige' } }),
  createObjection: async () => ({ params: { orgId: 'bokhylla' } }),
  checkContact: async () => ({ params: { orgId: 'nestit-sverige' } }),
  checkContactsInBulk: async () => ({ params: { orgId: 'nestit-sverige' } }),
  createPreferenceLink: async () => ({ params: { orgId: 'nestit-sverige' } }),
  getConsentHistory: async () => ({ params: { orgId: 'nestit-sverige' } }),
  createCookieConsent: async () => ({}),
  answerFulfilmentTask: async () => ({ params: { requestId: await shippingTask(), systemId: 'shipping' } }),
  answerFulfilmentTasks: async () => ({
    ids: { [EXAMPLE_IDS.request]: await shippingTask(), [EXAMPLE_IDS.groupRequest]: await shippingTask() },
  }),
  configureHttpConnector: async () => ({}),
  inviteUser: async () => ({}),
  grantRole: async () => {
    const invited = await api('POST', '/api/v1/users/invite', {
      email: 'role@example.test',
      orgId: 'provendo',
      role: 'auditor',
    });
    expect(invited.statusCode, invited.body).toBe(201);
    return { params: { orgId: 'nestit-sverige' }, ids: { [EXAMPLE_IDS.user]: invited.json().userId } };
  },
  createApiKey: async () => ({}),
  createWebhookEndpoint: async () => ({}),
  createHold: async () => ({
    // The body passes its schema; placing a hold marks rows in the group's databases, which this server does
    // not connect (no retention worker). test/holds/api.test.ts places and lifts holds with them.
    params: { orgId: 'nestit-sverige' },
    expect: { status: 409, why: 'holds-need-databases' },
  }),
  runAnalyticsExport: async () => ({
    // The body passes its schema; an export reads the group's databases, which this server does not connect.
    // test/analytics/api.test.ts runs exports over them.
    params: { orgId: 'nestit-sverige' },
    expect: { status: 409, why: 'analytics-needs-databases' },
  }),
  liftHold: async () => ({
    params: { id: EXAMPLE_IDS.hold },
    expect: { status: 409, why: 'holds-need-databases' },
  }),
  // A breach of the group (recorded by the owner) for the breach operations' examples.
  createBreach: async () => ({}),
  // Changing the example breach: both examples answer 200 (it was never scoped, so no scope is cleared).
  updateBreach: async () => ({ params: { id: await exampleBreach() } }),
  assessBreach: async () => ({
    // Assessing starts from the scope, which counts in the group's databases this server does not connect.
    params: { id: await exampleBreach() },
    expect: { status: 409, why: 'breach-not-scoped' },
  }),
  draftBreachNotifications: async () => ({
    params: { id: await exampleBreach() },
    expect: { status: 409, why: 'breach-not-scoped' },
  }),
  markBreachNotified: async () => ({
    params: { id: await exampleBreach() },
    expect: { status: 409, why: 'breach-not-to-notify' },
  }),
  tellBreachSubjects: async () => ({
    params: { id: await exampleBreach() },
    expect: { status: 409, why: 'breach-not-high-risk' },
  }),
  answerRetentionTask: async () => {
    // A real run with no database connected: every system of the register with data under a rule that
    // has ended is then outside the SQL databases, and the shipping carrier's gets a manual task.
    const index = (await t.app.registers.get())!.index;
    await runRetention(
      { db: t.app.db, actor: SYSTEM_ACTOR, index, datasets: [], connectors: new Map(), secret: 'x' },
      { today: '2026-03-02' },
    );
    const [task] = await t.app.db.query<{ id: string }>(
      "SELECT id FROM retention_tasks WHERE system = 'shipping' AND rule = 'order-data' AND status = 'open'",
    );
    return { params: { id: task!.id } };
  },
  startRetentionRun: async () => ({
    // The body passes its schema; a run needs the retention worker connected to the systems' databases,
    // which this server does not start. test/retention/access.test.ts starts runs with one.
    expect: { status: 409, why: 'retention-not-running' },
  }),
};

const withIds = (value: unknown, ids: Record<string, string> = {}) =>
  JSON.parse(
    Object.entries(ids).reduce((s, [from, to]) => s.replaceAll(from, to), JSON.stringify(value)),
  ) as unknown;

describe('the examples of the OpenAPI document', () => {
  test('every operation that takes a body shows an example of it', () => {
    const withBody = operations().filter((o) => o.op.requestBody);
    // Counted by hand from the routes: 50 of the 95 operations take a body (GET /readyz, the hashed suppression list and the four audience
    // operations take none; of the ten breach operations six do (PATCH /api/v1/breaches/:id among them), of
    // the three analytics operations one; the four group decisions and the bulk task answers do).
    expect(operations()).toHaveLength(95);
    expect(withBody).toHaveLength(50);
    for (const { op } of withBody) {
      const media = op.requestBody!.content['application/json'];
      expect(Object.keys(media?.examples ?? {}).length, op.operationId).toBeGreaterThan(0);
    }
    expect(Object.keys(PREPARE).sort()).toEqual(withBody.map((o) => o.op.operationId).sort());
  });

  test('the server accepts every body example', async () => {
    const answers: Record<string, number> = {};
    for (const { path, method, op } of operations()) {
      const media = op.requestBody?.content['application/json'];
      if (!media) continue;
      for (const [name, example] of Object.entries(media.examples ?? {})) {
        api = onWorker; // a preparation that needs the server without the worker switches to it
        const prepared = await PREPARE[op.operationId]!();
        const url = path.replace(/\{(\w+)\}/g, (_, p: string) => {
          const value = prepared.params?.[p];
          if (!value) throw new Error(`${op.operationId}: no value for {${p}}`);
          return value;
        });
        const idempotent = op.parameters?.some((p) => p.in === 'header' && p.name === 'idempotency-key');
        const res = await api(
          method.toUpperCase() as 'POST',
          url,
          withIds(example.value, prepared.ids),
          idempotent ? key() : {},
        );
        answers[`${op.operationId} ${name}`] = res.statusCode;
        if (prepared.expect) {
          expect(res.statusCode, `${op.operationId} ${name}: ${res.body}`).toBe(prepared.expect.status);
          expect(res.json().code, `${op.operationId} ${name}`).toBe(prepared.expect.why);
        } else expect(res.statusCode, `${op.operationId} ${name}: ${res.body}`).toBeLessThan(300);
      }
    }
    expect(Object.keys(answers).length).toBeGreaterThanOrEqual(38);
  }, 120_000);

  test('every answer example is accepted by the schema its operation declares', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema({ components: doc.components }, 'doc');
    const checked: string[] = [];
    for (const { op } of operations())
      for (const [status, response] of Object.entries(op.responses)) {
        const media = response.content?.['application/json'];
        for (const [name, example] of Object.entries(media?.examples ?? {})) {
          const schema = JSON.parse(
            JSON.stringify(media!.schema).replaceAll('"#/components/', '"doc#/components/'),
          );
          const validate = ajv.compile(schema);
          const ok = validate(example.value);
          expect(ok, `${op.operationId} ${status} ${name}: ${ajv.errorsText(validate.errors)}`).toBe(true);
          checked.push(`${op.operationId} ${status}`);
        }
      }
    // The most used operations, written by hand.
    for (const answer of [
      'fileRequest 201',
      'getRequest 200',
      'listRequests 200',
      'checkContact 200',
      'checkContactsInBulk 200',
      'createConsent 201',
      'createConsentWithdrawal 201',
      'createObjection 201',
      'createPreferenceLink 200',
      'getRegister 200',
      'listOrganizations 200',
      'listRetentionRuns 200',
      'createWebhookEndpoint 201',
      'createApiKey 201',
    ])
      expect(checked, answer).toContain(answer);
  });

  test('a wrong answer example would fail: the same check refuses a field the schema does not have', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema({ components: doc.components }, 'doc');
    const media =
      doc.paths['/api/v1/organizations/{orgId}/contact-checks']!.post!.responses['200']!.content![
        'application/json'
      ]!;
    const validate = ajv.compile(
      JSON.parse(JSON.stringify(media.schema).replaceAll('"#/components/', '"doc#/components/')),
    );
    expect(validate({ allowed: false, basis: 'consent', reason: 'no-consent', subjectId: null })).toBe(true);
    expect(validate({ allowed: 'no', basis: 'consent', reason: 'no-consent', subjectId: null })).toBe(false);
    expect(
      validate({ allowed: false, basis: 'consent', reason: 'no-consent', subjectId: null, extra: 1 }),
    ).toBe(false);
  });
});
