/**
 * Webhook endpoints and deliveries of consent changes. Deliveries are written in the same
 * transaction as the consent event (outbox); `deliverOnce` makes one signed attempt and logs it.
 * The payload carries the subject's addresses (the receiving mail/SMS systems need them to
 * suppress); it is built at send time and never logged.
 */
import { z } from 'zod';
import { webhookHeaders, newWebhookSecret } from '../../core/consent/webhook-signature.ts';
import { forbidden, notFound, validationError } from '../../core/errors.ts';
import {
  allowedInAll,
  authorize,
  type Caller,
  type Group,
  groupListScope,
} from '../../core/policies/policy.ts';
import { webhookDeliveryPolicy, webhookEndpointPolicy } from '../../core/policies/resources.ts';
import type { Db } from '../../storage/db.ts';
import { recordAudit } from '../audit/auditLog.ts';
import type { ConsentEvent, EventKind } from '../../core/consent/event.ts';
import { IDENTITY_KINDS } from '../../core/consent/identity.ts';
import { COLLECTION_POINTS } from '../../core/register/schema.ts';
import type { EventRow } from './eventRow.ts';
import { type ConsentKeys, openIdentity } from './keys.ts';
import { identitiesOf } from './subjects.ts';

export const EVENT_TYPES = {
  grant: 'consent.granted',
  withdraw: 'consent.withdrawn',
  object: 'objection.recorded',
  'lift-objection': 'objection.lifted',
} as const satisfies Record<EventKind, string>;

/**
 * The body of one consent webhook, for an event of `kind`: what `webhookPayload` builds, and what the
 * OpenAPI document's `webhooks` section describes (src/http/openapi.ts).
 */
export const consentWebhookEventOf = <K extends EventKind>(kind: K) =>
  z.strictObject({
    type: z.literal(EVENT_TYPES[kind]).describe('The event type; also in the data as `kind`.'),
    timestamp: z.iso.datetime().describe('When this delivery attempt was signed and sent.'),
    data: z.strictObject({
      eventId: z.uuid().describe('The consent event; the same on every attempt and replay.'),
      organization: z.string().describe('The company (controller) the event belongs to.'),
      subjectId: z.uuid().describe("Ombud's id of the data subject in that company."),
      purpose: z
        .string()
        .describe("The register's purpose id, or 'direct-marketing' for an objection to all of it."),
      channel: z.string().describe("email, sms, …, cookie:<category>, or '*' for every channel."),
      kind: z.literal(kind),
      source: z.enum(COLLECTION_POINTS).describe('Where the person made the choice.'),
      at: z.iso.datetime().describe('When the person made the choice.'),
      noticeVersion: z.number().int().nullable().describe('The notice version shown, when known.'),
      identities: z
        .array(z.strictObject({ kind: z.enum(IDENTITY_KINDS), value: z.string() }))
        .describe(
          'The addresses the receiving system suppresses or updates (personal data: keep out of logs).',
        ),
    }),
  });
/** A consent webhook's body, of any event type. */
export type ConsentWebhookEvent = z.infer<ReturnType<typeof consentWebhookEventOf>>;

/**
 * Subscribe a system. One company's endpoint needs webhooks:manage there; an endpoint without a
 * company receives every company's events, so it needs webhooks:manage in every company of the group.
 */
export async function createWebhookEndpoint(
  db: Db,
  caller: Caller,
  group: Group,
  input: { url: string; orgId?: string; description?: string },
): Promise<{ id: string; secret: string }> {
  const { actor, principal } = caller;
  if (input.orgId !== undefined && !group.orgIds.includes(input.orgId))
    throw validationError('unknown-organization', 'orgId: not an organization of the register.', [
      { path: ['orgId'], message: 'unknown organization', hint: 'Use an organization id of the register.' },
    ]);
  const companies = webhookEndpointPolicy.companiesOf({ id: '', org_id: input.orgId ?? null }, group);
  if (!allowedInAll(principal, webhookEndpointPolicy.actions.manage, companies))
    throw forbidden(
      input.orgId === undefined
        ? "An endpoint without orgId receives every company's consent changes: that needs 'webhooks:manage' in every company. Give orgId."
        : `You do not have 'webhooks:manage' in organization '${input.orgId}'.`,
    );
  let u: URL;
  try {
    u = new URL(input.url);
  } catch {
    u = new URL('invalid:');
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:')
    throw validationError('invalid-url', 'url: not an http(s) URL.', [
      {
        path: ['url'],
        message: 'not an http(s) URL',
        hint: 'Give the receiver URL, e.g. https://esp.example/hooks/ombud.',
      },
    ]);
  const secret = newWebhookSecret();
  const rows = await db.query<{ id: string }>(
    'INSERT INTO webhook_endpoints (org_id, url, secret, description) VALUES ($1, $2, $3, $4) RETURNING id',
    [input.orgId ?? null, u.toString(), secret, input.description ?? ''],
  );
  const id = rows[0]!.id;
  await recordAudit(db, {
    actor,
    orgId: input.orgId ?? null,
    action: 'webhook.endpoint.create',
    target: `webhook-endpoint:${id}`,
    details: { host: u.host },
  });
  return { id, secret };
}

/** The endpoints the caller may manage: their companies' ones; those without a company only for callers in every company. */
export async function listWebhookEndpoints(db: Db, caller: Caller, group: Group) {
  const scope = groupListScope(caller.principal, webhookEndpointPolicy.actions.read, group);
  return db.query<{ id: string; org_id: string | null; url: string; description: string; active: boolean }>(
    `SELECT id, org_id, url, description, active FROM webhook_endpoints
      WHERE $1::text[] IS NULL OR org_id = ANY($1::text[]) ORDER BY created_at`,
    [scope === 'all' ? null : scope],
  );
}

/** Outbox: one delivery per active endpoint that listens to the event's organization. Call in the event's transaction. */
export async function enqueueDeliveries(tx: Db, event: ConsentEvent): Promise<string[]> {
  const rows = await tx.query<{ id: string }>(
    `INSERT INTO webhook_deliveries (endpoint_id, event_id, event_type, org_id, subject_id, event_seq)
     SELECT id, $1, $2, $3, $4, $5 FROM webhook_endpoints WHERE active AND (org_id IS NULL OR org_id = $3)
     RETURNING id`,
    [event.id, EVENT_TYPES[event.kind], event.orgId, event.subjectId, event.seq],
  );
  return rows.map((r) => r.id);
}

type DeliveryRow = {
  id: string;
  endpoint_id: string;
  event_id: string;
  event_type: string;
  status: 'pending' | 'delivered' | 'dead';
  attempts: number;
  url: string;
  secret: string;
};

export async function webhookPayload(
  db: Db,
  keys: ConsentKeys,
  d: { event_id: string },
  now: Date,
): Promise<ConsentWebhookEvent> {
  const ev = (
    await db.query<
      Pick<
        EventRow,
        'id' | 'org_id' | 'subject_id' | 'purpose_id' | 'channel' | 'kind' | 'at' | 'notice_version'
      > & {
        source: (typeof COLLECTION_POINTS)[number];
      }
    >(
      'SELECT id, org_id, subject_id, purpose_id, channel, kind, source, at, notice_version FROM consent_events WHERE id = $1',
      [d.event_id],
    )
  )[0]!;
  return {
    type: EVENT_TYPES[ev.kind],
    timestamp: now.toISOString(),
    data: {
      eventId: ev.id,
      organization: ev.org_id,
      subjectId: ev.subject_id,
      purpose: ev.purpose_id,
      channel: ev.channel,
      kind: ev.kind,
      source: ev.source,
      at: new Date(ev.at).toISOString(),
      noticeVersion: ev.notice_version,
      identities: await identitiesOf(db, keys, ev.subject_id),
    },
  };
}

type PayloadEvent = Pick<
  EventRow,
  'id' | 'org_id' | 'subject_id' | 'purpose_id' | 'channel' | 'kind' | 'at' | 'notice_version'
> & { source: (typeof COLLECTION_POINTS)[number] };

/**
 * The bodies of many deliveries at once, less their timestamp (set at each attempt): two queries for
 * the events and their subjects' identities, whatever their number. By event id.
 */
export async function webhookPayloads(
  db: Db,
  keys: ConsentKeys,
  eventIds: string[],
): Promise<Map<string, Omit<ConsentWebhookEvent, 'timestamp'>>> {
  const events = await db.query<PayloadEvent>(
    `SELECT id, org_id, subject_id, purpose_id, channel, kind, source, at, notice_version
       FROM consent_events WHERE id = ANY($1::uuid[])`,
    [eventIds],
  );
  const idRows = await db.query<{
    subject_id: string;
    org_id: string;
    kind: (typeof IDENTITY_KINDS)[number];
    value_hash: string;
    value: string | null;
    value_sealed: string | null;
  }>(
    `SELECT subject_id, org_id, kind, value_hash, value, value_sealed FROM consent_identities
      WHERE subject_id = ANY($1::uuid[]) ORDER BY subject_id, kind, retired_at NULLS FIRST, created_at`,
    [[...new Set(events.map((e) => e.subject_id))]],
  );
  const identities = new Map<string, { kind: (typeof IDENTITY_KINDS)[number]; value: string }[]>();
  for (const r of idRows) {
    const list = identities.get(r.subject_id) ?? [];
    list.push({ kind: r.kind, value: openIdentity(keys, r) });
    identities.set(r.subject_id, list);
  }
  return new Map(
    events.map((ev) => [
      ev.id,
      {
        type: EVENT_TYPES[ev.kind],
        data: {
          eventId: ev.id,
          organization: ev.org_id,
          subjectId: ev.subject_id,
          purpose: ev.purpose_id,
          channel: ev.channel,
          kind: ev.kind,
          source: ev.source,
          at: new Date(ev.at).toISOString(),
          noticeVersion: ev.notice_version,
          identities: identities.get(ev.subject_id) ?? [],
        },
      },
    ]),
  );
}

/** One signed attempt. Returns whether the receiver took it (2xx). */
export async function deliverOnce(
  db: Db,
  keys: ConsentKeys,
  deliveryId: string,
  now: () => Date,
  timeoutMs = 10_000,
): Promise<{ ok: boolean; status?: number; error?: string; alreadyDone?: boolean }> {
  const d = (
    await db.query<DeliveryRow>(
      `SELECT d.*, e.url, e.secret FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id WHERE d.id = $1`,
      [deliveryId],
    )
  )[0];
  if (!d) throw notFound('webhook delivery', deliveryId);
  if (d.status === 'delivered') return { ok: true, alreadyDone: true };
  const body = JSON.stringify(await webhookPayload(db, keys, d, now()));
  const started = Date.now();
  let status: number | undefined;
  let error: string | undefined;
  try {
    const res = await fetch(d.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Ombud-Webhooks/1',
        ...webhookHeaders(d.secret, d.id, Math.floor(now().getTime() / 1000), body),
      },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    status = res.status;
    await res.body?.cancel();
    if (status < 200 || status > 299) error = `HTTP ${status}`;
  } catch (err) {
    // Network errors name no personal data: the cause's code or name only.
    const e = err as { name?: string; cause?: { code?: string } };
    error = e.cause?.code ?? e.name ?? 'error';
  }
  const ok = error === undefined;
  await db.transaction(async (tx) => {
    await tx.query(
      'INSERT INTO webhook_attempts (delivery_id, status, error, duration_ms) VALUES ($1, $2, $3, $4)',
      [d.id, status ?? null, error ?? null, Date.now() - started],
    );
    await tx.query(
      `UPDATE webhook_deliveries SET attempts = attempts + 1, last_status = $2, last_error = $3, last_attempt_at = now(),
              status = CASE WHEN $4 THEN 'delivered' ELSE status END,
              failures = failures + CASE WHEN $4 THEN 0 ELSE 1 END,
              delivered_at = CASE WHEN $4 THEN now() ELSE delivered_at END
        WHERE id = $1`,
      [d.id, status ?? null, error ?? null, ok],
    );
  });
  return { ok, status, error };
}

export async function markDead(db: Db, deliveryId: string): Promise<void> {
  await db.query(`UPDATE webhook_deliveries SET status = 'dead' WHERE id = $1 AND status = 'pending'`, [
    deliveryId,
  ]);
}

/** A delivery the caller may read or replay: "not found" for another company's (webhookDeliveryPolicy). */
export async function deliveryFor(
  db: Db,
  caller: Caller,
  group: Group,
  deliveryId: string,
  action: 'read' | 'replay',
): Promise<{ id: string; org_id: string; status: string }> {
  const found = await db.query<{ id: string; org_id: string; status: string }>(
    'SELECT id, org_id, status FROM webhook_deliveries WHERE id = $1',
    [deliveryId],
  );
  const d = found[0];
  if (!d) throw notFound('webhook-delivery', deliveryId);
  authorize(caller.principal, webhookDeliveryPolicy, action, d, group);
  return d;
}

/** Put a dead (or any undelivered) delivery back in line; the caller queues it again. */
export async function reviveDelivery(
  db: Db,
  caller: Caller,
  group: Group,
  deliveryId: string,
): Promise<void> {
  const d = await deliveryFor(db, caller, group, deliveryId, 'replay');
  const rows = await db.query<{ id: string }>(
    `UPDATE webhook_deliveries SET status = 'pending', failures = 0, next_attempt_at = NULL, claimed_until = NULL
      WHERE id = $1 AND status <> 'delivered' RETURNING id`,
    [deliveryId],
  );
  if (!rows[0]) throw notFound('undelivered webhook delivery', deliveryId);
  await recordAudit(db, {
    actor: caller.actor,
    orgId: d.org_id,
    action: 'webhook.delivery.replay',
    target: `webhook-delivery:${deliveryId}`,
  });
}

export type DeliveryLogRow = {
  id: string;
  org_id: string;
  endpoint_url: string;
  event_type: string;
  event_id: string;
  status: DeliveryRow['status'];
  attempts: number;
  last_status: number | null;
  last_error: string | null;
  created_at: Date;
  last_attempt_at: Date | null;
};

/** The delivery log of the companies where the caller manages webhooks (a delivery is its event's company's). */
export async function deliveryLog(
  db: Db,
  caller: Caller,
  group: Group,
  q: { status?: string; limit?: number } = {},
): Promise<DeliveryLogRow[]> {
  const scope = groupListScope(caller.principal, webhookDeliveryPolicy.actions.read, group);
  return db.query<DeliveryLogRow>(
    `SELECT d.id, d.org_id, e.url AS endpoint_url, d.event_type, d.event_id, d.status, d.attempts, d.last_status,
            d.last_error, d.created_at, d.last_attempt_at
       FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
      WHERE ($1::text IS NULL OR d.status = $1) AND ($3::text[] IS NULL OR d.org_id = ANY($3::text[]))
      ORDER BY d.created_at DESC LIMIT $2`,
    [q.status ?? null, Math.min(q.limit ?? 100, 1000), scope === 'all' ? null : scope],
  );
}
