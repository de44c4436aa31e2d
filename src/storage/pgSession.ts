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

  /**
   * fn while this database's advisory lock `name` is held by a connection kept for it (inside a
   * transaction: by the transaction's own). `wait: false` gives up at once when another session holds it.
   * The lock goes with the connection: a process that dies releases it.
   */
  async advisoryLock<T>(
    name: string,
    fn: () => Promise<T>,
    wait: boolean,
  ): Promise<{ locked: true; value: T } | { locked: false }> {
    const client = this.pool ? await this.pool.connect() : (this.client as pg.PoolClient);
    let broken: Error | undefined;
    try {
      const take = wait
        ? 'SELECT true AS locked FROM pg_advisory_lock(hashtextextended($1, 0))'
        : 'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked';
      const { rows } = await client.query<{ locked: boolean }>(take, [name]);
      if (!rows[0]?.locked) return { locked: false };
      try {
        return { locked: true, value: await fn() };
      } finally {
        await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [name]).catch((err) => {
          broken = err as Error;
        });
      }
    } finally {
      // A connection whose unlock failed is closed, not pooled: its lock ends with it.
      if (this.pool) client.release(broken);
    }
  }

  async close(): Promise<void> {
    await this.pool?.end();
  }
}
