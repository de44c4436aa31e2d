/**
 * Dataset annotations: what the group's own databases hold, in a YAML format close to the Fides dataset
 * format (dataset → collections → fields with data_categories and fides_meta: identity, primary_key,
 * references, data_type), so existing Fides maps import unchanged. Ombud's additions sit under `ombud:` keys:
 * the register system, how a collection is erased, each field's masking strategy, whether the subject
 * provided the field, and the legal retention rules (by register id, never free text) that keep rows.
 * Pure: no I/O.
 */
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

export const IDENTITY_KINDS = ['email', 'phone_number', 'customer_number'] as const;
export type IdentityKind = (typeof IDENTITY_KINDS)[number];
export type Identities = Partial<Record<IdentityKind, string>>;

export const MASKING_STRATEGIES = ['null', 'fixed', 'pseudonym'] as const;
export const ANONYMISE_TREATMENTS = ['keep', 'month'] as const;

const name = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'Use a SQL name: letters, digits and underscores.');

const reference = z.object({
  dataset: z.string().min(1),
  field: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$/, 'Write "collection.field".'),
  direction: z.enum(['from', 'to']).default('from'),
});

/**
 * Fides' field metadata: `fides_meta` (Fides 2) or, as older Fides and fidesops write it, `fidesops_meta`;
 * the same keys (Ombud reads identity, primary_key, data_type and references; length and the rest are
 * left out).
 */
const fidesFieldMeta = z.object({
  identity: z.enum(IDENTITY_KINDS).optional(),
  primary_key: z.boolean().optional(),
  data_type: z.string().optional(),
  references: z.array(reference).optional(),
});

/** A label per language, for the customer's extract and mails ("Order total", "Ordersumma", "Ordresum"). */
export const labelSchema = z
  .object({ en: z.string().min(1), sv: z.string().min(1).optional(), nb: z.string().min(1).optional() })
  .describe('What the customer reads: English (required), Swedish and Norwegian.');
export type Label = z.infer<typeof labelSchema>;

/**
 * How a field's value is shown to the customer: `money_cents` (an amount in minor units, with `currency` or
 * the controller's), `date` (a calendar day), `timestamp` (a moment, in the customer's time zone), `country`
 * (an ISO 3166 code, as the country's name), `boolean` (yes/no), `number`, `list`, `text`. Without it the
 * value's own type decides.
 */
export const FIELD_FORMATS = [
  'text',
  'number',
  'money_cents',
  'date',
  'timestamp',
  'country',
  'boolean',
  'list',
] as const;
export type FieldFormat = (typeof FIELD_FORMATS)[number];

const fieldObject = z.object({
  name,
  description: z.string().optional(),
  data_categories: z.array(z.string()).default([]),
  fides_meta: fidesFieldMeta.optional(),
  fidesops_meta: fidesFieldMeta.optional(),
  ombud: z
    .object({
      masking: z
        .object({ strategy: z.enum(MASKING_STRATEGIES), value: z.union([z.string(), z.number()]).optional() })
        .optional(),
      provided_by_subject: z.boolean().optional(),
      purposes: z.array(z.string()).optional(),
      /**
       * What an anonymising retention rule leaves of this field (docs/architecture/retention.md): `keep`
       * (a statistical attribute, e.g. a score) or `month` (a date cut to the first day of its month).
       * Unmarked fields are set to null (or their masking `fixed` value).
       */
      anonymise: z.enum(ANONYMISE_TREATMENTS).optional(),
      /** What the customer reads for this field in the extract; a field of only `system.*` categories without one is left out of the readable extract. */
      label: labelSchema.optional(),
      format: z.enum(FIELD_FORMATS).optional(),
      currency: z
        .string()
        .regex(/^[A-Z]{3}$/, 'Use an ISO 4217 currency code, e.g. "SEK".')
        .optional()
        .describe("money_cents: the amount's currency (default: that of the controller's country)."),
    })
    .optional(),
});

/** A field: `fidesops_meta` is imported as `fides_meta` (where both give a key, `fides_meta`'s wins). */
export const fieldSchema = fieldObject.transform(({ fidesops_meta, ...f }) =>
  fidesops_meta ? { ...f, fides_meta: { ...fidesops_meta, ...f.fides_meta } } : f,
);

/** Which rows a legal rule of a collection covers: those whose `field` equals a value (`equals`) or one of several (`in`). */
const ruleCondition = z
  .object({ field: name, equals: z.string().optional(), in: z.array(z.string()).min(1).optional() })
  .refine((w) => (w.equals === undefined) !== (w.in === undefined), {
    message: 'Give either equals: (one value) or in: (a list of values).',
  });
export type RuleCondition = z.infer<typeof ruleCondition>;

/** The values a rule condition matches. */
export const conditionValues = (w: RuleCondition): string[] => w.in ?? [w.equals!];

const retentionCase = z.object({
  rule: z.string().min(1).describe('Id of a retention rule of kind legal in the register.'),
  when: ruleCondition.optional(),
});

/**
 * Which controller (organization of the register) a row of a shared system belongs to, for locating a data
 * subject per company: the column holding the organization id (`field`), the same with a map from the
 * column's values to organization ids (`field` + `values`), or the controller of the row a reference field
 * points at (`follow`). Rows without it belong to the controllers of the collection's purposes (a joint
 * purpose: its arrangement).
 */
export const controllerSchema = z
  .object({
    field: name.optional(),
    values: z.record(z.string(), z.string().min(1)).optional(),
    follow: name.optional(),
  })
  .refine((c) => Boolean(c.field) !== Boolean(c.follow), {
    message: 'Give either field (the column naming the controller) or follow (a reference field).',
  })
  .refine((c) => !c.values || Boolean(c.field), { message: 'values maps the values of field.' });
/** A column of this collection ("placed_at") or of a collection it is found through ("customers.last_activity_at"). */
const triggerPath = z
  .string()
  .regex(
    /^([A-Za-z_][A-Za-z0-9_]*\.)?[A-Za-z_][A-Za-z0-9_]*$/,
    'Write a column of this collection ("placed_at") or "collection.column" of a collection it references in this dataset ("customers.last_activity_at").',
  );

/**
 * The register rule that ends these rows (`ombud retention run` enforces it): usually a purpose rule; the
 * trigger is the date its period runs from, in this collection or in one it is found through.
 */
export const purposeRetentionSchema = z.object({
  rule: z.string().min(1).describe('Id of the register retention rule that ends these rows.'),
  trigger_field: triggerPath.describe('The column the period runs from.'),
  fallback_field: name
    .optional()
    .describe(
      "A date column of this collection the period runs from when trigger_field (through references) finds no date, e.g. a sign-up's own signed_up_at when no customer has its e-mail address.",
    ),
  fallback_rule: z
    .string()
    .min(1)
    .optional()
    .describe(
      'The register rule for the rows whose period runs from fallback_field (no date through the references: a potential customer, who has no customer relationship), when it differs from rule.',
    ),
});

/**
 * A rule that ends some fields of the rows sooner than the rows themselves (the notice's "sensitive data
 * shorter"): when it has ended, the fields are set to null (or their masking `fixed` value) and the row
 * stays under the collection's purpose rule.
 */
export const fieldRetentionSchema = z.object({
  rule: z.string().min(1).describe('Id of the register retention rule that ends these fields.'),
  fields: z.array(name).min(1).describe('The fields it erases (columns of this collection).'),
  trigger_field: triggerPath
    .optional()
    .describe("The column the period runs from; by default the purpose rule's trigger_field."),
});
export type FieldRetention = z.infer<typeof fieldRetentionSchema>;

/**
 * `ombud.retention` as written: `purpose` (the rule that ends the rows) and/or the legal rules that keep
 * rows (`rules` with `trigger_field`, `financial_year_end`, `restricted_field`, `erase_on_field`).
 */
const retentionAnnotation = z
  .object({
    purpose: purposeRetentionSchema.optional(),
    fields: z.array(fieldRetentionSchema).min(1).optional(),
    rules: z.array(retentionCase).min(1).optional(),
    trigger_field: name
      .optional()
      .describe('The date the financial year is counted from (e.g. invoice_date); with rules.'),
    financial_year_end: z
      .string()
      .regex(/^\d{2}-\d{2}$/)
      .default('12-31'),
    restricted_field: name.optional(),
    erase_on_field: name.optional().describe('Where the kept row gets the first day it may be erased.'),
  })
  .superRefine((r, ctx) => {
    if (!r.purpose && !r.rules && !r.fields)
      ctx.addIssue({
        code: 'custom',
        message:
          'Give purpose: (the rule that ends these rows), fields: (rules that end some fields sooner) or rules: (the legal rules that keep them).',
      });
    if (r.rules && !r.trigger_field)
      ctx.addIssue({
        code: 'custom',
        path: ['trigger_field'],
        message:
          'Legal rules need trigger_field: the date the financial year is counted from (e.g. invoice_date).',
      });
    if (!r.rules)
      for (const k of ['trigger_field', 'restricted_field', 'erase_on_field'] as const)
        if (r[k])
          ctx.addIssue({
            code: 'custom',
            path: [k],
            message: `${k} belongs to the legal rules (rules:); the purpose rule takes its own purpose.trigger_field.`,
          });
  });

/** The legal part of `ombud.retention` as parsed: present only when legal rules are annotated. */
export type LegalRetention = {
  rules: z.infer<typeof retentionCase>[];
  trigger_field: string;
  financial_year_end: string;
  restricted_field?: string;
  erase_on_field?: string;
};
export type PurposeRetention = z.infer<typeof purposeRetentionSchema>;

type CollectionOmbud = {
  erase: 'delete' | 'mask';
  /** Legal rules that keep rows (bookkeeping): erasure restricts them and gives them their erase_on day. */
  retention?: LegalRetention;
  /** The rule that ends the rows, enforced by the retention sweep (src/services/retention). */
  purpose_retention?: PurposeRetention;
  /** Rules that end some fields sooner than the rows (sensitive data), enforced by the same sweep. */
  field_retention?: FieldRetention[];
  /**
   * The rows hold no direct identifier but a pseudonym (a `user.unique_id` such as a customer number):
   * only such collections may be under a register rule for pseudonymised data (`pseudonymised: true`).
   */
  pseudonymised?: boolean;
  purposes?: string[];
  controller?: z.infer<typeof controllerSchema>;
  /** What the customer reads for these rows: a plural with "your" ("Your orders", "Dina beställningar"). */
  label?: Label;
};

export const collectionSchema = z.object({
  name,
  description: z.string().optional(),
  fields: z.array(fieldSchema).min(1),
  ombud: z
    .object({
      erase: z.enum(['delete', 'mask']).default('delete'),
      retention: retentionAnnotation.optional(),
      pseudonymised: z.boolean().optional(),
      purposes: z.array(z.string()).optional(),
      controller: controllerSchema.optional(),
      label: labelSchema.optional(),
    })
    // The parsed form keeps `retention` for the legal rules only (the engine treats a collection with
    // `retention` as kept under a legal rule) and moves the purpose rule to `purpose_retention`.
    .transform(({ retention, ...rest }): CollectionOmbud => {
      const out: CollectionOmbud = { ...rest };
      if (retention?.rules && retention.trigger_field) {
        const { purpose: _p, rules, trigger_field, ...legal } = retention;
        out.retention = { rules, trigger_field, ...legal };
      }
      if (retention?.purpose) out.purpose_retention = retention.purpose;
      if (retention?.fields) out.field_retention = retention.fields;
      return out;
    })
    .optional(),
});

export const datasetSchema = z.object({
  fides_key: z.string().regex(/^[a-z0-9_]+$/, 'Use lower-case letters, digits and underscores.'),
  name: z.string().optional(),
  description: z.string().optional(),
  // A Fides dataset has no `ombud:` block: it must name the register system that holds it.
  ombud: z.object(
    {
      system: z.string().min(1),
      dialect: z.enum(['postgres', 'mysql']).optional(),
      /** The system as the customer reads it in the extract ("Our web shop"); default the register's name. */
      label: labelSchema.optional(),
    },
    {
      error: (iss) =>
        iss.input === undefined
          ? 'The dataset names no register system. Add ombud: { system: <the id of a system in the register> }.'
          : undefined,
    },
  ),
  collections: z.array(collectionSchema).min(1),
});

export const datasetFileSchema = z.object({ dataset: z.array(datasetSchema).min(1) });

export type Dataset = z.infer<typeof datasetSchema>;
export type Collection = z.infer<typeof collectionSchema>;
export type Field = z.infer<typeof fieldSchema>;

export function parseDatasetYaml(text: string): Dataset[] {
  return datasetFileSchema.parse(parseYaml(text)).dataset;
}

/** A collection within its dataset: "dataset.collection". */
export type NodeId = string;
export const nodeId = (dataset: string, collection: string): NodeId => `${dataset}.${collection}`;

/** Collection C is found through field `field` using the values of `from` (dataset.collection.field). */
export type Edge = { to: NodeId; field: string; from: NodeId; fromField: string };

export type Graph = {
  nodes: Map<NodeId, { dataset: Dataset; collection: Collection }>;
  /** Edges into each node. */
  incoming: Map<NodeId, Edge[]>;
  /** Identity fields of each node. */
  identities: Map<NodeId, { field: string; kind: IdentityKind }[]>;
};

export function buildGraph(datasets: Dataset[]): Graph {
  const nodes: Graph['nodes'] = new Map();
  const incoming: Graph['incoming'] = new Map();
  const identities: Graph['identities'] = new Map();
  for (const dataset of datasets)
    for (const collection of dataset.collections) {
      const id = nodeId(dataset.fides_key, collection.name);
      nodes.set(id, { dataset, collection });
      incoming.set(id, incoming.get(id) ?? []);
      identities.set(
        id,
        collection.fields
          .filter((f) => f.fides_meta?.identity)
          .map((f) => ({ field: f.name, kind: f.fides_meta!.identity! })),
      );
    }
  for (const dataset of datasets)
    for (const collection of dataset.collections)
      for (const field of collection.fields)
        for (const ref of field.fides_meta?.references ?? []) {
          const [refCollection, refField] = ref.field.split('.') as [string, string];
          const here = nodeId(dataset.fides_key, collection.name);
          const there = nodeId(ref.dataset, refCollection);
          const edge: Edge =
            ref.direction === 'from'
              ? { to: here, field: field.name, from: there, fromField: refField }
              : { to: there, field: refField, from: here, fromField: field.name };
          if (!incoming.has(edge.to)) incoming.set(edge.to, []);
          incoming.get(edge.to)!.push(edge);
        }
  return { nodes, incoming, identities };
}

export type Traversal = {
  /** Reachable collections, each after every reachable collection it is found through. */
  order: NodeId[];
  unreachable: NodeId[];
  /** Collections in a reference cycle (the traversal refuses them). */
  cycles: NodeId[];
};

/**
 * The order in which to visit collections starting from the identities given: a collection is reachable
 * when it has one of those identity fields or a reference from a reachable collection; it is visited after
 * every reachable collection it references, so each query has all its input values (Kahn's algorithm).
 */
export function traversalOrder(graph: Graph, given: IdentityKind[] = [...IDENTITY_KINDS]): Traversal {
  const reachable = new Set<NodeId>();
  for (const [id, ids] of graph.identities) if (ids.some((i) => given.includes(i.kind))) reachable.add(id);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [id, edges] of graph.incoming)
      if (!reachable.has(id) && edges.some((e) => reachable.has(e.from))) {
        reachable.add(id);
        grew = true;
      }
  }
  const deps = new Map<NodeId, Set<NodeId>>();
  for (const id of reachable)
    deps.set(
      id,
      new Set(
        (graph.incoming.get(id) ?? [])
          .filter((e) => reachable.has(e.from) && e.from !== id)
          .map((e) => e.from),
      ),
    );
  const order: NodeId[] = [];
  const done = new Set<NodeId>();
  const sorted = [...reachable].sort();
  let progress = true;
  while (progress) {
    progress = false;
    for (const id of sorted) {
      if (done.has(id)) continue;
      if ([...deps.get(id)!].every((d) => done.has(d))) {
        order.push(id);
        done.add(id);
        progress = true;
      }
    }
  }
  const cycles = sorted.filter((id) => !done.has(id));
  const unreachable = [...graph.nodes.keys()].filter((id) => !reachable.has(id)).sort();
  return { order, unreachable, cycles };
}

export function primaryKey(c: Collection): string[] {
  return c.fields.filter((f) => f.fides_meta?.primary_key).map((f) => f.name);
}

export type DatasetFinding = { severity: 'error' | 'warning'; path: string; message: string; hint?: string };
