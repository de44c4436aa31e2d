/**
 * Single sign-on (issue 18 part 1) against a real OpenID Connect provider (`oidc-provider`, started here on
 * 127.0.0.1, test/security/oidcProvider.ts) and a listening Ombud, driven over HTTP like a browser: each
 * redirect followed by hand, with the cookies each answer sets. Ombud's providers come from a providers
 * file through loadConfig, as at a real start. The roles each person should get are a table written by
 * hand from the mapping below; the provider's accounts change between sign-ins as a directory would.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { SYSTEM_ACTOR } from '../../src/services/audit/auditLog.ts';
import { grantRole } from '../../src/services/users/roles.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { type IdpAccount, startTestIdp, type TestIdp } from './oidcProvider.ts';

const SECRET = 'ombud-client-secret-0123456789abcdef';
const OTHER_SECRET = 'other-app-secret-0123456789abcdef';

let ts: TestServer;
let idp: TestIdp;
let ombud: string;
let providersFile: string;

/** The providers file, as an operator writes it (docs/sso.md). */
const providersYaml = (issuer: string, mixedIssuer: string) => `
providers:
  - id: corp
    name: NestIT ID
    issuer: ${issuer}
    clientId: ombud
    clientSecretEnv: OMBUD_TEST_SSO_SECRET
    scopes: [openid, email, profile, groups]
    claim: groups
    mapping:
      - { value: privacy-team, company: provendo, role: privacy-agent }
      - { value: privacy-team, company: nestit-sverige, role: auditor }
      - { value: customer-service, company: provendo, role: cs-agent }
      - { value: customer-service, company: bokhylla, role: cs-agent }
      - { value: ombud-admins, owner: true }
  - id: mixed
    name: Mixed-up ID
    issuer: ${mixedIssuer}
    clientId: ombud
    clientSecretEnv: OMBUD_TEST_SSO_SECRET
    scopes: [openid, email, profile, groups]
    mapping:
      - { value: privacy-team, company: provendo, role: privacy-agent }
`;

const account = (sub: string, groups: string[]): IdpAccount => ({
  sub,
  email: `${sub}@corp.example`,
  name: `Person ${sub}`,
  groups,
});

beforeAll(async () => {
  ts = await startTestServer({ config: { loginRateLimit: 1000 } });
  ombud = (await ts.server.listen({ port: 0, host: '127.0.0.1' })).replace('localhost', '127.0.0.1');
  const callback = (id: string) => `${ombud}/console/sso/${id}/callback`;
  idp = await startTestIdp([
    {
      client_id: 'ombud',
      client_secret: SECRET,
      redirect_uris: [callback('corp'), callback('mixed')],
      post_logout_redirect_uris: [`${ombud}/console/login`],
    },
    { client_id: 'other-app', client_secret: OTHER_SECRET, redirect_uris: [callback('corp')] },
  ]);
  providersFile = join(mkdtempSync(join(tmpdir(), 'ombud-sso-')), 'providers.yaml');
  writeFileSync(providersFile, providersYaml(idp.issuer, idp.mixedIssuer));
  const config = loadConfig({ OMBUD_OIDC_PROVIDERS: providersFile, OMBUD_TEST_SSO_SECRET: SECRET });
  ts.configure({ publicUrl: ombud, sso: config.sso });
}, 60_000);
afterAll(async () => {
  await ts?.close();
  await idp?.close();
});

/** A browser: one cookie jar, redirects followed by hand. */
class Browser {
  readonly jar = new Map<string, string>();
  async go(url: string, init: { method?: string; body?: string; headers?: Record<string, string> } = {}) {
    const res = await fetch(url, {
      method: init.method ?? 'GET',
      redirect: 'manual',
      body: init.body,
      headers: {
        accept: 'text/html',
        ...(init.body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        ...(this.jar.size ? { cookie: [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ') } : {}),
        ...init.headers,
      },
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair, ...attrs] = c.split(';');
      const i = pair!.indexOf('=');
      const name = pair!.slice(0, i).trim();
      const value = pair!.slice(i + 1).trim();
      const gone = value === '' || attrs.some((a) => /^\s*(max-age=0|expires=thu, 01 jan 1970)/i.test(a));
      if (gone) this.jar.delete(name);
      else this.jar.set(name, value);
    }
    return { status: res.status, location: res.headers.get('location'), body: await res.text() };
  }
}

type Flow = {
  /** Change the authorization request before the browser follows it (e.g. another client_id). */
  tamperAuthorization?: (url: URL) => void;
  /** Change the provider's redirect back to Ombud before the browser follows it. */
  tamperCallback?: (url: URL) => void;
};

/** One sign-in through a provider as `sub`: start → provider → login → back to Ombud's callback. */
async function signInThrough(provider: string, sub: string, browser = new Browser(), flow: Flow = {}) {
  const start = await browser.go(`${ombud}/console/sso/${provider}/start`);
  expect(start.status).toBe(303);
  const auth = new URL(start.location!);
  flow.tamperAuthorization?.(auth);
  const toLogin = await browser.go(auth.href);
  expect(toLogin.status).toBe(303);
  const interaction = new URL(toLogin.location!, auth);
  const loggedIn = await browser.go(`${interaction.href}/login`, { method: 'POST', body: `account=${sub}` });
  expect(loggedIn.status).toBe(303);
  const resume = await browser.go(new URL(loggedIn.location!, interaction).href);
  expect(resume.status).toBe(303);
  const callbackUrl = new URL(resume.location!);
  expect(callbackUrl.href.startsWith(`${ombud}/console/sso/${provider}/callback?`)).toBe(true);
  flow.tamperCallback?.(callbackUrl);
  const ssoCookie = browser.jar.get('ombud_sso');
  const callback = await browser.go(callbackUrl.href);
  return { browser, callback, callbackUrl: callbackUrl.href, ssoCookie };
}

const userOf = async (sub: string, provider = 'corp') =>
  (
    await ts.app.db.query<{ user_id: string; is_owner: boolean }>(
      `SELECT i.user_id, u.is_owner FROM sso_identities i JOIN users u ON u.id = i.user_id
        WHERE i.provider = $1 AND i.subject = $2`,
      [provider, sub],
    )
  )[0];

/** A person's roles as "company role" strings, sorted (from the table itself, not from the code). */
const rolesOfUser = async (userId: string) =>
  (
    await ts.app.db.query<{ org_id: string; role: string }>(
      'SELECT org_id, role FROM role_assignments WHERE user_id = $1',
      [userId],
    )
  )
    .map((r) => `${r.org_id} ${r.role}`)
    .sort();

const auditOf = (action: string, target?: string) =>
  ts.app.db.query<{ target: string | null; org_id: string | null; details: Record<string, unknown> }>(
    `SELECT target, org_id, details FROM audit_log WHERE action = $1 ${target ? 'AND target = $2' : ''} ORDER BY seq`,
    target ? [action, target] : [action],
  );

const refusals = async () =>
  (await auditOf('sso.refused')).map(
    (r) => r.details as { provider: string; reason: string; claim?: string },
  );

describe('single sign-on through a real OpenID Connect provider', () => {
  test('sign-in end to end: a new person gets an account and a session, and the console answers 200', async () => {
    idp.accounts.set('ada', account('ada', ['privacy-team']));
    const { browser, callback } = await signInThrough('corp', 'ada');
    expect(callback.status).toBe(303);
    expect(callback.location).toBe('/console');
    expect(browser.jar.has('ombud_session')).toBe(true);
    expect(browser.jar.has('ombud_sso')).toBe(false);
    const page = await browser.go(`${ombud}/console`);
    expect(page.status).toBe(200);
    const u = await userOf('ada');
    expect(u).toBeDefined();
    expect(await auditOf('sso.user-created', `user:${u!.user_id}`)).toHaveLength(1);
    expect((await auditOf('sso.login', `user:${u!.user_id}`)).map((r) => r.details)).toEqual([
      { provider: 'corp' },
    ]);
    // The account holds the address the provider gave, and the session is marked as the provider's.
    const row = await ts.app.db.query<{ email: string; name: string }>(
      'SELECT email, name FROM users WHERE id = $1',
      [u!.user_id],
    );
    expect(row[0]).toEqual({ email: 'ada@corp.example', name: 'Person ada' });
  });

  // Written by hand from the mapping of providersYaml: what each person's groups give them.
  const EXPECTED: { sub: string; groups: string[]; roles: string[]; owner: boolean }[] = [
    {
      sub: 'bo',
      groups: ['privacy-team'],
      roles: ['nestit-sverige auditor', 'provendo privacy-agent'],
      owner: false,
    },
    {
      sub: 'cy',
      groups: ['customer-service', 'not-mapped'],
      roles: ['bokhylla cs-agent', 'provendo cs-agent'],
      owner: false,
    },
    {
      sub: 'dag',
      groups: ['privacy-team', 'customer-service'],
      roles: ['bokhylla cs-agent', 'nestit-sverige auditor', 'provendo cs-agent', 'provendo privacy-agent'],
      owner: false,
    },
    { sub: 'eir', groups: ['ombud-admins'], roles: [], owner: true },
  ];

  test.each(EXPECTED)('role mapping: $sub with $groups gets exactly $roles (owner: $owner)', async (row) => {
    idp.accounts.set(row.sub, account(row.sub, row.groups));
    const { callback } = await signInThrough('corp', row.sub);
    expect(callback.status).toBe(303);
    const u = await userOf(row.sub);
    expect(await rolesOfUser(u!.user_id)).toEqual(row.roles);
    expect(u!.is_owner).toBe(row.owner);
    const granted = (await auditOf('role.grant', `user:${u!.user_id}`)).map(
      (r) => `${r.org_id} ${(r.details as { role: string }).role}`,
    );
    expect(granted.sort()).toEqual(row.roles);
  });

  test('a person none of whose groups is mapped is refused, and no account is made', async () => {
    idp.accounts.set('fia', account('fia', ['marketing']));
    const before = (await refusals()).length;
    const { browser, callback } = await signInThrough('corp', 'fia');
    expect(callback.status).toBe(403);
    expect(callback.body).toContain('none of your groups');
    expect(browser.jar.has('ombud_session')).toBe(false);
    expect(await userOf('fia')).toBeUndefined();
    expect((await refusals()).slice(before)).toEqual([{ provider: 'corp', reason: 'no-role' }]);
  });

  test('an ID token for another client (wrong audience) is refused', async () => {
    idp.accounts.set('gus', account('gus', ['privacy-team']));
    const before = (await refusals()).length;
    const sessions = await ts.app.db.query('SELECT id FROM sessions');
    // The browser asks for a code for other-app; the token endpoint answers with other-app's ID token.
    idp.swapTokenClient = { clientId: 'other-app', secret: OTHER_SECRET };
    try {
      const { browser, callback } = await signInThrough('corp', 'gus', new Browser(), {
        tamperAuthorization: (u) => u.searchParams.set('client_id', 'other-app'),
      });
      expect(callback.status).toBe(401);
      expect(browser.jar.has('ombud_session')).toBe(false);
    } finally {
      idp.swapTokenClient = undefined;
    }
    expect(await userOf('gus')).toBeUndefined();
    expect(await ts.app.db.query('SELECT id FROM sessions')).toHaveLength(sessions.length);
    expect((await refusals()).slice(before)).toEqual([
      {
        provider: 'corp',
        reason: 'id-token-invalid',
        claim: 'aud',
        error: 'OAUTH_JWT_CLAIM_COMPARISON_FAILED',
      },
    ]);
  });

  test('an ID token from another issuer than the configured one is refused', async () => {
    idp.accounts.set('hal', account('hal', ['privacy-team']));
    const before = (await refusals()).length;
    const { browser, callback } = await signInThrough('mixed', 'hal', new Browser(), {
      // Without the response's iss parameter, the ID token's own iss is what must be checked.
      tamperCallback: (u) => u.searchParams.delete('iss'),
    });
    expect(callback.status).toBe(401);
    expect(browser.jar.has('ombud_session')).toBe(false);
    expect(await userOf('hal', 'mixed')).toBeUndefined();
    expect((await refusals()).slice(before)).toEqual([
      {
        provider: 'mixed',
        reason: 'id-token-invalid',
        claim: 'iss',
        error: 'OAUTH_JWT_CLAIM_COMPARISON_FAILED',
      },
    ]);
  });

  test('a callback URL used a second time (replayed state) is refused and starts no session', async () => {
    idp.accounts.set('ivo', account('ivo', ['customer-service']));
    const first = await signInThrough('corp', 'ivo');
    expect(first.callback.status).toBe(303);
    const sessions = await ts.app.db.query('SELECT id FROM sessions');
    const before = (await refusals()).length;
    // The same browser with the very cookie it had at the callback (cleared since), the same URL; and a
    // browser with a cookie of its own.
    expect(first.ssoCookie).toBeDefined();
    first.browser.jar.set('ombud_sso', first.ssoCookie!);
    const replayer = new Browser();
    replayer.jar.set('ombud_sso', 'whatever-the-browser-had');
    const again = await first.browser.go(first.callbackUrl);
    const elsewhere = await replayer.go(first.callbackUrl);
    for (const r of [again, elsewhere]) {
      expect(r.status).toBe(401);
      expect(r.body).toContain('used already');
    }
    expect(replayer.jar.has('ombud_session')).toBe(false);
    expect(await ts.app.db.query('SELECT id FROM sessions')).toHaveLength(sessions.length);
    expect((await refusals()).slice(before)).toEqual([
      { provider: 'corp', reason: 'state-unknown' },
      { provider: 'corp', reason: 'state-unknown' },
    ]);
  });

  test('a callback in another browser than the one that started the sign-in is refused', async () => {
    idp.accounts.set('jon', account('jon', ['customer-service']));
    const before = (await refusals()).length;
    // A sign-in started in one browser and its callback opened in another (login CSRF): refused.
    const victim = new Browser();
    const attacker = new Browser();
    const start = await attacker.go(`${ombud}/console/sso/corp/start`);
    const auth = new URL(start.location!);
    const toLogin = await attacker.go(auth.href);
    const interaction = new URL(toLogin.location!, auth);
    const loggedIn = await attacker.go(`${interaction.href}/login`, { method: 'POST', body: 'account=jon' });
    const resume = await attacker.go(new URL(loggedIn.location!, interaction).href);
    const forged = await victim.go(resume.location!);
    expect(forged.status).toBe(401);
    expect(victim.jar.has('ombud_session')).toBe(false);
    expect((await refusals()).slice(before)).toEqual([{ provider: 'corp', reason: 'state-unknown' }]);
  });

  test('a group removed at the provider loses its roles at the next sign-in; roles granted by hand stay', async () => {
    idp.accounts.set('kim', account('kim', ['privacy-team', 'customer-service']));
    const first = await signInThrough('corp', 'kim');
    expect(first.callback.status).toBe(303);
    const u = (await userOf('kim'))!;
    await grantRole(ts.app.db, SYSTEM_ACTOR, { userId: u.user_id, orgId: 'nestit-group', role: 'auditor' });
    expect(await rolesOfUser(u.user_id)).toEqual([
      'bokhylla cs-agent',
      'nestit-group auditor',
      'nestit-sverige auditor',
      'provendo cs-agent',
      'provendo privacy-agent',
    ]);
    idp.accounts.set('kim', account('kim', ['customer-service']));
    const second = await signInThrough('corp', 'kim');
    expect(second.callback.status).toBe(303);
    expect(await rolesOfUser(u.user_id)).toEqual([
      'bokhylla cs-agent',
      'nestit-group auditor',
      'provendo cs-agent',
    ]);
    const revoked = (await auditOf('role.revoke', `user:${u.user_id}`)).map(
      (r) => `${r.org_id} ${(r.details as { role: string }).role}`,
    );
    expect(revoked.sort()).toEqual(['nestit-sverige auditor', 'provendo privacy-agent']);
  });

  test('a person whose last mapped group is removed loses access at the next sign-in, sessions included', async () => {
    idp.accounts.set('lea', account('lea', ['privacy-team']));
    const first = await signInThrough('corp', 'lea');
    expect(first.callback.status).toBe(303);
    expect((await first.browser.go(`${ombud}/console/requests`)).status).toBe(200);
    const u = (await userOf('lea'))!;
    idp.accounts.set('lea', account('lea', []));
    const before = (await refusals()).length;
    const second = await signInThrough('corp', 'lea');
    expect(second.callback.status).toBe(403);
    expect(second.browser.jar.has('ombud_session')).toBe(false);
    expect(await rolesOfUser(u.user_id)).toEqual([]);
    // The session of the first sign-in is over too.
    const old = await first.browser.go(`${ombud}/console/requests`);
    expect(old.status).toBe(302);
    expect(old.location).toMatch(/^\/console\/login/);
    expect((await refusals()).slice(before)).toEqual([{ provider: 'corp', reason: 'no-role' }]);
  });

  test('a disabled account is refused even when its groups are still mapped', async () => {
    idp.accounts.set('max', account('max', ['privacy-team']));
    expect((await signInThrough('corp', 'max')).callback.status).toBe(303);
    const u = (await userOf('max'))!;
    await ts.app.db.query('UPDATE users SET disabled_at = now() WHERE id = $1', [u.user_id]);
    const again = await signInThrough('corp', 'max');
    expect(again.callback.status).toBe(403);
    expect(again.browser.jar.has('ombud_session')).toBe(false);
  });

  test('the account is linked by provider and sub, not by e-mail: an existing address is not taken over', async () => {
    // The demo's group owner has a password account; a provider person with the same address is refused.
    idp.accounts.set('nia', {
      sub: 'nia',
      email: 'dpo@nestit.example',
      name: 'Nia',
      groups: ['ombud-admins'],
    });
    const { callback } = await signInThrough('corp', 'nia');
    expect(callback.status).toBe(409);
    expect(await userOf('nia')).toBeUndefined();
    const owner = await ts.app.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM sso_identities i JOIN users u ON u.id = i.user_id WHERE u.email = 'dpo@nestit.example'",
    );
    expect(owner[0]!.n).toBe(0);
  });

  test('sign-out ends the Ombud session and offers the provider end-session', async () => {
    idp.accounts.set('ole', account('ole', ['privacy-team']));
    const { browser } = await signInThrough('corp', 'ole');
    const cookie = browser.jar.get('ombud_session')!;
    const out = await browser.go(`${ombud}/console/logout`, { method: 'POST', headers: { origin: ombud } });
    expect(out.status).toBe(303);
    expect(out.location).toBe('/console/login?signed-out=corp');
    expect(browser.jar.has('ombud_session')).toBe(false);
    // The old cookie no longer opens the console.
    const stale = new Browser();
    stale.jar.set('ombud_session', cookie);
    expect((await stale.go(`${ombud}/console`)).status).toBe(302);
    const login = await browser.go(`${ombud}${out.location}`);
    expect(login.body).toContain('href="/console/sso/corp/end-session"');
    const end = await browser.go(`${ombud}/console/sso/corp/end-session`);
    expect(end.status).toBe(303);
    const endUrl = new URL(end.location!);
    expect(`${endUrl.origin}${endUrl.pathname}`).toBe(`${idp.issuer}/session/end`);
    expect(endUrl.searchParams.get('client_id')).toBe('ombud');
    expect(endUrl.searchParams.get('post_logout_redirect_uri')).toBe(`${ombud}/console/login`);
    // The provider accepts it (its logout confirmation page).
    expect((await browser.go(endUrl.href)).status).toBe(200);
  });

  test('the console shows the mapping, read-only from the configuration, to managers of people', async () => {
    const page = await ts.server.inject({
      method: 'GET',
      url: '/console/users/sso',
      headers: { cookie: ts.cookie },
    });
    expect(page.statusCode).toBe(200);
    const corp = /<section class="card" data-provider="corp">([\s\S]*?)<\/section>/.exec(page.body)![1]!;
    const rows = [
      ...corp.matchAll(/<tr><td><code>([^<]+)<\/code><\/td><td>([^<]+)<\/td><td>.*?>([a-z -]+)<\/span>/g),
    ].map((m) => `${m[1]} ${m[2]!.trim()} ${m[3]}`);
    expect(rows).toEqual([
      'privacy-team provendo privacy-agent',
      'privacy-team nestit-sverige auditor',
      'customer-service provendo cs-agent',
      'customer-service bokhylla cs-agent',
      'ombud-admins every company group owner',
    ]);
    expect(corp).toContain(`${ombud}/console/sso/corp/callback`);
    // The sign-in page has a button per provider.
    const login = await ts.server.inject({ method: 'GET', url: '/console/login' });
    expect(login.body).toContain('href="/console/sso/corp/start"');
    expect(login.body).toContain('Sign in with NestIT ID');
    expect(login.body).toContain('Sign in with Mixed-up ID');
  });

  test('the audit entries of single sign-on carry ids and codes, never a person’s address, name or sub', async () => {
    const rows = await ts.app.db.query<{ action: string; target: string | null; details: unknown }>(
      "SELECT action, target, details FROM audit_log WHERE actor = 'system:sso' OR action LIKE 'sso.%'",
    );
    expect(rows.length).toBeGreaterThan(20);
    const text = JSON.stringify(rows);
    for (const sub of idp.accounts.keys()) {
      expect(text).not.toContain(`${sub}@corp.example`);
      expect(text).not.toContain(`Person ${sub}`);
      expect(text).not.toContain(`"${sub}"`);
    }
  });
});

describe('SSO-only mode', () => {
  beforeAll(() => ts.configure({ sso: { ...ts.app.config.sso!, only: true } }));
  afterAll(() => ts.configure({ sso: { ...ts.app.config.sso!, only: false } }));

  test('password sign-in is refused with a clear problem, and the page has no password form', async () => {
    const json = await ts.server.inject({
      method: 'POST',
      url: '/console/login',
      payload: { email: 'dpo@nestit.example', password: 'correct horse battery staple' },
    });
    expect(json.statusCode).toBe(403);
    expect(json.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(json.json()).toMatchObject({ code: 'sso-only', status: 403 });
    expect(json.headers['set-cookie']).toBeUndefined();
    const page = await ts.server.inject({
      method: 'POST',
      url: '/console/login',
      headers: { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'email=dpo%40nestit.example&password=correct+horse+battery+staple',
    });
    expect(page.statusCode).toBe(403);
    expect(page.body).toContain('Password sign-in is turned off');
    const login = await ts.server.inject({ method: 'GET', url: '/console/login' });
    expect(login.body).not.toContain('type="password"');
    expect(login.body).toContain('href="/console/sso/corp/start"');
  });

  test('password links and invitations are refused; single sign-on still works', async () => {
    const h = { cookie: ts.cookie, origin: 'http://localhost:80', host: 'localhost:80' };
    const invite = await ts.server.inject({
      method: 'POST',
      url: '/api/v1/users/invite',
      headers: h,
      payload: { email: 'new@staff.example', orgId: 'provendo', role: 'auditor' },
    });
    expect(invite.statusCode).toBe(403);
    expect(invite.json()).toMatchObject({ code: 'sso-only' });
    const reset = await ts.server.inject({ method: 'GET', url: `/console/reset?token=${'a'.repeat(43)}` });
    expect(reset.statusCode).toBe(403);
    expect(reset.body).toContain('Setting a password is turned off');
    const users = await ts.app.db.query("SELECT 1 FROM users WHERE email = 'new@staff.example'");
    expect(users).toHaveLength(0);
    idp.accounts.set('pia', account('pia', ['customer-service']));
    const { browser, callback } = await signInThrough('corp', 'pia');
    expect(callback.status).toBe(303);
    expect((await browser.go(`${ombud}/console/requests`)).status).toBe(200);
  });
});

describe('the providers file', () => {
  const write = (text: string) => {
    const f = join(mkdtempSync(join(tmpdir(), 'ombud-sso-bad-')), 'providers.yaml');
    writeFileSync(f, text);
    return f;
  };
  const good = (over: string) => `
providers:
  - id: corp
    name: Corp
    issuer: https://login.corp.example
    clientId: ombud
    clientSecret: s3cr3t-value-never-shown
${over}`;

  // Each bad file, and what the message must name (written by hand).
  const BAD: [string, string, string][] = [
    ['no mapping', good(''), 'providers[0].mapping'],
    [
      'http off the loopback interface',
      good('    mapping: [{ value: a, company: provendo, role: dpo }]').replace(
        'https://login',
        'http://login',
      ),
      'providers[0].issuer: must be an https URL',
    ],
    [
      'an unknown role',
      good('    mapping: [{ value: a, company: provendo, role: admin }]'),
      'providers[0].mapping[0]',
    ],
    [
      'a misspelt field',
      good('    mapping: [{ value: a, company: provendo, role: dpo }]\n    claims: groups'),
      'providers[0]: Unrecognized key: "claims"',
    ],
    [
      'scopes without openid',
      good('    scopes: [email]\n    mapping: [{ value: a, company: provendo, role: dpo }]'),
      "providers[0].scopes: must include 'openid'",
    ],
  ];

  test.each(BAD)('%s: refused at start, naming the field and never the secret', (_what, text, names) => {
    let message = '';
    try {
      loadConfig({ OMBUD_OIDC_PROVIDERS: write(text) });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain(names);
    expect(message).not.toContain('s3cr3t');
  });

  test('a secret taken from the environment must be set; SSO-only needs a providers file', () => {
    const f = write(
      good('    mapping: [{ value: a, company: provendo, role: dpo }]').replace(
        'clientSecret: s3cr3t-value-never-shown',
        'clientSecretEnv: CORP_SECRET',
      ),
    );
    expect(() => loadConfig({ OMBUD_OIDC_PROVIDERS: f })).toThrow(/CORP_SECRET is not set/);
    expect(loadConfig({ OMBUD_OIDC_PROVIDERS: f, CORP_SECRET: 'x' }).sso?.providers[0]?.clientSecret).toBe(
      'x',
    );
    expect(() => loadConfig({ OMBUD_SSO_ONLY: '1' })).toThrow(/OMBUD_SSO_ONLY: needs OMBUD_OIDC_PROVIDERS/);
  });
});
