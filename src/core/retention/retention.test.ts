import { describe, expect, test } from 'vitest';
import {
  formatIsoDuration,
  InvalidDurationError,
  isUnderRetention,
  norwegianBookkeepingEnd,
  parseIsoDuration,
  retentionEndDate,
  retentionWindow,
  swedishBookkeepingEnd,
} from './retention.ts';

describe('parseIsoDuration', () => {
  test.each([
    ['P7Y', { years: 7, months: 0, weeks: 0, days: 0 }],
    ['P13M', { years: 0, months: 13, weeks: 0, days: 0 }],
    ['P30D', { years: 0, months: 0, weeks: 0, days: 30 }],
    ['P2Y6M', { years: 2, months: 6, weeks: 0, days: 0 }],
    ['P2W', { years: 0, months: 0, weeks: 2, days: 0 }],
    ['P1Y2M3W4D', { years: 1, months: 2, weeks: 3, days: 4 }],
    ['P0D', { years: 0, months: 0, weeks: 0, days: 0 }],
    [' P3Y ', { years: 3, months: 0, weeks: 0, days: 0 }],
  ])('%s', (text, expected) => {
    expect(parseIsoDuration(text)).toEqual(expected);
  });

  test.each([
    ['', /empty/],
    ['P', /no length/],
    ['7', /starts with 'P'/],
    ['7Y', /starts with 'P'/],
    ['-P1Y', /sign/],
    ['PT12H', /time part/],
    ['P1DT12H', /time part/],
    ['P1.5Y', /whole/],
    ['P1,5Y', /whole/],
    ['p7y', /capitals/],
    ['P6M2Y', /order/],
    ['P1Y1Y', /order/],
    ['P1H', /only whole numbers of years/],
    ['P7 Y', /only whole numbers of years/],
    ['P5000Y', /thousand years/],
  ])('refuses %j with a message saying what is wrong', (text, message) => {
    let error: unknown;
    try {
      parseIsoDuration(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidDurationError);
    expect(error).toMatchObject({ kind: 'validation', code: 'invalid-iso-duration' });
    expect((error as Error).message).toMatch(message);
    expect((error as InvalidDurationError).hint).toBeTruthy();
  });

  test('the hint says how to fix it', () => {
    expect(() => parseIsoDuration('30')).toThrow(
      expect.objectContaining({ hint: expect.stringContaining("'P30D'") }),
    );
    expect(() => parseIsoDuration('P1.5Y')).toThrow(
      expect.objectContaining({ hint: expect.stringContaining('P18M') }),
    );
    expect(() => parseIsoDuration('p2y6m')).toThrow(expect.objectContaining({ hint: "Write 'P2Y6M'." }));
  });

  test('formats back to canonical text', () => {
    expect(formatIsoDuration(parseIsoDuration('P2Y6M'))).toBe('P2Y6M');
    expect(formatIsoDuration({ years: 0, months: 0, weeks: 0, days: 0 })).toBe('P0D');
    expect(formatIsoDuration({ years: 1, months: 0, weeks: 2, days: 3 })).toBe('P1Y2W3D');
  });
});

describe('retentionEndDate', () => {
  test.each([
    ['2026-03-15', 'P30D', '2026-04-14'],
    ['2026-01-31', 'P1M', '2026-02-28'],
    ['2028-01-31', 'P1M', '2028-02-29'],
    ['2026-03-31', 'P1M', '2026-04-30'],
    ['2026-01-31', 'P13M', '2027-02-28'],
    ['2027-01-31', 'P13M', '2028-02-29'],
    ['2028-02-29', 'P1Y', '2029-02-28'],
    ['2028-02-29', 'P4Y', '2032-02-29'],
    ['2026-08-31', 'P2Y6M', '2029-02-28'],
    ['2026-12-31', 'P2W', '2027-01-14'],
    ['2026-01-30', 'P1M1D', '2026-03-01'],
    ['2024-12-31', 'P7Y', '2031-12-31'],
    ['2026-05-05', 'P0D', '2026-05-05'],
  ])('%s + %s = %s', (trigger, duration, expected) => {
    expect(retentionEndDate({ trigger, duration })).toBe(expected);
  });

  test('rounds to the end of the month or the calendar year when asked', () => {
    expect(retentionEndDate({ trigger: '2026-03-15', duration: 'P13M', roundTo: 'end-of-month' })).toBe(
      '2027-04-30',
    );
    expect(retentionEndDate({ trigger: '2027-01-10', duration: 'P1M', roundTo: 'end-of-month' })).toBe(
      '2027-02-28',
    );
    expect(
      retentionEndDate({ trigger: '2025-06-30', duration: 'P7Y', roundTo: 'end-of-calendar-year' }),
    ).toBe('2032-12-31');
    expect(
      retentionEndDate({ trigger: '2026-12-31', duration: 'P1D', roundTo: 'end-of-calendar-year' }),
    ).toBe('2027-12-31');
  });

  test('accepts a parsed duration', () => {
    expect(
      retentionEndDate({ trigger: '2026-08-31', duration: { years: 2, months: 6, weeks: 0, days: 0 } }),
    ).toBe('2029-02-28');
    expect(() =>
      retentionEndDate({ trigger: '2026-08-31', duration: { years: -1, months: 0, weeks: 0, days: 0 } }),
    ).toThrow(InvalidDurationError);
  });

  test('refuses a bad trigger, rounding or a period past year 9999', () => {
    expect(() => retentionEndDate({ trigger: '2026-02-29', duration: 'P1Y' })).toThrow(
      expect.objectContaining({ code: 'invalid-date' }),
    );
    expect(() =>
      // @ts-expect-error: an unknown rounding from untyped input
      retentionEndDate({ trigger: '2026-01-01', duration: 'P1Y', roundTo: 'end-of-week' }),
    ).toThrow(expect.objectContaining({ code: 'invalid-rounding' }));
    expect(() => retentionEndDate({ trigger: '9990-01-01', duration: 'P20Y' })).toThrow(
      expect.objectContaining({ code: 'retention-out-of-range' }),
    );
    expect(() => retentionEndDate({ trigger: '9999-12-01', duration: 'P31D' })).toThrow(
      expect.objectContaining({ code: 'retention-out-of-range' }),
    );
  });

  test('retentionWindow gives the first day of erasure too', () => {
    expect(retentionWindow({ trigger: '2026-11-30', duration: 'P1M' })).toEqual({
      keepThrough: '2026-12-30',
      erasableFrom: '2026-12-31',
    });
    expect(retentionWindow({ trigger: '2027-01-31', duration: 'P1M' })).toEqual({
      keepThrough: '2027-02-28',
      erasableFrom: '2027-03-01',
    });
  });
});

describe('bookkeeping', () => {
  test('P20 Swedish invoices are kept to the end of the seventh year after the financial year closed', () => {
    expect(swedishBookkeepingEnd('2024-12-31')).toEqual({
      keepThrough: '2031-12-31',
      erasableFrom: '2032-01-01',
    });
    // A broken financial year closing mid-year: counted from the end of that calendar year.
    expect(swedishBookkeepingEnd('2025-06-30')).toEqual({
      keepThrough: '2032-12-31',
      erasableFrom: '2033-01-01',
    });
    expect(swedishBookkeepingEnd('2025-04-30')).toEqual({
      keepThrough: '2032-12-31',
      erasableFrom: '2033-01-01',
    });
    expect(swedishBookkeepingEnd('2028-02-29').keepThrough).toBe('2035-12-31');
  });

  test('Norwegian accounting records are kept five years after the end of the financial year', () => {
    expect(norwegianBookkeepingEnd('2024-12-31')).toEqual({
      keepThrough: '2029-12-31',
      erasableFrom: '2030-01-01',
    });
  });

  test('P14 retention is longer only where the law requires it', () => {
    // Norway counts from the end of the financial year itself: no rounding up to a calendar year end.
    expect(norwegianBookkeepingEnd('2025-06-30')).toEqual({
      keepThrough: '2030-06-30',
      erasableFrom: '2030-07-01',
    });
    // Agreements and correspondence need only three years and six months in Norway.
    expect(norwegianBookkeepingEnd('2024-12-31', 'supplementary')).toEqual({
      keepThrough: '2028-06-30',
      erasableFrom: '2028-07-01',
    });
    // A general retention period is never rounded unless asked.
    expect(retentionEndDate({ trigger: '2026-03-15', duration: 'P13M' })).toBe('2027-04-15');
    // Sweden's calendar-year rule lengthens the period only as far as the law says.
    expect(swedishBookkeepingEnd('2025-06-30').keepThrough).toBe(
      retentionEndDate({ trigger: '2025-06-30', duration: 'P7Y', roundTo: 'end-of-calendar-year' }),
    );
  });

  test('refuses a malformed financial year end', () => {
    expect(() => swedishBookkeepingEnd('2025-13-31')).toThrow(
      expect.objectContaining({ code: 'invalid-date' }),
    );
    expect(() => norwegianBookkeepingEnd('31.12.2024')).toThrow(
      expect.objectContaining({ code: 'invalid-date' }),
    );
  });
});

describe('isUnderRetention', () => {
  test('true through the last day, false from the day after', () => {
    expect(isUnderRetention('2031-12-31', '2031-12-30')).toBe(true);
    expect(isUnderRetention('2031-12-31', '2031-12-31')).toBe(true);
    expect(isUnderRetention('2031-12-31', '2032-01-01')).toBe(false);
    expect(isUnderRetention('2028-02-29', '2028-03-01')).toBe(false);
  });

  test('refuses malformed dates', () => {
    expect(() => isUnderRetention('2031-12-31', '2031-12-32')).toThrow(
      expect.objectContaining({ code: 'invalid-date' }),
    );
  });
});
