import { describe, expect, it } from 'vitest';
import {
  DATA_CATEGORIES,
  DATA_SUBJECTS,
  DATA_USES,
  SPECIAL_CATEGORY_PREFIXES,
  type TaxonomyEntry,
  ancestors,
  isDataCategory,
  isDataSubject,
  isDataUse,
  isDescendantOrSelf,
  isSpecialCategory,
  replacementFor,
  taxonomyEntry,
  taxonomyLabel,
} from './fideslang.ts';

const KEY_PATTERN = /^[a-z_]+(\.[a-z0-9_]+)*$/;

describe.each([
  ['data categories', DATA_CATEGORIES],
  ['data uses', DATA_USES],
  ['data subjects', DATA_SUBJECTS],
] as const)('%s', (_label, entries: readonly TaxonomyEntry[]) => {
  it('has no duplicate keys', () => {
    const keys = entries.map((entry) => entry.key);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('uses well-formed keys and non-empty names and descriptions', () => {
    for (const entry of entries) {
      expect(entry.key).toMatch(KEY_PATTERN);
      expect(entry.name.trim()).not.toBe('');
      expect(entry.description.trim()).not.toBe('');
    }
  });

  it('references only existing parents, each the dotted prefix of the child', () => {
    const keys = new Set(entries.map((entry) => entry.key));
    for (const entry of entries) {
      if (entry.parent === null) {
        expect(entry.key).not.toContain('.');
        continue;
      }
      expect(keys.has(entry.parent), `${entry.key} -> ${entry.parent}`).toBe(true);
      expect(entry.key.slice(0, entry.key.lastIndexOf('.'))).toBe(entry.parent);
    }
  });

  it('is frozen', () => {
    expect(Object.isFrozen(entries)).toBe(true);
    expect(Object.isFrozen(entries[0])).toBe(true);
  });
});

describe('data categories', () => {
  it('holds the fideslang user and system trees', () => {
    expect(DATA_CATEGORIES).toHaveLength(123);
    const roots = DATA_CATEGORIES.filter((entry) => entry.parent === null).map((entry) => entry.key);
    expect(roots).toEqual(['user', 'system']);
    expect(DATA_CATEGORIES.every((entry) => /^(user|system)(\.|$)/.test(entry.key))).toBe(true);
  });

  it('knows user.contact.email under user.contact', () => {
    expect(isDataCategory('user.contact.email')).toBe(true);
    expect(taxonomyEntry('category', 'user.contact.email')).toEqual({
      key: 'user.contact.email',
      name: 'User Contact Email',
      description: "User's contact email address.",
      parent: 'user.contact',
    });
  });

  it('includes current 3.2 keys and the deprecated keys older data maps still use', () => {
    for (const key of [
      'user.health.genetic',
      'user.biometrics.fingerprint',
      'user.demographic.union_membership',
      'user.device.telemetry',
      'user.professional_information.job_title',
      'user.health_and_medical.genetic',
      'user.biometric.health',
      'user.unique_id.pseudonymous',
      'system.operations',
    ]) {
      expect(isDataCategory(key), key).toBe(true);
    }
  });

  it('rejects keys outside the default taxonomy', () => {
    expect(isDataCategory('user.contact.emails')).toBe(false);
    expect(isDataCategory('account')).toBe(false);
    expect(isDataCategory('essential.service')).toBe(false);
    expect(isDataCategory('')).toBe(false);
  });
});

describe('data uses', () => {
  it('knows the common data uses', () => {
    expect(DATA_USES).toHaveLength(55);
    expect(isDataUse('essential.service')).toBe(true);
    expect(isDataUse('marketing.advertising.third_party.targeted')).toBe(true);
    expect(taxonomyEntry('use', 'marketing.advertising.third_party.targeted')?.parent).toBe(
      'marketing.advertising.third_party',
    );
    expect(isDataUse('train_ai_system')).toBe(true);
  });

  it('does not confuse the kinds', () => {
    expect(isDataUse('user.contact.email')).toBe(false);
    expect(isDataUse('customer')).toBe(false);
  });
});

describe('data subjects', () => {
  it('knows customer and has no hierarchy', () => {
    expect(DATA_SUBJECTS).toHaveLength(15);
    expect(isDataSubject('customer')).toBe(true);
    expect(isDataSubject('employee')).toBe(true);
    expect(isDataSubject('user')).toBe(false);
    expect(DATA_SUBJECTS.every((entry) => entry.parent === null)).toBe(true);
  });
});

describe('taxonomyLabel', () => {
  it('returns the name for the right kind only', () => {
    expect(taxonomyLabel('category', 'user.contact.email')).toBe('User Contact Email');
    expect(taxonomyLabel('use', 'essential.service')).toBe('Essential for Service');
    expect(taxonomyLabel('subject', 'customer')).toBe('Customer');
    expect(taxonomyLabel('use', 'user.contact.email')).toBeUndefined();
    expect(taxonomyLabel('category', 'user.unknown')).toBeUndefined();
  });
});

describe('special categories', () => {
  it('lists only real data category keys', () => {
    for (const key of SPECIAL_CATEGORY_PREFIXES) expect(isDataCategory(key), key).toBe(true);
  });

  it('marks Art. 9 and Art. 10 categories and their descendants', () => {
    for (const key of [
      'user.health',
      'user.health.genetic',
      'user.health.reproductive_or_sexual',
      'user.health_and_medical',
      'user.health_and_medical.record_id',
      'user.biometrics.fingerprint',
      'user.biometric.retinal',
      'user.authorization.biometrics',
      'user.demographic.race_ethnicity',
      'user.demographic.political_opinion',
      'user.demographic.religious_belief',
      'user.demographic.philosophical_belief',
      'user.demographic.sexual_orientation',
      'user.demographic.union_membership',
      'user.criminal_history',
    ]) {
      expect(isSpecialCategory(key), key).toBe(true);
    }
  });

  it('marks custom descendants of a special key', () => {
    expect(isSpecialCategory('user.health.allergies')).toBe(true);
  });

  it('does not mark ordinary personal data or look-alike keys', () => {
    for (const key of [
      'user',
      'user.contact.email',
      'user.demographic',
      'user.demographic.gender',
      'user.authorization.password',
      'user.government_id.passport_number',
      'user.healthy_habits',
      'system.operations',
      '',
    ]) {
      expect(isSpecialCategory(key), key).toBe(false);
    }
  });
});

describe('hierarchy helpers', () => {
  it('lists ancestors root first, including the key itself', () => {
    expect(ancestors('user.contact.email')).toEqual(['user', 'user.contact', 'user.contact.email']);
    expect(ancestors('user')).toEqual(['user']);
    expect(ancestors('')).toEqual([]);
  });

  it('agrees with the parent links of the taxonomy', () => {
    const index = new Map(DATA_CATEGORIES.map((entry) => [entry.key, entry]));
    for (const entry of DATA_CATEGORIES) {
      const chain: string[] = [];
      for (let current: TaxonomyEntry | undefined = entry; current; ) {
        chain.unshift(current.key);
        current = current.parent === null ? undefined : index.get(current.parent);
      }
      expect(ancestors(entry.key)).toEqual(chain);
    }
  });

  it('tests descent on whole segments', () => {
    expect(isDescendantOrSelf('user.contact.email', 'user.contact')).toBe(true);
    expect(isDescendantOrSelf('user.contact', 'user.contact')).toBe(true);
    expect(isDescendantOrSelf('user.contact', 'user.contact.email')).toBe(false);
    expect(isDescendantOrSelf('user.contactless', 'user.contact')).toBe(false);
    expect(isDescendantOrSelf('user', '')).toBe(false);
  });
});

describe('replacementFor', () => {
  it('maps deprecated labels to existing successors', () => {
    expect(replacementFor('user.health_and_medical.genetic')).toBe('user.health.genetic');
    expect(replacementFor('personalize.profiling')).toBe('personalize.content.profiling');
    expect(replacementFor('user.contact.email')).toBeUndefined();
    for (const entry of [...DATA_CATEGORIES, ...DATA_USES]) {
      const successor = replacementFor(entry.key);
      if (successor !== undefined) expect(isDataCategory(successor) || isDataUse(successor)).toBe(true);
    }
  });
});
