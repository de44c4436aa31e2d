/**
 * A request to the whole group, once the requester is verified. The subject locator has said which
 * companies know them; the request held at the group's contact point becomes one linked request per such
 * company (same receipt, each with its own due date and authority; a joint arrangement holding their data
 * handled once, by its contact point) and is closed as 'split'. Known nowhere, the answer is "we hold no
 * personal data about you" with where to complain: sent at once when every own system and the consent
 * register were searched without an error, otherwise left to an agent, who checks what the locator could
 * not and either answers the same or sends the request to the company that turned out to know the customer.
 * Timeline and audit entries carry companies, sources and counts, never an identity or a row.
 */
import { randomUUID } from 'node:crypto';
import type { BackgroundWork } from '../../workers.ts';
import { precondition, validationError } from '../../core/errors.ts';
import type { Caller } from '../../core/policies/policy.ts';
import type { RegisterIndex } from '../../core/register/register-index.ts';
import { t } from '../../core/register/schema.ts';
import type { AuthorityRef } from '../../core/requests/mail-templates.ts';
import {
  groupNotRouted,
  jointScope,
  noDataIsCertain,
  type Routing,
  routeKnown,
} from '../../core/requests/routing.ts';
import { isOpen } from '../../core/requests/workflow.ts';
import type { Db } from '../../storage/db.ts';
import { type Actor, SYSTEM_ACTOR } from '../audit/auditLog.ts';
import type { ConsentKeys } from '../consent/keys.ts';
import type { ConsentEvent } from '../../core/consent/event.ts';
import { keysOf, propagate } from './consentLink.ts';
import { applyImmediateStop } from './decideRequest.ts';
import { afterVerification } from './fulfilRequest.ts';
import { type LocateResult, locateSummary } from './locateSubject.ts';
import {
  addEvent,
  flushMail,
  getRequest,
  getSubmission,
  submissionKeys,
  tellRequester,
  registerIndex,
  type RequestRow,
  requestFor,
  type SubmissionRow,
  acknowledge,
  type RequestDeps,
} from './store.ts';
import { insertRequest } from './submitRequest.ts';

type Verified = { at: Date; method: string; note?: string | null };

const names = (ix: RegisterIndex, orgs: string[]) =>
  orgs.map((o) => ix.organization(o)?.legalName ?? o).join(', ');

/** The routing as stored on the group request (ids, companies, sources and counts only). */
function routingRecord(
  routing: Routing,
  located: LocateResult | undefined,
  requests: Record<string, string>,
) {
  return {
    known: routing.known,
    viaJoint: routing.viaJoint,
    notKnown: routing.notKnown,
    requests,
    ...(located
      ? { sources: locateSummary(located), unchecked: located.unchecked, failed: located.failed }
      : { byAgent: true }),
  };
}

/**
 * A step on a group request inside a transaction: what it is done with (the register, the consent keys,
 * who acts) and on (the group request and its submission).
 */
export type GroupStep = {
  app: RequestDeps;
  tx: Db;
  ix: RegisterIndex;
  keys: ConsentKeys;
  actor: Actor;
  group: RequestRow;
  sub: SubmissionRow;
};

/**
 * Create the companies' requests (verified, acknowledged, immediate stops applied) and close the group
 * request as 'split'. Runs inside the caller's transaction.
 */
async function splitInto(
  step: GroupStep,
  routing: Routing,
  located: LocateResult | undefined,
  verified: Verified,
  routedNote?: string,
): Promise<{ ids: string[]; consentEvents: ConsentEvent[] }> {
  const { app, tx, ix, keys, actor, group, sub } = step;
  const now = app.now();
  const byOrg = new Map(routing.targets.map((tg) => [tg.orgId, randomUUID()] as const));
  const all = [...byOrg.values()];
  const summary = located ? locateSummary(located) : {};
  const ids: string[] = [];
  const consentEvents: ConsentEvent[] = [];
  for (const target of routing.targets) {
    const id = byOrg.get(target.orgId)!;
    await insertRequest(tx, ix, SYSTEM_ACTOR, {
      id,
      submissionId: sub.id,
      orgId: target.orgId,
      type: group.type,
      details: group.details,
      purposeId: group.purpose_id,
      receivedAt: group.received_at,
      now,
      state: 'verified',
      verified: { at: verified.at, method: verified.method },
      scope: {
        ...jointScope(target, byOrg),
        linked: [group.id, ...all.filter((x) => x !== id)],
        parent: group.id,
      },
      event: {
        channel: sub.channel,
        emailHash: sub.email_hash,
        groupRequest: group.id,
        sources: located ? Object.keys(summary[target.orgId] ?? {}) : ['agent'],
        ...(routing.viaJoint.includes(target.orgId) ? { viaJoint: target.jointArrangements } : {}),
      },
    });
    const req = await getRequest(tx, id);
    await addEvent(tx, actor, req, 'verified', {
      at: now,
      note: verified.note ?? null,
      details: { method: verified.method, groupRequest: group.id },
    });
    await acknowledge(app, tx, ix, actor, sub, req, now);
    ids.push(id);
    consentEvents.push(...(await applyImmediateStop(app, tx, ix, req, sub, keys)));
  }
  const requests = Object.fromEntries(byOrg);
  await tx.query(`UPDATE dsr_requests SET state='split', closed_at=$2, decision=$3, scope=$4 WHERE id=$1`, [
    group.id,
    now.toISOString(),
    JSON.stringify({ routing: routingRecord(routing, located, requests) }),
    JSON.stringify({ ...group.scope, linked: all }),
  ]);
  const joint = routing.viaJoint.length ? ` and ${names(ix, routing.viaJoint)} (joint purposes)` : '';
  const sent = `Sent to ${names(ix, routing.known) || 'no company itself'}${joint}.`;
  await addEvent(tx, actor, group, 'split', {
    at: now,
    note: located
      ? `${sent}${routing.notKnown.length ? ` Checked, not known: ${names(ix, routing.notKnown)}.` : ''}`
      : `${sent} Found by an agent: ${routedNote ?? ''}`,
    details: {
      requests,
      known: routing.known,
      viaJoint: routing.viaJoint,
      notKnown: routing.notKnown,
      ...(located ? {} : { byAgent: true }),
    },
  });
  return { ids, consentEvents };
}

/** "We hold no personal data about you": the answer for every company asked, naming each authority. */
async function answerNothingHeld(
  step: Omit<GroupStep, 'keys'>,
  record: Record<string, unknown>,
  note: string,
): Promise<void> {
  const { app, tx, ix, actor, group, sub } = step;
  const now = app.now();
  const candidates = group.scope.group?.candidates ?? [group.org_id];
  const byAuthority = new Map<string, { ref: AuthorityRef; orgs: string[] }>();
  for (const o of candidates) {
    const a = ix.authorityOf(o);
    if (!a) continue;
    const entry = byAuthority.get(a.id) ?? {
      ref: { name: t(a.name, sub.lang), web: a.web, email: a.email },
      orgs: [],
    };
    entry.orgs.push(o);
    byAuthority.set(a.id, entry);
  }
  const authorities = [...byAuthority.values()].map((e) => ({
    ...e.ref,
    companies: byAuthority.size > 1 ? names(ix, e.orgs) : undefined,
  }));
  await tx.query(`UPDATE dsr_requests SET state='completed', closed_at=$2, decision=$3 WHERE id=$1`, [
    group.id,
    now.toISOString(),
    JSON.stringify({ noData: record }),
  ]);
  await tellRequester(
    app,
    tx,
    ix,
    actor,
    group,
    {
      template: 'no-data',
      input: {
        type: group.type,
        group: {
          name: ix.register.group.name,
          companies: candidates.map((o) => ix.organization(o)?.legalName ?? o),
        },
        authorities,
      },
      event: 'completed',
      at: now,
      note,
      details: {
        onTime: now.toISOString().slice(0, 10) <= group.due_date,
        noData: true,
        template: 'no-data',
      },
    },
    sub,
  );
}

/**
 * On verification of a group request (inside the verification's transaction): split it, answer that
 * nothing is held, or leave that answer to an agent. Returns the requests now verified.
 */
export async function routeOnVerification(
  step: GroupStep,
  located: LocateResult,
  verified: Verified,
): Promise<{ ids: string[]; consentEvents: ConsentEvent[] }> {
  const { app, tx, ix, actor, group, sub } = step;
  const now = app.now();
  await tx.query('UPDATE dsr_requests SET state=$2, verified_at=$3, verification_method=$4 WHERE id=$1', [
    group.id,
    'verified',
    verified.at.toISOString(),
    verified.method,
  ]);
  await addEvent(tx, actor, group, 'verified', {
    at: now,
    note: verified.note ?? null,
    details: { method: verified.method },
  });
  // Companies removed from the register since receipt cannot get a request.
  const candidates = (group.scope.group?.candidates ?? []).filter((c) => ix.organization(c));
  const routing = routeKnown(
    ix,
    candidates,
    located.hits.map((h) => h.holder),
    group.purpose_id ?? undefined,
  );
  await addEvent(tx, SYSTEM_ACTOR, group, 'located', {
    at: now,
    note:
      routing.targets.length > 0
        ? `Known at ${names(ix, [...routing.known, ...routing.viaJoint])}; not known at ${names(ix, routing.notKnown) || 'none'}.`
        : `Known at none of ${names(ix, candidates)}.`,
    details: {
      candidates,
      sources: locateSummary(located),
      searched: located.searched.map((s) => `${s.source}:${s.status}${s.error ? `:${s.error}` : ''}`),
      unchecked: located.unchecked,
      failed: located.failed,
      known: routing.known,
      viaJoint: routing.viaJoint,
      notKnown: routing.notKnown,
    },
  });
  const fresh = { ...group, state: 'verified' as const, verified_at: verified.at };
  if (routing.targets.length > 0) return splitInto({ ...step, group: fresh }, routing, located, verified);
  const record = routingRecord(routing, located, {});
  if (noDataIsCertain(located)) {
    await answerNothingHeld(
      { ...step, actor: SYSTEM_ACTOR, group: fresh },
      { ...record, answeredBy: 'locator' },
      'No company of the group holds personal data about the requester: every own system and the consent register were searched. Answered automatically.',
    );
    return { ids: [group.id], consentEvents: [] };
  }
  // Not certain: the customer hears when we will answer, and an agent checks what the locator could not.
  await tx.query('UPDATE dsr_requests SET decision=$2 WHERE id=$1', [
    group.id,
    JSON.stringify({ routing: { ...record, awaitingAgent: true } }),
  ]);
  await acknowledge(app, tx, ix, actor, sub, group, now);
  await addEvent(tx, SYSTEM_ACTOR, group, 'awaiting-agent', {
    at: now,
    note: `Known nowhere in the sources searched. Not searched: ${[...located.unchecked, ...located.failed].join(', ') || 'none'}. Check them, then answer that we hold no personal data or send the request to the company that knows the customer.`,
    details: { unchecked: located.unchecked, failed: located.failed },
  });
  return { ids: [group.id], consentEvents: [] };
}

async function openGroupRequest(app: RequestDeps, caller: Caller, id: string): Promise<RequestRow> {
  // It speaks for every company of the request: the policy wants requests:write in each of them.
  const req = await requestFor(app, caller, id, 'write');
  if (!req.scope.group)
    throw precondition(
      'not-a-group-request',
      'Only a request to the whole group is routed to companies or answered for all of them.',
      'Complete this request as usual.',
    );
  if (req.state === 'received')
    throw precondition(
      'request-step-not-allowed',
      "A request in state 'received' cannot be routed.",
      "Verify the requester's identity first (e-mail code, signed assertion, or a recorded ID check).",
    );
  if (!isOpen(req.state))
    throw precondition(
      'request-step-not-allowed',
      `A request in state '${req.state}' cannot be routed.`,
      req.state === 'split'
        ? 'It was already sent to the companies that know the customer; work their requests.'
        : 'The request is closed; file a new request if the customer asks again.',
    );
  return req;
}

/** An agent confirms that no company holds data about the requester (after checking what the locator could not). */
export async function answerNoData(
  app: RequestDeps,
  caller: Caller,
  id: string,
  note?: string,
): Promise<RequestRow> {
  const req = await openGroupRequest(app, caller, id);
  const actor = caller.actor;
  const ix = await registerIndex(app);
  if (!ix) throw precondition('no-register', 'No register is stored.', 'Apply a register first.');
  const checked = note?.trim();
  if (!checked || checked.length < 10)
    throw validationError('no-data-check-missing', 'Record what was checked.', [
      {
        path: ['note'],
        message: 'a note of at least 10 characters is required',
        hint: 'Name the systems you searched by hand (e.g. "CRM and messaging searched, no match"), never the data.',
      },
    ]);
  const prior = (req.decision?.routing ?? {}) as Record<string, unknown>;
  await app.db.transaction(async (tx) => {
    const sub = await getSubmission(tx, req.submission_id, await submissionKeys(app, tx));
    await answerNothingHeld(
      { app, tx, ix, actor, group: req, sub },
      { ...prior, awaitingAgent: false, answeredBy: 'agent', check: checked },
      checked,
    );
  });
  await flushMail(app);
  return getRequest(app.db, id);
}

/** An agent found the customer where the locator could not look: send the request to those companies. */
export async function routeManually(
  app: RequestDeps,
  workers: BackgroundWork,
  caller: Caller,
  id: string,
  input: { orgIds: string[]; note?: string },
): Promise<{ requestIds: string[] }> {
  const req = await openGroupRequest(app, caller, id);
  const actor = caller.actor;
  const ix = await registerIndex(app);
  if (!ix) throw precondition('no-register', 'No register is stored.', 'Apply a register first.');
  const candidates = req.scope.group!.candidates;
  const orgIds = [...new Set(input.orgIds)];
  const note = input.note?.trim();
  const issues = [];
  if (orgIds.length === 0 || orgIds.some((o) => !candidates.includes(o)))
    issues.push({
      path: ['orgIds'],
      message: 'choose one or more companies of the request',
      hint: `One or more of: ${candidates.join(', ')}.`,
    });
  if (!note || note.length < 10)
    issues.push({
      path: ['note'],
      message: 'a note of at least 10 characters is required',
      hint: 'Say where the customer was found (e.g. "found in the CRM of Bokhyllan"), never the data.',
    });
  if (issues.length) throw validationError('routing-invalid', 'The request cannot be sent.', issues);
  const routing = routeKnown(
    ix,
    candidates,
    orgIds.map((orgId) => ({ kind: 'org' as const, orgId })),
    req.purpose_id ?? undefined,
  );
  const keys = await keysOf(app);
  const res = await app.db.transaction(async (tx) => {
    const [row] = await tx.query<{ state: string }>(
      'SELECT state FROM dsr_requests WHERE id = $1 FOR UPDATE',
      [id],
    );
    if (row?.state !== req.state) throw groupNotRouted();
    const sub = await getSubmission(tx, req.submission_id, await submissionKeys(app, tx));
    return splitInto(
      { app, tx, ix, keys, actor, group: req, sub },
      routing,
      undefined,
      {
        at: req.verified_at ? new Date(req.verified_at) : app.now(),
        method: req.verification_method ?? 'manual-id-check',
      },
      note,
    );
  });
  await flushMail(app);
  await propagate(workers, res.consentEvents);
  await afterVerification(app, workers, res.ids);
  return { requestIds: res.ids };
}
