/**
 * Checks dataset annotations before any request runs: against themselves (primary keys, references to
 * known collections, reachability from an identity, cycles), against the live database (unknown tables or
 * columns) and against the register (unknown systems, unknown data categories, retention rules that are
 * not legal rules, and the retention annotations of src/core/retention/plan.ts). Pure: the live schema and the
 * register are passed in.
 */
import type { Register } from '../register/schema.ts';
import { conditionValues } from './dataset.ts';
import { planRetention } from '../retention/plan.ts';
import { isDataCategory, replacementFor } from '../taxonomy/fideslang.ts';
import {
  buildGraph,
  type Dataset,
  type DatasetFinding,
  nodeId,
  primaryKey,
  traversalOrder,
} from './dataset.ts';
import type { LiveSchema } from './live-schema.ts';

export function validateDatasets(
  datasets: Dataset[],
  opts: { live?: Map<string, LiveSchema>; register?: Register } = {},
): DatasetFinding[] {
  const out: DatasetFinding[] = [];
  const keys = new Set(datasets.map((d) => d.fides_key));
  const collections = new Set(datasets.flatMap((d) => d.collections.map((c) => nodeId(d.fides_key, c.name))));
  const fieldsOf = new Map(
    datasets.flatMap((d) =>
      d.collections.map((c) => [nodeId(d.fides_key, c.name), new Set(c.fields.map((f) => f.name))] as const),
    ),
  );
  const registerCategories = new Set(opts.register?.dataCategories.map((c) => c.key) ?? []);
  for (const d of datasets) {
    if (opts.register && !opts.register.systems.some((s) => s.id === d.ombud.system))
      out.push({
        severity: 'error',
        path: `${d.fides_key}.ombud.system`,
        message: `System '${d.ombud.system}' is not in the register.`,
        hint: `Use the id of a system in the register: ${opts.register.systems.map((s) => s.id).join(', ')}.`,
      });
    const live = opts.live?.get(d.fides_key);
    for (const c of d.collections) {
      const at = `${d.fides_key}.${c.name}`;
      if (primaryKey(c).length === 0)
        out.push({
          severity: 'error',
          path: at,
          message: `Collection '${c.name}' has no primary key.`,
          hint: 'Mark its key field with fides_meta: { primary_key: true }; erasure works on keys.',
        });
      if (live && !live.tables.includes(c.name))
        out.push({
          severity: 'error',
          path: at,
          message: `Table '${c.name}' does not exist in the live database.`,
          hint: `Known tables: ${live.tables.join(', ')}.`,
        });
      for (const f of c.fields) {
        const fat = `${at}.${f.name}`;
        if (
          live?.tables.includes(c.name) &&
          !live.columns.some((x) => x.table === c.name && x.column === f.name)
        )
          out.push({
            severity: 'error',
            path: fat,
            message: `Column '${f.name}' does not exist in table '${c.name}'.`,
            hint: 'Remove the field or correct its name.',
          });
        for (const cat of f.data_categories)
          if (!isDataCategory(cat) && !registerCategories.has(cat)) {
            const repl = replacementFor(cat);
            out.push({
              severity: 'error',
              path: fat,
              message: `Unknown data category '${cat}'.`,
              hint: repl
                ? `Fideslang renamed it: use '${repl}'.`
                : 'Use a fideslang key such as user.contact.email.',
            });
          }
        for (const ref of f.fides_meta?.references ?? []) {
          const [rc, rf] = ref.field.split('.') as [string, string];
          const target = nodeId(ref.dataset, rc);
          if (!keys.has(ref.dataset) || !collections.has(target) || !fieldsOf.get(target)?.has(rf))
            out.push({
              severity: 'error',
              path: fat,
              message: `Reference to unknown field '${ref.dataset}.${ref.field}'.`,
              hint: 'Point references at an annotated field of an annotated collection.',
            });
        }
        const m = f.ombud?.masking;
        if (m?.strategy === 'fixed' && m.value === undefined)
          out.push({
            severity: 'error',
            path: fat,
            message: 'Masking strategy fixed needs a value.',
            hint: 'Add value: ….',
          });
        if (live && !m && c.ombud?.erase === 'mask' && f.data_categories.some((k) => k.startsWith('user.'))) {
          const col = live.columns.find((x) => x.table === c.name && x.column === f.name);
          if (col && !col.nullable && !f.fides_meta?.primary_key && !f.fides_meta?.references)
            out.push({
              severity: 'error',
              path: fat,
              message: `Column '${f.name}' cannot be set to null, and no masking strategy is given.`,
              hint: 'Give ombud: { masking: { strategy: pseudonym } } or a fixed value.',
            });
        }
      }
      const ctl = c.ombud?.controller;
      if (ctl) {
        const field = c.fields.find((f) => f.name === (ctl.field ?? ctl.follow));
        if (!field)
          out.push({
            severity: 'error',
            path: `${at}.ombud.controller`,
            message: `The controller field '${ctl.field ?? ctl.follow}' is not a field of '${c.name}'.`,
            hint: 'Name an annotated field of the collection.',
          });
        else if (ctl.follow && !field.fides_meta?.references?.length)
          out.push({
            severity: 'error',
            path: `${at}.ombud.controller`,
            message: `'${ctl.follow}' has no reference to follow.`,
            hint: 'follow names a field with fides_meta.references; use field for a column holding the organization id.',
          });
        const orgs = new Set(opts.register?.organizations.map((o) => o.id) ?? []);
        for (const orgId of Object.values(ctl.values ?? {}))
          if (opts.register && !orgs.has(orgId))
            out.push({
              severity: 'error',
              path: `${at}.ombud.controller.values`,
              message: `'${orgId}' is not an organization of the register.`,
              hint: `Map values to organization ids: ${[...orgs].join(', ')}.`,
            });
      }
      for (const r of c.ombud?.retention?.rules ?? []) {
        if (!opts.register) continue;
        const rule = opts.register.retentionRules.find((x) => x.id === r.rule);
        if (rule?.kind !== 'legal')
          out.push({
            severity: 'error',
            path: `${at}.ombud.retention`,
            message: rule
              ? `Retention rule '${r.rule}' is not a legal rule.`
              : `Unknown retention rule '${r.rule}'.`,
            hint: `Only rules of kind legal keep data from erasure: ${opts.register.retentionRules
              .filter((x) => x.kind === 'legal')
              .map((x) => x.id)
              .join(', ')}.`,
          });
      }
    }
  }
  if (opts.register) out.push(...legalRulesCoverControllers(datasets, opts.register));
  // The retention annotations (purpose rules, triggers, anonymisation), see src/core/retention/plan.ts.
  if (opts.register)
    for (const f of planRetention(datasets, opts.register.retentionRules, '2000-01-01', { live: opts.live })
      .findings) {
      const suffix = f.path.includes('purpose')
        ? '.ombud.retention.purpose'
        : f.path.includes('anonymise')
          ? '.ombud.anonymise'
          : f.path.includes('retention')
            ? '.ombud.retention'
            : '';
      out.push({
        severity: f.severity,
        path: `${f.where}${suffix}`,
        message: f.message,
        ...(f.hint ? { hint: f.hint } : {}),
      });
    }
  const graph = buildGraph(datasets);
  const tr = traversalOrder(graph);
  for (const id of tr.unreachable)
    out.push({
      severity: 'error',
      path: id,
      message: `Collection '${id}' cannot be reached from any identity (e-mail, phone, customer number).`,
      hint: 'Add an identity field or a reference to a reachable collection.',
    });
  for (const id of tr.cycles)
    out.push({
      severity: 'error',
      path: id,
      message: `Collection '${id}' is in a reference cycle.`,
      hint: 'Remove one reference of the cycle.',
    });
  return out;
}

/**
 * Rows a law requires a company to keep must meet a legal rule. For a collection serving a purpose whose
 * retention rule is legal (bookkeeping), every controller of that purpose must find its rows covered by a
 * legal rule of the collection's annotation that applies in its country: otherwise erasure and retention
 * would delete, say, a Swedish company's invoices that the Bookkeeping Act keeps for seven years.
 */
function legalRulesCoverControllers(datasets: Dataset[], register: Register): DatasetFinding[] {
  const out: DatasetFinding[] = [];
  const rules = new Map(register.retentionRules.map((r) => [r.id, r]));
  const orgs = new Map(register.organizations.map((o) => [o.id, o]));
  for (const d of datasets)
    for (const c of d.collections) {
      const annotated = c.ombud?.retention?.rules ?? [];
      const ctl = c.ombud?.controller;
      // The column values that stand for a company in the controller field.
      const valuesOf = (orgId: string) =>
        ctl?.values ? Object.keys(ctl.values).filter((v) => ctl.values![v] === orgId) : [orgId];
      for (const purposeId of c.ombud?.purposes ?? []) {
        const purpose = register.purposes.find((p) => p.id === purposeId);
        const required = purpose?.retention ? rules.get(purpose.retention) : undefined;
        if (!purpose || required?.kind !== 'legal') continue;
        for (const orgId of purpose.controllers) {
          const country = orgs.get(orgId)?.country;
          const covering = annotated.find(
            (r) =>
              !r.when ||
              (r.when.field === ctl?.field &&
                conditionValues(r.when).some((v) => valuesOf(orgId).includes(v))),
          );
          const rule = covering ? rules.get(covering.rule) : undefined;
          if (rule?.kind === 'legal' && (!rule.country || rule.country === country)) continue;
          out.push({
            severity: 'error',
            path: `${d.fides_key}.${c.name}.ombud.retention.rules`,
            message: rule
              ? `Rows of '${orgId}' (${country}) in '${c.name}' fall under '${rule.id}', a rule of ${rule.country}: purpose '${purposeId}' keeps them under '${required.id}'.`
              : `Rows of '${orgId}' in '${c.name}' meet no legal rule, so they would be erased although purpose '${purposeId}' keeps them under '${required.id}'.`,
            hint: ctl?.field
              ? `Add '${orgId}' to a rule that applies in ${country}, e.g. - { rule: ${required.id}, when: { field: ${ctl.field}, in: [${valuesOf(orgId).join(', ')}, …] } }.`
              : `Add - { rule: ${required.id} } to ombud.retention.rules.`,
          });
        }
      }
    }
  return out;
}
