/**
 * What an agent may do to a data subject request, defined once: the API's
 * `POST /api/v1/requests/:id/<api>` (a JSON body checked by `body`; it answers `response`, the request
 * after the action) and the console's `POST /console/requests/:id/action` (a form whose `action` field is
 * `<form>`) both come from this table. Each action calls one service with the caller; the service
 * authorizes (requestPolicy: 404 for another company's request, 403 for a read-only one) before it reads or
 * changes anything.
 */
import { z } from 'zod';
import type { App } from '../app.ts';
import type { BackgroundWork } from '../workers.ts';
import type { Caller } from '../core/policies/policy.ts';
import { REFUSAL_GROUNDS } from '../core/requests/workflow.ts';
import { chargeFee, markFeePaid, waiveFee } from '../services/requests/chargeFee.ts';
import {
  addNote,
  assignRequest,
  completeRequest,
  decideObjection,
  extendRequest,
  refuseRequest,
  startRequest,
  warnBeforeRefusal,
} from '../services/requests/decideRequest.ts';
import { decideGroup } from '../services/requests/decideGroup.ts';
import { approveRequest, retryFulfilment } from '../services/requests/fulfilRequest.ts';
import { answerNoData, routeManually } from '../services/requests/routeGroupRequest.ts';
import { verifyManually } from '../services/requests/verifyRequest.ts';
import { requestAfterAction } from './schemas/requests.ts';

/** A console form as posted: every field is text. */
export type ActionForm = Record<string, string | undefined>;

/** One action: how each edge reads its input, and the one service call both make. */
type ActionSpec<S extends z.ZodType, I> = {
  /** The API's path after `/api/v1/requests/:id/`. */
  api: string;
  /** The console form's `action` value. */
  form: string;
  /** The API's OpenAPI summary. */
  summary: string;
  /** The API's JSON body. */
  body: S;
  fromBody: (body: z.output<S>) => I;
  /** The console's form fields read into the same input; the service checks them as it checks the API's. */
  fromForm: (form: ActionForm) => I;
  /** The service call; `workers` for the actions that queue fulfilment or propagate consent. */
  run: (app: App, caller: Caller, id: string, input: I, workers: BackgroundWork) => Promise<unknown>;
};

export type RequestAction = {
  api: string;
  form: string;
  summary: string;
  body: z.ZodType;
  /** The API's answer: every action answers the request as it stands after it. */
  response: typeof requestAfterAction;
  /** Runs the action with an API body that the route has validated against `body`. */
  runBody: (app: App, caller: Caller, id: string, body: unknown, workers: BackgroundWork) => Promise<unknown>;
  /** Runs the action with the console's form. */
  runForm: (
    app: App,
    caller: Caller,
    id: string,
    form: ActionForm,
    workers: BackgroundWork,
  ) => Promise<unknown>;
};

function action<S extends z.ZodType, I>(spec: ActionSpec<S, I>): RequestAction {
  return {
    api: spec.api,
    form: spec.form,
    summary: spec.summary,
    body: spec.body,
    response: requestAfterAction,
    // The route declares `spec.body` as its body schema, so Fastify has validated the body against it;
    // the table holds actions of different bodies, so the type is named here, once, for all of them.
    runBody: (app, caller, id, body, workers) =>
      spec.run(app, caller, id, spec.fromBody(body as z.output<S>), workers),
    runForm: (app, caller, id, form, workers) => spec.run(app, caller, id, spec.fromForm(form), workers),
  };
}

const noBody = z.object({}).optional();

export const REQUEST_ACTIONS: readonly RequestAction[] = [
  action({
    api: 'assign',
    form: 'assign',
    summary: 'Assign to a person (or null to unassign)',
    body: z.object({ assignee: z.string().max(320).nullable() }),
    fromBody: (b) => b.assignee,
    fromForm: (f) => f.assignee?.trim() || null,
    run: assignRequest,
  }),
  action({
    api: 'notes',
    form: 'note',
    summary: 'Add an internal note',
    body: z.object({ note: z.string().min(1).max(5000) }),
    fromBody: (b) => b.note,
    fromForm: (f) => f.note ?? '',
    run: addNote,
  }),
  action({
    api: 'verify-manual',
    form: 'verify-manual',
    summary: 'Record a manual identity check ("ID seen"); never a copy',
    body: z.object({ note: z.string().max(500) }),
    fromBody: (b) => b.note,
    fromForm: (f) => f.note ?? '',
    run: (app, caller, id, note, workers) => verifyManually(app, workers, caller, id, note),
  }),
  action({
    api: 'start',
    form: 'start',
    summary: 'Start work',
    body: noBody,
    fromBody: () => undefined,
    fromForm: () => undefined,
    run: (app, caller, id) => startRequest(app, caller, id),
  }),
  action({
    api: 'extend',
    form: 'extend',
    summary: 'Extend the due date (reason required, before the due date; the customer is told)',
    body: z.object({ reason: z.string().max(2000).optional(), dueDate: z.iso.date().optional() }),
    fromBody: (b) => b,
    fromForm: (f) => ({ reason: f.reason, dueDate: f.dueDate || undefined }),
    run: extendRequest,
  }),
  action({
    api: 'complete',
    form: 'complete',
    summary: 'Complete and tell the customer',
    body: z.object({ outcome: z.string().max(5000).optional() }),
    fromBody: (b) => b,
    fromForm: (f) => ({ outcome: f.outcome }),
    run: completeRequest,
  }),
  action({
    api: 'refusal-warning',
    form: 'warn',
    summary: 'Warn the customer that the request may be refused as manifestly unfounded or excessive',
    body: z.object({ ground: z.enum(REFUSAL_GROUNDS), reason: z.string().max(5000) }),
    fromBody: (b) => b,
    fromForm: (f) => ({ ground: f.ground, reason: f.reason }),
    run: warnBeforeRefusal,
  }),
  action({
    api: 'refuse',
    form: 'refuse',
    summary: 'Refuse (Art. 12(5): manifestly unfounded or excessive, with a reason)',
    body: z.object({
      ground: z.enum(REFUSAL_GROUNDS),
      reason: z.string().max(5000),
      partial: z.boolean().default(false),
      refusedParts: z.string().max(5000).optional(),
    }),
    fromBody: (b) => b,
    fromForm: (f) => ({
      ground: f.ground,
      reason: f.reason,
      partial: !!f.refusedParts?.trim(),
      refusedParts: f.refusedParts,
    }),
    run: refuseRequest,
  }),
  action({
    api: 'fee',
    form: 'fee',
    summary: 'Charge a reasonable fee (Art. 12(5), after the warning); the request waits for payment',
    body: z.object({
      ground: z.enum(REFUSAL_GROUNDS),
      reason: z.string().max(5000),
      amount: z.union([z.string().max(20), z.number()]),
      currency: z.string().regex(/^[A-Za-z]{3}$/, 'an ISO 4217 currency code, e.g. SEK'),
    }),
    fromBody: (b) => b,
    fromForm: (f) => ({ ground: f.ground, reason: f.reason, amount: f.amount, currency: f.currency }),
    run: chargeFee,
  }),
  action({
    api: 'fee/paid',
    form: 'fee-paid',
    summary: 'Record that the fee was paid; work resumes and the due date moves by the days waited',
    body: z.object({ note: z.string().max(2000).optional() }),
    fromBody: (b) => b.note,
    fromForm: (f) => f.note,
    run: markFeePaid,
  }),
  action({
    api: 'fee/waive',
    form: 'fee-waive',
    summary: 'Waive the fee (reason required); work resumes on the original due date',
    body: z.object({ reason: z.string().max(2000) }),
    fromBody: (b) => b.reason,
    fromForm: (f) => f.reason,
    run: waiveFee,
  }),
  action({
    api: 'objection-decision',
    form: 'objection',
    summary: 'Decide an objection to a legitimate-interest purpose, with a balancing note',
    body: z.object({ upheld: z.boolean(), balancingNote: z.string().max(5000) }),
    fromBody: (b) => b,
    fromForm: (f) => ({ upheld: f.upheld === 'true', balancingNote: f.balancingNote }),
    run: (app, caller, id, input, workers) => decideObjection(app, workers, caller, id, input),
  }),
  // Answering or routing a group request speaks for every company of it: requestPolicy wants
  // requests:write in its contact point and every candidate (a key or a person for some companies may not).
  action({
    api: 'no-data',
    form: 'no-data',
    summary:
      'A group request known nowhere: answer that no company holds personal data about the requester (note what was checked)',
    body: z.object({ note: z.string().max(2000) }),
    fromBody: (b) => b.note,
    fromForm: (f) => f.note,
    run: answerNoData,
  }),
  action({
    api: 'route',
    form: 'route',
    summary:
      'A group request known nowhere by the locator: send it to the companies an agent found the customer at',
    body: z.object({ orgIds: z.array(z.string().max(64)).min(1).max(50), note: z.string().max(2000) }),
    fromBody: (b) => b,
    // One checkbox per company, named org-<id>.
    fromForm: (f) => ({
      orgIds: Object.keys(f)
        .filter((k) => k.startsWith('org-') && f[k])
        .map((k) => k.slice(4)),
      note: f.note,
    }),
    run: (app, caller, id, input, workers) => routeManually(app, workers, caller, id, input),
  }),
  action({
    api: 'approve',
    form: 'approve',
    summary:
      'Approve an erasure, rectification or restriction (or start any fulfilled type): it runs through fulfilment',
    body: z
      .object({
        corrections: z
          .record(
            z.string().regex(/^user(\.[a-z0-9_]+)+$/, 'a data category such as user.contact.address.city'),
            z.string().min(1).max(500),
          )
          .optional(),
      })
      .optional(),
    fromBody: (b) => ({ corrections: b?.corrections }),
    // The console corrects one category at a time.
    fromForm: (f) => ({
      corrections:
        f.category?.trim() && f.value?.trim() ? { [f.category.trim()]: f.value.trim() } : undefined,
    }),
    run: (app, caller, id, input, workers) => approveRequest(app, workers, caller, id, input),
  }),
  action({
    api: 'fulfilment/retry',
    form: 'retry-fulfilment',
    summary: 'Retry a failed fulfilment: it resumes at the failed step',
    body: noBody,
    fromBody: () => undefined,
    fromForm: () => undefined,
    run: (app, caller, id, _input, workers) => retryFulfilment(app, workers, caller, id),
  }),
  // A whole group request decided at once: each open company request it became is decided on its own
  // (its timeline, audit entry and mail), after the caller's requests:write is checked in every company.
  action({
    api: 'group/approve',
    form: 'group-approve',
    summary:
      "A split group request: approve every open company request at once (each company's approval recorded on its own)",
    body: noBody,
    fromBody: () => undefined,
    fromForm: () => undefined,
    run: (app, caller, id, _input, workers) => decideGroup(app, workers, caller, id, { kind: 'approve' }),
  }),
  action({
    api: 'group/refusal-warning',
    form: 'group-warn',
    summary:
      'A split group request: warn the customer, for every open company request, that it may be refused',
    body: z.object({ ground: z.enum(REFUSAL_GROUNDS), reason: z.string().max(5000) }),
    fromBody: (b) => b,
    fromForm: (f) => ({ ground: f.ground, reason: f.reason }),
    run: (app, caller, id, input, workers) => decideGroup(app, workers, caller, id, { kind: 'warn', input }),
  }),
  action({
    api: 'group/refuse',
    form: 'group-refuse',
    summary: 'A split group request: refuse every open company request at once (each warned first)',
    body: z.object({ ground: z.enum(REFUSAL_GROUNDS), reason: z.string().max(5000) }),
    fromBody: (b) => b,
    fromForm: (f) => ({ ground: f.ground, reason: f.reason }),
    run: (app, caller, id, input, workers) =>
      decideGroup(app, workers, caller, id, { kind: 'refuse', input: { ...input, partial: false } }),
  }),
  action({
    api: 'group/extend',
    form: 'group-extend',
    summary: 'A split group request: extend the due date of every open company request (reason required)',
    body: z.object({ reason: z.string().max(2000).optional(), dueDate: z.iso.date().optional() }),
    fromBody: (b) => b,
    fromForm: (f) => ({ reason: f.reason, dueDate: f.dueDate || undefined }),
    run: (app, caller, id, input, workers) =>
      decideGroup(app, workers, caller, id, { kind: 'extend', input }),
  }),
];

/** The console's form action of that name, if there is one. */
export const formAction = (name: string | undefined): RequestAction | undefined =>
  REQUEST_ACTIONS.find((a) => a.form === name);
