import pg from 'pg';
import { postgresDialect } from './dialect.ts';
import type { LiveSchema, SqlConnector } from './types.ts';

const passthrough = (v: string) => v;
const parsers: Record<number, (v: string) => unknown> = {
  20: (v) => Number(v), // int8
  1082: passthrough, // date: YYYY-MM-DD
  1114: (v) => v.replace(' ', 'T'), // timestamp without time zone
};
const types = {
  getTypeParser: (oid: number, format?: string) =>
    parsers[oid] ??
    (pg.types.getTypeParser as (o: number, f?: string) => (v: string) => unknown)(oid, format),
};

export class PgConnector implements SqlConnector {
  readonly dialect = postgresDialect;
  constructor(
    private readonly client: pg.Pool | pg.PoolClient,
    private readonly pool?: pg.Pool,
  ) {}
  quote(name: string): string {
    return postgresDialect.quote(name);
  }
  param(n: number): string {
    return postgresDialect.param(n);
  }
  async query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.client.query({ text: sql, values: params, types })).rows as T[];
  }
  async execute(sql: string, params: unknown[] = []): Promise<number> {
    return (await this.client.query({ text: sql, values: params, types })).rowCount ?? 0;
  }
  async exec(sql: string): Promise<void> {
    await this.client.query(sql);
  }
  async transaction<T>(fn: (tx: SqlConnector) => Promise<T>): Promise<T> {
    if (!this.pool) return fn(this);
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const out = await fn(new PgConnector(client));
      await client.query('COMMIT');
      return out;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }
  async describe(): Promise<LiveSchema> {
    const tables = await this.query<{ t: string }>(
      `SELECT table_name AS t FROM information_schema.tables
        WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1`,
    );
    const columns = await this.query<{ t: string; c: string; d: string; n: string }>(
      `SELECT table_name AS t, column_name AS c, data_type AS d, is_nullable AS n
         FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`,
    );
    const keys = await this.query<{
      t: string;
      c: string;
      kind: string;
      rt: string | null;
      rc: string | null;
    }>(
      `SELECT cl.relname AS t, a.attname AS c, con.contype AS kind, rcl.relname AS rt, ra.attname AS rc
         FROM pg_constraint con
         JOIN pg_class cl ON cl.oid = con.conrelid
         JOIN pg_namespace ns ON ns.oid = cl.relnamespace AND ns.nspname = current_schema()
         CROSS JOIN LATERAL unnest(con.conkey) WITH ORDINALITY AS k(attnum, i)
         JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
         LEFT JOIN pg_class rcl ON rcl.oid = con.confrelid
         LEFT JOIN pg_attribute ra ON ra.attrelid = con.confrelid AND ra.attnum = con.confkey[k.i]
        WHERE con.contype IN ('p', 'f')
        ORDER BY 1, 2`,
    );
    return {
      tables: tables.map((r) => r.t),
      columns: columns.map((r) => ({ table: r.t, column: r.c, dataType: r.d, nullable: r.n === 'YES' })),
      primaryKeys: keys.filter((k) => k.kind === 'p').map((k) => ({ table: k.t, column: k.c })),
      foreignKeys: keys
        .filter((k) => k.kind === 'f')
        .map((k) => ({ table: k.t, column: k.c, refTable: k.rt ?? '', refColumn: k.rc ?? '' })),
    };
  }
  async close(): Promise<void> {
    await this.pool?.end();
  }
}

export async function openPostgresConnector(url: string, max = 4): Promise<SqlConnector> {
  const pool = new pg.Pool({ connectionString: url, max });
  pool.on('error', () => {});
  await pool.query('SELECT 1');
  return new PgConnector(pool, pool);
}
