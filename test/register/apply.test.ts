import { afterEach, beforeEach, expect, test } from 'vitest';
import { OmbudError } from '../../src/core/errors.ts';
import { verifyAuditLog } from '../../src/services/audit/auditLog.ts';
import { applyRegister } from '../../src/services/register/applyRegister.ts';
import { currentRegister, listRevisions } from '../../src/services/register/currentRegister.ts';
import type { Db } from '../../src/storage/db.ts';
import { describeEachDatabase, freshDb } from '../support/db.ts';
import { minimalRegister } from '../support/fixtures.ts';

const actor = { kind: 'cli' as const, id: 'test' };

describeEachDatabase('register apply', (kind) => {
  let db: Db;
  beforeEach(async () => {
    db = await freshDb(kind);
  });
  afterEach(async () => {
    await db.close();
  });

  test('applying stores a revision; applying the same files again changes nothing', async () => {
    const first = await applyRegister(db, actor, minimalRegister());
    expect(first.changed).toBe(true);
    expect(
      first.changes.some((c) => c.section === 'purposes' && c.id === 'newsletter' && c.change === 'added'),
    ).toBe(true);
    const again = await applyRegister(db, actor, minimalRegister());
    expect(again).toMatchObject({ changed: false, revision: first.revision, changes: [] });
    expect(await listRevisions(db)).toHaveLength(1);
    // Reordered files with the same content are the same register.
    const reordered = await applyRegister(db, actor, minimalRegister().reverse());
    expect(reordered.changed).toBe(false);
  });

  test('a changed register is a new revision with its field-level changes', async () => {
    await applyRegister(db, actor, minimalRegister());
    const next = await applyRegister(
      db,
      actor,
      minimalRegister({
        'systems.yaml': (t) => t.replace('storageCountries: [IE]', 'storageCountries: [IE, SE]'),
      }),
    );
    expect(next.changed).toBe(true);
    expect(next.changes).toEqual([
      { section: 'systems', id: 'mailer', change: 'changed', fields: ['storageCountries'] },
    ]);
    expect((await currentRegister(db))!.revision).toBe(next.revision);
  });

  test('a broken register stores nothing and says where it is broken', async () => {
    await applyRegister(db, actor, minimalRegister());
    const broken = minimalRegister({
      'purposes.yaml': (t) => t.replace('recipients: [mailer]', 'recipients: [nobody]'),
    });
    const err = await applyRegister(db, actor, broken).catch((e) => e);
    expect(err).toBeInstanceOf(OmbudError);
    expect(err.kind).toBe('validation');
    expect(err.issues[0].path[0]).toMatch(/^purposes\.yaml:\d+:\d+$/);
    expect(err.issues[0].message).toContain("Unknown system 'nobody'");
    expect(await listRevisions(db)).toHaveLength(1);
  });

  test('revisions are immutable and every apply is in the audit chain', async () => {
    const { revision } = await applyRegister(db, actor, minimalRegister());
    await expect(
      db.query('UPDATE register_revisions SET applied_by = $1 WHERE id = $2', ['someone', revision]),
    ).rejects.toThrow(/immutable/);
    const check = await verifyAuditLog(db);
    expect(check).toEqual({ ok: true, count: 1 });
  });
});
