/**
 * Retention arithmetic: how long a record is kept after the event that starts its retention period (the
 * trigger: a contract ended, a financial year closed, consent was withdrawn …), and whether it may be
 * erased yet. Pure: no clock, no I/O; pass `today` in.
 *
 * Periods are ISO 8601 durations in years, months, weeks and days ('P7Y', 'P13M', 'P30D', 'P2Y6M').
 * They are counted like the deadlines (Regulation 1182/71 Art. 3): the trigger day does not count, and the
 * period ends on the day with the same number in the last month, or that month's last day when it has no
 * such day. So the result is the last day the record is kept; it may be erased from the next day.
 */
import { OmbudError } from '../errors.ts';
import {
  addDays,
  addMonthsClamped,
  endOfCalendarYear,
  endOfMonth,
  type IsoDate,
  isIsoDate,
  parseIsoDate,
} from '../deadlines/iso-date.ts';

export type { IsoDate } from '../deadlines/iso-date.ts';

export type IsoDuration = { years: number; months: number; weeks: number; days: number };

/** Thrown by `parseIsoDuration`; `code` is 'invalid-iso-duration'. */
export class InvalidDurationError extends OmbudError {
  readonly input: string;

  constructor(input: string, problem: string, hint: string) {
    super('validation', 'invalid-iso-duration', `'${input}' is not a valid retention period: ${problem}`, {
      issues: [{ path: ['duration'], message: problem, hint }],
      hint,
    });
    this.name = 'InvalidDurationError';
    this.input = input;
  }
}

const DURATION = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$/;
const EXAMPLES = "e.g. 'P7Y' (7 years), 'P13M', 'P2Y6M' or 'P30D'";

/**
 * Parses an ISO 8601 duration made of whole years, months, weeks and days. Refuses time parts ('PT12H'),
 * fractions, signs, parts out of order and empty durations, saying what to write instead.
 */
export function parseIsoDuration(text: string): IsoDuration {
  if (typeof text !== 'string') {
    throw new InvalidDurationError(
      String(text),
      'it is not text.',
      `Write an ISO 8601 duration, ${EXAMPLES}.`,
    );
  }
  const input = text.trim();
  const m = DURATION.exec(input);
  if (m && (m[1] ?? m[2] ?? m[3] ?? m[4]) !== undefined) {
    const n = (s: string | undefined) => (s === undefined ? 0 : Number(s));
    const duration = { years: n(m[1]), months: n(m[2]), weeks: n(m[3]), days: n(m[4]) };
    if (
      duration.years > 1000 ||
      duration.months > 12_000 ||
      duration.weeks > 52_000 ||
      duration.days > 365_000
    ) {
      throw new InvalidDurationError(
        text,
        'it is longer than a thousand years.',
        `Give a period a record can really be kept for, ${EXAMPLES}.`,
      );
    }
    return duration;
  }
  const upper = input.toUpperCase();
  let problem: string;
  let hint = `Write an ISO 8601 duration, ${EXAMPLES}.`;
  if (input === '') {
    problem = 'it is empty.';
  } else if (/^[+-]/.test(input)) {
    problem = 'a retention period cannot have a sign.';
    hint = `Leave out the sign, ${EXAMPLES}.`;
  } else if (!upper.startsWith('P')) {
    problem = "an ISO 8601 duration starts with 'P'.";
    hint = /^\d+$/.test(input)
      ? `Say the unit: 'P${input}D' for ${input} days or 'P${input}Y' for years.`
      : hint;
  } else if (upper.includes('T')) {
    problem = 'retention is counted in whole days, so it cannot have a time part (T…H, M or S).';
    hint = `Use years, months, weeks or days, ${EXAMPLES}.`;
  } else if (/[.,]/.test(input)) {
    problem = 'the numbers must be whole.';
    hint = "Use a smaller unit instead of a fraction: 'P18M' rather than 'P1.5Y'.";
  } else if (upper === 'P') {
    problem = "it has no length after 'P'.";
  } else if (input !== upper && DURATION.test(upper)) {
    problem = 'the letters must be capitals.';
    hint = `Write '${upper}'.`;
  } else if (/^P(\d+[YMWD])+$/.test(upper)) {
    problem = 'the parts must come in the order years, months, weeks, days, each at most once.';
    hint = "Write e.g. 'P2Y6M', not 'P6M2Y'.";
  } else {
    problem = 'only whole numbers of years (Y), months (M), weeks (W) and days (D) are understood.';
  }
  throw new InvalidDurationError(text, problem, hint);
}

/** The canonical text of a duration, e.g. { years: 2, months: 6 } → 'P2Y6M'; all zero → 'P0D'. */
export function formatIsoDuration(d: IsoDuration): string {
  const parts = [
    d.years ? `${d.years}Y` : '',
    d.months ? `${d.months}M` : '',
    d.weeks ? `${d.weeks}W` : '',
    d.days ? `${d.days}D` : '',
  ].join('');
  return `P${parts || '0D'}`;
}

export type RetentionRounding = 'none' | 'end-of-calendar-year' | 'end-of-month';

export type RetentionInput = {
  /** The day of the event the period runs from; it does not count itself. */
  trigger: IsoDate;
  /** An ISO 8601 duration ('P7Y') or a parsed one. */
  duration: string | IsoDuration;
  /** Extend the end to the end of its month or calendar year, only where the rule says so. Default 'none'. */
  roundTo?: RetentionRounding;
};

/**
 * The last day a record is kept: `trigger` plus `duration` (years and months first, keeping the day number
 * or falling back to the month's last day, then weeks and days), then rounded as asked.
 */
export function retentionEndDate({ trigger, duration, roundTo = 'none' }: RetentionInput): IsoDate {
  parseIsoDate(trigger, 'trigger');
  const d = typeof duration === 'string' ? parseIsoDuration(duration) : checkDuration(duration);
  if (roundTo !== 'none' && roundTo !== 'end-of-month' && roundTo !== 'end-of-calendar-year') {
    throw new OmbudError('validation', 'invalid-rounding', `Unknown rounding '${String(roundTo)}'.`, {
      hint: "Use 'none', 'end-of-month' or 'end-of-calendar-year'.",
    });
  }
  const afterMonths = inRange(addMonthsClamped(trigger, d.years * 12 + d.months), trigger);
  const end = inRange(addDays(afterMonths, d.weeks * 7 + d.days), trigger);
  if (roundTo === 'end-of-month') return endOfMonth(end);
  if (roundTo === 'end-of-calendar-year') return endOfCalendarYear(end);
  return end;
}

function inRange(date: IsoDate, trigger: IsoDate): IsoDate {
  if (!isIsoDate(date)) {
    throw new OmbudError(
      'validation',
      'retention-out-of-range',
      `Retention from ${trigger} ends after year 9999.`,
      {
        hint: 'Check the trigger date and the period.',
      },
    );
  }
  return date;
}

function checkDuration(d: IsoDuration): IsoDuration {
  const parts = [d?.years, d?.months, d?.weeks, d?.days];
  if (!parts.every((v) => Number.isInteger(v) && v >= 0)) {
    throw new InvalidDurationError(
      JSON.stringify(d),
      'years, months, weeks and days must each be a whole number of 0 or more.',
      `Give each part as a whole number, or write the period as text, ${EXAMPLES}.`,
    );
  }
  return parseIsoDuration(formatIsoDuration(d));
}

export type RetentionWindow = {
  /** The last day the record must be kept. */
  keepThrough: IsoDate;
  /** The first day the record may (and, unless another purpose applies, must) be erased. */
  erasableFrom: IsoDate;
};

const windowEnding = (keepThrough: IsoDate): RetentionWindow => ({
  keepThrough,
  erasableFrom: addDays(keepThrough, 1),
});

/** `retentionEndDate` with the first day of erasure alongside. */
export function retentionWindow(input: RetentionInput): RetentionWindow {
  return windowEnding(retentionEndDate(input));
}

/**
 * Sweden, Bokföringslagen (1999:1078) 7 kap. 2 §: räkenskapsinformation is kept until the end of the
 * seventh year after the end of the calendar year in which the financial year closed.
 * FY closing 2024-12-31 → kept through 2031-12-31; FY closing 2025-06-30 → kept through 2032-12-31.
 */
export function swedishBookkeepingEnd(financialYearEnd: IsoDate): RetentionWindow {
  parseIsoDate(financialYearEnd, 'financialYearEnd');
  return windowEnding(retentionEndDate({ trigger: endOfCalendarYear(financialYearEnd), duration: 'P7Y' }));
}

export type NorwegianBookkeepingMaterial =
  /** Annual accounts and reports, specifications, documentation of entries and of the balance: 5 years. */
  | 'accounting'
  /** Agreements, correspondence, packing slips, price lists: 3 years 6 months. */
  | 'supplementary';

/**
 * Norway, bokføringsloven § 13 second paragraph: regnskapsmateriale is kept for five years after the end
 * of the financial year (FY end 2024-12-31 → kept through 2029-12-31), with no rounding to a calendar year.
 * Agreements, correspondence, packing slips and price lists need only three years and six months.
 */
export function norwegianBookkeepingEnd(
  financialYearEnd: IsoDate,
  material: NorwegianBookkeepingMaterial = 'accounting',
): RetentionWindow {
  parseIsoDate(financialYearEnd, 'financialYearEnd');
  const duration = material === 'supplementary' ? 'P3Y6M' : 'P5Y';
  return windowEnding(retentionEndDate({ trigger: financialYearEnd, duration }));
}

/** True while `today` is on or before `endDate`, the last day the record must be kept. */
export function isUnderRetention(endDate: IsoDate, today: IsoDate): boolean {
  parseIsoDate(endDate, 'endDate');
  parseIsoDate(today, 'today');
  return today <= endDate;
}
