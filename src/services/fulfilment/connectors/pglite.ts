/**
 * An embedded PostgreSQL (PGlite) as a connector: `ombud start` runs the demo's own systems this way when
 * no DATABASE_URL is set. Same dialect and statements as the PostgreSQL connector; one connection, so a
 * transaction holds the database for its duration.
 */
import { PGlite, type Transaction, types } from '@electric-sql/pglite';
import { postgresDialect } from './dialect.ts';
import { describeCatalog, postgresCatalog } from './catalog.ts';
import type { LiveSchema, SqlConnector } from './types.ts';

const parsers = {
  [types.INT8]: (v: string) => Number(v),
  [types.DATE]: (v: string) => v,
  [types.TIMESTAMP]: (v: string) => v.replace(' ', 'T'),
};

type Runner = Pick<Transaction, 'query' | 'exec'>;

class PgliteConnector implements SqlConnector {
  readonly dialect = postgresDialect;
  constructor(
    private readonly runner: Runner,
    private readonly root?: PGlite,
  ) {}
  quote(name: string): string {
    return postgresDialect.quote(name);
  }
  param(n: number): string {
    return postgresDialect.param(n);
  }
  async query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.runner.query<T>(sql, params, { parsers })).rows;
  }
  async execute(sql: string, params: unknown[] = []): Promise<number> {
    return (await this.runner.query(sql, params, { parsers })).affectedRows ?? 0;
  }
  async exec(sql: string): Promise<void> {
    await this.runner.exec(sql);
  }
  async transaction<T>(fn: (tx: SqlConnector) => Promise<T>): Promise<T> {
    if (!this.root) return fn(this);
    return this.root.transaction((tx) => fn(new PgliteConnector(tx)));
  }
  describe(): Promise<LiveSchema> {
    return describeCatalog(this, postgresCatalog);
  }
  async close(): Promise<void> {
    await this.root?.close();
  }
}

/**
 * A schema of an embedded database already open (Ombud's own): every statement runs in a transaction that
 * sets the search path to the schema (SET LOCAL), so it never leaks into the other users of the instance.
 * PGlite runs one transaction at a time; a connector transaction holds the instance for its duration.
 */
class PgliteSchemaConnector extends PgliteConnector {
  constructor(
    private readonly pg: PGlite,
    private readonly schema: string,
  ) {
    super(pg);
  }
  private inSchema<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.pg.transaction(async (tx) => {
      await tx.exec(`SET LOCAL search_path TO ${this.quote(this.schema)}`);
      return fn(tx);
    });
  }
  override async query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    return this.inSchema(async (tx) => (await tx.query<T>(sql, params, { parsers })).rows);
  }
  override async execute(sql: string, params: unknown[] = []): Promise<number> {
    return this.inSchema(async (tx) => (await tx.query(sql, params, { parsers })).affectedRows ?? 0);
  }
  override async exec(sql: string): Promise<void> {
    await this.inSchema((tx) => tx.exec(sql));
  }
  override async transaction<T>(fn: (tx: SqlConnector) => Promise<T>): Promise<T> {
    return this.inSchema((tx) => fn(new PgliteConnector(tx)));
  }
  override async close(): Promise<void> {
    // The instance belongs to its owner.
  }
}

/** A connector on one schema (created if missing) of an open PGlite instance. */
export async function openPgliteSchemaConnector(pg: PGlite, schema: string): Promise<SqlConnector> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`Bad schema name '${schema}'`);
  await pg.exec(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
  return new PgliteSchemaConnector(pg, schema);
}

/** Open (and create) an embedded database; `dataDir` undefined means in memory. */
export async function openPgliteConnector(dataDir?: string): Promise<SqlConnector> {
  const pg = await PGlite.create(dataDir ? { dataDir, parsers } : { parsers });
  return new PgliteConnector(pg, pg);
}
