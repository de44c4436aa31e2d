/**
 * What the legal-hold API answers (src/http/routes/holds.ts): a hold as stored, never the data subject's
 * identity (only which kinds of identity name them).
 */
import { z } from 'zod';
import { HOLD_REASON_KINDS, HOLD_SCOPE_KINDS } from '../../core/holds/hold.ts';
import { day, orgId, timestamp } from './wire.ts';

export const hold = z.strictObject({
  id: z.string(),
  orgId,
  companies: z
    .array(z.string())
    .min(1)
    .describe(
      'The companies the hold speaks for, the placing one first: a subject hold marks only its rows; a system or collection hold marks every company’s rows there, and needs holds:write in each.',
    ),
  reasonKind: z.enum(HOLD_REASON_KINDS),
  ruleId: z.string().nullable().describe("The register's legal rule, for reasonKind 'legal-rule'."),
  reason: z.string(),
  scope: z.strictObject({
    kind: z.enum(HOLD_SCOPE_KINDS),
    identifiedBy: z
      .array(z.enum(['email', 'customerNumber']))
      .optional()
      .describe('A subject hold: which identities name the subject (stored only as keyed hashes).'),
    system: z.string().optional(),
    dataset: z.string().optional(),
    collection: z.string().optional(),
  }),
  reviewOn: day,
  review: z
    .enum(['lifted', 'overdue', 'due-today', 'due-soon', 'later'])
    .describe("Where the hold stands on its review on today's date."),
  rowsHeld: z.number().int().min(0).describe('Rows marked in the group’s databases when it was placed.'),
  placedBy: z.string(),
  placedAt: timestamp,
  liftedBy: z.string().nullable(),
  liftedAt: timestamp.nullable(),
  liftReason: z.string().nullable(),
});

export const liftedHold = hold.extend({
  markersRemoved: z.number().int().min(0),
  markersRestored: z
    .number()
    .int()
    .min(0)
    .describe('Rows given back the marker they had before (a restriction, a legal rule) or another hold’s.'),
});

export const holdList = z.strictObject({ holds: z.array(hold) });
