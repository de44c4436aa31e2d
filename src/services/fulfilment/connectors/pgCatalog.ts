/**
 * The tables, columns, primary and foreign keys of the current schema, read from PostgreSQL's catalogue:
 * for both PostgreSQL connectors (the server through `pg`, embedded PGlite), which need only `query`.
 */
import type { LiveSchema, SqlConnector } from './types.ts';

export async function describePostgres(conn: Pick<SqlConnector, 'query'>): Promise<LiveSchema> {
  const tables = await conn.query<{ t: string }>(
    `SELECT table_name AS t FROM information_schema.tables
        WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1`,
  );
  const columns = await conn.query<{ t: string; c: string; d: string; n: string }>(
    `SELECT table_name AS t, column_name AS c, data_type AS d, is_nullable AS n
         FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`,
  );
  const keys = await conn.query<{
    t: string;
    c: string;
    kind: string;
    rt: string | null;
    rc: string | null;
  }>(
    `SELECT cl.relname AS t, a.attname AS c, con.contype AS kind, rcl.relname AS rt, ra.attname AS rc
         FROM pg_constraint con
         JOIN pg_class cl ON cl.oid = con.conrelid
         JOIN pg_namespace ns ON ns.oid = cl.relnamespace AND ns.nspname = current_schema()
         CROSS JOIN LATERAL unnest(con.conkey) WITH ORDINALITY AS k(attnum, i)
         JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
         LEFT JOIN pg_class rcl ON rcl.oid = con.confrelid
         LEFT JOIN pg_attribute ra ON ra.attrelid = con.confrelid AND ra.attnum = con.confkey[k.i]
        WHERE con.contype IN ('p', 'f')
        ORDER BY 1, 2`,
  );
  return {
    tables: tables.map((r) => r.t),
    columns: columns.map((r) => ({ table: r.t, column: r.c, dataType: r.d, nullable: r.n === 'YES' })),
    primaryKeys: keys.filter((k) => k.kind === 'p').map((k) => ({ table: k.t, column: k.c })),
    foreignKeys: keys
      .filter((k) => k.kind === 'f')
      .map((k) => ({ table: k.t, column: k.c, refTable: k.rt ?? '', refColumn: k.rc ?? '' })),
  };
}
