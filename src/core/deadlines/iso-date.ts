/**
 * Calendar dates as plain `YYYY-MM-DD` strings, and the little arithmetic the deadline and
 * retention rules need. Pure: no clock, no I/O. Instants (Date) only enter through
 * `localDate`, which turns an instant into the calendar date in an IANA time zone.
 */
import { OmbudError } from '../errors.ts';

/** A calendar date `YYYY-MM-DD` (proleptic Gregorian, years 0001–9999). */
export type IsoDate = string;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

export type DateParts = { year: number; month: number; day: number };

export const isLeapYear = (year: number): boolean => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

/** Number of days in `month` (1–12) of `year`. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** True when `value` is a real calendar date written `YYYY-MM-DD`. */
export function isIsoDate(value: unknown): value is IsoDate {
  if (typeof value !== 'string') return false;
  const m = ISO_DATE.exec(value);
  if (!m) return false;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  return year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/** Splits a date into numbers; throws `invalid-date` for anything that is not a real `YYYY-MM-DD` date. */
export function parseIsoDate(value: IsoDate, field = 'date'): DateParts {
  if (!isIsoDate(value)) {
    throw new OmbudError(
      'validation',
      'invalid-date',
      `${field} '${String(value)}' is not a calendar date.`,
      {
        issues: [{ path: [field], message: 'Expected a date written YYYY-MM-DD, e.g. 2026-03-31.' }],
        hint: 'Write the date as YYYY-MM-DD with a month 01–12 and a day that exists in that month.',
      },
    );
  }
  return {
    year: Number(value.slice(0, 4)),
    month: Number(value.slice(5, 7)),
    day: Number(value.slice(8, 10)),
  };
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

export function formatIsoDate({ year, month, day }: DateParts): IsoDate {
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

const toEpochDay = ({ year, month, day }: DateParts): number => {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  return Math.round(d.getTime() / DAY_MS);
};

const fromEpochDay = (epochDay: number): DateParts => {
  const d = new Date(epochDay * DAY_MS);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
};

/** `date` plus `days` calendar days (negative to go back). */
export function addDays(date: IsoDate, days: number): IsoDate {
  if (!Number.isInteger(days)) throw new RangeError(`days must be an integer, got ${days}`);
  return formatIsoDate(fromEpochDay(toEpochDay(parseIsoDate(date)) + days));
}

/**
 * `date` plus whole `months`, keeping the day number; when the target month is shorter the result
 * is its last day (Jan 31 + 1 month = Feb 28, or Feb 29 in a leap year).
 */
export function addMonthsClamped(date: IsoDate, months: number): IsoDate {
  if (!Number.isInteger(months)) throw new RangeError(`months must be an integer, got ${months}`);
  const { year, month, day } = parseIsoDate(date);
  const index = year * 12 + (month - 1) + months;
  const y = Math.floor(index / 12);
  const m = index - y * 12 + 1;
  return formatIsoDate({ year: y, month: m, day: Math.min(day, daysInMonth(y, m)) });
}

/** Calendar days from `from` to `to`: positive when `to` is later. */
export function daysBetween(from: IsoDate, to: IsoDate): number {
  return toEpochDay(parseIsoDate(to)) - toEpochDay(parseIsoDate(from));
}

/** ISO weekday: 1 = Monday … 7 = Sunday. */
export function isoWeekday(date: IsoDate): number {
  // 1970-01-01 was a Thursday (4).
  const epochDay = toEpochDay(parseIsoDate(date));
  return ((((epochDay + 3) % 7) + 7) % 7) + 1;
}

export const compareIsoDates = (a: IsoDate, b: IsoDate): number => (a < b ? -1 : a > b ? 1 : 0);
export const minIsoDate = (a: IsoDate, b: IsoDate): IsoDate => (a <= b ? a : b);
export const maxIsoDate = (a: IsoDate, b: IsoDate): IsoDate => (a >= b ? a : b);

export function endOfMonth(date: IsoDate): IsoDate {
  const { year, month } = parseIsoDate(date);
  return formatIsoDate({ year, month, day: daysInMonth(year, month) });
}

export function endOfCalendarYear(date: IsoDate): IsoDate {
  return formatIsoDate({ year: parseIsoDate(date).year, month: 12, day: 31 });
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
      });
    } catch {
      throw new OmbudError(
        'validation',
        'invalid-time-zone',
        `'${timeZone}' is not a known IANA time zone.`,
        {
          issues: [{ path: ['timeZone'], message: 'Expected an IANA time zone such as Europe/Stockholm.' }],
          hint: "Use the controller's IANA time zone name, e.g. 'Europe/Stockholm' or 'Europe/Oslo'.",
        },
      );
    }
    formatters.set(timeZone, f);
  }
  return f;
}

/** Throws `invalid-time-zone` unless `timeZone` is an IANA zone this runtime knows. */
export function assertTimeZone(timeZone: string): void {
  formatterFor(timeZone);
}

/** The calendar date that the instant `at` falls on in `timeZone` (an IANA name). */
export function localDate(at: Date, timeZone: string): IsoDate {
  if (!(at instanceof Date) || Number.isNaN(at.getTime())) {
    throw new OmbudError('validation', 'invalid-instant', 'The instant is not a valid date and time.', {
      hint: 'Pass a Date holding a real point in time.',
    });
  }
  const parts = formatterFor(timeZone).formatToParts(at);
  const get = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value);
  return formatIsoDate({ year: get('year'), month: get('month'), day: get('day') });
}
