/**
 * Data subject requests over HTTP: the API for customer-service tools and the console
 * (/api/v1/requests…), and the public verification endpoints. Request ids travel in URLs; the
 * requester's e-mail address never does.
 */
import type { RouteServer } from '../routeServer.ts';
import { z } from 'zod';
import type { App } from '../../app.ts';
import { type Caller, listScope } from '../../core/policies/policy.ts';
import { LANGUAGES } from '../../core/register/schema.ts';
import { formatFee } from '../../core/requests/fees.ts';
import { REFUSAL_GROUNDS, REQUEST_STATES, REQUEST_TYPES } from '../../core/requests/workflow.ts';
import {
  addNote,
  assignRequest,
  completeRequest,
  decideObjection,
  extendRequest,
  refuseRequest,
  startRequest,
  warnBeforeRefusal,
} from '../../services/requests/decideRequest.ts';
import { chargeFee, getFee, markFeePaid, waiveFee } from '../../services/requests/chargeFee.ts';
import { attachResult, openResult } from '../../services/requests/deliverResult.ts';
import { requestFulfilmentStatusFor } from '../../services/fulfilment/access.ts';
import { approveRequest, retryFulfilment } from '../../services/requests/fulfilRequest.ts';
import { listRequests } from '../../services/requests/listRequests.ts';
import { answerNoData, routeManually } from '../../services/requests/routeGroupRequest.ts';
import {
  getRequest,
  type RequestRow,
  referenceOf,
  requestFor,
  timeline,
} from '../../services/requests/store.ts';
import { submitRequest } from '../../services/requests/submitRequest.ts';
import { verifyByAssertion, verifyByCode, verifyManually } from '../../services/requests/verifyRequest.ts';
import { callerOf } from '../actor.ts';
import { verificationLimiter } from '../requestLimits.ts';

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

const requestView = z.object({
  id: z.string(),
  reference: z.string(),
  orgId: z.string(),
  type: z.string(),
  state: z.string(),
  receivedAt: z.string(),
  dueDate: z.string(),
  legalDueDate: z.string(),
  maxDueDate: z.string(),
  extended: z.boolean(),
  assignee: z.string().nullable(),
  verificationMethod: z.string().nullable(),
  purposeId: z.string().nullable(),
  linked: z.array(z.string()),
  jointHandledBy: z.string().nullable(),
  /** On a request to the whole group: the companies it may go to (it is split on verification). */
  group: z.object({ candidates: z.array(z.string()) }).nullable(),
  /** On a company's request that a group request became: that group request. */
  groupRequest: z.string().nullable(),
  decision: z.record(z.string(), z.unknown()).nullable(),
  status: z.string().optional(),
});

export function viewOf(r: RequestRow & { status?: string }): z.infer<typeof requestView> {
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
    group: r.scope.group ?? null,
    groupRequest: r.scope.parent ?? null,
    decision: r.decision,
    status: r.status,
  };
}

export async function requestRoutes(server: RouteServer, app: App) {
  const tags = ['requests'];
  const limitVerify = verificationLimiter(server, app);

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
      },
    },
    async (req, reply) => {
      const b = req.body as z.infer<typeof submitBody>;
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
          key: (req.headers as Record<string, string>)['idempotency-key']!,
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
        response: { 200: z.object({ requests: z.array(requestView) }) },
      },
    },
    async (req) => {
      const q = req.query as {
        company?: string;
        type?: (typeof REQUEST_TYPES)[number];
        state?: (typeof REQUEST_STATES)[number];
      };
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
      schema: { tags, summary: 'One request with its timeline', params: id },
    },
    async (req) => {
      // Another company's request is "not found" (requestPolicy).
      const r = await requestFor(app, callerOf(req), (req.params as { id: string }).id, 'read');
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

  const act = <B extends z.ZodType>(
    path: string,
    summary: string,
    body: B,
    fn: (id: string, body: z.infer<B>, caller: Caller) => Promise<unknown>,
  ) =>
    server.post(
      `/api/v1/requests/:id/${path}`,
      { config: { permission: 'requests:write' }, schema: { tags, summary, params: id, body } },
      async (req) => {
        const rid = (req.params as { id: string }).id;
        // The service asks requestPolicy first: 404 for another company's request, 403 for a read-only one.
        await fn(rid, req.body as z.infer<B>, callerOf(req));
        return { request: viewOf(await getRequest(app.db, rid)) };
      },
    );

  act(
    'assign',
    'Assign to a person (or null to unassign)',
    z.object({ assignee: z.string().max(320).nullable() }),
    (rid, b, caller) => assignRequest(app, caller, rid, b.assignee),
  );
  act('notes', 'Add an internal note', z.object({ note: z.string().min(1).max(5000) }), (rid, b, caller) =>
    addNote(app, caller, rid, b.note),
  );
  act(
    'verify-manual',
    'Record a manual identity check ("ID seen"); never a copy',
    z.object({ note: z.string().max(500) }),
    (rid, b, caller) => verifyManually(app, caller, rid, b.note),
  );
  act('start', 'Start work', z.object({}).optional() as unknown as z.ZodObject, (rid, _b, caller) =>
    startRequest(app, caller, rid),
  );
  act(
    'extend',
    'Extend the due date (reason required, before the due date; the customer is told)',
    z.object({ reason: z.string().max(2000).optional(), dueDate: z.iso.date().optional() }),
    (rid, b, caller) => extendRequest(app, caller, rid, b),
  );
  act(
    'complete',
    'Complete and tell the customer',
    z.object({ outcome: z.string().max(5000).optional() }),
    (rid, b, caller) => completeRequest(app, caller, rid, b),
  );
  act(
    'refusal-warning',
    'Warn the customer that the request may be refused as manifestly unfounded or excessive',
    z.object({ ground: z.enum(REFUSAL_GROUNDS), reason: z.string().max(5000) }),
    (rid, b, caller) => warnBeforeRefusal(app, caller, rid, b),
  );
  act(
    'refuse',
    'Refuse (Art. 12(5): manifestly unfounded or excessive, with a reason)',
    z.object({
      ground: z.enum(REFUSAL_GROUNDS),
      reason: z.string().max(5000),
      partial: z.boolean().default(false),
      refusedParts: z.string().max(5000).optional(),
    }),
    (rid, b, caller) => refuseRequest(app, caller, rid, b),
  );
  act(
    'fee',
    'Charge a reasonable fee (Art. 12(5), after the warning); the request waits for payment',
    z.object({
      ground: z.enum(REFUSAL_GROUNDS),
      reason: z.string().max(5000),
      amount: z.union([z.string().max(20), z.number()]),
      currency: z.string().regex(/^[A-Za-z]{3}$/, 'an ISO 4217 currency code, e.g. SEK'),
    }),
    (rid, b, caller) => chargeFee(app, caller, rid, b),
  );
  act(
    'fee/paid',
    'Record that the fee was paid; work resumes and the due date moves by the days waited',
    z.object({ note: z.string().max(2000).optional() }),
    (rid, b, caller) => markFeePaid(app, caller, rid, b.note),
  );
  act(
    'fee/waive',
    'Waive the fee (reason required); work resumes on the original due date',
    z.object({ reason: z.string().max(2000) }),
    (rid, b, caller) => waiveFee(app, caller, rid, b.reason),
  );
  act(
    'objection-decision',
    'Decide an objection to a legitimate-interest purpose, with a balancing note',
    z.object({ upheld: z.boolean(), balancingNote: z.string().max(5000) }),
    (rid, b, caller) => decideObjection(app, caller, rid, b),
  );

  // Answering or routing a group request speaks for every company of it: requestPolicy wants
  // requests:write in its contact point and every candidate (a key or a person for some companies may not).
  act(
    'no-data',
    'A group request known nowhere: answer that no company holds personal data about the requester (note what was checked)',
    z.object({ note: z.string().max(2000) }),
    (rid, b, caller) => answerNoData(app, caller, rid, b.note),
  );
  act(
    'route',
    'A group request known nowhere by the locator: send it to the companies an agent found the customer at',
    z.object({ orgIds: z.array(z.string().max(64)).min(1).max(50), note: z.string().max(2000) }),
    (rid, b, caller) => routeManually(app, caller, rid, b),
  );

  act(
    'approve',
    'Approve an erasure, rectification or restriction (or start any fulfilled type): it runs through fulfilment',
    z
      .object({
        corrections: z
          .record(
            z.string().regex(/^user(\.[a-z0-9_]+)+$/, 'a data category such as user.contact.address.city'),
            z.string().min(1).max(500),
          )
          .optional(),
      })
      .optional(),
    (rid, b, caller) => approveRequest(app, caller, rid, { corrections: b?.corrections }),
  );
  act(
    'fulfilment/retry',
    'Retry a failed fulfilment: it resumes at the failed step',
    z.object({}).optional() as unknown as z.ZodObject,
    (rid, _b, caller) => retryFulfilment(app, caller, rid),
  );

  server.get(
    '/api/v1/requests/:id/fulfilment',
    {
      config: { permission: 'requests:read' },
      schema: {
        tags,
        summary: "Progress of the request's fulfilment (steps, counts, kept under which rule)",
        params: id,
      },
    },
    async (req) => {
      const caller = callerOf(req);
      const r = await requestFor(app, caller, (req.params as { id: string }).id, 'read');
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
      },
    },
    async (req, reply) => {
      const rid = (req.params as { id: string }).id;
      const b = req.body as { filename: string; contentType: string; contentBase64: string; days?: number };
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

  server.get(
    '/privacy/requests/download/:token',
    {
      config: { permission: 'public' },
      schema: { hide: true, params: z.object({ token: z.string().max(300) }) },
    },
    async (req, reply) => {
      const f = await openResult(app, (req.params as { token: string }).token);
      return reply
        .type(f.contentType)
        .header('content-disposition', `attachment; filename="${f.filename.replace(/"/g, '')}"`)
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
      },
    },
    async (req) => {
      const b = req.body as { submissionId: string; code: string };
      const res = await verifyByCode(app, b.submissionId, b.code);
      return { verified: true, reference: referenceOf(b.submissionId), requests: res.requestIds.length };
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
      },
    },
    async (req) => {
      const b = req.body as { submissionId: string; assertion: string };
      const res = await verifyByAssertion(app, b.submissionId, b.assertion);
      return { verified: true, reference: referenceOf(b.submissionId), requests: res.requestIds.length };
    },
  );
}
