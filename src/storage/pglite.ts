import { PGlite, type Transaction, types } from '@electric-sql/pglite';
import type { Db, Row } from './db.ts';

const parsers = {
  [types.INT8]: (v: string) => Number(v),
  [types.DATE]: (v: string) => v,
};

type Queryable = Pick<Transaction, 'query' | 'exec'>;

/**
 * Named locks of one embedded database. Its data directory belongs to one process (storage/open.ts), so a
 * lock within the process is a lock on the database: holders of a name run one after the other.
 */
class NamedLocks {
  private readonly held = new Map<string, Promise<void>>();

  async run<T>(
    name: string,
    fn: () => Promise<T>,
    wait: boolean,
  ): Promise<{ locked: true; value: T } | { locked: false }> {
    for (;;) {
      const other = this.held.get(name);
      if (!other) break;
      if (!wait) return { locked: false };
      await other;
    }
    let release!: () => void;
    this.held.set(name, new Promise<void>((r) => (release = r)));
    try {
      return { locked: true, value: await fn() };
    } finally {
      this.held.delete(name);
      release();
    }
  }
}

class PgliteDb implements Db {
  readonly kind = 'pglite' as const;
  constructor(
    private readonly conn: Queryable,
    private readonly root?: PGlite,
    private readonly locks = new NamedLocks(),
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
    return this.root.transaction((tx) => fn(new PgliteDb(tx, undefined, this.locks)));
  }

  async lock<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const r = await this.locks.run(name, fn, true);
    if (!r.locked) throw new Error(`lock ${name} was not taken`);
    return r.value;
  }

  tryLock<T>(name: string, fn: () => Promise<T>): Promise<{ locked: true; value: T } | { locked: false }> {
    return this.locks.run(name, fn, false);
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

/**
 * A copy of an open embedded database's data directory as a gzipped tar (PGlite's `dumpDataDir`), taken
 * after a checkpoint, between statements: what `ombud backup` stores.
 */
export async function dumpPgliteDataDir(db: Db): Promise<Uint8Array> {
  const pg = (db as { instance?: PGlite }).instance;
  if (!pg) throw new Error('dumpPgliteDataDir: not an embedded database');
  await pg.exec('CHECKPOINT');
  return new Uint8Array(await (await pg.dumpDataDir('gzip')).arrayBuffer());
}

/** Create the embedded database in `dataDir` (empty or missing) from a `dumpPgliteDataDir` tarball. */
export async function loadPgliteDataDir(dataDir: string, tarball: Uint8Array): Promise<void> {
  const pg = await PGlite.create({
    dataDir,
    parsers,
    loadDataDir: new Blob([tarball as Uint8Array<ArrayBuffer>]),
  });
  await pg.close();
}
