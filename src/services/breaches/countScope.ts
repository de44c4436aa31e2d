/**
 * The counts behind a breach's scope, in the live databases: per database, one statement per set of
 * collections (all affected collections; the collections of each data category), each a
 * COUNT(DISTINCT subject) per controller over the affected rows, joined along the controller chain of the
 * dataset annotations. Only counts leave the database, never a row. Written once with the connector's
 * quoting and placeholders, so it runs on PostgreSQL and MariaDB alike.
 */
import { type CollectionPlan, countSets, setKey, type Window } from '../../core/breaches/scope.ts';
import type { SqlConnector } from '../fulfilment/connectors/types.ts';
import type { Connectors } from '../fulfilment/engine.ts';

/** A timestamp as both databases compare it with a `timestamp` column (UTC, no zone). */
const sqlTime = (d: Date) => d.toISOString().replace('T', ' ').replace('Z', '');

/** The FROM … JOIN … WHERE of one collection's affected rows, its parameters appended to `params`. */
export function affectedRowsSql(
  c: SqlConnector,
  p: CollectionPlan,
  window: Window | null,
  params: unknown[],
) {
  const q = (s: string) => c.quote(s);
  const col = (alias: string, column: string) => `${alias}.${q(column)}`;
  const joins = p.joins
    .map(
      (j) =>
        ` JOIN ${q(j.table)} ${j.alias} ON ${col(j.alias, j.column)} = ${col(j.fromAlias, j.fromColumn)}`,
    )
    .join('');
  let where = '';
  if (p.time && window) {
    params.push(sqlTime(window.from), sqlTime(window.to));
    where = ` WHERE ${col(p.time.alias, p.time.column)} >= ${c.param(params.length - 1)} AND ${col(p.time.alias, p.time.column)} < ${c.param(params.length)}`;
  }
  return `FROM ${q(p.collection)} t0${joins}${where}`;
}

/**
 * A string constant of the annotations (an organization id, a value of a controller column, a collection's
 * name) as an SQL literal: only plain characters, so the same literal is safe on every dialect.
 */
function literal(v: string): string {
  if (!/^[\w.:~@ -]*$/.test(v)) throw new Error('an annotation value with characters a literal cannot hold');
  return `'${v}'`;
}

/** The controller of a row as SQL: an organization id, or `~default:<dataset>.<collection>`. */
export function holderSql(c: SqlConnector, p: CollectionPlan): string {
  const fallback = literal(`~default:${p.dataset}.${p.collection}`);
  if (p.controller.kind === 'none') return fallback;
  const ref = `${p.controller.alias}.${c.quote(p.controller.column)}`;
  if (p.controller.kind === 'column') return `COALESCE(${ref}, ${fallback})`;
  const whens = Object.entries(p.controller.values).map(
    ([value, org]) => ` WHEN ${literal(value)} THEN ${literal(org)}`,
  );
  return `CASE ${ref}${whens.join('')} ELSE ${fallback} END`;
}

function subjectSql(c: SqlConnector, p: CollectionPlan): string {
  // No identity to tell people apart: each row counts as one person (never fewer).
  if (!p.subject)
    return `concat(${literal(`${p.collection}:`)}, t0.${c.quote(p.joins[0]?.fromColumn ?? 'id')})`;
  return `concat(${literal(`${p.subject.kind}:`)}, ${p.subject.alias}.${c.quote(p.subject.column)})`;
}

/** Distinct subjects per holder over the affected rows of these collections (one database). */
export async function countSubjects(
  c: SqlConnector,
  plans: readonly CollectionPlan[],
  window: Window | null,
): Promise<Map<string, number>> {
  const params: unknown[] = [];
  const parts = plans.map((p) => {
    const holder = holderSql(c, p);
    const subject = subjectSql(c, p);
    return `SELECT ${holder} AS holder, ${subject} AS subject ${affectedRowsSql(c, p, window, params)}`;
  });
  const rows = await c.query<{ holder: string; n: number | string }>(
    `SELECT u.holder AS holder, COUNT(DISTINCT u.subject) AS n FROM (${parts.join(' UNION ALL ')}) u GROUP BY u.holder`,
    params,
  );
  return new Map(rows.map((r) => [r.holder, Number(r.n)]));
}

/** Affected rows per holder (the records concerned). */
export async function countRecords(
  c: SqlConnector,
  plans: readonly CollectionPlan[],
  window: Window | null,
): Promise<Map<string, number>> {
  const params: unknown[] = [];
  const parts = plans.map(
    (p) => `SELECT ${holderSql(c, p)} AS holder ${affectedRowsSql(c, p, window, params)}`,
  );
  const rows = await c.query<{ holder: string; n: number | string }>(
    `SELECT u.holder AS holder, COUNT(*) AS n FROM (${parts.join(' UNION ALL ')}) u GROUP BY u.holder`,
    params,
  );
  return new Map(rows.map((r) => [r.holder, Number(r.n)]));
}

const add = (into: Map<string, number>, from: Map<string, number>) => {
  for (const [k, n] of from) into.set(k, (into.get(k) ?? 0) + n);
};

/**
 * Every count the scope needs, per set of collections (`setKey`) and holder; counts of several databases
 * are added up. Returns the number of databases counted in.
 */
export async function countScope(
  connectors: Connectors,
  plans: readonly CollectionPlan[],
  window: Window | null,
): Promise<{ counts: Map<string, Map<string, number>>; records: Map<string, number>; databases: number }> {
  const counts = new Map<string, Map<string, number>>();
  const records = new Map<string, number>();
  const byDataset = new Map<string, CollectionPlan[]>();
  for (const p of plans) byDataset.set(p.dataset, [...(byDataset.get(p.dataset) ?? []), p]);
  for (const [dataset, own] of byDataset) {
    const c = connectors.get(dataset);
    if (!c) throw new Error(`no connection to the database of dataset ${dataset}`);
    add(records, await countRecords(c, own, window));
    for (const set of countSets(plans)) {
      const mine = set.collections.filter((p) => p.dataset === dataset);
      if (!mine.length) continue;
      const into = counts.get(set.key) ?? new Map<string, number>();
      add(into, await countSubjects(c, mine, window));
      counts.set(set.key, into);
    }
  }
  // The whole set's key must exist even when every database answered nothing.
  if (!counts.has(setKey(plans))) counts.set(setKey(plans), new Map());
  return { counts, records, databases: byDataset.size };
}
