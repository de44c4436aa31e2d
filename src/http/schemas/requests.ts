/**
 * What the request API answers (src/http/routes/requests.ts and the actions of src/http/requestActions.ts):
 * a request as the desk sees it (never the requester's e-mail address), with its fee and timeline, and the
 * answers of filing, verifying and attaching a result. Strict objects: a field a service adds without the
 * contract fails the tests instead of being dropped.
 */
import { z } from 'zod';
import { FEE_STATES } from '../../core/requests/fees.ts';
import { REFUSAL_GROUNDS, REQUEST_STATES, REQUEST_TYPES } from '../../core/requests/workflow.ts';

const instant = z.iso.datetime();

export const requestView = z.strictObject({
  id: z.uuid(),
  reference: z.string().describe("The customer's reference for the submission, e.g. R-1A2B3C4D."),
  orgId: z.string().describe('The controller (company) the request is to.'),
  type: z.enum(REQUEST_TYPES),
  state: z.enum(REQUEST_STATES),
  receivedAt: instant,
  dueDate: z.iso.date().describe('When the answer is due (moved by an extension or a paid fee).'),
  legalDueDate: z.iso.date().describe('The one-month deadline of Art. 12(3), from receipt.'),
  maxDueDate: z.iso.date().describe('The latest an extension may move the due date to.'),
  extended: z.boolean(),
  assignee: z.string().nullable(),
  verificationMethod: z
    .string()
    .nullable()
    .describe('How the requester was verified: email-code, signed-assertion or manual-id-check.'),
  purposeId: z.string().nullable().describe('The purpose an objection or withdrawal is about.'),
  linked: z.array(z.string()).describe('The requests filed with this one (same submission).'),
  jointHandledBy: z
    .string()
    .nullable()
    .describe('The request that handles this one for a joint arrangement.'),
  group: z
    .strictObject({ candidates: z.array(z.string()) })
    .nullable()
    .describe('On a request to the whole group: the companies it may go to (it is split on verification).'),
  groupRequest: z
    .string()
    .nullable()
    .describe('On a company request that a group request became: that group request.'),
  decision: z
    .record(z.string(), z.unknown())
    .nullable()
    .describe(
      'What was decided, under one key: refusal, objection, stop (applied on verification), routing or noData.',
    ),
  status: z
    .enum(['on-track', 'due-soon', 'overdue', 'closed', 'awaiting-payment'])
    .optional()
    .describe('In the queue only: where the request stands against its due date.'),
});

export const requestList = z
  .strictObject({ requests: z.array(requestView) })
  .describe('The requests the caller may read, by due date');

export const filed = z.strictObject({
  submissionId: z.string(),
  reference: z.string(),
  replayed: z.boolean().describe('true when the Idempotency-Key was seen before: nothing new was filed.'),
  requests: z.array(requestView).describe('One request per company the submission went to.'),
});

const feeView = z.strictObject({
  ground: z.enum(REFUSAL_GROUNDS),
  reason: z.string().describe('The reason told to the customer.'),
  amount: z.string().describe('The amount as shown to the customer, with its currency.'),
  amountMinor: z.number().int().describe('The amount in minor units (öre, cents).'),
  currency: z.string().describe('ISO 4217'),
  status: z.enum(FEE_STATES),
  requestedAt: instant,
  settledAt: instant.nullable(),
  pausedDays: z.number().int().nullable().describe('Days the clock stood still while the fee was unpaid.'),
});

export const requestDetail = z
  .strictObject({
    request: requestView,
    fee: feeView.nullable(),
    timeline: z.array(
      z.strictObject({
        at: instant,
        actor: z.string().describe('Who: kind:id (user, apikey, system, requester).'),
        kind: z.string().describe('The step, e.g. received, verified, extended, completed.'),
        note: z.string().nullable(),
        details: z.record(z.string(), z.unknown()).describe('Ids and hashes only, never personal data.'),
      }),
    ),
  })
  .describe('The request with its fee and timeline');

/** What every request action answers (src/http/requestActions.ts). */
export const requestAfterAction = z
  .strictObject({ request: requestView })
  .describe('The request after the action');

export const resultAttached = z
  .strictObject({
    deliveryId: z.string(),
    url: z.url().describe('The signed download link for the requester; it expires.'),
    expiresAt: instant,
  })
  .describe('The result file is stored; the link is in this response only');

export const verified = z
  .strictObject({
    verified: z.literal(true),
    reference: z.string(),
    requests: z.number().int().min(0).describe('How many requests the submission became.'),
  })
  .describe('The submission is verified');
