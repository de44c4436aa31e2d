/**
 * Intake of a data subject request from the privacy center, the API (customer-service tools) or the
 * console. A request to one company goes to it; a purpose run jointly (Art. 26) is handled once, by the
 * arrangement's contact point. A request to the whole group is held as one request at the group's contact
 * point until the requester is verified; only then does the subject locator decide which companies know
 * them, and it becomes one linked request per such company (src/services/requests/routeGroupRequest.ts).
 * So the reply and every mail before verification are the same whether or not the address is known
 * anywhere. The due date comes from the core on receipt. Web and API submitters then verify with an
 * e-mail code.
 */
import { createHash, randomInt, randomUUID } from 'node:crypto';
import { dueDate, maxExtendedDueDate } from '../../core/deadlines/deadlines.ts';
import { conflict, forbidden, notFound, validationError } from '../../core/errors.ts';
import { allowedInAll, type Caller, decide, type Group } from '../../core/policies/policy.ts';
import { requestPolicy } from '../../core/policies/resources.ts';
import type { Language } from '../../core/register/schema.ts';
import type { RegisterIndex } from '../../core/register/register-index.ts';
import { intakeFor, jointScope, type Target } from '../../core/requests/routing.ts';
import type { RequestState, RequestType } from '../../core/requests/workflow.ts';
import type { Db } from '../../storage/db.ts';
import type { Actor } from '../audit/auditLog.ts';
import {
  addEvent,
  emailHash,
  flushMail,
  getSubmission,
  submissionKeys,
  sealSubmission,
  type SubmissionKeys,
  mailRequester,
  type RequestRow,
  type RequestScope,
  requestsOfSubmission,
  type RequestDeps,
} from './store.ts';
import { groupOf } from '../register/group.ts';

export const CODE_MINUTES = 15;
export const CODE_MAX_ATTEMPTS = 5;

export type SubmitInput = {
  channel: 'web' | 'api' | 'console';
  /** One organization id, or 'group' for every controller of the group. */
  scope: string;
  type: RequestType;
  email: string;
  name?: string;
  lang: Language;
  details?: string;
  purposeId?: string;
  /** For letters and calls taken earlier; defaults to now. Never in the future. */
  receivedAt?: Date;
  idempotency?: { key: string; principal: string };
  /** Send a one-time code by e-mail (web and API); the console verifies by a recorded check instead. */
  sendCode: boolean;
};

export type SubmitResult = { submissionId: string; requestIds: string[]; replayed: boolean };

export const codeHash = (submissionId: string, code: string) =>
  createHash('sha256').update(`${submissionId}:${code}`).digest('hex');

/**
 * File a request. The caller needs requests:write in every company it is filed for (a staff member or an
 * API key acting for a company); for 'group', in every company of the group. The public form files as the
 * data subject (systemCaller): anyone may ask any company.
 */
export async function submitRequest(
  app: RequestDeps,
  caller: Caller,
  input: SubmitInput,
): Promise<SubmitResult> {
  const r = await app.registers.get();
  if (!r) throw notFound('register', 'current');
  const group = await groupOf(app.registers);
  if (
    !allowedInAll(caller.principal, 'requests:write', input.scope === 'group' ? group.orgIds : [input.scope])
  )
    throw refusedFiling(input.scope);
  const now = app.now();
  const receivedAt = receiptTime(input, now);
  const email = input.email.trim();
  const keys = await submissionKeys(app);
  const bodyHash = submissionHash(keys, input, email);

  if (input.idempotency) {
    const prior = await priorSubmission(app.db, input.idempotency);
    if (prior) return replay(app.db, prior, bodyHash);
  }

  const targets = intakeTargets(r.index, input);
  for (const target of targets) checkMayFile(caller, target, group, input.scope);
  const filing: Filing = {
    submissionId: randomUUID(),
    input,
    email,
    bodyHash,
    receivedAt,
    now,
    targets,
    keys,
  };
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  let requestIds: string[];
  try {
    requestIds = await app.db.transaction(async (tx) => {
      await insertSubmission(tx, filing);
      const ids = await insertRequests(tx, r.index, caller.actor, filing);
      if (input.sendCode) await sendCode(app, tx, r.index, filing, ids[0]!, code);
      return ids;
    });
  } catch (err) {
    // Two identical submissions racing with one key: the loser reads the winner's.
    if (input.idempotency && /unique|duplicate/i.test(String((err as Error).message))) {
      const prior = await priorSubmission(app.db, input.idempotency);
      if (prior) return replay(app.db, prior, bodyHash);
    }
    throw err;
  }
  await flushMail(app);
  return { submissionId: filing.submissionId, requestIds, replayed: false };
}

/** A request to file: to a company, or (a group request) held at the contact point with its candidates. */
type IntakeTarget = Target & { group?: { candidates: string[] } };

/** One submission being filed: what the transaction writes. */
type Filing = {
  submissionId: string;
  input: SubmitInput;
  /** The address as given, trimmed. */
  email: string;
  bodyHash: string;
  receivedAt: Date;
  now: Date;
  targets: IntakeTarget[];
  keys: SubmissionKeys;
};

/** When the request reached the controller: as given (a letter, a call; never in the future), else now. */
function receiptTime(input: SubmitInput, now: Date): Date {
  const receivedAt = input.receivedAt ?? now;
  if (receivedAt.getTime() > now.getTime() + 60_000)
    throw validationError('received-in-future', 'receivedAt is in the future.', [
      {
        path: ['receivedAt'],
        message: 'must not be in the future',
        hint: 'Give the date and time the letter or call reached you.',
      },
    ]);
  return receivedAt;
}

/** What makes two submissions the same request (for an Idempotency-Key): the body, not the moment. */
function submissionHash(keys: SubmissionKeys, input: SubmitInput, email: string): string {
  return createHash('sha256')
    .update(
      JSON.stringify([
        input.scope,
        input.type,
        emailHash(keys, email),
        input.details ?? '',
        input.purposeId ?? '',
        // The receipt time the client gave (not the default "now": a retry a minute later is the same request).
        input.receivedAt ? input.receivedAt.toISOString().slice(0, 16) : '',
      ]),
    )
    .digest('hex');
}

/** The submission filed earlier under the same Idempotency-Key by the same principal. */
async function priorSubmission(
  db: Db,
  idempotency: NonNullable<SubmitInput['idempotency']>,
): Promise<{ id: string; body_hash: string } | undefined> {
  const prior = await db.query<{ id: string; body_hash: string }>(
    'SELECT id, body_hash FROM dsr_submissions WHERE idempotency_principal = $1 AND idempotency_key = $2',
    [idempotency.principal, idempotency.key],
  );
  return prior[0];
}

/** The requests to file: one per company, or one group request waiting at the contact point. */
function intakeTargets(index: RegisterIndex, input: SubmitInput): IntakeTarget[] {
  const intake = intakeFor(index, input.scope, input.purposeId);
  // A group request waits at the contact point: one request, the same for every address.
  return intake.mode === 'direct'
    ? intake.targets
    : [{ orgId: intake.umbrellaOrg, jointArrangements: [], group: { candidates: intake.candidates } }];
}

/**
 * Each request filed must be one the caller may change (requestPolicy: its company, or for a group
 * request its contact point and every candidate).
 */
function checkMayFile(caller: Caller, target: IntakeTarget, group: Group, asked: string): void {
  const row = { id: 'new', org_id: target.orgId, scope: target.group ? { group: target.group } : {} };
  if (decide(caller.principal, requestPolicy, 'write', row, group) !== 'allow') throw refusedFiling(asked);
}

async function insertSubmission(tx: Db, f: Filing): Promise<void> {
  const { input, email } = f;
  // The address and the name are sealed; the address is found by its keyed hash (core/secrets/dataKeys.ts).
  const sealed = sealSubmission(f.keys, f.submissionId, email, input.name?.trim() || null);
  await tx.query(
    `INSERT INTO dsr_submissions (id, channel, email_sealed, email_hash, name_sealed, lang, scope, idempotency_key, idempotency_principal, body_hash, created_at)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)`,
    [
      f.submissionId,
      input.channel,
      sealed.emailSealed,
      sealed.emailHash,
      sealed.nameSealed,
      input.lang,
      input.scope,
      input.idempotency?.key ?? null,
      input.idempotency?.principal ?? null,
      f.bodyHash,
      f.now.toISOString(),
    ],
  );
}

/** One request per target, linked to each other (and a joint request to the one that handles it). */
async function insertRequests(tx: Db, index: RegisterIndex, actor: Actor, f: Filing): Promise<string[]> {
  const { input, targets } = f;
  const ids: string[] = [];
  const byOrg = new Map<string, string>();
  for (const target of targets) byOrg.set(target.orgId, randomUUID());
  for (const target of targets) {
    const id = byOrg.get(target.orgId)!;
    await insertRequest(tx, index, actor, {
      id,
      submissionId: f.submissionId,
      orgId: target.orgId,
      type: input.type,
      details: input.details,
      purposeId: input.purposeId,
      receivedAt: f.receivedAt,
      now: f.now,
      scope: {
        ...jointScope(target, byOrg),
        linked: targets.length > 1 ? [...byOrg.values()].filter((v) => v !== id) : [],
        ...(target.group ? { group: target.group } : {}),
      },
      event: { channel: input.channel, emailHash: emailHash(f.keys, f.email) },
    });
    ids.push(id);
  }
  return ids;
}

/** The one-time code: stored as a hash, mailed from the first target's company. */
async function sendCode(
  app: RequestDeps,
  tx: Db,
  index: RegisterIndex,
  f: Filing,
  firstId: string,
  code: string,
): Promise<void> {
  await tx.query(
    'INSERT INTO dsr_verification_codes (submission_id, code_hash, expires_at) VALUES ($1,$2,$3)',
    [
      f.submissionId,
      codeHash(f.submissionId, code),
      new Date(f.now.getTime() + CODE_MINUTES * 60_000).toISOString(),
    ],
  );
  const sub = await getSubmission(tx, f.submissionId, await submissionKeys(app, tx));
  const first = f.targets[0]!;
  await mailRequester(
    app,
    tx,
    index,
    sub,
    first.orgId,
    'verification-code',
    { code, codeMinutes: CODE_MINUTES },
    { id: firstId, org_id: first.orgId, scope: first.group ? { group: first.group } : {} },
  );
}

/** 403 for a filing the caller may not make (the client's text is not echoed). */
const refusedFiling = (asked: string) =>
  forbidden(
    asked === 'group'
      ? 'Filing a request to the whole group needs requests:write in every company of the group.'
      : 'Filing a request for this company needs requests:write in it.',
  );

async function replay(
  db: Db,
  prior: { id: string; body_hash: string },
  bodyHash: string,
): Promise<SubmitResult> {
  if (prior.body_hash !== bodyHash)
    throw conflict(
      'idempotency-key-reused',
      'This Idempotency-Key was already used for a different request.',
      'Use a new Idempotency-Key for a new request; repeat the same body to retry the earlier one.',
    );
  // The requests filed then (not those a group request became on verification): the same reply again.
  const rows: RequestRow[] = (await requestsOfSubmission(db, prior.id)).filter((r) => !r.scope.parent);
  return { submissionId: prior.id, requestIds: rows.map((r) => r.id), replayed: true };
}

/**
 * One request row with its due dates (fixed from receipt in the controller's country and promise) and
 * the 'received' step on its timeline. Used on intake and when a group request is split.
 */
export async function insertRequest(
  tx: Db,
  ix: RegisterIndex,
  actor: Actor,
  input: {
    id: string;
    submissionId: string;
    orgId: string;
    type: RequestType;
    details?: string | null;
    purposeId?: string | null;
    receivedAt: Date;
    now: Date;
    scope: RequestScope;
    state?: RequestState;
    verified?: { at: Date; method: string };
    /** Extra details for the 'received' step (ids and hashes only). */
    event: Record<string, unknown>;
  },
): Promise<{ dueDate: string }> {
  const org = ix.organization(input.orgId)!;
  const receipt = { receivedAt: input.receivedAt, timeZone: org.timeZone, country: org.country };
  const due = dueDate({ ...receipt, promisedDays: org.promises.responseDays });
  const max = maxExtendedDueDate({ ...receipt, promisedMaxMonths: org.promises.maxExtendedMonths });
  await tx.query(
    `INSERT INTO dsr_requests (id, submission_id, org_id, type, state, details, purpose_id, scope, received_at,
       due_date, original_due_date, legal_due_date, max_due_date, created_at, verified_at, verification_method)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$10,$11,$12,$13,$14,$15)`,
    [
      input.id,
      input.submissionId,
      input.orgId,
      input.type,
      input.state ?? 'received',
      input.details?.trim() || null,
      input.purposeId ?? null,
      JSON.stringify(input.scope),
      input.receivedAt.toISOString(),
      due.dueDate,
      due.legalDueDate,
      max.maxDueDate,
      input.now.toISOString(),
      input.verified?.at.toISOString() ?? null,
      input.verified?.method ?? null,
    ],
  );
  await addEvent(tx, actor, { id: input.id, org_id: input.orgId }, 'received', {
    at: input.now,
    details: {
      submission: input.submissionId,
      ...input.event,
      type: input.type,
      receivedAt: input.receivedAt.toISOString(),
      dueDate: due.dueDate,
      dueBasis: due.basis,
      legalDueDate: due.legalDueDate,
      ...(input.scope.jointHandledBy ? { jointHandledBy: input.scope.jointHandledBy } : {}),
      ...(input.scope.group ? { group: input.scope.group.candidates } : {}),
      ...(input.scope.parent ? { parent: input.scope.parent } : {}),
    },
  });
  return { dueDate: due.dueDate };
}
