import { describe, expect, test } from 'vitest';
import { dateInWords } from './locale.ts';

describe('dates in words', () => {
  test('a calendar date reads as the customer writes it, in en, sv and nb', () => {
    // Written by hand.
    expect(dateInWords('2027-01-06', 'en')).toBe('6 January 2027');
    expect(dateInWords('2027-01-06', 'sv')).toBe('6 januari 2027');
    expect(dateInWords('2027-01-06', 'nb')).toBe('6. januar 2027');
    expect(dateInWords('2034-12-31', 'sv')).toBe('31 december 2034');
    expect(dateInWords('not a date', 'en')).toBe('not a date');
  });
});
