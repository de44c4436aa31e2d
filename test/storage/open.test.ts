import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { migrate } from '../../src/storage/migrate.ts';
import { openDatabase } from '../../src/storage/open.ts';
import { freshDb, postgresAvailable } from '../support/db.ts';

test('the embedded database is locked to one process and reopens with its data', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ombud-open-'));
  const db = await openDatabase({ dataDir: dir });
  await db.query("INSERT INTO settings (key, value) VALUES ('k', '1')");
  await db.close();
  const again = await openDatabase({ dataDir: dir });
  expect(await again.query('SELECT key FROM settings')).toEqual([{ key: 'k' }]);
  // A lock file naming a live process other than this one refuses the open with a clear message.
  const { writeFileSync } = await import('node:fs');
  await again.close();
  writeFileSync(join(dir, 'lock'), String(process.ppid));
  await expect(openDatabase({ dataDir: dir })).rejects.toMatchObject({ code: 'database-in-use' });
});

test('migrations are the same on both databases and running them again changes nothing', async () => {
  for (const kind of ['pglite', 'postgres'] as const) {
    if (kind === 'postgres' && !(await postgresAvailable())) continue;
    const db = await freshDb(kind);
    expect(await migrate(db)).toEqual([]);
    const tables = await db.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
    );
    expect(tables.map((t) => t.table_name)).toEqual(
      expect.arrayContaining(['audit_log', 'notice_versions', 'register_revisions', 'schema_migrations', 'sessions', 'users']),
    );
    await db.close();
  }
});
