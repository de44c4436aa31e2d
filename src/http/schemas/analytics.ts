/**
 * What the analytics API answers (src/http/routes/analytics.ts): an export as recorded, with what it
 * guaranteed, and its file (JSON or CSV). Never a data subject's identity: aggregates and pseudonyms only.
 */
import { z } from 'zod';
import { orgId, timestamp } from './wire.ts';

export const analyticsGuarantee = z.strictObject({
  kind: z.enum(['aggregate', 'rows']),
  k: z
    .number()
    .int()
    .nullable()
    .describe('The least number of distinct subjects a published cell stands for.'),
  timePrecision: z.enum(['month', 'day']),
  records: z.number().int().min(0),
  suppressed: z.strictObject({
    primary: z.number().int().min(0).describe('Cells and totals under k.'),
    complementary: z.number().int().min(0).describe('Hidden with them so that none can be worked out.'),
  }),
  subjects: z
    .strictObject({
      restricted: z.number().int().min(0),
      objected: z.number().int().min(0),
      noConsent: z.number().int().min(0),
      consented: z.number().int().min(0).nullable(),
    })
    .describe('Data subjects of the consent register left out by reason, and those let in by their consent.'),
  noise: z
    .strictObject({
      mechanism: z.enum(['laplace', 'gaussian']),
      epsilon: z.number(),
      delta: z.number().nullable(),
      budget: z.number(),
      spent: z.number().describe("The purpose's budget spent, this export included."),
    })
    .nullable(),
  pseudonym: z.strictObject({ series: z.string(), algorithm: z.literal('HMAC-SHA256/128') }).nullable(),
  excludes: z.array(z.string()),
});

export const analyticsExport = z.strictObject({
  id: z.string(),
  orgId,
  purposeId: z.string(),
  exportId: z.string(),
  kind: z.enum(['aggregate', 'rows']),
  format: z.enum(['csv', 'json', 'parquet']),
  seriesId: z.string().nullable(),
  guarantee: analyticsGuarantee,
  createdBy: z.string(),
  createdAt: timestamp,
  file: z.string().describe('Where the file is downloaded.'),
});

export const analyticsExportList = z.strictObject({ exports: z.array(analyticsExport) });

export const analyticsFile = z.strictObject({
  company: z.string(),
  purpose: z.string(),
  export: z.string(),
  title: z.string().nullable(),
  createdAt: timestamp,
  guarantee: analyticsGuarantee,
  records: z.array(z.record(z.string(), z.union([z.string(), z.number(), z.null()]))),
});

export const runAnalyticsExportBody = z.strictObject({
  purpose: z.string().min(1).max(100).describe('The purpose whose analytics export to run.'),
  export: z.string().min(1).max(100).describe("The export's id in the purpose's analytics block."),
  format: z
    .enum(['csv', 'json', 'parquet'])
    .default('json')
    .describe(
      'json (records with the guarantee), csv (the records), or parquet (typed columns, the guarantee as JSON in the key-value metadata under ombud.guarantee).',
    ),
  newSeries: z
    .boolean()
    .default(false)
    .describe('Rows exports: start a new pseudonym series (the pseudonyms no longer match earlier files).'),
});

/** The download: JSON with its guarantee, CSV, or Parquet (bytes, the guarantee in its metadata). */
export const analyticsFileResponse = {
  description:
    'The file: JSON with its guarantee, CSV, or Parquet with the guarantee in its key-value metadata.',
  content: {
    'application/json': { schema: analyticsFile },
    'text/csv': { schema: z.string() },
    'application/vnd.apache.parquet': {
      schema: z.instanceof(Buffer).meta({
        type: 'string',
        contentMediaType: 'application/vnd.apache.parquet',
        description:
          'The records as a Parquet file: one typed column per column (suppressed figures null); the guarantee as JSON under the key-value metadata key ombud.guarantee.',
      }),
    },
  },
};
