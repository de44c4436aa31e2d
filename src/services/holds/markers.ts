/**
 * A legal hold's markers in the group's databases: the existing marker mechanism (ombud_restrictions,
 * src/services/fulfilment/engine.ts), so the retention sweep and erasure keep the rows. A hold's marker is
 * a 'retention' marker of rule 'legal-hold' without a day, request_id 'hold:<id>'. The marker table has
 * one marker per row, so placing remembers the marker a row had before (an Art. 18 restriction, a
 * bookkeeping day, another hold) and lifting puts back what should stand: another standing hold's marker,
 * else the marker from before the holds, else none.
 */
import { scopeLocated } from '../../core/fulfilment/controllers.ts';
import { type Collection, type Dataset, type Identities, primaryKey } from '../../core/fulfilment/dataset.ts';
import { HOLD_MARKER_RULE, holdMarkerId, holdOfMarker, type HoldScopeKind } from '../../core/holds/hold.ts';
import type { RegisterIndex } from '../../core/register/register-index.ts';
import { errorFields, type Log } from '../../log.ts';
import { sql } from '../../storage/sql.ts';
import { change, select } from '../fulfilment/connectors/run.ts';
import type { SqlConnector } from '../fulfilment/connectors/types.ts';
import {
  type Connectors,
  Engine,
  ensureMarkerTable,
  forChunks,
  MARKER_TABLE,
  type Row,
  rowKey,
} from '../fulfilment/engine.ts';

const CHUNK = 1000;

/** A marker as stored (one per row of a collection). */
export type Marker = { requestId: string; reason: string; rule: string | null; eraseOn: string | null };
/**
 * One row a hold covers, with the marker it had before the holds (null: none); `replacedHold`: the
 * standing hold whose marker this one replaced (only while placing, to undo a failed placement).
 */
export type HeldRow = {
  dataset: string;
  collection: string;
  rowKey: string;
  prior: Marker | null;
  replacedHold?: string;
};

export type HoldScope =
  /** `holders`: whose rows (holder keys, core/holds holdHolderKeys): only the placing company's are marked. */
  | { kind: Extract<HoldScopeKind, 'subject'>; identities: Identities; holders: string[] }
  | { kind: Extract<HoldScopeKind, 'system'>; system: string }
  | { kind: Extract<HoldScopeKind, 'collection'>; dataset: string; collection: string };

type Systems = { datasets: Dataset[]; connectors: Connectors; index: RegisterIndex; log?: Log };

const dayText = (v: unknown): string | null =>
  v === null || v === undefined
    ? null
    : v instanceof Date
      ? v.toISOString().slice(0, 10)
      : String(v).slice(0, 10);

/** The current markers of some rows of a collection, by row key. */
async function markersOf(c: SqlConnector, collection: string, keys: string[]): Promise<Map<string, Marker>> {
  const out = new Map<string, Marker>();
  const size = c.dialect.maxListValues ?? CHUNK;
  for (let i = 0; i < keys.length; i += size) {
    const rows = await select<{
      row_key: string;
      request_id: string;
      reason: string;
      rule_id: string | null;
      erase_on: unknown;
    }>(
      c,
      sql`SELECT row_key, request_id, reason, rule_id, erase_on FROM ${sql.raw(MARKER_TABLE)}
          WHERE collection_name = ${collection} AND ${c.dialect.anyOf(sql.id('row_key'), keys.slice(i, i + size))}`,
    );
    for (const r of rows)
      out.set(r.row_key, {
        requestId: r.request_id,
        reason: r.reason,
        rule: r.rule_id,
        eraseOn: dayText(r.erase_on),
      });
  }
  return out;
}

/** Write (or replace) one marker per key: one statement per chunk. */
async function writeMarkers(
  c: SqlConnector,
  collection: string,
  rows: { key: string; marker: Marker }[],
): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    const chunk = rows.slice(i, i + CHUNK);
    await change(
      c,
      c.dialect.upsert(
        MARKER_TABLE,
        [
          { name: 'collection_name', type: 'text', value: collection },
          { name: 'row_key', type: 'text', values: chunk.map((x) => x.key) },
          { name: 'request_id', type: 'text', values: chunk.map((x) => x.marker.requestId) },
          { name: 'reason', type: 'text', values: chunk.map((x) => x.marker.reason) },
          { name: 'rule_id', type: 'text', values: chunk.map((x) => x.marker.rule) },
          { name: 'erase_on', type: 'date', values: chunk.map((x) => x.marker.eraseOn) },
        ],
        chunk.length,
        ['collection_name', 'row_key'],
      ),
    );
  }
}

async function deleteMarkers(c: SqlConnector, collection: string, keys: string[], requestId: string) {
  const size = c.dialect.maxListValues ?? CHUNK;
  for (let i = 0; i < keys.length; i += size)
    await change(
      c,
      sql`DELETE FROM ${sql.raw(MARKER_TABLE)} WHERE collection_name = ${collection} AND request_id = ${requestId}
          AND ${c.dialect.anyOf(sql.id('row_key'), keys.slice(i, i + size))}`,
    );
}

export const holdMarker = (holdId: string): Marker => ({
  requestId: holdMarkerId(holdId),
  reason: 'retention',
  rule: HOLD_MARKER_RULE,
  eraseOn: null,
});

/** The rows of a scope, per dataset and collection (collections without a primary key cannot be marked). */
async function rowsInScope(
  sys: Systems,
  scope: HoldScope,
): Promise<Map<string, { collection: Collection; rows: Row[] }[]>> {
  const out = new Map<string, { collection: Collection; rows: Row[] }[]>();
  const add = (dataset: string, collection: Collection, rows: Row[]) => {
    if (rows.length && primaryKey(collection).length)
      out.set(dataset, [...(out.get(dataset) ?? []), { collection, rows }]);
  };
  if (scope.kind === 'subject') {
    const engine = new Engine(sys.datasets, sys.connectors);
    const located = scopeLocated(
      sys.index,
      engine.graph,
      await engine.locate(scope.identities),
      scope.holders,
    );
    for (const [id, rows] of located) {
      const { dataset, collection } = engine.node(id);
      add(dataset.fides_key, collection, rows);
    }
    return out;
  }
  for (const d of sys.datasets) {
    if (scope.kind === 'system' && d.ombud.system !== scope.system) continue;
    if (scope.kind === 'collection' && d.fides_key !== scope.dataset) continue;
    const c = sys.connectors.get(d.fides_key);
    if (!c) continue;
    for (const collection of d.collections) {
      if (scope.kind === 'collection' && collection.name !== scope.collection) continue;
      const pk = primaryKey(collection);
      if (!pk.length) continue;
      add(
        d.fides_key,
        collection,
        await select<Row>(
          c,
          sql`SELECT ${sql.join(pk.map((k) => sql.id(k)))} FROM ${sql.id(collection.name)}`,
        ),
      );
    }
  }
  return out;
}

/**
 * Mark every row of the scope with the hold's marker, one transaction per database. `priorOf` gives, for a
 * row now marked by another hold, the marker that row had before the holds (from legal_hold_rows).
 * On a failure the databases already marked are put back before the error is thrown.
 */
export async function markHold(
  sys: Systems,
  holdId: string,
  scope: HoldScope,
  priorOf: (row: Omit<HeldRow, 'prior'>, holdId: string) => Promise<Marker | null>,
): Promise<HeldRow[]> {
  const scoped = await rowsInScope(sys, scope);
  const done: HeldRow[] = [];
  try {
    for (const [dataset, collections] of [...scoped].sort(([a], [b]) => a.localeCompare(b))) {
      const c = sys.connectors.get(dataset)!;
      await ensureMarkerTable(c, `the database of dataset ${dataset}`);
      const held = await c.transaction(async (tx) => {
        const out: HeldRow[] = [];
        for (const { collection, rows } of collections) {
          const keys = [...new Set(rows.map((r) => rowKey(collection, r)))];
          const before = await markersOf(tx, collection.name, keys);
          for (const key of keys) {
            const m = before.get(key) ?? null;
            const other = m ? holdOfMarker(m.requestId) : undefined;
            const at = { dataset, collection: collection.name, rowKey: key };
            if (other === holdId) continue; // already this hold's
            // A row under another hold: its earlier marker is that hold's record (read after the transaction:
            // Ombud's database may be the same embedded instance as this one).
            out.push(other ? { ...at, prior: null, replacedHold: other } : { ...at, prior: m });
          }
          await writeMarkers(
            tx,
            collection.name,
            out
              .filter((h) => h.collection === collection.name)
              .map((h) => ({ key: h.rowKey, marker: holdMarker(holdId) })),
          );
        }
        return out;
      });
      for (const h of held) if (h.replacedHold) h.prior = await priorOf(h, h.replacedHold);
      done.push(...held);
    }
    return done;
  } catch (err) {
    // The caller gets the first error; a failed put-back is logged, so the rows left marked are known.
    await restoreMarkers(sys, holdId, done, async (r) => r.replacedHold ?? null).catch((e: unknown) =>
      sys.log?.error({ holdId, rows: done.length, ...errorFields(e) }, 'legal hold: markers not put back'),
    );
    throw err;
  }
}

/**
 * Take a hold's markers off its rows: each row gets the marker of another standing hold that covers it
 * (`standing`), else the marker it had before the holds, else none. One transaction per database.
 */
export async function restoreMarkers(
  sys: Pick<Systems, 'connectors'>,
  holdId: string,
  rows: HeldRow[],
  standing: (row: HeldRow) => Promise<string | null>,
): Promise<{ restored: number; removed: number }> {
  const byDataset = new Map<string, HeldRow[]>();
  for (const r of rows) byDataset.set(r.dataset, [...(byDataset.get(r.dataset) ?? []), r]);
  let restored = 0;
  let removed = 0;
  for (const [dataset, held] of byDataset) {
    const c = sys.connectors.get(dataset);
    if (!c) throw new Error(`No connection for dataset ${dataset}`);
    const plan: { row: HeldRow; marker: Marker | null }[] = [];
    for (const row of held) {
      const other = await standing(row);
      plan.push({ row, marker: other ? holdMarker(other) : row.prior });
    }
    await c.transaction(async (tx) => {
      const byCollection = new Map<string, typeof plan>();
      for (const p of plan)
        byCollection.set(p.row.collection, [...(byCollection.get(p.row.collection) ?? []), p]);
      for (const [collection, ps] of byCollection) {
        // Only rows still carrying this hold's marker change (an erasure or a restriction may have come since).
        const now = await markersOf(
          tx,
          collection,
          ps.map((p) => p.row.rowKey),
        );
        const ours = ps.filter((p) => now.get(p.row.rowKey)?.requestId === holdMarkerId(holdId));
        const put = ours.flatMap((p) => (p.marker ? [{ key: p.row.rowKey, marker: p.marker }] : []));
        const drop = ours.filter((p) => !p.marker).map((p) => p.row.rowKey);
        await writeMarkers(tx, collection, put);
        await forChunks(
          drop.map((k) => ({ k })),
          async (chunk) =>
            deleteMarkers(
              tx,
              collection,
              chunk.map((x) => String(x.k)),
              holdMarkerId(holdId),
            ),
        );
        restored += put.length;
        removed += drop.length;
      }
    });
  }
  return { restored, removed };
}
