/**
 * Dates and other values as a customer reads them, in en, sv or nb (Intl, no I/O): "6 January 2027",
 * "6 januari 2027", "6. januar 2027". Calendar dates (YYYY-MM-DD) carry no time zone and are shown as
 * written.
 */
import type { Language } from './register/schema.ts';

const LOCALES: Record<Language, string> = { en: 'en-GB', sv: 'sv-SE', nb: 'nb-NO' };

const dateFormats = new Map<Language, Intl.DateTimeFormat>();

/** A calendar date (YYYY-MM-DD) in words in the language; anything else is returned as it is. */
export function dateInWords(isoDate: string, lang: Language): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate);
  if (!m) return isoDate;
  let f = dateFormats.get(lang);
  if (!f) {
    f = new Intl.DateTimeFormat(LOCALES[lang], {
      day: 'numeric',
      month: 'long',
      year: 'numeric',
      timeZone: 'UTC',
    });
    dateFormats.set(lang, f);
  }
  return f.format(new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))));
}
