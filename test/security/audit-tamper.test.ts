/**
 * What someone with write access to the database (a superuser: triggers off, any UPDATE/DELETE) can do
 * to the audit log, and that `verifyAuditLog` / `verifyAuditTrail` catch each of it: with the keyed
 * chain (key outside the database) and the signed checkpoints exported to a file.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { type App, createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { auditHash, auditMac, GENESIS_HASH, microIso } from '../../src/core/audit/chain.ts';
import { recordAudit, SYSTEM_ACTOR, verifyAuditLog } from '../../src/services/audit/auditLog.ts';
import {
  type AuditTrust,
  makeCheckpoint,
  readExportedCheckpoints,
  verifyAuditTrail,
} from '../../src/services/audit/checkpoints.ts';
import {
  auditChainKeys,
  chainKeysFrom,
  installAuditChainKeys,
  loadCheckpointKeys,
} from '../../src/services/audit/keys.ts';
import type { Db } from '../../src/storage/db.ts';
import { describeEachDatabase, freshDb } from '../support/db.ts';
import { TEST_AUDIT_KEYRING } from '../support/audit-keys.ts';

type Row = {
  seq: number;
  at_us: string;
  actor: string;
  org_id: string | null;
  action: string;
  target: string | null;
  reason: string | null;
  details: Record<string, unknown>;
  prev_hash: string;
  hash: string;
  key_id: string | null;
};

const rowsOf = (db: Db) =>
  db.query<Row>(
    `SELECT seq, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at_us, actor, org_id, action,
            target, reason, details, prev_hash, hash, key_id FROM audit_log ORDER BY seq`,
  );

/**
 * The attacker's rewrite: recompute every entry's hash from the first one on with the project's own
 * function (the unkeyed one: the attacker has no key, so the key ids are cleared, or a key of their own
 * under the same id), and set the head to match. `edit` changes the rows first.
 */
async function recompute(db: Db, mode: 'unkeyed' | 'guessed-key', edit?: (rows: Row[]) => Row[], from = 0) {
  const rows = edit ? edit(await rowsOf(db)) : await rowsOf(db);
  const guessed = Buffer.alloc(32, 1);
  let prev = rows.filter((r) => r.seq < from).at(-1)?.hash ?? GENESIS_HASH;
  for (const r of rows) {
    if (r.seq < from) continue;
    const fields = {
      at: r.at_us,
      actor: r.actor,
      orgId: r.org_id,
      action: r.action,
      target: r.target,
      reason: r.reason,
      details: r.details,
    };
    const hash =
      mode === 'unkeyed'
        ? auditHash(prev, { ...fields, at: r.at_us.replace(/000Z$/, 'Z') })
        : auditMac(guessed, r.key_id ?? 'test', prev, fields);
    await db.query(
      'UPDATE audit_log SET prev_hash = $2, hash = $3, key_id = $4, reason = $5, target = $6 WHERE seq = $1',
      [r.seq, prev, hash, mode === 'unkeyed' ? null : (r.key_id ?? 'test'), r.reason, r.target],
    );
    prev = hash;
  }
  const last = rows.at(-1)!;
  await db.query('UPDATE audit_head SET seq = $1, count = $2, hash = $3 WHERE id = 1', [
    last.seq,
    rows.length,
    prev,
  ]);
}

describeEachDatabase('audit log tamper evidence', (kind) => {
  let db: Db;
  let app: App;
  let dir: string;
  let trust: AuditTrust;
  const seqs: number[] = [];
  beforeEach(async () => {
    installAuditChainKeys(chainKeysFrom(TEST_AUDIT_KEYRING, 'test'));
    db = await freshDb(kind);
    dir = mkdtempSync(join(tmpdir(), 'ombud-audit-'));
    app = createApp(db, loadConfig({ LOG_LEVEL: 'silent', OMBUD_DATA_DIR: dir }));
    trust = {
      signingKeyFile: join(dir, 'keys', 'audit-signing.key'),
      publicKeyFile: join(dir, 'keys', 'audit-signing.key.pub'),
      checkpointDir: join(dir, 'checkpoints'),
      mailTo: ['dpo@nestit.example'],
      createKeys: true,
    };
    seqs.length = 0;
    for (let i = 1; i <= 6; i++)
      seqs.push(
        Number(
          await recordAudit(db, {
            actor: { kind: 'user', id: `u${i}` },
            orgId: i % 2 ? 'provendo' : 'bokhylla',
            action: 'subject.read',
            target: `subject:${i}`,
            reason: 'request 42',
          }),
        ),
      );
    expect(await verifyAuditLog(db)).toEqual({ ok: true, count: 6 });
    // What an attacker with database superuser rights can do: lift the append-only trigger.
    await db.exec('ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only');
  });
  afterEach(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Sign and export a checkpoint of the current (intact) head. */
  const checkpoint = async () => {
    await db.exec('ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only');
    const r = await makeCheckpoint(app, trust, SYSTEM_ACTOR);
    await db.exec('ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only');
    return r;
  };

  test('the application cannot update or delete audit rows', async () => {
    await db.exec('ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only');
    await expect(db.query("UPDATE audit_log SET action = 'x' WHERE seq = $1", [seqs[0]])).rejects.toThrow(
      /immutable/,
    );
    await expect(db.query('DELETE FROM audit_log WHERE seq = $1', [seqs[0]])).rejects.toThrow(/immutable/);
  });

  test('an altered entry is named', async () => {
    await db.query("UPDATE audit_log SET target = 'subject:999' WHERE seq = $1", [seqs[2]]);
    const r = await verifyAuditLog(db);
    expect(r).toMatchObject({ ok: false, seq: seqs[2] });
    expect(r.ok === false && r.problem).toMatch(/altered/);
  });

  test('an altered entry whose hash was recomputed is caught at the next entry', async () => {
    const [row] = await rowsOf(db).then((rows) => rows.filter((r) => r.seq === seqs[1]));
    const forged = auditMac(Buffer.alloc(32, 1), 'test', row!.prev_hash, {
      at: row!.at_us,
      actor: row!.actor,
      orgId: row!.org_id,
      action: row!.action,
      target: row!.target,
      reason: 'nothing to see',
      details: {},
    });
    await db.query("UPDATE audit_log SET reason = 'nothing to see', hash = $2 WHERE seq = $1", [
      seqs[1],
      forged,
    ]);
    // Without the key the forged hash does not match at the entry itself.
    expect(await verifyAuditLog(db)).toMatchObject({ ok: false, seq: seqs[1] });
  });

  test('a removed entry is named by the entry after it', async () => {
    await db.query('DELETE FROM audit_log WHERE seq = $1', [seqs[3]]);
    const r = await verifyAuditLog(db);
    expect(r).toMatchObject({ ok: false, seq: seqs[4] });
    expect(r.ok === false && r.problem).toMatch(/removed or reordered/);
  });

  test('reordered entries are named', async () => {
    // Swap the positions of entries 2 and 3.
    await db.query('UPDATE audit_log SET seq = -1 WHERE seq = $1', [seqs[1]]);
    await db.query('UPDATE audit_log SET seq = $1 WHERE seq = $2', [seqs[1], seqs[2]]);
    await db.query('UPDATE audit_log SET seq = $1 WHERE seq = -1', [seqs[2]]);
    const r = await verifyAuditLog(db);
    expect(r).toMatchObject({ ok: false, seq: seqs[1] });
  });

  test('entries cut from the tail are caught by the head', async () => {
    await db.query('DELETE FROM audit_log WHERE seq >= $1', [seqs[4]]);
    const r = await verifyAuditLog(db);
    expect(r).toMatchObject({ ok: false, seq: seqs[5] });
    expect(r.ok === false && r.problem).toMatch(/ends early/);
  });

  test('the whole log deleted is caught too', async () => {
    await db.query('DELETE FROM audit_log');
    expect((await verifyAuditLog(db)).ok).toBe(false);
  });

  test('verification pages through long logs', async () => {
    await db.exec('ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only');
    expect(await verifyAuditLog(db, 2)).toEqual({ ok: true, count: 6 });
    await db.exec('ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only');
    await db.query("UPDATE audit_log SET actor = 'user:someone-else' WHERE seq = $1", [seqs[4]]);
    expect(await verifyAuditLog(db, 2)).toMatchObject({ ok: false, seq: seqs[4] });
  });

  // The four tamperings the unkeyed chain let through (issue 11, point 4).

  test('P21 the last entries deleted and the head updated to match are caught by the signed checkpoint', async () => {
    await checkpoint();
    await db.query('DELETE FROM audit_log WHERE seq >= $1', [seqs[4]]);
    const [last] = await db.query<{ hash: string }>('SELECT hash FROM audit_log WHERE seq = $1', [seqs[3]]);
    await db.query('UPDATE audit_head SET seq = $1, count = 4, hash = $2 WHERE id = 1', [
      seqs[3],
      last!.hash,
    ]);
    // The chain and its head agree: only the checkpoint exported outside the database tells.
    const r = await verifyAuditTrail(db, trust);
    expect(r).toMatchObject({ ok: false, seq: seqs[5] });
    expect(r.ok === false && r.problem).toMatch(/ends before the signed checkpoint/);
  });

  test('P21 an altered entry with the chain and head recomputed by the project’s own function is caught by the key', async () => {
    const alter = (rows: Row[]) => rows.map((r) => (r.seq === seqs[2] ? { ...r, target: 'subject:999' } : r));
    // Recomputed unkeyed from the altered entry on: an unkeyed entry after keyed ones.
    await recompute(db, 'unkeyed', alter, seqs[2]);
    let r = await verifyAuditLog(db);
    expect(r).toMatchObject({ ok: false, seq: seqs[2] });
    expect(r.ok === false && r.problem).toMatch(/rewritten without the audit key/);
    // Recomputed with a key of the attacker's own under the real key id: the entry's keyed hash fails.
    await recompute(db, 'guessed-key', alter, seqs[2]);
    r = await verifyAuditLog(db);
    expect(r).toMatchObject({ ok: false, seq: seqs[2] });
    expect(r.ok === false && r.problem).toMatch(/keyed hash: it was altered/);
  });

  test('P21 the whole log rewritten as an old unkeyed chain is caught by the signed checkpoint', async () => {
    await checkpoint();
    await recompute(db, 'unkeyed', (rows) =>
      rows.map((r) => (r.seq === seqs[2] ? { ...r, target: 'subject:999' } : r)),
    );
    const r = await verifyAuditTrail(db, trust);
    expect(r).toMatchObject({ ok: false, seq: seqs[0] });
    expect(r.ok === false && r.problem).toMatch(/unkeyed, but the chain is keyed from entry/);
  });

  test('P21 an old unkeyed log altered and recomputed after its checkpoint is caught by the checkpoint’s hash', async () => {
    // An install from before the keyed chain: its entries are unkeyed; the first checkpoint vouches for them.
    await recompute(db, 'unkeyed');
    await checkpoint();
    expect((await readExportedCheckpoints(trust)).checkpoints[0]).toMatchObject({
      keyedFrom: seqs[5]! + 1,
      count: 6,
    });
    await recompute(db, 'unkeyed', (rows) =>
      rows.map((r) => (r.seq === seqs[2] ? { ...r, reason: 'nothing to see' } : r)),
    );
    expect(await verifyAuditLog(db)).toMatchObject({ ok: true }); // the chain alone cannot tell…
    const r = await verifyAuditTrail(db, trust);
    expect(r).toMatchObject({ ok: false, seq: seqs[5] }); // …the checkpoint can
    expect(r.ok === false && r.problem).toMatch(/does not match the signed checkpoint/);
  });

  test('P21 a deleted entry with the chain and head recomputed is caught by the key and by the checkpoint', async () => {
    await checkpoint();
    await db.query('DELETE FROM audit_log WHERE seq = $1', [seqs[3]]);
    await recompute(db, 'unkeyed', undefined, seqs[4]);
    let r = await verifyAuditTrail(db, trust);
    expect(r).toMatchObject({ ok: false, seq: seqs[4] });
    await recompute(db, 'guessed-key', undefined, seqs[4]);
    r = await verifyAuditTrail(db, trust);
    expect(r).toMatchObject({ ok: false, seq: seqs[4] });
    expect(r.ok === false && r.problem).toMatch(/altered/);
    // Even with the unkeyed rule out of the way (the checkpoint's hash is what is left), the count tells.
    await recompute(db, 'unkeyed');
    r = await verifyAuditTrail(db, trust);
    expect(r).toMatchObject({ ok: false, seq: seqs[0] });
  });

  test('P21 a change below a millisecond of an entry’s time is caught', async () => {
    await db.query("UPDATE audit_log SET at = at + interval '1 microsecond' WHERE seq = $1", [seqs[2]]);
    const r = await verifyAuditLog(db);
    expect(r).toMatchObject({ ok: false, seq: seqs[2] });
    expect(r.ok === false && r.problem).toMatch(/altered/);
  });

  test('P21 a sub-millisecond change in an entry from before the keyed chain is caught too', async () => {
    // An old install: unkeyed entries (as written before the keyed chain), then the switch.
    await recompute(db, 'unkeyed');
    expect(await verifyAuditLog(db)).toMatchObject({ ok: true, count: 6 });
    await db.exec('ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only');
    const next = await recordAudit(db, { actor: { kind: 'user', id: 'u7' }, action: 'subject.read' });
    const ok = await verifyTrail();
    expect(ok).toMatchObject({ ok: true, count: 7, keyed: 1, unkeyed: 6, keyedFrom: next });
    expect(ok.warnings.join(' ')).toMatch(/6 entries predate the keyed chain/);
    await db.exec('ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only');
    await db.query("UPDATE audit_log SET at = at + interval '1 microsecond' WHERE seq = $1", [seqs[1]]);
    const r = await verifyAuditLog(db);
    expect(r).toMatchObject({ ok: false, seq: seqs[1] });
    expect(r.ok === false && r.problem).toMatch(/below a millisecond/);
  });
  const verifyTrail = () => verifyAuditTrail(db, trust);

  test('P21 an unkeyed entry appended after keyed ones (written without the key) is caught', async () => {
    const rows = await rowsOf(db);
    const last = rows.at(-1)!;
    const at = microIso(new Date());
    const fields = { at, actor: 'user:x', orgId: null, action: 'x', target: null, reason: null, details: {} };
    const hash = auditHash(last.hash, { ...fields, at: at.replace(/000Z$/, 'Z') });
    const [{ seq }] = (await db.query<{ seq: number }>(
      `INSERT INTO audit_log (at, actor, action, prev_hash, hash) VALUES ($1, 'user:x', 'x', $2, $3) RETURNING seq`,
      [at, last.hash, hash],
    )) as [{ seq: number }];
    await db.query('UPDATE audit_head SET seq = $1, count = 7, hash = $2', [seq, hash]);
    const r = await verifyAuditLog(db);
    expect(r).toMatchObject({ ok: false, seq: Number(seq) });
    expect(r.ok === false && r.problem).toMatch(/rewritten without the audit key/);
  });

  test('P21 the checkpoint is trusted from the signed file only: a forged line or a copy in the database does not count', async () => {
    const made = await checkpoint();
    expect(made.mailedTo).toEqual(['dpo@nestit.example']);
    const mail = await db.query<{ body: string }>(
      "SELECT body FROM mail_outbox WHERE template = 'audit-checkpoint'",
    );
    expect(mail[0]!.body).toContain(made.line);
    expect(await verifyTrail()).toMatchObject({ ok: true, count: 6, checkpointsMatched: 1 });
    // A line the attacker appends (their hash, a made-up signature) fails the signature check.
    const file = join(trust.checkpointDir, 'checkpoints.jsonl');
    writeFileSync(file, `${readFileSync(file, 'utf8')}${made.line.replace(/"count":6/, '"count":4')}\n`);
    const r = await verifyTrail();
    expect(r).toMatchObject({ ok: false });
    expect(r.ok === false && r.problem).toMatch(/line 2 has a signature that does not verify/);
    // The database's copy is not what verification trusts: without the file there is no checkpoint, and a warning.
    rmSync(file);
    const v = await verifyTrail();
    expect(v).toMatchObject({ ok: true, checkpoint: null });
    expect(v.warnings.join(' ')).toMatch(/No exported checkpoint/);
    expect(v.warnings.join(' ')).toMatch(/database lists a checkpoint/);
  });

  test('P21 verification without the chain key says so and does not pass', async () => {
    installAuditChainKeys(undefined);
    const r = await verifyTrail();
    expect(r).toMatchObject({ ok: false, cannotVerify: true, seq: seqs[0] });
    expect(r.warnings.join(' ')).toMatch(/WITHOUT the audit chain key/);
  });

  test('P21 later checkpoints walk only the entries since the last one, and verify checks every checkpoint', async () => {
    const first = await checkpoint();
    await db.exec('ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only');
    const seq7 = await recordAudit(db, { actor: { kind: 'user', id: 'u7' }, action: 'subject.read' });
    const second = await makeCheckpoint(app, trust, SYSTEM_ACTOR);
    expect(second.checkpoint).toMatchObject({ seq: seq7, count: 7, keyedFrom: first.checkpoint.keyedFrom });
    expect(await verifyTrail()).toMatchObject({ ok: true, count: 7, checkpointsMatched: 2 });
    // A rewrite before the last checkpoint: the next checkpoint is refused, verify names it.
    await db.exec('ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only');
    await db.query('DELETE FROM audit_log WHERE seq = $1', [seqs[0]]);
    await expect(makeCheckpoint(app, trust, SYSTEM_ACTOR)).rejects.toThrow(/does not verify/);
    expect(await verifyTrail()).toMatchObject({ ok: false, seq: seqs[1] });
  });

  test('an entry added with a valid keyed hash but without moving the head is caught', async () => {
    const [last] = (await rowsOf(db)).slice(-1);
    const at = microIso(new Date());
    const fields = { at, actor: 'user:x', orgId: null, action: 'x', target: null, reason: null, details: {} };
    const hash = auditMac(auditChainKeys()!.keys.get('test')!, 'test', last!.hash, fields);
    const [row] = await db.query<{ seq: number }>(
      `INSERT INTO audit_log (at, actor, action, prev_hash, hash, key_id) VALUES ($1, 'user:x', 'x', $2, $3, 'test') RETURNING seq`,
      [at, last!.hash, hash],
    );
    const r = await verifyAuditLog(db);
    expect(r).toMatchObject({ ok: false, seq: Number(row!.seq) });
    expect(r.ok === false && r.problem).toMatch(/the head was changed, or entries were added without it/);
  });

  test('P21 a checkpoint is never signed over a broken log', async () => {
    await db.query("UPDATE audit_log SET target = 'subject:999' WHERE seq = $1", [seqs[2]]);
    await expect(makeCheckpoint(app, trust, SYSTEM_ACTOR)).rejects.toThrow(/does not verify/);
    expect((await readExportedCheckpoints(trust)).checkpoints).toHaveLength(0);
  });

  test('P21 the database holds no copy of the audit keys', async () => {
    await checkpoint();
    const { signer } = loadCheckpointKeys(trust, { create: false });
    const raw = Buffer.from(TEST_AUDIT_KEYRING.split(':')[1]!, 'base64');
    const derived = auditChainKeys()!.keys.get('test')!;
    const pkcs8 = signer!.key.export({ type: 'pkcs8', format: 'der' });
    const d = (signer!.key.export({ format: 'jwk' }) as { d: string }).d;
    const secrets = [
      raw.toString('base64'),
      raw.toString('hex'),
      derived.toString('base64'),
      derived.toString('hex'),
      pkcs8.toString('base64').slice(20),
      d,
      Buffer.from(d, 'base64url').toString('hex'),
      Buffer.from(d, 'base64url').toString('base64'),
    ];
    const tables = await db.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
    );
    expect(tables.map((t) => t.table_name)).toEqual(
      expect.arrayContaining(['settings', 'audit_checkpoints']),
    );
    let text = '';
    for (const { table_name } of tables)
      for (const row of await db.query<{ t: string }>(`SELECT t::text AS t FROM "${table_name}" t`))
        text += row.t;
    expect(text).toContain(signer!.kid); // the checkpoint copy is there…
    for (const s of secrets) expect(text).not.toContain(s); // …the keys are not
  });
});
