/**
 * One small interface for every SQL database the group runs, like Kysely's dialects: a connector runs
 * statements and opens transactions; its `dialect` (./dialect.ts) holds what differs between databases
 * (placeholders, quoting, lists of values, upserts, …). Statements are written once with the `sql` tag
 * (src/storage/sql.ts) and run with `select`/`change` (./run.ts), which render them for the connector's
 * dialect. Connectors are opened by kind through ./registry.ts; this module imports no driver.
 */
import type { LiveSchema } from '../../../core/fulfilment/live-schema.ts';
import type { SqlDialect } from './dialect.ts';

export type { LiveSchema, SchemaColumn, SchemaForeignKey } from '../../../core/fulfilment/live-schema.ts';
export type { DialectName, SqlDialect } from './dialect.ts';

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
  /** Statements without parameters (schemas), one after another. */
  exec(sql: string): Promise<void>;
  /** Run fn in one transaction; inside, the connector given to fn uses that transaction. */
  transaction<T>(fn: (tx: SqlConnector) => Promise<T>): Promise<T>;
  /** Tables, columns, primary and foreign keys of the connected database. */
  describe(): Promise<LiveSchema>;
  close(): Promise<void>;
}
