/**
 * API-key verification is cached in memory for a few seconds (OMBUD_API_KEY_CACHE_TTL_MS) so busy
 * machine callers do not each cost a database write. Security must not weaken: a key revoked or
 * rotated through Ombud stops at once; one revoked behind Ombud's back (another process, a direct
 * UPDATE) stops within the TTL; expiry is checked on every call; unknown keys are never cached.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SYSTEM_ACTOR } from '../../src/services/audit/auditLog.ts';
import {
  authenticateKeyCached,
  createApiKey,
  revokeApiKey,
  rotateApiKey,
} from '../../src/services/apikeys/apiKeys.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let ts: TestServer;
beforeAll(async () => {
  ts = await startTestServer();
}, 60_000);
afterAll(() => ts?.close());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const newKey = async (expiresInDays: number | null = null) =>
  createApiKey(
    ts.app.db,
    SYSTEM_ACTOR,
    {
      name: 'cache test',
      orgIds: ['nestit-group'],
      permissions: ['register:read'],
      expiresInDays,
    },
    { now: ts.app.now() },
  );
const usedAt = async (id: string) =>
  (
    await ts.app.db.query<{ last_used_at: Date | null }>('SELECT last_used_at FROM api_keys WHERE id = $1', [
      id,
    ])
  )[0]!.last_used_at;

describe('API-key verification cache', () => {
  test('a key revoked behind Ombud’s back keeps working at most for the TTL, then is refused', async () => {
    const { key, apiKey } = await newKey();
    const ttl = 300;
    expect(await authenticateKeyCached(ts.app.db, key, ts.app.now(), ttl)).toMatchObject({
      keyId: apiKey.id,
    });
    await ts.app.db.query('UPDATE api_keys SET revoked_at = now() WHERE id = $1', [apiKey.id]);
    // Within the TTL the cached verification still answers (this is the documented staleness) …
    expect(await authenticateKeyCached(ts.app.db, key, ts.app.now(), ttl)).toBeDefined();
    await sleep(ttl + 50);
    // … and after it, the database is asked again and the key is refused.
    expect(await authenticateKeyCached(ts.app.db, key, ts.app.now(), ttl)).toBeUndefined();
  });

  test('revoking or rotating through Ombud stops the old key at once, whatever the TTL', async () => {
    const a = await newKey();
    expect(await authenticateKeyCached(ts.app.db, a.key, ts.app.now(), 60_000)).toBeDefined();
    await revokeApiKey(ts.app.db, SYSTEM_ACTOR, a.apiKey.id);
    expect(await authenticateKeyCached(ts.app.db, a.key, ts.app.now(), 60_000)).toBeUndefined();

    const b = await newKey();
    expect(await authenticateKeyCached(ts.app.db, b.key, ts.app.now(), 60_000)).toBeDefined();
    const rotated = await rotateApiKey(ts.app.db, SYSTEM_ACTOR, b.apiKey.id);
    expect(await authenticateKeyCached(ts.app.db, b.key, ts.app.now(), 60_000)).toBeUndefined();
    expect(await authenticateKeyCached(ts.app.db, rotated.key, ts.app.now(), 60_000)).toBeDefined();
  });

  test('a revocation over HTTP stops the key on the very next request', async () => {
    const { key, apiKey } = await newKey();
    const get = () =>
      ts.server.inject({
        method: 'GET',
        url: '/api/v1/register',
        headers: { authorization: `Bearer ${key}` },
      });
    expect((await get()).statusCode).not.toBe(401);
    expect((await get()).statusCode).not.toBe(401);
    await revokeApiKey(ts.app.db, SYSTEM_ACTOR, apiKey.id);
    expect((await get()).statusCode).toBe(401);
  });

  test('expiry is checked on every call, even for a cached key', async () => {
    const { key } = await newKey(1);
    const now = ts.app.now();
    expect(await authenticateKeyCached(ts.app.db, key, now, 60_000)).toBeDefined();
    const later = new Date(now.getTime() + 2 * 86400_000);
    expect(await authenticateKeyCached(ts.app.db, key, later, 60_000)).toBeUndefined();
  });

  test('unknown keys are not cached, and a cache hit does not write last_used_at', async () => {
    const { key, apiKey } = await newKey();
    await ts.app.db.query('UPDATE api_keys SET revoked_at = now() WHERE id = $1', [apiKey.id]);
    expect(await authenticateKeyCached(ts.app.db, key, ts.app.now(), 60_000)).toBeUndefined();
    await ts.app.db.query('UPDATE api_keys SET revoked_at = NULL WHERE id = $1', [apiKey.id]);
    // A refusal was not remembered: the key works as soon as it is valid again.
    expect(await authenticateKeyCached(ts.app.db, key, ts.app.now(), 60_000)).toBeDefined();
    const first = await usedAt(apiKey.id);
    expect(first).not.toBeNull();
    await authenticateKeyCached(ts.app.db, key, new Date(ts.app.now().getTime() + 1000), 60_000);
    expect(await usedAt(apiKey.id)).toEqual(first);
  });
});
