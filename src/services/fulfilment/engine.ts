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
import { addDays, type IsoDate } from '../../core/deadlines/iso-date.ts';
import type { RetentionRule } from '../../core/register/schema.ts';
import { retentionEndDate } from '../../core/retention/retention.ts';
import type { SqlConnector } from './connectors/types.ts';
import { maskingStrategy } from './masking.ts';

export type Row = Record<string, unknown>;
export type Located = Map<NodeId, Row[]>;
export type Connectors = Map<string, SqlConnector>;

const IN_CHUNK = 1000;

/** Push a parameter and return its placeholder. */
export function bind(c: SqlConnector, params: unknown[], value: unknown): string {
  params.push(value);
  return c.param(params.length);
}

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
   * Read-only. With `onError`, a collection whose query fails is reported and left empty (the traversal
   * goes on with the rest) instead of failing the whole search.
   */
  async locate(
    identitiesIn: Identities,
    opts: { onError?: (node: NodeId, err: unknown) => void } = {},
  ): Promise<Located> {
    const identities = normaliseIdentities(identitiesIn);
    const found: Located = new Map();
    for (const id of this.order(identities)) {
      const { collection, c } = this.node(id);
      const conds: { column: string; values: unknown[] }[] = [];
      for (const i of this.graph.identities.get(id) ?? [])
        if (identities[i.kind]) conds.push({ column: i.field, values: [identities[i.kind]] });
      for (const e of this.graph.incoming.get(id) ?? []) {
        const rows = found.get(e.from);
        if (!rows?.length) continue;
        const values = [
          ...new Set(rows.map((r) => r[e.fromField]).filter((v) => v !== null && v !== undefined)),
        ];
        if (values.length) conds.push({ column: e.field, values });
      }
      let rows: Row[] = [];
      try {
        rows = conds.length ? await selectWhereAny(c, collection, conds) : [];
      } catch (err) {
        if (!opts.onError) throw err;
        opts.onError(id, err);
      }
      found.set(id, dedupe(rows, primaryKey(collection)));
    }
    return found;
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

function dedupe(rows: Row[], pk: string[]): Row[] {
  const seen = new Set<string>();
  return rows.filter((r) => {
    const k = JSON.stringify(pk.map((p) => r[p]));
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

async function selectWhereAny(
  c: SqlConnector,
  collection: Collection,
  conds: { column: string; values: unknown[] }[],
): Promise<Row[]> {
  const cols = collection.fields.map((f) => c.quote(f.name)).join(', ');
  const out: Row[] = [];
  // One statement per chunk of values, each an OR of IN lists over the conditions.
  const chunks: { column: string; values: unknown[] }[][] = [];
  for (const cond of conds)
    for (let i = 0; i < cond.values.length; i += IN_CHUNK)
      chunks.push([{ column: cond.column, values: cond.values.slice(i, i + IN_CHUNK) }]);
  const merged = chunks.length <= 4 ? [chunks.flat()] : chunks;
  for (const group of merged) {
    const params: unknown[] = [];
    const where = group
      .map((g) => `${c.quote(g.column)} IN (${g.values.map((v) => bind(c, params, v)).join(', ')})`)
      .join(' OR ');
    out.push(
      ...(await c.query<Row>(`SELECT ${cols} FROM ${c.quote(collection.name)} WHERE ${where}`, params)),
    );
  }
  return out;
}

/** `WHERE pk IN (…)` over the keys of `rows` (single-column keys; composite keys as OR of ANDs). */
export function keyCondition(
  c: SqlConnector,
  collection: Collection,
  rows: Row[],
  params: unknown[],
): string {
  const pk = primaryKey(collection);
  if (pk.length === 1)
    return `${c.quote(pk[0]!)} IN (${rows.map((r) => bind(c, params, r[pk[0]!])).join(', ')})`;
  return rows
    .map((r) => `(${pk.map((k) => `${c.quote(k)} = ${bind(c, params, r[k])}`).join(' AND ')})`)
    .join(' OR ');
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
  sets: string[],
  base: unknown[],
): Promise<number> {
  let changed = 0;
  for (const n of await forChunks(rows, (chunk) => {
    const params = [...base];
    const where = keyCondition(c, collection, chunk, params);
    return c.execute(`UPDATE ${c.quote(collection.name)} SET ${sets.join(', ')} WHERE ${where}`, params);
  }))
    changed += n;
  return changed;
}

// ---------------------------------------------------------------------------------------------------------
// Retention

export type Kept = { rule: string; eraseOn: IsoDate; rows: Row[] };

function financialYearEnd(date: IsoDate, fyEnd: string): IsoDate {
  const year = Number(date.slice(0, 4));
  const candidate = `${year}-${fyEnd}` as IsoDate;
  return date <= candidate ? candidate : (`${year + 1}-${fyEnd}` as IsoDate);
}

/** The first day a kept row may be erased under a legal rule of the register. */
export function eraseOnFor(rule: RetentionRule, triggerDate: IsoDate, fyEnd = '12-31'): IsoDate {
  const trigger = rule.trigger === 'financial-year-end' ? financialYearEnd(triggerDate, fyEnd) : triggerDate;
  return addDays(retentionEndDate({ trigger, duration: rule.duration, roundTo: rule.roundTo }), 1);
}

/** Split a collection's rows into those a legal rule keeps (grouped by rule and date) and the rest. */
export function splitByRetention(
  collection: Collection,
  rows: Row[],
  rules: Map<string, RetentionRule>,
  today: IsoDate,
): { kept: Kept[]; erase: Row[] } {
  const r = collection.ombud?.retention;
  if (!r) return { kept: [], erase: rows };
  const groups = new Map<string, Kept>();
  const erase: Row[] = [];
  for (const row of rows) {
    const match = r.rules.find((x) => !x.when || String(row[x.when.field]) === x.when.equals);
    const rule = match ? rules.get(match.rule) : undefined;
    if (rule?.kind !== 'legal') {
      erase.push(row);
      continue;
    }
    const trigger = String(row[r.trigger_field]).slice(0, 10) as IsoDate;
    const eraseOn = eraseOnFor(rule, trigger, r.financial_year_end);
    if (eraseOn <= today) {
      erase.push(row);
      continue;
    }
    const key = `${rule.id} ${eraseOn}`;
    if (!groups.has(key)) groups.set(key, { rule: rule.id, eraseOn, rows: [] });
    groups.get(key)!.rows.push(row);
  }
  return { kept: [...groups.values()], erase };
}

// ---------------------------------------------------------------------------------------------------------
// Markers: restricted rows are recorded in each database, so its connector and consent lookups treat them as
// store-only, and rows kept under a rule carry the day they may be erased.

export const MARKER_TABLE = 'ombud_restrictions';

export async function ensureMarkerTable(c: SqlConnector): Promise<void> {
  await c.exec(
    `CREATE TABLE IF NOT EXISTS ${MARKER_TABLE} (
       collection_name VARCHAR(100) NOT NULL,
       row_key VARCHAR(200) NOT NULL,
       request_id VARCHAR(100) NOT NULL,
       reason VARCHAR(40) NOT NULL,
       rule_id VARCHAR(100),
       erase_on DATE,
       PRIMARY KEY (collection_name, row_key)
     )`,
  );
}

export const rowKey = (collection: Collection, row: Row) =>
  primaryKey(collection)
    .map((k) => String(row[k]))
    .join('|');

export async function markRestricted(
  c: SqlConnector,
  collection: Collection,
  rows: Row[],
  m: { requestId: string; reason: 'retention' | 'art-18'; rule?: string; eraseOn?: IsoDate },
): Promise<void> {
  await forChunks(rows, async (chunk) => {
    const keys = chunk.map((r) => rowKey(collection, r));
    const del: unknown[] = [collection.name];
    await c.execute(
      `DELETE FROM ${MARKER_TABLE} WHERE collection_name = ${c.param(1)} AND row_key IN (${keys.map((k) => bind(c, del, k)).join(', ')})`,
      del,
    );
    const params: unknown[] = [];
    const tuples = keys.map((k) => {
      const vals = [collection.name, k, m.requestId, m.reason, m.rule ?? null, m.eraseOn ?? null];
      return `(${vals.map((v) => bind(c, params, v)).join(', ')})`;
    });
    await c.execute(
      `INSERT INTO ${MARKER_TABLE} (collection_name, row_key, request_id, reason, rule_id, erase_on) VALUES ${tuples.join(', ')}`,
      params,
    );
  });
  const r = collection.ombud?.retention;
  const sets: string[] = [];
  const base: unknown[] = [];
  if (r?.restricted_field) sets.push(`${c.quote(r.restricted_field)} = TRUE`);
  if (r?.erase_on_field && m.eraseOn) {
    base.push(m.eraseOn);
    sets.push(`${c.quote(r.erase_on_field)} = ${c.param(base.length)}`);
  }
  if (sets.length) await updateRows(c, collection, rows, sets, base);
}

/** Is this row restricted (store-only)? For connectors and consent lookups. */
export async function isRestricted(c: SqlConnector, collection: string, key: string): Promise<boolean> {
  const rows = await c
    .query(
      `SELECT 1 AS x FROM ${MARKER_TABLE} WHERE collection_name = ${c.param(1)} AND row_key = ${c.param(2)}`,
      [collection, key],
    )
    .catch(() => []);
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
  keptUnder: { rule: string; eraseOn: IsoDate; rows: number }[];
  action: 'delete' | 'mask' | 'rectify' | 'restrict' | 'none';
};

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
  const c0 = engine.connectors.get(datasetKey)!;
  await ensureMarkerTable(c0);
  return c0.transaction(async (tx) => {
    const out: CollectionOutcome[] = [];
    for (const id of nodes) {
      const { dataset, collection } = engine.node(id);
      const rows = located.get(id) ?? [];
      const { kept, erase } = splitByRetention(collection, rows, opts.rules, opts.today);
      for (const k of kept)
        await markRestricted(tx, collection, k.rows, {
          requestId: opts.requestId,
          reason: 'retention',
          rule: k.rule,
          eraseOn: k.eraseOn,
        });
      let erased = 0;
      const action = collection.ombud?.erase ?? 'delete';
      if (erase.length && action === 'delete') {
        for (const n of await forChunks(erase, async (chunk) => {
          const params: unknown[] = [];
          return tx.execute(
            `DELETE FROM ${tx.quote(collection.name)} WHERE ${keyCondition(tx, collection, chunk, params)}`,
            params,
          );
        }))
          erased += n;
      } else if (erase.length) {
        const params: unknown[] = [];
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
            const expr = s.assignment(tx, params, {
              subjectKey: opts.subjectKey,
              secret: opts.secret,
              path: `${dataset.fides_key}.${collection.name}.${f.name}`,
            });
            return `${tx.quote(f.name)} = ${expr}`;
          });
        if (sets.length) erased += await updateRows(tx, collection, erase, sets, params);
      }
      out.push({
        dataset: dataset.fides_key,
        system: dataset.ombud.system,
        collection: collection.name,
        erased,
        kept: kept.reduce((s, k) => s + k.rows.length, 0),
        keptUnder: kept.map((k) => ({ rule: k.rule, eraseOn: k.eraseOn, rows: k.rows.length })),
        action,
      });
    }
    return out;
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
  const c0 = engine.connectors.get(datasetKey)!;
  return c0.transaction(async (tx) => {
    const out: CollectionOutcome[] = [];
    for (const id of nodes) {
      const { dataset, collection } = engine.node(id);
      const rows = located.get(id) ?? [];
      const underRule = Boolean(collection.ombud?.retention);
      const fields = collection.fields.filter(
        (f) => !f.fides_meta?.primary_key && f.data_categories.some((k) => k in corrections),
      );
      let changed = 0;
      if (rows.length && fields.length && !underRule) {
        const base: unknown[] = [];
        const sets = fields.map((f) => {
          const cat = f.data_categories.find((k) => k in corrections)!;
          let v = corrections[cat]!;
          if (f.fides_meta?.identity === 'email') v = v.trim().toLowerCase();
          base.push(v);
          return `${tx.quote(f.name)} = ${tx.param(base.length)}`;
        });
        changed += await updateRows(tx, collection, rows, sets, base);
      }
      out.push({
        dataset: dataset.fides_key,
        system: dataset.ombud.system,
        collection: collection.name,
        erased: changed,
        kept: underRule && fields.length ? rows.length : 0,
        keptUnder: [],
        action: fields.length ? 'rectify' : 'none',
      });
    }
    return out;
  });
}

export async function restrictInDatabase(
  engine: Engine,
  datasetKey: string,
  nodes: NodeId[],
  located: Located,
  requestId: string,
): Promise<CollectionOutcome[]> {
  const c0 = engine.connectors.get(datasetKey)!;
  await ensureMarkerTable(c0);
  return c0.transaction(async (tx) => {
    const out: CollectionOutcome[] = [];
    for (const id of nodes) {
      const { dataset, collection } = engine.node(id);
      const rows = located.get(id) ?? [];
      if (rows.length) {
        await markRestricted(tx, collection, rows, { requestId, reason: 'art-18' });
      }
      out.push({
        dataset: dataset.fides_key,
        system: dataset.ombud.system,
        collection: collection.name,
        erased: 0,
        kept: rows.length,
        keptUnder: [],
        action: 'restrict',
      });
    }
    return out;
  });
}
