/**
 * What the audience API answers (src/http/routes/audience.ts): segments of the register with their last
 * export, and exports with their counts and files (names only; the files hold hashes).
 */
import { z } from 'zod';
import { orgId, timestamp } from './wire.ts';

export const audienceFile = z.strictObject({
  name: z.string(),
  role: z.enum(['members', 'add', 'remove']).describe('members: the whole segment; add / remove: the delta.'),
  mediaType: z.string(),
  rows: z.number().int(),
});

export const audienceExport = z.strictObject({
  id: z.string(),
  orgId,
  segmentId: z.string(),
  purposeId: z.string(),
  legalBasis: z.string(),
  recipient: z.string(),
  ruleId: z.string().describe('The hashing rule and its version, e.g. google-ads@2.'),
  kind: z.enum(['scheduled', 'manual', 'removal']),
  createdAt: timestamp,
  createdBy: z.string(),
  candidates: z.number().int(),
  members: z.number().int(),
  added: z.number().int(),
  removed: z.number().int(),
  skipped: z.number().int().describe('Identifiers that could not be normalised: counted, never sent.'),
  excluded: z.record(z.string(), z.number().int()).describe('Candidates left out, per reason.'),
  files: z.array(audienceFile),
});

export const audienceSegment = z.strictObject({
  id: z.string(),
  purpose: z.string(),
  legalBasis: z.string(),
  recipient: z.string(),
  rule: z.string(),
  fields: z.array(z.string()),
  accountHoldersOnly: z.boolean(),
  schedule: z.string().nullable(),
  immediateRemoval: z.boolean(),
  lastExport: audienceExport.nullable(),
});

export const audienceSegmentList = z.strictObject({ segments: z.array(audienceSegment) });
export const audienceExportList = z.strictObject({ exports: z.array(audienceExport) });
