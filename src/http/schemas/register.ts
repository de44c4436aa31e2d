/**
 * What the register API answers (src/http/routes/register.ts): the current register, its revisions, the
 * organizations, the Art. 30 record and the published notice versions.
 */
import { z } from 'zod';
import {
  audienceSchema,
  authoritySchema,
  categoryGroupSchema,
  cookieCategorySchema,
  cookieSchema,
  dataCategorySchema,
  findingAcknowledgementSchema,
  groupSchema,
  jointArrangementSchema,
  organizationSchema,
  purposeSchema,
  retentionRuleSchema,
  systemSchema,
} from '../../core/register/schema.ts';
import { day, orgId, timestamp } from './wire.ts';

/**
 * The merged register as stored: every section of the register files (schema/register.schema.json), each
 * present, with the defaults of the files filled in.
 */
export const mergedRegister = z
  .strictObject({
    group: groupSchema,
    organizations: z.array(organizationSchema),
    authorities: z.array(authoritySchema),
    jointArrangements: z.array(jointArrangementSchema),
    systems: z.array(systemSchema),
    categoryGroups: z.array(categoryGroupSchema),
    dataCategories: z.array(dataCategorySchema),
    purposes: z.array(purposeSchema),
    retentionRules: z.array(retentionRuleSchema),
    cookieCategories: z.array(cookieCategorySchema),
    cookies: z.array(cookieSchema),
    acknowledgedFindings: z.array(findingAcknowledgementSchema),
    audiences: z.array(audienceSchema).optional(),
  })
  .describe('The register: every section of the register files merged, with their defaults filled in.');

const revision = z
  .number()
  .int()
  .describe('The register revision: a new one each time a changed register is applied.');
const contentHash = z
  .string()
  .describe('The sha256 of the register content: the same content, the same hash.');

/** The current register revision. */
export const currentRegisterAnswer = z
  .strictObject({
    revision,
    contentHash,
    appliedAt: timestamp,
    register: mergedRegister,
  })
  .describe('The current register revision and its content.');

/** Every register revision. */
export const registerRevisions = z
  .array(
    z.strictObject({
      revision,
      contentHash,
      appliedAt: timestamp,
      appliedBy: z.string().describe('Who applied it, as the audit log names them (kind:id).'),
    }),
  )
  .describe('Every register revision, newest first.');

/** The organizations of the group. */
export const organizationList = z
  .array(
    z.strictObject({
      id: orgId,
      legalName: z.string(),
      country: z.string().describe('ISO 3166-1 alpha-2, e.g. SE.'),
      registrationNumber: z.string(),
    }),
  )
  .describe('The organizations (controllers) of the group, in register order.');

/** One entry of the Art. 30(1) record: one purpose of the controller, points (a)–(g). */
const ropaEntry = z.strictObject({
  controller: z.string().describe('(a) The controller: legal name (registration number) and address.'),
  controllerContact: z.string().describe("(a) The controller's contact e-mail address."),
  jointControllers: z.array(z.string()).describe('(a) The joint controllers of this purpose, if any.'),
  representative: z.string().describe('(a) The EU representative (Art. 27), or empty.'),
  dpo: z.string().describe('(a) The data protection officer, or empty.'),
  purposeId: z.string(),
  purpose: z.string().describe('(b) The purpose of the processing.'),
  purposeDescription: z.string(),
  dataUse: z.string().describe('The fideslang data use.'),
  legalBases: z.array(z.string()).describe('The legal bases (Art. 6, and Art. 9 conditions).'),
  dataSubjects: z.array(z.string()).describe('(c) The categories of data subjects.'),
  dataCategories: z.array(z.string()).describe('(c) The categories of personal data.'),
  specialCategories: z.array(z.string()).describe('(c) The special categories (Art. 9), if any.'),
  recipients: z.array(z.string()).describe('(d) The categories of recipients.'),
  thirdCountryTransfers: z
    .array(z.string())
    .describe('(e) Transfers to third countries and their safeguards.'),
  retention: z.string().describe('(f) The time limits for erasure.'),
  securityMeasures: z.array(z.string()).describe('(g) The technical and organisational security measures.'),
  sources: z.array(z.string()).describe('Where the data comes from, and how it is collected.'),
  legitimateInterestAssessment: z
    .string()
    .describe('The legitimate-interest assessment, if the purpose rests on one.'),
});

/** The Art. 30(1) record of one controller as JSON (the CSV has one row per entry). */
export const ropaRecord = z
  .strictObject({
    organization: orgId,
    registerRevision: revision,
    generatedAt: timestamp,
    entries: z.array(ropaEntry),
  })
  .describe('The record of processing activities (Art. 30(1)) of one controller.');

const noticeChange = z.strictObject({
  kind: z.enum([
    'purpose-added',
    'purpose-removed',
    'category-added',
    'category-removed',
    'legal-basis-added',
    'legal-basis-removed',
    'recipient-added',
    'recipient-removed',
    'transfer-added',
    'transfer-removed',
    'retention-longer',
    'retention-changed',
    'controller-details-changed',
    'authority-changed',
    'joint-arrangement-changed',
    'wording-changed',
    'cookies-changed',
  ]),
  purpose: z.string().optional().describe('The purpose changed, if the change is about one.'),
  subject: z
    .string()
    .optional()
    .describe('What changed (a category, a recipient, …), if not the purpose itself.'),
  material: z.boolean().describe('A material change must be announced before it takes effect.'),
  reason: z.string().describe('Why the change is material or not.'),
});

/** The published notice versions of a controller. */
export const noticeVersionList = z
  .array(
    z.strictObject({
      version: z.number().int(),
      effectiveDate: day.describe('The day the version takes effect.'),
      publishedAt: timestamp,
      material: z.boolean().describe('The version makes a material change.'),
      registerRevision: revision.describe('The register revision it was published from.'),
      changes: z.array(noticeChange).describe('What changed since the previous version.'),
    }),
  )
  .describe('The published notice versions, oldest first.');
