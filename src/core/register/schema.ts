/**
 * The register as code: the zod schema of the YAML files that describe a company group.
 * One schema for all files: each file holds any of the top-level sections below, and
 * the loader merges them. `z.toJSONSchema` publishes it as schema/register.schema.json.
 */
import { z } from 'zod';
import { scheduleProblem } from '../audience/schedule.ts';
import { purposeAnalyticsSchema } from './analytics.ts';

export const LANGUAGES = ['en', 'sv', 'nb'] as const;
export type Language = (typeof LANGUAGES)[number];

const id = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]*$/, 'Use lower-case letters, digits and dashes, e.g. "order-fulfilment".')
  .describe('A stable identifier: lower-case letters, digits and dashes.');

/** Text in several languages; a plain string means English. */
export const localizedText = z
  .union([
    z.string().min(1),
    z.strictObject({ en: z.string().min(1), sv: z.string().optional(), nb: z.string().optional() }),
  ])
  .describe('Text in English, or an object with en (required), sv and nb.');
export type LocalizedTextInput = z.infer<typeof localizedText>;
export type LocalizedText = { en: string; sv?: string; nb?: string };

const country = z
  .string()
  .regex(/^[A-Z]{2}$/, 'Use an ISO 3166-1 alpha-2 country code in capitals, e.g. "SE".');
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'Use a date as YYYY-MM-DD.');
const isoDuration = z
  .string()
  .regex(/^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?$/, 'Use an ISO 8601 duration such as "P3Y", "P13M" or "P30D".');

export const LEGAL_BASES = [
  'consent',
  'contract',
  'legal-obligation',
  'vital-interests',
  'public-task',
  'legitimate-interests',
] as const;
export type LegalBasis = (typeof LEGAL_BASES)[number];
/** GDPR Art. 6(1) point for each basis. */
export const LEGAL_BASIS_ARTICLE: Record<LegalBasis, string> = {
  consent: 'Art. 6(1)(a)',
  contract: 'Art. 6(1)(b)',
  'legal-obligation': 'Art. 6(1)(c)',
  'vital-interests': 'Art. 6(1)(d)',
  'public-task': 'Art. 6(1)(e)',
  'legitimate-interests': 'Art. 6(1)(f)',
};

export const ART9_CONDITIONS = [
  '9.2.a',
  '9.2.b',
  '9.2.c',
  '9.2.d',
  '9.2.e',
  '9.2.f',
  '9.2.g',
  '9.2.h',
  '9.2.i',
  '9.2.j',
] as const;

const address = z.strictObject({
  street: z.string(),
  postalCode: z.string(),
  city: z.string(),
  country,
});

const contact = z.strictObject({
  email: z.email('Use an e-mail address such as "privacy@example.com".'),
  phone: z.string().optional(),
  web: z.url().optional(),
  postal: z
    .string()
    .optional()
    .describe('Postal address for letters, if it differs from the registered address.'),
});

export const organizationSchema = z.strictObject({
  id,
  legalName: z.string().min(1),
  registrationNumber: z.string().min(1),
  country,
  address,
  contact,
  dpo: z.strictObject({ name: z.string().optional(), email: z.email() }).optional(),
  representative: z.string().optional().describe('EU representative (Art. 27), if any.'),
  supervisoryAuthority: id.describe(
    'Id of a supervisory authority: built in (se-imy, no-datatilsynet, …) or declared.',
  ),
  parent: id.optional().describe('The organization that owns this one, if any.'),
  timeZone: z.string().default('Europe/Stockholm'),
  website: z.url().optional(),
  noticeContact: id
    .optional()
    .describe(
      'The organization whose contact details the notice gives, if not this one (a gap the validator reports).',
    ),
  promises: z
    .object({
      responseDays: z.number().int().positive().max(31).optional(),
      maxExtendedMonths: z.number().int().min(1).max(3).optional(),
      materialChangeNoticeDays: z.number().int().min(0).default(30),
    })
    .default({ materialChangeNoticeDays: 30 }),
  securityMeasures: z
    .array(localizedText)
    .default([])
    .describe('Art. 30(1)(g) technical and organisational measures.'),
});

export const authoritySchema = z.strictObject({
  id,
  name: localizedText,
  country,
  web: z.url(),
  email: z.email().optional(),
  address: z.string().optional(),
});

export const jointArrangementSchema = z.strictObject({
  id,
  controllers: z.array(id).min(2),
  purposes: z.array(id).min(1),
  contactPoint: id.describe('The controller that answers data subjects for this arrangement.'),
  anyControllerAnswers: z
    .boolean()
    .default(true)
    .describe('Art. 26(3): the data subject may turn to any of them.'),
  essence: localizedText.describe(
    'The essence of the arrangement, made available to data subjects (Art. 26(2)).',
  ),
});

export const SYSTEM_ROLES = ['internal', 'processor', 'controller', 'authority', 'group-company'] as const;
export const TRANSFER_MECHANISMS = [
  'adequacy',
  'eu-us-dpf',
  'scc',
  'bcr',
  'derogation-consent',
  'derogation-contract',
] as const;

export const systemSchema = z.strictObject({
  id,
  name: z.string().min(1),
  role: z
    .enum(SYSTEM_ROLES)
    .describe(
      'internal: run by the group; processor: acts on our instructions; controller: a recipient deciding for itself.',
    ),
  operator: z.string().describe("Organization id (for internal systems) or the vendor's legal name."),
  recipientCategory: localizedText.optional().describe('How the notice names this kind of recipient.'),
  description: localizedText.optional(),
  dpa: z.boolean().default(false).describe('A data processing agreement (Art. 28) is in place.'),
  storageCountries: z.array(country).min(1),
  transfer: z
    .object({
      mechanism: z.enum(TRANSFER_MECHANISMS),
      countries: z.array(country).min(1),
      measures: localizedText.optional(),
    })
    .optional(),
  dataCategories: z.array(z.string()).default([]),
  securityMeasures: z.array(localizedText).default([]),
  connector: z.string().optional().describe('Id of the connector that fulfils requests in this system.'),
  disclosure: z
    .enum(['routine', 'case-by-case'])
    .optional()
    .describe(
      'routine: receives the data as a matter of course, so it is told of every rectification, erasure and restriction (Art. 19); case-by-case: receives it only in a particular matter (authorities, advisers, a buyer) and is told only where a disclosure to it is on record. Default: case-by-case for authorities, routine otherwise.',
    ),
});

export const dataCategorySchema = z.strictObject({
  key: z.string().regex(/^[a-z_]+(\.[a-z0-9_]+)*$/, 'Use a fideslang key such as "user.contact.email".'),
  label: localizedText,
  group: id.optional().describe('The notice groups categories under this heading id (see categoryGroups).'),
  description: localizedText.optional(),
  special: z.boolean().optional().describe('An Art. 9 special category (also implied by the fideslang key).'),
});

export const categoryGroupSchema = z.strictObject({ id, label: localizedText });

const dataEntry = z.strictObject({
  categories: z.array(z.string()).min(1),
  legalBasis: z.enum(LEGAL_BASES, {
    error: `Name the legal basis: one of ${LEGAL_BASES.join(', ')} (GDPR Art. 6(1)(a)–(f)).`,
  }),
  subjects: z.array(z.string()).optional().describe("Data subjects, if narrower than the purpose's."),
  note: localizedText.optional(),
  legitimateInterest: localizedText.optional().describe('The interest pursued, for legitimate-interests.'),
  art9Condition: z.enum(ART9_CONDITIONS).optional(),
  providedBySubject: z.boolean().optional().describe('Data the data subject provided (for portability).'),
});

export const balancingSchema = z.strictObject({
  interest: localizedText,
  necessity: localizedText,
  balancing: localizedText,
  safeguards: z.array(localizedText).default([]),
  conclusion: localizedText,
  assessedAt: isoDate,
  assessedBy: z.string(),
});

export const COLLECTION_POINTS = [
  'checkout',
  'account-creation',
  'preference-center',
  'cookie-banner',
  'customer-service',
  'api',
] as const;
export const CHANNELS = ['email', 'sms', 'post', 'phone', 'push', 'cookie'] as const;

export const purposeSchema = z.strictObject({
  id,
  name: localizedText,
  description: localizedText.optional(),
  controllers: z.array(id).min(1),
  dataUse: z.string().describe('fideslang data use, e.g. "essential.service".'),
  dataSubjects: z.array(z.string()).min(1),
  data: z.array(dataEntry).min(1),
  collection: localizedText.describe('How the data is collected.'),
  sources: z
    .array(z.enum(['data-subject', 'employer', 'group-company', 'public', 'third-party', 'observed']))
    .default(['data-subject']),
  systems: z.array(id).default([]).describe("The group's own systems that hold the data for this purpose."),
  recipients: z.array(id).default([]),
  retention: id.optional(),
  consent: z
    .object({
      collectedAt: z.array(z.enum(COLLECTION_POINTS)).min(1),
      withdrawal: localizedText,
      channels: z.array(z.enum(CHANNELS)).default([]),
      cookieCategory: id.optional(),
    })
    .optional(),
  balancingAssessment: balancingSchema.optional(),
  communication: z
    .object({
      channels: z.array(z.enum(CHANNELS)).min(1),
      directMarketing: z.boolean().default(false),
    })
    .optional()
    .describe('A category of communication shown in the preference center.'),
  listedInContents: z.boolean().default(true).describe("The purpose appears in the notice's contents list."),
  automatedDecisions: z.boolean().default(false),
  jointArrangement: id.optional(),
  analytics: purposeAnalyticsSchema
    .optional()
    .describe(
      'Analytics exports without identities for this purpose (k-threshold aggregates, pseudonymised rows).',
    ),
});

export const retentionRuleSchema = z.strictObject({
  id,
  name: localizedText,
  description: localizedText,
  kind: z.enum(['purpose', 'legal']).default('purpose'),
  duration: isoDuration,
  trigger: z.enum([
    'collected',
    'last-activity',
    'relationship-ended',
    'consent-withdrawn',
    'case-closed',
    'account-deleted',
    'financial-year-end',
    'claim-resolved',
    'request-closed',
    'sent',
    'expired',
  ]),
  roundTo: z.enum(['none', 'end-of-month', 'end-of-calendar-year']).default('none'),
  action: z.enum(['delete', 'anonymise', 'pseudonymise']).default('delete'),
  exceptions: z.array(id).default([]).describe('Legal rules that keep data longer (e.g. bookkeeping).'),
  afterWithdrawal: isoDuration
    .optional()
    .describe(
      'Data under this rule is deleted this long after the data subject withdrew consent to (or objected to) its purpose and has not granted it again, whatever its trigger says (e.g. P30D).',
    ),
  pseudonymised: z
    .boolean()
    .optional()
    .describe(
      'The rule is for pseudonymised data only (which may be kept longer than identified data): the retention sweep refuses it on a collection that is not marked pseudonymised or that holds a direct identifier besides the pseudonym.',
    ),
  law: localizedText.optional(),
  country: country.optional(),
  ombudStores: z
    .array(z.enum(['requests', 'consent-proof', 'mail', 'result-files']))
    .optional()
    .describe(
      "Ombud's own stores this rule ends (src/core/retention/ownData.ts): requests (a closed request's personal data: the requester's e-mail address and name, what they wrote; trigger request-closed), consent-proof (the identities of a subject with no consent standing, after their last consent event; trigger last-activity), mail (mails' bodies and addresses after sending; trigger sent), result-files (extracts and exports after their download link expired; trigger expired).",
    ),
});

export const cookieCategorySchema = z.strictObject({
  id,
  label: localizedText,
  description: localizedText,
  essential: z.boolean().default(false),
  advertising: z.boolean().default(false),
  consentMode: z
    .array(
      z.enum([
        'ad_storage',
        'ad_user_data',
        'ad_personalization',
        'analytics_storage',
        'functionality_storage',
        'personalization_storage',
        'security_storage',
      ]),
    )
    .default([]),
});

export const cookieSchema = z.strictObject({
  name: z.string().min(1),
  provider: z.string().min(1),
  system: id.optional(),
  category: id,
  purpose: localizedText,
  lifetime: z.union([z.literal('session'), isoDuration]),
  domain: z.string().optional(),
  firstParty: z.boolean().default(true),
  dataCategories: z.array(z.string()).default([]),
});

/**
 * An audience segment for an ad network (issue #14, P44): built by the group from its own data through the
 * annotated datasets, sent to the network only as hashed identifiers by the network's rule
 * (src/core/audience/hashing.ts). Its company, purpose, legal basis and recipient must match the register.
 */
export const audienceSchema = z.strictObject({
  id,
  name: localizedText,
  controller: id.describe(
    "The company whose customers the segment holds (one of the purpose's controllers).",
  ),
  purpose: id.describe('The purpose the segment serves, e.g. ad-matching.'),
  legalBasis: z.enum(LEGAL_BASES).describe("The legal basis it rests on: one the purpose's data rests on."),
  recipient: id.describe("The ad network's system: one of the purpose's recipients."),
  rule: z
    .enum(['google-ads', 'google-data-manager', 'meta'])
    .describe("The network's hashing rule and upload format (the current version is used and recorded)."),
  fields: z
    .array(z.enum(['email', 'phone']))
    .min(1)
    .default(['email'])
    .describe('The identifiers sent, each hashed; only fields the purpose processes (its data categories).'),
  defaultCountry: country
    .optional()
    .describe("The country of phone numbers written without a country code (default: the company's)."),
  selection: z
    .strictObject({
      dataset: z.string().describe('The fides_key of an annotated dataset, e.g. nestit_webshop.'),
      collection: z
        .string()
        .describe('The collection of the people, holding their e-mail (identity email) and phone.'),
      accountHolders: z
        .string()
        .optional()
        .describe('A collection that refers to the people: only those with a row there (account holders).'),
      activity: z
        .strictObject({
          collection: z.string().describe('A collection that refers to the people, e.g. orders.'),
          field: z.string().describe('Its timestamp, e.g. placed_at.'),
          within: isoDuration.describe('How far back, e.g. P12M: an order in the last 12 months.'),
        })
        .optional(),
    })
    .describe(
      "Who is in the segment, over the annotated datasets; rows are the company's by the dataset's ombud.controller.",
    ),
  accountHoldersOnly: z
    .boolean()
    .default(false)
    .describe('Only account holders (where the notice promises it): requires selection.accountHolders.'),
  schedule: z
    .string()
    .superRefine((v, ctx) => {
      const problem = scheduleProblem(v);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .optional()
    .describe(
      'When the export job runs: hourly, daily (04:00 UTC), weekly (Mondays 04:00 UTC), monthly, or a cron expression of five fields in UTC, e.g. "0 4 * * 1". Without it the segment is exported only by hand.',
    ),
  immediateRemoval: z
    .boolean()
    .default(false)
    .describe('An objection writes a removal file at once, not only at the next scheduled export.'),
});

export const findingAcknowledgementSchema = z.strictObject({
  code: z.string(),
  target: z.string(),
  resolution: localizedText,
  decidedBy: z.string(),
  decidedAt: isoDate,
});

export const groupSchema = z.strictObject({
  id,
  name: z.string().min(1),
  website: z.url().optional(),
  defaultLanguage: z.enum(LANGUAGES).default('en'),
  languages: z.array(z.enum(LANGUAGES)).min(1).default(['en']),
  cookieReaskDays: z.number().int().min(1).max(395).default(182),
});

/** One YAML file: any subset of the sections. */
export const registerFileSchema = z
  .object({
    group: groupSchema.optional(),
    organizations: z.array(organizationSchema).optional(),
    authorities: z.array(authoritySchema).optional(),
    jointArrangements: z.array(jointArrangementSchema).optional(),
    systems: z.array(systemSchema).optional(),
    categoryGroups: z.array(categoryGroupSchema).optional(),
    dataCategories: z.array(dataCategorySchema).optional(),
    purposes: z.array(purposeSchema).optional(),
    retentionRules: z.array(retentionRuleSchema).optional(),
    cookieCategories: z.array(cookieCategorySchema).optional(),
    cookies: z.array(cookieSchema).optional(),
    acknowledgedFindings: z.array(findingAcknowledgementSchema).optional(),
    audiences: z.array(audienceSchema).optional(),
  })
  .strict();

export type RegisterFile = z.infer<typeof registerFileSchema>;
export type Group = z.infer<typeof groupSchema>;
export type Organization = z.infer<typeof organizationSchema>;
export type Authority = z.infer<typeof authoritySchema>;
export type JointArrangement = z.infer<typeof jointArrangementSchema>;
export type System = z.infer<typeof systemSchema>;
export type DataCategory = z.infer<typeof dataCategorySchema>;
export type CategoryGroup = z.infer<typeof categoryGroupSchema>;
export type Purpose = z.infer<typeof purposeSchema>;
export type DataEntry = Purpose['data'][number];
export type RetentionRule = z.infer<typeof retentionRuleSchema>;
export type CookieCategory = z.infer<typeof cookieCategorySchema>;
export type Cookie = z.infer<typeof cookieSchema>;
export type FindingAcknowledgement = z.infer<typeof findingAcknowledgementSchema>;
export type Audience = z.infer<typeof audienceSchema>;

/** The merged register: every section present (possibly empty). */
export type Register = {
  group: Group;
  organizations: Organization[];
  authorities: Authority[];
  jointArrangements: JointArrangement[];
  systems: System[];
  categoryGroups: CategoryGroup[];
  dataCategories: DataCategory[];
  purposes: Purpose[];
  retentionRules: RetentionRule[];
  cookieCategories: CookieCategory[];
  cookies: Cookie[];
  acknowledgedFindings: FindingAcknowledgement[];
  /** Audience segments for ad networks (issue #14); kept in their own section. */
  audiences: Audience[];
};

export const SECTIONS = [
  'organizations',
  'authorities',
  'jointArrangements',
  'systems',
  'categoryGroups',
  'dataCategories',
  'purposes',
  'retentionRules',
  'cookieCategories',
  'cookies',
  'acknowledgedFindings',
  'audiences',
] as const;
export type Section = (typeof SECTIONS)[number];

export function registerJsonSchema(): unknown {
  return {
    $id: 'https://ombud.dev/schema/register.schema.json',
    title: 'Ombud register file',
    description:
      'One YAML file of an Ombud register (record of processing as code). A register is a folder of such files; each holds any of these sections.',
    ...(z.toJSONSchema(registerFileSchema, { io: 'input', unrepresentable: 'any' }) as object),
  };
}

/** Pick the text in a language, falling back to English. */
export function t(text: LocalizedTextInput | undefined, lang: Language): string {
  if (text === undefined) return '';
  if (typeof text === 'string') return text;
  return text[lang] ?? text.en;
}
