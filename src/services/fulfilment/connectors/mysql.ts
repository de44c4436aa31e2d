import mysql from 'mysql2/promise';
import type { LiveSchema, SqlConnector } from './types.ts';

type Runner = mysql.Pool | mysql.PoolConnection;

class MysqlConnector implements SqlConnector {
  readonly dialect = 'mysql' as const;
  constructor(
    private readonly runner: Runner,
    private readonly pool?: mysql.Pool,
  ) {}
  quote(name: string): string {
    return `\`${name.replace(/`/g, '``')}\``;
  }
  param(_n: number): string {
    return '?';
  }
  async query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    const [rows] = await this.runner.query(sql, params);
    return (rows as T[]).map((r) => normalise(r as Record<string, unknown>) as T);
  }
  async execute(sql: string, params: unknown[] = []): Promise<number> {
    const [res] = await this.runner.query(sql, params);
    return (res as mysql.ResultSetHeader).affectedRows ?? 0;
  }
  async exec(sql: string): Promise<void> {
    await this.runner.query(sql);
  }
  async transaction<T>(fn: (tx: SqlConnector) => Promise<T>): Promise<T> {
    if (!this.pool) return fn(this);
    const conn = await this.pool.getConnection();
    try {
      await conn.beginTransaction();
      const out = await fn(new MysqlConnector(conn));
      await conn.commit();
      return out;
    } catch (err) {
      await conn.rollback().catch(() => {});
      throw err;
    } finally {
      conn.release();
    }
  }
  async describe(): Promise<LiveSchema> {
    const tables = await this.query<{ t: string }>(
      `SELECT table_name AS t FROM information_schema.tables
        WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE' ORDER BY 1`,
    );
    const columns = await this.query<{ t: string; c: string; d: string; n: string }>(
      `SELECT table_name AS t, column_name AS c, data_type AS d, is_nullable AS n
         FROM information_schema.columns WHERE table_schema = DATABASE() ORDER BY table_name, ordinal_position`,
    );
    const keys = await this.query<{ t: string; c: string; k: string; rt: string | null; rc: string | null }>(
      `SELECT table_name AS t, column_name AS c, constraint_name AS k,
              referenced_table_name AS rt, referenced_column_name AS rc
         FROM information_schema.key_column_usage WHERE table_schema = DATABASE() ORDER BY 1, 2`,
    );
    return {
      tables: tables.map((r) => r.t),
      columns: columns.map((r) => ({ table: r.t, column: r.c, dataType: r.d, nullable: r.n === 'YES' })),
      primaryKeys: keys.filter((k) => k.k === 'PRIMARY').map((k) => ({ table: k.t, column: k.c })),
      foreignKeys: keys
        .filter((k) => k.rt)
        .map((k) => ({ table: k.t, column: k.c, refTable: k.rt ?? '', refColumn: k.rc ?? '' })),
    };
  }
  async close(): Promise<void> {
    await this.pool?.end();
  }
}

/** Booleans come back as 0/1 from MariaDB; dates as text (dateStrings). */
function normalise(row: Record<string, unknown>): Record<string, unknown> {
  for (const [k, v] of Object.entries(row)) {
    if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(v))
      row[k] = v.replace(' ', 'T');
  }
  return row;
}

export async function openMysqlConnector(url: string, max = 4): Promise<SqlConnector> {
  const pool = mysql.createPool({
    uri: url.replace(/^mariadb:/, 'mysql:'),
    connectionLimit: max,
    dateStrings: true,
    multipleStatements: true,
    timezone: 'Z',
  });
  await pool.query('SELECT 1');
  return new MysqlConnector(pool, pool);
}
