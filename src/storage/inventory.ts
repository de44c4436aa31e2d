/** What a database holds, for a backup's manifest and the check after a restore. */
import type { Db } from './db.ts';

/** Every table of the database (all schemas but the catalogues), as `schema.table`, sorted. */
export async function tablesOf(db: Db): Promise<string[]> {
  const rows = await db.query<{ s: string; t: string }>(
    `SELECT table_schema AS s, table_name AS t FROM information_schema.tables
      WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')
      ORDER BY 1, 2`,
  );
  return rows.map((r) => `${r.s}.${r.t}`);
}

const quoted = (name: string) =>
  name
    .split('.')
    .map((p) => `"${p.replace(/"/g, '""')}"`)
    .join('.');

/** `schema.table` → rows, for every table; `onTable` after each (progress). */
export async function rowCounts(
  db: Db,
  onTable?: (done: number, of: number, table: string) => void,
): Promise<Record<string, number>> {
  const tables = await tablesOf(db);
  const out: Record<string, number> = {};
  for (const [i, t] of tables.entries()) {
    out[t] = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${quoted(t)}`))[0]!.n;
    onTable?.(i + 1, tables.length, t);
  }
  return out;
}

/** The migrations the database has run, in order (none when it has no schema_migrations table). */
export async function appliedMigrations(db: Db): Promise<string[]> {
  const [t] = await db.query<{ r: string | null }>(
    "SELECT to_regclass('public.schema_migrations')::text AS r",
  );
  if (!t?.r) return [];
  return (await db.query<{ version: string }>('SELECT version FROM schema_migrations ORDER BY version')).map(
    (r) => r.version,
  );
}
