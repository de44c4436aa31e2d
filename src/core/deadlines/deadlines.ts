/**
 * Deadlines for data subject requests (GDPR Art. 12(3)), computed the way EU law counts time:
 * Regulation (EEC, Euratom) No 1182/71 determining the rules applicable to periods, dates and time limits.
 *
 * - The day of receipt does not count (Art. 3(1)); a period in months ends on the day of the last month
 *   with the same number as the day of receipt, or on that month's last day when there is no such day
 *   (Art. 3(2)(c)).
 * - When the last day is a public holiday, a Saturday or a Sunday, the period ends at the end of the
 *   following working day (Art. 3(4)). Public holidays are those of the controller's country
 *   (Art. 2(1)), taken from date-holidays, type 'public' only, at national level (regional holidays such
 *   as a German Land's are not counted, which can only make a deadline earlier, never later).
 * - Sweden: Lag (1930:173) om beräkning av lagstadgad tid, 2 §, treats midsommarafton, julafton and
 *   nyårsafton like a Sunday when a statutory time limit ends. date-holidays reports these three as
 *   'bank' holidays, not 'public' ones, while every employer and authority is closed on them. We treat
 *   them as non-working days for SE, so a deadline falling on one moves to the next working day, as a
 *   Swedish court or IMY counts it. No other 'bank', 'observance' or 'optional' day counts: påskafton and
 *   pingstafton always fall on a Saturday anyway; trettondagsafton, valborgsmässoafton, allhelgonaafton
 *   are half days at most; annandag pingst has not been a public holiday since 2005.
 * - Norway: domstolloven § 149 moves a time limit ending on a Saturday, a helgedag or a day the law
 *   treats as one (1 and 17 May). Julaften and nyttårsaften are not among them (date-holidays: 'bank'),
 *   so for NO only the 'public' days count.
 *
 * Calendar dates are `YYYY-MM-DD` strings; a request's receipt is an instant plus the controller's IANA
 * time zone, which fixes the local date of receipt. Nothing here reads the clock: pass `now` in.
 */
import Holidays from 'date-holidays';
import { OmbudError } from '../errors.ts';
import {
  addDays,
  addMonthsClamped,
  assertTimeZone,
  daysBetween,
  type IsoDate,
  isoWeekday,
  localDate,
  minIsoDate,
  parseIsoDate,
} from './iso-date.ts';

export type { IsoDate } from './iso-date.ts';

/** The controller must answer within one month of receipt (Art. 12(3), first sentence). */
export const LEGAL_RESPONSE_MONTHS = 1;
/** One month plus at most two further months (Art. 12(3), second sentence). */
export const LEGAL_MAX_MONTHS = 3;

/**
 * Regulation 1182/71 Art. 3(2)(c): the period of `months` months that runs from `date` ends on the day of
 * the last month with the same number as `date`; where there is no such day, on the month's last day.
 * 2026-01-31 + 1 = 2026-02-28; 2028-01-31 + 1 = 2028-02-29; 2026-03-31 + 1 = 2026-04-30.
 * The working-day rule is not applied here: see `nextWorkingDay`.
 */
export function addMonthsRegulation1182(date: IsoDate, months: number): IsoDate {
  if (!Number.isInteger(months) || months < 0) {
    throw new OmbudError('validation', 'invalid-months', `A period of ${months} months cannot be counted.`, {
      hint: 'Give the period as a whole number of months, 0 or more.',
    });
  }
  return addMonthsClamped(date, months);
}

// ---------------------------------------------------------------------------------------------------
// Working days

/**
 * Days that date-holidays does not type 'public' but that the country's own rule for time limits treats
 * like a Sunday. Matched on the English holiday name date-holidays gives, per country.
 */
const EXTRA_NON_WORKING: Record<string, ReadonlySet<string>> = {
  // Lag (1930:173) om beräkning av lagstadgad tid 2 §.
  SE: new Set(['Midsummer Eve', 'Christmas Eve', "New Year's Eve"]),
};

let supportedCountries: ReadonlySet<string> | undefined;
const calendars = new Map<string, Holidays>();
const nonWorkingByYear = new Map<string, Map<IsoDate, string>>();

function normaliseCountry(country: string): string {
  const code = String(country ?? '')
    .trim()
    .toUpperCase();
  supportedCountries ??= new Set(Object.keys(new Holidays().getCountries()));
  if (!supportedCountries.has(code)) {
    throw new OmbudError(
      'validation',
      'unsupported-country',
      `No public holiday calendar for country '${country}'.`,
      {
        issues: [
          { path: ['country'], message: 'Expected an ISO 3166-1 alpha-2 country code such as SE or NO.' },
        ],
        hint: "Give the controller's country as a two-letter code, e.g. 'SE', 'NO', 'DK', 'FI', 'DE'.",
      },
    );
  }
  return code;
}

function calendarFor(country: string): Holidays {
  let h = calendars.get(country);
  if (!h) {
    h = new Holidays(country);
    calendars.set(country, h);
  }
  return h;
}

/** Non-working days other than weekends for one country and year, each with the holiday's name. */
function holidaysOf(country: string, year: number): Map<IsoDate, string> {
  const key = `${country}:${year}`;
  let days = nonWorkingByYear.get(key);
  if (!days) {
    days = new Map();
    const extra = EXTRA_NON_WORKING[country];
    for (const h of calendarFor(country).getHolidays(year, 'en')) {
      if (h.type === 'public' || extra?.has(h.name)) {
        const date = h.date.slice(0, 10);
        if (!days.has(date)) days.set(date, h.name);
      }
    }
    nonWorkingByYear.set(key, days);
  }
  return days;
}

/**
 * Why `date` is not a working day in `country` ('Saturday', 'Sunday' or the holiday's English name), or
 * `undefined` when it is one.
 */
export function nonWorkingReason(date: IsoDate, country: string): string | undefined {
  const { year } = parseIsoDate(date);
  const code = normaliseCountry(country);
  const holiday = holidaysOf(code, year).get(date);
  if (holiday) return holiday;
  const weekday = isoWeekday(date);
  if (weekday === 6) return 'Saturday';
  if (weekday === 7) return 'Sunday';
  return undefined;
}

export function isWorkingDay(date: IsoDate, country: string): boolean {
  return nonWorkingReason(date, country) === undefined;
}

/**
 * Regulation 1182/71 Art. 3(4): the last day of a period if it is a working day in `country`, otherwise
 * the first working day after it.
 */
export function nextWorkingDay(date: IsoDate, country: string): IsoDate {
  let day = date;
  // A run of non-working days is never longer than a couple of weeks; the bound guards bad data.
  for (let i = 0; i < 60; i++) {
    if (isWorkingDay(day, country)) return day;
    day = addDays(day, 1);
  }
  throw new Error(`No working day in ${country} within 60 days after ${date}`);
}

// ---------------------------------------------------------------------------------------------------
// Due dates

export type Receipt = {
  /** When the request reached the controller. */
  receivedAt: Date;
  /** The controller's IANA time zone, e.g. 'Europe/Stockholm'; fixes the local date of receipt. */
  timeZone: string;
};

/** The calendar date of receipt in the controller's time zone. */
export function receiptDate({ receivedAt, timeZone }: Receipt): IsoDate {
  return localDate(receivedAt, timeZone);
}

/** The legal due date: one month after the local date of receipt, moved to a working day (Art. 12(3)). */
export function legalDueDate({ receivedAt, timeZone, country }: Receipt & { country: string }): IsoDate {
  return nextWorkingDay(
    addMonthsRegulation1182(receiptDate({ receivedAt, timeZone }), LEGAL_RESPONSE_MONTHS),
    country,
  );
}

function assertPositiveInteger(value: number, code: string, what: string, hint: string): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new OmbudError('validation', code, `${what} must be a whole number of 1 or more, got ${value}.`, {
      hint,
    });
  }
}

/**
 * The date a privacy notice promises: `days` calendar days after the local date of receipt. A promise is
 * the controller's own word, so it is not moved off weekends or holidays.
 */
export function promisedDueDate({ receivedAt, timeZone, days }: Receipt & { days: number }): IsoDate {
  assertPositiveInteger(
    days,
    'invalid-promised-days',
    'The promised number of days',
    'Promise e.g. 30 days.',
  );
  return addDays(receiptDate({ receivedAt, timeZone }), days);
}

export type DueDateBasis = 'legal' | 'promise';

export type DueDate = {
  /** The date to answer by: the earlier of the legal and the promised due date. */
  dueDate: IsoDate;
  legalDueDate: IsoDate;
  promisedDueDate?: IsoDate;
  /** Which of the two set `dueDate`; 'legal' when they fall on the same day. */
  basis: DueDateBasis;
};

/** The due date of a request: the legal month, or the notice's promise of `promisedDays` days if earlier. */
export function dueDate(input: Receipt & { country: string; promisedDays?: number }): DueDate {
  const legal = legalDueDate(input);
  if (input.promisedDays === undefined) return { dueDate: legal, legalDueDate: legal, basis: 'legal' };
  const promised = promisedDueDate({ ...input, days: input.promisedDays });
  return {
    dueDate: minIsoDate(legal, promised),
    legalDueDate: legal,
    promisedDueDate: promised,
    basis: promised < legal ? 'promise' : 'legal',
  };
}

export type MaxExtendedDueDate = {
  /** The latest date an extension may set: the earlier of the legal and the promised maximum. */
  maxDueDate: IsoDate;
  legalMaxDueDate: IsoDate;
  promisedMaxDueDate?: IsoDate;
  basis: DueDateBasis;
};

/**
 * The latest due date an extension may reach. The law allows two further months, three in all from
 * receipt (Art. 12(3)); a notice may promise fewer (`promisedMaxMonths`, 1–3). Both end on a working day.
 */
export function maxExtendedDueDate(
  input: Receipt & { country: string; promisedMaxMonths?: number },
): MaxExtendedDueDate {
  const received = receiptDate(input);
  const atMonths = (months: number) =>
    nextWorkingDay(addMonthsRegulation1182(received, months), input.country);
  const legal = atMonths(LEGAL_MAX_MONTHS);
  const { promisedMaxMonths } = input;
  if (promisedMaxMonths === undefined) return { maxDueDate: legal, legalMaxDueDate: legal, basis: 'legal' };
  if (!Number.isInteger(promisedMaxMonths) || promisedMaxMonths < 1 || promisedMaxMonths > LEGAL_MAX_MONTHS) {
    throw new OmbudError(
      'validation',
      'invalid-promised-months',
      `A notice cannot promise an answer within at most ${promisedMaxMonths} months: the law allows 1 to ${LEGAL_MAX_MONTHS}.`,
      {
        hint: `Promise a whole number of months from 1 to ${LEGAL_MAX_MONTHS}, or leave it out to use the law.`,
      },
    );
  }
  const promised = atMonths(promisedMaxMonths);
  return {
    maxDueDate: minIsoDate(legal, promised),
    legalMaxDueDate: legal,
    promisedMaxDueDate: promised,
    basis: promised < legal ? 'promise' : 'legal',
  };
}

// ---------------------------------------------------------------------------------------------------
// Extensions

export type ExtensionRefusalCode =
  | 'extension-too-late'
  | 'extension-beyond-maximum'
  | 'extension-reason-missing'
  | 'extension-not-later';

export type ExtensionCheck =
  | { ok: true; dueDate: IsoDate; reason: string }
  | { ok: false; code: ExtensionRefusalCode; message: string };

export type ExtensionInput = {
  now: Date;
  /** The controller's IANA time zone: the current due date ends at midnight there. */
  timeZone: string;
  currentDueDate: IsoDate;
  requestedDueDate: IsoDate;
  /** From `maxExtendedDueDate(...).maxDueDate`. */
  maxDueDate: IsoDate;
  /** Why more time is needed; Art. 12(3) requires telling the data subject. */
  reason?: string | null;
};

/**
 * Whether the due date of a request may be moved from `currentDueDate` to `requestedDueDate`. Checked in
 * this order: the current due date must not have ended, the new date must be later and within the
 * maximum, and there must be a reason to give the data subject.
 */
export function checkExtension(input: ExtensionInput): ExtensionCheck {
  const { now, timeZone, currentDueDate, requestedDueDate, maxDueDate } = input;
  parseIsoDate(currentDueDate, 'currentDueDate');
  parseIsoDate(requestedDueDate, 'requestedDueDate');
  parseIsoDate(maxDueDate, 'maxDueDate');
  const today = localDate(now, timeZone);
  if (today > currentDueDate) {
    return {
      ok: false,
      code: 'extension-too-late',
      message:
        `The due date ${currentDueDate} has passed (it is ${today} in ${timeZone}), so it can no longer be ` +
        'extended: GDPR Art. 12(3) requires the data subject to be told of an extension within the ' +
        'original period. Answer the request now, and record why it was late.',
    };
  }
  if (requestedDueDate <= currentDueDate) {
    return {
      ok: false,
      code: 'extension-not-later',
      message:
        `The requested due date ${requestedDueDate} is not later than the current due date ${currentDueDate}. ` +
        `Choose a date after ${currentDueDate} and no later than ${maxDueDate}, or keep the current due date.`,
    };
  }
  if (requestedDueDate > maxDueDate) {
    return {
      ok: false,
      code: 'extension-beyond-maximum',
      message:
        `The requested due date ${requestedDueDate} is later than the latest allowed, ${maxDueDate} ` +
        '(GDPR Art. 12(3) and the privacy notice limit how far an answer may be delayed). ' +
        `Choose a date on or before ${maxDueDate}.`,
    };
  }
  const reason = (input.reason ?? '').trim();
  if (reason === '') {
    return {
      ok: false,
      code: 'extension-reason-missing',
      message:
        'An extension needs a reason: GDPR Art. 12(3) requires telling the data subject why the answer is ' +
        'delayed. Write the reason, e.g. the complexity or the number of requests.',
    };
  }
  return { ok: true, dueDate: requestedDueDate, reason };
}

// ---------------------------------------------------------------------------------------------------
// Status

/**
 * Calendar days from today in `timeZone` to `due`: 0 on the due date, negative once it has passed
 * (a due date ends at midnight at its end in the controller's time zone).
 */
export function daysUntil(due: IsoDate, now: Date, timeZone: string): number {
  parseIsoDate(due, 'due');
  assertTimeZone(timeZone);
  return daysBetween(localDate(now, timeZone), due);
}

export type DueStatus = 'on-track' | 'due-soon' | 'overdue';

/** 'overdue' after the due date, 'due-soon' within `dueSoonDays` days of it (the day itself included). */
export function dueStatus(due: IsoDate, now: Date, timeZone: string, dueSoonDays = 5): DueStatus {
  const left = daysUntil(due, now, timeZone);
  if (left < 0) return 'overdue';
  if (left <= dueSoonDays) return 'due-soon';
  return 'on-track';
}
