/**
 * The one shape of a transaction on a pooled connection, for every driver (the `pg` Db, the PostgreSQL and
 * MariaDB connectors): begin, run, commit; roll back on any error (a failed rollback does not hide the
 * error); always give the connection back.
 */
export interface TransactionConnection {
  begin(): Promise<unknown>;
  commit(): Promise<unknown>;
  rollback(): Promise<unknown>;
  release(): void;
}

export async function withTransaction<T>(conn: TransactionConnection, fn: () => Promise<T>): Promise<T> {
  try {
    await conn.begin();
    const out = await fn();
    await conn.commit();
    return out;
  } catch (err) {
    // The statement's error is the one thrown; a failed rollback (a broken connection) adds nothing to it.
    await conn.rollback().catch(() => {});
    throw err;
  } finally {
    conn.release();
  }
}
