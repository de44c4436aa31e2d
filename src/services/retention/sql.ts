/**
 * The predicates of the retention sweep, as SQL over one collection's rows (PostgreSQL and MariaDB/MySQL).
 * Each is two-valued (never NULL), so NOT means "not": a row with no trigger date has not expired, and a
 * row is "blocked" only by a referencing row that really stays.
 *
 *   expired    the trigger date (own column, or through references) is before the rule's cut-off
 *   hasMarker  the row carries a marker in ombud_restrictions (Art. 18, kept under a rule, legal hold)
 *   due        it carries a 'retention' marker whose erase_on has come
 *   legalKeeps the first annotated legal rule that matches it is an exception of the purpose rule and
 *              its legal period has not ended
 *   blocked    a row of another collection of the database points at its primary key and stays
 *   act        expired, no marker, not kept, and (delete) not blocked / (overwrite) not yet overwritten
 *   vanish     a referencing row goes this run (deleted, or its reference overwritten by anonymisation)
 *
 * The same predicates serve the dry run (COUNT) and the run (DELETE/UPDATE), so the dry run predicts the
 * run exactly: children are changed first, and "blocked" looks at what the children's own predicates will
 * leave. Parameters are pushed in the order their placeholders appear (MariaDB's are positional).
 */
import type { IsoDate } from '../../core/deadlines/iso-date.ts';
import type { CollectionPlan, Overwrite } from '../../core/retention/plan.ts';
import type { SqlConnector } from '../fulfilment/connectors/types.ts';
import { MARKER_TABLE } from '../fulfilment/engine.ts';

export class SqlBuilder {
  params: unknown[] = [];
  private n = 0;
  constructor(
    readonly c: SqlConnector,
    readonly ctx: SweepContext,
  ) {}
  bind(v: unknown): string {
    this.params.push(v);
    return this.c.param(this.params.length);
  }
  alias(): string {
    this.n += 1;
    return `ombud_r${this.n}`;
  }
  q(name: string): string {
    return this.c.quote(name);
  }
  /** A fresh builder for the next statement. */
  reset(): this {
    this.params = [];
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
};

/** The row reference for the statement's target table: its own (quoted) name, no alias (MariaDB's DELETE). */
export const self = (s: SqlBuilder, cp: CollectionPlan) => s.q(cp.collection);

const col = (s: SqlBuilder, t: string, field: string) => `${t}.${s.q(field)}`;

/** The row's key as stored in ombud_restrictions.row_key: the primary key values as text, joined by '|'. */
export function keyExpr(s: SqlBuilder, cp: CollectionPlan, t: string): string {
  const parts = cp.primaryKey.map((k) =>
    s.c.dialect === 'postgres' ? `CAST(${col(s, t, k)} AS TEXT)` : `CAST(${col(s, t, k)} AS CHAR)`,
  );
  if (s.c.dialect === 'postgres') return parts.join(` || '|' || `);
  const text = parts.length === 1 ? parts[0]! : `CONCAT(${parts.join(`, '|', `)})`;
  const kc = s.ctx.keyCollation;
  return kc ? `CONVERT(${text} USING ${kc.charset}) COLLATE ${kc.collation}` : text;
}

function marker(s: SqlBuilder, cp: CollectionPlan, t: string, extra: (m: string) => string): string {
  if (!s.ctx.markers) return '(1 = 0)';
  const m = s.alias();
  return `EXISTS (SELECT 1 FROM ${s.q(MARKER_TABLE)} ${m} WHERE ${m}.collection_name = ${s.bind(cp.collection)} AND ${m}.row_key = ${keyExpr(s, cp, t)}${extra(m)})`;
}

export const hasMarker = (s: SqlBuilder, cp: CollectionPlan, t: string, reason?: 'art-18' | 'retention') =>
  marker(s, cp, t, (m) => (reason ? ` AND ${m}.reason = ${s.bind(reason)}` : ''));

/** A 'retention' marker whose day has come (optionally of one rule). */
export const due = (s: SqlBuilder, cp: CollectionPlan, t: string, rule?: string | null) =>
  marker(
    s,
    cp,
    t,
    (m) =>
      ` AND ${m}.reason = 'retention' AND ${m}.erase_on IS NOT NULL AND ${m}.erase_on <= ${s.bind(s.ctx.today)}${
        rule === undefined
          ? ''
          : rule === null
            ? ` AND ${m}.rule_id IS NULL`
            : ` AND ${m}.rule_id = ${s.bind(rule)}`
      }`,
  );

/** A 'retention' marker whose day has not come, or has none (a legal hold until resolved). */
export const heldUnderRule = (s: SqlBuilder, cp: CollectionPlan, t: string) =>
  marker(
    s,
    cp,
    t,
    (m) =>
      ` AND ${m}.reason = 'retention' AND (${m}.erase_on IS NULL OR ${m}.erase_on > ${s.bind(s.ctx.today)})`,
  );

export function expired(s: SqlBuilder, cp: CollectionPlan, t: string): string {
  const p = cp.purpose;
  if (!p?.expiredBefore) return '(1 = 0)';
  const before = p.expiredBefore;
  const chain = (i: number, at: string): string => {
    if (i === p.trigger.hops.length)
      return `(${col(s, at, p.trigger.field)} IS NOT NULL AND ${col(s, at, p.trigger.field)} < ${s.bind(before)})`;
    const hop = p.trigger.hops[i]!;
    const a = s.alias();
    return `EXISTS (SELECT 1 FROM ${s.q(hop.collection)} ${a} WHERE ${col(s, a, hop.targetField)} = ${col(s, at, hop.field)} AND ${chain(i + 1, a)})`;
  };
  return chain(0, t);
}

export function legalKeeps(s: SqlBuilder, cp: CollectionPlan, t: string): string {
  const legal = cp.purpose?.legal ?? [];
  const whenSql = (w: { field: string; equals: string }) =>
    `(${col(s, t, w.field)} IS NOT NULL AND ${col(s, t, w.field)} = ${s.bind(w.equals)})`;
  const terms: string[] = [];
  for (const [i, term] of legal.entries()) {
    const prior = legal.slice(0, i);
    if (prior.some((p) => !p.when)) break; // an earlier rule without a condition takes every row
    if (!term.keeps) continue;
    const parts: string[] = [];
    if (term.when) parts.push(whenSql(term.when));
    for (const p of prior) parts.push(`NOT ${whenSql(p.when!)}`);
    parts.push(
      `(${col(s, t, term.triggerField)} IS NOT NULL AND ${col(s, t, term.triggerField)} >= ${s.bind(term.keepFrom)})`,
    );
    terms.push(`(${parts.join(' AND ')})`);
  }
  return terms.length ? `(${terms.join(' OR ')})` : '(1 = 0)';
}

function monthOf(s: SqlBuilder, expr: string): string {
  return s.c.dialect === 'postgres'
    ? `date_trunc('month', CAST(${expr} AS timestamp))`
    : `CAST(DATE_FORMAT(${expr}, '%Y-%m-01') AS DATE)`;
}

const writtenValue = (s: SqlBuilder, o: Overwrite) =>
  o.set === 'value' ? o.value : o.set === 'pseudonym' ? s.ctx.pseudonym(o.path) : undefined;

/** Some field of the row still differs from what the overwrite writes. */
export function pending(s: SqlBuilder, t: string, overwrite: Overwrite[]): string {
  const terms = overwrite.map((o) => {
    const c = col(s, t, o.field);
    if (o.set === 'null') return `${c} IS NOT NULL`;
    if (o.set === 'month')
      return s.c.dialect === 'postgres'
        ? `(${c} IS NOT NULL AND CAST(${c} AS timestamp) <> ${monthOf(s, c)})`
        : `(${c} IS NOT NULL AND ${c} <> ${monthOf(s, c)})`;
    return `(${c} IS NULL OR ${c} <> ${s.bind(writtenValue(s, o))})`;
  });
  return terms.length ? `(${terms.join(' OR ')})` : '(1 = 0)';
}

/** `col = expr, …` for an UPDATE of the target table. */
export function assignments(s: SqlBuilder, t: string, overwrite: Overwrite[]): string {
  return overwrite
    .map((o) => {
      const target = s.c.dialect === 'postgres' ? s.q(o.field) : col(s, t, o.field);
      if (o.set === 'null') return `${target} = NULL`;
      if (o.set === 'month') return `${target} = ${monthOf(s, col(s, t, o.field))}`;
      return `${target} = ${s.bind(writtenValue(s, o))}`;
    })
    .join(', ');
}

/** The rows a purpose rule deletes, masks or anonymises now. */
export function act(s: SqlBuilder, cp: CollectionPlan, t: string, depth = 0): string {
  const p = cp.purpose;
  if (!p?.expiredBefore) return '(1 = 0)';
  // Built left to right: each part pushes its parameters as its text is written.
  return `(${expired(s, cp, t)} AND NOT ${hasMarker(s, cp, t)} AND NOT ${legalKeeps(s, cp, t)} AND ${
    p.action === 'delete' ? `NOT ${blocked(s, cp, t, depth)}` : pending(s, t, p.overwrite)
  })`;
}

/** Rows a purpose rule has ended but a legal rule keeps (they get a marker and their erase_on). */
export const kept = (s: SqlBuilder, cp: CollectionPlan, t: string) =>
  `(${expired(s, cp, t)} AND NOT ${hasMarker(s, cp, t)} AND ${legalKeeps(s, cp, t)})`;

/** Rows whose marker day has come and that are erased now (a deleted row must not be pointed at). */
export function dueNow(
  s: SqlBuilder,
  cp: CollectionPlan,
  t: string,
  rule?: string | null,
  depth = 0,
): string {
  return cp.erase === 'delete'
    ? `(${due(s, cp, t, rule)} AND NOT ${blocked(s, cp, t, depth)})`
    : `(${due(s, cp, t, rule)})`;
}

/** The referencing row goes this run: deleted, or (anonymisation) its reference overwritten. */
function vanishes(s: SqlBuilder, cp: CollectionPlan, t: string, depth: number): string {
  const parts: string[] = [];
  if (cp.erase === 'delete') parts.push(dueNow(s, cp, t, undefined, depth));
  if (cp.purpose?.expiredBefore && cp.purpose.action !== 'mask') parts.push(act(s, cp, t, depth));
  return parts.length ? `(${parts.join(' OR ')})` : '(1 = 0)';
}

/** A row of another collection of this database points at this row's key and stays. */
export function blocked(s: SqlBuilder, cp: CollectionPlan, t: string, depth = 0): string {
  if (depth > 20) throw new Error(`References too deep below ${cp.collection}`);
  const terms = cp.children.map((ch) => {
    const child = s.ctx.plans.get(ch.collection);
    const a = s.alias();
    const stays = child ? `NOT ${vanishes(s, child, a, depth + 1)}` : '(1 = 1)';
    return `EXISTS (SELECT 1 FROM ${s.q(ch.collection)} ${a} WHERE ${col(s, a, ch.field)} = ${col(s, t, cp.primaryKey[0]!)} AND ${stays})`;
  });
  return terms.length ? `(${terms.join(' OR ')})` : '(1 = 0)';
}
