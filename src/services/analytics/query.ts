/**
 * The statements of an analytics export on a group database, written once with the `sql` tag: the export's
 * collection joined to its data subject, the company's rows only, the subjects left out or (for channel
 * behaviour) the only ones let in, and rows restricted under Art. 18 left out. The aggregate groups the
 * table and its margins in one pass where the database has GROUPING SETS, else one query per margin.
 */
import type { ResolvedExport } from '../../core/analytics/definition.ts';
import { primaryKey } from '../../core/fulfilment/dataset.ts';
import { type Sql, sql } from '../../storage/sql.ts';
import { MARKER_TABLE } from '../fulfilment/ownTables.ts';
import { select } from '../fulfilment/connectors/run.ts';
import type { SqlConnector } from '../fulfilment/connectors/types.ts';

/** Who is left out, or (when `only` is set) the only ones let in, by their identities in the datasets. */
export type SubjectFilter = {
  excluded: { emails: string[]; customerNumbers: string[] };
  only?: { emails: string[]; customerNumbers: string[] };
};

const col = (alias: string, field: string) => sql`${sql.id(alias)}.${sql.id(field)}`;

function inList(c: SqlConnector, e: Sql, values: readonly string[]): Sql {
  if (values.length === 0) return sql`1 = 0`;
  const size = c.dialect.maxListValues ?? values.length;
  const parts: Sql[] = [];
  for (let i = 0; i < values.length; i += size) parts.push(c.dialect.anyOf(e, values.slice(i, i + size)));
  return parts.length === 1 ? parts[0]! : sql`(${sql.join(parts, ' OR ')})`;
}

async function hasMarkers(c: SqlConnector): Promise<boolean> {
  return select(c, sql`SELECT 1 AS x FROM ${sql.raw(MARKER_TABLE)} WHERE 1 = 0`).then(
    () => true,
    () => false,
  );
}

/** FROM … JOIN … WHERE …: the rows an export reads. */
export async function fromWhere(
  c: SqlConnector,
  x: ResolvedExport,
  orgId: string,
  filter: SubjectFilter,
): Promise<Sql> {
  const from = [sql`${sql.id(x.collection.name)} ${sql.id('t0')}`];
  for (const j of x.joins)
    from.push(
      sql`JOIN ${sql.id(j.collection.name)} ${sql.id(j.alias)} ON ${col(j.alias, j.field)} = ${col(j.on.alias, j.on.field)}`,
    );
  const s = x.subject;
  const where: Sql[] = [];
  if (s.controller) {
    const values = s.controller.values
      ? Object.entries(s.controller.values)
          .filter(([, org]) => org === orgId)
          .map(([v]) => v)
      : [orgId];
    where.push(inList(c, col(s.alias, s.controller.field), values));
  }
  const email = sql`LOWER(${col(s.alias, s.email)})`;
  const cn = s.customerNumber ? col(s.alias, s.customerNumber) : undefined;
  if (filter.excluded.emails.length) where.push(sql`NOT (${inList(c, email, filter.excluded.emails)})`);
  if (cn && filter.excluded.customerNumbers.length)
    where.push(sql`(${cn} IS NULL OR NOT (${inList(c, cn, filter.excluded.customerNumbers)}))`);
  if (filter.only) {
    const either = [inList(c, email, filter.only.emails)];
    if (cn) either.push(inList(c, cn, filter.only.customerNumbers));
    where.push(sql`(${sql.join(either, ' OR ')})`);
  }
  if (await hasMarkers(c)) {
    const restricted = (collection: string, alias: string, pk: string[]) =>
      sql`EXISTS (SELECT 1 FROM ${sql.raw(MARKER_TABLE)} m WHERE m.reason = 'art-18'
            AND m.collection_name = ${collection}
            AND m.row_key = ${c.dialect.keyText(pk.map((k) => col(alias, k)))})`;
    const subjectPk = primaryKey(s.collection);
    if (subjectPk.length) where.push(sql`NOT ${restricted(s.collection.name, s.alias, subjectPk)}`);
    // A restriction marks every row of the subject in every collection, the subject's own row too: that one
    // is enough to leave all of theirs out.
  }
  return sql`FROM ${sql.join(from, ' ')}${where.length ? sql` WHERE ${sql.join(where, ' AND ')}` : sql``}`;
}

export function subjectKey(x: ResolvedExport): Sql {
  const s = x.subject;
  return s.key === s.email ? sql`LOWER(${col(s.alias, s.email)})` : col(s.alias, s.key);
}

function dimension(c: SqlConnector, d: ResolvedExport['dimensions'][number]): Sql {
  const e = col(d.alias, d.field);
  return d.truncate ? c.dialect.timeBucket(e, d.truncate) : e;
}

/** One group of the aggregate: which dimensions it groups by (0, 1 or 2 of them), its figures. */
export type GroupRow = {
  dims: (string | null)[];
  grouped: boolean[];
  subjects: number;
  rows: number;
  sums: number[];
};

/** The aggregate's cells and margins. */
export async function aggregate(
  c: SqlConnector,
  x: ResolvedExport,
  orgId: string,
  filter: SubjectFilter,
): Promise<GroupRow[]> {
  const body = await fromWhere(c, x, orgId, filter);
  const dims = x.dimensions.map((d) => dimension(c, d));
  const figures = [
    sql`COUNT(DISTINCT ${subjectKey(x)}) AS subjects`,
    sql`COUNT(*) AS n`,
    ...x.measures.map((m, i) => sql`SUM(${col(m.alias, m.field)}) AS ${sql.id(`s${i}`)}`),
  ];
  const read = (r: Record<string, unknown>, grouped: boolean[]): GroupRow => ({
    dims: dims.map((_, i) => (grouped[i] && r[`d${i}`] != null ? String(r[`d${i}`]) : null)),
    grouped,
    subjects: Number(r.subjects),
    rows: Number(r.n),
    sums: x.measures.map((_, i) => Number(r[`s${i}`] ?? 0)),
  });
  // The groupings: every subset of the dimensions (the cells, each margin, the grand total).
  const sets: boolean[][] =
    dims.length === 0
      ? [[]]
      : dims.length === 1
        ? [[true], [false]]
        : [
            [true, true],
            [true, false],
            [false, true],
            [false, false],
          ];
  if (c.dialect.groupingSets && dims.length > 0) {
    const selected = dims.map((d, i) => sql`${d} AS ${sql.id(`d${i}`)}`);
    const flags = dims.map((d, i) => sql`GROUPING(${d}) AS ${sql.id(`g${i}`)}`);
    const groupSets = sets.map((s) => sql`(${sql.join(dims.filter((_, i) => s[i]))})`);
    const rows = await select(
      c,
      sql`SELECT ${sql.join([...selected, ...flags, ...figures])} ${body} GROUP BY GROUPING SETS (${sql.join(groupSets)})`,
    );
    return rows.map((r) =>
      read(
        r,
        dims.map((_, i) => Number(r[`g${i}`]) === 0),
      ),
    );
  }
  const out: GroupRow[] = [];
  for (const s of sets) {
    const by = dims.filter((_, i) => s[i]);
    const selected = dims.flatMap((d, i) => (s[i] ? [sql`${d} AS ${sql.id(`d${i}`)}`] : []));
    const rows = await select(
      c,
      sql`SELECT ${sql.join([...selected, ...figures])} ${body}${by.length ? sql` GROUP BY ${sql.join(by)}` : sql``}`,
    );
    out.push(...rows.map((r) => read(r, s)));
  }
  return out;
}

/** The rows of a rows export: the subject's key (pseudonymised by the caller) and each column. */
export async function records(
  c: SqlConnector,
  x: ResolvedExport,
  orgId: string,
  filter: SubjectFilter,
): Promise<{ subject: string; values: (string | null)[] }[]> {
  const body = await fromWhere(c, x, orgId, filter);
  const cols = x.dimensions.map((d, i) => sql`${dimension(c, d)} AS ${sql.id(`d${i}`)}`);
  const rows = await select(c, sql`SELECT ${subjectKey(x)} AS subject, ${sql.join(cols)} ${body}`);
  return rows.map((r) => ({
    subject: String(r.subject),
    values: x.dimensions.map((_, i) => (r[`d${i}`] == null ? null : String(r[`d${i}`]))),
  }));
}
