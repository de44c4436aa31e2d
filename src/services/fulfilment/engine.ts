/**
 * The fulfilment engine over the group's own databases: find a data subject's rows by traversing the
 * dataset annotations from the verified identities, then read, erase, rectify or restrict them with
 * set-based statements (one statement per collection over the keys found), in one transaction per database,
 * children before parents. Legal retention rules from the register keep rows: they are restricted and get
 * the first day they may be erased.
 */
import {
  buildGraph,
  type Collection,
  type Dataset,
  type Graph,
  type Identities,
  type IdentityKind,
  type NodeId,
  primaryKey,
  traversalOrder,
} from '../../core/fulfilment/dataset.ts';
import { correctionFor } from '../../core/fulfilment/rectification.ts';
import type { IsoDate } from '../../core/deadlines/iso-date.ts';
import type { RetentionRule } from '../../core/register/schema.ts';
import { type Sql, sql } from '../../storage/sql.ts';
import { change, select } from './connectors/run.ts';
import { splitByRetention } from '../../core/retention/expiry.ts';
import type { SqlConnector } from './connectors/types.ts';
import { maskingStrategy } from './masking.ts';
import { ensureOwnTables, MARKER_TABLE } from './ownTables.ts';

export type Row = Record<string, unknown>;
export type Located = Map<NodeId, Row[]>;
export type Connectors = Map<string, SqlConnector>;

const IN_CHUNK = 1000;

export function normaliseIdentities(ids: Identities): Identities {
  const out: Identities = {};
  if (ids.email?.trim()) out.email = ids.email.trim().toLowerCase();
  if (ids.phone_number?.trim()) out.phone_number = ids.phone_number.replace(/[\s-]/g, '');
  if (ids.customer_number?.trim()) out.customer_number = ids.customer_number.trim();
  return out;
}

export class Engine {
  readonly graph: Graph;
  constructor(
    readonly datasets: Dataset[],
    readonly connectors: Connectors,
  ) {
    this.graph = buildGraph(datasets);
    for (const d of datasets)
      if (!connectors.has(d.fides_key)) throw new Error(`No connection for dataset ${d.fides_key}`);
  }

  order(identities: Identities): NodeId[] {
    const t = traversalOrder(this.graph, Object.keys(identities) as IdentityKind[]);
    if (t.cycles.length) throw new Error(`Reference cycle through ${t.cycles.join(', ')}`);
    return t.order;
  }

  node(id: NodeId): { dataset: Dataset; collection: Collection; c: SqlConnector } {
    const n = this.graph.nodes.get(id)!;
    return { ...n, c: this.connectors.get(n.dataset.fides_key)! };
  }

  /**
   * Every row (annotated columns only) that belongs to the subject, per collection, in traversal order.
   * A collection is queried as soon as the collections it is found through are: independent ones at the
   * same time (on their connectors' pools), so a lookup takes as many round trips as the references are deep.
   * Read-only. With `onError`, a collection whose query fails is reported and left empty (the traversal
   * goes on with the rest) instead of failing the whole search.
   */
  async locate(
    identitiesIn: Identities,
    opts: { onError?: (node: NodeId, err: unknown) => void } = {},
  ): Promise<Located> {
    const identities = normaliseIdentities(identitiesIn);
    const order = this.order(identities);
    const pending = new Map<NodeId, Promise<Row[]>>();
    for (const id of order) {
      const sources = (this.graph.incoming.get(id) ?? []).filter((e) => pending.has(e.from));
      pending.set(
        id,
        Promise.all(sources.map((e) => pending.get(e.from)!)).then(async (inputs) => {
          const { collection, c } = this.node(id);
          const conds = new Map<string, Set<unknown>>();
          const add = (column: string, v: unknown) => {
            if (v === null || v === undefined) return;
            if (!conds.has(column)) conds.set(column, new Set());
            conds.get(column)!.add(v);
          };
          for (const i of this.graph.identities.get(id) ?? []) add(i.field, identities[i.kind]);
          sources.forEach((e, k) => {
            for (const r of inputs[k]!) add(e.field, r[e.fromField]);
          });
          try {
            return conds.size ? await selectWhereAny(c, collection, conds) : [];
          } catch (err) {
            if (!opts.onError) throw err;
            opts.onError(id, err);
            return [];
          }
        }),
      );
    }
    // Settle every lookup before answering (none is left running), then report the first failure.
    const settled = await Promise.allSettled(order.map((id) => pending.get(id)!));
    const failed = settled.find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    return new Map(order.map((id, i) => [id, (settled[i] as PromiseFulfilledResult<Row[]>).value]));
  }

  /**
   * The databases touched, each with its nodes children-first (reverse traversal order), and the databases
   * themselves ordered so that one whose collections are found through another's is changed before it.
   */
  byDatabaseChildrenFirst(order: NodeId[]): Map<string, NodeId[]> {
    const nodes = new Map<string, NodeId[]>();
    for (const id of [...order].reverse()) {
      const key = this.graph.nodes.get(id)!.dataset.fides_key;
      nodes.set(key, [...(nodes.get(key) ?? []), id]);
    }
    const dbOf = (id: NodeId) => this.graph.nodes.get(id)!.dataset.fides_key;
    const dependsOn = new Map<string, Set<string>>([...nodes.keys()].map((k) => [k, new Set<string>()]));
    for (const id of order)
      for (const e of this.graph.incoming.get(id) ?? [])
        if (dbOf(e.from) !== dbOf(id) && nodes.has(dbOf(e.from))) dependsOn.get(dbOf(e.from))!.add(dbOf(id));
    // dependsOn: A -> {B: B must be changed before A}.
    const out = new Map<string, NodeId[]>();
    const keys = [...nodes.keys()].sort();
    while (out.size < keys.length) {
      const next =
        keys.find((k) => !out.has(k) && [...dependsOn.get(k)!].every((d) => out.has(d))) ??
        keys.find((k) => !out.has(k))!;
      out.set(next, nodes.get(next)!);
    }
    return out;
  }
}

const compareKeys = (pk: string[]) => (a: Row, b: Row) => {
  for (const k of pk) {
    const x = a[k] as string | number;
    const y = b[k] as string | number;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
};

/**
 * The rows whose columns hold any of the given values: one statement (per chunk of values on MySQL), the
 * columns OR-ed, each an index-friendly `column = ANY($n)` (PostgreSQL) or `column IN (…)` (MySQL), in
 * primary-key order (the same data gives the same extract).
 */
async function selectWhereAny(
  c: SqlConnector,
  collection: Collection,
  conds: Map<string, Set<unknown>>,
): Promise<Row[]> {
  const cols = sql.join(collection.fields.map((f) => sql.id(f.name)));
  const pk = primaryKey(collection);
  const orderBy = pk.length ? sql` ORDER BY ${sql.join(pk.map((k) => sql.id(k)))}` : sql.empty;
  const groups: { column: string; values: unknown[] }[][] = [[]];
  for (const [column, set] of conds) {
    const values = [...set];
    // PostgreSQL takes any number of values as one array parameter; MySQL gets lists of up to 1,000.
    const size = c.dialect.maxListValues ?? values.length;
    for (let i = 0; i < values.length; i += size) {
      const part = { column, values: values.slice(i, i + size) };
      if (i === 0) groups[0]!.push(part);
      else groups.push([part]);
    }
  }
  const out: Row[] = [];
  for (const group of groups) {
    const where = sql.join(
      group.map((g) => c.dialect.anyOf(sql.id(g.column), g.values)),
      ' OR ',
    );
    out.push(
      ...(await select<Row>(c, sql`SELECT ${cols} FROM ${sql.id(collection.name)} WHERE ${where}${orderBy}`)),
    );
  }
  if (groups.length === 1) return out;
  const seen = new Set<string>();
  return out
    .filter((r) => {
      const k = JSON.stringify(pk.map((p) => r[p]));
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    })
    .sort(compareKeys(pk));
}

/** `WHERE pk = ANY(…)` / `pk IN (…)` over the keys of `rows` (composite keys as OR of ANDs). */
export function keyCondition(c: SqlConnector, collection: Collection, rows: Row[]): Sql {
  const pk = primaryKey(collection);
  if (pk.length === 1)
    return c.dialect.anyOf(
      sql.id(pk[0]!),
      rows.map((r) => r[pk[0]!]),
    );
  return sql.join(
    rows.map(
      (r) =>
        sql`(${sql.join(
          pk.map((k) => sql`${sql.id(k)} = ${r[k]}`),
          ' AND ',
        )})`,
    ),
    ' OR ',
  );
}

export async function forChunks<T>(rows: Row[], fn: (chunk: Row[]) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < rows.length; i += IN_CHUNK) out.push(await fn(rows.slice(i, i + IN_CHUNK)));
  return out;
}

/** `UPDATE collection SET sets` for the given rows, in primary-key chunks; returns how many rows changed. */
async function updateRows(
  c: SqlConnector,
  collection: Collection,
  rows: Row[],
  sets: Sql[],
): Promise<number> {
  let changed = 0;
  for (const n of await forChunks(rows, (chunk) =>
    change(
      c,
      sql`UPDATE ${sql.id(collection.name)} SET ${sql.join(sets)} WHERE ${keyCondition(c, collection, chunk)}`,
    ),
  ))
    changed += n;
  return changed;
}

// ---------------------------------------------------------------------------------------------------------
// Markers: restricted rows are recorded in each database, so its connector and consent lookups treat them as
// store-only, and rows kept under a rule carry the day they may be erased.

export { MARKER_TABLE };

/** Ombud's tables in this database at their current version (./ownTables.ts): the markers among them. */
export const ensureMarkerTable = (c: SqlConnector, label?: string) =>
  ensureOwnTables(c, label).then(() => {});

export const rowKey = (collection: Collection, row: Row) =>
  primaryKey(collection)
    .map((k) => String(row[k]))
    .join('|');

export type Mark = { row: Row; rule?: string; eraseOn?: IsoDate };

/**
 * Restrict rows: one marker per row (written or replaced in one statement per chunk), and the collection's
 * own restricted / erase-on columns when annotated (one UPDATE per first erasable day).
 */
export async function markRows(
  c: SqlConnector,
  collection: Collection,
  marks: Mark[],
  m: { requestId: string; reason: 'retention' | 'art-18' },
): Promise<void> {
  for (let i = 0; i < marks.length; i += IN_CHUNK) {
    const chunk = marks.slice(i, i + IN_CHUNK);
    await change(
      c,
      c.dialect.upsert(
        MARKER_TABLE,
        [
          { name: 'collection_name', type: 'text', value: collection.name },
          { name: 'row_key', type: 'text', values: chunk.map((x) => rowKey(collection, x.row)) },
          { name: 'request_id', type: 'text', value: m.requestId },
          { name: 'reason', type: 'text', value: m.reason },
          { name: 'rule_id', type: 'text', values: chunk.map((x) => x.rule ?? null) },
          { name: 'erase_on', type: 'date', values: chunk.map((x) => x.eraseOn ?? null) },
        ],
        chunk.length,
        ['collection_name', 'row_key'],
      ),
    );
  }
  const r = collection.ombud?.retention;
  if (!r?.restricted_field && !r?.erase_on_field) return;
  const byDay = new Map<string, Row[]>();
  for (const x of marks) {
    const day = r.erase_on_field ? (x.eraseOn ?? '') : '';
    const rows = byDay.get(day);
    if (rows) rows.push(x.row);
    else byDay.set(day, [x.row]);
  }
  for (const [day, rows] of byDay) {
    const sets: Sql[] = [];
    if (r.restricted_field) sets.push(sql`${sql.id(r.restricted_field)} = TRUE`);
    if (r.erase_on_field && day) sets.push(sql`${sql.id(r.erase_on_field)} = ${day}`);
    if (sets.length) await updateRows(c, collection, rows, sets);
  }
}

export async function markRestricted(
  c: SqlConnector,
  collection: Collection,
  rows: Row[],
  m: { requestId: string; reason: 'retention' | 'art-18'; rule?: string; eraseOn?: IsoDate },
): Promise<void> {
  await markRows(
    c,
    collection,
    rows.map((row) => ({ row, rule: m.rule, eraseOn: m.eraseOn })),
    m,
  );
}

/**
 * The rows among `rows` that a legal hold keeps (a 'hold:<id>' marker): row key → hold id. Read in the
 * caller's transaction, before anything is erased.
 */
export async function heldRows(
  c: SqlConnector,
  collection: Collection,
  rows: Row[],
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const keys = rows.map((r) => rowKey(collection, r));
  const size = c.dialect.maxListValues ?? IN_CHUNK;
  for (let i = 0; i < keys.length; i += size) {
    const found = await select<{ row_key: string; request_id: string }>(
      c,
      sql`SELECT row_key, request_id FROM ${sql.raw(MARKER_TABLE)} WHERE collection_name = ${collection.name}
          AND reason = 'retention' AND request_id LIKE 'hold:%' AND ${c.dialect.anyOf(sql.id('row_key'), keys.slice(i, i + size))}`,
    );
    for (const f of found) out.set(f.row_key, f.request_id.slice('hold:'.length));
  }
  return out;
}

/** Is this row restricted (store-only)? For connectors and consent lookups. */
export async function isRestricted(c: SqlConnector, collection: string, key: string): Promise<boolean> {
  const rows = await select(
    c,
    sql`SELECT 1 AS x FROM ${sql.raw(MARKER_TABLE)} WHERE collection_name = ${collection} AND row_key = ${key}`,
    // No marker table yet (nothing was ever restricted in this database) answers with an error.
  ).catch(() => []);
  return rows.length > 0;
}

// ---------------------------------------------------------------------------------------------------------
// Erasure

export type CollectionOutcome = {
  dataset: string;
  system: string;
  collection: string;
  erased: number;
  kept: number;
  /**
   * Rows kept although the request asked to erase them: by a legal rule until `eraseOn`, or by a legal hold
   * (`hold`: its id, rule 'legal-hold', no day: until it is lifted).
   */
  keptUnder: { rule: string; eraseOn?: IsoDate; hold?: string; rows: number }[];
  action: 'delete' | 'mask' | 'rectify' | 'restrict' | 'none';
};

type Node = ReturnType<Engine['node']>;

/** The outcome of a collection whose located rows all stay (read, or marked restricted). */
export const untouched = (rows: readonly unknown[], action: 'restrict' | 'none'): Outcome => ({
  erased: 0,
  kept: rows.length,
  keptUnder: [],
  action,
});
type Outcome = Omit<CollectionOutcome, 'dataset' | 'system' | 'collection'>;

/** Where an outcome happened: the dataset, its system and the collection. */
export const placeOf = ({ dataset, collection }: Node) => ({
  dataset: dataset.fides_key,
  system: dataset.ombud.system,
  collection: collection.name,
});

/**
 * One change in one database: one transaction over the nodes in their order (children first), `each`
 * changing one collection's located rows and saying what it did.
 */
async function inOneTransaction(
  engine: Engine,
  where: { datasetKey: string; nodes: NodeId[]; located: Located; markers: boolean },
  each: (tx: SqlConnector, node: Node, rows: Row[]) => Promise<Outcome>,
): Promise<CollectionOutcome[]> {
  const { datasetKey, nodes, located } = where;
  const c0 = engine.connectors.get(datasetKey)!;
  if (where.markers) await ensureMarkerTable(c0, `the database of dataset ${datasetKey}`);
  return c0.transaction(async (tx) => {
    const out: CollectionOutcome[] = [];
    for (const id of nodes) {
      const node = engine.node(id);
      out.push({ ...placeOf(node), ...(await each(tx, node, located.get(id) ?? [])) });
    }
    return out;
  });
}

/** Erase in one database: one transaction, children first, one statement per collection and chunk. */
export async function eraseInDatabase(
  engine: Engine,
  datasetKey: string,
  nodes: NodeId[],
  located: Located,
  opts: {
    requestId: string;
    rules: Map<string, RetentionRule>;
    today: IsoDate;
    subjectKey: string;
    secret: string;
  },
): Promise<CollectionOutcome[]> {
  return inOneTransaction(engine, { datasetKey, nodes, located, markers: true }, async (tx, node, rows) => {
    const { dataset, collection } = node;
    // Rows under a legal hold stay as they are (their marker too); the rest follow the retention rules.
    const held = rows.length ? await heldRows(tx, collection, rows) : new Map<string, string>();
    const free = held.size ? rows.filter((r) => !held.has(rowKey(collection, r))) : rows;
    const { kept, erase } = splitByRetention(collection, free, opts.rules, opts.today);
    if (kept.length)
      await markRows(
        tx,
        collection,
        kept.flatMap((k) => k.rows.map((row) => ({ row, rule: k.rule, eraseOn: k.eraseOn }))),
        { requestId: opts.requestId, reason: 'retention' },
      );
    let erased = 0;
    const action = collection.ombud?.erase ?? 'delete';
    if (erase.length && action === 'delete') {
      for (const n of await forChunks(erase, (chunk) =>
        change(tx, sql`DELETE FROM ${sql.id(collection.name)} WHERE ${keyCondition(tx, collection, chunk)}`),
      ))
        erased += n;
    } else if (erase.length) {
      const sets = collection.fields
        .filter(
          (f) =>
            !f.fides_meta?.primary_key &&
            !f.fides_meta?.references &&
            f.data_categories.some((k) => k.startsWith('user.')),
        )
        .map((f) => {
          const s = maskingStrategy(f.ombud?.masking?.strategy ?? 'null', {
            value: f.ombud?.masking?.value,
          });
          const expr = s.assignment({
            subjectKey: opts.subjectKey,
            secret: opts.secret,
            path: `${dataset.fides_key}.${collection.name}.${f.name}`,
          });
          return sql`${sql.id(f.name)} = ${expr}`;
        });
      if (sets.length) erased += await updateRows(tx, collection, erase, sets);
    }
    const byHold = new Map<string, number>();
    for (const h of held.values()) byHold.set(h, (byHold.get(h) ?? 0) + 1);
    return {
      erased,
      kept: kept.reduce((s, k) => s + k.rows.length, 0) + held.size,
      keptUnder: [
        ...[...byHold].map(([hold, n]) => ({ rule: 'legal-hold', hold, rows: n })),
        ...kept.map((k) => ({ rule: k.rule, eraseOn: k.eraseOn, rows: k.rows.length })),
      ],
      action,
    };
  });
}

// ---------------------------------------------------------------------------------------------------------
// Rectification and restriction

/** Apply corrected values (by data category) to every field holding that category, one UPDATE per collection. */
export async function rectifyInDatabase(
  engine: Engine,
  datasetKey: string,
  nodes: NodeId[],
  located: Located,
  corrections: Record<string, string>,
): Promise<CollectionOutcome[]> {
  return inOneTransaction(
    engine,
    { datasetKey, nodes, located, markers: false },
    async (tx, { collection }, rows) => {
      const underRule = Boolean(collection.ombud?.retention);
      // Corrections are checked and normalised before the run (core/fulfilment/rectification.ts).
      const fields = collection.fields.flatMap((f) => {
        const value = correctionFor(f, corrections);
        return value === undefined ? [] : [{ f, value }];
      });
      let changed = 0;
      if (rows.length && fields.length && !underRule) {
        const sets = fields.map(({ f, value }) => sql`${sql.id(f.name)} = ${value}`);
        changed += await updateRows(tx, collection, rows, sets);
      }
      return {
        erased: changed,
        kept: underRule && fields.length ? rows.length : 0,
        keptUnder: [],
        action: fields.length ? 'rectify' : 'none',
      };
    },
  );
}

export async function restrictInDatabase(
  engine: Engine,
  datasetKey: string,
  nodes: NodeId[],
  located: Located,
  requestId: string,
): Promise<CollectionOutcome[]> {
  return inOneTransaction(
    engine,
    { datasetKey, nodes, located, markers: true },
    async (tx, { collection }, rows) => {
      if (rows.length) await markRestricted(tx, collection, rows, { requestId, reason: 'art-18' });
      return untouched(rows, 'restrict');
    },
  );
}
