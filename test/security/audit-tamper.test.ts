import { afterEach, beforeEach, expect, test } from 'vitest';
import { auditHash } from '../../src/core/audit/chain.ts';
import { recordAudit, verifyAuditLog } from '../../src/services/audit/auditLog.ts';
import type { Db } from '../../src/storage/db.ts';
import { describeEachDatabase, freshDb } from '../support/db.ts';

describeEachDatabase('audit log tamper evidence', (kind) => {
  let db: Db;
  const seqs: number[] = [];
  beforeEach(async () => {
    db = await freshDb(kind);
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
  afterEach(() => db.close());

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
    const [row] = await db.query<{
      at: Date;
      actor: string;
      org_id: string;
      action: string;
      target: string;
      prev_hash: string;
    }>('SELECT * FROM audit_log WHERE seq = $1', [seqs[1]]);
    const forged = auditHash(row!.prev_hash, {
      at: new Date(row!.at).toISOString(),
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
    const r = await verifyAuditLog(db);
    expect(r).toMatchObject({ ok: false, seq: seqs[2] });
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
});
