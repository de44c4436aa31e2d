/**
 * An analytics export of the register (core/register/analytics.ts) resolved against the annotated datasets:
 * the collection, the collections it is joined through to reach its data subject (the nearest collection with
 * an e-mail identity, following the datasets' references), and each field checked for what an analyst may
 * have. Pure: no I/O.
 *
 * What never leaves: a direct identifier (contact details, names, identity numbers, usernames, device ids),
 * a key (primary keys, references, identity fields), free text (content fields that are not numbers), and an
 * exact time (a date or timestamp must be cut to the month, or to the day where the register allows it).
 */
import { conflict, validationError } from '../errors.ts';
import {
  buildGraph,
  type Collection,
  type Dataset,
  type Field,
  nodeId,
  primaryKey,
} from '../fulfilment/dataset.ts';
import type { AnalyticsExportDefinition, PurposeAnalytics } from '../register/analytics.ts';
import type { Purpose } from '../register/schema.ts';

/** A collection on the way from the export's collection to its data subject; alias t0 is the export's. */
export type JoinStep = {
  alias: string;
  collection: Collection;
  /** alias.field = on.alias.field */
  field: string;
  on: { alias: string; field: string };
};

export type ResolvedColumn = {
  name: string;
  alias: string;
  field: string;
  truncate?: 'month' | 'day';
  numeric: boolean;
};

export type ResolvedExport = {
  purpose: Purpose;
  definition: AnalyticsExportDefinition;
  k: number;
  timePrecision: 'month' | 'day';
  dataset: Dataset;
  collection: Collection;
  joins: JoinStep[];
  /** The collection of the subject, its alias and identity fields. */
  subject: {
    alias: string;
    collection: Collection;
    email: string;
    customerNumber?: string;
    /** The field counted for distinct subjects: its primary key, or the e-mail address. */
    key: string;
    /** The controller's field and its values per company, when the collection names one. */
    controller?: { field: string; values?: Record<string, string> };
  };
  dimensions: ResolvedColumn[];
  measures: (ResolvedColumn & { op: 'sum' | 'avg' })[];
};

/** Categories that identify a person directly (fideslang prefixes); a country is not one. */
const DIRECT = [
  'user.contact',
  'user.name',
  'user.unique_id',
  'user.account',
  'user.government_id',
  'user.device',
  'user.authorization',
  'user.biometric',
  'user.location.precise',
  'user.financial.bank_account',
  'user.financial.credit_card',
];
const NOT_DIRECT = ['user.contact.address.country'];

const under = (cat: string, prefix: string) => cat === prefix || cat.startsWith(`${prefix}.`);

export function isDirectIdentifier(f: Field): boolean {
  return f.data_categories.some(
    (c) => DIRECT.some((p) => under(c, p)) && !NOT_DIRECT.some((p) => under(c, p)),
  );
}

const isNumber = (f: Field) => f.ombud?.format === 'number' || f.ombud?.format === 'money_cents';
const isTime = (f: Field) => f.ombud?.format === 'timestamp' || f.ombud?.format === 'date';
/** Free text: what a person wrote (content), unless it is a number (a score, a rating). */
export const isFreeText = (f: Field) =>
  !isNumber(f) && f.data_categories.some((c) => under(c, 'user.content'));
/** A key: the primary key, an identity, a reference, or a field other collections refer to (an order number). */
const isKey = (c: Collection, f: Field, referenced: ReadonlySet<string>) =>
  primaryKey(c).includes(f.name) ||
  !!f.fides_meta?.identity ||
  (f.fides_meta?.references?.length ?? 0) > 0 ||
  referenced.has(`${c.name}.${f.name}`);

export function analyticsOf(purpose: Purpose): PurposeAnalytics {
  if (!purpose.analytics)
    throw validationError('no-analytics', `The purpose '${purpose.id}' defines no analytics exports.`, [
      { path: ['purpose'], message: 'no analytics exports', hint: 'Add an analytics block to the purpose.' },
    ]);
  return purpose.analytics;
}

export function exportDefinition(purpose: Purpose, exportId: string): AnalyticsExportDefinition {
  const a = analyticsOf(purpose);
  const d = a.exports.find((e) => e.id === exportId);
  if (!d)
    throw validationError(
      'unknown-export',
      `The purpose '${purpose.id}' has no analytics export '${exportId}'.`,
      [
        {
          path: ['export'],
          message: 'unknown export',
          hint: `Use one of: ${a.exports.map((e) => e.id).join(', ')}.`,
        },
      ],
    );
  return d;
}

/** Why a definition cannot run: a 409, since the register, not the caller, must change. */
const bad = (purposeId: string, exportId: string, what: string) =>
  conflict(
    'analytics-definition',
    `The analytics export '${exportId}' of the purpose '${purposeId}' ${what}.`,
    'Change the export in the register and apply it again.',
  );

export function resolveExport(
  purpose: Purpose,
  exportId: string,
  datasets: Dataset[],
  allPurposes: ReadonlyMap<string, Purpose>,
): ResolvedExport {
  const analytics = analyticsOf(purpose);
  const def = exportDefinition(purpose, exportId);
  const fail = (what: string) => bad(purpose.id, def.id, what);
  const dataset = datasets.find((d) => d.fides_key === def.dataset);
  if (!dataset) throw fail(`names the dataset '${def.dataset}', which is not annotated`);
  const collection = dataset.collections.find((c) => c.name === def.collection);
  if (!collection)
    throw fail(`names the collection '${def.collection}', which '${def.dataset}' does not have`);
  for (const r of def.requiresConsent) {
    const p = allPurposes.get(r.purpose);
    if (!p) throw fail(`requires consent to the purpose '${r.purpose}', which the register does not have`);
  }
  if (def.kind === 'aggregate' && def.dimensions.length > 2) throw fail('groups by more than two fields');
  if (def.kind === 'rows' && def.noise) throw fail('adds noise to rows: noise is for aggregates');
  if (def.noise && !analytics.privacyBudget) throw fail('adds noise, but the purpose sets no privacy budget');

  const referenced = new Set(
    datasets.flatMap((d) =>
      d.collections.flatMap((c) =>
        c.fields.flatMap((f) =>
          (f.fides_meta?.references ?? []).filter((r) => r.dataset === dataset.fides_key).map((r) => r.field),
        ),
      ),
    ),
  );
  // The way to the subject: breadth first over the references, within the dataset.
  const graph = buildGraph([dataset]);
  const hasEmail = (c: Collection) => c.fields.find((f) => f.fides_meta?.identity === 'email');
  type Visit = { id: string; collection: Collection; path: JoinStep[]; alias: string };
  const start: Visit = { id: nodeId(dataset.fides_key, collection.name), collection, path: [], alias: 't0' };
  const seen = new Set([start.id]);
  const queue: Visit[] = [start];
  // The subject's own collection: the nearest with an e-mail identity that is found through nothing (the
  // customers), else the nearest with one.
  let found: Visit | undefined;
  let nearest: Visit | undefined;
  while (queue.length && !found) {
    const v = queue.shift()!;
    if (hasEmail(v.collection)) {
      nearest ??= v;
      if ((graph.incoming.get(v.id) ?? []).length === 0) {
        found = v;
        break;
      }
    }
    for (const e of graph.incoming.get(v.id) ?? []) {
      if (seen.has(e.from)) continue;
      seen.add(e.from);
      const next = graph.nodes.get(e.from)!;
      const alias = `t${v.path.length + 1}`;
      queue.push({
        id: e.from,
        collection: next.collection,
        alias,
        path: [
          ...v.path,
          { alias, collection: next.collection, field: e.fromField, on: { alias: v.alias, field: e.field } },
        ],
      });
    }
  }
  found ??= nearest;
  if (!found) throw fail(`reaches no collection with an e-mail identity from '${collection.name}'`);
  const subjectCollection = found.collection;
  const email = hasEmail(subjectCollection)!.name;
  const pk = primaryKey(subjectCollection);
  const cn = subjectCollection.fields.find((f) => f.fides_meta?.identity === 'customer_number')?.name;
  const ctl = subjectCollection.ombud?.controller;
  const controller = ctl?.field ? { field: ctl.field, values: ctl.values } : undefined;

  const aliasOf = (ref: string): { alias: string; collection: Collection; field: string } => {
    const [a, b] = ref.includes('.') ? ref.split('.') : [undefined, ref];
    if (!a || a === collection.name) return { alias: 't0', collection, field: b! };
    const step = found!.path.find((s) => s.collection.name === a);
    if (!step)
      throw fail(`uses '${ref}', but '${a}' is not on the way from '${collection.name}' to its data subject`);
    return { alias: step.alias, collection: step.collection, field: b! };
  };
  const column = (
    ref: string,
    as: string | undefined,
    truncate: 'month' | 'day' | undefined,
  ): ResolvedColumn => {
    const { alias, collection: c, field: name } = aliasOf(ref);
    const f = c.fields.find((x) => x.name === name);
    if (!f) throw fail(`uses '${ref}', which is not an annotated field of '${c.name}'`);
    if (isDirectIdentifier(f)) throw fail(`would give out '${ref}', a direct identifier`);
    if (isKey(c, f, referenced)) throw fail(`would give out '${ref}', a key that links a row to a person`);
    if (isFreeText(f)) throw fail(`would give out '${ref}', free text`);
    if (isTime(f)) {
      if (!truncate) throw fail(`would give out '${ref}' exactly: cut it to the month (truncate: month)`);
      if (truncate === 'day' && analytics.timePrecision === 'month')
        throw fail(`cuts '${ref}' to the day, but the purpose allows the month only (timePrecision)`);
    } else if (truncate) throw fail(`cuts '${ref}' to a ${truncate}, but it is not a date`);
    return { name: as ?? name, alias, field: name, truncate, numeric: isNumber(f) };
  };
  const dimensions = def.dimensions.map((d) => column(d.field, d.as, d.truncate));
  const measures = def.measures.map((m) => {
    const c = column(m.field, m.as, undefined);
    if (!c.numeric) throw fail(`takes the ${m.op} of '${m.field}', which is not a number`);
    return { ...c, op: m.op };
  });
  const names = [...dimensions, ...measures].map((c) => c.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw fail(`names two columns '${dup}'`);
  return {
    purpose,
    definition: def,
    k: analytics.k,
    timePrecision: analytics.timePrecision,
    dataset,
    collection,
    joins: found.path,
    subject: {
      alias: found.alias,
      collection: subjectCollection,
      email,
      customerNumber: cn,
      key: pk.length === 1 && found.alias !== 't0' ? pk[0]! : email,
      controller,
    },
    dimensions,
    measures,
  };
}
