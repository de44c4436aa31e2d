/**
 * The fideslang default taxonomy (IABTechLab/fideslang, 3.x): data categories, data uses and data subjects,
 * so that data maps exported from Ethyca Fides can be brought into the register unchanged.
 *
 * Pure data and lookups, no I/O. Keys, names and descriptions follow the upstream default taxonomy
 * (data categories as of 3.2.0, data uses as of 2.1.1, which 3.x has not changed). Upstream keeps
 * deprecated labels in its default taxonomy so that older data maps stay valid; they are kept here too and
 * their successor is available through `replacementFor`. Upstream spellings are kept verbatim, including
 * `user.unique_id.probablistic` and `user.health.symptons`.
 *
 * Note: the default taxonomy has no `account.*` data categories (that top-level branch was dropped before
 * fideslang 2.0); the categories are all `user.*` and `system.*`.
 */
import taxonomy from './fideslang-default-taxonomy.json' with { type: 'json' };

export type TaxonomyEntry = { key: string; name: string; description: string; parent: string | null };

export type TaxonomyKind = 'category' | 'use' | 'subject';

/** The upstream default taxonomy, kept as data (fideslang-default-taxonomy.json); frozen here. */
const freeze = (entries: readonly TaxonomyEntry[]): readonly TaxonomyEntry[] =>
  Object.freeze(entries.map((entry) => Object.freeze({ ...entry })));

export const DATA_CATEGORIES: readonly TaxonomyEntry[] = freeze(taxonomy.dataCategories);
export const DATA_USES: readonly TaxonomyEntry[] = freeze(taxonomy.dataUses);
export const DATA_SUBJECTS: readonly TaxonomyEntry[] = freeze(taxonomy.dataSubjects);

/**
 * Data categories that are special categories of personal data (GDPR Art. 9), plus criminal convictions and
 * offences (Art. 10), which need the same heightened care. Every descendant of one of these keys is special too.
 * Both the deprecated (pre-3.2) and current keys are listed so that older data maps are classified correctly.
 */
export const SPECIAL_CATEGORY_PREFIXES: readonly string[] = Object.freeze([
  // data concerning health, including genetic data
  'user.health',
  'user.health_and_medical',
  // biometric data (for uniquely identifying a natural person, which includes biometric authentication)
  'user.biometrics',
  'user.biometric',
  'user.authorization.biometrics',
  'user.authorization.biometric',
  // racial or ethnic origin
  'user.demographic.race_ethnicity',
  // political opinions
  'user.demographic.political_opinion',
  // religious or philosophical beliefs
  'user.demographic.religious_belief',
  'user.demographic.philosophical_belief',
  // trade union membership
  'user.demographic.union_membership',
  // sex life or sexual orientation (reproductive or sexual health is covered by user.health)
  'user.demographic.sexual_orientation',
  // criminal convictions and offences (Art. 10)
  'user.criminal_history',
]);

/** Deprecated default labels and the label that replaced them upstream. */
const DEPRECATIONS: readonly (readonly [string, string])[] = [
  ['user.account.settings', 'user.settings'],
  ['user.authorization.biometric', 'user.authorization.biometrics'],
  ['user.biometric', 'user.biometrics'],
  ['user.biometric.fingerprint', 'user.biometrics.fingerprint'],
  ['user.biometric.retinal', 'user.biometrics.retinal'],
  ['user.biometric.voice', 'user.biometrics.voice'],
  ['user.biometric.health', 'user.biometrics'],
  ['user.childrens', 'user.children'],
  ['user.contact.url', 'user.contact.social_url'],
  ['user.contact.organization', 'user.contact'],
  ['user.location.imprecise', 'user.location.coarse'],
  ['user.social', 'user.social_activity'],
  ['user.unique_id.pseudonymous', 'user.unique_id'],
  ['user.telemetry', 'user.device.telemetry'],
  ['user.user_sensor', 'user.device.sensor'],
  ['user.sensor', 'user.device.sensor'],
  ['user.health_and_medical', 'user.health'],
  ['user.health_and_medical.genetic', 'user.health.genetic'],
  ['user.health_and_medical.insurance_beneficiary_id', 'user.health.insurance_beneficiary_id'],
  ['user.health_and_medical.record_id', 'user.health.record_id'],
  ['user.job_title', 'user.professional_information.job_title'],
  ['user.workplace', 'user.professional_information.workplace'],
  ['personalize.profiling', 'personalize.content.profiling'],
];

const byKey = (entries: readonly TaxonomyEntry[]): ReadonlyMap<string, TaxonomyEntry> =>
  new Map(entries.map((entry) => [entry.key, entry]));

const INDEX: Readonly<Record<TaxonomyKind, ReadonlyMap<string, TaxonomyEntry>>> = {
  category: byKey(DATA_CATEGORIES),
  use: byKey(DATA_USES),
  subject: byKey(DATA_SUBJECTS),
};
const SPECIAL = new Set(SPECIAL_CATEGORY_PREFIXES);
const REPLACEMENTS: ReadonlyMap<string, string> = new Map(DEPRECATIONS);

export function isDataCategory(key: string): boolean {
  return INDEX.category.has(key);
}

export function isDataUse(key: string): boolean {
  return INDEX.use.has(key);
}

export function isDataSubject(key: string): boolean {
  return INDEX.subject.has(key);
}

/** The entry for a key of the default taxonomy, or undefined. */
export function taxonomyEntry(kind: TaxonomyKind, key: string): TaxonomyEntry | undefined {
  return INDEX[kind].get(key);
}

/** The human-readable name of a key of the default taxonomy, or undefined when the key is not in it. */
export function taxonomyLabel(kind: TaxonomyKind, key: string): string | undefined {
  return INDEX[kind].get(key)?.name;
}

/** The label that replaced a deprecated default label, or undefined when the key is not deprecated. */
export function replacementFor(key: string): string | undefined {
  return REPLACEMENTS.get(key);
}

/**
 * The key and its ancestors, root first: `ancestors('user.contact.email')` is
 * `['user', 'user.contact', 'user.contact.email']`. Works for custom keys that extend the default taxonomy.
 */
export function ancestors(key: string): string[] {
  if (key === '') return [];
  const parts = key.split('.');
  const out: string[] = [];
  let current = '';
  for (const part of parts) {
    current = current === '' ? part : `${current}.${part}`;
    out.push(current);
  }
  return out;
}

/** Whether `key` is `ancestorKey` or lies below it in the dotted hierarchy. */
export function isDescendantOrSelf(key: string, ancestorKey: string): boolean {
  return key === ancestorKey || (ancestorKey !== '' && key.startsWith(`${ancestorKey}.`));
}

/**
 * Whether a data category key is a special category (GDPR Art. 9, or Art. 10 criminal data): the key itself or
 * any of its ancestors is listed in SPECIAL_CATEGORY_PREFIXES. Custom descendants such as
 * `user.health.allergies` are special too.
 */
export function isSpecialCategory(key: string): boolean {
  for (const candidate of ancestors(key)) {
    if (SPECIAL.has(candidate)) return true;
  }
  return false;
}
