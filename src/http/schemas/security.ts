/**
 * What the security API answers (src/http/routes/security.ts and src/http/routes/people.ts): people and
 * their roles, API keys (never the key, except once on creation and rotation), audit entries, the chain's
 * verification and its signed checkpoints. Strict objects: a field a service adds without the contract fails
 * the tests instead of being dropped.
 */
import { z } from 'zod';
import { ROLES } from '../../core/policies/permissions.ts';

const instant = z.iso.datetime();
const count = z.number().int().min(0);

/** A 204: no body. */
export const noContent = z.undefined().describe('Done; no content');

const roleAssignment = z.strictObject({ orgId: z.string(), role: z.enum(ROLES) });

export const people = z
  .array(
    z.strictObject({
      id: z.uuid(),
      email: z.string(),
      name: z.string(),
      isOwner: z.boolean().describe('A group owner: may do everything in every company.'),
      disabled: z.boolean(),
      pending: z.boolean().describe('Invited and not yet accepted: no password set from the invitation yet.'),
      totp: z.boolean().describe('Whether the person has set up a second factor (TOTP).'),
      roles: z.array(roleAssignment),
    }),
  )
  .describe('The people the caller may manage, with their roles');

export const invited = z
  .strictObject({
    userId: z.uuid(),
    inviteUrl: z
      .url()
      .describe(
        'The link to set a password: mailed to the person (in the chosen language) and in this response only; it expires.',
      ),
  })
  .describe('The person is invited');

export const resetLink = z
  .strictObject({
    resetUrl: z.url().describe('The link to set a new password: in this response only, and it expires.'),
  })
  .describe('A password reset link');

export const roleGranted = roleAssignment.extend({ userId: z.uuid() }).describe('The role is granted');

export const apiKeyView = z
  .strictObject({
    id: z.uuid(),
    name: z.string(),
    prefix: z.string().describe('The start of the key, to recognise it; never the key.'),
    orgIds: z.array(z.string()).describe('The companies the key acts in.'),
    permissions: z.array(z.string()).describe('The permissions it holds there, e.g. requests:write.'),
    createdBy: z.string(),
    createdAt: instant,
    expiresAt: instant.nullable(),
    revokedAt: instant.nullable(),
    lastUsedAt: instant.nullable(),
    rotatedFrom: z.string().nullable().describe('The key this one replaced.'),
  })
  .describe('An API key (never the key itself)');

export const apiKeys = z.array(apiKeyView).describe('The API keys of your organizations');

export const apiKeyIssued = z
  .strictObject({
    key: z.string().describe('The key (omb_…): shown in this response only; send it as a Bearer token.'),
    apiKey: apiKeyView,
  })
  .describe('The key is issued');

export const auditEntry = z.strictObject({
  seq: z.number().int(),
  at: instant,
  actor: z.string().describe('kind:id'),
  orgId: z.string().nullable().describe('The company the entry belongs to; null for the whole group.'),
  action: z.string().describe('e.g. request.verified, users.list, audit.export.'),
  target: z.string().nullable(),
  reason: z.string().nullable(),
  details: z.record(z.string(), z.unknown()).describe('Ids and hashes only, never personal data.'),
  hash: z.string().describe("The entry's link in the keyed hash chain."),
});

/** `GET /api/v1/audit`: JSON by default, CSV with format=csv (a string, never passed through the serializer). */
export const auditSearchResult = {
  description: 'Audit entries of your organizations, newest first; format=csv exports them as CSV',
  content: {
    'application/json': { schema: z.array(auditEntry) },
    'text/csv': {
      schema: z
        .string()
        .describe('seq,at,actor,org_id,action,target,reason,details,prev_hash,hash — one line per entry.'),
    },
  },
};

const walkStats = {
  count: count.describe('Entries checked.'),
  keyed: count.describe('Entries written with a chain key (HMAC).'),
  unkeyed: count.describe('Entries older than the keyed chain (plain SHA-256).'),
  keyedFrom: z.number().int().nullable().describe('The first keyed entry; null when none.'),
  checkpointsMatched: count.describe('Exported checkpoints found in the chain, hash and count.'),
  warnings: z.array(z.string()).describe('What could not be checked here.'),
  withKey: z.boolean().describe('Whether the chain keys were available (else keyed entries are unchecked).'),
  checkpoint: z
    .strictObject({ seq: z.number().int(), count, at: instant, kid: z.string() })
    .nullable()
    .describe('The last exported checkpoint the chain was checked against; null when none.'),
};

export const auditVerification = z
  .discriminatedUnion('ok', [
    z.strictObject({
      ok: z.literal(true),
      ...walkStats,
      head: z
        .strictObject({ seq: z.number().int(), count, hash: z.string() })
        .optional()
        .describe('The head record the walk reached: the last entry, the count up to it, its hash.'),
    }),
    z.strictObject({
      ok: z.literal(false),
      ...walkStats,
      seq: z.number().int().describe('The first bad entry.'),
      problem: z.string().describe('What is wrong with it.'),
      cannotVerify: z
        .boolean()
        .optional()
        .describe('true when it could not be checked (its key is not here), not proven altered.'),
    }),
  ])
  .describe('The verification of the whole chain: ok, or the first bad entry');

export const checkpointMade = z
  .strictObject({
    checkpoint: z.strictObject({
      v: z.literal(1),
      seq: z.number().int(),
      count,
      hash: z.string(),
      keyedFrom: z.number().int().nullable(),
      at: instant,
      kid: z.string().describe('The signing key: the first 16 hex digits of SHA-256 over its public key.'),
      sig: z.string().describe('Ed25519 signature, base64url.'),
    }),
    mailedTo: count.describe('How many recipients the checkpoint was mailed to.'),
    posted: z.string().nullable().describe("The POST to the configured URL: 'ok', 'failed: …', or null."),
  })
  .describe('The checkpoint is signed and exported');
