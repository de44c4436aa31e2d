/**
 * The audit log's actor lookup finds only actors the caller's audit log can show (issue 16, item 2):
 * an auditor of Provendo finds Provendo's staff, the group's owners and keys reaching Provendo, and learns
 * nothing of Bokhylla's staff or keys (not even that a name or e-mail address exists there); an auditor
 * of the whole group finds everyone. Expectations are written by hand over real rows.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SYSTEM_ACTOR } from '../../src/services/audit/auditLog.ts';
import { createApiKey } from '../../src/services/apikeys/apiKeys.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { SAME_ORIGIN, userWithRoles } from './helpers.ts';

let ts: TestServer;
let provendoAuditor: { userId: string; cookie: string };
let groupAuditor: { userId: string; cookie: string };
let pia: { userId: string };
let bo: { userId: string };
let owner: string;
let provendoKey: string;
let bokhyllaKey: string;

beforeAll(async () => {
  ts = await startTestServer();
  provendoAuditor = await userWithRoles(ts.app, ts.server, 'aud-p', [{ orgId: 'provendo', role: 'auditor' }]);
  groupAuditor = await userWithRoles(ts.app, ts.server, 'aud-g', [
    { orgId: 'provendo', role: 'auditor' },
    { orgId: 'bokhylla', role: 'auditor' },
  ]);
  pia = await userWithRoles(ts.app, ts.server, 'pia', [{ orgId: 'provendo', role: 'cs-agent' }]);
  bo = await userWithRoles(ts.app, ts.server, 'bo', [{ orgId: 'bokhylla', role: 'cs-agent' }]);
  await ts.app.db.query(`UPDATE users SET name = 'Pia Skogsberg' WHERE id = $1`, [pia.userId]);
  await ts.app.db.query(`UPDATE users SET name = 'Bo Skogsberg' WHERE id = $1`, [bo.userId]);
  const [o] = await ts.app.db.query<{ id: string }>(
    `UPDATE users SET name = 'Olle Skogsberg' WHERE is_owner RETURNING id::text`,
  );
  owner = o!.id;
  provendoKey = (
    await createApiKey(ts.app.db, SYSTEM_ACTOR, {
      name: 'skogsberg sync provendo',
      orgIds: ['provendo'],
      permissions: ['register:read'],
    })
  ).apiKey.id;
  bokhyllaKey = (
    await createApiKey(ts.app.db, SYSTEM_ACTOR, {
      name: 'skogsberg sync bokhylla',
      orgIds: ['bokhylla'],
      permissions: ['register:read'],
    })
  ).apiKey.id;
}, 60_000);
afterAll(async () => {
  await ts?.close();
});

const lookup = (who: string, cookie: string) =>
  ts.server.inject({
    method: 'POST',
    url: '/console/audit/actor',
    headers: { cookie, ...SAME_ORIGIN, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ who }).toString(),
  });
/** The actor ids a lookup offers: one in the redirect, several as links on the page. */
const found = async (who: string, cookie: string): Promise<string[]> => {
  const res = await lookup(who, cookie);
  if (res.statusCode === 303)
    return [decodeURIComponent(/actor=([^&]+)/.exec(res.headers.location as string)![1]!)];
  expect(res.statusCode).toBe(200);
  return [
    ...new Set(
      [...res.body.matchAll(/actor=((?:user|api-key)%3A[0-9a-f-]{36})/g)].map((m) =>
        decodeURIComponent(m[1]!),
      ),
    ),
  ].sort();
};

describe('the audit actor lookup stays within the caller’s companies', () => {
  test('a Provendo auditor finds Provendo’s staff, the owners and Provendo’s keys, not Bokhylla’s', async () => {
    expect(await found('skogsberg', provendoAuditor.cookie)).toEqual(
      [`api-key:${provendoKey}`, `user:${owner}`, `user:${pia.userId}`].sort(),
    );
    // Bo's e-mail address, typed exactly, finds no one: the page does not tell that he exists.
    expect(await found('bo@staff.example', provendoAuditor.cookie)).toEqual([]);
    expect(await found('pia@staff.example', provendoAuditor.cookie)).toEqual([`user:${pia.userId}`]);
  });

  test('an auditor of both companies, and the owner, find everyone so named', async () => {
    const everyone = [
      `api-key:${bokhyllaKey}`,
      `api-key:${provendoKey}`,
      `user:${bo.userId}`,
      `user:${owner}`,
      `user:${pia.userId}`,
    ].sort();
    expect(await found('skogsberg', groupAuditor.cookie)).toEqual(everyone);
    expect(await found('skogsberg', ts.cookie)).toEqual(everyone);
    expect(await found('bo@staff.example', groupAuditor.cookie)).toEqual([`user:${bo.userId}`]);
  });
});
