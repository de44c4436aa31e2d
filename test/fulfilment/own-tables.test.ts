/**
 * Ombud's tables in the group's databases are versioned (src/services/fulfilment/ownTables.ts): a fresh
 * database gets the current version, recorded in ombud_schema_migrations; a database with the tables as
 * Ombud made them before versioning (and rows in them) takes them over and keeps its rows; a later step
 * is an upgrade; a changed or unknown step, or a table that is not Ombud's, is refused. On PostgreSQL and
 * MariaDB.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { OmbudError } from '../../src/core/errors.ts';
import { openConnector } from '../../src/services/fulfilment/connectors/registry.ts';
import type { SqlConnector } from '../../src/services/fulfilment/connectors/types.ts';
import {
  ensureOwnTables,
  OWN_TABLE_STEPS,
  type OwnTableStep,
} from '../../src/services/fulfilment/ownTables.ts';
import { freshSystemDb, type SystemDb } from '../support/systems.ts';

/** The sha256 of each step's text (`printf '…' | sha256sum`): a step that ran is never edited. */
const CURRENT = [
  {
    version: '0001_restrictions',
    checksum: '57aa5feb154371209e25cbd277cab985e006c9f225e43f7b5d2249dac7234403',
  },
  {
    version: '0002_retention_done',
    checksum: '451757ac83ebbdd117a0b6b7d8e666a912e9d368ff16cadbda97fc5d26d1632b',
  },
];

/** The tables as Ombud made them before they were versioned (engine.ts and sweep.ts of 2026-12-06). */
const UNVERSIONED = [
  `CREATE TABLE IF NOT EXISTS ombud_restrictions (
       collection_name VARCHAR(100) NOT NULL,
       row_key VARCHAR(200) NOT NULL,
       request_id VARCHAR(100) NOT NULL,
       reason VARCHAR(40) NOT NULL,
       rule_id VARCHAR(100),
       erase_on DATE,
       PRIMARY KEY (collection_name, row_key)
     )`,
  `CREATE TABLE IF NOT EXISTS ombud_retention_done (
       run_id VARCHAR(100) NOT NULL,
       dataset VARCHAR(100) NOT NULL,
       swept_for DATE NOT NULL,
       outcome TEXT NOT NULL,
       PRIMARY KEY (run_id, dataset)
     )`,
];

const MARKERS = [
  {
    collection_name: 'customers',
    row_key: '7',
    request_id: 'r-1',
    reason: 'art-18',
    rule_id: null,
    erase_on: null,
  },
  {
    collection_name: 'invoices',
    row_key: '12|2026',
    request_id: 'retention',
    reason: 'retention',
    rule_id: 'bookkeeping-se',
    erase_on: '2033-12-31',
  },
];

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function refusal(p: Promise<unknown>): Promise<OmbudError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'not refused').toBeDefined();
  return err as OmbudError;
}

describe.each(['postgres', 'mysql'] as const)("Ombud's tables in a group's database (%s)", (kind) => {
  const fresh = async (): Promise<SystemDb> => {
    const d = await freshSystemDb(kind, 'ombud_own');
    cleanup.push(d.drop);
    return d;
  };
  /** Another connector on the same database (each connector checks once). */
  const another = async (d: SystemDb): Promise<SqlConnector> => {
    const c = await openConnector(d.url);
    cleanup.push(() => c.close());
    return c;
  };
  const recorded = (c: SqlConnector) =>
    c.query<{ version: string; checksum: string }>(
      'SELECT version, checksum FROM ombud_schema_migrations ORDER BY version',
    );
  const markers = (c: SqlConnector) =>
    c.query(
      'SELECT collection_name, row_key, request_id, reason, rule_id, erase_on FROM ombud_restrictions ORDER BY collection_name',
    );
  const columnsOf = async (c: SqlConnector, table: string) =>
    (await c.describe()).columns
      .filter((x) => x.table === table)
      .map((x) => x.column)
      .sort();

  it('a fresh database gets the current version, once', async () => {
    const d = await fresh();
    expect(await ensureOwnTables(d.connector, 'the test database')).toEqual([
      '0001_restrictions',
      '0002_retention_done',
    ]);
    expect(await recorded(d.connector)).toEqual(CURRENT);
    expect(await columnsOf(d.connector, 'ombud_restrictions')).toEqual([
      'collection_name',
      'erase_on',
      'reason',
      'request_id',
      'row_key',
      'rule_id',
    ]);
    expect(await columnsOf(d.connector, 'ombud_retention_done')).toEqual([
      'dataset',
      'outcome',
      'run_id',
      'swept_for',
    ]);
    expect(await ensureOwnTables(await another(d))).toEqual([]);
  });

  it('the unversioned tables of before, with rows, are taken over with their rows', async () => {
    const d = await fresh();
    const c = d.connector;
    for (const ddl of UNVERSIONED) await c.exec(ddl);
    for (const m of MARKERS)
      await c.execute(
        `INSERT INTO ombud_restrictions (collection_name, row_key, request_id, reason, rule_id, erase_on) VALUES (${[1, 2, 3, 4, 5, 6].map((i) => c.param(i)).join(', ')})`,
        [m.collection_name, m.row_key, m.request_id, m.reason, m.rule_id, m.erase_on],
      );
    await c.execute(
      `INSERT INTO ombud_retention_done (run_id, dataset, swept_for, outcome) VALUES (${c.param(1)}, ${c.param(2)}, ${c.param(3)}, ${c.param(4)})`,
      ['run-1', 'nestit_webshop', '2026-12-01', '[]'],
    );
    expect(await ensureOwnTables(c, 'the test database')).toEqual([
      '0001_restrictions',
      '0002_retention_done',
    ]);
    expect(await recorded(c)).toEqual(CURRENT);
    expect(await markers(c)).toEqual(MARKERS);
    expect(await c.query('SELECT run_id, dataset, swept_for, outcome FROM ombud_retention_done')).toEqual([
      { run_id: 'run-1', dataset: 'nestit_webshop', swept_for: '2026-12-01', outcome: '[]' },
    ]);
  });

  it('a later step is an upgrade that keeps the rows', async () => {
    const d = await fresh();
    await ensureOwnTables(d.connector);
    const m = MARKERS[0]!;
    await d.connector.execute(
      `INSERT INTO ombud_restrictions (collection_name, row_key, request_id, reason) VALUES (${d.connector.param(1)}, ${d.connector.param(2)}, ${d.connector.param(3)}, ${d.connector.param(4)})`,
      [m.collection_name, m.row_key, m.request_id, m.reason],
    );
    const next: OwnTableStep = {
      version: '0003_marker_note',
      table: 'ombud_restrictions',
      columns: ['note'],
      sql: {
        postgres: 'ALTER TABLE ombud_restrictions ADD COLUMN note VARCHAR(40)',
        mysql: 'ALTER TABLE ombud_restrictions ADD COLUMN note VARCHAR(40)',
      },
    };
    const c2 = await another(d);
    expect(await ensureOwnTables(c2, 'the test database', [...OWN_TABLE_STEPS, next])).toEqual([
      '0003_marker_note',
    ]);
    expect((await recorded(c2)).map((r) => r.version)).toEqual([
      '0001_restrictions',
      '0002_retention_done',
      '0003_marker_note',
    ]);
    expect(await c2.query('SELECT collection_name, row_key, note FROM ombud_restrictions')).toEqual([
      { collection_name: 'customers', row_key: '7', note: null },
    ]);
    // This Ombud (without the step) now meets a database a newer one upgraded: refused, not guessed at.
    const err = await refusal(ensureOwnTables(await another(d), 'the test database'));
    expect(err.code).toBe('migration-missing');
    expect(err.message).toContain('ombud_schema_migrations of the test database');
    expect(err.issues.map((i) => i.path)).toEqual([['0003_marker_note']]);
  });

  it('a step changed after it ran is refused, naming it with both checksums', async () => {
    const d = await fresh();
    await ensureOwnTables(d.connector);
    const changed = OWN_TABLE_STEPS.map((s, i) =>
      i === 0 ? { ...s, sql: { postgres: `${s.sql.postgres} `, mysql: `${s.sql.mysql} ` } } : s,
    );
    const err = await refusal(
      ensureOwnTables(await another(d), 'the database of dataset nestit_webshop', changed),
    );
    expect(err.code).toBe('migration-changed');
    expect(err.message).toBe(
      "Refusing to migrate ombud_schema_migrations of the database of dataset nestit_webshop (Ombud's tables in the group's databases (src/services/fulfilment/ownTables.ts)): a migration that ran was changed. Nothing was changed.",
    );
    expect(err.issues[0]!.path).toEqual(['0001_restrictions']);
    expect(err.issues[0]!.message).toContain(
      `it ran with sha256 ${CURRENT[0]!.checksum}, it now has sha256 `,
    );
  });

  it("a table of that name that is not Ombud's is refused, and nothing is recorded", async () => {
    const d = await fresh();
    await d.connector.exec('CREATE TABLE ombud_restrictions (id INT PRIMARY KEY, what VARCHAR(20))');
    const err = await refusal(ensureOwnTables(d.connector, 'the test database'));
    expect(err.code).toBe('own-table-mismatch');
    expect(err.message).toBe(
      'ombud_restrictions in the test database is not the table Ombud makes in step 0001_restrictions: it lacks one of the columns collection_name, row_key, request_id, reason, rule_id, erase_on.',
    );
    const versions = await d.connector.query('SELECT version FROM ombud_schema_migrations').catch(() => []); // PostgreSQL rolled the record's table back too
    expect(versions).toEqual([]);
  });

  it('two processes at once: one migrates, the other waits and finds it done', async () => {
    const d = await fresh();
    const [a, b] = [await another(d), await another(d)];
    const [ra, rb] = await Promise.all([ensureOwnTables(a), ensureOwnTables(b)]);
    expect([...ra, ...rb].sort()).toEqual(['0001_restrictions', '0002_retention_done']);
    expect(await recorded(d.connector)).toEqual(CURRENT);
  });
});
