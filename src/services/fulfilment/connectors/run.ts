/**
 * Run a `sql` template on a connector: rendered for its dialect (`$n` or `?`), then passed to the
 * connector's own `query`/`execute` as text and parameters.
 */
import type { Sql } from '../../../storage/sql.ts';
import type { SqlConnector } from './types.ts';

/** Rows of a SELECT. */
export function select<T = Record<string, unknown>>(c: SqlConnector, q: Sql): Promise<T[]> {
  const { text, params } = q.render(c.dialect);
  return c.query<T>(text, params);
}

/** An INSERT, UPDATE or DELETE; the number of rows it touched. */
export function change(c: SqlConnector, q: Sql): Promise<number> {
  const { text, params } = q.render(c.dialect);
  return c.execute(text, params);
}
