/**
 * The steps an agent takes on a request: assign, note, start, extend, complete, refuse, and the
 * decision on an objection. Each step checks the workflow (src/core/requests/workflow.ts), writes the
 * timeline and the audit log, and mails the customer where the law says they must be told.
 */
import type { BackgroundWork } from '../../workers.ts';
import { checkExtension } from '../../core/deadlines/deadlines.ts';
import { notFound, OmbudError, precondition, validationError } from '../../core/errors.ts';
import type { RegisterIndex } from '../../core/register/register-index.ts';
import type { Caller } from '../../core/policies/policy.ts';
import type { Purpose } from '../../core/register/schema.ts';
import { STOP_WORDS } from '../../core/requests/outcome.ts';
import { groupNotRouted } from '../../core/requests/routing.ts';
import {
  assertBalancingNote,
  checkRefusal,
  isOpen,
  nextState,
  type ObjectionKind,
  type RefusalInput,
} from '../../core/requests/workflow.ts';
import type { Db } from '../../storage/db.ts';
import { type Actor, recordAudit } from '../audit/auditLog.ts';
import type { ConsentKeys } from '../consent/keys.ts';
import type { ConsentEvent } from '../../core/consent/event.ts';
import { keysOf, propagate, recordStop } from './consentLink.ts';
import { groupAnswer } from './groupCompletion.ts';
import {
  addEvent,
  flushMail,
  getRequest,
  getSubmission,
  submissionKeys,
  hasEvent,
  changeAndTell,
  tellRequester,
  registerIndex,
  type RequestRow,
  requestFor,
  type SubmissionRow,
  type RequestDeps,
} from './store.ts';

async function orgOf(app: RequestDeps, orgId: string) {
  const r = await app.registers.get();
  const org = r?.index.organization(orgId);
  if (!r || !org) throw notFound('organization', orgId);
  return { index: r.index, org };
}

export async function assignRequest(
  app: RequestDeps,
  caller: Caller,
  id: string,
  assignee: string | null,
): Promise<RequestRow> {
  const req = await requestFor(app, caller, id, 'write');
  const actor = caller.actor;
  await app.db.transaction(async (tx) => {
    await tx.query('UPDATE dsr_requests SET assignee=$2 WHERE id=$1', [id, assignee]);
    await addEvent(tx, actor, req, 'assigned', { at: app.now(), details: { assignee } });
  });
  return getRequest(app.db, id);
}

export async function addNote(app: RequestDeps, caller: Caller, id: string, note: string): Promise<void> {
  const req = await requestFor(app, caller, id, 'write');
  const actor = caller.actor;
  const text = note.trim();
  if (!text)
    throw validationError('note-empty', 'The note is empty.', [
      { path: ['note'], message: 'required', hint: 'Write the note.' },
    ]);
  // The note is internal: it stays on the timeline; the audit log gets only that a note was added.
  await app.db.query(
    'INSERT INTO dsr_events (request_id, at, actor, kind, note, details) VALUES ($1,$2,$3,$4,$5,$6)',
    [id, app.now().toISOString(), `${actor.kind}:${actor.id}`, 'note', text, '{}'],
  );
  await recordAudit(app.db, { actor, orgId: req.org_id, action: 'request.note', target: id, at: app.now() });
}

export async function startRequest(app: RequestDeps, caller: Caller, id: string): Promise<RequestRow> {
  const req = await requestFor(app, caller, id, 'write');
  const actor = caller.actor;
  const state = nextState(req.state, 'start');
  await app.db.transaction(async (tx) => {
    await tx.query('UPDATE dsr_requests SET state=$2 WHERE id=$1', [id, state]);
    await addEvent(tx, actor, req, 'started', { at: app.now() });
  });
  return getRequest(app.db, id);
}

/** Art. 12(3): more time, with a reason told to the customer before the original due date has passed. */
export async function extendRequest(
  app: RequestDeps,
  caller: Caller,
  id: string,
  input: { reason?: string; dueDate?: string },
): Promise<RequestRow> {
  const req = await requestFor(app, caller, id, 'write');
  const actor = caller.actor;
  if (!isOpen(req.state)) nextState(req.state, 'extend');
  const { org } = await orgOf(app, req.org_id);
  const check = checkExtension({
    now: app.now(),
    timeZone: org.timeZone,
    currentDueDate: req.due_date,
    requestedDueDate: input.dueDate ?? req.max_due_date,
    maxDueDate: req.max_due_date,
    reason: input.reason,
  });
  if (!check.ok) {
    if (check.code === 'extension-too-late')
      throw precondition(check.code, check.message, 'Answer the request now, and note why it was late.');
    const field = check.code === 'extension-reason-missing' ? 'reason' : 'dueDate';
    throw validationError(check.code, check.message, [{ path: [field], message: check.message }]);
  }
  if (req.extension_reason)
    throw precondition(
      'already-extended',
      'This request has already been extended once.',
      'An answer may be delayed once, up to the maximum; answer by the extended due date.',
    );
  const state =
    req.state === 'received' || req.state === 'verified' || req.state === 'in-progress'
      ? 'extended'
      : req.state;
  return changeAndTell(
    app,
    actor,
    req,
    {
      template: 'extension',
      input: { dueDate: check.dueDate, reason: check.reason },
      event: 'extended',
      at: app.now(),
      note: check.reason,
      details: { from: req.due_date, to: check.dueDate },
    },
    (tx) =>
      tx.query('UPDATE dsr_requests SET state=$2, due_date=$3, extension_reason=$4 WHERE id=$1', [
        id,
        state,
        check.dueDate,
        check.reason,
      ]),
  );
}

export async function completeRequest(
  app: RequestDeps,
  caller: Caller,
  id: string,
  input: { outcome?: string },
): Promise<RequestRow> {
  const req = await requestFor(app, caller, id, 'write');
  const actor = caller.actor;
  // A group request is answered through its companies' requests, or with the no-data answer.
  if (req.scope.group) throw groupNotRouted();
  if (req.type === 'objection' && !req.decision)
    throw precondition(
      'objection-undecided',
      'An objection is completed by deciding it.',
      'Record the decision with a balancing note (POST …/objection-decision).',
    );
  await finish(app, actor, req, 'completed', { outcome: input.outcome?.trim() || undefined });
  return getRequest(app.db, id);
}

/** The request, when it may be refused now by this caller, and the refusal's checked ground and reason. */
async function refusable(app: RequestDeps, caller: Caller, id: string, input: RefusalInput) {
  const req = await requestFor(app, caller, id, 'write');
  nextState(req.state, 'refuse');
  return { req, actor: caller.actor, ...checkRefusal(input) };
}

/**
 * Before refusing (or charging for) a request as manifestly unfounded or excessive, the customer is
 * warned, with the reason, so they can explain or narrow it.
 */
export async function warnBeforeRefusal(
  app: RequestDeps,
  caller: Caller,
  id: string,
  input: RefusalInput,
): Promise<RequestRow> {
  const { req, actor, ground, reason } = await refusable(app, caller, id, { ...input, partial: false });
  return changeAndTell(app, actor, req, {
    template: 'refusal-warning',
    input: { type: req.type, reason },
    event: 'refusal-warned',
    at: app.now(),
    note: reason,
    details: { ground },
    auditReason: ground,
  });
}

export async function refuseRequest(
  app: RequestDeps,
  caller: Caller,
  id: string,
  input: RefusalInput,
): Promise<RequestRow> {
  const { req, actor, ground, reason } = await refusable(app, caller, id, input);
  if (!(await hasEvent(app.db, id, 'refusal-warned')))
    throw precondition(
      'refusal-not-warned',
      'The customer has not been warned that the request may be refused.',
      'Send the warning first (POST …/refusal-warning, or "Warn before refusal" in the console), then decide.',
    );
  const refusedParts = input.partial ? input.refusedParts!.trim() : undefined;
  const now = app.now();
  return changeAndTell(
    app,
    actor,
    req,
    {
      template: 'refusal',
      input: { type: req.type, reason, refusedParts },
      event: 'refused',
      at: now,
      note: reason,
      details: { ground, partial: !!input.partial },
      auditReason: ground,
    },
    (tx) =>
      tx.query(`UPDATE dsr_requests SET state='refused', closed_at=$2, decision=$3 WHERE id=$1`, [
        id,
        now.toISOString(),
        JSON.stringify({
          refusal: { ground, reason, partial: !!input.partial, refusedParts: refusedParts ?? null },
        }),
      ]),
  );
}

export function objectionKind(purpose: Purpose | undefined): ObjectionKind {
  if (!purpose) return 'legitimate-interest';
  return purpose.communication?.directMarketing || purpose.dataUse.startsWith('marketing')
    ? 'direct-marketing'
    : 'legitimate-interest';
}

/**
 * Objection to a legitimate-interest purpose (Art. 21(1)): a person decides, weighing the company's
 * grounds against the customer's; the balancing note is recorded and the customer told the outcome.
 */
export async function decideObjection(
  app: RequestDeps,
  workers: BackgroundWork,
  caller: Caller,
  id: string,
  input: { upheld: boolean; balancingNote?: string },
): Promise<RequestRow> {
  const req = await requestFor(app, caller, id, 'write');
  const actor = caller.actor;
  if (req.type !== 'objection')
    throw precondition('not-an-objection', 'Only objections are decided with a balancing note.');
  const note = assertBalancingNote(input.balancingNote);
  if (req.state === 'received') nextState(req.state, 'complete');
  const now = app.now();
  const ix = await registerIndex(app);
  const keys = await keysOf(app);
  const events = await app.db.transaction(async (tx) => {
    const sub = await getSubmission(tx, req.submission_id, await submissionKeys(app, tx));
    // Upheld: the purpose stops through the consent register (an objection event), so "may we contact"
    // answers no at once and subscribed systems are told.
    const recorded =
      input.upheld && req.purpose_id && ix
        ? await recordStop(tx, actor, keys, ix, {
            kind: 'objection-upheld',
            orgIds: [req.org_id],
            purposeId: req.purpose_id,
            email: sub.email,
            requestId: id,
            at: now,
          })
        : [];
    await tx.query('UPDATE dsr_requests SET decision=$2 WHERE id=$1', [
      id,
      JSON.stringify({
        objection: { kind: 'legitimate-interest', upheld: input.upheld, balancingNote: note },
      }),
    ]);
    await addEvent(tx, actor, req, 'objection-decided', {
      at: now,
      note,
      details: {
        upheld: input.upheld,
        purpose: req.purpose_id,
        consentEvents: recorded.map((e) => e.id),
      },
    });
    return recorded;
  });
  await propagate(workers, events);
  const { lang } = await getSubmission(app.db, req.submission_id, await submissionKeys(app));
  const outcome = input.upheld ? STOP_WORDS[lang].upheld : STOP_WORDS[lang].continued(note);
  await finish(app, actor, await getRequest(app.db, id), 'completed', { outcome });
  return getRequest(app.db, id);
}

export async function finish(
  app: RequestDeps,
  actor: Actor,
  req: RequestRow,
  to: 'completed',
  opts: {
    outcome?: string /** the timeline's note when it differs from the mail (no links) */;
    note?: string;
  },
  db: Db = app.db,
  index?: RegisterIndex,
) {
  const state = nextState(req.state, 'complete');
  const ix = index ?? (await registerIndex(app));
  if (state !== to) throw new OmbudError('conflict', 'unexpected-state', 'Unexpected state.');
  const now = app.now();
  await db.transaction(async (tx) => {
    await tx.query('UPDATE dsr_requests SET state=$2, closed_at=$3 WHERE id=$1', [
      req.id,
      state,
      now.toISOString(),
    ]);
    const note = opts.note ?? opts.outcome ?? null;
    const details = { onTime: now.toISOString().slice(0, 10) <= req.due_date };
    // A company's part of a group request: recorded now, answered in the one mail when the last closes.
    const group = await groupAnswer(app, tx, ix, actor, req, { note });
    if (group !== 'single') {
      await addEvent(tx, actor, req, 'completed', {
        at: now,
        note,
        details: { ...details, groupAnswer: group },
      });
      return;
    }
    await tellRequester(app, tx, ix, actor, req, {
      template: 'completion',
      input: { type: req.type, outcome: opts.outcome },
      event: 'completed',
      at: now,
      note,
      details,
    });
  });
  if (db === app.db) await flushMail(app);
}

/**
 * Stops that need no balancing, applied as soon as the requester is verified: an objection to direct
 * marketing (Art. 21(3)) and a withdrawal of consent (Art. 7(3)). Runs inside the verification transaction.
 */
export async function applyImmediateStop(
  app: RequestDeps,
  tx: Db,
  index: RegisterIndex | undefined,
  req: RequestRow,
  sub: SubmissionRow,
  keys: ConsentKeys,
): Promise<ConsentEvent[]> {
  if (!index || !req.purpose_id || (req.type !== 'objection' && req.type !== 'withdraw-consent')) return [];
  const purpose = index.purposes.get(req.purpose_id);
  const kind =
    req.type === 'withdraw-consent'
      ? 'consent-withdrawn'
      : objectionKind(purpose) === 'direct-marketing'
        ? 'objection-direct-marketing'
        : undefined;
  if (!kind) return []; // a legitimate-interest objection waits for a person
  const now = app.now();
  const joint = index.jointArrangementFor(req.purpose_id);
  // A joint purpose is stopped for every controller of the arrangement at once.
  const orgs = joint ? joint.controllers : [req.org_id];
  const system: Actor = { kind: 'system', id: 'ombud' };
  // One source of truth: the stop is an immutable event in the consent register (per controller).
  const events = await recordStop(tx, system, keys, index, {
    kind,
    orgIds: orgs,
    purposeId: req.purpose_id,
    email: sub.email,
    requestId: req.id,
    at: now,
  });
  await tx.query('UPDATE dsr_requests SET decision=$2 WHERE id=$1', [
    req.id,
    JSON.stringify({ stop: { kind, purpose: req.purpose_id, orgs, appliedAt: now.toISOString() } }),
  ]);
  await addEvent(tx, system, req, 'stop-applied', {
    at: now,
    details: { kind, purpose: req.purpose_id, orgs, consentEvents: events.map((e) => e.id) },
  });
  await finish(
    app,
    system,
    req,
    'completed',
    {
      outcome:
        kind === 'consent-withdrawn' ? STOP_WORDS[sub.lang].withdrawn : STOP_WORDS[sub.lang].directMarketing,
    },
    tx,
    index,
  );
  return events;
}
