/**
 * Dates and other values as a customer reads them, in en, sv or nb (Intl, no I/O): "6 January 2027",
 * "6 januari 2027", "6. januar 2027"; money from minor units with its currency ("2 694,27 kr"), moments in
 * the customer's time zone, country names, yes/no, lists ("a, b and c"). Calendar dates (YYYY-MM-DD) carry
 * no time zone and are shown as written.
 */
import type { Language } from './register/schema.ts';

export const LOCALES: Record<Language, string> = { en: 'en-GB', sv: 'sv-SE', nb: 'nb-NO' };

const cache = new Map<
  string,
  Intl.DateTimeFormat | Intl.NumberFormat | Intl.DisplayNames | Intl.ListFormat
>();
function cached<T extends Intl.DateTimeFormat | Intl.NumberFormat | Intl.DisplayNames | Intl.ListFormat>(
  key: string,
  make: () => T,
): T {
  let f = cache.get(key) as T | undefined;
  if (!f) {
    f = make();
    cache.set(key, f);
  }
  return f;
}

/** A calendar date (YYYY-MM-DD) in words in the language; anything else is returned as it is. */
export function dateInWords(isoDate: string, lang: Language): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate);
  if (!m) return isoDate;
  const f = cached(
    `date:${lang}`,
    () =>
      new Intl.DateTimeFormat(LOCALES[lang], {
        day: 'numeric',
        month: 'long',
        year: 'numeric',
        timeZone: 'UTC',
      }),
  );
  return f.format(new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))));
}

/** The time zone a customer of a company in this country lives in (the company's own, as a default). */
const TIME_ZONES: Record<string, string> = {
  SE: 'Europe/Stockholm',
  NO: 'Europe/Oslo',
  DK: 'Europe/Copenhagen',
  FI: 'Europe/Helsinki',
  DE: 'Europe/Berlin',
  IE: 'Europe/Dublin',
  GB: 'Europe/London',
};
export const timeZoneOf = (country: string | undefined): string =>
  (country && TIME_ZONES[country]) ?? 'Europe/Stockholm';

/** The currency a company of this country invoices in. */
const CURRENCIES: Record<string, string> = { SE: 'SEK', NO: 'NOK', DK: 'DKK', GB: 'GBP', CH: 'CHF' };
export const currencyOf = (country: string | undefined): string => (country && CURRENCIES[country]) ?? 'EUR';

/** A moment (a Date or an ISO timestamp) as date and time in the time zone: "3 March 2026, 14:05". */
export function timestampInWords(value: Date | string, lang: Language, timeZone: string): string {
  const d = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  return cached(
    `ts:${lang}:${timeZone}`,
    () =>
      new Intl.DateTimeFormat(LOCALES[lang], {
        day: 'numeric',
        month: 'long',
        year: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
        timeZone,
      }),
  ).format(d);
}

/** A moment's calendar day in the time zone, in words ("3 March 2026"). */
export function dayInWords(value: Date | string, lang: Language, timeZone: string): string {
  const d = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  return cached(
    `day:${lang}:${timeZone}`,
    () =>
      new Intl.DateTimeFormat(LOCALES[lang], { day: 'numeric', month: 'long', year: 'numeric', timeZone }),
  ).format(d);
}

/** An amount in minor units (cents, öre) with its currency: 269427 SEK → "2 694,27 kr" (sv). */
export function moneyInWords(minorUnits: number, currency: string, lang: Language): string {
  return cached(
    `money:${lang}:${currency}`,
    () => new Intl.NumberFormat(LOCALES[lang], { style: 'currency', currency, currencyDisplay: 'symbol' }),
  ).format(minorUnits / 100);
}

/** A number as the language writes it ("1 234" in sv). */
export const numberInWords = (n: number, lang: Language): string =>
  cached(`num:${lang}`, () => new Intl.NumberFormat(LOCALES[lang])).format(n);

/** A country's name from its ISO 3166-1 alpha-2 code ("NO" → "Norge"); an unknown code as it is. */
export function countryInWords(code: string, lang: Language): string {
  if (!/^[A-Za-z]{2}$/.test(code)) return code;
  return cached(`country:${lang}`, () => new Intl.DisplayNames([LOCALES[lang]], { type: 'region' })).of(
    code.toUpperCase(),
  ) as string;
}

const YES_NO: Record<Language, [string, string]> = {
  en: ['Yes', 'No'],
  sv: ['Ja', 'Nej'],
  nb: ['Ja', 'Nei'],
};
export const booleanInWords = (b: boolean, lang: Language): string => YES_NO[lang][b ? 0 : 1];

/** Items joined as the language joins them: "a, b and c", "a, b och c", "a, b og c". */
export const listInWords = (items: string[], lang: Language): string =>
  cached(
    `list:${lang}`,
    () => new Intl.ListFormat(LOCALES[lang], { style: 'long', type: 'conjunction' }),
  ).format(items);

/** A moment's calendar day (YYYY-MM-DD) in the time zone. */
export const isoDayIn = (d: Date, timeZone: string): string =>
  cached(`iso:${timeZone}`, () => new Intl.DateTimeFormat('en-CA', { timeZone })).format(d);
