import { PGlite, type Transaction, types } from '@electric-sql/pglite';
import type { Db, Row } from './db.ts';

const parsers = {
  [types.INT8]: (v: string) => Number(v),
  [types.DATE]: (v: string) => v,
};

type Queryable = Pick<Transaction, 'query' | 'exec'>;

class PgliteDb implements Db {
  readonly kind = 'pglite' as const;
  constructor(
    private readonly conn: Queryable,
    private readonly root?: PGlite,
  ) {}

  async query<T = Row>(sql: string, params: unknown[] = []): Promise<T[]> {
    const res = await this.conn.query<T>(sql, params);
    return res.rows;
  }

  async exec(sql: string): Promise<void> {
    await this.conn.exec(sql);
  }

  async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    if (!this.root) return fn(this);
    return this.root.transaction((tx) => fn(new PgliteDb(tx)));
  }

  async close(): Promise<void> {
    await this.root?.close();
  }

  /** The embedded instance itself (for connectors that share it, e.g. the demo systems' schemas). */
  get instance(): PGlite | undefined {
    return this.root;
  }
}

/** Open (and create if needed) an embedded database; `dataDir` undefined means in memory. */
export async function openPglite(dataDir?: string): Promise<Db> {
  const pg = await PGlite.create(dataDir ? { dataDir, parsers } : { parsers });
  return new PgliteDb(pg, pg);
}
