import { describe, expect, test } from 'vitest';
import { sharedOnlyHashed } from './sharedHashed.ts';

const purpose = (...categories: string[][]) => ({
  data: categories.map((c) => ({ categories: c, legalBasis: 'legitimate-interests' as const })),
});

describe('P44 a purpose that shares an identifier only hashed', () => {
  // [categories per data entry, kind, only hashed?] — written by hand.
  const TABLE: [string[][], 'email' | 'phone', boolean][] = [
    [[['user.contact.email.hashed', 'user.behavior.purchase_history']], 'email', true],
    [[['user.contact.email.hashed'], ['user.contact.email']], 'email', false],
    [[['user.contact.email.hashed', 'user.contact']], 'email', false],
    [[['user.contact.email.hashed', 'user']], 'email', false],
    [[['user.contact.email']], 'email', false],
    [[['user.contact.email.hashed']], 'phone', false],
    [[['user.contact.phone_number.hashed']], 'phone', true],
    [[['user.contact.phone_number.hashed', 'user.contact.email']], 'phone', true],
    [[['user.contact.emailx', 'user.contact.email.hashed']], 'email', true],
  ];
  test.each(TABLE)('%j %s → %s', (categories, kind, expected) => {
    expect(sharedOnlyHashed(purpose(...categories) as never, kind)).toBe(expected);
  });
});
