/**
 * The systems file without a database: references (`${env:…}`, `${file:…}`, `$${`), a password put into the
 * URL, the findings at file:line:column (a password written in the file, a bad connector), the checks of
 * an HTTP connector's address, and the connectors stored at a start only when they changed (one audit
 * entry, the secret sealed), on PGlite.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { parseKeyring } from '../../src/core/secrets/envelope.ts';
import {
  parseReferences,
  parseSystemsConfig,
  resolveReferences,
  withPassword,
} from '../../src/core/systems/config.ts';
import { SYSTEM_ACTOR } from '../../src/services/audit/auditLog.ts';
import { loadHttpConnector } from '../../src/services/fulfilment/connectors/http.ts';
import { checkSystems } from '../../src/services/systems/check.ts';
import { loadSystems } from '../../src/services/systems/config.ts';
import { applyConfiguredConnectors } from '../../src/services/systems/connectors.ts';
import { freshDb } from '../support/db.ts';
import { FIXTURE } from './support.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A folder with `ombud.yaml` holding `yaml` (and the fixture's datasets beside it as `datasets`). */
function systemsFile(yaml: string, files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'ombud-systems-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  writeFileSync(join(dir, 'ombud.yaml'), yaml.replace('DATASETS', join(FIXTURE, 'datasets')));
  return join(dir, 'ombud.yaml');
}

describe('references', () => {
  test('env and file references anywhere in a value, $${ a literal ${, anything else refused', () => {
    expect(parseReferences('postgres://shop:${env:SHOP_PW}@db/${file:name}')).toEqual({
      parts: [
        { text: 'postgres://shop:' },
        { ref: { kind: 'env', name: 'SHOP_PW' } },
        { text: '@db/' },
        { ref: { kind: 'file', name: 'name' } },
      ],
    });
    expect(parseReferences('a$${b}')).toEqual({ parts: [{ text: 'a${b}' }] });
    expect(parseReferences('${vault:x}')).toEqual({ error: "'${vault:x}' is not a reference." });
    expect(parseReferences('${env:1X}')).toEqual({
      error: "'1X' is not the name of an environment variable.",
    });
    expect(parseReferences('${env:X')).toEqual({ error: "'${env:X' is not a reference." });
    const env: Record<string, string> = { A: 'one', B: 'two' };
    const lookup = (r: { kind: string; name: string }) =>
      env[r.name] ? { value: env[r.name]! } : { error: `${r.name} unset` };
    expect(resolveReferences('${env:A}-${env:B}', lookup)).toEqual({ value: 'one-two' });
    expect(resolveReferences('${env:A}-${env:C}', lookup)).toEqual({ error: 'C unset' });
  });

  test('a password is put into the URL encoded: any character survives the round trip', () => {
    const password = 'p@ss:w/rd%?#é';
    const url = withPassword('postgres://shop@db.internal:5432/shop', password);
    expect(decodeURIComponent(new URL(url).password)).toBe(password);
    expect(new URL(url).username).toBe('shop');
    expect(new URL(url).pathname).toBe('/shop');
  });

  test('a URL or a connector secret written in the file is a warning at its place; a bad key an error', () => {
    const p = parseSystemsConfig({
      path: 'ombud.yaml',
      text: [
        'datasets: ./d',
        'systems:',
        '  shop: postgres://shop:hunter2@db/shop',
        '  desk: { url: "mysql://desk@db/desk", password: "${env:DESK_PW}" }',
        'connectors:',
        '  mailer: { url: https://m.example/x, secret: whsec_AAAAAAAAAAAAAAAAAAAAAAAA }',
        '',
      ].join('\n'),
    });
    expect(p.findings.map((f) => [f.severity, f.line, f.column, f.message])).toEqual([
      ['warning', 3, 9, 'systems.shop.url: the URL holds a password in the file.'],
      ['warning', 6, 47, 'connectors.mailer.secret: the secret is written in the file.'],
    ]);
    const bad = parseSystemsConfig({ path: 'ombud.yaml', text: 'systems:\n  Shop: x\n' });
    expect(bad.findings.map((f) => [f.line, f.column, f.message])).toEqual([
      [1, 1, 'datasets: Name the folder of the dataset annotations: datasets: ../datasets'],
      [2, 9, "systems.Shop: 'Shop': A dataset fides_key: lower-case letters, digits, underscores."],
    ]);
  });
});

describe('a systems file with HTTP connectors', () => {
  const secret = `whsec_${randomBytes(24).toString('base64')}`;

  test('resolved from the environment and a file; a bad connector and an unset variable located', async () => {
    const file = systemsFile(
      [
        'datasets: DATASETS',
        'systems:',
        '  acme_shop: postgres://shop@127.0.0.1:5432/shop',
        '  acme_helpdesk: { url: "mysql://desk@127.0.0.1:3306/desk", password: "${file:desk-pw}" }',
        'connectors:',
        '  mailer: { url: "${env:MAILER_URL}", secret: "${env:MAILER_SECRET}" }',
        '  crm: { url: "ftp://crm.example", secret: "${env:MAILER_SECRET}" }',
        '  ads: { url: "https://ads.example", secret: "${env:ADS_SECRET}" }',
        '',
      ].join('\n'),
      { 'desk-pw': 'sec ret\n' },
    );
    const loaded = await loadSystems(file, {
      env: { MAILER_URL: 'http://127.0.0.1:9/hook', MAILER_SECRET: secret },
    });
    expect(loaded.findings.map((f) => [f.line, f.column, f.message])).toEqual([
      [7, 15, 'connectors.crm.url: use an http:// or https:// URL.'],
      [8, 46, 'connectors.ads.secret: the environment variable ADS_SECRET is not set.'],
    ]);
    expect(loaded.connections.map((c) => [c.key, c.url])).toEqual([
      ['acme_shop', 'postgres://shop@127.0.0.1:5432/shop'],
      ['acme_helpdesk', 'mysql://desk:sec%20ret@127.0.0.1:3306/desk'],
    ]);
    expect(loaded.connectors.map((c) => [c.systemId, c.url, c.secret === secret])).toEqual([
      ['mailer', 'http://127.0.0.1:9/hook', true],
    ]);
  });

  test("systems check tries each connector's address: one that listens OK, a closed port FAIL", async () => {
    const listening = createServer((s) => s.end());
    await new Promise<void>((res) => listening.listen(0, '127.0.0.1', () => res()));
    const port = (listening.address() as { port: number }).port;
    try {
      const file = systemsFile(
        [
          'datasets: DATASETS',
          'connectors:',
          `  shop: { url: "http://127.0.0.1:${port}/ombud", secret: "\${env:S}" }`,
          '  helpdesk: { url: "http://127.0.0.1:1/ombud", secret: "${env:S}" }',
          '',
        ].join('\n'),
      );
      const loaded = await loadSystems(file, { env: { S: secret } });
      const checks = await checkSystems({ ...loaded, datasets: [] });
      expect(checks.map((c) => [c.target, c.check, c.status, c.detail.replace(/: .*/s, ': …')])).toEqual([
        ['shop', 'connector', 'ok', `http://127.0.0.1:${port} answers`],
        ['helpdesk', 'connector', 'fail', 'http://127.0.0.1:1 cannot be reached: …'],
      ]);
      expect(checks[1]!.detail).toContain('ECONNREFUSED');
    } finally {
      await new Promise<void>((res) => listening.close(() => res()));
    }
  });

  test('a start stores a connector sealed, once: unchanged at the next start, stored again when it changed', async () => {
    const db = await freshDb('pglite');
    try {
      const ring = parseKeyring(`k1:${randomBytes(32).toString('base64')}`);
      const c = {
        systemId: 'mailer',
        url: 'https://mail.example/ombud',
        secret,
        at: { file: 'ombud.yaml', line: 1, column: 1 },
      };
      expect(await applyConfiguredConnectors(db, ring, SYSTEM_ACTOR, [c])).toEqual({
        saved: ['mailer'],
        unchanged: [],
      });
      expect(await applyConfiguredConnectors(db, ring, SYSTEM_ACTOR, [c])).toEqual({
        saved: [],
        unchanged: ['mailer'],
      });
      expect(await applyConfiguredConnectors(db, ring, SYSTEM_ACTOR, [{ ...c, timeoutMs: 5000 }])).toEqual({
        saved: ['mailer'],
        unchanged: [],
      });
      expect(await loadHttpConnector(db, ring, 'mailer')).toEqual({
        systemId: 'mailer',
        url: 'https://mail.example/ombud',
        secret,
        timeoutMs: 5000,
        callbackHours: 72,
        resends: 2,
      });
      const saves = await db.query<{ n: number }>(
        "SELECT COUNT(*)::int AS n FROM audit_log WHERE action = 'fulfilment.connector.save'",
      );
      expect(saves[0]!.n).toBe(2);
      const stored = await db.query<{ secret_sealed: string }>(
        'SELECT secret_sealed FROM fulfilment_http_connectors',
      );
      expect(stored[0]!.secret_sealed).not.toContain(secret.slice(6));
      // Without the keyring a connector cannot be stored: the start says so.
      await expect(applyConfiguredConnectors(db, undefined, SYSTEM_ACTOR, [c])).rejects.toMatchObject({
        code: 'secret-keys-missing',
      });
    } finally {
      await db.close();
    }
  });
});
