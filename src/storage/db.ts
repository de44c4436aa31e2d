/**
 * The one small interface every store and service talks to. Two drivers satisfy it:
 * embedded PGlite (./pglite.ts) and a PostgreSQL server through `pg` (./postgres.ts).
 * PostgreSQL is the only SQL dialect; write SQL that PostgreSQL 15 and PGlite (18) accept.
 */
export type Row = Record<string, unknown>;

/**
 * `name`: prepare the statement once per connection under this name and reuse it (the PostgreSQL
 * server then plans it once, generically, instead of on every call). For hot paths only; one name
 * per SQL text. PGlite runs the statement as usual.
 */
export type QueryOptions = { name?: string };

export interface Db {
  readonly kind: 'pglite' | 'postgres';
  /** One parameterised statement ($1, $2, …). */
  query<T = Row>(sql: string, params?: unknown[], opts?: QueryOptions): Promise<T[]>;
  /** Several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  /** Run fn in a transaction; nested calls join the outer one. */
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  /**
   * Run fn holding the lock `name`, waiting for it while another holds it: one holder at a time across
   * every process on this database (PostgreSQL: an advisory lock on a connection of its own, held while
   * fn runs and released when it ends or the process dies; PGlite has one process, so a lock in it). fn
   * queries through this Db as usual. Singleton work (a request's fulfilment run, a day's retention run,
   * loading the demo) takes one, so several processes never run it at once.
   */
  lock<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /** `lock` without waiting: fn does not run, and `{ locked: false }` is answered, while another holds it. */
  tryLock<T>(name: string, fn: () => Promise<T>): Promise<{ locked: true; value: T } | { locked: false }>;
  close(): Promise<void>;
}

export async function one<T = Row>(db: Db, sql: string, params?: unknown[]): Promise<T | undefined> {
  const rows = await db.query<T>(sql, params);
  return rows[0];
}
