/**
 * TOTP on every install (issue 18 part 2): a start on the embedded database without OMBUD_SECRET_KEYS keeps a
 * data keyring file in the data directory (0600), so TOTP enrolment and sign-in with a code work, and a second
 * start on the same data directory opens what the first sealed (the TOTP seed, a requester's address). On a
 * PostgreSQL server without OMBUD_SECRET_KEYS nothing is written, the start says what to set and TOTP answers
 * a 409 that says so.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, describe, expect, test } from 'vitest';
import { type App, openApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { keyIdOf, parseKeyring } from '../../src/core/secrets/envelope.ts';
import { DEMO_ADMIN_EMAIL, loadDemo } from '../../src/demo/loadDemo.ts';
import { buildServer } from '../../src/http/server.ts';
import { getSubmission, submissionKeys } from '../../src/services/requests/store.ts';
import { dataKeyringNotice, loadDataKeyring } from '../../src/services/secrets/keyringFile.ts';
import { totpCode } from '../../src/services/users/totp.ts';
import { migratedServerDb, postgresAvailable } from '../support/db.ts';
import { sessionCookie, signIn } from '../support/http.ts';
import { installAuditChainKeys, chainKeysFrom } from '../../src/services/audit/keys.ts';
import { TEST_AUDIT_KEYRING } from '../support/audit-keys.ts';
import { SAME_ORIGIN } from './helpers.ts';

const PASSWORD = 'a long enough demo passphrase';
const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'ombud-data-keys-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  installAuditChainKeys(chainKeysFrom(TEST_AUDIT_KEYRING, 'test'));
});

/** What `ombud start` builds on an opened App (without its workers). */
async function serve(app: App): Promise<FastifyInstance> {
  return buildServer(app, { logger: false });
}

const login = (server: FastifyInstance, code?: string) =>
  signIn(server, { email: DEMO_ADMIN_EMAIL, password: PASSWORD, code });

describe('the data keyring of an embedded install', () => {
  test('P21 without OMBUD_SECRET_KEYS: a 0600 keyring file, TOTP enrolment and sign-in with a code; a second start opens what the first sealed', async () => {
    const dir = tmp();
    // Only what is given here: no OMBUD_SECRET_KEYS, no OMBUD_SECRET (the installation secret is stored).
    const config = loadConfig({ OMBUD_DATA_DIR: dir, LOG_LEVEL: 'silent' });
    expect(config.secretKeys).toBeUndefined();
    const file = join(dir, 'secret-keys.key');
    expect(existsSync(file)).toBe(false);

    const first = await openApp(config);
    expect(first.dataKeysCreated).toBe(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const [line, ...rest] = readFileSync(file, 'utf8').split('\n');
    expect(line).toMatch(/^d\d{8}:[A-Za-z0-9+/]{43}=$/);
    expect(rest).toEqual(['']);
    const keyId = line!.split(':')[0]!;
    expect(dataKeyringNotice(first.config, first.dataKeysCreated)).toContain(file);

    process.env.OMBUD_DEMO_PASSWORD = PASSWORD;
    await loadDemo(first);
    let server = await serve(first);
    let seed: string;
    let submissionId: string;
    try {
      const cookie = sessionCookie(await login(server));
      const h = { cookie, ...SAME_ORIGIN };
      const start = await server.inject({ method: 'POST', url: '/console/account/totp', headers: h });
      expect(start.statusCode).toBe(200);
      seed = /<p><code>([A-Z2-7]+)<\/code><\/p>/.exec(start.body)![1]!;
      const confirm = await server.inject({
        method: 'POST',
        url: '/console/account/totp/confirm',
        headers: h,
        payload: { code: totpCode(seed, new Date()) },
      });
      expect(confirm.statusCode).toBe(303);
      // Sealed with the keyring file's key, not in the clear.
      const [user] = await first.db.query<{ totp_secret: string }>(
        'SELECT totp_secret FROM users WHERE email = $1',
        [DEMO_ADMIN_EMAIL],
      );
      expect(keyIdOf(user!.totp_secret)).toBe(keyId);
      expect(user!.totp_secret).not.toContain(seed);
      expect((await login(server)).statusCode).toBe(401);
      expect((await login(server, totpCode(seed, new Date()))).statusCode).toBe(303);

      // A requester's address, sealed with the same keyring.
      const filed = await server.inject({
        method: 'POST',
        url: '/api/v1/requests',
        headers: { ...h, 'idempotency-key': randomUUID() },
        payload: { company: 'provendo', type: 'access', email: 'kari.keyring@example.org', sendCode: false },
      });
      expect(filed.statusCode).toBe(201);
      submissionId = filed.json().submissionId;
      const [sub] = await first.db.query<{ email_sealed: string }>(
        'SELECT email_sealed FROM dsr_submissions WHERE id = $1',
        [submissionId],
      );
      expect(keyIdOf(sub!.email_sealed)).toBe(keyId);
    } finally {
      await server.close();
      await first.close();
    }

    // The next start on the same data directory: the same keyring, nothing created.
    const second = await openApp(config);
    server = await serve(second);
    try {
      expect(second.dataKeysCreated).toBeUndefined();
      expect(readFileSync(file, 'utf8')).toBe(`${line}\n`);
      expect(dataKeyringNotice(second.config, second.dataKeysCreated)).toBeUndefined();
      expect((await login(server)).statusCode).toBe(401);
      expect((await login(server, totpCode(seed, new Date()))).statusCode).toBe(303);
      const sub = await getSubmission(second.db, submissionId, await submissionKeys(second));
      expect(sub.email).toBe('kari.keyring@example.org');
    } finally {
      await server.close();
      await second.close();
    }
  }, 120_000);

  test('P21 with OMBUD_SECRET_KEYS set later, the file keys stay in the ring (oldest first) and the newest seals', () => {
    const dir = tmp();
    const made = loadDataKeyring(loadConfig({ OMBUD_DATA_DIR: dir }), { create: true });
    expect(made.created).toBe(join(dir, 'secret-keys.key'));
    const env = `k2:${Buffer.alloc(32, 9).toString('base64')}`;
    const later = loadDataKeyring(loadConfig({ OMBUD_DATA_DIR: dir, OMBUD_SECRET_KEYS: env }), {
      create: true,
    });
    expect(later.created).toBeUndefined();
    expect(later.secretKeys).toBe(`${made.secretKeys},${env}`);
    expect(parseKeyring(later.secretKeys!).current).toBe('k2');
    expect(later.sources).toEqual([`key file ${join(dir, 'secret-keys.key')}`, 'OMBUD_SECRET_KEYS']);
    // Without the file, OMBUD_SECRET_KEYS alone, and no file is written.
    const other = tmp();
    expect(
      loadDataKeyring(loadConfig({ OMBUD_DATA_DIR: other, OMBUD_SECRET_KEYS: env }), { create: true }),
    ).toEqual({
      secretKeys: env,
      sources: ['OMBUD_SECRET_KEYS'],
    });
    expect(existsSync(join(other, 'secret-keys.key'))).toBe(false);
    // A verifying command ('load') never creates one.
    expect(loadDataKeyring(loadConfig({ OMBUD_DATA_DIR: other }), { create: false })).toEqual({
      sources: [],
    });
    expect(existsSync(join(other, 'secret-keys.key'))).toBe(false);
  });
});

describe('the data keyring on a PostgreSQL server', () => {
  test('P21 without OMBUD_SECRET_KEYS: no file, the start says what to set, TOTP answers 409 saying so', async () => {
    if (!(await postgresAvailable())) return;
    const dir = tmp();
    const server = await migratedServerDb('ombud_keyring', 2);
    await server.db.close();
    const app = await openApp(
      loadConfig({ DATABASE_URL: server.url, OMBUD_DATA_DIR: dir, LOG_LEVEL: 'silent' }),
    );
    try {
      expect(app.config.secretKeys).toBeUndefined();
      expect(existsSync(join(dir, 'secret-keys.key'))).toBe(false);
      expect(dataKeyringNotice(app.config, app.dataKeysCreated)).toMatch(
        /^No OMBUD_SECRET_KEYS on this PostgreSQL server: TOTP sign-in .* Set OMBUD_SECRET_KEYS=k1:\$\(openssl rand -base64 32\), the same in every Ombud process/,
      );
      process.env.OMBUD_DEMO_PASSWORD = PASSWORD;
      await loadDemo(app);
      const s = await serve(app);
      try {
        const cookie = sessionCookie(await login(s));
        const res = await s.inject({
          method: 'POST',
          url: '/console/account/totp',
          headers: { cookie, ...SAME_ORIGIN, accept: 'application/json' },
        });
        expect(res.statusCode).toBe(409);
        expect(res.json()).toMatchObject({
          code: 'no-secret-keys',
          detail:
            'No key for secrets at rest is configured on this server, so TOTP seeds and connector secrets cannot be stored.',
          hint: 'Set OMBUD_SECRET_KEYS=k1:$(openssl rand -base64 32), the same value in every Ombud process of this database, and restart.',
        });
      } finally {
        await s.close();
      }
    } finally {
      await app.close();
      await server.drop();
    }
  }, 120_000);
});
