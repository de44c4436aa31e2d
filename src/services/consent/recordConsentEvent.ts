/**
 * Record one consent event (grant, withdrawal, objection, lifted objection) as immutable evidence
 * and update the current state in the same transaction. An Idempotency-Key makes retries safe:
 * the same key with the same request returns the first event; with a different request, a conflict.
 */
import { canonicalJson, sha256 } from '../../core/canonical.ts';
import { type ConsentEvent, EVENT_KINDS, type EventKind } from '../../core/consent/event.ts';
import { type Identity, type IdentityInput, identitiesFrom } from '../../core/consent/identity.ts';
import {
  channelsOf,
  communicationBasis,
  DIRECT_MARKETING,
  EVERY_CHANNEL,
  statusAfter,
} from '../../core/consent/rules.ts';
import { conflict, notFound, validationError } from '../../core/errors.ts';
import type { RegisterIndex } from '../../core/register/register-index.ts';
import type { COLLECTION_POINTS } from '../../core/register/schema.ts';
import type { Db } from '../../storage/db.ts';
import { type Actor, actorString, recordAudit } from '../audit/auditLog.ts';
import type { ConsentKeys } from './keys.ts';
import { resolveSubject } from './subjects.ts';
import { enqueueDeliveries } from './webhooks.ts';
import type { EventRow } from './eventRow.ts';

/** The event's types live in core (webhooks and the desk use them without this module). */
export { type ConsentEvent, EVENT_KINDS, type EventKind };

export type Source = (typeof COLLECTION_POINTS)[number];

export type RecordInput = {
  orgId: string;
  identity: IdentityInput;
  purposeId: string;
  /** A channel of the purpose; '*' (every channel) for objections. */
  channel: string;
  kind: EventKind;
  /** The exact wording shown to the person; required for a grant. */
  wording?: string;
  noticeVersion?: number;
  source: Source;
  at?: Date;
  idempotencyKey?: string;
};

export const toEvent = (r: EventRow): ConsentEvent => ({
  id: r.id,
  seq: Number(r.seq),
  orgId: r.org_id,
  subjectId: r.subject_id,
  purposeId: r.purpose_id,
  channel: r.channel,
  kind: r.kind,
  wording: r.wording,
  noticeVersion: r.notice_version,
  source: r.source,
  actor: r.actor,
  at: new Date(r.at).toISOString(),
  recordedAt: new Date(r.recorded_at).toISOString(),
});

const bad = (field: string, message: string, hint: string) =>
  validationError(`invalid-${field}`, `${field}: ${message}`, [{ path: [field], message, hint }], hint);

/** Check the event against the register; returns the channel to store. */
export function checkAgainstRegister(index: RegisterIndex, input: RecordInput): string {
  const org = index.organization(input.orgId);
  if (!org) throw notFound('organization', input.orgId);
  const objection = input.kind === 'object' || input.kind === 'lift-objection';
  if (objection && input.purposeId === DIRECT_MARKETING) {
    if (input.channel !== EVERY_CHANNEL && !['email', 'sms', 'post', 'phone', 'push'].includes(input.channel))
      throw bad('channel', 'not a channel', "Use '*' for every channel, or email, sms, post, phone or push.");
    return input.channel;
  }
  const purpose = index.purposes.get(input.purposeId);
  const ofOrg = index.purposesOf(input.orgId).filter((p) => p.communication || p.consent);
  if (!purpose?.controllers.includes(input.orgId))
    throw bad(
      'purpose',
      `'${input.purposeId}' is not a purpose of '${input.orgId}'`,
      `Use one of: ${[...ofOrg.map((p) => p.id), ...(objection ? [DIRECT_MARKETING] : [])].join(', ')}.`,
    );
  const basis = communicationBasis(purpose);
  if ((input.kind === 'grant' || input.kind === 'withdraw') && basis !== 'consent')
    throw bad(
      'kind',
      `'${purpose.id}' rests on ${basis}, not consent`,
      'Record an objection (kind "object") instead, or lift one (kind "lift-objection").',
    );
  if (objection && input.channel === EVERY_CHANNEL) return input.channel;
  if (!channelsOf(purpose).includes(input.channel))
    throw bad(
      'channel',
      `'${input.channel}' is not a channel of '${purpose.id}'`,
      `Use one of: ${[...channelsOf(purpose), ...(objection ? [EVERY_CHANNEL] : [])].join(', ')}.`,
    );
  if (input.kind === 'grant' && purpose.consent && !purpose.consent.collectedAt.includes(input.source))
    throw bad(
      'source',
      `the register does not collect consent to '${purpose.id}' at '${input.source}'`,
      `Use one of: ${purpose.consent.collectedAt.join(', ')}, or declare the collection point in the register.`,
    );
  if (input.kind === 'grant' && !input.wording?.trim())
    throw bad(
      'wording',
      'a consent needs the exact wording shown',
      'Send the text the person agreed to in wording.',
    );
  return input.channel;
}

/**
 * The request as stored evidence of what was asked (its sha256 is the event's request_hash): a
 * retry with the same Idempotency-Key must send the same request. Canonical JSON of the input with
 * the normalised identities, without the key itself.
 */
export function requestCanonical(input: RecordInput, identities: Identity[]): string {
  return canonicalJson({
    ...input,
    identity: identities,
    at: input.at?.toISOString(),
    idempotencyKey: undefined,
  });
}

export async function recordConsentEvent(
  db: Db,
  actor: Actor,
  keys: ConsentKeys,
  index: RegisterIndex,
  input: RecordInput,
  now: Date = new Date(),
): Promise<{ event: ConsentEvent; replayed: boolean }> {
  const channel = checkAgainstRegister(index, input);
  const org = index.organization(input.orgId)!;
  const identities = identitiesFrom(input.identity, org.country);
  const requestHash = sha256(requestCanonical(input, identities));
  const at = input.at ?? now;
  if (at.getTime() > now.getTime() + 5 * 60_000)
    throw bad(
      'at',
      'lies in the future',
      'Send the time the person made the choice, or leave it out for now.',
    );

  return db.transaction(async (tx) => {
    if (input.idempotencyKey) {
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
        `${input.orgId}:${input.idempotencyKey}`,
      ]);
      const prior = await tx.query<EventRow>(
        'SELECT * FROM consent_events WHERE org_id = $1 AND idempotency_key = $2',
        [input.orgId, input.idempotencyKey],
      );
      if (prior[0]) {
        if (prior[0].request_hash !== requestHash)
          throw conflict(
            'idempotency-key-reused',
            'This Idempotency-Key was already used for a different request.',
            'Use a fresh key for every new event; resend the same body only to retry.',
          );
        return { event: toEvent(prior[0]), replayed: true };
      }
    }
    if (input.noticeVersion !== undefined) {
      const nv = await tx.query('SELECT 1 FROM notice_versions WHERE org_id = $1 AND version = $2', [
        input.orgId,
        input.noticeVersion,
      ]);
      if (!nv[0])
        throw bad(
          'noticeVersion',
          `'${input.orgId}' has published no notice version ${input.noticeVersion}`,
          'Send the version of the notice the person was shown (GET /api/v1/organizations/{orgId}/notices).',
        );
    }
    const subject = await resolveSubject(tx, keys, input.orgId, identities);
    const rows = await tx.query<EventRow>(
      `INSERT INTO consent_events (org_id, subject_id, purpose_id, channel, kind, wording, notice_version, source, actor, at,
                                   idempotency_key, request_hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING *`,
      [
        input.orgId,
        subject.id,
        input.purposeId,
        channel,
        input.kind,
        input.wording ?? null,
        input.noticeVersion ?? null,
        input.source,
        actorString(actor),
        at.toISOString(),
        input.idempotencyKey ?? null,
        requestHash,
      ],
    );
    const event = toEvent(rows[0]!);
    // The state follows the newest choice by the time it was made (a late-arriving older event does not win).
    await tx.query(
      `INSERT INTO consent_state (org_id, subject_id, purpose_id, channel, status, event_id, since)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (subject_id, purpose_id, channel) DO UPDATE
         SET status = EXCLUDED.status, event_id = EXCLUDED.event_id, since = EXCLUDED.since
       WHERE consent_state.since <= EXCLUDED.since`,
      [input.orgId, subject.id, input.purposeId, channel, statusAfter(input.kind), event.id, event.at],
    );
    await enqueueDeliveries(tx, event);
    await recordAudit(tx, {
      actor,
      orgId: input.orgId,
      action: `consent.${input.kind}`,
      target: `subject:${subject.id}`,
      details: {
        eventId: event.id,
        purpose: input.purposeId,
        channel,
        source: input.source,
        newSubject: subject.created,
      },
    });
    return { event, replayed: false };
  });
}
