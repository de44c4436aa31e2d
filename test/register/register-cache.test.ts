/**
 * The register cache trusts the current revision for a short TTL (OMBUD_REGISTER_CACHE_TTL_MS) so
 * the lookup path does not ask the database on every call; a revision applied in this process is
 * seen at once, one stored by another process within the TTL.
 */
import { afterEach, beforeEach, expect, test } from 'vitest';
import { applyRegister } from '../../src/services/register/applyRegister.ts';
import { RegisterCache } from '../../src/services/register/currentRegister.ts';
import type { Db } from '../../src/storage/db.ts';
import { describeEachDatabase, freshDb } from '../support/db.ts';
import { minimalRegister } from '../support/fixtures.ts';

const actor = { kind: 'cli' as const, id: 'test' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describeEachDatabase('register cache', (kind) => {
  let db: Db;
  beforeEach(async () => {
    db = await freshDb(kind);
  });
  afterEach(async () => {
    await db.close();
  });

  test('an apply in this process is seen at once; a revision stored elsewhere within the TTL', async () => {
    const first = await applyRegister(db, actor, minimalRegister());
    const cache = new RegisterCache(db, 300);
    expect((await cache.get())!.stored.revision).toBe(first.revision);

    const second = await applyRegister(
      db,
      actor,
      minimalRegister({
        'systems.yaml': (t) => t.replace('storageCountries: [IE]', 'storageCountries: [IE, SE]'),
      }),
    );
    expect((await cache.get())!.stored.revision).toBe(second.revision);

    // Another process stores a revision: simulated by copying a row behind the cache's back.
    const rows = await db.query<{ id: number }>(
      `INSERT INTO register_revisions (content_hash, register, sources, findings, applied_by)
       SELECT 'other-process', register, sources, findings, 'cli:elsewhere' FROM register_revisions WHERE id = $1
       RETURNING id`,
      [first.revision],
    );
    const third = rows[0]!.id;
    expect((await cache.get())!.stored.revision).toBe(second.revision);
    await sleep(350);
    expect((await cache.get())!.stored.revision).toBe(third);
  });

  test('with TTL 0 the head is read on every call', async () => {
    const first = await applyRegister(db, actor, minimalRegister());
    const cache = new RegisterCache(db, 0);
    expect((await cache.get())!.stored.revision).toBe(first.revision);
    const rows = await db.query<{ id: number }>(
      `INSERT INTO register_revisions (content_hash, register, sources, findings, applied_by)
       SELECT 'other-process', register, sources, findings, 'cli:elsewhere' FROM register_revisions WHERE id = $1
       RETURNING id`,
      [first.revision],
    );
    expect((await cache.get())!.stored.revision).toBe(rows[0]!.id);
  });
});
