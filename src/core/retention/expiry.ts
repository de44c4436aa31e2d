/**
 * When has a row's retention ended? The retention sweep asks this once per rule and day, not once per row:
 * because the first erasable day grows with the trigger date (adding a period, rounding to a month or year
 * never goes backwards), the rows whose period has ended are exactly those whose trigger date is on or
 * before one cut-off date, found here by bisection over `retentionEndDate`. The database then selects
 * them set-based (`WHERE trigger < day after cut-off`). Pure: `today` is passed in.
 */
import { addDays, daysBetween, type IsoDate, parseIsoDate } from '../deadlines/iso-date.ts';
import { type Collection, conditionValues } from '../fulfilment/dataset.ts';
import type { RetentionRule } from '../register/schema.ts';
import { retentionEndDate } from './retention.ts';

/** The financial year that `date` falls in ends on `fyEnd` ('MM-DD') of this or the next year. */
export function financialYearEndOf(date: IsoDate, fyEnd = '12-31'): IsoDate {
  const year = Number(date.slice(0, 4));
  const candidate = `${date.slice(0, 4)}-${fyEnd}`;
  return date <= candidate ? candidate : `${String(year + 1).padStart(4, '0')}-${fyEnd}`;
}

/**
 * The first day a row may be erased under `rule`, from its trigger date (for a rule counted from the
 * financial year end, the trigger is a date within the year, e.g. the invoice date). The erasure engine
 * gives a kept row this day (`splitByRetention`).
 */
export function erasableFrom(
  rule: Pick<RetentionRule, 'duration' | 'trigger' | 'roundTo'>,
  triggerDate: IsoDate,
  fyEnd = '12-31',
): IsoDate {
  const trigger =
    rule.trigger === 'financial-year-end' ? financialYearEndOf(triggerDate, fyEnd) : triggerDate;
  return addDays(retentionEndDate({ trigger, duration: rule.duration, roundTo: rule.roundTo }), 1);
}

const FIRST_DAY: IsoDate = '0001-01-01';

/**
 * The last trigger date whose period has ended by `today` (the row may be erased today), or null when no
 * trigger date has (the period is longer than the calendar). `firstErasable` must not decrease as its
 * trigger grows; `erasableFrom` does not.
 */
export function lastEndedTrigger(
  today: IsoDate,
  firstErasable: (trigger: IsoDate) => IsoDate,
): IsoDate | null {
  parseIsoDate(today, 'today');
  const ended = (d: IsoDate) => {
    try {
      return firstErasable(d) <= today;
    } catch {
      return false; // past year 9999: not ended
    }
  };
  if (!ended(FIRST_DAY)) return null;
  // Invariant: ended(FIRST_DAY + lo) and !ended(FIRST_DAY + hi). A period of 0 days ends the day after.
  let lo = 0;
  let hi = daysBetween(FIRST_DAY, today);
  if (ended(today)) return today;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (ended(addDays(FIRST_DAY, mid))) lo = mid;
    else hi = mid;
  }
  return addDays(FIRST_DAY, lo);
}

/**
 * The cut-off of a rule on `today`: rows whose trigger date is before `before` have reached the end of
 * their period (`before` is the day after the last ended trigger date); null: no row has.
 */
export function expiredBefore(
  rule: Pick<RetentionRule, 'duration' | 'trigger' | 'roundTo'>,
  today: IsoDate,
  fyEnd = '12-31',
): IsoDate | null {
  const last = lastEndedTrigger(today, (d) => erasableFrom(rule, d, fyEnd));
  return last === null ? null : addDays(last, 1);
}

type Row = Record<string, unknown>;

/** Rows a legal rule keeps, with the rule and the first day they may be erased. */
export type Kept<R extends Row = Row> = { rule: string; eraseOn: IsoDate; rows: R[] };

/**
 * Split a collection's rows into those a legal rule keeps (grouped by rule and date) and the rest: the
 * collection's annotation (`ombud.retention`) says which rule a row falls under and which column its
 * period runs from; a row whose period has ended by `today` is not kept.
 */
export function splitByRetention<R extends Row>(
  collection: Pick<Collection, 'ombud'>,
  rows: R[],
  rules: Map<string, RetentionRule>,
  today: IsoDate,
): { kept: Kept<R>[]; erase: R[] } {
  const r = collection.ombud?.retention;
  if (!r) return { kept: [], erase: rows };
  const groups = new Map<string, Kept<R>>();
  const erase: R[] = [];
  for (const row of rows) {
    const match = r.rules.find((x) => !x.when || conditionValues(x.when).includes(String(row[x.when.field])));
    const rule = match ? rules.get(match.rule) : undefined;
    if (rule?.kind !== 'legal') {
      erase.push(row);
      continue;
    }
    const trigger = String(row[r.trigger_field]).slice(0, 10) as IsoDate;
    const eraseOn = erasableFrom(rule, trigger, r.financial_year_end);
    if (eraseOn <= today) {
      erase.push(row);
      continue;
    }
    const key = `${rule.id} ${eraseOn}`;
    if (!groups.has(key)) groups.set(key, { rule: rule.id, eraseOn, rows: [] });
    groups.get(key)!.rows.push(row);
  }
  return { kept: [...groups.values()], erase };
}
