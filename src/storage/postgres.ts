import type { Db, QueryOptions, Row } from './db.ts';
import { basePgParsers, PgSession } from './pgSession.ts';

class PostgresDb implements Db {
  readonly kind = 'postgres' as const;
  constructor(private readonly session: PgSession) {}

  async query<T = Row>(sql: string, params: unknown[] = [], opts?: QueryOptions): Promise<T[]> {
    return (await this.session.query(sql, params, opts?.name)).rows as T[];
  }

  exec(sql: string): Promise<void> {
    return this.session.exec(sql);
  }

  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    return this.session.transaction((tx) => fn(tx === this.session ? this : new PostgresDb(tx)));
  }

  async lock<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const r = await this.session.advisoryLock(name, fn, true);
    if (!r.locked) throw new Error(`lock ${name} was not taken`);
    return r.value;
  }

  tryLock<T>(name: string, fn: () => Promise<T>): Promise<{ locked: true; value: T } | { locked: false }> {
    return this.session.advisoryLock(name, fn, false);
  }

  close(): Promise<void> {
    return this.session.close();
  }
}

export async function openPostgres(url: string, max = 10): Promise<Db> {
  return new PostgresDb(await PgSession.open(url, max, basePgParsers));
}
