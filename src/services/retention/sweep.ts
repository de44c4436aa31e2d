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
import type { CollectionPlan, DatasetPlan, Overwrite } from '../../core/retention/plan.ts';
import { type Sql, sql } from '../../storage/sql.ts';
import { change, select } from '../fulfilment/connectors/run.ts';
import type { SqlConnector } from '../fulfilment/connectors/types.ts';
import { ensureMarkerTable, MARKER_TABLE, markRestricted, type Row } from '../fulfilment/engine.ts';
import { KeyedHashPseudonym } from '../fulfilment/masking.ts';
import {
  act,
  assignments,
  blocked,
  due,
  dueNow,
  expired,
  hasMarker,
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
 * that ended; held: 'art-18' or 'retention'; blocked: 'referenced' or 'erase-due'; erase-due: delete|mask.
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

export const DONE_TABLE = 'ombud_retention_done';

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
};

async function tableExists(c: SqlConnector, table: string): Promise<boolean> {
  try {
    await c.query(`SELECT 1 AS x FROM ${c.quote(table)} WHERE 1 = 0`);
    return true;
  } catch {
    return false;
  }
}

/** The marker key column's collation, where the dialect needs it (MariaDB/MySQL); no query otherwise. */
async function keyCollationOf(c: SqlConnector): Promise<Pick<SweepContext, 'keyCollation'>> {
  const kc = await c.dialect.keyCollation((q) => select(c, q), MARKER_TABLE, 'row_key');
  return kc ? { keyCollation: kc } : {};
}

async function ensureDoneTable(c: SqlConnector): Promise<void> {
  await c.exec(
    `CREATE TABLE IF NOT EXISTS ${DONE_TABLE} (
       run_id VARCHAR(100) NOT NULL,
       dataset VARCHAR(100) NOT NULL,
       swept_for DATE NOT NULL,
       outcome TEXT NOT NULL,
       PRIMARY KEY (run_id, dataset)
     )`,
  );
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
    await ensureMarkerTable(c);
    await ensureDoneTable(c);
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
  };
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
        const found = await sweepCollection(tx, cp, collection, ctx, opts);
        out.push(...found);
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
      const other = await committedOutcome(c, opts.runId, plan.dataset).catch(() => undefined);
      if (other) return { outcomes: other, resumed: true };
    }
    throw err;
  }
}

async function sweepCollection(
  tx: SqlConnector,
  cp: CollectionPlan,
  collection: Collection,
  ctx: SweepContext,
  opts: SweepOptions,
): Promise<RetentionOutcome[]> {
  const s = new SweepSql(tx.dialect, ctx);
  const T = self(cp);
  const tbl = T;
  const out: RetentionOutcome[] = [];
  const add = (rule: string, action: OutcomeAction, detail: string, rows: number) => {
    if (rows > 0)
      out.push({
        system: cp.system,
        dataset: cp.dataset,
        collection: cp.collection,
        rule,
        action,
        detail,
        rows,
      });
  };
  // Each statement is built afresh (its aliases count from 1).
  const count = async (pred: () => Sql): Promise<number> => {
    s.reset();
    const [row] = await select<{ n: number | string }>(
      tx,
      sql`SELECT COUNT(*) AS n FROM ${tbl} WHERE ${pred()}`,
    );
    return Number(row?.n ?? 0);
  };
  const execute = async (statement: () => Sql): Promise<number> => {
    s.reset();
    return change(tx, statement());
  };

  // 1. Deferred erasure: rows kept under a rule whose first erasable day has come.
  if (ctx.markers) {
    const dueRules = await select<{ rule_id: string | null }>(
      tx,
      sql`SELECT DISTINCT rule_id FROM ${sql.raw(MARKER_TABLE)} WHERE collection_name = ${cp.collection} AND reason = 'retention'
          AND erase_on IS NOT NULL AND erase_on <= ${ctx.today}`,
    );
    for (const { rule_id } of dueRules) {
      const label = rule_id ?? '(no rule)';
      const mask = eraseMask(cp);
      if (cp.erase === 'delete')
        add(
          label,
          'blocked',
          'erase-due',
          await count(() => sql`${due(s, cp, T, rule_id)} AND ${blocked(s, cp, T)}`),
        );
      let n: number;
      if (opts.dryRun)
        n = await count(() =>
          cp.erase === 'delete'
            ? dueNow(s, cp, T, rule_id)
            : sql`${dueNow(s, cp, T, rule_id)} AND ${pending(s, T, mask)}`,
        );
      else if (cp.erase === 'delete')
        n = await execute(() => sql`DELETE FROM ${tbl} WHERE ${dueNow(s, cp, T, rule_id)}`);
      else
        n = await execute(
          () =>
            sql`UPDATE ${tbl} SET ${assignments(s, T, mask)} WHERE ${dueNow(s, cp, T, rule_id)} AND ${pending(s, T, mask)}`,
        );
      if (!opts.dryRun)
        // The markers go with the rows; a deleted collection's blocked rows keep theirs for the next run.
        await execute(
          () =>
            sql`DELETE FROM ${sql.raw(MARKER_TABLE)} WHERE collection_name = ${cp.collection} AND reason = 'retention'
               AND erase_on IS NOT NULL AND erase_on <= ${ctx.today}
               AND ${rule_id === null ? sql`rule_id IS NULL` : sql`rule_id = ${rule_id}`}${
                 cp.erase === 'delete'
                   ? sql` AND row_key NOT IN (SELECT ${keyExpr(s, cp, T)} FROM ${tbl} WHERE ${due(s, cp, T, rule_id)})`
                   : sql.empty
               }`,
        );
      add(label, 'erase-due', cp.erase, n);
    }
  }

  // 2. The purpose rule.
  const p = cp.purpose;
  if (!p?.expiredBefore) return out;
  add(
    p.rule,
    'held',
    'art-18',
    await count(() => sql`${expired(s, cp, T)} AND ${hasMarker(s, cp, T, 'art-18')}`),
  );
  add(
    p.rule,
    'held',
    'retention',
    await count(() => sql`${expired(s, cp, T)} AND ${heldUnderRule(s, cp, T)}`),
  );
  if (p.action === 'delete')
    add(
      p.rule,
      'blocked',
      'referenced',
      await count(
        () =>
          sql`${expired(s, cp, T)} AND NOT ${hasMarker(s, cp, T)} AND NOT ${legalKeeps(s, cp, T)} AND ${blocked(s, cp, T)}`,
      ),
    );

  if (p.legal.some((l) => l.keeps)) {
    const fields = [
      ...new Set([
        ...cp.primaryKey,
        ...p.legal.flatMap((l) => [l.triggerField, ...(l.when ? [l.when.field] : [])]),
      ]),
    ];
    s.reset();
    const rows = await select<Row>(
      tx,
      sql`SELECT ${sql.join(fields.map((f) => sql`${T}.${sql.id(f)}`))} FROM ${tbl} WHERE ${kept(s, cp, T)}`,
    );
    const split = splitByRetention(collection, rows, opts.rules, ctx.today);
    if (split.erase.length)
      throw new Error(
        `Retention of ${cp.dataset}.${cp.collection}: ${split.erase.length} rows selected as kept are not kept by the erasure engine's rule.`,
      );
    const perRule = new Map<string, number>();
    for (const g of split.kept) {
      if (!opts.dryRun)
        await markRestricted(tx, collection, g.rows, {
          requestId: `retention:${ctx.today}`,
          reason: 'retention',
          rule: g.rule,
          eraseOn: g.eraseOn,
        });
      perRule.set(g.rule, (perRule.get(g.rule) ?? 0) + g.rows.length);
    }
    for (const [rule, n] of perRule) add(rule, 'keep', p.rule, n);
  }

  let n: number;
  if (opts.dryRun) n = await count(() => act(s, cp, T));
  else if (p.action === 'delete') n = await execute(() => sql`DELETE FROM ${tbl} WHERE ${act(s, cp, T)}`);
  else
    n = await execute(() => sql`UPDATE ${tbl} SET ${assignments(s, T, p.overwrite)} WHERE ${act(s, cp, T)}`);
  add(p.rule, p.action, '', n);
  return out;
}
