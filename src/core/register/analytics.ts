/**
 * The register's analytics exports, per purpose (issue #14 item 5; P13, P23, P38, P42): what an analyst may
 * take out of the annotated datasets for the purpose, and under which guarantee. Kept under the purpose's
 * own `analytics` key. Pure (zod only); checked against the datasets by core/analytics/definition.ts.
 */
import { z } from 'zod';

const id = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]*$/, 'Use lower-case letters, digits and dashes, e.g. "orders-by-month".');

export const TIME_PRECISIONS = ['month', 'day'] as const;
export const MEASURE_OPS = ['sum', 'avg'] as const;
export const NOISE_MECHANISMS = ['laplace', 'gaussian'] as const;
export const EXPORT_KINDS = ['aggregate', 'rows'] as const;

/** A column's name in the file. */
const columnName = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,62}$/, 'Use lower-case letters, digits and underscores, e.g. "avg_score".');

/** A field of the export's collection (`quantity`) or of a collection it is found through (`orders.placed_at`). */
const fieldRef = z
  .string()
  .regex(/^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$/i, 'Name a field ("score") or "collection.field".');

export const analyticsExportSchema = z.strictObject({
  id,
  title: z.string().min(1).optional(),
  kind: z
    .enum(EXPORT_KINDS)
    .describe('aggregate: a k-threshold table; rows: one row per record under a keyed pseudonym.'),
  dataset: z.string().min(1).describe('The annotated dataset (fides_key).'),
  collection: z.string().min(1),
  dimensions: z
    .array(
      z.strictObject({
        field: fieldRef,
        as: columnName.optional(),
        truncate: z.enum(TIME_PRECISIONS).optional().describe('A date or timestamp cut to its month or day.'),
      }),
    )
    .default([])
    .describe('aggregate: at most two grouping fields; rows: the fields each row carries.'),
  measures: z
    .array(z.strictObject({ op: z.enum(MEASURE_OPS), field: fieldRef, as: columnName }))
    .default([])
    .describe('aggregate: figures per cell besides the subjects and rows.'),
  requiresConsent: z
    .array(
      z.strictObject({ purpose: id, channel: z.enum(['email', 'sms', 'post', 'phone', 'push', 'cookie']) }),
    )
    .default([])
    .describe(
      "Channel behaviour (opens, clicks, browsing): only subjects with each of these consents granted (e.g. the purpose's cookie consent and the communication consent).",
    ),
  noise: z
    .strictObject({
      mechanism: z.enum(NOISE_MECHANISMS),
      epsilon: z.number().positive().max(10),
      delta: z.number().positive().max(0.001).optional().describe('gaussian only.'),
    })
    .optional()
    .describe('aggregate: differentially private counts, charged to the purpose budget per export.'),
});

export const purposeAnalyticsSchema = z.strictObject({
  k: z
    .number()
    .int()
    .min(2)
    .max(1000)
    .default(10)
    .describe('The least number of distinct subjects a published cell stands for.'),
  timePrecision: z
    .enum(TIME_PRECISIONS)
    .default('month')
    .describe('The finest a date may be given: month, or day where the register allows it.'),
  privacyBudget: z
    .strictObject({ epsilon: z.number().positive().max(100) })
    .optional()
    .describe('The total epsilon the noisy exports of this purpose may spend.'),
  exports: z.array(analyticsExportSchema).min(1),
});

export type AnalyticsExportDefinition = z.infer<typeof analyticsExportSchema>;
export type PurposeAnalytics = z.infer<typeof purposeAnalyticsSchema>;
