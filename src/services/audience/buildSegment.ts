/**
 * Build an audience segment (issue #14, P44): the people of its selection in the group's own database,
 * through the annotated dataset (the company's rows by the dataset's `ombud.controller`, account holders
 * only when the segment says so, with activity in the period), minus everyone the consent rules refuse for
 * its purpose (an objection to direct marketing or to the purpose, a restriction in Ombud or in the system,
 * no consent where the purpose rests on consent), hashed by the network's rule. Erased customers are not in
 * the system any more, so not in the selection. Plain identifiers stay in this process: only the hashes
 * come out.
 */
import { CURRENT_RULE, type HashField, type HashRule, hashIdentifier } from '../../core/audience/hashing.ts';
import type { Collection, Dataset, Field } from '../../core/fulfilment/dataset.ts';
import { MARKER_TABLE } from '../../core/fulfilment/own-tables.ts';
import { conflict } from '../../core/errors.ts';
import type { RegisterIndex } from '../../core/register/register-index.ts';
import type { Audience } from '../../core/register/schema.ts';
import { parseIsoDuration } from '../../core/retention/retention.ts';
import { type Sql, sql } from '../../storage/sql.ts';
import type { Db } from '../../storage/db.ts';
import type { SubjectSystems } from '../../workers.ts';
import { bulkFilter } from '../consent/checkContact.ts';
import type { ConsentKeys } from '../consent/keys.ts';
import { select } from '../fulfilment/connectors/run.ts';

export type SegmentBuild = {
  rule: HashRule;
  /** Rows of the selection (before the consent rules). */
  candidates: number;
  /** The members' hashes per field, deduplicated and sorted. */
  hashes: Partial<Record<HashField, string[]>>;
  /** Members whose identifier could not be normalised by the rule (counted, never sent). */
  skipped: number;
  /** Candidates left out, per reason. */
  excluded: Record<string, number>;
};

const notReady = (segment: Audience, what: string) =>
  conflict(
    'audience-selection',
    `The segment '${segment.id}' cannot be built: ${what}.`,
    'Check its selection against the dataset annotations (ombud dataset validate).',
  );

const identityField = (c: Collection, kind: string): Field | undefined =>
  c.fields.find((f) => f.fides_meta?.identity === kind);

/** The field of `from` that refers to `to`'s primary key in the same dataset. */
function referenceTo(d: Dataset, from: Collection, to: Collection, pk: string): string | undefined {
  return from.fields.find((f) =>
    f.fides_meta?.references?.some((r) => r.dataset === d.fides_key && r.field === `${to.name}.${pk}`),
  )?.name;
}

/** The moment `within` before `now` (years and months as calendar months, weeks and days as days). */
export function since(now: Date, within: string): Date {
  const d = parseIsoDuration(within);
  const t = new Date(now.getTime());
  t.setUTCMonth(t.getUTCMonth() - (d.years * 12 + d.months));
  t.setUTCDate(t.getUTCDate() - (d.weeks * 7 + d.days));
  return t;
}

export async function buildSegment(
  deps: { db: Db; keys: ConsentKeys; index: RegisterIndex },
  systems: SubjectSystems,
  segment: Audience,
  now: Date,
): Promise<SegmentBuild> {
  const sel = segment.selection;
  const dataset = systems.datasets.find((d) => d.fides_key === sel.dataset);
  const connector = systems.connectors.get(sel.dataset);
  if (!dataset || !connector) throw notReady(segment, `the dataset '${sel.dataset}' is not connected`);
  const people = dataset.collections.find((c) => c.name === sel.collection);
  if (!people) throw notReady(segment, `no collection '${sel.collection}'`);
  const pk = people.fields.find((f) => f.fides_meta?.primary_key)?.name;
  const email = identityField(people, 'email')?.name;
  const phone = identityField(people, 'phone_number')?.name;
  if (!pk || !email) throw notReady(segment, `'${sel.collection}' has no primary key or no e-mail identity`);

  const where: Sql[] = [];
  const ctl = people.ombud?.controller;
  if (ctl?.field) {
    const values = ctl.values
      ? Object.entries(ctl.values)
          .filter(([, org]) => org === segment.controller)
          .map(([v]) => v)
      : [segment.controller];
    if (values.length === 0)
      throw notReady(segment, `no row of '${sel.collection}' is '${segment.controller}''s`);
    where.push(sql`p.${sql.id(ctl.field)} IN (${sql.join(values.map((v) => sql`${v}`))})`);
  }
  const exists = (name: string, extra?: (alias: Sql) => Sql) => {
    const c = dataset.collections.find((x) => x.name === name);
    const ref = c && referenceTo(dataset, c, people, pk);
    if (!c || !ref) throw notReady(segment, `'${name}' does not refer to '${sel.collection}'`);
    const a = sql.raw('x');
    return sql`EXISTS (SELECT 1 FROM ${sql.id(c.name)} x WHERE x.${sql.id(ref)} = p.${sql.id(pk)}${extra ? sql` AND ${extra(a)}` : sql``})`;
  };
  if (segment.accountHoldersOnly || sel.accountHolders) {
    if (!sel.accountHolders) throw notReady(segment, 'account holders only, but no accounts collection');
    where.push(exists(sel.accountHolders));
  }
  if (sel.activity) {
    const from = since(now, sel.activity.within);
    where.push(exists(sel.activity.collection, (x) => sql`${x}.${sql.id(sel.activity!.field)} >= ${from}`));
  }
  const fields = segment.fields as HashField[];
  const rows = await select<{ k: unknown; email: string | null; phone: string | null }>(
    connector,
    sql`SELECT p.${sql.id(pk)} AS k, p.${sql.id(email)} AS email, ${
      phone && fields.includes('phone') ? sql`p.${sql.id(phone)}` : sql`NULL`
    } AS phone FROM ${sql.id(people.name)} p${where.length ? sql` WHERE ${sql.join(where, ' AND ')}` : sql``}`,
  );

  // Rows restricted in the system itself (store-only, Art. 18): no marker table means none.
  const restrictedRows = new Set(
    (
      await select<{ row_key: string }>(
        connector,
        sql`SELECT row_key FROM ${sql.raw(MARKER_TABLE)} WHERE collection_name = ${people.name}`,
      ).catch(() => [])
    ).map((r) => r.row_key),
  );

  const excluded: Record<string, number> = {};
  const count = (reason: string) => {
    excluded[reason] = (excluded[reason] ?? 0) + 1;
  };
  const withEmail: typeof rows = [];
  for (const r of rows) {
    if (restrictedRows.has(String(r.k))) count('restricted');
    else if (!r.email) count('no-e-mail');
    else withEmail.push(r);
  }

  // The consent rules for the purpose, decided by the same set-based filter as a send list.
  const decided = await bulkFilter(deps.db, deps.keys, deps.index, {
    orgId: segment.controller,
    purposeId: segment.purpose,
    channel: 'email',
    recipients: withEmail.map((r) => r.email!),
  });
  const refused = new Map<number, string>();
  for (const r of decided.refused) if (r.reason !== 'duplicate') refused.set(r.index, r.reason);

  const rule = CURRENT_RULE[segment.rule];
  const country = segment.defaultCountry ?? deps.index.organization(segment.controller)?.country;
  const sets: Partial<Record<HashField, Set<string>>> = {};
  for (const f of fields) sets[f] = new Set();
  let skipped = 0;
  withEmail.forEach((r, i) => {
    const reason = refused.get(i);
    if (reason !== undefined) {
      // An address that is none cannot be normalised for the network either: skipped, not excluded.
      if (reason === 'invalid-address') skipped++;
      else count(reason);
      return;
    }
    for (const f of fields) {
      const raw = f === 'email' ? r.email : r.phone;
      if (!raw) continue;
      const h = hashIdentifier(rule, f, raw, country);
      if (h === undefined) skipped++;
      else sets[f]!.add(h);
    }
  });
  const hashes: SegmentBuild['hashes'] = {};
  for (const f of fields) hashes[f] = [...sets[f]!].sort();
  return { rule, candidates: rows.length, hashes, skipped, excluded };
}
