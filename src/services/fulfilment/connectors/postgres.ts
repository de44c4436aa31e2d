import { basePgParsers, PgSession } from '../../../storage/pgSession.ts';
import { postgresDialect } from './dialect.ts';
import { describeCatalog, postgresCatalog } from './catalog.ts';
import type { LiveSchema, SqlConnector } from './types.ts';

/** The connector's parsers: the Db's, and timestamps without time zone as ISO text. */
const parsers = {
  ...basePgParsers,
  1114: (v: string) => v.replace(' ', 'T'), // timestamp without time zone
};

class PgConnector implements SqlConnector {
  readonly dialect = postgresDialect;
  constructor(private readonly session: PgSession) {}
  quote(name: string): string {
    return postgresDialect.quote(name);
  }
  param(n: number): string {
    return postgresDialect.param(n);
  }
  async query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.session.query(sql, params)).rows as T[];
  }
  async execute(sql: string, params: unknown[] = []): Promise<number> {
    return (await this.session.query(sql, params)).rowCount ?? 0;
  }
  exec(sql: string): Promise<void> {
    return this.session.exec(sql);
  }
  transaction<T>(fn: (tx: SqlConnector) => Promise<T>): Promise<T> {
    return this.session.transaction((tx) => fn(tx === this.session ? this : new PgConnector(tx)));
  }
  describe(): Promise<LiveSchema> {
    return describeCatalog(this, postgresCatalog);
  }
  close(): Promise<void> {
    return this.session.close();
  }
}

export async function openPostgresConnector(url: string, max = 4): Promise<SqlConnector> {
  return new PgConnector(await PgSession.open(url, max, parsers));
}
