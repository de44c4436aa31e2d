/**
 * Scoping a personal data breach from the data map (pure): which collections of which datasets the breach
 * touched and over which window become, through the dataset annotations, a plan of counts. For each
 * affected collection: the joins that lead from its rows to the row that names their controller (the
 * `ombud.controller` chain of `follow`s, as the subject locator attributes rows), the column the window
 * applies to, the controller of each row (a mapped column, a column, or the collection's default
 * controllers), the data subject a row is about (the identity of the row the chain ends at), its data
 * categories and purposes. The services render the plan as one COUNT(DISTINCT …) per database: a count,
 * never a copy of the rows.
 */
import { validationError, type FieldIssue } from '../errors.ts';
import { defaultHolders } from '../fulfilment/controllers.ts';
import { type Collection, type Dataset, type IdentityKind, primaryKey } from '../fulfilment/dataset.ts';
import type { RegisterIndex } from '../register/register-index.ts';

/** One collection the breach touched; `timeField` narrows it to rows whose time lies in the window. */
export type AffectedCollection = { dataset: string; collection: string; timeField?: string };

export type Window = { from: Date; to: Date };

export type Join = { alias: string; table: string; fromAlias: string; fromColumn: string; column: string };

export type ControllerOfRow =
  | { kind: 'map'; alias: string; column: string; values: Record<string, string> }
  | { kind: 'column'; alias: string; column: string }
  | { kind: 'none' };

export type CollectionPlan = {
  dataset: string;
  system: string;
  collection: string;
  /** The collection's table is alias t0; each join adds the next row of the controller chain. */
  joins: Join[];
  time: { alias: string; column: string } | null;
  controller: ControllerOfRow;
  /** The companies of a row that names none (or names one the register does not know). */
  defaults: string[];
  /**
   * The row the chain ends at (the person's row: `t0` itself when the collection names its controller)
   * and its primary key: a row with no identity value is one person per such row.
   */
  root: { alias: string; table: string; key: string[] };
  /** Who a row is about: the identity columns of the root row, in order of preference (may be none). */
  identities: { alias: string; column: string; kind: IdentityKind }[];
  /** Where the subject's e-mail address is, to tell them (Art. 34). */
  email: { alias: string; column: string } | null;
  categories: string[];
  purposes: string[];
};

const IDENTITY_PREFERENCE: IdentityKind[] = ['customer_number', 'email', 'phone_number'];

function orgsOfHolders(ix: RegisterIndex, dataset: Dataset, c: Collection): string[] {
  const out = new Set<string>();
  for (const h of defaultHolders(ix, dataset, c)) {
    if (h.kind === 'org') out.add(h.orgId);
    else for (const o of ix.jointArrangements.get(h.arrangementId)?.controllers ?? []) out.add(o);
  }
  return [...out].sort();
}

function planOne(
  ix: RegisterIndex,
  datasets: Dataset[],
  a: AffectedCollection,
  at: (string | number)[],
  issues: FieldIssue[],
): CollectionPlan | null {
  const ds = datasets.find((d) => d.fides_key === a.dataset);
  if (!ds) {
    issues.push({ path: [...at, 'dataset'], message: `no annotated dataset '${a.dataset}'` });
    return null;
  }
  const start = ds.collections.find((c) => c.name === a.collection);
  if (!start) {
    issues.push({ path: [...at, 'collection'], message: `no collection '${a.collection}' in ${a.dataset}` });
    return null;
  }
  // Walk the controller chain: each `follow` joins the row its reference points at.
  const chain: { alias: string; collection: Collection }[] = [{ alias: 't0', collection: start }];
  const joins: Join[] = [];
  let cur = chain[0]!;
  const seen = new Set([start.name]);
  for (;;) {
    const follow = cur.collection.ombud?.controller?.follow;
    if (!follow) break;
    const ref = cur.collection.fields.find((f) => f.name === follow)?.fides_meta?.references?.[0];
    if (!ref || ref.dataset !== ds.fides_key) break;
    const [table, column] = ref.field.split('.') as [string, string];
    const target = ds.collections.find((c) => c.name === table);
    if (!target || seen.has(table)) break;
    seen.add(table);
    const alias = `t${chain.length}`;
    joins.push({ alias, table, fromAlias: cur.alias, fromColumn: follow, column });
    cur = { alias, collection: target };
    chain.push(cur);
  }
  const root = cur;
  const ctl = root.collection.ombud?.controller;
  const controller: ControllerOfRow =
    ctl?.field && ctl.values
      ? { kind: 'map', alias: root.alias, column: ctl.field, values: ctl.values }
      : ctl?.field
        ? { kind: 'column', alias: root.alias, column: ctl.field }
        : { kind: 'none' };
  let time: CollectionPlan['time'] = null;
  if (a.timeField) {
    const [table, column] = a.timeField.includes('.')
      ? (a.timeField.split('.') as [string, string])
      : [start.name, a.timeField];
    const link = chain.find((c) => c.collection.name === table);
    if (!link?.collection.fields.some((f) => f.name === column))
      issues.push({
        path: [...at, 'timeField'],
        message: `'${a.timeField}' is not a column of ${a.collection} or of a collection its controller is found through (${chain.map((c) => c.collection.name).join(', ')})`,
      });
    else time = { alias: link.alias, column };
  }
  const identities = IDENTITY_PREFERENCE.flatMap((kind) =>
    root.collection.fields
      .filter((x) => x.fides_meta?.identity === kind)
      .map((f) => ({ alias: root.alias, column: f.name, kind })),
  );
  // The root's primary key; unannotated, the column the chain's last reference points at (else `id`).
  const pk = primaryKey(root.collection);
  const key = pk.length ? pk : [joins.at(-1)?.column ?? 'id'];
  const emailField = root.collection.fields.find((x) => x.fides_meta?.identity === 'email');
  const categories = [
    ...new Set(start.fields.flatMap((f) => f.data_categories ?? []).filter((k) => !k.startsWith('system.'))),
  ].sort();
  const named = start.ombud?.purposes ?? [];
  const purposes = named.length
    ? named
    : ix.register.purposes.filter((p) => p.systems.includes(ds.ombud.system)).map((p) => p.id);
  return {
    dataset: ds.fides_key,
    system: ds.ombud.system,
    collection: start.name,
    joins,
    time,
    controller,
    defaults: orgsOfHolders(ix, ds, root.collection),
    root: { alias: root.alias, table: root.collection.name, key },
    identities,
    email: emailField ? { alias: root.alias, column: emailField.name } : null,
    categories,
    purposes: [...purposes].sort(),
  };
}

/** The plan of every affected collection; an unknown dataset, collection or time column is a 422 naming it. */
export function planScope(
  ix: RegisterIndex,
  datasets: Dataset[],
  affected: readonly AffectedCollection[],
): CollectionPlan[] {
  const issues: FieldIssue[] = [];
  const plans = affected.map((a, i) => planOne(ix, datasets, a, ['affected', i], issues));
  if (!affected.length) issues.push({ path: ['affected'], message: 'name at least one collection' });
  if (issues.length)
    throw validationError('invalid-breach-scope', 'The breach cannot be scoped as given.', issues);
  return plans as CollectionPlan[];
}

/**
 * The groups of collections to count over: all of them (the people affected), and, for each data
 * category, the collections holding it (the people whose data of that category was affected). Categories
 * held by the same collections share one count.
 */
export function countSets(
  plans: readonly CollectionPlan[],
): { key: string; collections: CollectionPlan[] }[] {
  const sets = new Map<string, CollectionPlan[]>();
  const keyOf = (ps: CollectionPlan[]) => ps.map((p) => `${p.dataset}.${p.collection}`).join('|');
  sets.set(keyOf([...plans]), [...plans]);
  for (const cat of categoriesOf(plans)) {
    const ps = plans.filter((p) => p.categories.includes(cat));
    sets.set(keyOf(ps), ps);
  }
  return [...sets].map(([key, collections]) => ({ key, collections }));
}

export const setKey = (ps: readonly CollectionPlan[]) =>
  ps.map((p) => `${p.dataset}.${p.collection}`).join('|');

export const categoriesOf = (plans: readonly CollectionPlan[]) =>
  [...new Set(plans.flatMap((p) => p.categories))].sort();

/** The scope as stored on the breach and shown: counts only. */
export type BreachScope = {
  window: { from: string; to: string } | null;
  collections: { dataset: string; system: string; collection: string; timeField: string | null }[];
  controllers: {
    orgId: string;
    authorityId: string | null;
    /** The authority's language: the notification is drafted in it. */
    lang: 'sv' | 'nb' | 'en';
    subjects: number;
    /** Rows of the affected collections that are theirs (Art. 33(3)(a): the records concerned). */
    records: number;
    categories: { key: string; subjects: number; special: boolean }[];
  }[];
  categories: { key: string; special: boolean }[];
  purposes: string[];
  subjects: number;
  /** Counts of several databases are added up: a person in two of them counts twice (never fewer). */
  databases: number;
  scopedAt: string;
};

/** The authority's language for the notification: Swedish for IMY, Norwegian for Datatilsynet. */
export function authorityLanguage(country: string | undefined): 'sv' | 'nb' | 'en' {
  return country === 'SE' ? 'sv' : country === 'NO' ? 'nb' : 'en';
}

/**
 * The counts of the databases (subjects per holder key, per count set) as the breach's scope. A holder key
 * is an organization id, or `~default:<dataset>.<root collection>` for rows that name no controller
 * (counted for each default controller of the collection the chain ends at: collections reaching the same
 * person's row share it, so the person counts once).
 */
export function assembleScope(
  ix: RegisterIndex,
  plans: readonly CollectionPlan[],
  affected: readonly AffectedCollection[],
  window: Window | null,
  counts: Map<string, Map<string, number>>,
  records: Map<string, number>,
  databases: number,
  now: Date,
): BreachScope {
  const expand = (m: Map<string, number> | undefined): Map<string, number> => {
    const out = new Map<string, number>();
    for (const [holder, n] of m ?? []) {
      const orgs = holder.startsWith('~default:')
        ? (plans.find((p) => `~default:${p.dataset}.${p.root.table}` === holder)?.defaults ?? [])
        : ix.organization(holder)
          ? [holder]
          : [];
      for (const o of orgs) out.set(o, (out.get(o) ?? 0) + n);
    }
    return out;
  };
  const total = expand(counts.get(setKey(plans)));
  const rows = expand(records);
  const cats = categoriesOf(plans);
  const perCat = new Map(
    cats.map((c) => [c, expand(counts.get(setKey(plans.filter((p) => p.categories.includes(c)))))]),
  );
  const controllers = [...total]
    .filter(([, n]) => n > 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([orgId, subjects]) => {
      const authority = ix.authorityOf(orgId);
      return {
        orgId,
        authorityId: authority?.id ?? null,
        lang: authorityLanguage(authority?.country),
        subjects,
        records: rows.get(orgId) ?? 0,
        categories: cats
          .map((key) => ({ key, subjects: perCat.get(key)?.get(orgId) ?? 0, special: ix.isSpecial(key) }))
          .filter((c) => c.subjects > 0),
      };
    });
  return {
    window: window ? { from: window.from.toISOString(), to: window.to.toISOString() } : null,
    collections: plans.map((p, i) => ({
      dataset: p.dataset,
      system: p.system,
      collection: p.collection,
      timeField: affected[i]?.timeField ?? null,
    })),
    controllers,
    categories: cats.map((key) => ({ key, special: ix.isSpecial(key) })),
    purposes: [...new Set(plans.flatMap((p) => p.purposes))].sort(),
    subjects: controllers.reduce((s, c) => s + c.subjects, 0),
    databases,
    scopedAt: now.toISOString(),
  };
}
