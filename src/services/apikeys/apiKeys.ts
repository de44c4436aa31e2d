/**
 * API keys for systems: scoped to organizations and permissions, stored as a SHA-256 hash
 * (keys are 256-bit random, so a fast hash is enough), shown once, with expiry, rotation,
 * revocation and last-used time. Keys never hold users:manage or apikeys:manage. Who sees and manages
 * which key: apiKeyPolicy (src/core/policies/resources.ts), apikeys:manage in every organization of the key.
 */
import { hash, randomBytes } from 'node:crypto';
import { notFound, OmbudError, validationError } from '../../core/errors.ts';
import { canAll, KEY_FORBIDDEN, PERMISSIONS, type Principal } from '../../core/policies/permissions.ts';
import {
  allowedInAll,
  authorize,
  type Group,
  groupListScope,
  visibleTo,
} from '../../core/policies/policy.ts';
import { apiKeyPolicy } from '../../core/policies/resources.ts';
import type { Db } from '../../storage/db.ts';
import { type Actor, recordAudit } from '../audit/auditLog.ts';

export type ApiKey = {
  id: string;
  name: string;
  prefix: string;
  orgIds: string[];
  permissions: string[];
  createdBy: string;
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  rotatedFrom: string | null;
};
type Row = {
  id: string;
  name: string;
  prefix: string;
  org_ids: string[];
  permissions: string[];
  created_by: string;
  created_at: Date;
  expires_at: Date | null;
  revoked_at: Date | null;
  last_used_at: Date | null;
  rotated_from: string | null;
};
const toKey = (r: Row): ApiKey => ({
  id: r.id,
  name: r.name,
  prefix: r.prefix,
  orgIds: r.org_ids,
  permissions: r.permissions,
  createdBy: r.created_by,
  createdAt: new Date(r.created_at),
  expiresAt: r.expires_at ? new Date(r.expires_at) : null,
  revokedAt: r.revoked_at ? new Date(r.revoked_at) : null,
  lastUsedAt: r.last_used_at ? new Date(r.last_used_at) : null,
  rotatedFrom: r.rotated_from,
});

const NO_GROUP: Group = { orgIds: [] };

export const KEY_PATTERN = /^omb_[A-Za-z0-9_-]{43}$/;
export const keyHash = (key: string) => hash('sha256', key, 'hex');

export type CreateKeyInput = {
  name: string;
  orgIds: string[];
  permissions: string[];
  expiresInDays?: number | null;
};

/** Create a key. `by` (a principal) may only hand out what it holds itself, in its own organizations. */
export async function createApiKey(
  db: Db,
  actor: Actor,
  input: CreateKeyInput,
  opts: { by?: Principal; now?: Date; knownOrgs?: string[]; rotatedFrom?: string } = {},
): Promise<{ key: string; apiKey: ApiKey }> {
  const now = opts.now ?? new Date();
  const issues: { path: string[]; message: string }[] = [];
  if (input.orgIds.length === 0)
    issues.push({ path: ['orgIds'], message: 'Name at least one organization.' });
  if (input.permissions.length === 0)
    issues.push({ path: ['permissions'], message: 'Name at least one permission.' });
  for (const p of input.permissions) {
    if (!(PERMISSIONS as readonly string[]).includes(p) || p === 'public')
      issues.push({ path: ['permissions'], message: `Unknown permission '${p}'.` });
    else if (KEY_FORBIDDEN.includes(p))
      issues.push({ path: ['permissions'], message: `API keys cannot hold '${p}'.` });
  }
  if (opts.knownOrgs)
    for (const o of input.orgIds)
      if (!opts.knownOrgs.includes(o))
        issues.push({ path: ['orgIds'], message: `No organization '${o}' in the register.` });
  if (issues.length)
    throw validationError(
      'bad-api-key',
      'The API key request is not valid.',
      issues,
      'Correct the fields listed.',
    );
  if (opts.by) {
    if (!allowedInAll(opts.by, apiKeyPolicy.actions.manage, input.orgIds))
      throw new OmbudError(
        'forbidden',
        'key-scope',
        'You can issue keys only for organizations where you manage keys.',
        {
          issues: [{ path: ['orgIds'], message: 'Remove organizations outside your own.' }],
        },
      );
    for (const p of input.permissions)
      if (!canAll(opts.by, p, input.orgIds))
        throw validationError('key-scope', `You cannot grant '${p}' in all the organizations named.`, [
          { path: ['permissions'], message: 'A key can hold only permissions you hold yourself.' },
        ]);
  }
  const key = `omb_${randomBytes(32).toString('base64url')}`;
  const expiresAt =
    input.expiresInDays === null || input.expiresInDays === undefined
      ? null
      : new Date(now.getTime() + input.expiresInDays * 86400_000);
  const rows = await db.query<Row>(
    `INSERT INTO api_keys (name, key_hash, prefix, org_ids, permissions, created_by, created_at, expires_at, rotated_from)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *`,
    [
      input.name,
      keyHash(key),
      key.slice(0, 10),
      input.orgIds,
      input.permissions,
      `${actor.kind}:${actor.id}`,
      now,
      expiresAt,
      opts.rotatedFrom ?? null,
    ],
  );
  const apiKey = toKey(rows[0]!);
  await recordAudit(db, {
    actor,
    action: opts.rotatedFrom ? 'apikey.rotate' : 'apikey.create',
    target: `api-key:${apiKey.id}`,
    details: { orgIds: input.orgIds, permissions: input.permissions, rotatedFrom: opts.rotatedFrom ?? null },
  });
  return { key, apiKey };
}

/** The principal of a presented key, or undefined when unknown, revoked or expired. Stamps last use. */
export async function authenticateKey(db: Db, key: string, now = new Date()): Promise<Principal | undefined> {
  if (!KEY_PATTERN.test(key)) return undefined;
  const rows = await db.query<Row>(
    `UPDATE api_keys SET last_used_at = $2
     WHERE key_hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2) RETURNING *`,
    [keyHash(key), now],
  );
  const r = rows[0];
  if (!r) return undefined;
  return { kind: 'api-key', keyId: r.id, orgIds: r.org_ids, permissions: r.permissions };
}

/**
 * Verified keys cached in memory, keyed by the key's SHA-256 (never the key), so a busy system's
 * calls do not each cost an UPDATE on the same row. An entry lives at most `ttlMs` (default 5 s,
 * OMBUD_API_KEY_CACHE_TTL_MS) and never past the key's expiry. Revoking or rotating in this
 * process drops the whole cache at once; a revocation made elsewhere (the CLI, another instance,
 * a direct UPDATE) takes effect within the TTL. last_used_at is stamped on each cache miss, so at
 * most once per TTL per process. Failures are never cached: a new key works at once.
 */
type CachedKey = { principal: Principal; expiresAt: number | null; cachedAt: number };
const keyCaches = new WeakMap<Db, { generation: number; map: Map<string, CachedKey> }>();
let keyCacheGeneration = 0;
const KEY_CACHE_MAX = 10_000;

/** Forget every cached key verification (called on revocation and rotation). */
export function forgetCachedKeys(): void {
  keyCacheGeneration++;
}

/**
 * The principal of a key from the cache, without a query: undefined when the key is not cached (or its entry
 * is stale or expired), so the caller asks `authenticateKeyCached`. The hot path of every API call: no promise.
 */
export function cachedKeyPrincipal(db: Db, key: string, now: Date, ttlMs = 5000): Principal | undefined {
  if (ttlMs <= 0 || !KEY_PATTERN.test(key)) return undefined;
  const entry = keyCaches.get(db);
  if (entry?.generation !== keyCacheGeneration) return undefined;
  const hit = entry.map.get(keyHash(key));
  return hit &&
    performance.now() - hit.cachedAt < ttlMs &&
    (hit.expiresAt === null || hit.expiresAt > now.getTime())
    ? hit.principal
    : undefined;
}

export async function authenticateKeyCached(
  db: Db,
  key: string,
  now = new Date(),
  ttlMs = 5000,
): Promise<Principal | undefined> {
  if (ttlMs <= 0) return authenticateKey(db, key, now);
  if (!KEY_PATTERN.test(key)) return undefined;
  let entry = keyCaches.get(db);
  if (entry?.generation !== keyCacheGeneration) {
    entry = { generation: keyCacheGeneration, map: new Map() };
    keyCaches.set(db, entry);
  }
  const cache = entry.map;
  const h = keyHash(key);
  const mono = performance.now();
  const hit = cache.get(h);
  if (hit && mono - hit.cachedAt < ttlMs && (hit.expiresAt === null || hit.expiresAt > now.getTime()))
    return hit.principal;
  const generation = keyCacheGeneration;
  const rows = await db.query<Row>(
    `UPDATE api_keys SET last_used_at = $2
     WHERE key_hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2) RETURNING *`,
    [h, now],
  );
  const r = rows[0];
  if (!r) {
    cache.delete(h);
    return undefined;
  }
  const principal: Principal = {
    kind: 'api-key',
    keyId: r.id,
    orgIds: r.org_ids,
    permissions: r.permissions,
  };
  // A revocation that happened while the query ran must not be papered over by this entry.
  if (generation === keyCacheGeneration) {
    if (cache.size >= KEY_CACHE_MAX) cache.clear();
    cache.set(h, {
      principal,
      expiresAt: r.expires_at ? new Date(r.expires_at).getTime() : null,
      cachedAt: mono,
    });
  }
  return principal;
}

/**
 * Keys visible to the principal (apiKeyPolicy): those all of whose organizations lie within its
 * apikeys:manage scope, narrowed in SQL. Without `by` (the CLI on the server): every key.
 */
export async function listApiKeys(db: Db, by?: Principal, group: Group = NO_GROUP): Promise<ApiKey[]> {
  const scope = by ? groupListScope(by, apiKeyPolicy.actions.read, group) : 'all';
  const rows = await db.query<Row>(
    `SELECT * FROM api_keys
      WHERE $1::text[] IS NULL OR (cardinality(org_ids) > 0 AND org_ids <@ $1::text[])
      ORDER BY created_at DESC, id`,
    [scope === 'all' ? null : scope],
  );
  const keys = rows.map(toKey);
  return by ? keys.filter(visibleTo(by, apiKeyPolicy, group)) : keys;
}

/** A key of another organization is reported as absent: its existence is not the caller's business. */
async function visibleKey(db: Db, id: string, by?: Principal, group: Group = NO_GROUP): Promise<ApiKey> {
  const rows = /^[0-9a-f-]{36}$/i.test(id)
    ? await db.query<Row>('SELECT * FROM api_keys WHERE id = $1', [id])
    : [];
  const k = rows[0] ? toKey(rows[0]) : undefined;
  if (!k) throw notFound('api-key', id);
  if (by) authorize(by, apiKeyPolicy, 'manage', k, group);
  return k;
}

export async function revokeApiKey(
  db: Db,
  actor: Actor,
  id: string,
  opts: { by?: Principal; now?: Date; group?: Group } = {},
) {
  const k = await visibleKey(db, id, opts.by, opts.group);
  if (k.revokedAt) return k;
  const rows = await db.query<Row>('UPDATE api_keys SET revoked_at = $2 WHERE id = $1 RETURNING *', [
    id,
    opts.now ?? new Date(),
  ]);
  forgetCachedKeys();
  await recordAudit(db, { actor, action: 'apikey.revoke', target: `api-key:${id}` });
  return toKey(rows[0]!);
}

/** Rotation: a new key with the same scope and remaining lifetime; the old one is revoked. */
export async function rotateApiKey(
  db: Db,
  actor: Actor,
  id: string,
  opts: { by?: Principal; now?: Date; group?: Group } = {},
) {
  const now = opts.now ?? new Date();
  const rotated = await db.transaction(async (tx) => {
    const old = await visibleKey(tx, id, opts.by, opts.group);
    if (old.revokedAt || (old.expiresAt && old.expiresAt <= now))
      throw validationError('key-inactive', 'This key is revoked or expired; create a new one instead.', [
        { path: ['keyId'], message: 'Rotate an active key.' },
      ]);
    const days = old.expiresAt
      ? Math.max(1, Math.ceil((old.expiresAt.getTime() - now.getTime()) / 86400_000))
      : null;
    const created = await createApiKey(
      tx,
      actor,
      { name: old.name, orgIds: old.orgIds, permissions: old.permissions, expiresInDays: days },
      { now, rotatedFrom: old.id },
    );
    await tx.query('UPDATE api_keys SET revoked_at = $2 WHERE id = $1', [old.id, now]);
    return created;
  });
  // After the commit: a verification that raced the transaction is not kept either.
  forgetCachedKeys();
  return rotated;
}
