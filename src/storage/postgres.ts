import pg from 'pg';
import type { Db, QueryOptions, Row } from './db.ts';

const typeParsers: Record<number, (v: string) => unknown> = {
  20: (v) => Number(v), // int8
  1082: (v) => v, // date stays YYYY-MM-DD
};
const types = {
  getTypeParser: (oid: number, format?: string) =>
    typeParsers[oid] ??
    (pg.types.getTypeParser as (o: number, f?: string) => (v: string) => unknown)(oid, format),
};

type Client = pg.Pool | pg.PoolClient;

class PostgresDb implements Db {
  readonly kind = 'postgres' as const;
  constructor(
    private readonly client: Client,
    private readonly pool?: pg.Pool,
  ) {}

  async query<T = Row>(sql: string, params: unknown[] = [], opts?: QueryOptions): Promise<T[]> {
    const res = await this.client.query({ text: sql, values: params, types, name: opts?.name });
    return res.rows as T[];
  }

  async exec(sql: string): Promise<void> {
    await this.client.query(sql);
  }

  async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    if (!this.pool) return fn(this);
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await fn(new PostgresDb(client));
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.pool?.end();
  }
}

export async function openPostgres(url: string, max = 10): Promise<Db> {
  const pool = new pg.Pool({ connectionString: url, max });
  pool.on('error', () => {}); // idle client errors surface on the next query
  await pool.query('SELECT 1');
  return new PostgresDb(pool, pool);
}
