/**
 * `ombud backup` and `ombud restore` as their own processes, on a data directory with the demo group, its
 * systems (schemas of the embedded database), a request, consent evidence, a signed checkpoint and a data
 * keyring file: restored into a NEW data directory, every table has its rows and `ombud audit verify`
 * passes; a damaged or foreign archive is named with what is wrong; a non-empty data directory is refused
 * without --force; --without-keys leaves the key files out.
 */
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { strToU8, unzipSync, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openApp } from '../../src/app.ts';
import { main } from '../../src/cli/main.ts';
import { loadConfig } from '../../src/config.ts';
import { loadDemo } from '../../src/demo/loadDemo.ts';
import { openDemoSystems } from '../../src/demo/systems/embedded.ts';
import { SYSTEM_ACTOR } from '../../src/services/audit/auditLog.ts';
import { consentKeys } from '../../src/services/consent/keys.ts';
import { recordConsentEvent } from '../../src/services/consent/recordConsentEvent.ts';
import { systemCaller } from '../../src/services/requests/store.ts';
import { submitRequest } from '../../src/services/requests/submitRequest.ts';
import { openPglite } from '../../src/storage/pglite.ts';
import { captureIo, runOmbud, runOmbudOnTerminal } from '../support/cli.ts';

const root = mkdtempSync(join(tmpdir(), 'ombud-backup-'));
const source = join(root, 'source');
const archive = join(root, 'ombud.zip');
/** The data keyring `openApp` keeps in the data directory without OMBUD_SECRET_KEYS (services/secrets/keyringFile.ts). */
const KEYRING_FILE = 'secret-keys.key';

/** Every run names its data directory; nothing comes from this process's environment. */
const env = (dataDir: string, more: Record<string, string | undefined> = {}) => ({
  OMBUD_DATA_DIR: dataDir,
  DATABASE_URL: undefined,
  OMBUD_SECRET_KEYS: undefined,
  OMBUD_SECRET: undefined,
  OMBUD_AUDIT_KEY_FILE: undefined,
  OMBUD_AUDIT_SIGNING_KEY: undefined,
  OMBUD_AUDIT_PUBLIC_KEY: undefined,
  OMBUD_AUDIT_CHECKPOINT_DIR: undefined,
  OMBUD_AUDIT_CHECKPOINT_URL: undefined,
  OMBUD_AUDIT_CHECKPOINT_MAIL: 'none',
  SMTP_URL: undefined,
  ...more,
});
const ombud = (args: string[], dataDir: string, more?: Record<string, string | undefined>) =>
  runOmbud(args, { env: env(dataDir, more), timeoutMs: 120_000 });

/** The same command in this process (quicker, for the refusals), with the same environment. */
async function inProcess(args: string[], dataDir: string, more?: Record<string, string | undefined>) {
  const saved = process.env;
  process.env = { ...saved };
  for (const [k, v] of Object.entries(env(dataDir, more)))
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  try {
    const c = captureIo();
    const code = await main(args, c.io);
    return { code, stdout: c.text(), stderr: c.errors() };
  } finally {
    process.env = saved;
  }
}

/** Rows per table, counted here (not with the code under test), for every table of the database. */
async function countAll(dataDir: string): Promise<Record<string, number>> {
  const db = await openPglite(join(dataDir, 'pgdata'));
  try {
    const tables = await db.query<{ s: string; t: string }>(
      `SELECT schemaname AS s, tablename AS t FROM pg_tables
        WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2`,
    );
    const out: Record<string, number> = {};
    for (const { s, t } of tables)
      out[`${s}.${t}`] = (
        await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${s}"."${t}"`)
      )[0]!.n;
    return out;
  } finally {
    await db.close();
  }
}

/** Tables that must hold rows in the source, so equal counts mean something (listed by hand). */
const KEY_TABLES = [
  'public.schema_migrations',
  'public.settings',
  'public.users',
  'public.register_revisions',
  'public.notice_versions',
  'public.audit_log',
  'public.audit_head',
  'public.dsr_submissions',
  'public.dsr_requests',
  'public.dsr_events',
  'public.mail_outbox',
  'public.consent_subjects',
  'public.consent_identities',
  'public.consent_events',
  'public.consent_state',
  'demo_webshop.customers',
  'demo_webshop.orders',
  'demo_customer_service.cases',
];

let before: Record<string, number>;

beforeAll(async () => {
  // The demo as `ombud start` makes it, without OMBUD_SECRET_KEYS: the audit chain key file and the data
  // keyring file are created in the data directory.
  const app = await openApp(
    loadConfig({
      LOG_LEVEL: 'silent',
      OMBUD_DATA_DIR: source,
      OMBUD_DEMO_PASSWORD: 'backup-test-password-1',
    }),
  );
  try {
    await loadDemo(app);
    const systems = await openDemoSystems({
      embedded: (app.db as { instance?: PGlite }).instance,
      customers: 12,
    });
    await systems.close();
    await submitRequest(app, systemCaller(), {
      channel: 'web',
      scope: 'nestit-sverige',
      type: 'access',
      email: 'backup.person@example.com',
      name: 'Backup Person',
      lang: 'sv',
      sendCode: true,
    });
    const index = (await app.registers.get())!.index;
    await recordConsentEvent(app.db, SYSTEM_ACTOR, await consentKeys(app.db, app.config.secret), index, {
      orgId: 'nestit-sverige',
      identity: { email: 'backup.person@example.com' },
      purposeId: 'communication-subscription',
      channel: 'email',
      kind: 'grant',
      wording: 'Yes, send me newsletters.',
      source: 'checkout',
    });
  } finally {
    await app.close();
  }
  // The data keyring sealed the requester's address and the consent identity above.
  expect(statSync(join(source, KEYRING_FILE)).mode & 0o777).toBe(0o600);
  // A signed checkpoint: the signing key pair and the exported checkpoints join the data directory.
  const cp = await ombud(['audit', 'checkpoint'], source);
  expect(cp.stderr + cp.stdout).toMatch(/signed|Checkpoint|checkpoint/);
  expect(cp.code).toBe(0);
  before = await countAll(source);
}, 240_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('ombud backup and ombud restore', () => {
  test('restored into a new data directory: every table with its rows, the key files as they were, the audit log verifies', async () => {
    for (const t of KEY_TABLES) expect(before[t], t).toBeGreaterThan(0);
    const b = await ombud(['backup', archive], source);
    expect({ code: b.code, stderr: b.stderr }).toMatchObject({ code: 0 });
    expect(b.stdout).toMatch(
      /^Backup written: .*ombud\.zip \(\d+\.\d MB\): \d+ tables, [\d,]+ rows, migrations up to \d{4}_/,
    );
    expect(b.stdout).toContain(`Files of the data directory in it: audit-chain.key, audit-checkpoints/`);
    // It says the archive holds the keys, and which.
    expect(b.stderr).toContain(`holds the keys audit-chain.key, audit-signing.key, ${KEYRING_FILE}:`);
    expect(b.stderr).toContain('Keep it as safe as the data');
    expect(statSync(archive).mode & 0o777).toBe(0o600);

    const target = join(root, 'restored');
    const r = await ombud(['restore', archive], target);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(r.stdout).toContain(`into ${target}:`);
    expect(r.stdout).toContain('each table as in the backup');

    const after = await countAll(target);
    for (const t of KEY_TABLES) expect(after[t], t).toBe(before[t]);
    expect(after).toEqual(before);
    for (const f of ['audit-chain.key', 'audit-signing.key', 'audit-signing.key.pub', KEYRING_FILE]) {
      expect(readFileSync(join(target, f)), f).toEqual(readFileSync(join(source, f)));
      expect(statSync(join(target, f)).mode & 0o777, f).toBe(statSync(join(source, f)).mode & 0o777);
    }
    expect(readdirSync(join(target, 'audit-checkpoints'))).toEqual(
      readdirSync(join(source, 'audit-checkpoints')),
    );
    expect(existsSync(join(target, 'lock'))).toBe(false);

    const v = await ombud(['audit', 'verify'], target);
    expect({ code: v.code, stderr: v.stderr }).toEqual({ code: 0, stderr: '' });
    expect(v.stdout).toMatch(/^Audit log intact: \d+ entries, hash chain verified/);
    expect(v.stdout).toContain('Matches the signed checkpoint');
  }, 240_000);

  test('a data directory that holds something is refused without --force; with it, moved aside', async () => {
    const target = join(root, 'occupied');
    cpSync(join(root, 'restored'), target, { recursive: true });
    writeFileSync(join(target, 'note.txt'), 'kept');
    const refused = await inProcess(['restore', archive], target);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      `ombud restore: The data directory ${target} is not empty: a restore would replace its database and keys.`,
    );
    expect(refused.stderr).toContain('--force');
    expect(readFileSync(join(target, 'note.txt'), 'utf8')).toBe('kept');

    const forced = await ombud(['restore', archive, '--force'], target);
    expect(forced.code).toBe(0);
    const aside = /now (\S+)\.$/m.exec(forced.stderr)?.[1];
    expect(aside).toMatch(new RegExp(`^${target}\\.before-restore-`));
    expect(readFileSync(join(aside!, 'note.txt'), 'utf8')).toBe('kept');
    expect(existsSync(join(target, 'note.txt'))).toBe(false);
    expect(await countAll(target)).toEqual(before);
  }, 240_000);

  test('a damaged, cut-short or foreign file is named with what is wrong, exit 1, and nothing is written', async () => {
    const bytes = readFileSync(archive);
    const entries = unzipSync(new Uint8Array(bytes));
    const db = entries['database.tar.gz']!;
    const tampered = new Uint8Array(db);
    tampered[Math.floor(db.length / 2)]! ^= 0xff;
    const cases: [string, Uint8Array | string | undefined, string][] = [
      ['cut.zip', bytes.subarray(0, Math.floor(bytes.length / 2)), 'the ZIP archive is damaged or cut short'],
      ['notes.txt', 'not a backup at all\n', 'it is not a ZIP archive'],
      ['other.zip', zipSync({ 'readme.txt': strToU8('hello') }), 'it has no manifest.json'],
      [
        'foreign.zip',
        zipSync({ 'manifest.json': strToU8('{"format":"something-else"}') }),
        `its manifest.json is not an Ombud backup's (format "something-else")`,
      ],
      [
        'tampered.zip',
        zipSync({ ...entries, 'database.tar.gz': tampered }),
        `database.tar.gz is damaged: the manifest records ${db.length} bytes with sha256`,
      ],
      ['missing.zip', undefined, 'there is no such file'],
    ];
    for (const [name, content, what] of cases) {
      const file = join(root, name);
      if (content !== undefined) writeFileSync(file, content);
      const target = join(root, `never-${name}`);
      const r = await inProcess(['restore', file], target);
      expect({ name, code: r.code, stdout: r.stdout }).toEqual({ name, code: 1, stdout: '' });
      expect(r.stderr, name).toContain(
        name === 'missing.zip'
          ? `ombud restore: Cannot read ${file}: ${what}.`
          : `ombud restore: ${file} is not a usable Ombud backup: ${what}`,
      );
      expect(existsSync(target), name).toBe(false);
    }
  }, 240_000);

  test('--without-keys leaves every key file out and says so; restored without them the audit log cannot be verified until they are back', async () => {
    const bare = join(root, 'bare.zip');
    const b = await ombud(['backup', bare, '--without-keys', '--json'], source);
    expect(b.code).toBe(0);
    const doc = JSON.parse(b.stdout);
    expect(doc.leftOut).toEqual(['audit-chain.key', 'audit-signing.key', KEYRING_FILE]);
    expect(doc.keys).toEqual([]);
    expect(doc.files).toContain('audit-signing.key.pub');
    expect(doc.rows).toBe(Object.values(before).reduce((a, n) => a + n, 0));
    expect(b.stderr).toContain(
      `Left out (--without-keys): audit-chain.key, audit-signing.key, ${KEYRING_FILE}.`,
    );
    expect(
      Object.keys(unzipSync(new Uint8Array(readFileSync(bare)))).filter((n) => /key(ring)?$/.test(n)),
    ).toEqual([]);

    const target = join(root, 'bare');
    const r = await ombud(['restore', bare], target);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(
      'The backup was made without its key files (audit-chain.key, audit-signing.key',
    );
    const unverified = await ombud(['audit', 'verify'], target);
    expect(unverified.code).toBe(3);
    cpSync(join(source, 'audit-chain.key'), join(target, 'audit-chain.key'));
    expect((await ombud(['audit', 'verify'], target)).code).toBe(0);
  }, 240_000);

  test('refused for a PostgreSQL server, a running server, an existing file and a file inside the data directory', async () => {
    const server = await inProcess(['backup', join(root, 'x.zip')], source, {
      DATABASE_URL: 'postgres://ombud@127.0.0.1:5432/ombud',
    });
    expect(server.code).toBe(1);
    expect(server.stderr).toContain(
      'ombud backup: ombud backup is for the embedded database, but DATABASE_URL names a PostgreSQL server.',
    );
    expect(server.stderr).toContain('pg_dump');
    expect(server.stderr).toContain('docs/backup.md');

    const exists = await inProcess(['backup', archive], source);
    expect(exists.code).toBe(1);
    expect(exists.stderr).toContain(`ombud backup: ${archive} exists already.`);

    const inside = await inProcess(['backup', join(source, 'b.zip')], source);
    expect(inside.code).toBe(1);
    expect(inside.stderr).toContain('is inside the data directory');

    // The server holds the lock: this process's parent stands for it.
    writeFileSync(join(source, 'lock'), String(process.ppid));
    try {
      const running = await inProcess(['backup', join(root, 'y.zip')], source);
      expect(running.code).toBe(1);
      expect(running.stderr).toContain(`is in use by another Ombud process (pid ${process.ppid})`);
      expect(existsSync(join(root, 'y.zip'))).toBe(false);
    } finally {
      rmSync(join(source, 'lock'));
    }
  }, 240_000);

  test('on a terminal, a backup shows its progress', async () => {
    const r = await runOmbudOnTerminal(['backup', join(root, 'tty.zip')], {
      env: env(source),
      timeoutMs: 120_000,
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('ombud backup: counting rows: table');
    expect(r.stdout).toContain('Backup written:');
  }, 240_000);
});
