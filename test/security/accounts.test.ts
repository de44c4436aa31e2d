import { randomBytes } from 'node:crypto';
import * as OTPAuth from 'otpauth';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { LOCK_MINUTES, MAX_FAILED_LOGINS } from '../../src/services/users/admins.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { PASSWORD, SAME_ORIGIN, userWithRoles } from './helpers.ts';
import { sessionCookie, signIn } from '../support/http.ts';

let ts: TestServer;
let clock = new Date('2026-11-25T10:00:00Z');
beforeAll(async () => {
  ts = await startTestServer({ now: () => clock });
  ts.configure({ secretKeys: `k1:${randomBytes(32).toString('base64')}` });
}, 60_000);
afterAll(() => ts?.close());

const login = (email: string, password: string, code?: string) =>
  signIn(ts.server, { email, password, code });

describe('login throttling', () => {
  test(`after ${MAX_FAILED_LOGINS} wrong passwords the account is locked for ${LOCK_MINUTES} minutes, answering like a wrong password`, async () => {
    await userWithRoles(ts.app, ts.server, 'throttled', [{ orgId: 'provendo', role: 'auditor' }]);
    const email = 'throttled@staff.example';
    for (let i = 0; i < MAX_FAILED_LOGINS; i++)
      expect((await login(email, 'wrong password!!')).statusCode).toBe(401);
    const locked = await login(email, PASSWORD);
    expect(locked.statusCode).toBe(401);
    const wrong = await login(email, 'wrong password!!');
    expect(locked.body).toBe(wrong.body);
    clock = new Date(clock.getTime() + (LOCK_MINUTES + 1) * 60_000);
    expect((await login(email, PASSWORD)).statusCode).toBe(303);
    const actions = await ts.app.db.query<{ action: string }>(
      "SELECT action FROM audit_log WHERE action = 'auth.locked'",
    );
    expect(actions.length).toBe(1);
  });
});

describe('TOTP second factor', () => {
  test('once confirmed, sign-in needs the current code; the seed is stored encrypted', async () => {
    const u = await userWithRoles(ts.app, ts.server, 'totp', [{ orgId: 'provendo', role: 'privacy-agent' }]);
    const h = { cookie: u.cookie, ...SAME_ORIGIN };
    const start = await ts.server.inject({ method: 'POST', url: '/console/account/totp', headers: h });
    expect(start.statusCode).toBe(200);
    const secret = /<p><code>([A-Z2-7]+)<\/code><\/p>/.exec(start.body)![1]!;
    const stored = await ts.app.db.query<{ totp_pending: string }>(
      'SELECT totp_pending FROM users WHERE id = $1',
      [u.userId],
    );
    expect(stored[0]!.totp_pending).toMatch(/^osec1\./);
    expect(stored[0]!.totp_pending).not.toContain(secret);
    const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret) });
    const bad = await ts.server.inject({
      method: 'POST',
      url: '/console/account/totp/confirm',
      headers: h,
      payload: { code: '000000' === totp.generate({ timestamp: clock.getTime() }) ? '111111' : '000000' },
    });
    expect(bad.statusCode).toBe(422);
    const ok = await ts.server.inject({
      method: 'POST',
      url: '/console/account/totp/confirm',
      headers: h,
      payload: { code: totp.generate({ timestamp: clock.getTime() }) },
    });
    expect(ok.statusCode).toBe(303);
    expect((await login('totp@staff.example', PASSWORD)).statusCode).toBe(401);
    const signedIn = await login(
      'totp@staff.example',
      PASSWORD,
      totp.generate({ timestamp: clock.getTime() }),
    );
    expect(signedIn.statusCode).toBe(303);
  });
});

describe('invite, reset, disable', () => {
  test('a provendo DPO invites a person, who sets a password from the link; reset and disable work; other companies stay out of reach', async () => {
    const dpo = await userWithRoles(ts.app, ts.server, 'dpo-p', [{ orgId: 'provendo', role: 'dpo' }]);
    const h = { cookie: dpo.cookie, ...SAME_ORIGIN };
    const inv = await ts.server.inject({
      method: 'POST',
      url: '/api/v1/users/invite',
      headers: h,
      payload: { email: 'new.agent@staff.example', orgId: 'provendo', role: 'cs-agent' },
    });
    expect(inv.statusCode).toBe(201);
    const { userId, inviteUrl } = inv.json();
    const token = new URL(inviteUrl).searchParams.get('token')!;
    expect((await ts.server.inject({ method: 'GET', url: `/console/reset?token=${token}` })).statusCode).toBe(
      200,
    );
    const set = await ts.server.inject({
      method: 'POST',
      url: '/console/reset',
      payload: { token, password: 'my own long password' },
    });
    expect(set.statusCode).toBe(303);
    // Single use.
    const again = await ts.server.inject({
      method: 'POST',
      url: '/console/reset',
      payload: { token, password: 'another long password' },
    });
    expect(again.statusCode).toBe(422);
    const s = await login('new.agent@staff.example', 'my own long password');
    expect(s.statusCode).toBe(303);
    const agentCookie = sessionCookie(s);

    // Not into another company.
    const outside = await ts.server.inject({
      method: 'POST',
      url: '/api/v1/users/invite',
      headers: h,
      payload: { email: 'x@staff.example', orgId: 'bokhylla', role: 'auditor' },
    });
    expect(outside.statusCode).toBe(403);
    // The group owner (no provendo role) is not manageable by a company DPO: 404.
    const owner = await ts.app.db.query<{ id: string }>('SELECT id FROM users WHERE is_owner LIMIT 1');
    expect(
      (await ts.server.inject({ method: 'POST', url: `/api/v1/users/${owner[0]!.id}/disable`, headers: h }))
        .statusCode,
    ).toBe(404);

    const reset = await ts.server.inject({
      method: 'POST',
      url: `/api/v1/users/${userId}/reset`,
      headers: h,
    });
    expect(reset.json().resetUrl).toContain('/console/reset?token=');

    const people = await ts.server.inject({ method: 'GET', url: '/console/users', headers: h });
    expect(people.body).toContain('Customer-service agent at Provendo AS');

    expect(
      (await ts.server.inject({ method: 'POST', url: `/api/v1/users/${userId}/disable`, headers: h }))
        .statusCode,
    ).toBe(204);
    // Sessions end at once; sign-in is refused.
    expect(
      (await ts.server.inject({ method: 'GET', url: '/api/v1/register', headers: { cookie: agentCookie } }))
        .statusCode,
    ).toBe(401);
    expect((await login('new.agent@staff.example', 'my own long password')).statusCode).toBe(401);
    const actions = (
      await ts.app.db.query<{ action: string }>(
        'SELECT action FROM audit_log WHERE target = $1 ORDER BY seq',
        [`user:${userId}`],
      )
    ).map((r) => r.action);
    expect(actions).toEqual(
      expect.arrayContaining(['user.invite', 'user.invite-accepted', 'user.reset-issued', 'user.disable']),
    );
  });
});

describe('console people pages', () => {
  test('a company DPO invites through the form, sees the link once, and disables the person', async () => {
    const dpo = await userWithRoles(ts.app, ts.server, 'dpo-console', [{ orgId: 'bokhylla', role: 'dpo' }]);
    const h = { cookie: dpo.cookie, ...SAME_ORIGIN, 'content-type': 'application/x-www-form-urlencoded' };
    const page = await ts.server.inject({
      method: 'GET',
      url: '/console/users',
      headers: { cookie: dpo.cookie },
    });
    expect(page.body).toContain('<option value="bokhylla">');
    expect(page.body).not.toContain('<option value="provendo">');
    const inv = await ts.server.inject({
      method: 'POST',
      url: '/console/users/invite',
      headers: h,
      payload: 'email=form.person%40staff.example&name=Form+Person&orgId=bokhylla&role=auditor',
    });
    expect(inv.statusCode).toBe(200);
    expect(inv.headers['cache-control']).toBe('no-store');
    expect(inv.body).toMatch(/\/console\/reset\?token=[A-Za-z0-9_-]{43}/);
    expect(inv.body).toContain('Auditor (read-only) at Bokhyllan Nordic AB');
    const [row] = await ts.app.db.query<{ id: string }>('SELECT id FROM users WHERE email = $1', [
      'form.person@staff.example',
    ]);
    const dis = await ts.server.inject({
      method: 'POST',
      url: `/console/users/${row!.id}/disable`,
      headers: h,
      payload: '',
    });
    expect(dis.statusCode).toBe(303);
    const after = await ts.server.inject({
      method: 'GET',
      url: '/console/users',
      headers: { cookie: dpo.cookie },
    });
    expect(after.body).toContain('disabled');
    const listed = await ts.app.db.query("SELECT 1 FROM audit_log WHERE action = 'users.list'");
    expect(listed.length).toBeGreaterThan(0);
  });
});

describe('cross-site request forgery', () => {
  test('cookie-authenticated changes without our own Origin are refused; the same change with it passes', async () => {
    const payload = { email: 'csrf.victim@staff.example', orgId: 'provendo', role: 'auditor' };
    const none = await ts.server.inject({
      method: 'POST',
      url: '/api/v1/users/invite',
      headers: { cookie: ts.cookie },
      payload,
    });
    expect(none.statusCode).toBe(403);
    const foreign = await ts.server.inject({
      method: 'POST',
      url: '/api/v1/users/invite',
      headers: { cookie: ts.cookie, origin: 'https://evil.example', host: 'localhost:80' },
      payload,
    });
    expect(foreign.statusCode).toBe(403);
    expect((await ts.app.db.query('SELECT 1 FROM users WHERE email = $1', [payload.email])).length).toBe(0);
    const own = await ts.server.inject({
      method: 'POST',
      url: '/api/v1/users/invite',
      headers: { cookie: ts.cookie, ...SAME_ORIGIN },
      payload,
    });
    expect(own.statusCode).toBe(201);
  });
});

// Last: it exhausts this server's sign-in allowance for the address.
describe('rate limits', () => {
  test('the sign-in form is rate limited per address', async () => {
    const codes: number[] = [];
    for (let i = 0; i < (ts.app.config.loginRateLimit ?? 30) + 2; i++)
      codes.push((await login('nobody@staff.example', 'whatever whatever')).statusCode);
    expect(codes).toContain(429);
    expect(codes.every((c) => c === 401 || c === 429)).toBe(true);
  });
});
