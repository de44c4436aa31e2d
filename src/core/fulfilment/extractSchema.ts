/**
 * The access extract as a program reads it (GDPR Art. 15): the JSON Schema it follows is this zod schema,
 * published as schema/extract.schema.json (`npm run schema`) and served at /schema/extract.schema.json.
 * The readable page (extractPage.ts) is drawn from the same object. Pure: no I/O.
 */
import { z } from 'zod';
import { FIELD_FORMATS } from './dataset.ts';

/** Where the schema is served, relative to Ombud's public URL; the extract's `$schema` names it in full. */
export const EXTRACT_SCHEMA_PATH = '/schema/extract.schema.json';
export const EXTRACT_SCHEMA_VERSION = 2;

const language = z.enum(['en', 'sv', 'nb']);

const extractField = z.strictObject({
  name: z.string().describe("The field's key in `rows` (the system's own column name)."),
  label: z.string().describe('What the customer reads for it, in the extract language.'),
  categories: z.array(z.string()).describe('Its fideslang data categories.'),
  format: z.enum(FIELD_FORMATS).describe('How the value is read (money_cents: minor units of `currency`).'),
  currency: z.string().optional(),
  shown: z
    .boolean()
    .describe('Shown on the readable page (internal keys without a label are kept here for programs only).'),
});

const cellValue = z.union([
  z.string(),
  z.number(),
  z.boolean(),
  z.null(),
  z.array(z.unknown()),
  z.record(z.string(), z.unknown()),
]);

export const extractCollectionSchema = z.strictObject({
  dataset: z.string().describe('The dataset key (empty for a service answer).'),
  system: z.string(),
  systemName: z.string(),
  collection: z.string(),
  title: z.string().describe("The collection as the customer reads it (its label, e.g. 'Your orders')."),
  purposes: z.array(z.string()).describe('Ids of the purposes these rows serve (the first is its group).'),
  categories: z.array(z.string()).describe('The categories, named as the notice names them.'),
  fields: z.array(extractField),
  rows: z
    .array(z.record(z.string(), cellValue))
    .describe('The rows; dates as YYYY-MM-DD, moments as ISO 8601 timestamps, money in minor units.'),
  source: z.enum(['database', 'service']).optional(),
});

const purposeSchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  legalBases: z.array(z.strictObject({ basis: z.string(), article: z.string(), text: z.string() })),
  categories: z.array(z.string()),
  recipients: z.array(z.string()),
  retention: z.strictObject({ rule: z.string(), name: z.string(), description: z.string() }).optional(),
  sources: z.array(z.string()).describe('Source ids (data-subject, …).'),
  source: z.string().describe('Where the data comes from, in words.'),
  automatedDecisions: z.boolean(),
});

const transferSchema = z.strictObject({
  recipient: z.string(),
  system: z.string(),
  countries: z.array(z.strictObject({ code: z.string(), name: z.string() })),
  mechanism: z.string().describe('adequacy, eu-us-dpf, scc, bcr, derogation-consent, derogation-contract.'),
  safeguard: z.string().describe('The safeguard in words.'),
  measures: z.string().optional(),
  purposes: z.array(z.string()),
});

export const extractSchema = z.strictObject({
  $schema: z.string(),
  schemaVersion: z.literal(EXTRACT_SCHEMA_VERSION),
  language,
  request: z.strictObject({
    id: z.string().describe("Ombud's id of the request."),
    reference: z.string().optional().describe("The customer's reference (R-…)."),
    orgId: z.string(),
    generatedAt: z.string().describe('ISO 8601 timestamp.'),
    timeZone: z.string().describe('The time zone moments are shown in on the readable page.'),
  }),
  controller: z.strictObject({
    id: z.string(),
    legalName: z.string(),
    email: z.string(),
    dpoEmail: z.string().optional(),
    country: z.string().optional(),
  }),
  data: z.array(extractCollectionSchema),
  services: z.array(
    z.strictObject({
      system: z.string(),
      systemName: z.string(),
      status: z.enum(['done', 'not_found']),
      records: z.number().int(),
    }),
  ),
  processing: z.strictObject({
    purposes: z.array(purposeSchema),
    transfers: z
      .array(transferSchema)
      .describe('Transfers to third countries and their safeguards (Art. 15(2)).'),
    automatedDecisions: z
      .boolean()
      .describe('Whether decisions based solely on automated processing are made (Art. 22).'),
    rights: z.array(z.string()),
    complaintsTo: z.strictObject({ name: z.string(), web: z.string() }).optional(),
  }),
});

export type Extract = z.infer<typeof extractSchema>;
export type ExtractCollection = z.infer<typeof extractCollectionSchema>;
export type ExtractField = z.infer<typeof extractField>;
export type ExtractPurpose = z.infer<typeof purposeSchema>;
export type ExtractTransfer = z.infer<typeof transferSchema>;

/** The published JSON Schema (draft 2020-12) of the extract. */
export function extractJsonSchema(): Record<string, unknown> {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'urn:ombud:schema:extract:2',
    title: 'Ombud access extract',
    description:
      'A copy of the personal data a controller holds about a data subject, with the information of GDPR Art. 15: purposes, categories, recipients, retention, source, rights, the supervisory authority, third-country transfers and their safeguards, and automated decisions.',
    ...(z.toJSONSchema(extractSchema, { io: 'output', unrepresentable: 'any' }) as object),
  };
}
