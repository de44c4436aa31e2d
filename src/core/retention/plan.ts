/**
 * The retention plan: for every annotated collection, which register rule ends its rows, from which
 * trigger column (its own, or one of a collection it is found through), what happens at the end (delete,
 * mask, or anonymise, and exactly which fields are overwritten how), which legal rules keep rows longer,
 * which collections point at its rows (so a row is not deleted while they still need it), and the
 * cut-off dates for a given day. Also the findings for bad annotations. Pure: no I/O; the SQL is built
 * from this plan in src/services/retention/sql.ts.
 *
 * Anonymisation is default-deny: only the primary key (an internal row number) and the fields marked
 * `ombud: { anonymise: keep | month }` stay; every other field is set to NULL, or to its masking `fixed`
 * value. Fields that identify a person directly (identities, references to the person's other rows,
 * names, contact details, account and device ids …) cannot be kept. A pseudonym strategy is never used:
 * a keyed hash can be linked back by whoever holds the key, so it is pseudonymisation, not anonymisation.
 */
import {
  buildGraph,
  type Collection,
  type Dataset,
  type Field,
  type Graph,
  type NodeId,
  nodeId,
  primaryKey,
  type RuleCondition,
  traversalOrder,
} from '../fulfilment/dataset.ts';
import type { LiveSchema } from '../fulfilment/live-schema.ts';
import type { IsoDate } from '../deadlines/iso-date.ts';
import type { RetentionRule } from '../register/schema.ts';
import { expiredBefore } from './expiry.ts';

export type Overwrite =
  | { field: string; set: 'null' }
  | { field: string; set: 'value'; value: string | number | boolean }
  | { field: string; set: 'month' }
  /** The engine's keyed-hash pseudonym (masking only, never for anonymisation). */
  | { field: string; set: 'pseudonym'; path: string };

/** One step from a collection to a collection it is found through: `field` here equals `targetField` there. */
export type TriggerHop = { field: string; collection: string; targetField: string };
/**
 * `fallback`: a date column of the collection itself that the period runs from when the chain of
 * references finds no date (no row at its end, or only rows whose date is empty).
 */
export type TriggerPath = { hops: TriggerHop[]; collection: string; field: string; fallback?: string };

/** An identity field of the collection and the kind of identity it holds in the consent register. */
export type WithdrawalIdentity = { field: string; kind: 'email' | 'phone' };

/**
 * The rule's period after a withdrawal (afterWithdrawal): rows whose subject withdrew consent to (or objected
 * to) one of `purposes` before `withdrawnBefore` and has not granted it again are deleted, matched by
 * `identities` against the consent register.
 */
export type WithdrawalPlan = {
  after: string;
  withdrawnBefore: IsoDate;
  purposes: string[];
  identities: WithdrawalIdentity[];
};

/** A legal rule annotated on the collection, in annotation order (the first whose `when` matches applies). */
export type LegalTerm = {
  rule: string;
  when?: RuleCondition;
  /** Whether it keeps rows past the purpose rule: it is one of the purpose rule's exceptions. */
  keeps: boolean;
  triggerField: string;
  fyEnd: string;
  /** Rows whose legal trigger date is on or after this day are still within the legal period. */
  keepFrom: IsoDate;
};

/**
 * The rule of the rows whose period runs from the trigger's fallback (the references find no date: a
 * potential customer, with no customer relationship), when it is not the purpose rule itself.
 */
export type FallbackRulePlan = { rule: string; expiredBefore: IsoDate | null };

/**
 * A rule that ends some fields sooner than the rows (sensitive data): rows whose trigger is before the
 * cut-off get `overwrite` (null, or the field's fixed masking value); the row itself stays.
 */
export type FieldRulePlan = {
  rule: string;
  fields: string[];
  trigger: TriggerPath;
  expiredBefore: IsoDate | null;
  overwrite: Overwrite[];
};

export type PurposePlan = {
  rule: string;
  action: 'delete' | 'mask' | 'anonymise';
  trigger: TriggerPath;
  /** Rows whose trigger date is before this day have reached the end of the rule; null: none have. */
  expiredBefore: IsoDate | null;
  /** For mask and anonymise: each field overwritten and with what. */
  overwrite: Overwrite[];
  legal: LegalTerm[];
  withdrawal?: WithdrawalPlan;
  fallbackRule?: FallbackRulePlan;
};

/** Whether a purpose plan ends any rows on its day (under its rule or its fallback rule). */
export const endsRows = (p: PurposePlan | undefined): p is PurposePlan =>
  Boolean(p && (p.expiredBefore || p.fallbackRule?.expiredBefore));

export type CollectionPlan = {
  node: NodeId;
  dataset: string;
  system: string;
  collection: string;
  primaryKey: string[];
  erase: 'delete' | 'mask';
  /** What erasure by masking writes (erase: mask): the collection's masking strategies. */
  mask: Overwrite[];
  purpose?: PurposePlan;
  /** Rules that end some fields sooner than the rows (applied after the purpose rule). */
  fieldRules?: FieldRulePlan[];
  /** Collections of the same database whose `field` holds this collection's primary key. */
  children: { collection: string; field: string }[];
  markerFields: { restricted?: string; eraseOn?: string };
};

export type DatasetPlan = { dataset: string; system: string; collections: CollectionPlan[] };

export type PlanFinding = {
  severity: 'error' | 'warning';
  dataset: string;
  /** Path within the dataset, e.g. ['collections', 2, 'ombud', 'retention', 'purpose', 'rule']. */
  path: (string | number)[];
  /** "dataset.collection[.field]" for people. */
  where: string;
  message: string;
  hint?: string;
};

export type RetentionPlan = { today: IsoDate; datasets: DatasetPlan[]; findings: PlanFinding[] };

/** Data categories that name or reach a person directly: never kept by anonymisation. */
const DIRECT_IDENTIFIERS = [
  'user.name',
  'user.unique_id',
  'user.government_id',
  'user.account',
  'user.authorization',
  'user.device',
  'user.biometric',
  'user.contact.email',
  'user.contact.phone_number',
  'user.contact.fax_number',
  'user.contact.url',
  'user.contact.address.street',
  'user.contact.address.postal_code',
  'user.financial.bank_account',
  'user.financial.credit_card',
  'user.location.precise',
];
const isDirectIdentifier = (category: string) =>
  category === 'user.contact' ||
  category === 'user.contact.address' ||
  DIRECT_IDENTIFIERS.some((p) => category === p || category.startsWith(`${p}.`));

/**
 * A field that identifies a person directly other than by a pseudonym: a pseudonymised collection may hold
 * a `user.unique_id` (a customer number, also as identity and reference) but no name, e-mail address,
 * phone number, street address, account or other direct identifier.
 */
export function identifiesBeyondPseudonym(f: Field): boolean {
  const id = f.fides_meta?.identity;
  if (id && id !== 'customer_number') return true;
  return f.data_categories.some(
    (k) => isDirectIdentifier(k) && k !== 'user.unique_id' && !k.startsWith('user.unique_id.'),
  );
}

/** Fields that point at the person: identities, references, direct identifier categories. */
export function identifiesDirectly(f: Field): boolean {
  return Boolean(
    f.fides_meta?.identity || f.fides_meta?.references?.length || f.data_categories.some(isDirectIdentifier),
  );
}

/** What anonymisation writes: null (or the fixed masking value) everywhere except the key and kept fields. */
export function anonymiseOverwrites(collection: Collection): Overwrite[] {
  const out: Overwrite[] = [];
  for (const f of collection.fields) {
    if (f.fides_meta?.primary_key) continue;
    const a = f.ombud?.anonymise;
    if (a === 'keep' && !identifiesDirectly(f)) continue;
    if (a === 'month' && !identifiesDirectly(f)) {
      out.push({ field: f.name, set: 'month' });
      continue;
    }
    const m = f.ombud?.masking;
    if (m?.strategy === 'fixed' && m.value !== undefined)
      out.push({ field: f.name, set: 'value', value: m.value });
    else out.push({ field: f.name, set: 'null' });
  }
  return out;
}

/** What erasure by masking writes: the engine's choice of fields (personal data, not keys or references). */
export function maskOverwrites(dataset: string, collection: Collection): Overwrite[] {
  return collection.fields
    .filter(
      (f) =>
        !f.fides_meta?.primary_key &&
        !f.fides_meta?.references &&
        f.data_categories.some((k) => k.startsWith('user.')),
    )
    .map((f): Overwrite => {
      const m = f.ombud?.masking;
      if (m?.strategy === 'fixed') return { field: f.name, set: 'value', value: m.value ?? '' };
      if (m?.strategy === 'pseudonym')
        return { field: f.name, set: 'pseudonym', path: `${dataset}.${collection.name}.${f.name}` };
      return { field: f.name, set: 'null' };
    });
}

/** The fields holding an identity the consent register knows (e-mail, phone), in field order. */
export function withdrawalIdentities(collection: Collection): WithdrawalIdentity[] {
  const out: WithdrawalIdentity[] = [];
  for (const f of collection.fields) {
    const identity = f.fides_meta?.identity;
    if (identity === 'email') out.push({ field: f.name, kind: 'email' });
    else if (identity === 'phone_number') out.push({ field: f.name, kind: 'phone' });
  }
  return out;
}

/** The shortest chain of references from `from` up to `target` within one dataset. */
function pathTo(graph: Graph, from: NodeId, target: NodeId): TriggerHop[] | undefined {
  const dataset = graph.nodes.get(from)!.dataset.fides_key;
  const prev = new Map<NodeId, { via: TriggerHop; from: NodeId }>();
  const seen = new Set([from]);
  let frontier = [from];
  while (frontier.length) {
    const next: NodeId[] = [];
    for (const id of frontier)
      for (const e of graph.incoming.get(id) ?? []) {
        if (e.to !== id || seen.has(e.from) || graph.nodes.get(e.from)?.dataset.fides_key !== dataset)
          continue;
        seen.add(e.from);
        const collection = graph.nodes.get(e.from)!.collection.name;
        prev.set(e.from, { via: { field: e.field, collection, targetField: e.fromField }, from: id });
        next.push(e.from);
      }
    frontier = next;
  }
  if (!prev.has(target)) return target === from ? [] : undefined;
  const hops: TriggerHop[] = [];
  for (let at = target; at !== from; at = prev.get(at)!.from) hops.unshift(prev.get(at)!.via);
  return hops;
}

/**
 * The plan for `today`, or for validation only (any day). Findings locate each problem in its dataset;
 * collections with an error get no purpose rule in the plan (they are left alone, never half-enforced).
 */
export function planRetention(
  datasets: Dataset[],
  rules: RetentionRule[],
  today: IsoDate,
  opts: { live?: Map<string, LiveSchema> } = {},
): RetentionPlan {
  const byId = new Map(rules.map((r) => [r.id, r]));
  const graph = buildGraph(datasets);
  const findings: PlanFinding[] = [];
  const order = traversalOrder(graph);
  const childrenFirst = [...order.order].reverse();
  for (const id of [...order.unreachable, ...order.cycles])
    if (!childrenFirst.includes(id)) childrenFirst.push(id);

  const out: DatasetPlan[] = [];
  for (const d of datasets) {
    const collections: CollectionPlan[] = [];
    for (const id of childrenFirst) {
      const n = graph.nodes.get(id)!;
      if (n.dataset !== d) continue;
      const c = n.collection;
      const ci = d.collections.indexOf(c);
      const at = ['collections', ci, 'ombud', 'retention'];
      const where = `${d.fides_key}.${c.name}`;
      const problem = (
        severity: PlanFinding['severity'],
        path: (string | number)[],
        message: string,
        hint?: string,
        field?: string,
      ) =>
        findings.push({
          severity,
          dataset: d.fides_key,
          path,
          where: field ? `${where}.${field}` : where,
          message,
          hint,
        });
      const pk = primaryKey(c);
      const live = opts.live?.get(d.fides_key);
      const liveColumn = (table: string, column: string) =>
        live?.columns.find((x) => x.table === table && x.column === column);

      const children: CollectionPlan['children'] = [];
      if (pk.length === 1)
        for (const [childId, edges] of graph.incoming)
          for (const e of edges)
            if (
              e.from === id &&
              e.to === childId &&
              childId !== id &&
              e.fromField === pk[0] &&
              graph.nodes.get(childId)!.dataset === d
            )
              children.push({ collection: graph.nodes.get(childId)!.collection.name, field: e.field });

      // Anonymisation cannot keep what points at the person.
      c.fields.forEach((f, fi) => {
        if (f.ombud?.anonymise && identifiesDirectly(f))
          problem(
            'error',
            ['collections', ci, 'fields', fi, 'ombud', 'anonymise'],
            `Field '${f.name}' identifies a person directly (an identity, a reference or a category such as ${f.data_categories[0] ?? 'user.name'}), so anonymisation cannot ${f.ombud.anonymise === 'keep' ? 'keep' : 'generalise'} it.`,
            'Remove anonymise: here; the field is set to null when the rows are anonymised.',
            f.name,
          );
      });

      /**
       * The trigger: own column, or collection.column reached through references in this dataset, and
       * the fallback column of the collection itself; problems are reported under `path`.
       */
      const resolveTrigger = (
        triggerField: string,
        path: (string | number)[],
        fallbackField?: string,
      ): TriggerPath | undefined => {
        const [tc, tf] = triggerField.includes('.')
          ? (triggerField.split('.') as [string, string])
          : [c.name, triggerField];
        const target = d.collections.find((x) => x.name === tc);
        if (!target) {
          problem(
            'error',
            [...path, 'trigger_field'],
            `Collection '${tc}' is not in dataset '${d.fides_key}'.`,
            `Name a collection of this dataset: ${d.collections.map((x) => x.name).join(', ')}.`,
          );
          return undefined;
        }
        if (!target.fields.some((f) => f.name === tf)) {
          problem(
            'error',
            [...path, 'trigger_field'],
            `Column '${tf}' is not an annotated field of '${tc}'.`,
            `Annotate it under ${tc}'s fields, or use one of: ${target.fields.map((f) => f.name).join(', ')}.`,
          );
          return undefined;
        }
        const hops = pathTo(graph, id, nodeId(d.fides_key, tc));
        if (!hops) {
          problem(
            'error',
            [...path, 'trigger_field'],
            `'${c.name}' is not found through references from '${tc}', so '${triggerField}' cannot be its trigger.`,
            `Add fides_meta.references from ${c.name} to ${tc} (directly or through other collections), or use a column of ${c.name}.`,
          );
          return undefined;
        }
        let ok = true;
        if (fallbackField !== undefined) {
          const fi = c.fields.findIndex((f) => f.name === fallbackField);
          if (fi < 0) {
            ok = false;
            problem(
              'error',
              [...path, 'fallback_field'],
              `Column '${fallbackField}' is not an annotated field of '${c.name}'.`,
              `Use one of: ${c.fields.map((f) => f.name).join(', ')}.`,
            );
          } else if (hops.length === 0) {
            ok = false;
            problem(
              'error',
              [...path, 'fallback_field'],
              `fallback_field is for a trigger found through references; '${triggerField}' is a column of '${c.name}' itself.`,
              'Remove fallback_field, or point trigger_field at a collection this one is found through.',
            );
          } else {
            const col = liveColumn(c.name, fallbackField);
            if (col && !/date|time/i.test(col.dataType)) {
              ok = false;
              problem(
                'error',
                [...path, 'fallback_field'],
                `Column '${c.name}.${fallbackField}' is of type ${col.dataType}, not a date or time.`,
                'Point the fallback at a date or timestamp column.',
              );
            }
          }
        }
        const col = live ? liveColumn(tc, tf) : undefined;
        if (col && !/date|time/i.test(col.dataType))
          problem(
            'error',
            [...path, 'trigger_field'],
            `Column '${tc}.${tf}' is of type ${col.dataType}, not a date or time.`,
            'Point the trigger at a date or timestamp column.',
          );
        if (!ok) return undefined;
        return { hops, collection: tc, field: tf, ...(fallbackField ? { fallback: fallbackField } : {}) };
      };

      // A pseudonymised collection holds a pseudonym (user.unique_id) and no direct identifier besides it.
      if (c.ombud?.pseudonymised)
        c.fields.forEach((f, fi) => {
          if (identifiesBeyondPseudonym(f))
            problem(
              'error',
              ['collections', ci, 'fields', fi],
              `Field '${f.name}' identifies a person directly (${f.fides_meta?.identity ? `identity ${f.fides_meta.identity}` : (f.data_categories.find((k) => k.startsWith('user.')) ?? 'user.name')}), so '${c.name}' is not pseudonymised and cannot be kept under a rule for pseudonymised data.`,
              'Remove the field from the collection (keep only a pseudonym such as the customer number, category user.unique_id), or remove pseudonymised: true.',
              f.name,
            );
        });

      let purpose: PurposePlan | undefined;
      const pr = c.ombud?.purpose_retention;
      if (pr) {
        const rule = byId.get(pr.rule);
        let ok = true;
        if (!rule) {
          ok = false;
          problem(
            'error',
            [...at, 'purpose', 'rule'],
            `Unknown retention rule '${pr.rule}'.`,
            `Use the id of a rule under retentionRules: ${rules.map((r) => r.id).join(', ')}.`,
          );
        } else if (rule.action === 'pseudonymise') {
          ok = false;
          problem(
            'error',
            [...at, 'purpose', 'rule'],
            `Rule '${rule.id}' ends in pseudonymisation, which the retention sweep does not carry out.`,
            'Pseudonymise in the system itself, or give the rule action: anonymise or delete.',
          );
        }
        const trigger = resolveTrigger(pr.trigger_field, [...at, 'purpose'], pr.fallback_field);
        if (!trigger) ok = false;
        const hops = trigger?.hops;
        // The relationship: rows found through no customer (the fallback date) may have their own rule.
        let fallbackRule: FallbackRulePlan | undefined;
        if (pr.fallback_rule !== undefined && rule) {
          const fr = byId.get(pr.fallback_rule);
          const fp = [...at, 'purpose', 'fallback_rule'];
          if (!fr) {
            ok = false;
            problem(
              'error',
              fp,
              `Unknown retention rule '${pr.fallback_rule}'.`,
              `Use the id of a rule under retentionRules: ${rules.map((r) => r.id).join(', ')}.`,
            );
          } else if (pr.fallback_field === undefined) {
            ok = false;
            problem(
              'error',
              fp,
              'fallback_rule applies to the rows whose period runs from fallback_field, and there is none.',
              'Add fallback_field (a date column of this collection), or remove fallback_rule.',
            );
          } else if (fr.action !== rule.action || fr.kind === 'legal') {
            ok = false;
            problem(
              'error',
              fp,
              `Rule '${fr.id}' ends in ${fr.kind === 'legal' ? 'a legal period' : fr.action}, but '${rule.id}' in ${rule.action}: the rows of one collection end one way.`,
              `Give ${fr.id} action: ${rule.action}, or annotate another collection.`,
            );
          } else if ((fr.afterWithdrawal ?? '') !== (rule.afterWithdrawal ?? '')) {
            ok = false;
            problem(
              'error',
              fp,
              `Rule '${fr.id}' has afterWithdrawal ${fr.afterWithdrawal ?? '(none)'}, '${rule.id}' ${rule.afterWithdrawal ?? '(none)'}: a withdrawal ends every row of the collection alike.`,
              `Give both rules the same afterWithdrawal.`,
            );
          } else
            fallbackRule = {
              rule: fr.id,
              expiredBefore: expiredBefore(fr, today, c.ombud?.retention?.financial_year_end),
            };
        }
        // Pseudonymisation: a rule for pseudonymised data (kept longer) needs a pseudonymised collection.
        if (rule?.pseudonymised && !c.ombud?.pseudonymised) {
          ok = false;
          problem(
            'error',
            [...at, 'purpose', 'rule'],
            `Rule '${rule.id}' is for pseudonymised data, and '${c.name}' is not marked pseudonymised.`,
            `Mark the collection ombud: { pseudonymised: true } if its rows hold only a pseudonym (user.unique_id), or use the rule for identified data.`,
          );
        }
        if (ok && rule && hops) {
          const legal: LegalTerm[] = [];
          const r = c.ombud?.retention;
          for (const [k, lc] of (r?.rules ?? []).entries()) {
            const lr = byId.get(lc.rule);
            if (!lr) continue; // validate.ts reports unknown legal rules
            const keeps = rule.exceptions.includes(lr.id);
            if (!keeps && lr.kind === 'legal')
              problem(
                'warning',
                ['collections', ci, 'ombud', 'retention', 'rules', k, 'rule'],
                `Legal rule '${lr.id}' is not an exception of '${rule.id}', so it does not keep these rows when '${rule.id}' ends.`,
                `Add ${lr.id} to the exceptions of ${rule.id} in the register, or remove it here.`,
              );
            legal.push({
              rule: lr.id,
              ...(lc.when ? { when: lc.when } : {}),
              keeps,
              triggerField: r!.trigger_field,
              fyEnd: r!.financial_year_end,
              keepFrom: expiredBefore(lr, today, r!.financial_year_end) ?? '0001-01-01',
            });
          }
          const action =
            rule.action === 'anonymise'
              ? 'anonymise'
              : (c.ombud?.erase ?? 'delete') === 'mask'
                ? 'mask'
                : 'delete';
          const overwrite =
            action === 'anonymise'
              ? anonymiseOverwrites(c)
              : action === 'mask'
                ? maskOverwrites(d.fides_key, c)
                : [];
          if (live && action !== 'delete')
            for (const o of overwrite) {
              const col = liveColumn(c.name, o.field);
              if (col && !col.nullable && o.set === 'null')
                problem(
                  'error',
                  ['collections', ci, 'fields', c.fields.findIndex((f) => f.name === o.field)],
                  `Column '${o.field}' cannot be set to null, and '${rule.id}' ${action === 'anonymise' ? 'anonymises' : 'masks'} these rows.`,
                  action === 'anonymise'
                    ? 'Give the field ombud: { masking: { strategy: fixed, value: … } }, or anonymise: keep if it identifies nobody.'
                    : 'Give the field a fixed masking value.',
                  o.field,
                );
              if (col && o.set === 'month' && !/date|time/i.test(col.dataType))
                problem(
                  'error',
                  [
                    'collections',
                    ci,
                    'fields',
                    c.fields.findIndex((f) => f.name === o.field),
                    'ombud',
                    'anonymise',
                  ],
                  `Column '${o.field}' is of type ${col.dataType}; only a date or time can be cut to its month.`,
                  'Use anonymise: keep, or leave it to be set to null.',
                  o.field,
                );
            }
          let withdrawal: WithdrawalPlan | undefined;
          if (rule.afterWithdrawal) {
            const identities = withdrawalIdentities(c);
            const withdrawnBefore = expiredBefore(
              { duration: rule.afterWithdrawal, trigger: 'consent-withdrawn', roundTo: 'none' },
              today,
            );
            if (!identities.length || !c.ombud?.purposes?.length)
              problem(
                'warning',
                [...at, 'purpose', 'rule'],
                `Rule '${rule.id}' deletes data after a withdrawal, but '${c.name}' has no ${identities.length ? 'purposes' : 'e-mail or phone identity field'} to match the consent register with, so withdrawals do not reach it.`,
                identities.length
                  ? 'Annotate ombud: { purposes: [...] } with the purposes consent is given to.'
                  : 'Mark the e-mail or phone column with fides_meta: { identity: email | phone_number }.',
              );
            else if (withdrawnBefore)
              withdrawal = {
                after: rule.afterWithdrawal,
                withdrawnBefore,
                purposes: [...c.ombud.purposes],
                identities,
              };
          }
          purpose = {
            rule: rule.id,
            action,
            trigger: trigger!,
            ...(withdrawal ? { withdrawal } : {}),
            ...(fallbackRule ? { fallbackRule } : {}),
            expiredBefore: expiredBefore(rule, today, c.ombud?.retention?.financial_year_end),
            overwrite,
            legal,
          };
        }
      }
      // Rules that end some fields sooner than the rows (sensitive data).
      const fieldRules: FieldRulePlan[] = [];
      for (const [k, fa] of (c.ombud?.field_retention ?? []).entries()) {
        const fp = [...at, 'fields', k];
        const rule = byId.get(fa.rule);
        let ok = true;
        if (!rule) {
          ok = false;
          problem(
            'error',
            [...fp, 'rule'],
            `Unknown retention rule '${fa.rule}'.`,
            `Use the id of a rule under retentionRules: ${rules.map((r) => r.id).join(', ')}.`,
          );
        } else if (rule.kind === 'legal' || rule.action !== 'delete') {
          ok = false;
          problem(
            'error',
            [...fp, 'rule'],
            `Rule '${rule.id}' ${rule.kind === 'legal' ? 'is a legal rule' : `ends in ${rule.action}`}; a field rule erases fields, so its rule has action: delete.`,
            `Use a purpose rule with action: delete.`,
          );
        }
        const seen = new Set<string>();
        fa.fields.forEach((name, j) => {
          const f = c.fields.find((x) => x.name === name);
          const at2 = [...fp, 'fields', j];
          if (!f) {
            ok = false;
            problem(
              'error',
              at2,
              `Field '${name}' is not an annotated field of '${c.name}'.`,
              `Use one of: ${c.fields.map((x) => x.name).join(', ')}.`,
              name,
            );
          } else if (
            f.fides_meta?.primary_key ||
            f.fides_meta?.identity ||
            f.fides_meta?.references?.length
          ) {
            ok = false;
            problem(
              'error',
              at2,
              `Field '${name}' is ${f.fides_meta?.primary_key ? 'the primary key' : f.fides_meta?.identity ? `an identity (${f.fides_meta.identity})` : 'a reference'}: erasing it would leave a row that requests can no longer find or link.`,
              'End the whole row with the purpose rule instead, or name only the fields that hold the data itself.',
              name,
            );
          } else if (f.ombud?.anonymise) {
            ok = false;
            problem(
              'error',
              at2,
              `Field '${name}' is kept by anonymisation (anonymise: ${f.ombud.anonymise}), and '${fa.rule}' erases it sooner.`,
              'Remove anonymise: from the field, or leave it out of the field rule.',
              name,
            );
          } else if (seen.has(name)) {
            ok = false;
            problem('error', at2, `Field '${name}' is named twice.`, 'Name each field once.', name);
          } else {
            const col = liveColumn(c.name, name);
            const fixed = f.ombud?.masking?.strategy === 'fixed' && f.ombud.masking.value !== undefined;
            if (col && !col.nullable && !fixed) {
              ok = false;
              problem(
                'error',
                at2,
                `Column '${name}' cannot be set to null, and '${fa.rule}' erases it.`,
                'Give the field ombud: { masking: { strategy: fixed, value: … } }, or make the column nullable.',
                name,
              );
            }
          }
          seen.add(name);
        });
        const triggerField = fa.trigger_field ?? pr?.trigger_field;
        if (!triggerField) {
          ok = false;
          problem(
            'error',
            fp,
            `The field rule '${fa.rule}' has no trigger_field, and '${c.name}' has no purpose rule to take it from.`,
            'Give trigger_field: the column the period runs from.',
          );
          continue;
        }
        const trigger = resolveTrigger(triggerField, fp);
        if (!ok || !rule || !trigger) continue;
        const fe = expiredBefore(rule, today);
        // Meant to end sooner than the rows: say so when it does not (same trigger, cut-off no later).
        const pRule = pr ? byId.get(pr.rule) : undefined;
        const pe = pRule && pr!.trigger_field === triggerField ? expiredBefore(pRule, today) : undefined;
        if (pe && (!fe || fe <= pe))
          problem(
            'warning',
            [...fp, 'rule'],
            `Rule '${rule.id}' does not end these fields before '${pRule!.id}' ends the rows.`,
            `Give ${rule.id} a shorter duration than ${pRule!.id}, or remove the field rule.`,
          );
        fieldRules.push({
          rule: rule.id,
          fields: [...fa.fields],
          trigger,
          expiredBefore: fe,
          overwrite: fa.fields.map((name): Overwrite => {
            const m = c.fields.find((x) => x.name === name)!.ombud?.masking;
            return m?.strategy === 'fixed' && m.value !== undefined
              ? { field: name, set: 'value', value: m.value }
              : { field: name, set: 'null' };
          }),
        });
      }
      collections.push({
        node: id,
        dataset: d.fides_key,
        system: d.ombud.system,
        collection: c.name,
        primaryKey: pk,
        erase: c.ombud?.erase ?? 'delete',
        mask: maskOverwrites(d.fides_key, c),
        ...(purpose ? { purpose } : {}),
        ...(fieldRules.length ? { fieldRules } : {}),
        children,
        markerFields: {
          ...(c.ombud?.retention?.restricted_field ? { restricted: c.ombud.retention.restricted_field } : {}),
          ...(c.ombud?.retention?.erase_on_field ? { eraseOn: c.ombud.retention.erase_on_field } : {}),
        },
      });
    }
    out.push({ dataset: d.fides_key, system: d.ombud.system, collections });
  }
  return { today, datasets: out, findings };
}
