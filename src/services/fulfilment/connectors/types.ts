/**
 * One small interface for every SQL database the group runs, like Kysely's dialects: a connector knows how
 * to quote a name, write the n-th parameter, run a statement and open a transaction. Everything else (the
 * statements for access, erasure, rectification, restriction) is built once, in ../sql.ts, on top of it.
 */
export type SqlDialect = 'postgres' | 'mysql';

import type { LiveSchema } from '../../../core/fulfilment/live-schema.ts';

export type { LiveSchema, SchemaColumn, SchemaForeignKey } from '../../../core/fulfilment/live-schema.ts';

export interface SqlConnector {
  readonly dialect: SqlDialect;
  /** Quote a table or column name. */
  quote(name: string): string;
  /** The placeholder for the n-th parameter (1-based). */
  param(n: number): string;
  /** Rows of a SELECT. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** An INSERT, UPDATE or DELETE; returns the number of rows it touched. */
  execute(sql: string, params?: unknown[]): Promise<number>;
  /** Several statements without parameters (schemas). */
  exec(sql: string): Promise<void>;
  /** Run fn in one transaction; inside, the connector given to fn uses that transaction. */
  transaction<T>(fn: (tx: SqlConnector) => Promise<T>): Promise<T>;
  /** Tables, columns, primary and foreign keys of the connected database. */
  describe(): Promise<LiveSchema>;
  close(): Promise<void>;
}

/** Open a connector from a URL: postgres://… or mysql://… (mariadb://… too). */
export async function openConnector(url: string): Promise<SqlConnector> {
  const scheme = new URL(url).protocol.replace(/:$/, '');
  if (scheme === 'postgres' || scheme === 'postgresql') {
    const { openPostgresConnector } = await import('./postgres.ts');
    return openPostgresConnector(url);
  }
  if (scheme === 'mysql' || scheme === 'mariadb') {
    const { openMysqlConnector } = await import('./mysql.ts');
    return openMysqlConnector(url);
  }
  throw new Error(`Unsupported connection scheme '${scheme}': use postgres:// or mysql://`);
}
