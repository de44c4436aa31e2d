/**
 * What the consent API answers (src/http/routes/consent.ts, cookie-banner.ts, preferences.ts, webhooks.ts):
 * consent events, "may we contact?" decisions, the proof, the suppression list, cookie-banner choices,
 * preference links and webhook endpoints and deliveries. Field names are the wire's as they are.
 */
import { z } from 'zod';
import { EVENT_KINDS } from '../../core/consent/event.ts';
import { LANGUAGES, LEGAL_BASES } from '../../core/register/schema.ts';
import { orgId, timestamp } from './wire.ts';

const subjectId = z
  .uuid()
  .describe("The data subject's id at the organization (pseudonymous: no identity in it).");

/** One consent event as stored: the evidence. */
export const consentEvent = z
  .strictObject({
    id: z.uuid().describe('The event id (the webhook payload names it eventId).'),
    seq: z.number().int().describe('The order in which Ombud recorded the events.'),
    orgId,
    subjectId,
    purposeId: z
      .string()
      .describe(
        "A purpose id of the register, or 'direct-marketing' for an objection to all direct marketing.",
      ),
    channel: z.string().describe("email, sms, post, phone, push; '*' for an objection on every channel."),
    kind: z.enum(EVENT_KINDS),
    wording: z.string().nullable().describe('The exact text shown to the person (every grant has one).'),
    noticeVersion: z.number().int().nullable().describe('The version of the notice the person was shown.'),
    source: z
      .string()
      .describe(
        'Where the choice was made: a collection point (checkout, account-creation, preference-center, cookie-banner, customer-service, api).',
      ),
    actor: z.string().describe('Who recorded it, as the audit log names them: kind:id, e.g. api-key:<id>.'),
    at: timestamp.describe('When the person made the choice.'),
    recordedAt: timestamp.describe('When Ombud stored the event.'),
  })
  .describe('A consent event: a grant, a withdrawal, an objection or a lifted objection.');

/** The answer to recording a consent event: 201 when stored now, 200 when an Idempotency-Key replays it. */
export const recordedEvent = z
  .strictObject({
    event: consentEvent,
    replayed: z
      .boolean()
      .describe('true: the same Idempotency-Key and body were seen before; this is the event stored then.'),
  })
  .describe('The event stored (201), or the one stored earlier under the same Idempotency-Key (200).')
  .meta({
    headers: {
      'idempotent-replayed': {
        type: 'string',
        enum: ['true', 'false'],
        description: 'Whether this answer replays an earlier one (the same as the body\'s "replayed").',
      },
    },
  });

const decisionReason = z
  .enum([
    'consent-granted',
    'no-consent',
    'consent-withdrawn',
    'legitimate-interests',
    'objected',
    'objected-direct-marketing',
    'restricted',
    'channel-not-declared',
    'not-controller',
    'necessary',
  ])
  .describe('Why the answer is what it is.');

/** "May we contact?" for one person. */
export const contactDecision = z
  .strictObject({
    allowed: z
      .boolean()
      .describe('May the organization contact the person on this channel for this purpose?'),
    basis: z.enum([...LEGAL_BASES, 'none']).describe("The legal basis the purpose's communication rests on."),
    reason: decisionReason,
    subjectId: subjectId
      .nullable()
      .describe('The data subject, or null when Ombud knows no one by that identity.'),
  })
  .describe('The answer for one person, channel and purpose.');

/** A send list filtered. */
export const bulkFilterResult = z
  .strictObject({
    purpose: z.string().describe('The purpose id asked about.'),
    channel: z.string(),
    total: z.number().int().describe('How many recipients were sent.'),
    allowed: z
      .array(z.string())
      .describe('The addresses that may be contacted, normalised, each once, in the order sent.'),
    refused: z
      .array(
        z.strictObject({
          index: z
            .number()
            .int()
            .describe('The position of the refused recipient in the list sent (0-based).'),
          reason: z
            .union([decisionReason, z.enum(['invalid-address', 'duplicate'])])
            .describe(
              'Why: a decision reason, invalid-address, or duplicate (the address was allowed earlier in the list).',
            ),
        }),
      )
      .describe('The recipients that may not be contacted, by index, never by address.'),
  })
  .describe('The send list filtered.');

/** A data subject's consent history. */
export const consentHistory = z
  .strictObject({
    subjectId,
    events: z.array(consentEvent).describe('Every event of the subject, oldest first.'),
  })
  .describe("A data subject's consent history: the proof.");

/** The suppression list as JSON (the CSV has the columns address and reason). */
export const suppressionList = z
  .strictObject({
    purpose: z.string(),
    channel: z.string(),
    count: z.number().int(),
    suppressions: z.array(
      z.strictObject({
        address: z.string().describe('The e-mail address or phone number (E.164) not to contact.'),
        reason: decisionReason,
        subjectId,
      }),
    ),
  })
  .describe('Every address not to contact on the channel for the purpose, sorted by address.');

/** The suppression list hashed by an ad network's rule (the CSV has the columns sha256 and reason). */
export const hashedSuppressionList = z
  .strictObject({
    purpose: z.string(),
    channel: z.string(),
    rule: z.string().describe('The hashing rule and its version, e.g. google-ads@2.'),
    count: z.number().int(),
    skipped: z
      .number()
      .int()
      .describe('Suppressed addresses the rule could not normalise: counted, never sent.'),
    suppressions: z.array(
      z.strictObject({
        sha256: z
          .string()
          .regex(/^[0-9a-f]{64}$/)
          .describe('The address normalised by the rule and hashed (lowercase hex SHA-256).'),
        reason: decisionReason,
      }),
    ),
  })
  .describe('Every address not to contact for the purpose, hashed, sorted by hash; no plain identifier.');

/** A cookie-banner choice stored. */
export const cookieConsentStored = z
  .strictObject({
    stored: z.number().int().describe('The sequence number of the stored choice.'),
    consentId: z
      .string()
      .describe('The anonymous consent id the choice is stored under: the banner shows it to the visitor.'),
  })
  .describe('The choice is stored as proof.');

/** The stored cookie choices of one anonymous consent id. */
export const cookieConsentRecords = z
  .array(
    z.strictObject({
      seq: z.number().int().describe('The sequence number of the stored choice.'),
      consent_id: z.string().describe('The anonymous id the banner generated.'),
      org_id: orgId,
      action: z.enum(['accept-all', 'reject-all', 'custom']),
      categories: z.record(z.string(), z.boolean()).describe('Each cookie category: allowed or not.'),
      inventory_version: z.string().describe('The version of the cookie inventory the banner showed.'),
      gpc: z.boolean().describe('The browser sent Global Privacy Control (advertising stays off).'),
      lang: z.enum(LANGUAGES),
      url: z.string().describe('The page the choice was made on.'),
      at: timestamp,
    }),
  )
  .describe('The stored choices, oldest first; only those of your companies.');

/** The links a mail to one recipient carries. */
export const preferenceLinks = z
  .strictObject({
    subjectId,
    preferencesUrl: z.url().describe('"Manage my communication settings": the preference center.'),
    unsubscribeUrl: z.url().describe('The RFC 8058 one-click unsubscribe URL.'),
    headers: z
      .strictObject({
        'List-Unsubscribe': z.string().describe('<unsubscribeUrl>, as the mail header wants it.'),
        'List-Unsubscribe-Post': z.literal('List-Unsubscribe=One-Click'),
      })
      .describe('The mail headers to send as they are.'),
    expiresAt: timestamp.describe('When the links stop working.'),
  })
  .describe("One recipient's links and List-Unsubscribe headers.");

/** A webhook endpoint just subscribed. */
export const webhookEndpointCreated = z
  .strictObject({
    id: z.uuid(),
    secret: z
      .string()
      .describe('The signing secret (whsec_…) of the Standard Webhooks signatures: shown this once.'),
  })
  .describe('The endpoint is subscribed.');

/** The subscribed endpoints. */
export const webhookEndpoints = z
  .array(
    z.strictObject({
      id: z.uuid(),
      orgId: orgId.nullable().describe("The company whose changes it receives; null: every company's."),
      url: z.string(),
      description: z.string(),
      active: z.boolean(),
    }),
  )
  .describe('The endpoints, oldest first.');

/** The delivery log. */
export const webhookDeliveries = z
  .array(
    z.strictObject({
      id: z.uuid().describe('The delivery id: the webhook-id header, the same on every attempt.'),
      org_id: orgId,
      endpoint_url: z.string(),
      event_type: z
        .string()
        .describe('consent.granted, consent.withdrawn, objection.recorded or objection.lifted.'),
      event_id: z.uuid().describe('The consent event delivered.'),
      status: z.enum(['pending', 'delivered', 'dead']).describe('dead: given up on; it can be replayed.'),
      attempts: z.number().int(),
      last_status: z.number().int().nullable().describe("The HTTP status of the last attempt's answer."),
      last_error: z.string().nullable(),
      created_at: timestamp,
      last_attempt_at: timestamp.nullable(),
    }),
  )
  .describe('The deliveries, newest first.');

/** A dead delivery queued again. */
export const deliveryQueued = z
  .strictObject({ queued: z.literal(true) })
  .describe('The delivery is queued to be sent again.');
