/**
 * Data subject requests over HTTP: the API for customer-service tools and the console
 * (/api/v1/requests…), and the public verification endpoints. Request ids travel in URLs; the
 * requester's e-mail address never does.
 */
import type { RouteServer } from '../routeServer.ts';
import { z } from 'zod';
import type { App } from '../../app.ts';
import { listScope } from '../../core/policies/policy.ts';
import { LANGUAGES } from '../../core/register/schema.ts';
import { formatFee } from '../../core/requests/fees.ts';
import { REQUEST_STATES, REQUEST_TYPES } from '../../core/requests/workflow.ts';
import { getFee } from '../../services/requests/chargeFee.ts';
import { attachResult, openResult } from '../../services/requests/deliverResult.ts';
import { requestFulfilmentStatusFor } from '../../services/fulfilment/access.ts';
import { listRequests } from '../../services/requests/listRequests.ts';
import {
  getRequest,
  type RequestRow,
  referenceOf,
  requestFor,
  timeline,
} from '../../services/requests/store.ts';
import { submitRequest } from '../../services/requests/submitRequest.ts';
import { verifyByAssertion, verifyByCode } from '../../services/requests/verifyRequest.ts';
import { callerOf } from '../actor.ts';
import { REQUEST_ACTIONS } from '../requestActions.ts';
import { verificationLimiter } from '../requestLimits.ts';
import { fulfilmentStatus } from '../schemas/fulfilment.ts';
import {
  filed,
  requestDetail,
  requestList,
  type requestView,
  resultAttached,
  verified,
} from '../schemas/requests.ts';
import type { BackgroundWork } from '../../workers.ts';

const id = z.object({ id: z.uuid('a request id (UUID)') });
const company = z
  .string()
  .regex(/^(group|[a-z0-9-]{1,64})$/, "an organization id, or 'group' for every company");

export const submitBody = z.object({
  company,
  type: z.enum(REQUEST_TYPES),
  email: z.email('an e-mail address to answer to').max(320),
  name: z.string().max(200).optional(),
  lang: z.enum(LANGUAGES).default('en'),
  details: z.string().max(5000).optional(),
  purposeId: z.string().max(64).optional(),
  receivedAt: z.iso
    .datetime({ offset: true, error: 'an ISO 8601 date-time, e.g. 2026-03-02T09:30:00+01:00' })
    .optional(),
  sendCode: z.boolean().default(true),
});

type RequestView = z.infer<typeof requestView>;

/** A request row as the API answers it (requestView). */
export function viewOf(r: RequestRow & { status?: RequestView['status'] }): RequestView {
  return {
    id: r.id,
    reference: referenceOf(r.submission_id),
    orgId: r.org_id,
    type: r.type,
    state: r.state,
    receivedAt: r.received_at.toISOString(),
    dueDate: r.due_date,
    legalDueDate: r.legal_due_date,
    maxDueDate: r.max_due_date,
    extended: !!r.extension_reason,
    assignee: r.assignee,
    verificationMethod: r.verification_method,
    purposeId: r.purpose_id,
    linked: r.scope.linked ?? [],
    jointHandledBy: r.scope.jointHandledBy ?? null,
    group: r.scope.group ? { candidates: r.scope.group.candidates } : null,
    groupRequest: r.scope.parent ?? null,
    decision: r.decision,
    status: r.status,
  };
}

const tags = ['requests'];

export async function requestRoutes(server: RouteServer, app: App, workers: BackgroundWork) {
  await filingRoutes(server, app);
  await actionRoutes(server, app, workers);
  await publicRoutes(server, app, workers);
}

/** Filing a request, the queue and one request: for customer-service tools and the console. */
async function filingRoutes(server: RouteServer, app: App) {
  server.post(
    '/api/v1/requests',
    {
      config: { permission: 'requests:write' },
      schema: {
        tags,
        summary: 'File a data subject request (customer-service tools); Idempotency-Key required',
        headers: z.object({
          'idempotency-key': z
            .string({ error: 'send an Idempotency-Key header (e.g. a UUID) so a retry does not file twice' })
            .min(8, 'at least 8 characters')
            .max(200),
        }),
        body: submitBody,
        response: {
          200: filed.describe('Filed before under this Idempotency-Key: the same answer, nothing new filed'),
          201: filed.describe('Filed: one request per company'),
        },
      },
    },
    async (req, reply) => {
      const b = req.body;
      // Filing for a company needs requests:write there; for 'group', in every company (submitRequest).
      const caller = callerOf(req);
      const actor = caller.actor;
      const res = await submitRequest(app, caller, {
        channel: 'api',
        scope: b.company,
        type: b.type,
        email: b.email,
        name: b.name,
        lang: b.lang,
        details: b.details,
        purposeId: b.purposeId,
        receivedAt: b.receivedAt ? new Date(b.receivedAt) : undefined,
        sendCode: b.sendCode,
        idempotency: {
          key: req.headers['idempotency-key'],
          principal: `${actor.kind}:${actor.id}`,
        },
      });
      const rows = await Promise.all(res.requestIds.map((i) => getRequest(app.db, i)));
      return reply.status(res.replayed ? 200 : 201).send({
        submissionId: res.submissionId,
        reference: referenceOf(res.submissionId),
        replayed: res.replayed,
        requests: rows.map(viewOf),
      });
    },
  );

  server.get(
    '/api/v1/requests',
    {
      config: { permission: 'requests:read' },
      schema: {
        tags,
        summary: 'The queue, sorted by due date',
        querystring: z.object({
          company: z.string().max(64).optional(),
          type: z.enum(REQUEST_TYPES).optional(),
          state: z.enum(REQUEST_STATES).optional(),
        }),
        response: { 200: requestList },
      },
    },
    async (req) => {
      const q = req.query;
      // Only the companies where the caller may read requests (group requests: all of theirs), in SQL.
      const scope = listScope(callerOf(req).principal, 'requests:read');
      const rows = await listRequests(app, scope, { orgId: q.company, type: q.type, state: q.state });
      return { requests: rows.map(viewOf) };
    },
  );

  server.get(
    '/api/v1/requests/:id',
    {
      config: { permission: 'requests:read' },
      schema: {
        tags,
        summary: 'One request with its timeline',
        params: id,
        response: { 200: requestDetail },
      },
    },
    async (req) => {
      // Another company's request is "not found" (requestPolicy).
      const r = await requestFor(app, callerOf(req), req.params.id, 'read');
      const events = await timeline(app.db, r.id);
      const fee = await getFee(app.db, r.id);
      return {
        request: viewOf(r),
        fee: fee
          ? {
              ground: fee.ground,
              reason: fee.reason,
              amount: formatFee(fee.amount_minor, fee.currency),
              amountMinor: fee.amount_minor,
              currency: fee.currency,
              status: fee.status,
              requestedAt: new Date(fee.requested_at).toISOString(),
              settledAt: fee.settled_at ? new Date(fee.settled_at).toISOString() : null,
              pausedDays: fee.paused_days,
            }
          : null,
        timeline: events.map((e) => ({
          at: new Date(e.at).toISOString(),
          actor: e.actor,
          kind: e.kind,
          note: e.note,
          details: e.details,
        })),
      };
    },
  );
}

/** What an agent does to a request: the actions, the fulfilment's progress, result files. */
async function actionRoutes(server: RouteServer, app: App, workers: BackgroundWork) {
  // The request actions (src/http/requestActions.ts), the same table the console's forms use.
  for (const a of REQUEST_ACTIONS)
    server.post(
      `/api/v1/requests/:id/${a.api}`,
      {
        config: { permission: 'requests:write' },
        schema: { tags, summary: a.summary, params: id, body: a.body, response: { 200: a.response } },
      },
      async (req) => {
        const rid = req.params.id;
        // The service asks requestPolicy first: 404 for another company's request, 403 for a read-only one.
        await a.runBody(app, callerOf(req), rid, req.body, workers);
        return { request: viewOf(await getRequest(app.db, rid)) };
      },
    );

  server.get(
    '/api/v1/requests/:id/fulfilment',
    {
      config: { permission: 'requests:read' },
      schema: {
        tags,
        summary: "Progress of the request's fulfilment (steps, counts, kept under which rule)",
        params: id,
        response: { 200: fulfilmentStatus },
      },
    },
    async (req) => {
      const caller = callerOf(req);
      const r = await requestFor(app, caller, req.params.id, 'read');
      return requestFulfilmentStatusFor(app.db, app.registers, caller, r.id);
    },
  );

  server.post(
    '/api/v1/requests/:id/results',
    {
      config: { permission: 'requests:write' },
      schema: {
        tags,
        summary: 'Attach a result file (encrypted at rest); returns a signed, expiring download link',
        params: id,
        body: z.object({
          filename: z.string().regex(/^[\w.\- ]{1,120}$/, 'a plain file name such as register-extract.json'),
          contentType: z.string().max(100).default('application/octet-stream'),
          contentBase64: z.base64('the file content in base64').max(28_000_000),
          days: z.number().int().min(1).max(90).optional(),
        }),
        response: { 201: resultAttached },
      },
    },
    async (req, reply) => {
      const rid = req.params.id;
      const b = req.body;
      const res = await attachResult(app, callerOf(req), rid, {
        filename: b.filename,
        contentType: b.contentType,
        data: Buffer.from(b.contentBase64, 'base64'),
        days: b.days,
      });
      return reply
        .status(201)
        .send({ deliveryId: res.deliveryId, url: res.url, expiresAt: res.expiresAt.toISOString() });
    },
  );
}

/** The requester's side: the result download and verification (public, rate-limited). */
async function publicRoutes(server: RouteServer, app: App, workers: BackgroundWork) {
  const limitVerify = verificationLimiter(server, app);

  server.get(
    '/privacy/requests/download/:token',
    {
      config: { permission: 'public' },
      schema: { hide: true, params: z.object({ token: z.string().max(300) }) },
    },
    async (req, reply) => {
      const f = await openResult(app, req.params.token);
      // The readable extract (HTML) and the PDF open in the browser; the JSON and the ZIP are saved.
      const inline = /^(text\/html|application\/pdf)/.test(f.contentType);
      return reply
        .type(f.contentType)
        .header(
          'content-disposition',
          `${inline ? 'inline' : 'attachment'}; filename="${f.filename.replace(/"/g, '')}"`,
        )
        .header('cache-control', 'no-store')
        .send(f.data);
    },
  );

  server.post(
    '/api/v1/requests/verify-code',
    {
      config: { permission: 'public' },
      preHandler: limitVerify,
      schema: {
        tags,
        summary: 'Verify a submission with the code sent by e-mail',
        body: z.object({
          submissionId: z.string().max(64),
          code: z.string().regex(/^\s*\d{6}\s*$/, 'the 6-digit code from the e-mail'),
        }),
        response: { 200: verified },
      },
    },
    async (req) => {
      const b = req.body;
      return verifiedAnswer(b.submissionId, await verifyByCode(app, workers, b.submissionId, b.code));
    },
  );

  server.post(
    '/api/v1/requests/verify-assertion',
    {
      config: { permission: 'public' },
      preHandler: limitVerify,
      schema: {
        tags,
        summary: "Verify a submission with a signed assertion (JWT) from the shop's logged-in session",
        body: z.object({ submissionId: z.string().max(64), assertion: z.string().min(20).max(8000) }),
        response: { 200: verified },
      },
    },
    async (req) => {
      const b = req.body;
      return verifiedAnswer(
        b.submissionId,
        await verifyByAssertion(app, workers, b.submissionId, b.assertion),
      );
    },
  );
}

/** The answer to a verification: the customer's reference and how many requests it verified. */
const verifiedAnswer = (submissionId: string, res: { requestIds: string[] }) => ({
  verified: true as const,
  reference: referenceOf(submissionId),
  requests: res.requestIds.length,
});
