/**
 * Which controller a located row belongs to. A shared system (one web shop for several companies) holds
 * customers of each company; the dataset annotation says how to tell (`ombud.controller` on a collection:
 * a column holding the organization id, a column mapped to organization ids, or the controller of the row
 * a reference field points at). A row that does not say belongs to the controllers of its collection's
 * purposes (or, when the collection names none, of the register's purposes that use the system); a purpose
 * run jointly (Art. 26) belongs to its arrangement, which its contact point answers for. When in doubt the
 * answer is broader, never narrower: a company wrongly asked answers "nothing found", a company wrongly
 * left out would not answer at all. Pure: no I/O.
 */
import type { RegisterIndex } from '../register/register-index.ts';
import type { Collection, Dataset, Graph, NodeId } from './dataset.ts';
import { nodeId } from './dataset.ts';

export type Holder = { kind: 'org'; orgId: string } | { kind: 'joint'; arrangementId: string };
export const holderKey = (h: Holder) => (h.kind === 'org' ? h.orgId : `joint:${h.arrangementId}`);

type Row = Record<string, unknown>;

function addHolder(out: Map<string, Holder>, h: Holder) {
  out.set(holderKey(h), h);
}

/** The holders of a collection's rows when a row does not say. */
export function defaultHolders(ix: RegisterIndex, dataset: Dataset, collection: Collection): Holder[] {
  const named = collection.ombud?.purposes ?? [];
  const purposeIds = named.length
    ? named
    : ix.register.purposes.filter((p) => p.systems.includes(dataset.ombud.system)).map((p) => p.id);
  const out = new Map<string, Holder>();
  for (const id of purposeIds) {
    const p = ix.purposes.get(id);
    if (!p) continue;
    const joint = ix.jointArrangementFor(id);
    if (joint) addHolder(out, { kind: 'joint', arrangementId: joint.id });
    else for (const orgId of p.controllers) addHolder(out, { kind: 'org', orgId });
  }
  if (out.size === 0) {
    const operator = ix.systems.get(dataset.ombud.system)?.operator;
    if (operator && ix.organization(operator)) addHolder(out, { kind: 'org', orgId: operator });
    else for (const o of ix.register.organizations) addHolder(out, { kind: 'org', orgId: o.id });
  }
  return [...out.values()];
}

export type CollectionHolders = {
  node: NodeId;
  dataset: string;
  system: string;
  collection: string;
  rows: number;
  /** Rows per holder (a row may belong to more than one: a shared row, or one found through several). */
  holders: { holder: Holder; rows: number }[];
};

/** The holders of every located row, node by node, in the order of `located`'s rows. */
export function rowHoldersOf(
  ix: RegisterIndex,
  graph: Graph,
  located: Map<NodeId, Row[]>,
): (id: NodeId) => Holder[][] {
  const memo = new Map<NodeId, Holder[][]>();
  const visiting = new Set<NodeId>();

  const rowHolders = (id: NodeId): Holder[][] => {
    const done = memo.get(id);
    if (done) return done;
    const rows = located.get(id) ?? [];
    const n = graph.nodes.get(id);
    if (!n) return rows.map(() => []);
    const fallback = defaultHolders(ix, n.dataset, n.collection);
    const ctl = n.collection.ombud?.controller;
    visiting.add(id);
    const out = rows.map((row): Holder[] => {
      if (!ctl) return fallback;
      if (ctl.field) {
        const raw = row[ctl.field];
        if (raw === null || raw === undefined) return fallback;
        const orgId = ctl.values ? ctl.values[String(raw)] : String(raw);
        return orgId && ix.organization(orgId) ? [{ kind: 'org', orgId }] : fallback;
      }
      const field = n.collection.fields.find((f) => f.name === ctl.follow);
      const ref = field?.fides_meta?.references?.[0];
      const value = row[ctl.follow!];
      if (!ref || value === null || value === undefined) return fallback;
      const [refCollection, refField] = ref.field.split('.') as [string, string];
      const target = nodeId(ref.dataset, refCollection);
      if (visiting.has(target)) return fallback;
      const targetRows = located.get(target) ?? [];
      const targetHolders = rowHolders(target);
      const found = new Map<string, Holder>();
      targetRows.forEach((t, i) => {
        if (String(t[refField]) === String(value))
          for (const h of targetHolders[i] ?? []) addHolder(found, h);
      });
      return found.size ? [...found.values()] : fallback;
    });
    visiting.delete(id);
    memo.set(id, out);
    return out;
  };
  return rowHolders;
}

/**
 * Only the rows some holder in `scope` holds (organization ids and `joint:<arrangement>` keys): what one
 * company's request may read or change in a shared system. Holders are worked out on everything located
 * first, so a row that follows a reference is attributed through rows of other companies too.
 */
export function scopeLocated(
  ix: RegisterIndex,
  graph: Graph,
  located: Map<NodeId, Row[]>,
  scope: readonly string[],
): Map<NodeId, Row[]> {
  const keys = new Set(scope);
  const holders = rowHoldersOf(ix, graph, located);
  const out = new Map<NodeId, Row[]>();
  for (const [id, rows] of located) {
    const hs = holders(id);
    out.set(
      id,
      rows.filter((_r, i) => (hs[i] ?? []).some((h) => keys.has(holderKey(h)))),
    );
  }
  return out;
}

/**
 * Attribute every located row to its holders and count them per collection. `located` is what
 * Engine.locate returned (annotated columns only); collections without rows are left out.
 */
export function attributeLocated(
  ix: RegisterIndex,
  graph: Graph,
  located: Map<NodeId, Row[]>,
): CollectionHolders[] {
  const rowHolders = rowHoldersOf(ix, graph, located);
  const result: CollectionHolders[] = [];
  for (const [id, rows] of located) {
    if (!rows.length) continue;
    const n = graph.nodes.get(id);
    if (!n) continue;
    const counts = new Map<string, { holder: Holder; rows: number }>();
    for (const hs of rowHolders(id))
      for (const h of hs) {
        const k = holderKey(h);
        const c = counts.get(k) ?? { holder: h, rows: 0 };
        c.rows++;
        counts.set(k, c);
      }
    result.push({
      node: id,
      dataset: n.dataset.fides_key,
      system: n.dataset.ombud.system,
      collection: n.collection.name,
      rows: rows.length,
      holders: [...counts.values()].sort((a, b) => holderKey(a.holder).localeCompare(holderKey(b.holder))),
    });
  }
  return result.sort((a, b) => a.node.localeCompare(b.node));
}

/**
 * The companies whose rows a collection may hold, whatever rows it holds today: the controllers its rows
 * can name (a mapped column: the mapped companies; an unmapped column: any company; a followed reference:
 * the companies the referenced collection may hold), and those of its rows that name none. Joint
 * arrangements count as their controllers. Broader, never narrower: it decides whose say an action on the
 * whole collection needs (a legal hold on a shared system).
 */
export function possibleHolders(
  ix: RegisterIndex,
  graph: Graph,
  id: NodeId,
  visiting: ReadonlySet<NodeId> = new Set(),
): string[] {
  const n = graph.nodes.get(id);
  if (!n) return [];
  const out = new Set<string>();
  const addHolder = (h: Holder) => {
    if (h.kind === 'org') out.add(h.orgId);
    else for (const o of ix.jointArrangements.get(h.arrangementId)?.controllers ?? []) out.add(o);
  };
  for (const h of defaultHolders(ix, n.dataset, n.collection)) addHolder(h);
  const ctl = n.collection.ombud?.controller;
  if (ctl?.field && ctl.values) for (const o of Object.values(ctl.values)) if (ix.organization(o)) out.add(o);
  if (ctl?.field && !ctl.values) for (const o of ix.register.organizations) out.add(o.id);
  if (ctl?.follow) {
    const ref = n.collection.fields.find((f) => f.name === ctl.follow)?.fides_meta?.references?.[0];
    const target = ref ? nodeId(ref.dataset, ref.field.split('.')[0]!) : undefined;
    if (!target || visiting.has(target)) for (const o of ix.register.organizations) out.add(o.id);
    else for (const o of possibleHolders(ix, graph, target, new Set([...visiting, id]))) out.add(o);
  }
  return [...out].sort();
}
