/**
 * The check digits of the identifiers discovery recognises: Luhn (payment cards, Swedish personnummer),
 * the two mod-11 digits of the Norwegian fødselsnummer, ISO 7064 mod 97 of the IBAN. Pure functions of
 * the digits; each takes the value as written and answers whether it is one, never why not (the value is
 * personal data and is never quoted).
 */

/** The Luhn check over a string of digits (the last one is the check digit). */
export function luhn(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

const DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** A day of a month that exists (29 February in any year: the century is not always known). */
const isDay = (month: number, day: number) =>
  month >= 1 && month <= 12 && day >= 1 && day <= DAYS[month - 1]!;

export type SwedishId = 'personnummer' | 'samordningsnummer';

/**
 * A Swedish personnummer or samordningsnummer (Skatteverket, SKV 704): YYMMDD-NNNC, YYMMDD+NNNC (100 or
 * older), YYYYMMDDNNNC or YYYYMMDD-NNNC. The Luhn digit is computed over the ten digits from YYMMDD; a
 * samordningsnummer has 60 added to the day.
 */
export function swedishId(value: string): SwedishId | undefined {
  const m = /^(\d{2})?(\d{6})[-+]?(\d{4})$/.exec(value.trim());
  if (!m) return undefined;
  if (m[1] && m[1] !== '18' && m[1] !== '19' && m[1] !== '20') return undefined;
  const ten = m[2]! + m[3]!;
  const month = Number(ten.slice(2, 4));
  const day = Number(ten.slice(4, 6));
  const kind: SwedishId = day > 60 ? 'samordningsnummer' : 'personnummer';
  if (!isDay(month, kind === 'samordningsnummer' ? day - 60 : day)) return undefined;
  return luhn(ten) ? kind : undefined;
}

export type NorwegianId = 'fodselsnummer' | 'd-nummer';

const W1 = [3, 7, 6, 1, 8, 9, 4, 5, 2];
const W2 = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];

function mod11(digits: string, weights: number[]): number | undefined {
  let sum = 0;
  for (let i = 0; i < weights.length; i++) sum += (digits.charCodeAt(i) - 48) * weights[i]!;
  const k = 11 - (sum % 11);
  if (k === 11) return 0;
  return k === 10 ? undefined : k;
}

/**
 * A Norwegian fødselsnummer or D-nummer (Skatteetaten): DDMMYYIIIKK, two mod-11 check digits; a D-nummer
 * has 4 added to the first digit (the day plus 40). A space after the date is accepted.
 */
export function norwegianId(value: string): NorwegianId | undefined {
  const m = /^(\d{6}) ?(\d{5})$/.exec(value.trim());
  if (!m) return undefined;
  const d = m[1]! + m[2]!;
  const day = Number(d.slice(0, 2));
  const month = Number(d.slice(2, 4));
  const kind: NorwegianId = day > 40 ? 'd-nummer' : 'fodselsnummer';
  if (!isDay(month, kind === 'd-nummer' ? day - 40 : day)) return undefined;
  const k1 = mod11(d, W1);
  if (k1 === undefined || k1 !== Number(d[9])) return undefined;
  const k2 = mod11(d, W2);
  return k2 !== undefined && k2 === Number(d[10]) ? kind : undefined;
}

/** IBAN lengths by country (SWIFT IBAN registry) for the countries a Nordic group meets most. */
const IBAN_LENGTHS: Record<string, number> = {
  AT: 20,
  BE: 16,
  CH: 21,
  CZ: 24,
  DE: 22,
  DK: 18,
  EE: 20,
  ES: 24,
  FI: 18,
  FO: 18,
  FR: 27,
  GB: 22,
  GL: 18,
  IE: 22,
  IS: 26,
  IT: 27,
  LT: 20,
  LU: 20,
  LV: 21,
  NL: 18,
  NO: 15,
  PL: 28,
  PT: 25,
  SE: 24,
};

/** An IBAN (ISO 13616): the country's length and ISO 7064 mod 97-10 = 1. Spaces between groups allowed. */
export function isIban(value: string): boolean {
  const v = value.trim().replace(/ /g, '').toUpperCase();
  const m = /^([A-Z]{2})(\d{2})([A-Z0-9]+)$/.exec(v);
  if (!m || IBAN_LENGTHS[m[1]!] !== v.length) return false;
  const moved = v.slice(4) + v.slice(0, 4);
  let rem = 0;
  for (const ch of moved) {
    const code = ch.charCodeAt(0);
    const n = code >= 65 ? String(code - 55) : ch;
    for (const digit of n) rem = (rem * 10 + (digit.charCodeAt(0) - 48)) % 97;
  }
  return rem === 1;
}

/** Card schemes by issuer identification number prefix and their lengths (ISO/IEC 7812). */
const CARD_SCHEMES: { prefix: RegExp; lengths: number[] }[] = [
  { prefix: /^4/, lengths: [13, 16, 19] }, // Visa
  { prefix: /^(5[1-5]|2(2[2-9][1-9]|2[3-9]\d|[3-6]\d\d|7[01]\d|720))/, lengths: [16] }, // Mastercard
  { prefix: /^3[47]/, lengths: [15] }, // American Express
  { prefix: /^(6011|64[4-9]|65)/, lengths: [16, 19] }, // Discover
  { prefix: /^35(2[89]|[3-8]\d)/, lengths: [16, 19] }, // JCB
  { prefix: /^(30[0-5]|36|38|39)/, lengths: [14, 16] }, // Diners Club
  { prefix: /^62/, lengths: [16, 17, 18, 19] }, // UnionPay
];

/** A payment card number: a known scheme's prefix and length, and the Luhn digit. Spaces or dashes in groups allowed. */
export function isPaymentCard(value: string): boolean {
  const v = value.trim();
  if (!/^\d[\d -]{11,22}\d$/.test(v)) return false;
  const digits = v.replace(/[ -]/g, '');
  if (digits.length < 13 || digits.length > 19) return false;
  return CARD_SCHEMES.some((s) => s.prefix.test(digits) && s.lengths.includes(digits.length)) && luhn(digits);
}
