import mysql from 'mysql2/promise';
import { withTransaction } from '../../../storage/transaction.ts';
import { describeCatalog, mysqlCatalog } from './catalog.ts';
import { mysqlDialect } from './dialect.ts';
import type { LiveSchema, SqlConnector } from './types.ts';

type Runner = mysql.Pool | mysql.PoolConnection;

class MysqlConnector implements SqlConnector {
  readonly dialect = mysqlDialect;
  constructor(
    private readonly runner: Runner,
    private readonly pool?: mysql.Pool,
  ) {}
  quote(name: string): string {
    return mysqlDialect.quote(name);
  }
  param(n: number): string {
    return mysqlDialect.param(n);
  }
  async query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    const [rows] = await this.runner.query(sql, params);
    return (rows as T[]).map((r) => normalise(r as Record<string, unknown>) as T);
  }
  async execute(sql: string, params: unknown[] = []): Promise<number> {
    const [res] = await this.runner.query(sql, params);
    return (res as mysql.ResultSetHeader).affectedRows ?? 0;
  }
  /** One statement at a time (the pool runs without multipleStatements), on one connection. */
  async exec(sql: string): Promise<void> {
    const statements = splitStatements(sql);
    if (!statements.length) return;
    if (statements.length === 1) {
      await this.runner.query(statements[0]!);
      return;
    }
    const conn = this.pool ? await this.pool.getConnection() : (this.runner as mysql.PoolConnection);
    try {
      for (const s of statements) await conn.query(s);
    } finally {
      if (this.pool) conn.release();
    }
  }
  async transaction<T>(fn: (tx: SqlConnector) => Promise<T>): Promise<T> {
    if (!this.pool) return fn(this);
    const conn = await this.pool.getConnection();
    return withTransaction(
      {
        begin: () => conn.beginTransaction(),
        commit: () => conn.commit(),
        rollback: () => conn.rollback(),
        release: () => conn.release(),
      },
      () => fn(new MysqlConnector(conn)),
    );
  }
  describe(): Promise<LiveSchema> {
    return describeCatalog(this, mysqlCatalog);
  }
  async close(): Promise<void> {
    await this.pool?.end();
  }
}

/**
 * The statements of a script (schema files), split at the semicolons outside quotes and comments; comments
 * and empty statements are left out.
 */
export function splitStatements(script: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < script.length; i++) {
    const ch = script[i]!;
    const next = script[i + 1];
    if ((ch === '-' && next === '-' && /\s/.test(script[i + 2] ?? ' ')) || ch === '#') {
      const end = script.indexOf('\n', i);
      i = end === -1 ? script.length : end - 1;
      continue;
    }
    if (ch === '/' && next === '*') {
      const end = script.indexOf('*/', i + 2);
      i = end === -1 ? script.length : end + 1;
      continue;
    }
    if (ch === "'" || ch === '"' || ch === '`') {
      let j = i + 1;
      while (j < script.length && script[j] !== ch) j += script[j] === '\\' && ch !== '`' ? 2 : 1;
      cur += script.slice(i, j + 1);
      i = j;
      continue;
    }
    if (ch === ';') {
      if (cur.trim()) out.push(cur.trim());
      cur = '';
      continue;
    }
    cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
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
    timezone: 'Z',
  });
  await pool.query('SELECT 1');
  return new MysqlConnector(pool, pool);
}
