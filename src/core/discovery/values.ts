/**
 * What one value is: each recogniser answers yes or no for a value as stored (text). A value may be more
 * than one kind (a Norwegian postal code is also a four-digit number); the column decides (./columns.ts).
 * `embeddedKinds` finds the identifiers inside free text.
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { isIban, isPaymentCard, norwegianId, swedishId } from './checksums.ts';
import { isGivenName } from './names.ts';

/** An e-mail address (the practical subset of RFC 5321: local part, @, a domain with a dot). */
export const isEmail = (v: string) =>
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/.test(
    v.trim(),
  );

/**
 * A phone number libphonenumber-js holds valid. International form (+ or 00) for any country; a national
 * form for Sweden (it begins with 0: 070-123 45 67) or Norway (eight digits in groups: 912 34 567). A bare
 * run of digits is an order number as often as a phone number, unless the column says otherwise (`bare`).
 */
export function isPhone(value: string, bare = false): boolean {
  const v = value.trim();
  if (!/^[+(]?[\d][\d\s().-]{5,18}\d$/.test(v)) return false;
  const digits = v.replace(/\D/g, '');
  if (digits.length < 7 || digits.length > 15) return false;
  if (v.startsWith('+') || v.startsWith('00')) {
    const p = parsePhoneNumberFromString(v.startsWith('00') ? `+${v.slice(2).replace(/^\D+/, '')}` : v);
    return p?.isValid() ?? false;
  }
  const grouped = /^[\d]+$/.test(v) ? bare : true;
  if (!grouped) return false;
  if (v.startsWith('0')) return parsePhoneNumberFromString(v, 'SE')?.isValid() ?? false;
  const norwegian = digits.length === 8 && (bare ? /^[\d ]+$/ : /^\d{2,3}( \d{2,3})+$/).test(v);
  return norwegian && (parsePhoneNumberFromString(v, 'NO')?.isValid() ?? false);
}

/** A Swedish postal code: NNN NN (SE- prefix allowed); without the space only where the column says so. */
export const isSwedishPostalCode = (v: string, bare = false) =>
  (bare ? /^(SE-?)?[1-9]\d{2} ?\d{2}$/ : /^(SE-?)?[1-9]\d{2} \d{2}$/).test(v.trim());

/** A Norwegian postal code (four digits, NO- prefix allowed): only where the column says so. */
export const isNorwegianPostalCode = (v: string) => /^(NO-?)?\d{4}$/.test(v.trim());

const STREET_WORD =
  /(gatan|gata|gate|vägen|väg|veien|vegen|vei|veg|allé|alle|torget|torg|stigen|sti|gränd|backen|bakken|plan|plass|stræde|vej|street|st\.?|road|rd\.?|avenue|ave\.?|lane|way|drive|boulevard)$/i;

/**
 * A street address: a street name ending like one (…gatan, …vägen, …veien, … Street) and a house number
 * (12, 12B, 12 lgh 1102), or the number first (12 High Street); optionally followed by a postal code and
 * town after a comma.
 */
export function isStreetAddress(value: string): boolean {
  const v = value.trim().split(',')[0]!.trim();
  const after = /^(\p{L}[\p{L}.'-]*(?: \p{L}[\p{L}.'-]*){0,3}) (\d{1,4}(?: ?[A-Za-z])?)(?: .{0,20})?$/u.exec(
    v,
  );
  if (after && STREET_WORD.test(after[1]!.split(' ').pop()!)) return true;
  const before = /^\d{1,4}[A-Za-z]? (\p{L}[\p{L}.'-]*(?: \p{L}[\p{L}.'-]*){0,3})$/u.exec(v);
  return !!before && STREET_WORD.test(before[1]!.split(' ').pop()!);
}

export type EmbeddedKind =
  | 'email'
  | 'phone'
  | 'se-personnummer'
  | 'no-fodselsnummer'
  | 'iban'
  | 'payment-card'
  | 'name';

/** The identifiers inside a free text: e-mail addresses, phone numbers, identity numbers, IBANs, cards, given names. */
export function embeddedKinds(text: string): Set<EmbeddedKind> {
  const found = new Set<EmbeddedKind>();
  for (const m of text.matchAll(/[^\s<>(),;:"]+@[^\s<>(),;:"]+\.[A-Za-z]{2,}/g)) {
    if (isEmail(m[0].replace(/[.]$/, ''))) found.add('email');
  }
  for (const m of text.matchAll(/\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b/g)) {
    if (isIban(m[0])) found.add('iban');
  }
  for (const m of text.matchAll(/(?<![\d+])(?:\d{8}|\d{6})[-+]?\d{4}(?!\d)/g)) {
    if (swedishId(m[0])) found.add('se-personnummer');
  }
  for (const m of text.matchAll(/(?<!\d)\d{6} ?\d{5}(?!\d)/g)) {
    if (norwegianId(m[0])) found.add('no-fodselsnummer');
  }
  for (const m of text.matchAll(/(?<!\d)\d(?:[ -]?\d){12,18}(?!\d)/g)) {
    if (isPaymentCard(m[0])) found.add('payment-card');
  }
  for (const m of text.matchAll(/(?:\+|00)?\d[\d\s().-]{5,18}\d/g)) {
    const digits = m[0].replace(/\D/g, '');
    if (swedishId(m[0].trim()) || norwegianId(m[0].trim()) || digits.length > 15) continue;
    if (isPhone(m[0])) found.add('phone');
  }
  for (const w of text.matchAll(/\p{Lu}\p{Ll}+/gu)) {
    if (isGivenName(w[0])) found.add('name');
  }
  return found;
}
