/**
 * What the breach API answers (src/http/routes/breaches.ts): the breach with its 72-hour clock, its scope
 * (counts only), the risk decided, the timeline, the drafts' list and the progress of telling the people
 * affected. Never an address.
 */
import { z } from 'zod';
import { RISK_LEVELS } from '../../core/breaches/risk.ts';
import { timestamp } from './wire.ts';

const level3 = z.enum(['low', 'medium', 'high']);

export const breachClockWire = z.strictObject({
  state: z.enum(['running', 'due-soon', 'overdue', 'notified', 'not-required']),
  deadline: timestamp.describe('72 hours after awareness (Art. 33(1)).'),
  minutesLeft: z.number().int(),
  late: z.boolean(),
  words: z.string(),
});

export const breachScopeWire = z.strictObject({
  window: z.strictObject({ from: timestamp, to: timestamp }).nullable(),
  collections: z.array(
    z.strictObject({
      dataset: z.string(),
      system: z.string(),
      collection: z.string(),
      timeField: z.string().nullable(),
    }),
  ),
  controllers: z.array(
    z.strictObject({
      orgId: z.string(),
      authorityId: z.string().nullable(),
      lang: z.enum(['sv', 'nb', 'en']),
      subjects: z.number().int(),
      records: z.number().int(),
      categories: z.array(
        z.strictObject({ key: z.string(), subjects: z.number().int(), special: z.boolean() }),
      ),
    }),
  ),
  categories: z.array(
    z.strictObject({ key: z.string(), special: z.boolean().describe('An Art. 9 category.') }),
  ),
  purposes: z.array(z.string()),
  subjects: z.number().int(),
  databases: z.number().int(),
  scopedAt: timestamp,
});

export const breachRiskWire = z.strictObject({
  factors: z.strictObject({
    specialCategories: z.boolean(),
    financial: z.boolean(),
    identifiable: z.boolean(),
    volume: z.number().int(),
    vulnerableSubjects: z.boolean(),
    encrypted: z.boolean(),
  }),
  suggested: z.strictObject({
    level: z.enum(RISK_LEVELS),
    likelihood: level3,
    severity: level3,
    reasons: z.array(z.string()),
  }),
  level: z.enum(RISK_LEVELS),
  reason: z.string(),
  decidedBy: z.string(),
  decidedAt: timestamp,
});

export const breachSummary = z.strictObject({
  id: z.string(),
  reference: z.string(),
  title: z.string(),
  awareAt: timestamp,
  orgIds: z.array(z.string()),
  subjects: z.number().int().nullable().describe('People affected, once scoped.'),
  decision: z.enum(['notify', 'not-required']).nullable(),
  clock: breachClockWire,
});
export const breachList = z.strictObject({ breaches: z.array(breachSummary) });

export const breachNotificationMeta = z.strictObject({
  id: z.string(),
  orgId: z.string(),
  authorityId: z.string(),
  lang: z.string(),
  phase: z.number().int().describe('1: the initial notification; 2…: follow-ups (Art. 33(4)).'),
});

export const breachWire = z.strictObject({
  id: z.string(),
  reference: z.string(),
  title: z.string(),
  description: z.string(),
  detectedAt: timestamp,
  awareAt: timestamp,
  window: z.strictObject({ from: timestamp, to: timestamp }).nullable(),
  affected: z.array(
    z.strictObject({ dataset: z.string(), collection: z.string(), timeField: z.string().optional() }),
  ),
  containment: z.string(),
  consequences: z.string(),
  measures: z.string(),
  people: z.array(z.strictObject({ name: z.string(), role: z.string() })),
  delayReason: z.string().nullable(),
  orgIds: z.array(z.string()),
  scope: breachScopeWire.nullable(),
  risk: breachRiskWire.nullable(),
  decision: z.enum(['notify', 'not-required']).nullable(),
  decisionReason: z.string().nullable().describe('Why (Art. 33(5): also when no notification is required).'),
  notifiedAt: timestamp.nullable(),
  clock: breachClockWire,
  timeline: z.array(
    z.strictObject({ at: timestamp, kind: z.string(), summary: z.string(), actor: z.string() }),
  ),
  notifications: z.array(breachNotificationMeta),
  tell: z.strictObject({
    listed: z.number().int(),
    queued: z.number().int(),
    sent: z.number().int(),
    failed: z.number().int(),
  }),
  createdBy: z.string(),
  createdAt: timestamp,
});

export const draftedNotifications = z.strictObject({ notifications: z.array(breachNotificationMeta) });

export const tellProgressWire = z.strictObject({
  listed: z.number().int().describe('Listed, not yet queued.'),
  queued: z.number().int().describe('In the outbox, not yet sent (no SMTP, or waiting to retry).'),
  sent: z.number().int(),
  failed: z.number().int(),
});

const file = (mediaType: string, description: string) =>
  z.instanceof(Buffer).meta({ type: 'string', contentMediaType: mediaType, description });

export const notificationFile = {
  description: 'The draft: JSON (every element of Art. 33(3)) or, with format=pdf, the same printed',
  content: {
    'application/json': {
      schema: z
        .record(z.string(), z.unknown())
        .describe('The notification as data, in the authority’s language.'),
    },
    'application/pdf': { schema: file('application/pdf', 'The notification printed.') },
  },
};
