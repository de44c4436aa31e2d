/**
 * Intake of a data subject request from the privacy center, the API (customer-service tools) or the
 * console. A request to the whole group becomes one linked request per controller; a purpose run
 * jointly (Art. 26) is handled once, by the arrangement's contact point. The due date comes from the
 * core on receipt. Web and API submitters then verify with an e-mail code.
 */
import { createHash, randomInt, randomUUID } from 'node:crypto';
import type { App } from '../../app.ts';
import { dueDate, maxExtendedDueDate } from '../../core/deadlines/deadlines.ts';
import { conflict, notFound, validationError } from '../../core/errors.ts';
import type { Language } from '../../core/register/schema.ts';
import type { RegisterIndex } from '../../core/register/register-index.ts';
import type { RequestType } from '../../core/requests/workflow.ts';
import type { Db } from '../../storage/db.ts';
import type { Actor } from '../audit/auditLog.ts';
import {
  addEvent,
  emailHash,
  flushMail,
  getSubmission,
  mailRequester,
  type RequestRow,
  requestsOfSubmission,
} from './store.ts';

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

/** Which controllers a request goes to, and which joint purposes each handles for the others. */
export function plan(
  ix: RegisterIndex,
  scope: string,
  purposeId?: string,
): { orgId: string; jointArrangements: string[]; jointHandledBy?: string }[] {
  const orgs =
    scope === 'group'
      ? ix.register.organizations.map((o) => o.id)
      : ix.organization(scope)
        ? [scope]
        : undefined;
  if (!orgs)
    throw validationError('unknown-company', `There is no company '${scope}' in the group.`, [
      {
        path: ['company'],
        message: 'unknown company',
        hint: "Choose a company of the group, or 'group' for all.",
      },
    ]);
  if (purposeId) {
    const p = ix.purposes.get(purposeId);
    if (!p)
      throw validationError('unknown-purpose', `There is no purpose '${purposeId}'.`, [
        {
          path: ['purposeId'],
          message: 'unknown purpose',
          hint: 'Give a purpose id from the register, or leave it out.',
        },
      ]);
    const joint = ix.jointArrangementFor(purposeId);
    // A joint purpose is handled once: by the contact point when the group is asked, else by the company asked.
    if (joint && scope === 'group') return [{ orgId: joint.contactPoint, jointArrangements: [joint.id] }];
    const controllers = orgs.filter((o) => p.controllers.includes(o) || joint?.controllers.includes(o));
    if (controllers.length === 0)
      throw validationError(
        'purpose-not-of-company',
        `'${scope}' is not a controller of purpose '${purposeId}'.`,
        [
          {
            path: ['purposeId'],
            message: 'not a purpose of the chosen company',
            hint: 'Choose the company that runs this purpose.',
          },
        ],
      );
    return controllers.map((orgId) => ({ orgId, jointArrangements: joint ? [joint.id] : [] }));
  }
  if (orgs.length === 1)
    return [{ orgId: orgs[0]!, jointArrangements: ix.jointArrangementsOf(orgs[0]!).map((j) => j.id) }];
  return orgs.map((orgId) => {
    const joint = ix.jointArrangementsOf(orgId);
    const handledElsewhere = joint.filter((j) => j.contactPoint !== orgId && orgs.includes(j.contactPoint));
    return {
      orgId,
      jointArrangements: joint.filter((j) => !handledElsewhere.includes(j)).map((j) => j.id),
      jointHandledBy: handledElsewhere[0]?.contactPoint,
    };
  });
}

export async function submitRequest(app: App, actor: Actor, input: SubmitInput): Promise<SubmitResult> {
  const r = await app.registers.get();
  if (!r) throw notFound('register', 'current');
  const now = app.now();
  const receivedAt = input.receivedAt ?? now;
  if (receivedAt.getTime() > now.getTime() + 60_000)
    throw validationError('received-in-future', 'receivedAt is in the future.', [
      {
        path: ['receivedAt'],
        message: 'must not be in the future',
        hint: 'Give the date and time the letter or call reached you.',
      },
    ]);
  const email = input.email.trim();
  const bodyHash = createHash('sha256')
    .update(
      JSON.stringify([
        input.scope,
        input.type,
        emailHash(email),
        input.details ?? '',
        input.purposeId ?? '',
        // The receipt time the client gave (not the default "now": a retry a minute later is the same request).
        input.receivedAt ? input.receivedAt.toISOString().slice(0, 16) : '',
      ]),
    )
    .digest('hex');

  if (input.idempotency) {
    const prior = await app.db.query<{ id: string; body_hash: string }>(
      'SELECT id, body_hash FROM dsr_submissions WHERE idempotency_principal = $1 AND idempotency_key = $2',
      [input.idempotency.principal, input.idempotency.key],
    );
    if (prior[0]) return replay(app.db, prior[0], bodyHash);
  }

  const targets = plan(r.index, input.scope, input.purposeId);
  const submissionId = randomUUID();
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  let requestIds: string[];
  try {
    requestIds = await app.db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO dsr_submissions (id, channel, email, email_hash, name, lang, scope, idempotency_key, idempotency_principal, body_hash, created_at)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)`,
        [
          submissionId,
          input.channel,
          email,
          emailHash(email),
          input.name?.trim() || null,
          input.lang,
          input.scope,
          input.idempotency?.key ?? null,
          input.idempotency?.principal ?? null,
          bodyHash,
          now.toISOString(),
        ],
      );
      const ids: string[] = [];
      const byOrg = new Map<string, string>();
      for (const target of targets) byOrg.set(target.orgId, randomUUID());
      for (const target of targets) {
        const org = r.index.organization(target.orgId)!;
        const receipt = { receivedAt, timeZone: org.timeZone, country: org.country };
        const due = dueDate({ ...receipt, promisedDays: org.promises.responseDays });
        const max = maxExtendedDueDate({ ...receipt, promisedMaxMonths: org.promises.maxExtendedMonths });
        const id = byOrg.get(target.orgId)!;
        const scope = {
          jointArrangements: target.jointArrangements,
          jointHandledBy: target.jointHandledBy ? byOrg.get(target.jointHandledBy) : undefined,
          linked: targets.length > 1 ? [...byOrg.values()].filter((v) => v !== id) : [],
        };
        await tx.query(
          `INSERT INTO dsr_requests (id, submission_id, org_id, type, state, details, purpose_id, scope, received_at,
             due_date, original_due_date, legal_due_date, max_due_date, created_at)
           VALUES ($1,$2,$3,$4,'received',$5,$6,$7,$8,$9,$9,$10,$11,$12)`,
          [
            id,
            submissionId,
            target.orgId,
            input.type,
            input.details?.trim() || null,
            input.purposeId ?? null,
            JSON.stringify(scope),
            receivedAt.toISOString(),
            due.dueDate,
            due.legalDueDate,
            max.maxDueDate,
            now.toISOString(),
          ],
        );
        await addEvent(tx, actor, { id, org_id: target.orgId }, 'received', {
          at: now,
          details: {
            submission: submissionId,
            channel: input.channel,
            type: input.type,
            receivedAt: receivedAt.toISOString(),
            dueDate: due.dueDate,
            dueBasis: due.basis,
            legalDueDate: due.legalDueDate,
            emailHash: emailHash(email),
            ...(scope.jointHandledBy ? { jointHandledBy: scope.jointHandledBy } : {}),
          },
        });
        ids.push(id);
      }
      if (input.sendCode) {
        await tx.query(
          'INSERT INTO dsr_verification_codes (submission_id, code_hash, expires_at) VALUES ($1,$2,$3)',
          [
            submissionId,
            codeHash(submissionId, code),
            new Date(now.getTime() + CODE_MINUTES * 60_000).toISOString(),
          ],
        );
        const sub = await getSubmission(tx, submissionId);
        await mailRequester(
          app,
          tx,
          r.index,
          sub,
          targets[0]!.orgId,
          'verification-code',
          { code, codeMinutes: CODE_MINUTES },
          ids[0]!,
        );
      }
      return ids;
    });
  } catch (err) {
    // Two identical submissions racing with one key: the loser reads the winner's.
    if (input.idempotency && /unique|duplicate/i.test(String((err as Error).message))) {
      const prior = await app.db.query<{ id: string; body_hash: string }>(
        'SELECT id, body_hash FROM dsr_submissions WHERE idempotency_principal = $1 AND idempotency_key = $2',
        [input.idempotency.principal, input.idempotency.key],
      );
      if (prior[0]) return replay(app.db, prior[0], bodyHash);
    }
    throw err;
  }
  await flushMail(app);
  return { submissionId, requestIds, replayed: false };
}

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
  const rows: RequestRow[] = await requestsOfSubmission(db, prior.id);
  return { submissionId: prior.id, requestIds: rows.map((r) => r.id), replayed: true };
}
