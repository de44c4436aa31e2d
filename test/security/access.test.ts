/**
 * Access per resource over real rows (issue 11): audit entries of provendo, of nestit-sverige and of no
 * company; people of each company, of both, and the group owner; API keys of each company and of both.
 * Users whose only role is at provendo and a provendo-only API key see and act on provendo's rows only;
 * rows of no company need the permission in every company. Every expected status is written by hand.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createApiKey } from '../../src/services/apikeys/apiKeys.ts';
import { recordAudit, SYSTEM_ACTOR } from '../../src/services/audit/auditLog.ts';
import { groupOf } from '../../src/services/register/group.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { SAME_ORIGIN, userWithRoles } from './helpers.ts';

const OWN = 'provendo';
const OTHER = 'nestit-sverige';

let ts: TestServer;
const cookies = new Map<string, string>();
const people = new Map<string, string>();
let auditKey = '';
const keyIds = new Map<'own' | 'other' | 'both', string>();
let ownerId = '';
let groupOrgs: string[] = [];

const as = (who: string, method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) =>
  ts.server.inject({ method, url, payload, headers: { cookie: cookies.get(who)!, ...SAME_ORIGIN } });
const withKey = (url: string) =>
  ts.server.inject({ method: 'GET', url, headers: { authorization: `Bearer ${auditKey}` } });
const userRow = async (id: string) =>
  (
    await ts.app.db.query<{ disabled_at: Date | null; reset_token_hash: string | null }>(
      'SELECT disabled_at, reset_token_hash FROM users WHERE id = $1',
      [id],
    )
  )[0]!;

beforeAll(async () => {
  ts = await startTestServer();
  groupOrgs = [...(await groupOf(ts.app.registers)).orgIds];
  for (const [orgId, target] of [
    [OWN, 'subject:own-entry'],
    [OTHER, 'subject:other-entry'],
    [null, 'register:group-entry'],
  ] as const)
    await recordAudit(ts.app.db, {
      actor: { kind: 'user', id: 'agent-1' },
      orgId,
      action: 'acc.read',
      target,
    });
  for (const role of ['auditor', 'dpo', 'engineer', 'privacy-agent'] as const)
    cookies.set(role, (await userWithRoles(ts.app, ts.server, `sec-${role}`, [{ orgId: OWN, role }])).cookie);
  cookies.set(
    'auditor-everywhere',
    (
      await userWithRoles(
        ts.app,
        ts.server,
        'sec-auditor-everywhere',
        groupOrgs.map((orgId) => ({ orgId, role: 'auditor' as const })),
      )
    ).cookie,
  );
  cookies.set(
    'dpo-everywhere',
    (
      await userWithRoles(
        ts.app,
        ts.server,
        'sec-dpo-everywhere',
        groupOrgs.map((orgId) => ({ orgId, role: 'dpo' as const })),
      )
    ).cookie,
  );
  // Staff to manage: one of each company, one of both.
  people.set(
    'own',
    (await userWithRoles(ts.app, ts.server, 'staff-own', [{ orgId: OWN, role: 'cs-agent' }])).userId,
  );
  people.set(
    'other',
    (await userWithRoles(ts.app, ts.server, 'staff-other', [{ orgId: OTHER, role: 'cs-agent' }])).userId,
  );
  people.set(
    'both',
    (
      await userWithRoles(ts.app, ts.server, 'staff-both', [
        { orgId: OWN, role: 'cs-agent' },
        { orgId: OTHER, role: 'cs-agent' },
      ])
    ).userId,
  );
  ownerId = (await ts.app.db.query<{ id: string }>('SELECT id FROM users WHERE is_owner LIMIT 1'))[0]!.id;
  auditKey = (
    await createApiKey(ts.app.db, SYSTEM_ACTOR, {
      name: 'provendo audit reader',
      orgIds: [OWN],
      permissions: ['audit:read'],
      expiresInDays: null,
    })
  ).key;
  for (const [label, orgIds] of [
    ['own', [OWN]],
    ['other', [OTHER]],
    ['both', [OWN, OTHER]],
  ] as const) {
    const k = await createApiKey(ts.app.db, SYSTEM_ACTOR, {
      name: `key-${label}`,
      orgIds: [...orgIds],
      permissions: ['register:read'],
      expiresInDays: null,
    });
    keyIds.set(label, k.apiKey.id);
  }
}, 120_000);
afterAll(() => ts?.close());

describe('P21 audit', () => {
  test('P21 a provendo auditor, DPO and audit key see provendo entries only: no other company, no group-wide entry', async () => {
    for (const r of [
      await as('auditor', 'GET', '/api/v1/audit?action=acc.'),
      await as('dpo', 'GET', '/api/v1/audit?action=acc.'),
      await withKey('/api/v1/audit?action=acc.'),
    ]) {
      expect(r.statusCode).toBe(200);
      expect(r.json().map((e: { target: string }) => e.target)).toEqual(['subject:own-entry']);
    }
    const csv = await as('auditor', 'GET', '/api/v1/audit?action=acc.&format=csv');
    expect(csv.statusCode).toBe(200);
    expect(csv.body).toContain('subject:own-entry');
    expect(csv.body).not.toContain('subject:other-entry');
    expect(csv.body).not.toContain('register:group-entry');
    const page = await as('auditor', 'GET', '/console/audit?action=acc.');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('subject:own-entry');
    expect(page.body).not.toContain('subject:other-entry');
    expect(page.body).not.toContain('register:group-entry');
    // Looking up the other company's entry by target finds nothing; asking for the company is refused.
    expect((await as('auditor', 'GET', '/api/v1/audit?target=subject:other-entry')).json()).toEqual([]);
    expect((await as('auditor', 'GET', `/api/v1/audit?org=${OTHER}`)).statusCode).toBe(403);
    expect((await as('auditor', 'GET', `/console/audit?org=${OTHER}`)).statusCode).toBe(403);
    expect((await withKey(`/api/v1/audit?org=${OTHER}`)).statusCode).toBe(403);
    // No audit:read at all.
    expect((await as('engineer', 'GET', '/api/v1/audit')).statusCode).toBe(403);
    expect((await as('privacy-agent', 'GET', '/console/audit')).statusCode).toBe(403);
  });

  test('P21 entries of no company are shown to an auditor of every company and to the group owner', async () => {
    const everywhere = await as('auditor-everywhere', 'GET', '/api/v1/audit?action=acc.');
    expect(everywhere.json().map((e: { target: string }) => e.target)).toEqual([
      'register:group-entry',
      'subject:other-entry',
      'subject:own-entry',
    ]);
    const page = await as('auditor-everywhere', 'GET', '/console/audit?action=acc.');
    expect(page.body).toContain('register:group-entry');
    const owner = await ts.server.inject({
      method: 'GET',
      url: '/api/v1/audit?action=acc.',
      headers: { cookie: ts.cookie },
    });
    expect(owner.json()).toHaveLength(3);
  });
});

describe('P21 people', () => {
  test('P21 a provendo DPO lists only people all of whose roles are at provendo', async () => {
    const r = await as('dpo', 'GET', '/api/v1/users');
    expect(r.statusCode).toBe(200);
    const ids = r.json().map((p: { id: string }) => p.id);
    expect(ids).toContain(people.get('own'));
    expect(ids).not.toContain(people.get('other'));
    expect(ids).not.toContain(people.get('both'));
    expect(ids).not.toContain(ownerId);
    expect(r.body).not.toContain('staff-other@');
    expect(r.body).not.toContain('staff-both@');
    expect(r.body).not.toContain(OTHER);
    const page = await as('dpo', 'GET', '/console/users');
    expect(page.body).toContain('staff-own@');
    expect(page.body).not.toContain('staff-other@');
    expect(page.body).not.toContain('staff-both@');
  });

  test('P21 reset, disable and role grants on other companies people are not found, and change nothing', async () => {
    for (const id of [people.get('other')!, people.get('both')!, ownerId]) {
      for (const path of ['reset', 'disable']) {
        expect((await as('dpo', 'POST', `/api/v1/users/${id}/${path}`)).statusCode).toBe(404);
        expect((await as('dpo', 'POST', `/console/users/${id}/${path}`)).statusCode).toBe(404);
      }
      expect(await userRow(id)).toEqual({ disabled_at: null, reset_token_hash: null });
    }
    const grant = await as('dpo', 'POST', `/api/v1/organizations/${OWN}/roles`, {
      userId: people.get('other'),
      role: 'auditor',
    });
    expect(grant.statusCode).toBe(404);
    expect(
      (
        await ts.app.db.query('SELECT 1 FROM role_assignments WHERE user_id = $1 AND org_id = $2', [
          people.get('other'),
          OWN,
        ])
      ).length,
    ).toBe(0);
    // Inviting into another company is refused.
    const invite = await as('dpo', 'POST', '/api/v1/users/invite', {
      email: 'someone@staff.example',
      orgId: OTHER,
      role: 'auditor',
    });
    expect(invite.statusCode).toBe(403);
    expect((await ts.app.db.query(`SELECT 1 FROM users WHERE email = 'someone@staff.example'`)).length).toBe(
      0,
    );
  });

  test('P21 a DPO of every company manages a person of both companies, but not the group owner', async () => {
    expect((await as('dpo-everywhere', 'POST', `/api/v1/users/${people.get('both')}/reset`)).statusCode).toBe(
      200,
    );
    expect((await as('dpo-everywhere', 'POST', `/api/v1/users/${ownerId}/disable`)).statusCode).toBe(403);
    expect((await userRow(ownerId)).disabled_at).toBeNull();
  });

  test('P21 the provendo DPO still manages provendo people', async () => {
    const id = people.get('own')!;
    expect((await as('dpo', 'POST', `/api/v1/users/${id}/reset`)).statusCode).toBe(200);
    expect(
      (await as('dpo', 'POST', `/api/v1/organizations/${OWN}/roles`, { userId: id, role: 'auditor' }))
        .statusCode,
    ).toBe(201);
    expect((await as('dpo', 'POST', `/api/v1/users/${id}/disable`)).statusCode).toBe(204);
    expect((await userRow(id)).disabled_at).not.toBeNull();
  });
});

describe('P21 API keys', () => {
  test('P21 a provendo engineer lists, rotates and revokes provendo keys only', async () => {
    const list = await as('engineer', 'GET', '/api/v1/apikeys');
    expect(list.statusCode).toBe(200);
    const ids = list.json().map((k: { id: string }) => k.id);
    expect(ids).toContain(keyIds.get('own'));
    expect(ids).not.toContain(keyIds.get('other'));
    expect(ids).not.toContain(keyIds.get('both'));
    expect(list.body).not.toContain(OTHER);
    for (const label of ['other', 'both'] as const) {
      const id = keyIds.get(label)!;
      expect((await as('engineer', 'POST', `/api/v1/apikeys/${id}/rotate`)).statusCode).toBe(404);
      expect((await as('engineer', 'DELETE', `/api/v1/apikeys/${id}`)).statusCode).toBe(404);
    }
    const untouched = await ts.app.db.query<{ revoked_at: Date | null }>(
      'SELECT revoked_at FROM api_keys WHERE id = ANY($1::uuid[])',
      [[keyIds.get('other'), keyIds.get('both')]],
    );
    expect(untouched.map((k) => k.revoked_at)).toEqual([null, null]);
    expect(
      (
        await ts.app.db.query('SELECT 1 FROM api_keys WHERE rotated_from = ANY($1::uuid[])', [
          [keyIds.get('other'), keyIds.get('both')],
        ])
      ).length,
    ).toBe(0);
    // A key for another company cannot be created either.
    const create = await as('engineer', 'POST', '/api/v1/apikeys', {
      name: 'sneaky',
      orgIds: [OTHER],
      permissions: ['register:read'],
    });
    expect(create.statusCode).toBe(403);
    // Its own company's keys: rotate and revoke work.
    expect((await as('engineer', 'POST', `/api/v1/apikeys/${keyIds.get('own')}/rotate`)).statusCode).toBe(
      201,
    );
    expect((await as('engineer', 'DELETE', `/api/v1/apikeys/${keyIds.get('own')}`)).statusCode).toBe(200);
  });
});
