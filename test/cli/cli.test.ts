import { cpSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { openPglite } from '../../src/storage/pglite.ts';
import { captureIo } from '../support/cli.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'ombud-cli-'));
const env = { ...process.env };
process.env.OMBUD_DATA_DIR = dataDir;
process.env.DATABASE_URL = '';
afterAll(() => {
  process.env = env;
});

describe('ombud CLI', () => {
  test('register validate accepts the demo group', async () => {
    const c = captureIo();
    expect(await main(['register', 'validate', 'examples/nestit/register'], c.io)).toBe(0);
    expect(c.text()).toMatch(/0 errors/);
    expect(c.text()).toContain('Valid: 4 organizations');
  });

  test('register validate reports a broken file as file:line:column with exit 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ombud-reg-'));
    cpSync('test/fixtures/register-min', dir, { recursive: true });
    const file = join(dir, 'purposes.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('recipients: [mailer]', 'recipients: [mailr]'));
    const c = captureIo();
    expect(await main(['register', 'validate', dir], c.io)).toBe(1);
    expect(c.errors()).toMatch(
      /purposes\.yaml:\d+:\d+: error unresolved-reference: Unknown system 'mailr'\./,
    );
    expect(c.errors()).toContain('fix: Use one of: shop, mailer');
    expect(c.errors()).toContain('nothing was stored');
  });

  test('apply, apply again, publish, diff, render and export work on the embedded database', async () => {
    let c = captureIo();
    expect(await main(['register', 'apply', 'test/fixtures/register-min'], c.io)).toBe(0);
    expect(c.text()).toContain('Stored register revision 1');
    c = captureIo();
    expect(await main(['register', 'apply', 'test/fixtures/register-min'], c.io)).toBe(0);
    expect(c.text()).toContain('Unchanged');
    c = captureIo();
    expect(await main(['notice', 'publish', '--org', 'acme-ab', '--effective', '2026-01-01'], c.io)).toBe(0);
    expect(c.text()).toContain('published version 1');
    c = captureIo();
    expect(await main(['notice', 'diff', '--org', 'acme-ab'], c.io)).toBe(0);
    expect(c.text()).toContain('0 changes');
    c = captureIo();
    expect(await main(['notice', 'render', '--org', 'acme-ab', '--lang', 'sv', '--format', 'md'], c.io)).toBe(
      0,
    );
    expect(c.text()).toContain('# Integritetspolicy — Acme AB');
    expect(c.text()).toContain('Version 1, gäller från 2026-01-01');
    c = captureIo();
    expect(await main(['ropa', 'export', '--org', 'acme-as', '--format', 'json'], c.io)).toBe(0);
    expect(JSON.parse(c.text()).entries.map((e: { purposeId: string }) => e.purposeId)).toEqual(['orders']);
    c = captureIo();
    expect(await main(['audit', 'verify'], c.io)).toBe(0);
    expect(c.text()).toMatch(/Audit log intact: \d+ entries/);
    c = captureIo('a long enough passphrase\n');
    expect(await main(['admin', 'create', '--email', 'Admin@Example.com'], c.io)).toBe(0);
    c = captureIo();
    expect(await main(['admin', 'create', '--email', 'x@example.com', '--password', 'short'], c.io)).toBe(1);
    expect(c.errors()).toContain('Use at least 12 characters');
    // Eight commands, each opening the embedded database: about 30 s alone, more on a busy machine.
  }, 180_000);

  test('P21 audit checkpoint signs and exports the head; audit verify checks against it: 0 intact, 1 a cut tail, 3 without the key', async () => {
    let c = captureIo();
    expect(await main(['audit', 'checkpoint'], c.io)).toBe(0);
    expect(c.text()).toMatch(/Checkpoint signed: \d+ entries up to entry \d+/);
    expect(c.text()).toContain(`Created the audit signing key ${join(dataDir, 'audit-signing.key')}`);
    const file = join(dataDir, 'audit-checkpoints', 'checkpoints.jsonl');
    expect(JSON.parse(readFileSync(file, 'utf8').trim().split('\n').at(-1)!)).toMatchObject({
      v: 1,
      kid: expect.stringMatching(/^[0-9a-f]{16}$/),
      sig: expect.any(String),
    });
    c = captureIo();
    expect(await main(['audit', 'verify'], c.io)).toBe(0);
    expect(c.text()).toMatch(/Audit log intact: \d+ entries, hash chain verified \(\d+ keyed with key file/);
    expect(c.text()).toMatch(/Matches the signed checkpoint of/);
    // The same as one JSON document; the checkpoint is the one in the exported file.
    const exported = JSON.parse(readFileSync(file, 'utf8').trim().split('\n').at(-1)!);
    c = captureIo();
    expect(await main(['audit', 'verify', '--json'], c.io)).toBe(0);
    expect(c.out).toHaveLength(1);
    expect(JSON.parse(c.text())).toMatchObject({
      ok: true,
      checkpoint: { seq: exported.seq, count: exported.count, kid: exported.kid, file },
    });
    expect(c.progress[0]).toBe('Verifying the audit log …');
    c = captureIo();
    expect(await main(['audit', 'checkpoint', '--json'], c.io)).toBe(0);
    const second = JSON.parse(c.text());
    expect(second).toMatchObject({ file, createdKey: null, posted: null, kid: exported.kid });
    expect(JSON.parse(readFileSync(file, 'utf8').trim().split('\n').at(-1)!)).toMatchObject({
      seq: second.seq,
      count: second.count,
    });
    // Someone with the database cuts the last entry and sets the head to match.
    const db = await openPglite(join(dataDir, 'pgdata'));
    await db.exec('ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only');
    const [last] = await db.query<{ seq: number }>('SELECT max(seq) AS seq FROM audit_log');
    await db.query('DELETE FROM audit_log WHERE seq = $1', [last!.seq]);
    const [prev] = await db.query<{ seq: number; hash: string }>(
      'SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1',
    );
    await db.query('UPDATE audit_head SET seq = $1, count = count - 1, hash = $2', [prev!.seq, prev!.hash]);
    await db.close();
    c = captureIo();
    expect(await main(['audit', 'verify'], c.io)).toBe(1);
    expect(c.errors()).toMatch(/Audit log BROKEN at entry \d+: the log ends before the signed checkpoint/);
    // Without the chain key (a verifier that lacks the server's key file): says so, never passes.
    const keyFile = join(dataDir, 'audit-chain.key');
    renameSync(keyFile, `${keyFile}.away`);
    try {
      c = captureIo();
      expect(await main(['audit', 'verify'], c.io)).toBe(3);
      expect(c.errors()).toMatch(/WITHOUT the audit chain key/);
      expect(c.errors()).toMatch(/Audit log NOT VERIFIED at entry \d+/);
    } finally {
      renameSync(`${keyFile}.away`, keyFile);
    }
  });

  test('unknown commands and missing options exit non-zero with usage', async () => {
    let c = captureIo();
    expect(await main(['frobnicate'], c.io)).toBe(2);
    expect(c.errors()).toContain('Usage: ombud');
    c = captureIo();
    expect(await main(['notice', 'render', '--lang', 'xx', '--org', 'a'], c.io)).toBe(2);
    expect(c.errors()).toContain('--lang must be one of en, sv, nb');
  });
});
