/**
 * A reasonable fee for a manifestly unfounded or excessive request (Art. 12(5)): charged only after the
 * customer was warned (the refusal warning), with the ground and reason recorded; the customer is mailed
 * the amount; the request waits in 'awaiting-payment' until an agent records the payment or waives the
 * fee. How the deadline behaves meanwhile is in src/core/requests/fees.ts. Every step is on the timeline
 * and in the audit log (ids, amounts and grounds only).
 */
import { localDate } from '../../core/deadlines/iso-date.ts';
import { notFound, precondition, validationError } from '../../core/errors.ts';
import {
  checkFee,
  type FeeInput,
  type FeeState,
  formatFee,
  resumeAfterPayment,
} from '../../core/requests/fees.ts';
import { nextState, type RefusalGround, type RequestState } from '../../core/requests/workflow.ts';
import type { Db } from '../../storage/db.ts';
import type { Caller } from '../../core/policies/policy.ts';
import type { Actor } from '../audit/auditLog.ts';
import {
  addEvent,
  getRequest,
  hasEvent,
  changeAndTell,
  type RequestRow,
  requestFor,
  type RequestDeps,
} from './store.ts';

export type FeeRow = {
  request_id: string;
  ground: RefusalGround;
  reason: string;
  amount_minor: number;
  currency: string;
  status: FeeState;
  resume_state: RequestState;
  requested_at: Date;
  requested_by: string;
  settled_at: Date | null;
  settled_by: string | null;
  settle_note: string | null;
  paused_days: number | null;
};

export async function getFee(db: Db, requestId: string): Promise<FeeRow | undefined> {
  const [row] = await db.query<FeeRow>('SELECT * FROM dsr_fees WHERE request_id = $1', [requestId]);
  return row ? { ...row, amount_minor: Number(row.amount_minor) } : undefined;
}

const actorRef = (a: Actor) => `${a.kind}:${a.id}`;

export async function chargeFee(
  app: RequestDeps,
  caller: Caller,
  id: string,
  input: FeeInput,
): Promise<RequestRow> {
  const req = await requestFor(app, caller, id, 'write');
  const actor = caller.actor;
  // A fee stops the work before it starts; once the request is being carried out it is too late.
  if (await hasEvent(app.db, id, 'fulfilment-queued'))
    throw precondition(
      'fee-after-work-began',
      'The request is already being carried out, so a fee can no longer be charged for it.',
      'Let the run finish and answer the request; charge a fee before the work starts next time.',
    );
  const state = nextState(req.state, 'charge-fee');
  const fee = checkFee(input);
  if (await getFee(app.db, id))
    throw precondition(
      'fee-already-charged',
      'A fee has already been charged for this request.',
      'Record the payment or waive the fee; a request carries one fee at most.',
    );
  if (!(await hasEvent(app.db, id, 'refusal-warned')))
    throw precondition(
      'fee-not-warned',
      'The customer has not been warned that the request is considered manifestly unfounded or excessive.',
      'Send the warning first (POST …/refusal-warning, or "Warn before refusal or fee" in the console), then charge the fee.',
    );
  const now = app.now();
  return changeAndTell(
    app,
    actor,
    req,
    {
      template: 'fee',
      input: { type: req.type, reason: fee.reason, fee: formatFee(fee.amountMinor, fee.currency) },
      event: 'fee-charged',
      at: now,
      note: fee.reason,
      details: { ground: fee.ground, amountMinor: fee.amountMinor, currency: fee.currency },
      auditReason: fee.ground,
    },
    async (tx) => {
      await tx.query(
        `INSERT INTO dsr_fees (request_id, ground, reason, amount_minor, currency, status, resume_state, requested_at, requested_by)
       VALUES ($1,$2,$3,$4,$5,'requested',$6,$7,$8)`,
        [
          id,
          fee.ground,
          fee.reason,
          fee.amountMinor,
          fee.currency,
          req.state,
          now.toISOString(),
          actorRef(actor),
        ],
      );
      await tx.query('UPDATE dsr_requests SET state=$2 WHERE id=$1', [id, state]);
    },
  );
}

async function settle(
  app: RequestDeps,
  caller: Caller,
  id: string,
  to: 'paid' | 'waived',
  note: string | undefined,
): Promise<RequestRow> {
  const req = await requestFor(app, caller, id, 'write');
  const actor = caller.actor;
  const fee = await getFee(app.db, id);
  if (!fee) throw notFound('fee', id);
  if (req.state !== 'awaiting-payment' || fee.status !== 'requested')
    throw precondition(
      'fee-not-awaiting-payment',
      `The request is '${req.state}' and its fee is '${fee.status}'.`,
      'Only a request awaiting payment can be marked paid or have its fee waived.',
    );
  const text = note?.trim() ?? '';
  if (to === 'waived' && text.length < 5)
    throw validationError('fee-waiver-reason-missing', 'Say why the fee is waived.', [
      {
        path: ['reason'],
        message: 'a reason of at least 5 characters is required',
        hint: 'E.g. "customer narrowed the request".',
      },
    ]);
  const now = app.now();
  const r = await app.registers.get();
  const org = r?.index.organization(req.org_id);
  if (!org) throw notFound('organization', req.org_id);
  const resumed =
    to === 'paid'
      ? resumeAfterPayment({
          requestedOn: localDate(new Date(fee.requested_at), org.timeZone),
          paidOn: localDate(now, org.timeZone),
          dueDate: req.due_date,
          maxDueDate: req.max_due_date,
          country: org.country,
        })
      : { pausedDays: 0, dueDate: req.due_date, maxDueDate: req.max_due_date };
  await app.db.transaction(async (tx) => {
    await tx.query(
      'UPDATE dsr_fees SET status=$2, settled_at=$3, settled_by=$4, settle_note=$5, paused_days=$6 WHERE request_id=$1',
      [id, to, now.toISOString(), actorRef(actor), text || null, resumed.pausedDays],
    );
    await tx.query('UPDATE dsr_requests SET state=$2, due_date=$3, max_due_date=$4 WHERE id=$1', [
      id,
      fee.resume_state,
      resumed.dueDate,
      resumed.maxDueDate,
    ]);
    await addEvent(tx, actor, req, to === 'paid' ? 'fee-paid' : 'fee-waived', {
      at: now,
      note: text || null,
      details: {
        amountMinor: fee.amount_minor,
        currency: fee.currency,
        pausedDays: resumed.pausedDays,
        dueDate: { from: req.due_date, to: resumed.dueDate },
      },
    });
  });
  return getRequest(app.db, id);
}

/** The customer paid: work resumes; the due date moves later by the days spent waiting. */
export const markFeePaid = (app: RequestDeps, caller: Caller, id: string, note?: string) =>
  settle(app, caller, id, 'paid', note);

/** The fee is dropped (e.g. the customer narrowed the request): work resumes on the original due date. */
export const waiveFee = (app: RequestDeps, caller: Caller, id: string, reason?: string) =>
  settle(app, caller, id, 'waived', reason);
