/**
 * A generated, labelled corpus of columns for measuring discovery: each column is made from a seeded stream
 * of random numbers, and its label is what it was made as, not what the classifier says. The check digits
 * of the valid identifiers are computed here, apart from src/core/discovery (a mistake there does not make
 * its own labels). Near-misses are columns made to look like personal data and fail: numbers whose check
 * digits are wrong, compact dates and timestamps of identity-number length, organisation numbers, account
 * numbers, barcodes, product and company names, codes and dates.
 */
import { prng } from '../../src/demo/systems/seed.ts';
import type { DiscoveryKind } from '../../src/core/discovery/columns.ts';

export type CorpusColumn = {
  column: string;
  dataType: string;
  /** The kinds a correct classification may give (empty: not personal data, a near-miss or plain data). */
  label: readonly DiscoveryKind[];
  values: string[];
};

const ROWS = 200;

// Check digits, written apart from the code under test.
function luhnDigit(body: string): number {
  // The digit that makes body+digit pass Luhn: double every second digit from the right of body.
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let d = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}
function mod11Digit(body: string, weights: number[]): number | undefined {
  const s = weights.reduce((acc, w, i) => acc + w * Number(body[i]), 0);
  const r = 11 - (s % 11);
  return r === 11 ? 0 : r === 10 ? undefined : r;
}
function ibanCheck(country: string, bban: string): string {
  const numeric = `${bban}${country}00`.replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
  let rem = 0;
  for (const ch of numeric) rem = (rem * 10 + Number(ch)) % 97;
  return String(98 - rem).padStart(2, '0');
}

type R = () => number;
const int = (r: R, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
const digits = (r: R, n: number) => Array.from({ length: n }, () => int(r, 0, 9)).join('');
const pick = <T>(r: R, xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const date = (r: R) => ({ y: int(r, 1930, 2015), m: int(r, 1, 12), d: int(r, 1, 28) });

export function personnummer(r: R, samordning = false, form: 'short' | 'long' = 'short'): string {
  const { y, m, d } = date(r);
  const body = `${pad(y % 100)}${pad(m)}${pad(samordning ? d + 60 : d)}${digits(r, 3)}`;
  const ten = `${body}${luhnDigit(body)}`;
  return form === 'long' ? `${String(y).slice(0, 2)}${ten}` : `${ten.slice(0, 6)}-${ten.slice(6)}`;
}
export function fodselsnummer(r: R, dnummer = false): string {
  for (;;) {
    const { y, m, d } = date(r);
    const body = `${pad(dnummer ? d + 40 : d)}${pad(m)}${pad(y % 100)}${digits(r, 3)}`;
    const k1 = mod11Digit(body, [3, 7, 6, 1, 8, 9, 4, 5, 2]);
    if (k1 === undefined) continue;
    const k2 = mod11Digit(`${body}${k1}`, [5, 4, 3, 2, 7, 6, 5, 4, 3, 2]);
    if (k2 === undefined) continue;
    return `${body}${k1}${k2}`;
  }
}
function iban(r: R, country: 'SE' | 'NO' | 'DK' | 'FI' | 'DE', spaced: boolean): string {
  const len = { SE: 20, NO: 11, DK: 14, FI: 14, DE: 18 }[country];
  const bban = digits(r, len);
  const v = `${country}${ibanCheck(country, bban)}${bban}`;
  return spaced ? v.replace(/(.{4})/g, '$1 ').trim() : v;
}
function card(r: R, grouped: boolean): string {
  const [prefix, len] = pick(r, [
    ['4', 16],
    ['51', 16],
    ['55', 16],
    ['2221', 16],
    ['37', 15],
    ['6011', 16],
  ] as const);
  const body = `${prefix}${digits(r, len - prefix.length - 1)}`;
  const v = `${body}${luhnDigit(body)}`;
  return grouped && len === 16 ? v.replace(/(.{4})/g, '$1 ').trim() : v;
}
/** A number of the same shape whose Luhn digit is wrong. */
const failLuhn = (r: R, body: string) => `${body}${(luhnDigit(body) + int(r, 1, 9)) % 10}`;

const FIRST = [
  'Astrid',
  'Björn',
  'Greta',
  'Henrik',
  'Ingvild',
  'Jonas',
  'Linnea',
  'Magnus',
  'Ragnhild',
  'Torbjørn',
  'Sigrid',
  'Vilhelm',
  'Åsa',
  'Øystein',
  'Elsa',
  'Mats',
];
const LAST = [
  'Andersson',
  'Bakke',
  'Christensen',
  'Dahlberg',
  'Eriksen',
  'Fjeld',
  'Gustafsson',
  'Haugland',
  'Isaksen',
  'Johansson',
  'Kvist',
  'Lundqvist',
  'Mæland',
  'Nordin',
  'Østby',
];
/** Names of people from elsewhere, mostly not in the classifier's gazetteer. */
const FOREIGN = [
  'Chidi Okafor',
  'Mei Lin Zhou',
  'Tomasz Wójcik',
  'Aarav Sharma',
  'Yuki Tanaka',
  'Lucía Fernández',
  'Dmitri Volkov',
  'Amara Diallo',
];
const STREETS_SE = [
  'Storgatan',
  'Kungsgatan',
  'Drottninggatan',
  'Sveavägen',
  'Björkvägen',
  'Hamngatan',
  'Skolgränd',
];
const STREETS_NO = ['Fjordveien', 'Storgata', 'Kirkegata', 'Skogveien', 'Bryggeveien', 'Parkveien'];
const CITIES = [
  'Stockholm',
  'Göteborg',
  'Malmö',
  'Oslo',
  'Bergen',
  'Trondheim',
  'Umeå',
  'Tromsø',
  'Lund',
  'Visby',
];
const PRODUCTS = [
  'Sofa Hallon',
  'Lamp Ljus',
  'Rug Mjuk',
  'Chair Sitt',
  'Table Ek',
  'Shelf Bok',
  'Mug Kaffe',
  'Vase Blå',
];
const COMPANIES = [
  'Nordic Trading AB',
  'Fjord Logistics AS',
  'Skandia Möbler AB',
  'Bergen Lys AS',
  'Kaffe Import Oy',
];
const WORDS = [
  'the',
  'delivery',
  'was',
  'late',
  'and',
  'box',
  'damaged',
  'please',
  'send',
  'a',
  'new',
  'one',
  'thanks',
  'colour',
  'differs',
  'from',
  'picture',
];
const sentence = (r: R, n: number) => Array.from({ length: n }, () => pick(r, WORDS)).join(' ');
const seName = (r: R) => `${pick(r, FIRST)} ${pick(r, LAST)}`;
const email = (r: R) =>
  `${pick(r, FIRST)}.${pick(r, LAST)}${int(r, 1, 999)}@${pick(r, ['example.test', 'mail.example', 'post.example.no'])}`
    .toLowerCase()
    .normalize('NFD')
    .replace(/[^a-z0-9.@]/g, '');
const sePhoneIntl = (r: R) => `+467${pick(r, ['0', '2', '3', '6'])}${digits(r, 7)}`;
const sePhoneNational = (r: R) =>
  `07${pick(r, ['0', '2', '3', '6'])}-${digits(r, 3)} ${digits(r, 2)} ${digits(r, 2)}`;
const noPhone = (r: R) => `+47 ${pick(r, ['9', '4'])}${digits(r, 2)} ${digits(r, 2)} ${digits(r, 3)}`;

type Gen = {
  column: string;
  dataType?: string;
  label: DiscoveryKind[];
  make: (r: R, i: number) => string | null;
};

const id = (k: DiscoveryKind[]) => k;
const NATIONAL = id(['se-personnummer', 'se-samordningsnummer', 'no-fodselsnummer', 'no-d-nummer']);

export const GENERATORS: Gen[] = [
  // Personal data.
  { column: 'email', label: ['email'], make: email },
  { column: 'contact', label: ['email'], make: (r) => (r() < 0.1 ? null : email(r).replace('@', `+news@`)) },
  { column: 'billing_email', label: ['email'], make: (r) => email(r).toUpperCase() },
  { column: 'phone', label: ['phone'], make: sePhoneIntl },
  {
    column: 'tel_home',
    label: ['phone'],
    make: (r) => `+46 8 ${digits(r, 3)} ${digits(r, 3)} ${digits(r, 2)}`,
  },
  { column: 'reach_at', label: ['phone'], make: sePhoneNational },
  { column: 'mobil', label: ['phone'], make: noPhone },
  { column: 'sms_number', label: ['phone'], make: (r) => `${pick(r, ['9', '4'])}${digits(r, 7)}` },
  { column: 'kund_pnr', label: NATIONAL, make: (r) => personnummer(r) },
  { column: 'ssn', label: NATIONAL, make: (r) => personnummer(r, false, 'long') },
  {
    column: 'personnummer_bigint',
    dataType: 'bigint',
    label: NATIONAL,
    make: (r) => personnummer(r, false, 'long'),
  },
  { column: 'samordningsnr', label: ['se-samordningsnummer'], make: (r) => personnummer(r, true) },
  { column: 'fodselsnummer', label: ['no-fodselsnummer'], make: (r) => fodselsnummer(r) },
  {
    column: 'ident',
    label: ['no-fodselsnummer'],
    make: (r) => {
      const v = fodselsnummer(r);
      return `${v.slice(0, 6)} ${v.slice(6)}`;
    },
  },
  { column: 'd_number', label: ['no-d-nummer'], make: (r) => fodselsnummer(r, true) },
  { column: 'national_id', label: NATIONAL, make: (r) => (r() < 0.5 ? personnummer(r) : fodselsnummer(r)) },
  { column: 'payout_account', label: ['iban'], make: (r) => iban(r, 'SE', true) },
  {
    column: 'iban',
    label: ['iban'],
    make: (r) => iban(r, pick(r, ['SE', 'NO', 'DK', 'FI', 'DE'] as const), false),
  },
  { column: 'konto', label: ['iban'], make: (r) => iban(r, 'NO', r() < 0.5) },
  { column: 'card_number', label: ['payment-card'], make: (r) => card(r, true) },
  { column: 'pan', label: ['payment-card'], make: (r) => card(r, false) },
  { column: 'zip', label: ['postal-code'], make: (r) => `${int(r, 100, 984)} ${digits(r, 2)}` },
  { column: 'postal_code', label: ['postal-code'], make: (r) => pad(int(r, 1, 9990), 4) },
  { column: 'postnummer', label: ['postal-code'], make: (r) => `${int(r, 100, 984)}${digits(r, 2)}` },
  { column: 'pc', label: ['postal-code'], make: (r) => `${int(r, 100, 984)} ${digits(r, 2)}` },
  { column: 'street', label: ['street-address'], make: (r) => `${pick(r, STREETS_SE)} ${int(r, 1, 140)}` },
  {
    column: 'gateadresse',
    label: ['street-address'],
    make: (r) => `${pick(r, STREETS_NO)} ${int(r, 1, 90)}${pick(r, ['', 'A', 'B'])}`,
  },
  {
    column: 'ship_to',
    label: ['street-address'],
    make: (r) =>
      `${pick(r, STREETS_SE)} ${int(r, 1, 60)}, ${int(r, 100, 984)} ${digits(r, 2)} ${pick(r, CITIES)}`,
  },
  { column: 'city', label: ['city'], make: (r) => pick(r, CITIES) },
  { column: 'poststed', label: ['city'], make: (r) => pick(r, CITIES) },
  {
    column: 'country',
    dataType: 'character',
    label: ['country'],
    make: (r) => pick(r, ['SE', 'NO', 'DK', 'FI']),
  },
  { column: 'first_name', label: ['name'], make: (r) => pick(r, FIRST) },
  { column: 'last_name', label: ['name'], make: (r) => pick(r, LAST) },
  { column: 'customer_name', label: ['name'], make: seName },
  {
    column: 'recipient',
    label: ['name'],
    make: (r) => `${pick(r, ['Anna', 'Erik', 'Kari', 'Ola', 'Maria', 'Lars'])} ${pick(r, LAST)}`,
  },
  { column: 'contact_name', label: ['name'], make: (r) => pick(r, FOREIGN) },
  {
    column: 'notes',
    label: ['free-text'],
    make: (r) => `${sentence(r, 5)}, call me on ${sePhoneIntl(r)} or ${email(r)}`,
  },
  {
    column: 'msg',
    label: ['free-text'],
    make: (r) => (r() < 0.4 ? `my personnummer is ${personnummer(r)}, ${sentence(r, 4)}` : sentence(r, 8)),
  },
  { column: 'comment', label: ['free-text'], make: (r) => sentence(r, int(r, 3, 12)) },
  {
    column: 'txt',
    label: ['free-text'],
    make: (r) => `${pick(r, ['Anna', 'Erik', 'Kari', 'Ola'])} thinks ${sentence(r, 5)}`,
  },
  {
    column: 'refund_note',
    label: ['free-text'],
    make: (r) => `${sentence(r, 3)} refund to ${iban(r, 'SE', true)}`,
  },
  { column: 'alt_phone', label: ['phone'], make: (r) => (r() < 0.15 ? 'n/a' : noPhone(r)) },
  {
    column: 'telefon',
    label: ['phone'],
    make: (r) => `${pick(r, ['22', '55', '73'])} ${digits(r, 2)} ${digits(r, 2)} ${digits(r, 2)}`,
  },
  { column: 'customer_number', label: ['customer-number'], make: (r) => `C${pad(int(r, 1, 9999999), 7)}` },
  {
    column: 'username',
    label: ['username', 'email'],
    make: (r) => `${pick(r, FIRST).toLowerCase()}${int(r, 1, 99)}`,
  },
  // Near-misses: shaped like personal data, and not.
  {
    column: 'ref_date_code',
    label: [],
    make: (r) => {
      const { y, m, d } = date(r);
      return failLuhn(r, `${pad(y % 100)}${pad(m)}${pad(d)}${digits(r, 3)}`);
    },
  },
  {
    column: 'event_stamp',
    label: [],
    make: (r) => {
      const { y, m, d } = date(r);
      return `${y}${pad(m)}${pad(d)}${pad(int(r, 0, 23))}${pad(int(r, 0, 59))}`;
    },
  },
  {
    column: 'batch_day',
    label: [],
    make: (r) => {
      const { y, m, d } = date(r);
      return `${pad(y % 100)}${pad(m)}${pad(d)}-${pad(int(r, 0, 23))}${pad(int(r, 0, 59))}`;
    },
  },
  {
    column: 'doc_number',
    label: [],
    make: (r) => {
      const { y, m, d } = date(r);
      const body = `${pad(d)}${pad(m)}${pad(y % 100)}${digits(r, 3)}`;
      const k = mod11Digit(body, [3, 7, 6, 1, 8, 9, 4, 5, 2]);
      return `${body}${((k ?? 0) + 1) % 10}${digits(r, 1)}`;
    },
  },
  {
    column: 'org_number',
    label: [],
    make: (r) => {
      const body = `55${digits(r, 1)}${int(r, 2, 9)}${digits(r, 5)}`;
      const v = `${body}${luhnDigit(body)}`;
      return `${v.slice(0, 6)}-${v.slice(6)}`;
    },
  },
  { column: 'bank_account_no', label: [], make: (r) => `${digits(r, 4)}.${digits(r, 2)}.${digits(r, 5)}` },
  { column: 'gift_code', label: [], make: (r) => failLuhn(r, `4${digits(r, 14)}`) },
  { column: 'ean', label: [], make: (r) => `40${digits(r, 11)}` },
  {
    column: 'iban_like',
    label: [],
    make: (r) => {
      const v = iban(r, 'SE', false);
      return `${v.slice(0, 2)}${pad((Number(v.slice(2, 4)) + 1) % 100)}${v.slice(4)}`;
    },
  },
  { column: 'order_number', label: [], make: (r) => `O${pad(int(r, 1, 99999999), 8)}` },
  { column: 'order_id', dataType: 'integer', label: [], make: (r) => String(int(r, 10000000, 99999999)) },
  { column: 'product_name', label: [], make: (r) => pick(r, PRODUCTS) },
  { column: 'supplier', label: [], make: (r) => pick(r, COMPANIES) },
  { column: 'sku', label: [], make: (r) => `${pick(r, ['SOFA', 'LAMP', 'RUG'])}-${pad(int(r, 1, 99))}` },
  { column: 'year_built', label: [], make: (r) => String(int(r, 1900, 2024)) },
  {
    column: 'delivered_on',
    label: [],
    make: (r) => {
      const { y, m, d } = date(r);
      return `${y}-${pad(m)}-${pad(d)}`;
    },
  },
  { column: 'amount', dataType: 'numeric', label: [], make: (r) => `${int(r, 10, 99999)}.${digits(r, 2)}` },
  { column: 'status', label: [], make: (r) => pick(r, ['open', 'closed', 'waiting']) },
  {
    column: 'description',
    label: [],
    make: (r) => `${pick(r, PRODUCTS)} in ${pick(r, ['oak', 'wool', 'linen'])}, ${sentence(r, 6)}`,
  },
  {
    column: 'token',
    label: [],
    make: (r) => Array.from({ length: 32 }, () => '0123456789abcdef'[int(r, 0, 15)]).join(''),
  },
  {
    column: 'url',
    label: [],
    make: (r) => `https://shop.example/p/${pick(r, ['sofa', 'lamp'])}-${int(r, 1, 999)}`,
  },
  { column: 'warehouse', label: [], make: (r) => pick(r, ['Stockholm', 'Oslo', 'Göteborg']) },
  { column: 'quantity', dataType: 'integer', label: [], make: (r) => String(int(r, 1, 9)) },
  { column: 'phone_extension', label: [], make: (r) => String(int(r, 100, 999)) },
  {
    column: 'tracking_number',
    label: [],
    make: (r) => `${digits(r, 4)} ${digits(r, 4)} ${digits(r, 4)} ${digits(r, 2)}`,
  },
  // Shaped exactly like Swedish postal codes (NNN NN): a known false positive, kept in to be counted.
  { column: 'lot_code', label: [], make: (r) => `${int(r, 100, 984)} ${digits(r, 2)}` },
  {
    column: 'created',
    label: [],
    make: (r) => {
      const { y, m, d } = date(r);
      return `${y}-${pad(m)}-${pad(d)} ${pad(int(r, 0, 23))}:00:00`;
    },
  },
];

/** The corpus: every generator's column, 200 values each, from one seed. */
export function corpus(seed = 17): CorpusColumn[] {
  const r = prng(seed);
  return GENERATORS.map((g) => ({
    column: g.column,
    dataType: g.dataType ?? 'character varying',
    label: g.label,
    values: Array.from({ length: ROWS }, (_, i) => g.make(r, i)).filter((v): v is string => v !== null),
  }));
}
