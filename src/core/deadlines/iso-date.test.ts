import { describe, expect, test } from 'vitest';
import {
  addDays,
  addMonthsClamped,
  daysBetween,
  endOfCalendarYear,
  endOfMonth,
  isIsoDate,
  isoWeekday,
  localDate,
} from './iso-date.ts';

describe('iso-date', () => {
  test('isIsoDate accepts only real dates written YYYY-MM-DD', () => {
    for (const ok of ['2026-01-01', '2028-02-29', '2000-02-29', '0001-01-01', '9999-12-31']) {
      expect(isIsoDate(ok), ok).toBe(true);
    }
    for (const bad of [
      '2027-02-29',
      '1900-02-29',
      '2026-04-31',
      '2026-13-01',
      '2026-00-10',
      '2026-1-1',
      '20260101',
      '',
      1,
    ]) {
      expect(isIsoDate(bad), String(bad)).toBe(false);
    }
  });

  test('addDays crosses months, years and leap days', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2027-02-28', 1)).toBe('2027-03-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(addDays('2026-03-29', 1)).toBe('2026-03-30'); // DST change does not matter for dates
  });

  test('addMonthsClamped keeps the day or falls back to the month end', () => {
    expect(addMonthsClamped('2026-01-31', 1)).toBe('2026-02-28');
    expect(addMonthsClamped('2026-03-31', -1)).toBe('2026-02-28');
    expect(addMonthsClamped('2026-12-31', 14)).toBe('2028-02-29');
  });

  test('weekdays, differences and period ends', () => {
    expect(isoWeekday('2026-01-01')).toBe(4);
    expect(isoWeekday('2026-12-06')).toBe(7);
    expect(isoWeekday('2026-12-07')).toBe(1);
    expect(daysBetween('2028-02-01', '2028-03-01')).toBe(29);
    expect(daysBetween('2026-03-01', '2026-02-01')).toBe(-28);
    expect(endOfMonth('2028-02-10')).toBe('2028-02-29');
    expect(endOfCalendarYear('2025-06-30')).toBe('2025-12-31');
  });

  test('localDate reads the date in the given time zone', () => {
    const at = new Date('2026-12-31T23:30:00Z');
    expect(localDate(at, 'UTC')).toBe('2026-12-31');
    expect(localDate(at, 'Europe/Oslo')).toBe('2027-01-01');
    expect(localDate(at, 'America/New_York')).toBe('2026-12-31');
  });
});
