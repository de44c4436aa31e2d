/**
 * The counts behind a breach's scope, in the live databases: ONE statement per database, grouped by
 * controller, that returns together the records concerned (a sum), the people affected over every
 * collection, and the people per set of collections holding a data category (conditional aggregation:
 * `COUNT(DISTINCT CASE WHEN u.c IN (…) THEN u.subject END)`). Each affected collection is read once, joined
 * along the controller chain of the dataset annotations; a collection reached through a chain (order lines
 * through their order) is first counted per parent row (`GROUP BY` the reference; a window on the parent's
 * time through `EXISTS`), so the chain is joined once per order, not once per line. Only counts leave the database, never a row. Written once with the
 * connector's quoting and placeholders, so it runs on PostgreSQL and MariaDB alike.
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

/**
 * Who a row is about, as SQL. Where every collection of the statement ends at the same identity column of
 * the same table, that column itself (no `concat()` per row); otherwise the identity prefixed with its kind,
 * so two kinds never collide. No identity to tell people apart: each parent row counts as one person.
 */
function subjectSql(c: SqlConnector, p: CollectionPlan, plain: boolean, t0Key: string): string {
  if (!p.subject) return `concat(${literal(`${p.collection}:`)}, ${t0Key})`;
  const ref = `${p.subject.alias}.${c.quote(p.subject.column)}`;
  return plain ? ref : `concat(${literal(`${p.subject.kind}:`)}, ${ref})`;
}

const rootTable = (p: CollectionPlan) => (p.subject?.alias === 't0' ? p.collection : p.joins.at(-1)?.table);

/** True when every collection's subject is the same column of the same table: compared as it is. */
function sameSubject(plans: readonly CollectionPlan[]): boolean {
  const first = plans[0]?.subject;
  return plans.every(
    (p) =>
      p.subject &&
      first &&
      p.subject.column === first.column &&
      p.subject.kind === first.kind &&
      rootTable(p) === rootTable(plans[0]!),
  );
}

/**
 * One collection's affected rows as `SELECT holder, subject, c, w`: `w` the rows each output row stands for.
 * A collection with a controller chain is counted per reference first (`t0` is then that count: `k`, `n`),
 * with the window applied inside when its column is the collection's own.
 */
function partSql(
  c: SqlConnector,
  p: CollectionPlan,
  i: number,
  plain: boolean,
  window: Window | null,
  params: unknown[],
): string {
  const first = p.joins[0];
  if (!first)
    return `SELECT ${holderSql(c, p)} AS holder, ${subjectSql(c, p, plain, `t0.${c.quote('id')}`)} AS subject, ${i} AS c, 1 AS w ${affectedRowsSql(c, p, window, params)}`;
  const q = (x: string) => c.quote(x);
  const range = (alias: string, column: string) => {
    params.push(sqlTime(window!.from), sqlTime(window!.to));
    return `${alias}.${q(column)} >= ${c.param(params.length - 1)} AND ${alias}.${q(column)} < ${c.param(params.length)}`;
  };
  // The window on the collection's own column, or on its parent's (order lines by their order's time):
  // applied before counting, the parent's through EXISTS, so only the lines of orders in the window are
  // counted and nothing is joined per line.
  const onParent = p.time?.alias === first.alias && window;
  const inner =
    p.time?.alias === 't0' && window
      ? ` WHERE ${range('t0', p.time.column)}`
      : onParent
        ? ` WHERE EXISTS (SELECT 1 FROM ${q(first.table)} w WHERE w.${q(first.column)} = t0.${q(first.fromColumn)} AND ${range('w', p.time!.column)})`
        : '';
  const key = `t0.${q(first.fromColumn)}`;
  const counted = `(SELECT ${key} AS k, COUNT(*) AS n FROM ${q(p.collection)} t0${inner} GROUP BY ${key}) t0`;
  const joins = p.joins
    .map((j) => {
      const from = j.fromAlias === 't0' ? 't0.k' : `${j.fromAlias}.${q(j.fromColumn)}`;
      return ` JOIN ${q(j.table)} ${j.alias} ON ${j.alias}.${q(j.column)} = ${from}`;
    })
    .join('');
  const outer =
    p.time && p.time.alias !== 't0' && !onParent && window
      ? ` WHERE ${range(p.time.alias, p.time.column)}`
      : '';
  return `SELECT ${holderSql(c, p)} AS holder, ${subjectSql(c, p, plain, 't0.k')} AS subject, ${i} AS c, t0.n AS w FROM ${counted}${joins}${outer}`;
}

/**
 * The one statement of a database: per holder, the records (`records`) and the distinct people of each
 * set of this database's collections (`s0`, `s1`, …; `sets` maps a set's key to its column).
 */
export function scopeStatement(
  c: SqlConnector,
  own: readonly CollectionPlan[],
  allPlans: readonly CollectionPlan[],
  window: Window | null,
): { sql: string; params: unknown[]; sets: Map<string, string> } {
  const params: unknown[] = [];
  const plain = sameSubject(own);
  const parts = own.map((p, i) => partSql(c, p, i, plain, window, params));
  const sets = new Map<string, string>();
  const columns = new Map<string, string>();
  for (const set of countSets(allPlans)) {
    const mine = own.flatMap((p, i) => (set.collections.includes(p) ? [i] : []));
    if (!mine.length) continue;
    const key = mine.join(',');
    if (!columns.has(key)) {
      const name = `s${columns.size}`;
      const expr =
        mine.length === own.length
          ? 'COUNT(DISTINCT u.subject)'
          : `COUNT(DISTINCT CASE WHEN u.c IN (${key}) THEN u.subject END)`;
      columns.set(key, `${expr} AS ${name}`);
      sets.set(set.key, name);
    } else sets.set(set.key, columns.get(key)!.split(' AS ').at(-1)!);
  }
  const sql = `SELECT u.holder AS holder, SUM(u.w) AS records, ${[...columns.values()].join(', ')} FROM (${parts.join(' UNION ALL ')}) u GROUP BY u.holder`;
  return { sql, params, sets };
}

const add = (into: Map<string, number>, holder: string, n: number) =>
  into.set(holder, (into.get(holder) ?? 0) + n);

/**
 * Every count the scope needs, per set of collections (`setKey`) and holder; counts of several databases
 * are added up. One statement per database. Returns the number of databases counted in.
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
    const { sql, params, sets } = scopeStatement(c, own, plans, window);
    const rows = await c.query<Record<string, string | number | null>>(sql, params);
    for (const r of rows) {
      const holder = String(r.holder);
      add(records, holder, Number(r.records ?? 0));
      for (const [key, column] of sets) {
        const into = counts.get(key) ?? new Map<string, number>();
        add(into, holder, Number(r[column] ?? 0));
        counts.set(key, into);
      }
    }
  }
  // The whole set's key must exist even when every database answered nothing.
  if (!counts.has(setKey(plans))) counts.set(setKey(plans), new Map());
  return { counts, records, databases: byDataset.size };
}
