/**
 * The retention sweep of one database: in one transaction, collection by collection (children first),
 *   1. deferred erasure: rows whose 'retention' marker day has come are erased with the collection's
 *      normal erasure (DELETE, or the masking UPDATE) and their markers removed;
 *   2. the purpose rule: rows past it that a legal exception still keeps get a marker and their erase_on
 *      (they are not touched); the rest are deleted, masked or anonymised, set-based.
 * Rows with any marker (Art. 18 restriction, kept under a rule, legal hold) are never acted on by a
 * purpose rule; a row that rows staying elsewhere in the database still point at waits for them.
 *
 * A dry run counts the same predicates and changes nothing (not even the marker table). A run records its
 * outcome in the database itself (ombud_retention_done), in the same transaction as the changes, so a run
 * resumed after a crash knows exactly what an earlier attempt committed, and two workers cannot sweep the
 * same database for the same run twice.
 */
import type { Collection } from '../../core/fulfilment/dataset.ts';
import { addDays, type IsoDate } from '../../core/deadlines/iso-date.ts';
import type { RetentionRule } from '../../core/register/schema.ts';
import { splitByRetention } from '../../core/retention/expiry.ts';
import {
  type CollectionPlan,
  type DatasetPlan,
  endsRows,
  type FieldRulePlan,
  type Overwrite,
} from '../../core/retention/plan.ts';
import { type Sql, sql } from '../../storage/sql.ts';
import { change, select } from '../fulfilment/connectors/run.ts';
import type { SqlConnector } from '../fulfilment/connectors/types.ts';
import { MARKER_TABLE, type Row } from '../fulfilment/engine.ts';
import { DONE_TABLE, ensureOwnTables } from '../fulfilment/ownTables.ts';
import { KeyedHashPseudonym } from '../fulfilment/masking.ts';
import {
  act,
  actFields,
  actWithdrawn,
  assignments,
  blocked,
  due,
  dueNow,
  expired,
  fieldExpired,
  hasMarker,
  heldByHold,
  heldUnderRule,
  kept,
  keyExpr,
  legalKeeps,
  pending,
  type SweepContext,
  SweepSql,
  self,
} from './sql.ts';

export const OUTCOME_ACTIONS = [
  'delete',
  'anonymise',
  'mask',
  'erase-due',
  'keep',
  'held',
  'blocked',
] as const;
export type OutcomeAction = (typeof OUTCOME_ACTIONS)[number];

/**
 * Counts only, never personal data. `rule`: the purpose rule (delete, anonymise, mask, held, blocked),
 * the legal rule that keeps (keep) or the marker's rule (erase-due). `detail`: for keep, the purpose rule
 * that ended; held: 'art-18', 'retention' or the legal hold's marker id 'hold:<id>'; blocked: 'referenced' or 'erase-due'; erase-due: delete|mask.
 */
export type RetentionOutcome = {
  system: string;
  dataset: string;
  collection: string;
  rule: string;
  action: OutcomeAction;
  detail: string;
  rows: number;
};

export { DONE_TABLE };

export type SweepOptions = {
  today: IsoDate;
  dryRun: boolean;
  runId: string;
  /** The HMAC key of pseudonym masks. */
  secret: string;
  rules: Map<string, RetentionRule>;
  /** The dataset's collections by name (their annotations). */
  collections: Map<string, Collection>;
  onProgress?: (p: { dataset: string; collection: string; outcomes: RetentionOutcome[] }) => void;
  /**
   * The identities (normalised e-mail addresses and phone numbers) of the subjects whose withdrawal of or
   * objection to one of `purposes` was before `before` and who have not granted any of them again, from
   * Ombud's consent register. Never logged. Without it, no withdrawal is enforced.
   */
  withdrawn?: (purposes: string[], before: IsoDate) => Promise<WithdrawnIdentity[]>;
};

export type WithdrawnIdentity = { kind: 'email' | 'phone'; value: string };

/** Identities per statement of the withdrawal step (the IN list of one DELETE). */
export const WITHDRAWAL_BATCH = 500;

async function tableExists(c: SqlConnector, table: string): Promise<boolean> {
  try {
    await c.query(`SELECT 1 AS x FROM ${c.quote(table)} WHERE 1 = 0`);
    return true;
  } catch {
    // The probe's answer: a table that is not there answers with an error.
    return false;
  }
}

/** The marker key column's collation, where the dialect needs it (MariaDB/MySQL); no query otherwise. */
async function keyCollationOf(c: SqlConnector): Promise<Pick<SweepContext, 'keyCollation'>> {
  const kc = await c.dialect.keyCollation((q) => select(c, q), MARKER_TABLE, 'row_key');
  return kc ? { keyCollation: kc } : {};
}

async function committedOutcome(c: SqlConnector, runId: string, dataset: string) {
  const rows = await select<{ outcome: string }>(
    c,
    sql`SELECT outcome FROM ${sql.raw(DONE_TABLE)} WHERE run_id = ${runId} AND dataset = ${dataset}`,
  );
  return rows[0]?.outcome ? (JSON.parse(rows[0].outcome) as RetentionOutcome[]) : undefined;
}

/** What erasure by masking writes, with the row's own restriction columns cleared. */
function eraseMask(cp: CollectionPlan): Overwrite[] {
  return [
    ...cp.mask,
    ...(cp.markerFields.restricted
      ? [{ field: cp.markerFields.restricted, set: 'value' as const, value: false }]
      : []),
    ...(cp.markerFields.eraseOn ? [{ field: cp.markerFields.eraseOn, set: 'null' as const }] : []),
  ];
}

export async function sweepDataset(
  c: SqlConnector,
  plan: DatasetPlan,
  opts: SweepOptions,
): Promise<{ outcomes: RetentionOutcome[]; resumed: boolean }> {
  let markers: boolean;
  if (opts.dryRun) markers = await tableExists(c, MARKER_TABLE);
  else {
    await ensureOwnTables(c, `the database of dataset ${plan.dataset}`);
    markers = true;
    const before = await committedOutcome(c, opts.runId, plan.dataset);
    if (before) return { outcomes: before, resumed: true };
  }
  const ctx: SweepContext = {
    today: opts.today,
    markers,
    plans: new Map(plan.collections.map((cp) => [cp.collection, cp])),
    pseudonym: (path) =>
      KeyedHashPseudonym.value({ subjectKey: 'ombud-retention', secret: opts.secret, path }),
    ...(markers ? await keyCollationOf(c) : {}),
    ...(opts.dryRun ? {} : { swept: new Set<string>() }),
  };
  // The withdrawn identities are read from Ombud's consent register before the database's transaction
  // opens: an embedded system shares Ombud's one PGlite connection, which the transaction holds.
  const withdrawn = new Map<string, WithdrawnIdentity[]>();
  for (const cp of plan.collections) {
    const wd = endsRows(cp.purpose) ? cp.purpose.withdrawal : undefined;
    if (wd && opts.withdrawn)
      withdrawn.set(cp.collection, await opts.withdrawn(wd.purposes, wd.withdrawnBefore));
  }
  try {
    const outcomes = await c.transaction(async (tx) => {
      // Claim the run for this database first: a second worker waits here, then fails on the key.
      if (!opts.dryRun) {
        await change(
          tx,
          sql`INSERT INTO ${sql.raw(DONE_TABLE)} (run_id, dataset, swept_for, outcome)
           VALUES (${opts.runId}, ${plan.dataset}, ${opts.today}, '')`,
        );
        // The records are only needed to resume a run; a year is plenty.
        await change(
          tx,
          sql`DELETE FROM ${sql.raw(DONE_TABLE)} WHERE swept_for < ${addDays(opts.today, -400)}`,
        );
      }
      const out: RetentionOutcome[] = [];
      for (const cp of plan.collections) {
        const collection = opts.collections.get(cp.collection);
        if (!collection) continue;
        const found = await sweepCollection(tx, cp, collection, ctx, opts, withdrawn.get(cp.collection));
        out.push(...found);
        ctx.swept?.add(cp.collection);
        opts.onProgress?.({ dataset: plan.dataset, collection: cp.collection, outcomes: found });
      }
      if (!opts.dryRun)
        await change(
          tx,
          sql`UPDATE ${sql.raw(DONE_TABLE)} SET outcome = ${JSON.stringify(out)} WHERE run_id = ${opts.runId} AND dataset = ${plan.dataset}`,
        );
      return out;
    });
    return { outcomes, resumed: false };
  } catch (err) {
    // Another worker committed this database for the run meanwhile: take its outcome.
    if (!opts.dryRun) {
      // Only a look for another worker's commit: when it fails too, the first error (thrown below) says why.
      const other = await committedOutcome(c, opts.runId, plan.dataset).catch(() => undefined);
      if (other) return { outcomes: other, resumed: true };
    }
    throw err;
  }
}

/** One collection's sweep: its statements, built afresh each (aliases count from 1), and its outcomes. */
class CollectionSweep {
  readonly s: SweepSql;
  /** The target table, by its own name (no alias). */
  readonly T: Sql;
  readonly out: RetentionOutcome[] = [];
  constructor(
    readonly tx: SqlConnector,
    readonly cp: CollectionPlan,
    readonly ctx: SweepContext,
    readonly dryRun: boolean,
  ) {
    this.s = new SweepSql(tx.dialect, ctx);
    this.T = self(cp);
  }

  /** An outcome, when it concerns any rows. */
  add(rule: string, action: OutcomeAction, detail: string, rows: number): void {
    const cp = this.cp;
    if (rows > 0)
      this.out.push({
        system: cp.system,
        dataset: cp.dataset,
        collection: cp.collection,
        rule,
        action,
        detail,
        rows,
      });
  }

  /** The rows of the table that match the predicate. */
  async count(pred: () => Sql): Promise<number> {
    this.s.reset();
    const [row] = await select<{ n: number | string }>(
      this.tx,
      sql`SELECT COUNT(*) AS n FROM ${this.T} WHERE ${pred()}`,
    );
    return Number(row?.n ?? 0);
  }

  /** A change; the rows it touched. */
  async execute(statement: () => Sql): Promise<number> {
    this.s.reset();
    return change(this.tx, statement());
  }
}

async function sweepCollection(
  tx: SqlConnector,
  cp: CollectionPlan,
  collection: Collection,
  ctx: SweepContext,
  opts: SweepOptions,
  /** The identities whose withdrawal has taken effect (read before the transaction), if the rule has one. */
  withdrawn: WithdrawnIdentity[] | undefined,
): Promise<RetentionOutcome[]> {
  const w = new CollectionSweep(tx, cp, ctx, opts.dryRun);
  // 1. Deferred erasure: rows kept under a rule whose first erasable day has come.
  // Whether any row of the collection carries a marker: when none does, nothing is due or held, and those
  // counts (each a pass over the rows past the rule) are not made.
  const marked = ctx.markers && (await hasMarkers(w));
  if (marked) for (const rule_id of await dueRules(w)) await eraseDue(w, rule_id);
  // 2. The purpose rule.
  const p = cp.purpose;
  if (endsRows(p)) {
    await countLeftAlone(w, p, marked);
    if (p.legal.some((l) => l.keeps)) await markKept(w, collection, p, opts.rules);
    await applyPurpose(w, p);
  }
  // 3. Field rules: fields that end sooner than the rows, of the rows the purpose rule left.
  // (Markers may have come with this run's kept rows: looked for again.)
  const fieldRules = (cp.fieldRules ?? []).filter((fr) => fr.expiredBefore);
  const markedNow = fieldRules.length > 0 && (marked || (ctx.markers && (await hasMarkers(w))));
  for (const fr of fieldRules) await applyFieldRule(w, fr, markedNow);
  // 4. Withdrawal (after the field rules, so that a dry run, which deletes nothing, counts the same rows).
  if (endsRows(p) && p.withdrawal && withdrawn) await applyWithdrawal(w, p, withdrawn);
  return w.out;
}

type Purpose = NonNullable<CollectionPlan['purpose']>;

/** The rules of the collection's 'retention' markers whose day has come (null: a marker of no rule). */
async function dueRules({ tx, cp, ctx }: CollectionSweep): Promise<(string | null)[]> {
  const rows = await select<{ rule_id: string | null }>(
    tx,
    sql`SELECT DISTINCT rule_id FROM ${sql.raw(MARKER_TABLE)} WHERE collection_name = ${cp.collection} AND reason = 'retention'
        AND erase_on IS NOT NULL AND erase_on <= ${ctx.today}`,
  );
  return rows.map((r) => r.rule_id);
}

/** Erase the rows whose marker of this rule is due, with the collection's erasure, and their markers. */
async function eraseDue(w: CollectionSweep, rule_id: string | null): Promise<void> {
  const { s, cp, T } = w;
  const label = rule_id ?? '(no rule)';
  const mask = eraseMask(cp);
  if (cp.erase === 'delete')
    w.add(
      label,
      'blocked',
      'erase-due',
      await w.count(() => sql`${due(s, cp, T, rule_id)} AND ${blocked(s, cp, T)}`),
    );
  let n: number;
  if (w.dryRun)
    n = await w.count(() =>
      cp.erase === 'delete'
        ? dueNow(s, cp, T, rule_id)
        : sql`${dueNow(s, cp, T, rule_id)} AND ${pending(s, T, mask)}`,
    );
  else if (cp.erase === 'delete')
    n = await w.execute(() => sql`DELETE FROM ${T} WHERE ${dueNow(s, cp, T, rule_id)}`);
  else
    n = await w.execute(
      () =>
        sql`UPDATE ${T} SET ${assignments(s, T, mask)} WHERE ${dueNow(s, cp, T, rule_id)} AND ${pending(s, T, mask)}`,
    );
  if (!w.dryRun)
    // The markers go with the rows; a deleted collection's blocked rows keep theirs for the next run.
    await w.execute(
      () =>
        sql`DELETE FROM ${sql.raw(MARKER_TABLE)} WHERE collection_name = ${cp.collection} AND reason = 'retention'
           AND erase_on IS NOT NULL AND erase_on <= ${w.ctx.today}
           AND ${rule_id === null ? sql`rule_id IS NULL` : sql`rule_id = ${rule_id}`}${
             cp.erase === 'delete'
               ? sql` AND row_key NOT IN (SELECT ${keyExpr(s, cp, T)} FROM ${T} WHERE ${due(s, cp, T, rule_id)})`
               : sql.empty
           }`,
    );
  w.add(label, 'erase-due', cp.erase, n);
}

/** The legal holds with markers in the collection (their marker ids, 'hold:<id>'). */
async function holdsOf({ tx, cp, ctx }: CollectionSweep): Promise<string[]> {
  if (!ctx.markers) return [];
  const rows = await select<{ request_id: string }>(
    tx,
    sql`SELECT DISTINCT request_id FROM ${sql.raw(MARKER_TABLE)} WHERE collection_name = ${cp.collection}
        AND reason = 'retention' AND request_id LIKE 'hold:%'`,
  );
  return rows.map((r) => r.request_id).sort();
}

/**
 * Rows a rule has ended (`ended`) that it leaves alone because of a marker: an Art. 18 restriction, kept
 * under a rule, or a legal hold (each named: detail 'hold:<id>').
 */
async function countHeld(w: CollectionSweep, rule: string, ended: () => Sql): Promise<void> {
  const { s, cp, T } = w;
  w.add(rule, 'held', 'art-18', await w.count(() => sql`${ended()} AND ${hasMarker(s, cp, T, 'art-18')}`));
  w.add(rule, 'held', 'retention', await w.count(() => sql`${ended()} AND ${heldUnderRule(s, cp, T)}`));
  for (const markerId of await holdsOf(w))
    w.add(rule, 'held', markerId, await w.count(() => sql`${ended()} AND ${heldByHold(s, cp, T, markerId)}`));
}

/** Rows past the purpose rule that it leaves alone: held by a marker, or (delete) still referenced. */
async function countLeftAlone(w: CollectionSweep, p: Purpose, marked: boolean): Promise<void> {
  const { s, cp, T } = w;
  if (marked) await countHeld(w, p.rule, () => expired(s, cp, T));
  if (p.action === 'delete')
    w.add(
      p.rule,
      'blocked',
      'referenced',
      await w.count(
        () =>
          sql`${expired(s, cp, T)} AND NOT ${hasMarker(s, cp, T)} AND NOT ${legalKeeps(s, cp, T)} AND ${blocked(s, cp, T)}`,
      ),
    );
}

/** Does any row of the collection carry a marker (one index lookup)? */
async function hasMarkers({ tx, cp }: CollectionSweep): Promise<boolean> {
  const rows = await select(
    tx,
    sql`SELECT 1 AS x FROM ${sql.raw(MARKER_TABLE)} WHERE collection_name = ${cp.collection} LIMIT 1`,
  );
  return rows.length > 0;
}

/** Ranges of kept rows per statement of `markKept` (each range is one WHEN of its CASE expressions). */
export const KEPT_RANGES_PER_STATEMENT = 100;

/**
 * Rows a legal rule keeps get a 'retention' marker with their erase_on, and the collection's own
 * restricted / erase-on columns (a dry run only counts them), set-based: the kept rows' distinct values of
 * the legal rules' fields (condition and trigger: a few thousand at most, days × sellers, however many
 * rows) are read with their counts; the pure retention arithmetic (`splitByRetention`) gives each its rule
 * and first erasable day; runs of trigger values with the same condition values, rule and day become ranges,
 * and an UPDATE and an INSERT … SELECT per (at most KEPT_RANGES_PER_STATEMENT) ranges write them, with the
 * rule and day as CASE expressions over the ranges.
 */
async function markKept(
  w: CollectionSweep,
  collection: Collection,
  p: Purpose,
  rules: Map<string, RetentionRule>,
): Promise<void> {
  const { s, cp, T, tx, ctx } = w;
  const conditionFields = [...new Set(p.legal.flatMap((l) => (l.when ? [l.when.field] : [])))];
  const triggerFields = [...new Set(p.legal.map((l) => l.triggerField))];
  const fields = [...new Set([...conditionFields, ...triggerFields])];
  const cols = sql.join(fields.map((f) => sql`${T}.${sql.id(f)}`));
  s.reset();
  const groups = await select<Row>(
    tx,
    sql`SELECT ${cols}, COUNT(*) AS ombud_rows FROM ${T} WHERE ${kept(s, cp, T)} GROUP BY ${cols}`,
  );
  const split = splitByRetention(collection, groups, rules, ctx.today);
  const rowsOf = (rs: Row[]) => rs.reduce((n, r) => n + Number(r.ombud_rows), 0);
  if (split.erase.length)
    throw new Error(
      `Retention of ${cp.dataset}.${cp.collection}: ${rowsOf(split.erase)} rows selected as kept are not kept by the erasure engine's rule.`,
    );
  const perRule = new Map<string, number>();
  for (const g of split.kept) perRule.set(g.rule, (perRule.get(g.rule) ?? 0) + rowsOf(g.rows));
  if (!w.dryRun && split.kept.length) {
    for (const chunk of keptRanges(split.kept, conditionFields, collection)) await writeKept(w, chunk);
  }
  for (const [rule, n] of perRule) w.add(rule, 'keep', p.rule, n);
}

/** Kept rows with the same condition values, rule and day, whose trigger lies in [from, to]. */
type KeptRange = {
  conditions: { field: string; value: unknown }[];
  trigger: string;
  from: unknown;
  to: unknown;
  rule: string;
  eraseOn: IsoDate;
};

function keptRanges(
  kept: ReturnType<typeof splitByRetention<Row>>['kept'],
  conditionFields: string[],
  collection: Collection,
): KeptRange[][] {
  const trigger = collection.ombud!.retention!.trigger_field;
  const byConditions = new Map<string, { row: Row; rule: string; eraseOn: IsoDate }[]>();
  for (const g of kept)
    for (const row of g.rows) {
      const k = JSON.stringify(conditionFields.map((f) => row[f] ?? null));
      const item = { row, rule: g.rule, eraseOn: g.eraseOn };
      const list = byConditions.get(k);
      if (list) list.push(item);
      else byConditions.set(k, [item]);
    }
  const ranges: KeptRange[] = [];
  const text = (v: unknown) => String(v);
  for (const items of byConditions.values()) {
    items.sort((a, b) => (text(a.row[trigger]) < text(b.row[trigger]) ? -1 : 1));
    let open: KeptRange | undefined;
    for (const it of items) {
      if (open && open.rule === it.rule && open.eraseOn === it.eraseOn) {
        open.to = it.row[trigger];
        continue;
      }
      open = {
        conditions: conditionFields.map((f) => ({ field: f, value: it.row[f] ?? null })),
        trigger,
        from: it.row[trigger],
        to: it.row[trigger],
        rule: it.rule,
        eraseOn: it.eraseOn,
      };
      ranges.push(open);
    }
  }
  const chunks: KeptRange[][] = [];
  for (let i = 0; i < ranges.length; i += KEPT_RANGES_PER_STATEMENT)
    chunks.push(ranges.slice(i, i + KEPT_RANGES_PER_STATEMENT));
  return chunks;
}

/** The restricted / erase-on columns and the markers of the kept rows in `ranges` (two statements). */
async function writeKept(w: CollectionSweep, ranges: KeptRange[]): Promise<void> {
  const { s, cp, T, ctx } = w;
  const inRange = (r: KeptRange) => {
    const parts = r.conditions.map(({ field, value }) =>
      value === null ? sql`${T}.${sql.id(field)} IS NULL` : sql`${T}.${sql.id(field)} = ${value}`,
    );
    const t = sql`${T}.${sql.id(r.trigger)}`;
    parts.push(sql`${t} >= ${r.from}`, sql`${t} <= ${r.to}`);
    return sql`(${sql.join(parts, ' AND ')})`;
  };
  const when = (value: (r: KeptRange) => Sql) =>
    sql`CASE ${sql.join(
      ranges.map((r) => sql`WHEN ${inRange(r)} THEN ${value(r)}`),
      ' ',
    )} END`;
  const eraseOn = () => when((r) => sql`CAST(${r.eraseOn} AS DATE)`);
  const rule = () => when((r) => sql`${r.rule}`);
  const any = () => sql`(${sql.join(ranges.map(inRange), ' OR ')})`;
  const sets: Sql[] = [];
  if (cp.markerFields.restricted) sets.push(sql`${s.d.setTarget(T, cp.markerFields.restricted)} = TRUE`);
  if (cp.markerFields.eraseOn) sets.push(sql`${s.d.setTarget(T, cp.markerFields.eraseOn)} = ${eraseOn()}`);
  // The row's own columns first: the marker is what `kept` looks for, so it goes last.
  if (sets.length)
    await w.execute(() => sql`UPDATE ${T} SET ${sql.join(sets)} WHERE ${kept(s, cp, T)} AND ${any()}`);
  await w.execute(
    () =>
      sql`INSERT INTO ${sql.raw(MARKER_TABLE)} (collection_name, row_key, request_id, reason, rule_id, erase_on)
          SELECT ${cp.collection}, ${keyExpr(s, cp, T)}, ${`retention:${ctx.today}`}, 'retention', ${rule()}, ${eraseOn()}
            FROM ${T} WHERE ${kept(s, cp, T)} AND ${any()}`,
  );
}

/**
 * The purpose rule's own action on the rows it ends now: delete, mask or anonymise (a dry run counts). With
 * a fallback rule, the rows whose period runs from the fallback date (potential customers) go first, in
 * their own statement, so the outcome names the rule that ended them.
 */
async function applyPurpose(w: CollectionSweep, p: Purpose): Promise<void> {
  const { s, cp, T } = w;
  const apply = async (rule: string, which: () => Sql) => {
    let n: number;
    if (w.dryRun) n = await w.count(which);
    else if (p.action === 'delete') n = await w.execute(() => sql`DELETE FROM ${T} WHERE ${which()}`);
    else n = await w.execute(() => sql`UPDATE ${T} SET ${assignments(s, T, p.overwrite)} WHERE ${which()}`);
    w.add(rule, p.action, '', n);
  };
  // Each rule's rows by its own side of the trigger (no OR: see TriggerSide), the same rows as
  // the whole predicate with "falls back" and "does not", since a row with a date through the references never falls back.
  if (p.fallbackRule) await apply(p.fallbackRule.rule, () => act(s, cp, T, 0, 'fallback'));
  await apply(p.rule, () => (p.fallbackRule ? act(s, cp, T, 0, 'trigger') : act(s, cp, T)));
}

/**
 * A field rule: the fields of the rows it has ended are set to null (or their fixed masking value); the
 * rows stay. Rows with a marker keep their fields (counted as held). The rows the purpose rule acts on
 * this run are left out (in a run they are gone or overwritten already; a dry run counts the same rows).
 * Outcome: action 'mask', detail 'fields'.
 */
async function applyFieldRule(w: CollectionSweep, fr: FieldRulePlan, marked: boolean): Promise<void> {
  const { s, cp, T } = w;
  const which = () => sql`${actFields(s, cp, fr, T)} AND NOT ${act(s, cp, T)}`;
  if (marked)
    await countHeld(
      w,
      fr.rule,
      () => sql`${fieldExpired(s, fr, T)} AND ${pending(s, T, fr.overwrite)} AND NOT ${act(s, cp, T)}`,
    );
  const n = w.dryRun
    ? await w.count(which)
    : await w.execute(() => sql`UPDATE ${T} SET ${assignments(s, T, fr.overwrite)} WHERE ${which()}`);
  w.add(fr.rule, 'mask', 'fields', n);
}

/**
 * The rule's period after a withdrawal: rows holding an identity of a subject whose withdrawal has taken
 * effect are deleted (or overwritten, as the rule's action says), in batches of identities, set-based. A
 * dry run counts the distinct rows the same predicates select, so a row matched by both its e-mail address
 * and its phone number counts once, as the run deletes it once. Outcome: detail 'withdrawn'.
 */
async function applyWithdrawal(
  w: CollectionSweep,
  p: Purpose,
  identities: WithdrawnIdentity[],
): Promise<void> {
  const { s, cp, T, tx } = w;
  const plan = p.withdrawal!;
  const kinds = new Set(plan.identities.map((i) => i.kind));
  const relevant = identities.filter((i) => kinds.has(i.kind));
  let n = 0;
  const seen = new Set<string>();
  for (let i = 0; i < relevant.length; i += WITHDRAWAL_BATCH) {
    const batch = relevant.slice(i, i + WITHDRAWAL_BATCH);
    if (w.dryRun) {
      s.reset();
      const keys = await select<Row>(
        tx,
        sql`SELECT ${sql.join(cp.primaryKey.map((k) => sql`${T}.${sql.id(k)}`))} FROM ${T} WHERE ${actWithdrawn(s, cp, T, batch)}${
          p.action === 'delete' ? sql.empty : sql` AND ${pending(s, T, p.overwrite)}`
        }`,
      );
      for (const k of keys) seen.add(JSON.stringify(cp.primaryKey.map((f) => String(k[f]))));
    } else if (p.action === 'delete')
      n += await w.execute(() => sql`DELETE FROM ${T} WHERE ${actWithdrawn(s, cp, T, batch)}`);
    else
      n += await w.execute(
        () =>
          sql`UPDATE ${T} SET ${assignments(s, T, p.overwrite)} WHERE ${actWithdrawn(s, cp, T, batch)} AND ${pending(s, T, p.overwrite)}`,
      );
  }
  if (w.dryRun) n = seen.size;
  w.add(p.rule, p.action, 'withdrawn', n);
}
