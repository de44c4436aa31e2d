/**
 * The tables, columns, primary and foreign keys of the connected schema, read from the database's catalogue:
 * the same `information_schema` queries for every connector, the key query per database. Connectors need
 * only `query` for it.
 */
import type { LiveSchema, SqlConnector } from './types.ts';

export type CatalogQueries = {
  /** The SQL expression naming the connected schema. */
  schema: string;
  /** Key columns as t (table), c (column), kind, rt and rc (the referenced table and column, or NULL). */
  keys: string;
  /** The `kind` of a primary key column. */
  primaryKind: string;
};

export const postgresCatalog: CatalogQueries = {
  schema: 'current_schema()',
  keys: `SELECT cl.relname AS t, a.attname AS c, con.contype AS kind, rcl.relname AS rt, ra.attname AS rc
           FROM pg_constraint con
           JOIN pg_class cl ON cl.oid = con.conrelid
           JOIN pg_namespace ns ON ns.oid = cl.relnamespace AND ns.nspname = current_schema()
           CROSS JOIN LATERAL unnest(con.conkey) WITH ORDINALITY AS k(attnum, i)
           JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
           LEFT JOIN pg_class rcl ON rcl.oid = con.confrelid
           LEFT JOIN pg_attribute ra ON ra.attrelid = con.confrelid AND ra.attnum = con.confkey[k.i]
          WHERE con.contype IN ('p', 'f')
          ORDER BY 1, 2`,
  primaryKind: 'p',
};

export const mysqlCatalog: CatalogQueries = {
  schema: 'DATABASE()',
  keys: `SELECT table_name AS t, column_name AS c, constraint_name AS kind,
                referenced_table_name AS rt, referenced_column_name AS rc
           FROM information_schema.key_column_usage WHERE table_schema = DATABASE() ORDER BY 1, 2`,
  primaryKind: 'PRIMARY',
};

export async function describeCatalog(
  conn: Pick<SqlConnector, 'query'>,
  q: CatalogQueries,
): Promise<LiveSchema> {
  const tables = await conn.query<{ t: string }>(
    `SELECT table_name AS t FROM information_schema.tables
      WHERE table_schema = ${q.schema} AND table_type = 'BASE TABLE' ORDER BY 1`,
  );
  const columns = await conn.query<{ t: string; c: string; d: string; n: string }>(
    `SELECT table_name AS t, column_name AS c, data_type AS d, is_nullable AS n
       FROM information_schema.columns WHERE table_schema = ${q.schema} ORDER BY table_name, ordinal_position`,
  );
  const keys = await conn.query<{ t: string; c: string; kind: string; rt: string | null; rc: string | null }>(
    q.keys,
  );
  return {
    tables: tables.map((r) => r.t),
    columns: columns.map((r) => ({ table: r.t, column: r.c, dataType: r.d, nullable: r.n === 'YES' })),
    primaryKeys: keys.filter((k) => k.kind === q.primaryKind).map((k) => ({ table: k.t, column: k.c })),
    foreignKeys: keys
      .filter((k) => k.rt)
      .map((k) => ({ table: k.t, column: k.c, refTable: k.rt ?? '', refColumn: k.rc ?? '' })),
  };
}
