/**
 * The counts behind a breach's scope, in the live databases: ONE statement per database, grouped by
 * controller, that returns together the records concerned (a sum), the people affected over every
 * collection, and the people per set of collections holding a data category (conditional aggregation:
 * `COUNT(DISTINCT CASE WHEN u.c IN (…) THEN u.p0 END) + …`). Each affected collection is read once, joined
 * along the controller chain of the dataset annotations; a collection reached through a chain (order lines
 * through their order) is first counted per parent row (`GROUP BY` the reference; a window on the parent's
 * time through `EXISTS`), so the chain is joined once per order, not once per line. Only counts leave the
 * database, never a row. Written once with the connector's quoting and placeholders, so it runs on
 * PostgreSQL and MariaDB alike.
 *
 * Who is a person (the rule the counts follow). An affected row is about the row its controller chain ends
 * at (the root: the customer of an order line, or the row itself).
 * - A root row with an identity value is the person named by the first identity it holds, in the order
 *   customer number, e-mail, phone (the plan's `identities`): rows of any collection, and root rows, with
 *   that same kind and value are one person. A customer with a phone and no e-mail is their phone.
 * - A root row with no identity value at all (a guest order without e-mail, a customer with neither e-mail
 *   nor phone) is a person of its own, told apart by the root row's primary key: two such rows are two
 *   people, and the same root row reached through several collections (its orders and its tickets) is one.
 * - NULL is "no value" (an empty string is a value). People are never folded together for lacking an
 *   identity; two root rows are one person only when they share the first identity they hold (a row with
 *   an e-mail and another with only the same person's phone count as two: never fewer).
 * In SQL each row carries person columns of which exactly one is not NULL (`personSql`), and the people
 * are the sum of their `COUNT(DISTINCT …)`; `COUNT(DISTINCT)` of one column would skip the rows without
 * identity, and a `concat()` of a missing identity would fold them all into one value.
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

/**
 * The controller of a row as SQL: an organization id, or `~default:<dataset>.<root collection>` (the table
 * the chain ends at, so collections reaching the same person's row count them in the same group).
 */
export function holderSql(c: SqlConnector, p: CollectionPlan): string {
  const fallback = literal(`~default:${p.dataset}.${p.root.table}`);
  if (p.controller.kind === 'none') return fallback;
  const ref = `${p.controller.alias}.${c.quote(p.controller.column)}`;
  if (p.controller.kind === 'column') return `COALESCE(${ref}, ${fallback})`;
  const whens = Object.entries(p.controller.values).map(
    ([value, org]) => ` WHEN ${literal(value)} THEN ${literal(org)}`,
  );
  return `CASE ${ref}${whens.join('')} ELSE ${fallback} END`;
}

/** The root row's primary key as SQL (its columns joined by `/` when composite). */
function rootKeySql(c: SqlConnector, p: CollectionPlan): string {
  const cols = p.root.key.map((k) => `${p.root.alias}.${c.quote(k)}`);
  return cols.length === 1 ? cols[0]! : `concat(${cols.join(", '/', ")})`;
}

/**
 * Who a row is about, as SQL: the person columns `p0…` of the union, exactly one of them not NULL per row,
 * so the people are the sum of each column's distinct values (see the rule at the top). The tagged form is
 * the first identity there prefixed with its kind (an e-mail address of two tables is one person; two kinds
 * never collide), else the root row's key prefixed with `~<table>:`. Where every collection ends at the same
 * table (`plain`), the first identity is compared as it is (no `concat()` on the rows that have it: nearly
 * all of them) and a second column holds the tagged form of the rows without it; otherwise one column, the
 * tagged form.
 */
function personSql(c: SqlConnector, p: CollectionPlan, plain: boolean): string[] {
  const ids = p.identities.map((i) => `${i.alias}.${c.quote(i.column)}`);
  const key = rootKeySql(c, p);
  const tagged = (from: number) => {
    const anon = `concat(${literal(`~${p.root.table}:`)}, ${key})`;
    const whens = p.identities
      .slice(from)
      .map(
        (i, j) =>
          ` WHEN ${ids[from + j]} IS NOT NULL THEN concat(${literal(`${i.kind}:`)}, ${ids[from + j]})`,
      );
    return whens.length ? `CASE${whens.join('')} ELSE ${anon} END` : anon;
  };
  if (!plain) return [tagged(0)];
  if (!ids[0]) return [key];
  return [ids[0], `CASE WHEN ${ids[0]} IS NULL THEN ${tagged(1)} END`];
}

/** True when every collection ends at the same table: its identity columns are compared as they are. */
const sameRoot = (plans: readonly CollectionPlan[]) =>
  plans.every((p) => p.root.table === plans[0]?.root.table);

/** The person columns of a part, as `expr AS p0, …`. */
const personColumns = (c: SqlConnector, p: CollectionPlan, plain: boolean) =>
  personSql(c, p, plain)
    .map((e, j) => `${e} AS p${j}`)
    .join(', ');

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
    return `SELECT ${holderSql(c, p)} AS holder, ${personColumns(c, p, plain)}, ${i} AS c, 1 AS w ${affectedRowsSql(c, p, window, params)}`;
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
  return `SELECT ${holderSql(c, p)} AS holder, ${personColumns(c, p, plain)}, ${i} AS c, t0.n AS w FROM ${counted}${joins}${outer}`;
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
  const plain = sameRoot(own);
  const persons = own[0] ? personSql(c, own[0], plain).map((_, j) => `u.p${j}`) : [];
  const parts = own.map((p, i) => partSql(c, p, i, plain, window, params));
  const sets = new Map<string, string>();
  const columns = new Map<string, string>();
  for (const set of countSets(allPlans)) {
    const mine = own.flatMap((p, i) => (set.collections.includes(p) ? [i] : []));
    if (!mine.length) continue;
    const key = mine.join(',');
    if (!columns.has(key)) {
      const name = `s${columns.size}`;
      const expr = persons
        .map((col) =>
          mine.length === own.length
            ? `COUNT(DISTINCT ${col})`
            : `COUNT(DISTINCT CASE WHEN u.c IN (${key}) THEN ${col} END)`,
        )
        .join(' + ');
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
