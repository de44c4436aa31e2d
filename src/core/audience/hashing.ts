/**
 * Hashing rules for the ad networks, one named and versioned pure function per network and field, each
 * saying which published document it follows. A rule normalises an identifier exactly as the network's
 * page says and hashes it with SHA-256 (lowercase hex); an identifier it cannot normalise (not an e-mail
 * address, a phone number without a country) gives `undefined`, so the caller skips and counts it and never
 * sends it raw.
 *
 * The rules differ between networks (Meta wants a phone's digits without "+", Google E.164 with it; Google's
 * newer pages remove the dots of a gmail.com / googlemail.com local part) and Google's have changed over
 * time; an export records the rule version it used (`ruleId`), so an older list can be told from a newer.
 */
import { hash } from 'node:crypto';
import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js';

export const NETWORK_RULES = ['google-ads', 'google-data-manager', 'meta'] as const;
export type NetworkRule = (typeof NETWORK_RULES)[number];
export const HASH_FIELDS = ['email', 'phone'] as const;
export type HashField = (typeof HASH_FIELDS)[number];

export type HashRule = {
  /** The rule's name and version, recorded with every export: "google-ads@2". */
  id: string;
  network: NetworkRule;
  version: number;
  /** The published documents the normalisation follows, to the letter. */
  documents: { email: string; phone: string };
  /** What the documents say, in one line per field (shown by `ombud audience hash --help` and the docs). */
  summary: { email: string; phone: string };
  /** The normalised identifier (what is hashed), or undefined when it cannot be normalised. */
  normalise: (field: HashField, raw: string, defaultCountry?: string) => string | undefined;
};

/** SHA-256 of the UTF-8 text, lowercase hex: what every network takes (node:crypto's one-shot hash). */
export const sha256Hex = (text: string): string => hash('sha256', text, 'hex');

// An address with one @, a local part and a domain with a dot and no empty label; no whitespace left.
const EMAIL = /^[^\s@]+@(?:[^\s@.]+\.)+[^\s@.]+$/;
const GOOGLE_MAIL = new Set(['gmail.com', 'googlemail.com']);

/** Lowercase, with whitespace trimmed from both ends (Meta, Google Ads), or removed everywhere too. */
function baseEmail(raw: string, removeInnerWhitespace: boolean): string | undefined {
  let v = raw.trim().toLowerCase();
  if (removeInnerWhitespace) v = v.replace(/\s+/g, '');
  return EMAIL.test(v) ? v : undefined;
}

/** Remove every dot before the @ of a gmail.com or googlemail.com address. */
function withoutGmailDots(email: string): string {
  const at = email.lastIndexOf('@');
  const domain = email.slice(at + 1);
  if (!GOOGLE_MAIL.has(domain)) return email;
  const local = email.slice(0, at).replaceAll('.', '');
  return local ? `${local}@${domain}` : email;
}

/**
 * A phone number in E.164 ("+" country code and subscriber number, digits only), or undefined. A number
 * written with "+" or the international prefix "00" carries its country; a national number ("070-123 45 67")
 * needs the default country, and without one cannot be normalised.
 */
export function e164(raw: string, defaultCountry?: string): string | undefined {
  let v = raw.trim();
  if (!v) return undefined;
  if (/[a-z]/i.test(v.replace(/^tel:/i, ''))) return undefined;
  v = v.replace(/^tel:/i, '');
  if (v.startsWith('00')) v = `+${v.slice(2)}`;
  if (!v.startsWith('+') && !defaultCountry) return undefined;
  const parsed = v.startsWith('+')
    ? parsePhoneNumberFromString(v)
    : parsePhoneNumberFromString(v, defaultCountry!.toUpperCase() as CountryCode);
  if (!parsed?.isPossible()) return undefined;
  return parsed.number;
}

const GOOGLE_ADS_CUSTOMER_MATCH = 'https://support.google.com/google-ads/answer/7659867';
const GOOGLE_ADS_API_CUSTOMER_MATCH =
  'https://developers.google.com/google-ads/api/docs/remarketing/audience-types/customer-match';
const GOOGLE_ADS_API_ENHANCED =
  'https://developers.google.com/google-ads/api/docs/conversions/upload-online (normalize and hash user-provided data)';
const DATA_MANAGER = 'https://developers.google.com/data-manager/api/get-started/formatting';
const META_CUSTOMER_FILE =
  'https://developers.facebook.com/docs/marketing-api/audiences/guides/custom-audiences#hash (Hashing and Normalizing Data)';
const META_CAPI =
  'https://developers.facebook.com/docs/marketing-api/conversions-api/parameters/customer-information-parameters';

/**
 * Google Ads Customer Match, file upload and API, version 1: the hashed-data formatting guidelines of the
 * Help Center as they stood before the API guides added the gmail rule: lowercase, every space removed
 * (before, after and in between), SHA-256; phone in E.164 before hashing. Kept so an export made with it
 * can be reproduced; new exports use version 2.
 */
export const googleAdsV1: HashRule = {
  id: 'google-ads@1',
  network: 'google-ads',
  version: 1,
  documents: { email: GOOGLE_ADS_CUSTOMER_MATCH, phone: GOOGLE_ADS_CUSTOMER_MATCH },
  summary: {
    email: 'lowercase; remove all spaces before, after and in between; SHA-256 hex',
    phone: 'E.164 ("+", country code, digits) before hashing; SHA-256 hex',
  },
  normalise: (field, raw, country) => (field === 'email' ? baseEmail(raw, true) : e164(raw, country)),
};

/**
 * Google Ads Customer Match (file upload and the API's OfflineUserDataJobService / UserDataService) and
 * enhanced conversions, version 2: lowercase, whitespace removed, and the dots before the domain of
 * gmail.com and googlemail.com addresses removed, as the Google Ads API's "normalize and hash" guide does
 * (the Customer Match guide accepts either form); phone in E.164.
 */
export const googleAdsV2: HashRule = {
  id: 'google-ads@2',
  network: 'google-ads',
  version: 2,
  documents: {
    email: `${GOOGLE_ADS_CUSTOMER_MATCH}; ${GOOGLE_ADS_API_CUSTOMER_MATCH}; ${GOOGLE_ADS_API_ENHANCED}`,
    phone: `${GOOGLE_ADS_CUSTOMER_MATCH}; ${GOOGLE_ADS_API_ENHANCED}`,
  },
  summary: {
    email:
      'lowercase; remove all spaces; remove every "." before the @ of gmail.com and googlemail.com addresses; SHA-256 hex',
    phone: 'E.164 ("+", country code, digits) before hashing; SHA-256 hex',
  },
  normalise: (field, raw, country) => {
    if (field === 'phone') return e164(raw, country);
    const e = baseEmail(raw, true);
    return e && withoutGmailDots(e);
  },
};

/**
 * Google's Data Manager API, version 1 ("Format user data"): email_address lowercase, leading, trailing and
 * intermediate whitespace trimmed, all dots before the @ removed for gmail.com and googlemail.com;
 * phone_number with "+" and the country code, every character after the "+" a digit; SHA-256, hex.
 */
export const googleDataManagerV1: HashRule = {
  id: 'google-data-manager@1',
  network: 'google-data-manager',
  version: 1,
  documents: { email: DATA_MANAGER, phone: DATA_MANAGER },
  summary: {
    email:
      'lowercase; trim leading, trailing and intermediate whitespace; remove all "." before the @ for gmail.com and googlemail.com; SHA-256 hex',
    phone: '"+" and the country code, only digits after the "+" ((800)555-0100 → +18005550100); SHA-256 hex',
  },
  normalise: (field, raw, country) => {
    if (field === 'phone') return e164(raw, country);
    const e = baseEmail(raw, true);
    return e && withoutGmailDots(e);
  },
};

/**
 * Meta custom audiences (customer file and Marketing API) and the Conversions API (em, ph), version 1:
 * e-mail trimmed of leading and trailing whitespace and lowercased; phone with symbols, letters and leading
 * zeros removed and the country code prefixed (digits only, no "+": +1 (616) 954-7888 → 16169547888).
 */
export const metaV1: HashRule = {
  id: 'meta@1',
  network: 'meta',
  version: 1,
  documents: { email: `${META_CUSTOMER_FILE}; ${META_CAPI}`, phone: `${META_CUSTOMER_FILE}; ${META_CAPI}` },
  summary: {
    email: 'trim leading and trailing whitespace; lowercase; SHA-256 hex',
    phone:
      'remove symbols, letters and leading zeros; country code prefixed; digits only, no "+"; SHA-256 hex',
  },
  normalise: (field, raw, country) => {
    if (field === 'email') return baseEmail(raw, false);
    const n = e164(raw, country);
    return n?.slice(1);
  },
};

/** Every rule version Ombud knows, and the current one per network (what new exports use). */
export const HASH_RULES: readonly HashRule[] = [googleAdsV1, googleAdsV2, googleDataManagerV1, metaV1];
export const CURRENT_RULE: Record<NetworkRule, HashRule> = {
  'google-ads': googleAdsV2,
  'google-data-manager': googleDataManagerV1,
  meta: metaV1,
};

/** A rule by network ("meta": its current version) or by id ("google-ads@1"). */
export function hashRule(name: string): HashRule | undefined {
  if ((NETWORK_RULES as readonly string[]).includes(name)) return CURRENT_RULE[name as NetworkRule];
  return HASH_RULES.find((r) => r.id === name);
}

/** Normalise and hash one identifier; undefined when it cannot be normalised (skip it and count it). */
export function hashIdentifier(
  rule: HashRule,
  field: HashField,
  raw: string,
  defaultCountry?: string,
): string | undefined {
  const n = rule.normalise(field, raw, defaultCountry);
  return n === undefined ? undefined : sha256Hex(n);
}

/** Hash a list: the hashes of the identifiers that normalise (deduplicated, sorted) and how many were skipped. */
export function hashAll(
  rule: HashRule,
  field: HashField,
  raws: Iterable<string>,
  defaultCountry?: string,
): { hashes: string[]; skipped: number } {
  const out = new Set<string>();
  let skipped = 0;
  for (const raw of raws) {
    const h = hashIdentifier(rule, field, raw, defaultCountry);
    if (h === undefined) skipped++;
    else out.add(h);
  }
  return { hashes: [...out].sort(), skipped };
}
