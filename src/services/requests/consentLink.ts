/**
 * The request desk's side of "one source of truth": what a request decides about contact is recorded in
 * the consent register as ordinary immutable events (so "may we contact?" answers at once and the webhooks
 * fire), never in a table of the desk's own. Called inside the desk's transaction; the events are returned
 * so the caller hands them to the workers' `consentChanged` after commit (`propagate`).
 */
import type { BackgroundWork } from '../../workers.ts';
import { errorFields } from '../../log.ts';
import { communicationBasis, DIRECT_MARKETING, EVERY_CHANNEL, channelsOf } from '../../core/consent/rules.ts';
import type { RegisterIndex } from '../../core/register/register-index.ts';
import type { Db } from '../../storage/db.ts';
import type { Actor } from '../audit/auditLog.ts';
import { type ConsentKeys, consentKeys } from '../consent/keys.ts';
import { changeIdentity, type IdentityChangeOutcome } from '../consent/changeIdentity.ts';
import { normaliseEmail } from '../../core/consent/identity.ts';
import { type ConsentEvent, recordConsentEvent } from '../consent/recordConsentEvent.ts';
import { getSubmission, type RequestDeps, submissionKeys } from './store.ts';

export type StopKind = 'objection-direct-marketing' | 'consent-withdrawn' | 'objection-upheld';

export const keysOf = (app: RequestDeps): Promise<ConsentKeys> =>
  consentKeys(app.db, app.config.secret, app.config.secretKeys);

/**
 * Record the consent events for a stop: an objection to direct marketing is an objection to the
 * pseudo-purpose `direct-marketing` on every channel (Art. 21(3) stops every direct-marketing purpose);
 * a withdrawal is a withdrawal on each channel of the purpose (an objection when the purpose does not
 * rest on consent); an upheld objection to a legitimate interest is an objection to that purpose.
 * The idempotency key is derived from the request, so a retried step records nothing twice.
 */
export async function recordStop(
  tx: Db,
  actor: Actor,
  keys: ConsentKeys,
  index: RegisterIndex,
  input: { kind: StopKind; orgIds: string[]; purposeId: string; email: string; requestId: string; at: Date },
): Promise<ConsentEvent[]> {
  const events: ConsentEvent[] = [];
  const purpose = index.purposes.get(input.purposeId);
  for (const orgId of input.orgIds) {
    const base = {
      orgId,
      identity: { email: input.email },
      source: 'customer-service' as const,
      at: input.at,
    };
    const plan: { purposeId: string; channel: string; kind: 'withdraw' | 'object' }[] = [];
    if (input.kind === 'objection-direct-marketing')
      plan.push({ purposeId: DIRECT_MARKETING, channel: EVERY_CHANNEL, kind: 'object' });
    else if (input.kind === 'consent-withdrawn' && purpose && communicationBasis(purpose) === 'consent') {
      const channels = channelsOf(purpose);
      for (const channel of channels.length ? channels : [EVERY_CHANNEL])
        plan.push({
          purposeId: input.purposeId,
          channel,
          kind: channel === EVERY_CHANNEL ? 'object' : 'withdraw',
        });
    } else plan.push({ purposeId: input.purposeId, channel: EVERY_CHANNEL, kind: 'object' });
    for (const p of plan) {
      const { event, replayed } = await recordConsentEvent(
        tx,
        actor,
        keys,
        index,
        { ...base, ...p, idempotencyKey: `dsr:${input.requestId}:${orgId}:${p.purposeId}:${p.channel}` },
        input.at,
      );
      if (!replayed) events.push(event);
    }
  }
  return events;
}

/** Hand new events to propagation (webhooks) after the transaction committed. */
export async function propagate(
  workers: Pick<BackgroundWork, 'consentChanged'>,
  events: ConsentEvent[],
): Promise<void> {
  for (const e of events) await workers.consentChanged?.(e);
}

/**
 * Stops the desk recorded in its former `dsr_stops` table (moved to `dsr_stop_backfill` by migration
 * 0350) become consent events: one row at a time, deleted once its events are recorded. Returns the count.
 */
export async function backfillRequestStops(app: RequestDeps, workers: BackgroundWork): Promise<number> {
  const reg = await app.registers.get();
  if (!reg) return 0;
  const keys = await keysOf(app);
  const rows = await app.db.query<{
    id: number;
    org_id: string;
    purpose_id: string;
    kind: StopKind;
    request_id: string;
    at: Date;
    submission_id: string;
  }>(
    `SELECT b.id, b.org_id, b.purpose_id, b.kind, b.request_id, b.at, s.id AS submission_id
       FROM dsr_stop_backfill b JOIN dsr_requests r ON r.id = b.request_id
       JOIN dsr_submissions s ON s.id = r.submission_id ORDER BY b.id`,
  );
  let done = 0;
  const sealed = await submissionKeys(app);
  for (const r of rows) {
    // The address, opened from the submission (an anonymised one has none: left for a person to look at).
    const email = (await getSubmission(app.db, r.submission_id, sealed)).email;
    if (!email) continue;
    // A row whose purpose or company left the register stays for a person to look at.
    const events = await app.db
      .transaction(async (tx) => {
        const ev = await recordStop(tx, { kind: 'system', id: 'ombud' }, keys, reg.index, {
          kind: r.kind,
          orgIds: [r.org_id],
          purposeId: r.purpose_id,
          email,
          requestId: r.request_id,
          at: new Date(r.at),
        });
        await tx.query('DELETE FROM dsr_stop_backfill WHERE id = $1', [r.id]);
        return ev;
      })
      .catch((err: unknown) => {
        // Left in dsr_stop_backfill for the next start (or a person) to look at.
        app.log.warn(
          { backfillId: r.id, requestId: r.request_id, ...errorFields(err) },
          'stop not backfilled',
        );
        return undefined;
      });
    if (!events) continue;
    await propagate(workers, events);
    done++;
  }
  return done;
}

/**
 * A rectified e-mail address reaches the consent register too (P06): at the request's company and the
 * companies of the joint arrangements it answers for, the new address joins the subject and the old one is
 * retired (it still suppresses). Returns what happened per company, for the timeline.
 */
export async function rectifyConsentIdentity(
  tx: Db,
  actor: Actor,
  keys: ConsentKeys,
  index: RegisterIndex,
  input: {
    orgId: string;
    jointArrangements: string[];
    from: string;
    to: string;
    requestId: string;
    at: Date;
  },
): Promise<Record<string, IdentityChangeOutcome>> {
  const orgs = new Set([input.orgId]);
  for (const j of input.jointArrangements)
    for (const o of index.register.jointArrangements.find((x) => x.id === j)?.controllers ?? []) orgs.add(o);
  const out: Record<string, IdentityChangeOutcome> = {};
  for (const orgId of [...orgs].sort())
    out[orgId] = await changeIdentity(tx, actor, keys, {
      orgId,
      kind: 'email',
      from: normaliseEmail(input.from),
      to: normaliseEmail(input.to),
      reference: `request:${input.requestId}`,
      at: input.at,
    });
  return out;
}
