/**
 * What differs between the SQL databases the group runs, in one object per dialect (like Kysely's
 * dialects): placeholders and quoting, a column matching any of a list of values, the text of a row's key,
 * month truncation, an upsert. The statements themselves (engine.ts, retention/sql.ts) are written once
 * with the `sql` tag and call these where the dialects part. A third database is a third object here and
 * its driver in the registry (registry.ts).
 */
import { pgRenderer, type Sql, type SqlRenderer, sql } from '../../../storage/sql.ts';

export type DialectName = 'postgres' | 'mysql';

/** MariaDB/MySQL: the character set and collation a key text is converted to (the marker column's). */
export type KeyCollation = { charset: string; collation: string };

/** A column of an upsert: one value for every row, or one per row (`type` is the column's SQL type). */
export type UpsertColumn = { name: string; type: 'text' | 'date' } & (
  | { value: unknown }
  | { values: unknown[] }
);

export interface SqlDialect extends SqlRenderer {
  readonly name: DialectName;
  /** Most values one `anyOf` takes (undefined: any number, as one array parameter). */
  readonly maxListValues: number | undefined;
  /** `column` equals one of `values`, index-friendly. */
  anyOf(column: Sql, values: readonly unknown[]): Sql;
  /** A row's key as text: the values cast to text, joined by '|' (converted to `collation` when given). */
  keyText(columns: readonly Sql[], collation?: KeyCollation): Sql;
  /**
   * The collation key texts must be converted to, to compare with `table.column` under its own collation
   * (and index); undefined where text compares alike (no query is made then).
   */
  keyCollation(
    query: (q: Sql) => Promise<Record<string, unknown>[]>,
    table: string,
    column: string,
  ): Promise<KeyCollation | undefined>;
  /** A date or timestamp expression as a timestamp, for comparing with `monthStart`. */
  asTimestamp(e: Sql): Sql;
  /** Any value as text (discovery samples every column as text). */
  asText(e: Sql): Sql;
  /** The first day of the expression's month. */
  monthStart(e: Sql): Sql;
  /** A date or timestamp as text cut to its month ('2026-11') or day ('2026-11-25') (analytics exports). */
  timeBucket(e: Sql, precision: 'month' | 'day'): Sql;
  /** GROUP BY GROUPING SETS: a table and its margins in one pass (else one query per margin). */
  readonly groupingSets: boolean;
  /** The left side of `SET … = …` in an UPDATE of the table referred to as `table`. */
  setTarget(table: Sql, column: string): Sql;
  /** Insert rows, replacing those whose `conflict` columns match: one statement. */
  upsert(table: string, columns: readonly UpsertColumn[], rows: number, conflict: readonly string[]): Sql;
  /**
   * Wait (up to a minute) for the lock `name`, inside a transaction of the connector: held until the
   * transaction ends (PostgreSQL's advisory transaction lock), or until `unlock` (MariaDB/MySQL's GET_LOCK,
   * held by the session: DDL commits there anyway). One migrator of Ombud's tables at a time.
   */
  lock(query: (q: Sql) => Promise<Record<string, unknown>[]>, name: string): Promise<void>;
  unlock(query: (q: Sql) => Promise<Record<string, unknown>[]>, name: string): Promise<void>;
}

const LOCK_SECONDS = 60;

const perRow = (c: UpsertColumn, i: number) => ('values' in c ? c.values[i] : c.value);

export const postgresDialect: SqlDialect = {
  name: 'postgres',
  param: pgRenderer.param,
  quote: pgRenderer.quote,
  maxListValues: undefined,
  anyOf: (column, values) => sql`${column} = ANY(${values})`,
  keyText: (columns) =>
    sql.join(
      columns.map((c) => sql`CAST(${c} AS TEXT)`),
      ` || '|' || `,
    ),
  keyCollation: async () => undefined,
  asTimestamp: (e) => sql`CAST(${e} AS timestamp)`,
  asText: (e) => sql`CAST(${e} AS TEXT)`,
  monthStart: (e) => sql`date_trunc('month', CAST(${e} AS timestamp))`,
  timeBucket: (e, p) =>
    sql`to_char(CAST(${e} AS timestamp), ${sql.raw(p === 'month' ? "'YYYY-MM'" : "'YYYY-MM-DD'")})`,
  groupingSets: true,
  setTarget: (_table, column) => sql.id(column),
  upsert(table, columns, _rows, conflict) {
    // The per-row columns travel as one array parameter each (unnest), so the text is the same for any
    // number of rows.
    const arrays = columns.filter((c) => 'values' in c);
    const select = columns.map((c) =>
      'values' in c ? sql`u.${sql.id(`c${arrays.indexOf(c)}`)}` : sql`${c.value}`,
    );
    const unnest = arrays.map((c) => sql`${'values' in c ? c.values : []}::${sql.raw(c.type)}[]`);
    const names = sql.join(arrays.map((_, i) => sql.id(`c${i}`)));
    return sql`INSERT INTO ${sql.id(table)} (${sql.join(columns.map((c) => sql.id(c.name)))})
         SELECT ${sql.join(select)} FROM unnest(${sql.join(unnest)}) AS u(${names})
         ON CONFLICT (${sql.join(conflict.map((c) => sql.id(c)))}) DO UPDATE SET ${sql.join(
           columns
             .filter((c) => !conflict.includes(c.name))
             .map((c) => sql`${sql.id(c.name)} = EXCLUDED.${sql.id(c.name)}`),
         )}`;
  },
  async lock(query, name) {
    await query(sql`SELECT 1 AS ok FROM (SELECT pg_advisory_xact_lock(hashtext(${name}))) AS l`);
  },
  // The transaction's end lets it go.
  unlock: async () => {},
};

export const mysqlDialect: SqlDialect = {
  name: 'mysql',
  param: () => '?',
  quote: (name) => `\`${name.replace(/`/g, '``')}\``,
  maxListValues: 1000,
  anyOf: (column, values) => sql`${column} IN (${sql.join(values.map((v) => sql`${v}`))})`,
  keyText(columns, kc) {
    const parts = columns.map((c) => sql`CAST(${c} AS CHAR)`);
    const text = parts.length === 1 ? parts[0]! : sql`CONCAT(${sql.join(parts, `, '|', `)})`;
    return kc ? sql`CONVERT(${text} USING ${sql.raw(kc.charset)}) COLLATE ${sql.raw(kc.collation)}` : text;
  },
  async keyCollation(query, table, column) {
    const [row] = await query(
      sql`SELECT character_set_name AS charset, collation_name AS collation FROM information_schema.columns
      WHERE table_schema = DATABASE() AND table_name = ${table} AND column_name = ${column}`,
    );
    // Names from the catalogue, used as SQL words: letters, digits and underscores only.
    const ok = (v: unknown): v is string => typeof v === 'string' && /^[A-Za-z0-9_]+$/.test(v);
    return row && ok(row.charset) && ok(row.collation)
      ? { charset: row.charset, collation: row.collation }
      : undefined;
  },
  asTimestamp: (e) => e,
  asText: (e) => sql`CAST(${e} AS CHAR)`,
  monthStart: (e) => sql`CAST(DATE_FORMAT(${e}, '%Y-%m-01') AS DATE)`,
  timeBucket: (e, p) => sql`DATE_FORMAT(${e}, ${sql.raw(p === 'month' ? "'%Y-%m'" : "'%Y-%m-%d'")})`,
  groupingSets: false,
  // MariaDB's UPDATE of one table names it; a column is qualified by it.
  setTarget: (table, column) => sql`${table}.${sql.id(column)}`,
  upsert(table, columns, rows, conflict) {
    const tuples = Array.from(
      { length: rows },
      (_, i) => sql`(${sql.join(columns.map((c) => sql`${perRow(c, i)}`))})`,
    );
    return sql`INSERT INTO ${sql.id(table)} (${sql.join(columns.map((c) => sql.id(c.name)))}) VALUES ${sql.join(tuples)}
         ON DUPLICATE KEY UPDATE ${sql.join(
           columns
             .filter((c) => !conflict.includes(c.name))
             .map((c) => sql`${sql.id(c.name)} = VALUES(${sql.id(c.name)})`),
         )}`;
  },
  async lock(query, name) {
    const [row] = await query(sql`SELECT GET_LOCK(${name}, ${LOCK_SECONDS}) AS ok`);
    if (Number(row?.ok) !== 1)
      throw new Error(`Waited ${LOCK_SECONDS} s for the lock '${name}': another Ombud process holds it.`);
  },
  async unlock(query, name) {
    await query(sql`SELECT RELEASE_LOCK(${name}) AS ok`);
  },
};
