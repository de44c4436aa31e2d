/**
 * The permission matrix, generated from the route table: every route × every role × own/other
 * organization, checked against the running server. The expectation comes from the one policy
 * (src/core/policies/permissions.ts); this proves every route enforces it, before any handler or
 * validation runs. Unauthenticated calls to every non-public route get 401.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildServer } from '../../src/http/server.ts';
import { can, type Principal, ROLES, type Role } from '../../src/core/policies/permissions.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { SAME_ORIGIN, userWithRoles } from './helpers.ts';

const OWN = 'provendo';
const OTHER = 'nestit-sverige';
const DUMMY_UUID = '00000000-0000-4000-8000-000000000000';

let ts: TestServer;
const cookies = new Map<Role, string>();

beforeAll(async () => {
  ts = await startTestServer();
  for (const role of ROLES) {
    const u = await userWithRoles(ts.app, ts.server, `matrix-${role}`, [{ orgId: OWN, role }]);
    cookies.set(role, u.cookie);
  }
}, 60_000);
afterAll(() => ts?.close());

const fill = (url: string, org: string) =>
  url
    .replace(':orgId', org)
    .replace(/:(\w*[iI]d)\b/g, DUMMY_UUID)
    .replace(/:role\b/, 'auditor')
    .replace(/:\w+/g, 'x');

function protectedRoutes() {
  return ts.server.routeTable.filter((r) => r.permission !== 'public');
}

describe('permission matrix', () => {
  test('the route table has protected routes and each is checked', () => {
    expect(protectedRoutes().length).toBeGreaterThan(8);
  });

  test('P21 every route × role × own/other organization is allowed or denied as the policy says', async () => {
    const failures: string[] = [];
    let checked = 0;
    for (const route of protectedRoutes()) {
      const orgs = route.url.includes(':orgId') ? [OWN, OTHER] : [undefined];
      for (const role of ROLES) {
        const principal: Principal = {
          kind: 'user',
          userId: 'x',
          isOwner: false,
          roles: [{ orgId: OWN, role }],
        };
        for (const org of orgs) {
          const expected = can(principal, route.permission, org);
          const res = await ts.server.inject({
            method: route.method as 'GET',
            url: fill(route.url, org ?? OWN),
            headers: { cookie: cookies.get(role)!, ...SAME_ORIGIN, accept: 'application/json' },
            ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { payload: {} }),
          });
          checked++;
          const where = `${route.method} ${route.url} as ${role}@${OWN} on ${org ?? 'group-wide'}`;
          if (res.statusCode >= 500) failures.push(`${where}: ${res.statusCode}`);
          else if (expected && (res.statusCode === 401 || res.statusCode === 403))
            failures.push(`${where}: expected allow, got ${res.statusCode}`);
          else if (!expected && res.statusCode !== 403)
            failures.push(`${where}: expected 403, got ${res.statusCode}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThan(40);
  }, 60_000);

  test('P21 spot checks against the matrix: tenant isolation in practice', async () => {
    const get = (role: Role, url: string) =>
      ts.server.inject({ method: 'GET', url, headers: { cookie: cookies.get(role)! } });
    expect((await get('auditor', `/api/v1/organizations/${OWN}/ropa`)).statusCode).toBe(200);
    expect((await get('auditor', `/api/v1/organizations/${OTHER}/ropa`)).statusCode).toBe(403);
    expect((await get('cs-agent', `/api/v1/organizations/${OWN}/ropa`)).statusCode).toBe(403);
    expect((await get('engineer', '/api/v1/apikeys')).statusCode).toBe(200);
    expect((await get('privacy-agent', '/api/v1/apikeys')).statusCode).toBe(403);
    expect((await get('privacy-agent', '/api/v1/audit')).statusCode).toBe(403);
    expect((await get('dpo', `/api/v1/organizations/${OTHER}/notices`)).statusCode).toBe(403);
  });

  test('an unauthenticated call to any non-public route gets 401, whatever it sends', async () => {
    const wrong: string[] = [];
    for (const route of protectedRoutes()) {
      const res = await ts.server.inject({
        method: route.method as 'GET',
        url: fill(route.url, OWN),
        headers: { accept: 'application/json', ...SAME_ORIGIN },
        ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { payload: { junk: true } }),
      });
      if (res.statusCode !== 401) wrong.push(`${route.method} ${route.url}: ${res.statusCode}`);
      else expect(res.headers['content-type']).toContain('application/problem+json');
    }
    expect(wrong).toEqual([]);
  });

  test('a bad or revoked bearer key is a 401, not a fallback to the session', async () => {
    const res = await ts.server.inject({
      method: 'GET',
      url: '/api/v1/register',
      headers: { authorization: 'Bearer omb_nonsense', cookie: ts.cookie },
    });
    expect(res.statusCode).toBe(401);
  });
});

describe('declared permissions', () => {
  test('a route added without a declared permission stops the server from starting', async () => {
    await expect(
      buildServer(ts.app, {
        logger: false,
        extraRoutes: [
          async (s) => {
            s.get('/api/v1/forgotten', async () => ({ secret: true }));
          },
        ],
      }),
    ).rejects.toThrow(/Routes without a declared permission: GET \/api\/v1\/forgotten/);
  });
});
