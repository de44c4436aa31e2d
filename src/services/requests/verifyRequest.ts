/**
 * Proportionate identity verification (Art. 12(6)): a one-time code by e-mail (hashed, expiring,
 * attempts limited); a signed assertion from the shop's logged-in session (a JWT checked against a
 * configured JWKS); or an agent's recorded manual check ("ID seen"; never a copy of the document).
 * On verification the customer gets the acknowledgement with the due date, and stops that need no
 * balancing (objection to direct marketing, withdrawal of consent) are applied at once. A request to the
 * whole group is routed now (not on the public form): the subject locator finds the companies that know
 * the customer and the request becomes one per company (src/services/requests/routeGroupRequest.ts).
 */
import { timingSafeEqual } from 'node:crypto';
import { createRemoteJWKSet, type JWTVerifyGetKey, jwtVerify } from 'jose';
import type { BackgroundWork } from '../../workers.ts';
import { OmbudError, precondition, unauthenticated, validationError } from '../../core/errors.ts';
import { authorize, type Caller } from '../../core/policies/policy.ts';
import { requestPolicy } from '../../core/policies/resources.ts';
import { nextState, type VerificationMethod } from '../../core/requests/workflow.ts';
import type { Db } from '../../storage/db.ts';
import type { Actor } from '../audit/auditLog.ts';
import { recordAudit } from '../audit/auditLog.ts';
import type { ConsentEvent } from '../../core/consent/event.ts';
import { keysOf, propagate } from './consentLink.ts';
import { applyImmediateStop } from './decideRequest.ts';
import { afterVerification } from './fulfilRequest.ts';
import { locateSubject } from './locateSubject.ts';
import { routeOnVerification } from './routeGroupRequest.ts';
import { codeHash, CODE_MAX_ATTEMPTS } from './submitRequest.ts';
import {
  addEvent,
  emailHash,
  flushMail,
  getSubmission,
  submissionKeys,
  registerIndex,
  requestFor,
  requestsOfSubmission,
  acknowledge,
  type RequestDeps,
} from './store.ts';
import { groupOf } from '../register/group.ts';

const subjectActor = (submissionId: string): Actor => ({ kind: 'data-subject', id: submissionId });

const wrongCode = () =>
  new OmbudError('validation', 'verification-failed', 'The code is wrong or has expired.', {
    issues: [
      {
        path: ['code'],
        message: 'wrong or expired code',
        hint: 'Check the latest e-mail, or submit the request again for a new code.',
      },
    ],
  });

export async function verifyByCode(
  app: RequestDeps,
  workers: BackgroundWork,
  submissionId: string,
  code: string,
): Promise<{ requestIds: string[] }> {
  if (!/^[0-9a-f-]{36}$/i.test(submissionId)) throw wrongCode();
  const now = app.now();
  const result = await app.db.transaction(async (tx) => {
    const rows = await tx.query<{
      code_hash: string;
      expires_at: Date;
      attempts: number;
      used_at: Date | null;
    }>('SELECT * FROM dsr_verification_codes WHERE submission_id = $1 FOR UPDATE', [submissionId]);
    const row = rows[0];
    if (!row || row.used_at) return { ok: false as const, reason: 'no-code' };
    if (row.attempts >= CODE_MAX_ATTEMPTS) return { ok: false as const, reason: 'too-many-attempts' };
    if (new Date(row.expires_at).getTime() < now.getTime()) return { ok: false as const, reason: 'expired' };
    const given = Buffer.from(codeHash(submissionId, code.trim()), 'hex');
    const stored = Buffer.from(row.code_hash, 'hex');
    if (given.length !== stored.length || !timingSafeEqual(given, stored)) {
      await tx.query('UPDATE dsr_verification_codes SET attempts = attempts + 1 WHERE submission_id = $1', [
        submissionId,
      ]);
      return { ok: false as const, reason: 'wrong-code', attempts: row.attempts + 1 };
    }
    await tx.query('UPDATE dsr_verification_codes SET used_at = $2 WHERE submission_id = $1', [
      submissionId,
      now.toISOString(),
    ]);
    return { ok: true as const };
  });
  if (!result.ok) {
    await recordAudit(app.db, {
      actor: subjectActor(submissionId),
      action: 'request.verification-failed',
      target: submissionId,
      details: { method: 'email-code', reason: result.reason },
      at: now,
    });
    if (result.reason === 'too-many-attempts')
      throw new OmbudError('rate-limited', 'too-many-attempts', 'Too many wrong codes for this request.', {
        hint: 'Submit the request again to get a new code.',
      });
    throw wrongCode();
  }
  return verifySubmission(app, workers, submissionId, subjectActor(submissionId), 'email-code', {});
}

let jwksCache: { url: string; get: JWTVerifyGetKey } | undefined;

/** A JWT from the shop's logged-in session: signed by a key of the configured JWKS, naming the same e-mail. */
export async function verifyByAssertion(
  app: RequestDeps,
  workers: BackgroundWork,
  submissionId: string,
  assertion: string,
): Promise<{ requestIds: string[] }> {
  const cfg = app.config.assertion;
  if (!cfg.jwksUrl)
    throw precondition(
      'assertions-not-configured',
      'Signed assertions are not configured.',
      'Set OMBUD_ASSERTION_JWKS_URL (and OMBUD_ASSERTION_ISSUER) to the shop’s JWKS, or verify by e-mail code.',
    );
  if (!/^[0-9a-f-]{36}$/i.test(submissionId))
    throw unauthenticated('The assertion does not match a request.');
  if (jwksCache?.url !== cfg.jwksUrl)
    jwksCache = { url: cfg.jwksUrl, get: createRemoteJWKSet(new URL(cfg.jwksUrl)) };
  // No such submission: the assertion is checked first and fails the same way (nothing told apart).
  const sub = await getSubmission(app.db, submissionId, await submissionKeys(app)).catch(() => undefined);
  let claims: { email?: unknown; sub?: unknown };
  try {
    const { payload } = await jwtVerify(assertion, jwksCache.get, {
      issuer: cfg.issuer,
      audience: cfg.audience,
      maxTokenAge: '10m',
      clockTolerance: '30s',
      currentDate: app.now(),
    });
    claims = payload;
  } catch (err) {
    await recordAudit(app.db, {
      actor: subjectActor(submissionId),
      action: 'request.verification-failed',
      target: submissionId,
      details: { method: 'signed-assertion', reason: (err as { code?: string }).code ?? 'invalid' },
      at: app.now(),
    });
    throw unauthenticated('The signed assertion is not valid (signature, issuer, audience or age).');
  }
  if (
    !sub ||
    typeof claims.email !== 'string' ||
    emailHash(await submissionKeys(app), claims.email) !== sub.email_hash
  ) {
    await recordAudit(app.db, {
      actor: subjectActor(submissionId),
      action: 'request.verification-failed',
      target: submissionId,
      details: { method: 'signed-assertion', reason: 'email-mismatch' },
      at: app.now(),
    });
    throw unauthenticated('The assertion does not match a request.');
  }
  return verifySubmission(app, workers, submissionId, subjectActor(submissionId), 'signed-assertion', {
    assertionSubject: typeof claims.sub === 'string' ? claims.sub : undefined,
  });
}

/** An agent saw an ID document (in a shop, on a video call): the check is recorded, the document never stored. */
export async function verifyManually(
  app: RequestDeps,
  workers: BackgroundWork,
  caller: Caller,
  requestId: string,
  note: string,
): Promise<{ requestIds: string[] }> {
  const req = await requestFor(app, caller, requestId, 'write');
  // The check verifies the whole submission: the caller must be allowed to change each request it holds.
  const group = await groupOf(app.registers);
  for (const other of await requestsOfSubmission(app.db, req.submission_id))
    if (other.state === 'received') authorize(caller.principal, requestPolicy, 'write', other, group);
  const n = note.trim();
  if (n.length < 3)
    throw validationError('id-check-note-missing', 'Record what was checked.', [
      {
        path: ['note'],
        message: 'required',
        hint: 'E.g. "ID seen: Swedish driving licence, name matches". Do not copy the document number.',
      },
    ]);
  return verifySubmission(app, workers, req.submission_id, caller.actor, 'manual-id-check', { note: n });
}

async function verifySubmission(
  app: RequestDeps,
  workers: BackgroundWork,
  submissionId: string,
  actor: Actor,
  method: VerificationMethod,
  extra: { note?: string; assertionSubject?: string },
): Promise<{ requestIds: string[] }> {
  const now = app.now();
  const ix = await registerIndex(app);
  const keys = await keysOf(app);
  const consentEvents: ConsentEvent[] = [];
  // A group request: find out, now that the address is proven, which companies know the customer. The
  // locator talks to other systems, so it runs before the transaction (and never throws).
  const waiting = (await requestsOfSubmission(app.db, submissionId)).find(
    (r) => r.scope.group && r.state === 'received',
  );
  const located =
    waiting && ix
      ? await locateSubject(app, workers.subjectSystems, ix, {
          email: (await getSubmission(app.db, submissionId, await submissionKeys(app))).email,
          candidates: waiting.scope.group!.candidates,
          purposeId: waiting.purpose_id ?? undefined,
        })
      : undefined;
  const ids = await app.db.transaction(async (tx: Db) => {
    // One verification at a time per submission (a code and an agent's check may race).
    await tx.query('SELECT id FROM dsr_requests WHERE submission_id = $1 FOR UPDATE', [submissionId]);
    const sub = await getSubmission(tx, submissionId, await submissionKeys(app, tx));
    const reqs = await requestsOfSubmission(tx, submissionId);
    const verified: string[] = [];
    for (const req of reqs) {
      if (req.state !== 'received') continue;
      if (req.scope.group && ix && located) {
        const routed = await routeOnVerification({ app, tx, ix, keys, actor, group: req, sub }, located, {
          at: now,
          method,
          note: extra.note,
        });
        verified.push(...routed.ids);
        consentEvents.push(...routed.consentEvents);
        continue;
      }
      const state = nextState(req.state, 'verify');
      await tx.query('UPDATE dsr_requests SET state=$2, verified_at=$3, verification_method=$4 WHERE id=$1', [
        req.id,
        state,
        now.toISOString(),
        method,
      ]);
      await addEvent(tx, actor, req, 'verified', {
        at: now,
        note: extra.note ?? null,
        details: { method, ...(extra.assertionSubject ? { assertionSubject: extra.assertionSubject } : {}) },
      });
      await acknowledge(app, tx, ix, actor, sub, req, now);
      verified.push(req.id);
      consentEvents.push(...(await applyImmediateStop(app, tx, ix, { ...req, state }, sub, keys)));
    }
    if (verified.length === 0 && reqs.every((r) => r.state !== 'received')) return reqs.map((r) => r.id);
    return verified;
  });
  await flushMail(app);
  await propagate(workers, consentEvents);
  // Requests the fulfilment engine carries out start now (those needing an agent's approval wait).
  await afterVerification(app, workers, ids);
  return { requestIds: ids };
}
