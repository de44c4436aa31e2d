/**
 * The migration guard (src/storage/migrate.ts): every migration that ran is recorded with its file's sha256;
 * a changed file, a new file sorting before one that ran, and a file that ran but is gone are refused before
 * anything runs. On a folder of this test's own (never the real migrations), on PGlite and the server.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { OmbudError } from '../../src/core/errors.ts';
import type { Db } from '../../src/storage/db.ts';
import { migrate } from '../../src/storage/migrate.ts';
import { openPglite } from '../../src/storage/pglite.ts';
import { openPostgres } from '../../src/storage/postgres.ts';
import { describeEachDatabase, serverDatabase } from '../support/db.ts';

/** The files and their sha256 (`printf '…' | sha256sum`), written by hand. */
const PEOPLE = 'CREATE TABLE people (id int PRIMARY KEY, name text NOT NULL);\n';
const PEOPLE_SHA = '09b6fb2df4b582f447965d227eb9d223dfbd05cbfaa80ed9b8d426d8f78df3da';
const PEOPLE_CHANGED = 'CREATE TABLE people (id int PRIMARY KEY, name text NOT NULL, born date);\n';
const PEOPLE_CHANGED_SHA = 'f9f4aa2c9a5b28400e0a3f29e0e03cbaf604283496710a2f1c5bdf62a278d3d2';
const PETS = 'CREATE TABLE pets (id int PRIMARY KEY, owner int NOT NULL REFERENCES people (id));\n';
const PETS_SHA = '0995a28a06ea7828eba02b648cb028605d15680e08667a31de03503e477aed58';
const TOYS = 'CREATE TABLE toys (id int PRIMARY KEY, pet int NOT NULL REFERENCES pets (id));\n';
const TOYS_SHA = '39a0ff0df080d2c45a97939e98f17b7382be63356ccaf582d514081a412012cf';

const EMBEDDED = 'the embedded database';
const SERVER = 'the PostgreSQL database';

async function refusal(p: Promise<unknown>): Promise<OmbudError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'the migration was not refused').toBeDefined();
  return err as OmbudError;
}

describeEachDatabase('migration guard', (kind) => {
  let dir: string;
  let db: Db;
  let drop: (() => Promise<void>) | undefined;
  let url = '';
  const name = kind === 'pglite' ? EMBEDDED : SERVER;
  const write = (file: string, text: string) => writeFileSync(join(dir, file), text);
  const tables = async () =>
    (
      await db.query<{ t: string }>(
        "SELECT table_name AS t FROM information_schema.tables WHERE table_schema = current_schema() AND table_name IN ('people', 'pets', 'toys') ORDER BY 1",
      )
    ).map((r) => r.t);
  const recorded = () =>
    db.query<{ version: string; checksum: string }>(
      'SELECT version, checksum FROM schema_migrations ORDER BY version',
    );

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ombud-migrations-'));
    if (kind === 'pglite') {
      db = await openPglite();
      drop = undefined;
    } else {
      const server = await serverDatabase('ombud_migrate');
      db = await openPostgres(server.url, 2);
      drop = server.drop;
      url = server.url;
    }
  });
  afterEach(async () => {
    await db.close();
    await drop?.();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs new files in order with their checksums, and an upgrade runs only the new one', async () => {
    write('0001_people.sql', PEOPLE);
    write('0002_pets.sql', PETS);
    expect(await migrate(db, { dir })).toEqual(['0001_people.sql', '0002_pets.sql']);
    expect(await recorded()).toEqual([
      { version: '0001_people.sql', checksum: PEOPLE_SHA },
      { version: '0002_pets.sql', checksum: PETS_SHA },
    ]);
    await db.query("INSERT INTO people (id, name) VALUES (1, 'Ada')");
    await db.query('INSERT INTO pets (id, owner) VALUES (10, 1)');
    expect(await migrate(db, { dir })).toEqual([]);

    write('0003_toys.sql', TOYS);
    expect(await migrate(db, { dir })).toEqual(['0003_toys.sql']);
    expect((await recorded()).at(-1)).toEqual({ version: '0003_toys.sql', checksum: TOYS_SHA });
    expect(await tables()).toEqual(['people', 'pets', 'toys']);
    expect(await db.query('SELECT id, owner FROM pets')).toEqual([{ id: 10, owner: 1 }]);
  });

  it('refuses a file changed after it ran, naming it with both checksums, and runs nothing', async () => {
    write('0001_people.sql', PEOPLE);
    await migrate(db, { dir });
    write('0001_people.sql', PEOPLE_CHANGED);
    write('0002_pets.sql', PETS);
    const err = await refusal(migrate(db, { dir }));
    expect(err.code).toBe('migration-changed');
    expect(err.message).toBe(
      `Refusing to migrate ${name} (${dir}): a migration that ran was changed. Nothing was changed.`,
    );
    expect(err.issues).toEqual([
      {
        path: ['0001_people.sql'],
        message: `changed after it ran on ${name}: it ran with sha256 ${PEOPLE_SHA}, it now has sha256 ${PEOPLE_CHANGED_SHA}`,
        hint: `put 0001_people.sql in ${dir} back as it was when it ran (see its history in git), and make the change in a new migration numbered after 0002_pets.sql`,
      },
    ]);
    expect(err.hint).toMatch(/never edited, renumbered or removed/);
    // Nothing ran: not the new file either.
    expect(await tables()).toEqual(['people']);
    expect(await recorded()).toEqual([{ version: '0001_people.sql', checksum: PEOPLE_SHA }]);
    // Put back as it was, the upgrade goes on.
    write('0001_people.sql', PEOPLE);
    expect(await migrate(db, { dir })).toEqual(['0002_pets.sql']);
  });

  it('takes a file whose line ends became \\r\\n as unchanged', async () => {
    write('0001_people.sql', PEOPLE);
    await migrate(db, { dir });
    write('0001_people.sql', PEOPLE.replace(/\n/g, '\r\n'));
    expect(await migrate(db, { dir })).toEqual([]);
  });

  it('refuses a new file that sorts before one that ran (it would run in another order than on a new database)', async () => {
    write('0001_people.sql', PEOPLE);
    write('0003_toys.sql', 'CREATE TABLE toys (id int PRIMARY KEY);\n');
    await migrate(db, { dir });
    write('0002_pets.sql', PETS);
    write('0004_more.sql', 'CREATE TABLE more_things (id int);\n');
    const err = await refusal(migrate(db, { dir }));
    expect(err.code).toBe('migration-out-of-order');
    expect(err.issues).toEqual([
      {
        path: ['0002_pets.sql'],
        message: `has not run on ${name}, but the later 0003_toys.sql has: a new database runs it before 0003_toys.sql, this one would run it after`,
        hint: 'renumber 0002_pets.sql after 0003_toys.sql (a development database may instead be started anew)',
      },
    ]);
    expect(await tables()).toEqual(['people', 'toys']);
    // Renumbered after the newest that ran, it runs.
    rmSync(join(dir, '0002_pets.sql'));
    write('0005_pets.sql', PETS);
    expect(await migrate(db, { dir })).toEqual(['0004_more.sql', '0005_pets.sql']);
  });

  it('refuses a database that ran a migration this folder does not have (migrated by a newer Ombud)', async () => {
    write('0001_people.sql', PEOPLE);
    write('0002_pets.sql', PETS);
    await migrate(db, { dir });
    rmSync(join(dir, '0002_pets.sql'));
    const err = await refusal(migrate(db, { dir }));
    expect(err.code).toBe('migration-missing');
    expect(err.issues).toEqual([
      {
        path: ['0002_pets.sql'],
        message: `ran on ${name}, but this Ombud does not have it: the database was migrated by another (newer) version of Ombud`,
        hint: 'run the Ombud version that migrated this database (or a newer one), or restore the backup taken before that upgrade',
      },
    ]);
  });

  it('names every problem at once', async () => {
    write('0001_people.sql', PEOPLE);
    write('0003_toys.sql', 'CREATE TABLE toys (id int PRIMARY KEY);\n');
    await migrate(db, { dir });
    write('0001_people.sql', PEOPLE_CHANGED);
    write('0002_pets.sql', PETS);
    const err = await refusal(migrate(db, { dir }));
    expect(err.code).toBe('migration-changed');
    expect(err.message).toBe(
      `Refusing to migrate ${name} (${dir}): a migration that ran was changed; a new migration sorts before one that ran. Nothing was changed.`,
    );
    expect(err.issues.map((i) => i.path)).toEqual([['0001_people.sql'], ['0002_pets.sql']]);
  });

  it('gives migrations recorded before checksums were kept their checksum on the first run', async () => {
    // The table as the runner before checksums made it, with a migration it ran.
    await db.exec(
      `CREATE TABLE schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());
       ${PEOPLE}
       INSERT INTO schema_migrations (version) VALUES ('0001_people.sql');`,
    );
    write('0001_people.sql', PEOPLE);
    write('0002_pets.sql', PETS);
    expect(await migrate(db, { dir })).toEqual(['0002_pets.sql']);
    expect(await recorded()).toEqual([
      { version: '0001_people.sql', checksum: PEOPLE_SHA },
      { version: '0002_pets.sql', checksum: PETS_SHA },
    ]);
    // From now on a change is seen.
    write('0001_people.sql', PEOPLE_CHANGED);
    expect((await refusal(migrate(db, { dir }))).code).toBe('migration-changed');
  });

  it('lets one migrator at a time run: two at once apply each file once', async () => {
    if (kind === 'pglite') return; // one connection: nothing runs at once
    write('0001_people.sql', PEOPLE);
    write('0002_pets.sql', PETS);
    const other = await openPostgres(url, 2);
    try {
      const [a, b] = await Promise.all([migrate(db, { dir }), migrate(other, { dir })]);
      expect([...a, ...b].sort()).toEqual(['0001_people.sql', '0002_pets.sql']);
    } finally {
      await other.close();
    }
  });
});
