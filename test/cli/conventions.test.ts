/**
 * The conventions every `ombud` command keeps, tried on `bin/ombud.mjs` as its own process: --help,
 * exit codes (0 ok, 1 findings, 2 usage), --json on stdout alone, progress only on a terminal.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { COMMANDS } from '../../src/cli/commands.ts';
import type { Db } from '../../src/storage/db.ts';
import { TEST_AUDIT_KEYRING } from '../support/audit-keys.ts';
import { type OmbudRun, runOmbud, runOmbudOnTerminal } from '../support/cli.ts';
import { migratedServerDb } from '../support/db.ts';

const NAMES = Object.keys(COMMANDS);

/** `fn` over `items`, two at a time (the machine's cores), results in order. */
async function twoAtATime<T, R>(items: T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += 2) out.push(...(await Promise.all(items.slice(i, i + 2).map(fn))));
  return out;
}

const lines = (r: OmbudRun) => r.stdout.split('\n');

describe('ombud --help', () => {
  test('every command of the table answers --help with exit 0: usage, options, environment, exit codes, an example', async () => {
    expect(NAMES.length).toBeGreaterThanOrEqual(22);
    const runs = await twoAtATime(NAMES, (name) => runOmbud([...name.split(' '), '--help']));
    NAMES.forEach((name, i) => {
      const r = runs[i]!;
      expect({ name, code: r.code, stderr: r.stderr }).toEqual({ name, code: 0, stderr: '' });
      expect(lines(r)[0]).toMatch(new RegExp(`^Usage: ombud ${name}( |$)`));
      for (const heading of ['Options:', 'Environment:', 'Exit codes:'])
        expect(r.stdout, name).toContain(`\n${heading}\n`);
      expect(r.stdout, name).toMatch(/\nExamples?:\n {2}(\S+=\S+ )*(printf .* \| )?ombud /);
      expect(
        lines(r).some((l) => /^ {2}-h, --help +show this help$/.test(l)),
        name,
      ).toBe(true);
      expect(r.stdout, name).toMatch(/\n {2}0 {2}\S/);
      expect(r.stdout, name).toMatch(/\n {2}1 {2}\S/);
      expect(r.stdout, name).toContain(
        '\n  2  usage: an unknown command or option, a missing or bad argument',
      );
    });
  }, 240_000);

  test('the help of a command, line by line; -h and `ombud help` print the same', async () => {
    const ropa = await runOmbud(['ropa', 'export', '--help']);
    expect(ropa.code).toBe(0);
    expect(lines(ropa)[0]).toBe(
      'Usage: ombud ropa export --org ID [--format csv|json] [--out FILE] [--json]',
    );
    expect(lines(ropa)).toEqual(
      expect.arrayContaining([
        '  --org ID           the controller (required)',
        '  --format csv|json  the format of the record (default: csv)',
        '  -o, --out FILE     write to FILE instead of stdout',
        '  -h, --help         show this help',
        '  OMBUD_DATA_DIR        the embedded database and the default key files (default ./.ombud)',
        '  0  exported',
        '  1  no register is stored, or no such organization',
        '  ombud ropa export --org nestit-ab --format csv -o ropa.csv --json',
      ]),
    );
    expect((await runOmbud(['ropa', 'export', '-h'])).stdout).toBe(ropa.stdout);
    expect((await runOmbud(['help', 'ropa', 'export'])).stdout).toBe(ropa.stdout);
    // --help wins over a bad option on the same line.
    expect((await runOmbud(['ropa', 'export', '--frob', '--help'])).stdout).toBe(ropa.stdout);

    const verify = await runOmbud(['audit', 'verify', '--help']);
    expect(lines(verify)).toEqual(
      expect.arrayContaining([
        'Usage: ombud audit verify [--json]',
        '  0  intact',
        '  1  broken: an entry was altered, removed or reordered, or the log ends early',
        '  3  could not be verified here: a key is missing (never a pass)',
      ]),
    );
    const apikey = await runOmbud(['apikey', 'create', '--help']);
    expect(lines(apikey)[0]).toBe(
      'Usage: ombud apikey create --name NAME --org ID … --permission PERMISSION … [--expires-days DAYS] [--json]',
    );
    expect(lines(apikey)).toContain(
      '  --org ID                 an organization it acts in (required; repeatable)',
    );
    const seed = await runOmbud(['demo', 'seed', '--help']);
    expect(lines(seed)).toEqual(
      expect.arrayContaining([
        "  --webshop URL           the web shop's database (postgres://… or mysql://…) (default:",
        '                          $OMBUD_DEMO_WEBSHOP_URL)',
      ]),
    );
  }, 60_000);

  test('ombud --help lists every command with its line, the exit codes and the conventions; a group lists its own', async () => {
    const main = await runOmbud(['--help']);
    expect(main.code).toBe(0);
    expect(lines(main)).toEqual(
      expect.arrayContaining([
        'Usage: ombud <command> [options]',
        '  register validate   Validate a register folder; every finding at file:line:column',
        '  apikey rotate       Replace an API key by a new one with the same scope',
        '  0  ok',
        '  2  usage: an unknown command or option, a missing or bad argument (the usage and what was wrong go',
        '  3  audit verify: the log could not be verified here (a key is missing)',
        '  --json      where offered: one JSON document on stdout, nothing else; messages go to stderr',
      ]),
    );
    for (const name of NAMES) expect(main.stdout).toContain(`\n  ${name} `);
    expect((await runOmbud(['help'])).stdout).toBe(main.stdout);
    const group = await runOmbud(['apikey', '--help']);
    expect(group.code).toBe(0);
    expect(lines(group)).toEqual([
      'Usage: ombud apikey <command> [options]',
      '',
      'Commands:',
      '  apikey create  Create an API key for a system, scoped to companies and permissions',
      '  apikey list    List the API keys: prefix, scope, expiry, last use (never the key)',
      '  apikey revoke  Revoke an API key: it stops working at once',
      '  apikey rotate  Replace an API key by a new one with the same scope',
      '',
      "Run 'ombud apikey <command> --help' for a command's arguments, options, environment and exit codes.",
      '',
    ]);
  }, 60_000);

  test('docs/cli.md is the help of today (npm run cli-docs)', async () => {
    const r = await runOmbud(['help', '--markdown']);
    expect(r.code).toBe(0);
    expect(readFileSync('docs/cli.md', 'utf8')).toBe(r.stdout);
  });
});

describe('usage errors exit 2, with what was wrong and the usage on stderr and nothing on stdout', () => {
  test.each([
    [
      ['register', 'validate', 'examples/nestit/register', '--frob'],
      "ombud register validate: Unknown option '--frob'.",
      'Usage: ombud register validate DIR [--quiet] [--json]',
    ],
    [['register', 'validate'], 'ombud register validate: missing DIR.', 'Usage: ombud register validate DIR'],
    [
      ['apikey', 'create', '--name', 'ci'],
      'ombud apikey create: --org is required (--org ID).',
      'Usage: ombud apikey create --name NAME',
    ],
    [
      ['notice', 'render', '--org', 'acme-ab', '--format', 'pdf'],
      "ombud notice render: --format must be one of html, md (got 'pdf').",
      'Usage: ombud notice render --org ID',
    ],
    [
      ['retention', 'run', '--today', 'soon', '--demo'],
      "ombud retention run: --today 'soon' is not a date; write YYYY-MM-DD, e.g. 2026-11-25.",
      'Usage: ombud retention run [--dry-run]',
    ],
    [
      ['dataset', 'generate', '--connection', 'ftp://example.com/x', '--key', 'shop'],
      'ombud dataset generate: --connection takes a database URL: postgres://…, mysql://… or pglite:///data/dir',
      'Usage: ombud dataset generate --connection URL --key KEY',
    ],
    [['frobnicate'], "ombud: unknown command 'frobnicate'.", 'Usage: ombud <command> [options]'],
    [['audit', 'frob'], "ombud: unknown command 'audit frob'.", 'Usage: ombud audit <command> [options]'],
    [[], 'ombud: give a command.', 'Usage: ombud <command> [options]'],
  ])('ombud %j', async (args, message, usage) => {
    const r = await runOmbud(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')).toEqual(expect.arrayContaining([message]));
    expect(r.stderr).toContain(usage);
  });
});

describe('--json: one JSON document on stdout, messages on stderr', () => {
  let server: { url: string; db: Db; drop: () => Promise<void> };
  let dir: string;
  let env: Record<string, string | undefined>;
  beforeAll(async () => {
    server = await migratedServerDb('ombud_cli', 2);
    dir = mkdtempSync(join(tmpdir(), 'ombud-cli-json-'));
    // The server's database and audit keys, a data directory of its own, no mail server.
    env = {
      DATABASE_URL: server.url,
      OMBUD_SECRET_KEYS: TEST_AUDIT_KEYRING,
      OMBUD_DATA_DIR: dir,
      OMBUD_SECRET: undefined,
      SMTP_URL: undefined,
      USER: 'cli-test',
    };
  });
  afterAll(async () => {
    await server?.drop();
    rmSync(dir, { recursive: true, force: true });
  });
  const json = async (args: string[], code: number) => {
    const r = await runOmbud([...args, '--json'], { env });
    expect({ args, code: r.code }).toEqual({ args, code });
    return { doc: JSON.parse(r.stdout), stderr: r.stderr };
  };

  test('register validate: the findings located, exit 0 valid and 1 not', async () => {
    const ok = await json(['register', 'validate', 'examples/nestit/register'], 0);
    expect(ok.doc).toMatchObject({ ok: true, files: 24, errors: 0 });
    expect(ok.doc.summary).toContain('Valid: 4 organizations');
    expect(ok.stderr).toBe('');

    const broken = mkdtempSync(join(tmpdir(), 'ombud-reg-'));
    cpSync('test/fixtures/register-min', broken, { recursive: true });
    const file = join(broken, 'purposes.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('recipients: [mailer]', 'recipients: [mailr]'));
    const bad = await json(['register', 'validate', broken], 1);
    expect(bad.doc).toMatchObject({ ok: false, files: 3, errors: 1 });
    expect(bad.doc.findings).toContainEqual(
      expect.objectContaining({
        file: expect.stringMatching(/ombud-reg-\w+\/purposes\.yaml$/),
        line: 13,
        column: 18,
        severity: 'error',
        code: 'unresolved-reference',
        message: "Unknown system 'mailr'.",
        hint: 'Use one of: shop, mailer.',
      }),
    );
    rmSync(broken, { recursive: true, force: true });
  });

  test('register apply and diff, notice publish and diff, secrets reseal, apikey create and list, ropa export, requests daily and audit verify on a PostgreSQL server', async () => {
    const applied = await json(['register', 'apply', 'test/fixtures/register-min'], 0);
    expect(applied.doc).toMatchObject({ ok: true, changed: true, revision: 1 });
    expect(applied.doc.changes).toContainEqual({ section: 'organizations', id: 'acme-ab', change: 'added' });
    expect((await json(['register', 'apply', 'test/fixtures/register-min'], 0)).doc).toMatchObject({
      changed: false,
      revision: 1,
      changes: [],
    });

    expect((await json(['register', 'diff', 'test/fixtures/register-min'], 0)).doc).toEqual({
      from: 1,
      to: 'test/fixtures/register-min',
      changes: [],
    });
    const published = (await json(['notice', 'publish', '--all', '--effective', '2026-01-01'], 0)).doc;
    expect(published.notices).toEqual([
      expect.objectContaining({
        organization: 'acme-ab',
        published: true,
        version: 1,
        effectiveDate: '2026-01-01',
      }),
      expect.objectContaining({
        organization: 'acme-as',
        published: true,
        version: 1,
        effectiveDate: '2026-01-01',
      }),
    ]);
    expect((await json(['notice', 'diff', '--org', 'acme-ab'], 0)).doc).toEqual({
      organization: 'acme-ab',
      from: 1,
      to: 'current',
      changes: [],
    });
    expect((await json(['secrets', 'reseal'], 0)).doc).toEqual({ resealed: 0, key: 'test' });

    const created = (
      await json(['apikey', 'create', '--name', 'ci', '--org', 'acme-ab', '--permission', 'register:read'], 0)
    ).doc;
    expect(created).toMatchObject({
      name: 'ci',
      orgIds: ['acme-ab'],
      permissions: ['register:read'],
      revokedAt: null,
      lastUsedAt: null,
    });
    expect(created.key).toMatch(/^omb_/);
    expect(created.key.startsWith(created.prefix)).toBe(true);
    const listed = await runOmbud(['apikey', 'list', '--json'], { env });
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout).keys).toEqual([
      expect.objectContaining({ id: created.id, name: 'ci', prefix: created.prefix, revokedAt: null }),
    ]);
    expect(listed.stdout).not.toContain(created.key);

    const out = join(dir, 'ropa.json');
    const ropa = await json(['ropa', 'export', '--org', 'acme-ab', '--format', 'json', '-o', out], 0);
    expect(ropa.doc).toEqual({
      organization: 'acme-ab',
      registerRevision: 1,
      format: 'json',
      file: out,
      activities: 2,
    });
    expect(ropa.stderr).toContain(`Wrote ${out} (2 processing activities)`);
    expect(
      JSON.parse(readFileSync(out, 'utf8')).entries.map((e: { purposeId: string }) => e.purposeId),
    ).toEqual(['orders', 'newsletter']);
    // A refusal is still one document: the error, as the API gives it.
    const refused = await json(['ropa', 'export', '--org', 'nope', '-o', out], 1);
    expect(refused.doc.error).toMatchObject({
      code: 'unknown-organization',
      message: "No organization 'nope'.",
    });
    expect(refused.stderr).toContain("ombud ropa export: No organization 'nope'.");

    expect((await json(['requests', 'daily'], 0)).doc).toEqual({
      breachesDue: 0,
      digestMails: 0,
      openTasksBySystem: {},
      holdsToReview: 0,
      resultFilesPurged: 0,
      mailSent: 0,
      mailFailed: 0,
      smtp: false,
    });

    const [entries] = await server.db.query<{ n: string; seq: string }>(
      'SELECT count(*) AS n, max(seq) AS seq FROM audit_log',
    );
    const verified = await json(['audit', 'verify'], 0);
    expect(verified.doc).toMatchObject({
      ok: true,
      count: Number(entries!.n),
      keyed: Number(entries!.n),
      unkeyed: 0,
      checkpoint: null,
      head: { seq: Number(entries!.seq), count: Number(entries!.n) },
    });
    expect(verified.doc.warnings).toContainEqual(expect.stringMatching(/^No exported checkpoint in /));
    // Apply, two notices, reseal, key, export: six audit entries at least.
    expect(Number(entries!.n)).toBeGreaterThanOrEqual(6);
  }, 120_000);
});

describe('progress: on a terminal only', () => {
  let server: { url: string; db: Db; drop: () => Promise<void> };
  let dir: string;
  beforeAll(async () => {
    server = await migratedServerDb('ombud_cli_tty', 2);
    dir = mkdtempSync(join(tmpdir(), 'ombud-cli-tty-'));
  });
  afterAll(async () => {
    await server?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('audit verify: no progress into a pipe; a progress line, cleared again, on a terminal', async () => {
    const env = { DATABASE_URL: server.url, OMBUD_SECRET_KEYS: TEST_AUDIT_KEYRING, OMBUD_DATA_DIR: dir };
    const piped = await runOmbud(['audit', 'verify'], { env });
    expect(piped.code).toBe(0);
    expect(piped.stdout).toContain('Audit log intact: 0 entries');
    expect(piped.stderr).not.toContain('Verifying');
    expect(piped.stdout + piped.stderr).not.toContain('\x1b[');
    expect(piped.stderr.split('\n').every((l) => l === '' || l.startsWith('warning: '))).toBe(true);

    const tty = await runOmbudOnTerminal(['audit', 'verify'], { env });
    expect(tty.code).toBe(0);
    expect(tty.stdout).toContain('\r\x1b[2KVerifying the audit log');
    // The line is cleared before the result is written.
    const CLEAR = '\r\x1b[2K';
    expect(
      [`${CLEAR}warning: `, `${CLEAR}Audit log intact: 0 entries`].some((s) => tty.stdout.includes(s)),
    ).toBe(true);
    expect(tty.stdout).toContain('Audit log intact: 0 entries');
  }, 60_000);
});
