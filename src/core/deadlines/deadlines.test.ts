import { describe, expect, test } from 'vitest';
import {
  addMonthsRegulation1182,
  checkExtension,
  daysUntil,
  dueDate,
  dueStatus,
  type ExtensionInput,
  isWorkingDay,
  LEGAL_MAX_MONTHS,
  legalDueDate,
  maxExtendedDueDate,
  nextWorkingDay,
  nonWorkingReason,
  promisedDueDate,
  receiptDate,
} from './deadlines.ts';

const STOCKHOLM = 'Europe/Stockholm';
const OSLO = 'Europe/Oslo';

/** An instant at noon in Stockholm/Oslo on `date` (always the same local date, summer or winter). */
const noon = (date: string) => new Date(`${date}T10:00:00Z`);
const se = (date: string) => ({ receivedAt: noon(date), timeZone: STOCKHOLM, country: 'SE' });
const no = (date: string) => ({ receivedAt: noon(date), timeZone: OSLO, country: 'NO' });

describe('addMonthsRegulation1182 (Art. 3(2)(c))', () => {
  test.each([
    ['2026-01-15', 1, '2026-02-15'],
    ['2026-01-31', 1, '2026-02-28'],
    ['2027-01-31', 1, '2027-02-28'],
    ['2028-01-31', 1, '2028-02-29'],
    ['2028-01-29', 1, '2028-02-29'],
    ['2026-01-30', 1, '2026-02-28'],
    ['2026-03-31', 1, '2026-04-30'],
    ['2026-05-31', 1, '2026-06-30'],
    ['2026-04-30', 1, '2026-05-30'],
    ['2026-02-28', 1, '2026-03-28'],
    ['2026-12-15', 1, '2027-01-15'],
    ['2026-11-30', 3, '2027-02-28'],
    ['2027-11-30', 3, '2028-02-29'],
    ['2026-10-31', 2, '2026-12-31'],
    ['2026-12-31', 2, '2027-02-28'],
    ['2026-03-31', 0, '2026-03-31'],
  ])('%s + %i month(s) = %s', (from, months, expected) => {
    expect(addMonthsRegulation1182(from, months)).toBe(expected);
  });

  test('refuses fractional or negative months and impossible dates', () => {
    expect(() => addMonthsRegulation1182('2026-01-31', 1.5)).toThrow(
      expect.objectContaining({ code: 'invalid-months' }),
    );
    expect(() => addMonthsRegulation1182('2026-01-31', -1)).toThrow(
      expect.objectContaining({ code: 'invalid-months' }),
    );
    expect(() => addMonthsRegulation1182('2026-02-30', 1)).toThrow(
      expect.objectContaining({ code: 'invalid-date' }),
    );
    expect(() => addMonthsRegulation1182('2026-1-31', 1)).toThrow(
      expect.objectContaining({ code: 'invalid-date' }),
    );
  });
});

describe('nextWorkingDay (Art. 3(4))', () => {
  test('a working day is kept', () => {
    expect(nextWorkingDay('2026-03-04', 'SE')).toBe('2026-03-04');
    expect(nextWorkingDay('2026-03-04', 'NO')).toBe('2026-03-04');
  });

  test('Saturday and Sunday move to Monday', () => {
    expect(nextWorkingDay('2026-03-28', 'SE')).toBe('2026-03-30');
    expect(nextWorkingDay('2026-03-29', 'SE')).toBe('2026-03-30');
    expect(nonWorkingReason('2026-03-28', 'SE')).toBe('Saturday');
    expect(nonWorkingReason('2026-03-29', 'NO')).toBe('Sunday');
  });

  test('country codes are case-insensitive; unknown countries are refused', () => {
    expect(nextWorkingDay('2026-12-25', 'se')).toBe('2026-12-28');
    expect(() => nextWorkingDay('2026-12-25', 'XX')).toThrow(
      expect.objectContaining({ code: 'unsupported-country' }),
    );
  });

  test('other EU/EEA countries use their own public holidays', () => {
    // Denmark: Maundy Thursday 2027-03-25 is a public holiday, as in Norway.
    expect(nextWorkingDay('2027-03-25', 'DK')).toBe('2027-03-30');
    // Germany: Easter Monday; Finland: Independence Day on a Monday in 2027.
    expect(nextWorkingDay('2027-03-29', 'DE')).toBe('2027-03-30');
    expect(nextWorkingDay('2027-12-06', 'FI')).toBe('2027-12-07');
    // France: 14 July 2026 is a Tuesday and a public holiday.
    expect(nextWorkingDay('2026-07-14', 'FR')).toBe('2026-07-15');
  });

  describe('Sweden', () => {
    test.each([
      ['2026-01-01', '2026-01-02'], // nyårsdagen
      ['2026-01-06', '2026-01-07'], // trettondedag jul
      ['2027-03-26', '2027-03-30'], // långfredagen → påskafton, påskdagen, annandag påsk
      ['2026-05-01', '2026-05-04'], // första maj (Friday)
      ['2026-05-14', '2026-05-15'], // Kristi himmelsfärdsdag
      ['2026-06-06', '2026-06-08'], // nationaldagen on a Saturday
      ['2027-06-06', '2027-06-07'], // nationaldagen on a Sunday (no substitute day in Sweden)
      ['2026-12-25', '2026-12-28'],
    ])('%s is not a working day; the period ends on %s', (date, expected) => {
      expect(nextWorkingDay(date, 'SE')).toBe(expected);
    });

    test('midsommarafton, julafton and nyårsafton are treated as non-working days (Lag 1930:173 2 §)', () => {
      // date-holidays types them 'bank', not 'public'; Swedish law moves a time limit ending on them.
      for (const eve of [
        '2026-06-19',
        '2027-06-25',
        '2026-12-24',
        '2027-12-24',
        '2026-12-31',
        '2027-12-31',
      ]) {
        expect(isWorkingDay(eve, 'SE'), eve).toBe(false);
      }
      expect(nonWorkingReason('2026-06-19', 'SE')).toBe('Midsummer Eve');
      expect(nonWorkingReason('2026-12-24', 'SE')).toBe('Christmas Eve');
      expect(nonWorkingReason('2026-12-31', 'SE')).toBe("New Year's Eve");
      expect(nextWorkingDay('2026-06-19', 'SE')).toBe('2026-06-22');
      expect(nextWorkingDay('2026-12-24', 'SE')).toBe('2026-12-28');
      expect(nextWorkingDay('2026-12-31', 'SE')).toBe('2027-01-04');
      expect(nextWorkingDay('2027-12-24', 'SE')).toBe('2027-12-27');
      expect(nextWorkingDay('2027-12-31', 'SE')).toBe('2028-01-03');
    });

    test('other eves and observances are working days', () => {
      expect(isWorkingDay('2026-04-02', 'SE')).toBe(true); // skärtorsdagen
      expect(isWorkingDay('2026-04-30', 'SE')).toBe(true); // valborgsmässoafton
      expect(isWorkingDay('2026-01-05', 'SE')).toBe(true); // trettondagsafton
      expect(isWorkingDay('2026-10-30', 'SE')).toBe(true); // allhelgonaafton
      expect(isWorkingDay('2026-11-06', 'SE')).toBe(true); // Gustav Adolfsdagen
      expect(isWorkingDay('2026-05-25', 'SE')).toBe(true); // annandag pingst, abolished 2005
    });
  });

  describe('Norway', () => {
    test.each([
      ['2027-03-25', '2027-03-30'], // skjærtorsdag → langfredag, weekend, 2. påskedag
      ['2027-05-17', '2027-05-18'], // grunnlovsdagen and 2. pinsedag
      ['2028-05-17', '2028-05-18'], // grunnlovsdagen on a Wednesday
      ['2026-05-25', '2026-05-26'], // 2. pinsedag
      ['2026-05-01', '2026-05-04'], // arbeidernes dag
      ['2026-05-14', '2026-05-15'], // Kristi himmelfartsdag
      ['2026-12-25', '2026-12-28'],
    ])('%s is not a working day; the period ends on %s', (date, expected) => {
      expect(nextWorkingDay(date, 'NO')).toBe(expected);
    });

    test('julaften and nyttårsaften are working days (domstolloven § 149 does not count them)', () => {
      expect(isWorkingDay('2026-12-24', 'NO')).toBe(true);
      expect(isWorkingDay('2026-12-31', 'NO')).toBe(true);
      expect(isWorkingDay('2026-06-23', 'NO')).toBe(true); // sankthansaften
    });
  });
});

describe('receipt date in the controller time zone', () => {
  test('23:30 UTC on the last day of a month is already the next day in Stockholm', () => {
    expect(receiptDate({ receivedAt: new Date('2026-01-31T23:30:00Z'), timeZone: STOCKHOLM })).toBe(
      '2026-02-01',
    );
    expect(receiptDate({ receivedAt: new Date('2026-08-31T23:30:00Z'), timeZone: STOCKHOLM })).toBe(
      '2026-09-01',
    );
    expect(receiptDate({ receivedAt: new Date('2026-08-31T23:30:00Z'), timeZone: 'UTC' })).toBe('2026-08-31');
    // One month from 1 September, not from 31 August.
    const receivedAt = new Date('2026-08-31T23:30:00Z');
    expect(legalDueDate({ receivedAt, timeZone: STOCKHOLM, country: 'SE' })).toBe('2026-10-01');
    expect(legalDueDate({ receivedAt, timeZone: 'UTC', country: 'SE' })).toBe('2026-09-30');
  });

  test('daylight saving time: 22:30 UTC is midnight-thirty in Oslo in summer, 23:30 in winter', () => {
    expect(receiptDate({ receivedAt: new Date('2026-06-30T22:30:00Z'), timeZone: OSLO })).toBe('2026-07-01');
    expect(receiptDate({ receivedAt: new Date('2026-12-30T22:30:00Z'), timeZone: OSLO })).toBe('2026-12-30');
    // The night the clocks go forward (2026-03-29 02:00 → 03:00 local).
    expect(receiptDate({ receivedAt: new Date('2026-03-28T23:00:00Z'), timeZone: STOCKHOLM })).toBe(
      '2026-03-29',
    );
    expect(receiptDate({ receivedAt: new Date('2026-03-28T22:59:59Z'), timeZone: STOCKHOLM })).toBe(
      '2026-03-28',
    );
  });

  test('refuses an unknown time zone and an invalid instant', () => {
    expect(() => receiptDate({ receivedAt: noon('2026-01-01'), timeZone: 'Europe/Gothenburg' })).toThrow(
      expect.objectContaining({ code: 'invalid-time-zone' }),
    );
    expect(() => receiptDate({ receivedAt: new Date('nope'), timeZone: STOCKHOLM })).toThrow(
      expect.objectContaining({ code: 'invalid-instant' }),
    );
  });
});

describe('legalDueDate', () => {
  test.each([
    ['2026-01-15', '2026-02-16'], // 15 Feb is a Sunday
    ['2026-01-31', '2026-03-02'], // Feb 28 is a Saturday
    ['2027-01-31', '2027-03-01'], // Feb 28 2027 is a Sunday
    ['2028-01-31', '2028-02-29'], // leap year, a Tuesday
    ['2026-03-31', '2026-04-30'],
    ['2026-11-06', '2026-12-07'], // 6 Dec is a Sunday
    ['2026-05-19', '2026-06-22'], // 19 June is midsommarafton, then midsommardagen, Sunday
    ['2026-11-24', '2026-12-28'], // julafton, juldagen, annandag jul (Saturday), Sunday
    ['2026-12-01', '2027-01-04'], // nyårsdagen (Friday), weekend
    ['2027-02-26', '2027-03-30'], // Easter 2027: långfredagen … annandag påsk
    ['2027-02-25', '2027-03-25'], // skärtorsdagen is a working day in Sweden
  ])('Sweden: received %s, due %s', (received, expected) => {
    expect(legalDueDate(se(received))).toBe(expected);
  });

  test.each([
    ['2027-02-25', '2027-03-30'], // Easter 2027 from skjærtorsdag
    ['2027-04-17', '2027-05-18'], // 17 May and Whit Monday 2027
    ['2026-04-17', '2026-05-18'], // 17 May 2026 is a Sunday
    ['2026-04-25', '2026-05-26'], // Whit Monday 2026
    ['2026-11-24', '2026-12-24'], // julaften is a working day in Norway
  ])('Norway: received %s, due %s', (received, expected) => {
    expect(legalDueDate(no(received))).toBe(expected);
  });
});

describe('promisedDueDate and dueDate', () => {
  test('a promise of days counts calendar days from the day after receipt and is not moved off weekends', () => {
    expect(promisedDueDate({ receivedAt: noon('2026-03-02'), timeZone: STOCKHOLM, days: 30 })).toBe(
      '2026-04-01',
    );
    expect(promisedDueDate({ receivedAt: noon('2026-04-01'), timeZone: STOCKHOLM, days: 30 })).toBe(
      '2026-05-01',
    );
    expect(promisedDueDate({ receivedAt: noon('2026-02-27'), timeZone: STOCKHOLM, days: 30 })).toBe(
      '2026-03-29',
    );
  });

  test('P32 due date is the earlier of the legal month and the promised 30 days', () => {
    // After a 31-day month the 30 days end first.
    expect(dueDate({ ...se('2026-03-02'), promisedDays: 30 })).toEqual({
      dueDate: '2026-04-01',
      legalDueDate: '2026-04-02',
      promisedDueDate: '2026-04-01',
      basis: 'promise',
    });
    // After February the month ends first.
    expect(dueDate({ ...se('2026-02-02'), promisedDays: 30 })).toEqual({
      dueDate: '2026-03-02',
      legalDueDate: '2026-03-02',
      promisedDueDate: '2026-03-04',
      basis: 'legal',
    });
    // The legal date moves off a weekend; the promise does not, so it can be earlier.
    expect(dueDate({ ...se('2026-04-30'), promisedDays: 30 })).toEqual({
      dueDate: '2026-05-30',
      legalDueDate: '2026-06-01',
      promisedDueDate: '2026-05-30',
      basis: 'promise',
    });
    // Första maj moves the legal date to Monday; the promise stays on the Friday.
    expect(dueDate({ ...se('2026-04-01'), promisedDays: 30 })).toEqual({
      dueDate: '2026-05-01',
      legalDueDate: '2026-05-04',
      promisedDueDate: '2026-05-01',
      basis: 'promise',
    });
    // Same day: the law decides.
    expect(dueDate({ ...se('2026-06-01'), promisedDays: 30 })).toEqual({
      dueDate: '2026-07-01',
      legalDueDate: '2026-07-01',
      promisedDueDate: '2026-07-01',
      basis: 'legal',
    });
  });

  test('without a promise the legal date is the due date', () => {
    expect(dueDate(se('2026-11-06'))).toEqual({
      dueDate: '2026-12-07',
      legalDueDate: '2026-12-07',
      basis: 'legal',
    });
  });

  test('the time zone decides both dates', () => {
    const receivedAt = new Date('2026-03-31T22:30:00Z'); // 00:30 on 1 April in Stockholm
    expect(dueDate({ receivedAt, timeZone: STOCKHOLM, country: 'SE', promisedDays: 30 })).toEqual({
      dueDate: '2026-05-01',
      legalDueDate: '2026-05-04',
      promisedDueDate: '2026-05-01',
      basis: 'promise',
    });
  });

  test('refuses a promise that is not a whole number of days', () => {
    expect(() => dueDate({ ...se('2026-03-02'), promisedDays: 0 })).toThrow(
      expect.objectContaining({ code: 'invalid-promised-days' }),
    );
    expect(() => dueDate({ ...se('2026-03-02'), promisedDays: 29.5 })).toThrow(
      expect.objectContaining({ code: 'invalid-promised-days' }),
    );
  });
});

describe('maxExtendedDueDate', () => {
  test('the law allows three months in all from receipt', () => {
    expect(LEGAL_MAX_MONTHS).toBe(3);
    expect(maxExtendedDueDate(se('2026-03-10'))).toEqual({
      maxDueDate: '2026-06-10',
      legalMaxDueDate: '2026-06-10',
      basis: 'legal',
    });
    // 2026-11-30 + 3 months = 2027-02-28, a Sunday.
    expect(maxExtendedDueDate(se('2026-11-30')).maxDueDate).toBe('2027-03-01');
  });

  test('P32 an extension may reach at most two months from receipt', () => {
    expect(maxExtendedDueDate({ ...se('2026-03-10'), promisedMaxMonths: 2 })).toEqual({
      maxDueDate: '2026-05-11', // 10 May is a Sunday
      legalMaxDueDate: '2026-06-10',
      promisedMaxDueDate: '2026-05-11',
      basis: 'promise',
    });
    // Two months from 31 October end on nyårsafton, then nyårsdagen and a weekend.
    expect(maxExtendedDueDate({ ...se('2026-10-31'), promisedMaxMonths: 2 }).maxDueDate).toBe('2027-01-04');
    // From 31 December: 28 February 2027 is a Sunday.
    expect(maxExtendedDueDate({ ...no('2026-12-31'), promisedMaxMonths: 2 }).maxDueDate).toBe('2027-03-01');
  });

  test('a promise of three months is the law', () => {
    expect(maxExtendedDueDate({ ...se('2026-03-10'), promisedMaxMonths: 3 })).toMatchObject({
      maxDueDate: '2026-06-10',
      basis: 'legal',
    });
  });

  test('refuses a promise beyond the law or not in whole months', () => {
    for (const promisedMaxMonths of [0, 4, 2.5]) {
      expect(() => maxExtendedDueDate({ ...se('2026-03-10'), promisedMaxMonths })).toThrow(
        expect.objectContaining({ code: 'invalid-promised-months' }),
      );
    }
  });
});

describe('checkExtension', () => {
  const base: ExtensionInput = {
    now: noon('2026-03-25'),
    timeZone: STOCKHOLM,
    currentDueDate: '2026-04-09',
    requestedDueDate: '2026-05-11',
    maxDueDate: '2026-05-11',
    reason: 'The request covers ten years of order history across three systems.',
  };

  test('an extension within the maximum, in time and with a reason is accepted', () => {
    expect(checkExtension(base)).toEqual({ ok: true, dueDate: '2026-05-11', reason: base.reason });
    expect(checkExtension({ ...base, reason: '  trimmed  ' })).toMatchObject({ ok: true, reason: 'trimmed' });
  });

  test('an extension may still be granted on the due date itself, until midnight in the controller time zone', () => {
    // 21:59 UTC on 9 April is 23:59 in Stockholm (CEST).
    expect(checkExtension({ ...base, now: new Date('2026-04-09T21:59:00Z') }).ok).toBe(true);
  });

  test('an extension is refused after the due date has ended', () => {
    // 22:00 UTC on 9 April is already 10 April in Stockholm.
    const result = checkExtension({ ...base, now: new Date('2026-04-09T22:00:00Z') });
    expect(result).toMatchObject({ ok: false, code: 'extension-too-late' });
    expect(!result.ok && result.message).toContain('2026-04-09');
    expect(!result.ok && result.message).toContain('2026-04-10');
    // The same instant is still 9 April in UTC.
    expect(checkExtension({ ...base, timeZone: 'UTC', now: new Date('2026-04-09T22:00:00Z') }).ok).toBe(true);
  });

  test('P32 an extension beyond the maximum is refused', () => {
    const result = checkExtension({ ...base, requestedDueDate: '2026-05-12' });
    expect(result).toMatchObject({ ok: false, code: 'extension-beyond-maximum' });
    expect(!result.ok && result.message).toContain('on or before 2026-05-11');
  });

  test('an extension must move the due date later', () => {
    expect(checkExtension({ ...base, requestedDueDate: '2026-04-09' })).toMatchObject({
      ok: false,
      code: 'extension-not-later',
    });
    expect(checkExtension({ ...base, requestedDueDate: '2026-04-01' })).toMatchObject({
      ok: false,
      code: 'extension-not-later',
    });
  });

  test('an extension needs a reason for the data subject', () => {
    for (const reason of [undefined, null, '', '   ']) {
      const result = checkExtension({ ...base, reason });
      expect(result).toMatchObject({ ok: false, code: 'extension-reason-missing' });
      expect(!result.ok && result.message).toMatch(/reason/);
    }
  });

  test('refuses malformed dates', () => {
    expect(() => checkExtension({ ...base, requestedDueDate: '2026-02-30' })).toThrow(
      expect.objectContaining({ code: 'invalid-date' }),
    );
  });
});

describe('daysUntil and dueStatus', () => {
  test('counts calendar days in the controller time zone', () => {
    expect(daysUntil('2026-04-09', noon('2026-04-01'), STOCKHOLM)).toBe(8);
    expect(daysUntil('2026-04-09', noon('2026-04-09'), STOCKHOLM)).toBe(0);
    expect(daysUntil('2026-04-09', noon('2026-04-10'), STOCKHOLM)).toBe(-1);
    // 22:30 UTC on 8 April is 9 April in Stockholm, still 8 April in UTC.
    expect(daysUntil('2026-04-09', new Date('2026-04-08T22:30:00Z'), STOCKHOLM)).toBe(0);
    expect(daysUntil('2026-04-09', new Date('2026-04-08T22:30:00Z'), 'UTC')).toBe(1);
    // Across a year end and a leap day.
    expect(daysUntil('2028-03-01', noon('2027-12-31'), STOCKHOLM)).toBe(61);
  });

  test('on-track, due-soon within five days, overdue after the due date', () => {
    expect(dueStatus('2026-04-09', noon('2026-04-03'), STOCKHOLM)).toBe('on-track');
    expect(dueStatus('2026-04-09', noon('2026-04-04'), STOCKHOLM)).toBe('due-soon');
    expect(dueStatus('2026-04-09', noon('2026-04-09'), STOCKHOLM)).toBe('due-soon');
    expect(dueStatus('2026-04-09', new Date('2026-04-09T21:59:59Z'), STOCKHOLM)).toBe('due-soon');
    expect(dueStatus('2026-04-09', new Date('2026-04-09T22:00:00Z'), STOCKHOLM)).toBe('overdue');
    expect(dueStatus('2026-04-09', noon('2026-04-07'), STOCKHOLM, 1)).toBe('on-track');
    expect(dueStatus('2026-04-09', noon('2026-04-08'), STOCKHOLM, 1)).toBe('due-soon');
  });
});
