import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { keyHash } from '../../src/services/apikeys/apiKeys.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { SAME_ORIGIN, userWithRoles } from './helpers.ts';
import { captureIo } from '../support/cli.ts';

let ts: TestServer;
let engineer: { userId: string; cookie: string };
beforeAll(async () => {
  ts = await startTestServer();
  engineer = await userWithRoles(ts.app, ts.server, 'eng', [{ orgId: 'provendo', role: 'engineer' }]);
}, 60_000);
afterAll(() => ts?.close());

const asEngineer = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown) =>
  ts.server.inject({
    method,
    url,
    headers: { cookie: engineer.cookie, ...SAME_ORIGIN },
    ...(payload ? { payload } : {}),
  });
const withKey = (key: string, url: string) =>
  ts.server.inject({ method: 'GET', url, headers: { authorization: `Bearer ${key}` } });

describe('API keys', () => {
  test('a key is shown once, stored hashed, works only for its organizations and permissions', async () => {
    const res = await asEngineer('POST', '/api/v1/apikeys', {
      name: 'erp sync',
      orgIds: ['provendo'],
      permissions: ['register:read'],
      expiresInDays: 30,
    });
    expect(res.statusCode).toBe(201);
    const { key, apiKey } = res.json();
    expect(key).toMatch(/^omb_/);
    const stored = await ts.app.db.query<Record<string, unknown>>('SELECT * FROM api_keys WHERE id = $1', [
      apiKey.id,
    ]);
    expect(JSON.stringify(stored)).not.toContain(key);
    expect(stored[0]!.key_hash).toBe(keyHash(key));
    // Listing never shows the key again.
    const list = await asEngineer('GET', '/api/v1/apikeys');
    expect(list.body).not.toContain(key);
    expect(list.json().map((k: { id: string }) => k.id)).toContain(apiKey.id);

    expect((await withKey(key, '/api/v1/organizations/provendo/notices')).statusCode).toBe(200);
    expect((await withKey(key, '/api/v1/organizations/bokhylla/notices')).statusCode).toBe(403);
    expect((await withKey(key, '/api/v1/organizations/provendo/ropa')).statusCode).toBe(403);
    expect((await withKey(key, '/api/v1/apikeys')).statusCode).toBe(403);
    // Last use is recorded.
    const after = (await asEngineer('GET', '/api/v1/apikeys'))
      .json()
      .find((k: { id: string }) => k.id === apiKey.id);
    expect(after.lastUsedAt).not.toBeNull();
  });

  test('no privilege escalation: an engineer of provendo cannot issue keys for another company or for reading the audit log', async () => {
    const other = await asEngineer('POST', '/api/v1/apikeys', {
      name: 'x',
      orgIds: ['bokhylla'],
      permissions: ['register:read'],
    });
    expect(other.statusCode).toBe(403);
    expect(other.json().errors[0].path).toBe('orgIds');
    const more = await asEngineer('POST', '/api/v1/apikeys', {
      name: 'x',
      orgIds: ['provendo'],
      permissions: ['audit:read'],
    });
    expect(more.statusCode).toBe(422);
    const keyMgmt = await ts.server.inject({
      method: 'POST',
      url: '/api/v1/apikeys',
      headers: { cookie: ts.cookie, ...SAME_ORIGIN },
      payload: { name: 'x', orgIds: ['provendo'], permissions: ['apikeys:manage'] },
    });
    expect(keyMgmt.statusCode).toBe(422);
  });

  test('rotation replaces the key; revocation and expiry stop it; keys of other companies are 404', async () => {
    const created = (
      await ts.server.inject({
        method: 'POST',
        url: '/api/v1/apikeys',
        headers: { cookie: ts.cookie, ...SAME_ORIGIN },
        payload: { name: 'bokhylla shop', orgIds: ['bokhylla'], permissions: ['register:read'] },
      })
    ).json();
    // The provendo engineer cannot see, rotate or revoke a bokhylla key: it does not exist for them.
    expect((await asEngineer('DELETE', `/api/v1/apikeys/${created.apiKey.id}`)).statusCode).toBe(404);
    expect((await asEngineer('POST', `/api/v1/apikeys/${created.apiKey.id}/rotate`)).statusCode).toBe(404);
    expect(
      (await asEngineer('GET', '/api/v1/apikeys'))
        .json()
        .some((k: { id: string }) => k.id === created.apiKey.id),
    ).toBe(false);

    const rotated = await ts.server.inject({
      method: 'POST',
      url: `/api/v1/apikeys/${created.apiKey.id}/rotate`,
      headers: { cookie: ts.cookie, ...SAME_ORIGIN },
    });
    expect(rotated.statusCode).toBe(201);
    const next = rotated.json();
    expect(next.apiKey.rotatedFrom).toBe(created.apiKey.id);
    expect((await withKey(created.key, '/api/v1/organizations/bokhylla/notices')).statusCode).toBe(401);
    expect((await withKey(next.key, '/api/v1/organizations/bokhylla/notices')).statusCode).toBe(200);

    const revoked = await ts.server.inject({
      method: 'DELETE',
      url: `/api/v1/apikeys/${next.apiKey.id}`,
      headers: { cookie: ts.cookie, ...SAME_ORIGIN },
    });
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json().revokedAt).not.toBeNull();
    expect((await withKey(next.key, '/api/v1/organizations/bokhylla/notices')).statusCode).toBe(401);

    const short = (
      await asEngineer('POST', '/api/v1/apikeys', {
        name: 'short',
        orgIds: ['provendo'],
        permissions: ['register:read'],
        expiresInDays: 1,
      })
    ).json();
    await ts.app.db.query(`UPDATE api_keys SET expires_at = now() - interval '1 minute' WHERE id = $1`, [
      short.apiKey.id,
    ]);
    expect((await withKey(short.key, '/api/v1/register')).statusCode).toBe(401);

    const actions = (
      await ts.app.db.query<{ action: string }>(
        "SELECT action FROM audit_log WHERE action LIKE 'apikey.%' ORDER BY seq",
      )
    ).map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(['apikey.create', 'apikey.rotate', 'apikey.revoke']));
  });
});

describe('ombud apikey', () => {
  const dir = { path: '' };
  beforeAll(async () => {
    dir.path = await mkdtemp(join(tmpdir(), 'ombud-apikey-'));
  });
  afterAll(() => rm(dir.path, { recursive: true, force: true }));

  test('create shows the key once; list shows the prefix and scope; revoke stops it', async () => {
    const prev = process.env.OMBUD_DATA_DIR;
    process.env.OMBUD_DATA_DIR = dir.path;
    try {
      const { io, out, err } = captureIo();
      expect(
        await main(
          [
            'apikey',
            'create',
            '--name',
            'ci',
            '--org',
            'provendo',
            '--permission',
            'register:read',
            '--expires-days',
            '7',
          ],
          io,
        ),
      ).toBe(0);
      const key = out.find((l) => l.startsWith('omb_'))!;
      expect(key).toBeDefined();
      const id = /Created API key ([0-9a-f-]{36})/.exec(out.join('\n'))![1]!;
      out.length = 0;
      expect(await main(['apikey', 'list'], io)).toBe(0);
      expect(out.join('\n')).toContain(id);
      expect(out.join('\n')).toContain('permissions=register:read');
      expect(out.join('\n')).not.toContain(key);
      expect(await main(['apikey', 'revoke', id], io)).toBe(0);
      out.length = 0;
      await main(['apikey', 'list'], io);
      expect(out.join('\n')).toContain('revoked');
      expect(
        await main(
          ['apikey', 'create', '--name', 'bad', '--org', 'provendo', '--permission', 'users:manage'],
          io,
        ),
      ).toBe(1);
      expect(err.join('\n')).toContain("cannot hold 'users:manage'");
    } finally {
      if (prev === undefined) delete process.env.OMBUD_DATA_DIR;
      else process.env.OMBUD_DATA_DIR = prev;
    }
  });
});
