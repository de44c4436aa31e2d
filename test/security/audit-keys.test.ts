/**
 * The audit chain keys: where they come from (OMBUD_SECRET_KEYS, the key file, a file created on first
 * use), rotation by key id, and that verification without a key says so.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { recordAudit, verifyAuditLog } from '../../src/services/audit/auditLog.ts';
import { installAuditChainKeys, loadAuditChainKeys } from '../../src/services/audit/keys.ts';
import { freshDb } from '../support/db.ts';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'ombud-audit-keys-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const k = () => randomBytes(32).toString('base64');

test('P21 without OMBUD_SECRET_KEYS a key file is created outside the database (0600), and only when asked', () => {
  const dir = tmp();
  const config = loadConfig({ OMBUD_DATA_DIR: dir });
  expect(loadAuditChainKeys(config, { create: false }).keys).toBeUndefined();
  expect(existsSync(join(dir, 'audit-chain.key'))).toBe(false);
  const made = loadAuditChainKeys(config, { create: true });
  expect(made.created).toBe(join(dir, 'audit-chain.key'));
  expect(statSync(made.created!).mode & 0o777).toBe(0o600);
  expect(made.keys!.current).toMatch(/^a\d{8}$/);
  // The same key on the next start.
  const again = loadAuditChainKeys(config, { create: true });
  expect(again.created).toBeUndefined();
  expect(again.keys!.keys.get(again.keys!.current)).toEqual(made.keys!.keys.get(made.keys!.current));
  // With OMBUD_SECRET_KEYS no file is created.
  const other = tmp();
  const withRing = loadAuditChainKeys(loadConfig({ OMBUD_DATA_DIR: other, OMBUD_SECRET_KEYS: `k1:${k()}` }), {
    create: true,
  });
  expect(withRing.keys!.current).toBe('k1');
  expect(existsSync(join(other, 'audit-chain.key'))).toBe(false);
});

test('P21 rotation: entries keep their key id; old entries verify while the retired key is configured', async () => {
  const dir = tmp();
  const k1 = `k1:${k()}`;
  const k2 = `k2:${k()}`;
  const db = await freshDb();
  try {
    // A demo install: the key file; then OMBUD_SECRET_KEYS k1; then k2 added (k1 retired but kept).
    const file = loadAuditChainKeys(loadConfig({ OMBUD_DATA_DIR: dir }), { create: true }).keys!;
    installAuditChainKeys(file);
    await recordAudit(db, { actor: { kind: 'user', id: 'a' }, action: 'x' });
    installAuditChainKeys(
      loadAuditChainKeys(loadConfig({ OMBUD_DATA_DIR: dir, OMBUD_SECRET_KEYS: k1 }), { create: true }).keys,
    );
    await recordAudit(db, { actor: { kind: 'user', id: 'b' }, action: 'x' });
    const both = loadAuditChainKeys(loadConfig({ OMBUD_DATA_DIR: dir, OMBUD_SECRET_KEYS: `${k1},${k2}` }), {
      create: true,
    }).keys!;
    expect(both.current).toBe('k2');
    installAuditChainKeys(both);
    await recordAudit(db, { actor: { kind: 'user', id: 'c' }, action: 'x' });
    const ids = await db.query<{ key_id: string }>('SELECT key_id FROM audit_log ORDER BY seq');
    expect(ids.map((r) => r.key_id)).toEqual([file.current, 'k1', 'k2']);
    expect(await verifyAuditLog(db)).toEqual({ ok: true, count: 3 });
    // k1 dropped too early: the entries it keyed can no longer be checked, and verification says so.
    installAuditChainKeys(
      loadAuditChainKeys(loadConfig({ OMBUD_DATA_DIR: dir, OMBUD_SECRET_KEYS: k2 }), { create: true }).keys,
    );
    const r = await verifyAuditLog(db);
    expect(r).toMatchObject({ ok: false, seq: 2, cannotVerify: true });
    expect(r.ok === false && r.problem).toMatch(/audit key 'k1', which this verifier does not have/);
    // The key file and OMBUD_SECRET_KEYS may not give one id two keys.
    writeFileSync(
      join(dir, 'audit-chain.key'),
      `${readFileSync(join(dir, 'audit-chain.key'), 'utf8')}k2:${k()}\n`,
    );
    expect(() =>
      loadAuditChainKeys(loadConfig({ OMBUD_DATA_DIR: dir, OMBUD_SECRET_KEYS: k2 }), { create: true }),
    ).toThrow(/both define key 'k2'/);
  } finally {
    await db.close();
  }
});
