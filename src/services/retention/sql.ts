/**
 * The predicates of the retention sweep, as SQL over one collection's rows (PostgreSQL and MariaDB/MySQL).
 * Each is two-valued (never NULL), so NOT means "not": a row with no trigger date has not expired, and a
 * row is "blocked" only by a referencing row that really stays.
 *
 *   expired    the trigger date (own column, or through references) is before the rule's cut-off
 *   hasMarker  the row carries a marker in ombud_restrictions (Art. 18, kept under a rule, legal hold)
 *   heldByHold it carries the marker of one legal hold ('hold:<id>')
 *   due        it carries a 'retention' marker whose erase_on has come
 *   legalKeeps the first annotated legal rule that matches it is an exception of the purpose rule and
 *              its legal period has not ended
 *   blocked    a row of another collection of the database points at its primary key and stays
 *   act        expired, no marker, not kept, and (delete) not blocked / (overwrite) not yet overwritten
 *   vanish     a referencing row goes this run (deleted, or its reference overwritten by anonymisation)
 *
 * The same predicates serve the dry run (COUNT) and the run (DELETE/UPDATE), so the dry run predicts the
 * run exactly: children are changed first, and "blocked" looks at what the children's own predicates will
 * leave. Each predicate is a `sql` fragment: its parameters stand where its text does, so MariaDB's
 * positional placeholders are right whatever order the fragments are built in.
 */
import { conditionValues, type RuleCondition } from '../../core/fulfilment/dataset.ts';
import type { IsoDate } from '../../core/deadlines/iso-date.ts';
import {
  type CollectionPlan,
  endsRows,
  type FieldRulePlan,
  type Overwrite,
  type TriggerPath,
} from '../../core/retention/plan.ts';
import { type Sql, sql } from '../../storage/sql.ts';
import type { SqlDialect } from '../fulfilment/connectors/types.ts';
import { MARKER_TABLE } from '../fulfilment/engine.ts';

/** What the predicates of one statement share: the dialect, the sweep's context and the aliases given. */
export class SweepSql {
  private n = 0;
  constructor(
    readonly d: SqlDialect,
    readonly ctx: SweepContext,
  ) {}
  /** A fresh table alias (ombud_r1, ombud_r2, … per statement). */
  alias(): Sql {
    this.n += 1;
    return sql.raw(`ombud_r${this.n}`);
  }
  /** The next statement: aliases count from 1 again. */
  reset(): this {
    this.n = 0;
    return this;
  }
}

export type SweepContext = {
  today: IsoDate;
  /** Whether the database has a marker table (a dry run does not create it). */
  markers: boolean;
  /** Every collection of the database by name. */
  plans: Map<string, CollectionPlan>;
  /** The value a pseudonym mask writes (one per field: it links no rows). */
  pseudonym: (path: string) => string;
  /**
   * MariaDB/MySQL: the character set and collation of ombud_restrictions.row_key, so a key computed from a
   * row compares with it under the column's own collation (and its index), whatever the connection's is.
   */
  keyCollation?: { charset: string; collation: string };
  /**
   * A run (not a dry run): the collections already swept in this transaction. Their rows that go this run
   * are gone already, so whichever of their rows still point at a row stay, and "blocked" is a plain
   * EXISTS instead of the children's own predicates again (which a dry run needs, as it changes nothing).
   */
  swept?: Set<string>;
};

const FALSE = sql.raw('(1 = 0)');

/** The row reference for the statement's target table: its own (quoted) name, no alias (MariaDB's DELETE). */
export const self = (cp: CollectionPlan) => sql.id(cp.collection);

const col = (t: Sql, field: string) => sql`${t}.${sql.id(field)}`;

/** The row's key as stored in ombud_restrictions.row_key: the primary key values as text, joined by '|'. */
export function keyExpr(s: SweepSql, cp: CollectionPlan, t: Sql): Sql {
  return s.d.keyText(
    cp.primaryKey.map((k) => col(t, k)),
    s.ctx.keyCollation,
  );
}

function marker(s: SweepSql, cp: CollectionPlan, t: Sql, extra: (m: Sql) => Sql): Sql {
  if (!s.ctx.markers) return FALSE;
  const m = s.alias();
  return sql`EXISTS (SELECT 1 FROM ${sql.id(MARKER_TABLE)} ${m} WHERE ${m}.collection_name = ${cp.collection} AND ${m}.row_key = ${keyExpr(s, cp, t)}${extra(m)})`;
}

export const hasMarker = (s: SweepSql, cp: CollectionPlan, t: Sql, reason?: 'art-18' | 'retention') =>
  marker(s, cp, t, (m) => (reason ? sql` AND ${m}.reason = ${reason}` : sql.empty));

/** A 'retention' marker whose day has come (optionally of one rule). */
export const due = (s: SweepSql, cp: CollectionPlan, t: Sql, rule?: string | null) =>
  marker(
    s,
    cp,
    t,
    (m) =>
      sql` AND ${m}.reason = 'retention' AND ${m}.erase_on IS NOT NULL AND ${m}.erase_on <= ${s.ctx.today}${
        rule === undefined
          ? sql.empty
          : rule === null
            ? sql` AND ${m}.rule_id IS NULL`
            : sql` AND ${m}.rule_id = ${rule}`
      }`,
  );

/**
 * A 'retention' marker whose day has not come, or has none (a hold written by hand until resolved); the
 * markers of a legal hold placed through Ombud ('hold:<id>') are counted per hold, by `heldByHold`.
 */
export const heldUnderRule = (s: SweepSql, cp: CollectionPlan, t: Sql) =>
  marker(
    s,
    cp,
    t,
    (m) =>
      sql` AND ${m}.reason = 'retention' AND (${m}.erase_on IS NULL OR ${m}.erase_on > ${s.ctx.today}) AND ${m}.request_id NOT LIKE 'hold:%'`,
  );

/** The marker of one legal hold (its request_id, 'hold:<id>'). */
export const heldByHold = (s: SweepSql, cp: CollectionPlan, t: Sql, markerId: string) =>
  marker(s, cp, t, (m) => sql` AND ${m}.reason = 'retention' AND ${m}.request_id = ${markerId}`);

/** The trigger date (through the references) of the row `t` satisfies `end`. */
function viaTrigger(s: SweepSql, trigger: TriggerPath, t: Sql, end: (c: Sql) => Sql): Sql {
  const chain = (i: number, at: Sql): Sql => {
    if (i === trigger.hops.length) return end(col(at, trigger.field));
    const hop = trigger.hops[i]!;
    const a = s.alias();
    return sql`EXISTS (SELECT 1 FROM ${sql.id(hop.collection)} ${a} WHERE ${col(a, hop.targetField)} = ${col(at, hop.field)} AND ${chain(i + 1, a)})`;
  };
  return chain(0, t);
}

/**
 * The row's trigger date is before `before`, or (no date through the references) its own fallback date
 * is before `fallbackBefore`; a null cut-off ends no row.
 */
/**
 * Which side of a trigger with a fallback date: `trigger`, rows whose date comes through the references;
 * `fallback`, rows that have none (their own date counts). Each alone has no `OR`, so the database can
 * drive it from the few rows the day ends (a statement per rule: the potential customers' and the others').
 */
export type TriggerSide = 'trigger' | 'fallback';

function triggerExpired(
  s: SweepSql,
  trigger: TriggerPath,
  before: IsoDate | null,
  fallbackBefore: IsoDate | null,
  t: Sql,
  only?: TriggerSide,
): Sql {
  const byTrigger = before
    ? viaTrigger(s, trigger, t, (c) => sql`(${c} IS NOT NULL AND ${c} < ${before})`)
    : FALSE;
  const fb = trigger.fallback;
  if (!fb || !fallbackBefore) return only === 'fallback' ? FALSE : byTrigger;
  // No date through the references: the collection's own fallback date counts.
  const byFallback = sql`(${fallsBack(s, trigger, t)} AND ${col(t, fb)} IS NOT NULL AND ${col(t, fb)} < ${fallbackBefore})`;
  if (only === 'trigger') return byTrigger;
  if (only === 'fallback') return byFallback;
  return sql`(${byTrigger} OR ${byFallback})`;
}

/** The references find no date for the row (a potential customer's sign-up): its fallback date counts. */
function fallsBack(s: SweepSql, trigger: TriggerPath, t: Sql): Sql {
  return sql`NOT ${viaTrigger(s, trigger, t, (c) => sql`${c} IS NOT NULL`)}`;
}

export function expired(s: SweepSql, cp: CollectionPlan, t: Sql, only?: TriggerSide): Sql {
  const p = cp.purpose;
  if (!endsRows(p)) return FALSE;
  return triggerExpired(
    s,
    p.trigger,
    p.expiredBefore,
    p.fallbackRule ? p.fallbackRule.expiredBefore : p.expiredBefore,
    t,
    only,
  );
}

/** A field rule has ended for the row. */
export const fieldExpired = (s: SweepSql, fr: FieldRulePlan, t: Sql) =>
  triggerExpired(s, fr.trigger, fr.expiredBefore, fr.expiredBefore, t);

/**
 * The rows whose fields a field rule erases now: ended, no marker (Art. 18, kept, held), and some field
 * not yet erased.
 */
export const actFields = (s: SweepSql, cp: CollectionPlan, fr: FieldRulePlan, t: Sql) =>
  sql`(${fieldExpired(s, fr, t)} AND NOT ${hasMarker(s, cp, t)} AND ${pending(s, t, fr.overwrite)})`;

/**
 * The row holds one of `values` (identities of subjects whose withdrawal has taken effect) in an identity
 * field of that kind; e-mail addresses compare in lower case, as the consent register stores them.
 */
export function withdrawn(
  _s: SweepSql,
  cp: CollectionPlan,
  t: Sql,
  values: { kind: 'email' | 'phone'; value: string }[],
): Sql {
  const w = cp.purpose?.withdrawal;
  if (!w) return FALSE;
  const terms: Sql[] = [];
  for (const id of w.identities) {
    const vs = values.filter((v) => v.kind === id.kind).map((v) => v.value);
    if (!vs.length) continue;
    const c = id.kind === 'email' ? sql`LOWER(${col(t, id.field)})` : col(t, id.field);
    terms.push(sql`(${col(t, id.field)} IS NOT NULL AND ${c} IN (${sql.join(vs.map((v) => sql`${v}`))}))`);
  }
  return terms.length ? sql`(${sql.join(terms, ' OR ')})` : FALSE;
}

/**
 * The rows a withdrawal deletes now (among those holding `values`): not acted on by the purpose rule in
 * this run already, no marker, not kept by a legal rule, and not pointed at by rows that stay.
 */
export function actWithdrawn(
  s: SweepSql,
  cp: CollectionPlan,
  t: Sql,
  values: { kind: 'email' | 'phone'; value: string }[],
): Sql {
  return sql`(${withdrawn(s, cp, t, values)} AND NOT ${act(s, cp, t)} AND NOT ${hasMarker(s, cp, t)} AND NOT ${legalKeeps(s, cp, t)} AND NOT ${blocked(s, cp, t)})`;
}

export function legalKeeps(_s: SweepSql, cp: CollectionPlan, t: Sql): Sql {
  const legal = cp.purpose?.legal ?? [];
  const whenSql = (w: RuleCondition) =>
    sql`(${col(t, w.field)} IS NOT NULL AND (${sql.join(
      conditionValues(w).map((v) => sql`${col(t, w.field)} = ${v}`),
      ' OR ',
    )}))`;
  const terms: Sql[] = [];
  for (const [i, term] of legal.entries()) {
    const prior = legal.slice(0, i);
    if (prior.some((p) => !p.when)) break; // an earlier rule without a condition takes every row
    if (!term.keeps) continue;
    const parts: Sql[] = [];
    if (term.when) parts.push(whenSql(term.when));
    for (const p of prior) parts.push(sql`NOT ${whenSql(p.when!)}`);
    parts.push(
      sql`(${col(t, term.triggerField)} IS NOT NULL AND ${col(t, term.triggerField)} >= ${term.keepFrom})`,
    );
    terms.push(sql`(${sql.join(parts, ' AND ')})`);
  }
  return terms.length ? sql`(${sql.join(terms, ' OR ')})` : FALSE;
}

const writtenValue = (s: SweepSql, o: Overwrite) =>
  o.set === 'value' ? o.value : o.set === 'pseudonym' ? s.ctx.pseudonym(o.path) : undefined;

/** Some field of the row still differs from what the overwrite writes. */
export function pending(s: SweepSql, t: Sql, overwrite: Overwrite[]): Sql {
  const terms = overwrite.map((o) => {
    const c = col(t, o.field);
    if (o.set === 'null') return sql`${c} IS NOT NULL`;
    if (o.set === 'month') return sql`(${c} IS NOT NULL AND ${s.d.asTimestamp(c)} <> ${s.d.monthStart(c)})`;
    return sql`(${c} IS NULL OR ${c} <> ${writtenValue(s, o)})`;
  });
  return terms.length ? sql`(${sql.join(terms, ' OR ')})` : FALSE;
}

/** `col = expr, …` for an UPDATE of the target table. */
export function assignments(s: SweepSql, t: Sql, overwrite: Overwrite[]): Sql {
  return sql.join(
    overwrite.map((o) => {
      const target = s.d.setTarget(t, o.field);
      if (o.set === 'null') return sql`${target} = NULL`;
      if (o.set === 'month') return sql`${target} = ${s.d.monthStart(col(t, o.field))}`;
      return sql`${target} = ${writtenValue(s, o)}`;
    }),
  );
}

/** The rows a purpose rule deletes, masks or anonymises now. */
export function act(s: SweepSql, cp: CollectionPlan, t: Sql, depth = 0, only?: TriggerSide): Sql {
  const p = cp.purpose;
  if (!endsRows(p)) return FALSE;
  return sql`(${expired(s, cp, t, only)} AND NOT ${hasMarker(s, cp, t)} AND NOT ${legalKeeps(s, cp, t)} AND ${
    p.action === 'delete' ? sql`NOT ${blocked(s, cp, t, depth)}` : pending(s, t, p.overwrite)
  })`;
}

/** Rows a purpose rule has ended but a legal rule keeps (they get a marker and their erase_on). */
export const kept = (s: SweepSql, cp: CollectionPlan, t: Sql) =>
  sql`(${expired(s, cp, t)} AND NOT ${hasMarker(s, cp, t)} AND ${legalKeeps(s, cp, t)})`;

/** Rows whose marker day has come and that are erased now (a deleted row must not be pointed at). */
export function dueNow(s: SweepSql, cp: CollectionPlan, t: Sql, rule?: string | null, depth = 0): Sql {
  return cp.erase === 'delete'
    ? sql`(${due(s, cp, t, rule)} AND NOT ${blocked(s, cp, t, depth)})`
    : sql`(${due(s, cp, t, rule)})`;
}

/** The referencing row goes this run: deleted, or (anonymisation) its reference overwritten. */
function vanishes(s: SweepSql, cp: CollectionPlan, t: Sql, depth: number): Sql {
  const parts: Sql[] = [];
  if (cp.erase === 'delete') parts.push(dueNow(s, cp, t, undefined, depth));
  if (endsRows(cp.purpose) && cp.purpose.action !== 'mask') parts.push(act(s, cp, t, depth));
  return parts.length ? sql`(${sql.join(parts, ' OR ')})` : FALSE;
}

/** A row of another collection of this database points at this row's key and stays. */
export function blocked(s: SweepSql, cp: CollectionPlan, t: Sql, depth = 0): Sql {
  if (depth > 20) throw new Error(`References too deep below ${cp.collection}`);
  const terms = cp.children.map((ch) => {
    const child = s.ctx.plans.get(ch.collection);
    const a = s.alias();
    const stays =
      child && !s.ctx.swept?.has(ch.collection)
        ? sql`NOT ${vanishes(s, child, a, depth + 1)}`
        : sql.raw('(1 = 1)');
    return sql`EXISTS (SELECT 1 FROM ${sql.id(ch.collection)} ${a} WHERE ${col(a, ch.field)} = ${col(t, cp.primaryKey[0]!)} AND ${stays})`;
  });
  return terms.length ? sql`(${sql.join(terms, ' OR ')})` : FALSE;
}
