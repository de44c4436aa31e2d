/**
 * Pool, statement and transaction handling over `pg`, shared by the Db driver (./postgres.ts) and the
 * PostgreSQL connector (services/fulfilment/connectors/postgres.ts). Each wraps a session in its own
 * interface; only the type parsers differ.
 */
import pg from 'pg';
import { withTransaction } from './transaction.ts';

export type PgTypeParsers = Record<number, (v: string) => unknown>;

/** int8 as a number, date as its YYYY-MM-DD text. */
export const basePgParsers: PgTypeParsers = {
  20: (v) => Number(v), // int8
  1082: (v) => v, // date
};

type PgTypes = { getTypeParser: (oid: number, format?: string) => (v: string) => unknown };

function pgTypes(parsers: PgTypeParsers): PgTypes {
  const fallback = pg.types.getTypeParser as (o: number, f?: string) => (v: string) => unknown;
  return { getTypeParser: (oid, format) => parsers[oid] ?? fallback(oid, format) };
}

/** The pool itself (which may start transactions) or one client of it inside a transaction. */
export class PgSession {
  private constructor(
    private readonly client: pg.Pool | pg.PoolClient,
    private readonly pool: pg.Pool | undefined,
    private readonly types: PgTypes,
  ) {}

  /** A pool of `max` connections, checked with one statement. */
  static async open(url: string, max: number, parsers: PgTypeParsers): Promise<PgSession> {
    const pool = new pg.Pool({ connectionString: url, max });
    pool.on('error', () => {}); // idle client errors surface on the next query
    await pool.query('SELECT 1');
    return new PgSession(pool, pool, pgTypes(parsers));
  }

  /** One parameterised statement; `name` prepares it once per connection. */
  query(text: string, values: unknown[], name?: string): Promise<pg.QueryResult> {
    return this.client.query({ text, values, types: this.types, name });
  }

  /** Several statements without parameters. */
  async exec(sql: string): Promise<void> {
    await this.client.query(sql);
  }

  /** fn on one client in BEGIN … COMMIT; inside a transaction already, fn joins it. */
  async transaction<T>(fn: (tx: PgSession) => Promise<T>): Promise<T> {
    if (!this.pool) return fn(this);
    const client = await this.pool.connect();
    const tx = new PgSession(client, undefined, this.types);
    return withTransaction(
      {
        begin: () => client.query('BEGIN'),
        commit: () => client.query('COMMIT'),
        rollback: () => client.query('ROLLBACK'),
        release: () => client.release(),
      },
      () => fn(tx),
    );
  }

  async close(): Promise<void> {
    await this.pool?.end();
  }
}
