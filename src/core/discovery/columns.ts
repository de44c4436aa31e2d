/**
 * What a column holds, decided from a bounded sample of its values and its name. Structured kinds
 * (identity numbers, IBAN, cards, e-mail, phone) are decided by content alone: most sampled values must
 * pass the kind's check digits or syntax (a column of numbers that fail them, or of dates shaped like
 * identity numbers, stays unclassified). Postal codes, cities, countries, customer numbers and user names
 * look like much else and need the column's name as well; names need either a known name in most values
 * or a name column; free text needs identifiers inside it or a free-text column name.
 *
 * Pure: the values are passed in, and what comes out holds counts and kinds, never a value.
 */
import { isIban, isPaymentCard, norwegianId, swedishId } from './checksums.ts';
import { isKnownName, isNameShaped } from './names.ts';
import {
  type EmbeddedKind,
  embeddedKinds,
  isEmail,
  isNorwegianPostalCode,
  isPhone,
  isStreetAddress,
  isSwedishPostalCode,
} from './values.ts';

export const DISCOVERY_KINDS = [
  'email',
  'phone',
  'se-personnummer',
  'se-samordningsnummer',
  'no-fodselsnummer',
  'no-d-nummer',
  'iban',
  'payment-card',
  'postal-code',
  'street-address',
  'city',
  'country',
  'name',
  'customer-number',
  'username',
  'free-text',
] as const;
export type DiscoveryKind = (typeof DISCOVERY_KINDS)[number];

/** The fideslang data category a kind drafts (a name column may be narrowed to first or last name). */
export const KIND_CATEGORY: Record<DiscoveryKind, string> = {
  email: 'user.contact.email',
  phone: 'user.contact.phone_number',
  'se-personnummer': 'user.government_id.national_identification_number',
  'se-samordningsnummer': 'user.government_id.national_identification_number',
  'no-fodselsnummer': 'user.government_id.national_identification_number',
  'no-d-nummer': 'user.government_id.national_identification_number',
  iban: 'user.financial.bank_account',
  'payment-card': 'user.financial.credit_card',
  'postal-code': 'user.contact.address.postal_code',
  'street-address': 'user.contact.address.street',
  city: 'user.contact.address.city',
  country: 'user.contact.address.country',
  name: 'user.name',
  'customer-number': 'user.unique_id',
  username: 'user.account.username',
  'free-text': 'user.content',
};

/** Words for the kinds, as the report prints them. */
export const KIND_LABEL: Record<DiscoveryKind, string> = {
  email: 'e-mail address',
  phone: 'phone number',
  'se-personnummer': 'Swedish personnummer',
  'se-samordningsnummer': 'Swedish samordningsnummer',
  'no-fodselsnummer': 'Norwegian fødselsnummer',
  'no-d-nummer': 'Norwegian D-nummer',
  iban: 'IBAN',
  'payment-card': 'payment card number',
  'postal-code': 'postal code',
  'street-address': 'street address',
  city: 'city',
  country: 'country',
  name: "person's name",
  'customer-number': 'customer number',
  username: 'user name',
  'free-text': 'free text',
};

export type ColumnRef = { table: string; column: string; dataType: string };

export type ColumnFinding = {
  table: string;
  column: string;
  kind: DiscoveryKind;
  category: string;
  /** 0–1: the share of sampled values that are the kind, lowered where the kind rests on the column's name. */
  confidence: number;
  /** Non-empty values sampled, and how many of them are the kind. */
  sampled: number;
  matched: number;
  /** Free text: how many sampled values hold each kind of identifier. */
  contains?: Partial<Record<EmbeddedKind, number>>;
};

/** Types whose values say nothing by content (dates, times, flags, binary, structured documents). */
const SKIPPED_TYPE =
  /^(date|time|timestamp|datetime|interval|bool|boolean|bit|bytea|blob|tinyblob|mediumblob|longblob|binary|varbinary|json|jsonb|uuid|year)/i;

/** Whether discovery samples a column of this type. */
export const sampledType = (dataType: string) => !SKIPPED_TYPE.test(dataType.trim());

/** The column's name as lower-case words joined by `_` (customerEmail → customer_email). */
const words = (name: string) =>
  name
    .replace(/([a-z\d])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9æøåäö]+/g, '_');

const HINT = {
  phone: /(^|_)(phone|mobile|mobil|tel|telephone|telefon|cell|sms)(_|$)/,
  postal: /(^|_)(postal|postcode|post_code|zip|zipcode|postnr|postnummer)(_|$)/,
  street: /(^|_)(street|address|adress|adresse|addr|gatuadress|gateadresse)(_|$)/,
  city: /(^|_)(city|town|ort|postort|poststed)$/,
  country: /(^|_)(country|land|country_code)$/,
  firstName: /(^|_)(first|given|fornavn|förnamn|fornamn)_?name$|(^|_)(fornavn|förnamn|fornamn)$/,
  lastName: /(^|_)(last|family|sur)_?name$|(^|_)(surname|etternavn|efternamn)$/,
  name: /^(name|namn|navn|full_name|fullname|display_name)$|(^|_)(contact|customer|delivery|billing|recipient|person|holder|cardholder|account_holder|patient|member|guest)_name$/,
  customerNumber:
    /(^|_)(customer|member|client|subscriber|loyalty|kund|kunde)_?(number|no|nr|num)$|^(kundnummer|kundenummer|kundnr)$/,
  username: /(^|_)(username|user_name|login|screen_name|handle)$/,
  freeText:
    /(^|_)(body|comment|comments|message|note|notes|subject|details|remarks|feedback|review|text|fritext|kommentar|meddelande|melding|beskjed)$/,
};

const COUNTRY =
  /^([A-Z]{2}|[A-Z]{3}|Sverige|Sweden|Norge|Norway|Danmark|Denmark|Suomi|Finland|Island|Iceland)$/;
const PLACE = /^\p{Lu}[\p{L}'’.-]*( \p{Lu}?[\p{L}'’.-]*){0,3}$/u;
const CODE = /^[A-Za-z0-9][A-Za-z0-9-]{2,24}$/;

const round = (x: number) => Math.round(x * 100) / 100;

type Count = (test: (v: string) => boolean) => number;

/** The kind a column's sample holds, or undefined: not personal data by anything discovery can see. */
export function classifyColumn(ref: ColumnRef, sample: readonly string[]): ColumnFinding | undefined {
  const values = sample.map((v) => v.trim()).filter((v) => v !== '');
  const n = values.length;
  if (n === 0 || !sampledType(ref.dataType)) return undefined;
  const name = words(ref.column);
  const count: Count = (test) => values.reduce((k, v) => k + (test(v) ? 1 : 0), 0);
  const found = (
    kind: DiscoveryKind,
    matched: number,
    confidence: number,
    category = KIND_CATEGORY[kind],
  ) => ({
    table: ref.table,
    column: ref.column,
    kind,
    category,
    confidence: round(Math.min(1, confidence)),
    sampled: n,
    matched,
  });

  const structured = structuredKind(values, count, name);
  if (structured) return found(structured.kind, structured.matched, structured.matched / n);

  const streets = count(isStreetAddress);
  if (streets / n >= (HINT.street.test(name) ? 0.5 : 0.8))
    return found('street-address', streets, streets / n);

  if (HINT.postal.test(name)) {
    const codes = count((v) => isSwedishPostalCode(v, true) || isNorwegianPostalCode(v));
    if (codes / n >= 0.8) return found('postal-code', codes, 0.5 + 0.5 * (codes / n));
  } else {
    const codes = count((v) => isSwedishPostalCode(v));
    if (codes / n >= 0.9) return found('postal-code', codes, codes / n);
  }

  // Kinds that rest on the column's name: at most 0.9.
  const byName = (kind: DiscoveryKind, hint: RegExp, test: (v: string) => boolean) => {
    if (!hint.test(name)) return undefined;
    const k = count(test);
    return k / n >= 0.8 ? found(kind, k, 0.5 + 0.4 * (k / n)) : undefined;
  };
  const named =
    byName('city', HINT.city, (v) => PLACE.test(v)) ??
    byName('country', HINT.country, (v) => COUNTRY.test(v)) ??
    byName('customer-number', HINT.customerNumber, (v) => CODE.test(v)) ??
    byName('username', HINT.username, (v) => v.length >= 2 && v.length <= 200);
  if (named) return named;

  const shaped = count(isNameShaped);
  const known = count(isKnownName);
  const personName = HINT.firstName.test(name) || HINT.lastName.test(name) || HINT.name.test(name);
  if (personName && shaped / n >= 0.8) {
    const category = HINT.firstName.test(name)
      ? 'user.name.first'
      : HINT.lastName.test(name)
        ? 'user.name.last'
        : 'user.name';
    return found('name', shaped, 0.6 + 0.4 * (known / n), category);
  }
  if (shaped / n >= 0.8 && known / n >= 0.5) return found('name', known, known / n);

  return freeText(values, name, found);
}

/** Identity numbers, IBAN, cards, e-mail and phone: decided by content, ≥ 80% of the sample. */
function structuredKind(
  values: string[],
  count: Count,
  name: string,
): { kind: DiscoveryKind; matched: number } | undefined {
  const n = values.length;
  const se = values.map(swedishId);
  const no = values.map(norwegianId);
  const pnr = se.filter((k) => k === 'personnummer').length;
  const samordning = se.filter((k) => k === 'samordningsnummer').length;
  const fnr = no.filter((k) => k === 'fodselsnummer').length;
  const dnr = no.filter((k) => k === 'd-nummer').length;
  const candidates: { kind: DiscoveryKind; matched: number; share: number }[] = [];
  // A column of identity numbers (Swedish and Norwegian ones may share it): named by its most common kind.
  const ids = pnr + samordning + fnr + dnr;
  if (ids / n >= 0.8) {
    const best = (
      [
        ['se-personnummer', pnr],
        ['se-samordningsnummer', samordning],
        ['no-fodselsnummer', fnr],
        ['no-d-nummer', dnr],
      ] as const
    ).reduce((a, b) => (b[1] > a[1] ? b : a));
    candidates.push({ kind: best[0], matched: ids, share: ids / n });
  }
  const bare = HINT.phone.test(name);
  for (const [kind, test] of [
    ['iban', isIban],
    ['payment-card', isPaymentCard],
    ['email', isEmail],
    ['phone', (v: string) => isPhone(v, bare)],
  ] as const) {
    const k = count(test);
    if (k / n >= 0.8) candidates.push({ kind, matched: k, share: k / n });
  }
  return candidates.sort((a, b) => b.share - a.share)[0];
}

/**
 * Free text: identifiers (e-mail, phone, identity numbers, IBAN, card, given names) inside values of
 * several words, in at least a fifth of them; or a free-text column name over values with words.
 */
function freeText(
  values: string[],
  name: string,
  found: (kind: DiscoveryKind, matched: number, confidence: number) => ColumnFinding,
): ColumnFinding | undefined {
  const n = values.length;
  const wordy = values.filter((v) => /\p{L}{2,}/u.test(v));
  const avgWords = values.reduce((k, v) => k + v.split(/\s+/).length, 0) / n;
  const contains: Partial<Record<EmbeddedKind, number>> = {};
  let holding = 0;
  for (const v of wordy) {
    const kinds = embeddedKinds(v);
    if (kinds.size) holding++;
    for (const k of kinds) contains[k] = (contains[k] ?? 0) + 1;
  }
  const hinted = HINT.freeText.test(name) && wordy.length / n >= 0.8;
  if (!hinted && !(avgWords >= 3 && holding / n >= 0.2)) return undefined;
  const confidence = holding ? 0.6 + 0.4 * (holding / n) : 0.5;
  return { ...found('free-text', holding, confidence), contains };
}
