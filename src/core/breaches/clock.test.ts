import { describe, expect, test } from 'vitest';
import { breachClock, clockWords, deadlineOf } from './clock.ts';

const aware = new Date('2026-03-02T08:00:00Z');
const at = (hours: number) => new Date(aware.getTime() + hours * 3_600_000);

describe('the 72-hour clock (Art. 33(1))', () => {
  test('the deadline is 72 hours after awareness', () => {
    expect(deadlineOf(aware).toISOString()).toBe('2026-03-05T08:00:00.000Z');
  });
  test('running, due soon in the last 24 hours, overdue after 72', () => {
    expect(breachClock(aware, at(1)).state).toBe('running');
    expect(breachClock(aware, at(47)).state).toBe('running');
    expect(breachClock(aware, at(48)).state).toBe('due-soon');
    expect(breachClock(aware, at(72)).state).toBe('due-soon');
    expect(breachClock(aware, at(72.01)).state).toBe('overdue');
    expect(clockWords(breachClock(aware, at(70.5)))).toBe('1 h 30 min left');
    expect(clockWords(breachClock(aware, at(75.25)))).toBe('3 h 15 min overdue');
  });
  test('notified stops the clock and says whether it was late; not required is documented', () => {
    expect(breachClock(aware, at(100), { notifiedAt: at(71) })).toMatchObject({
      state: 'notified',
      late: false,
    });
    expect(breachClock(aware, at(100), { notifiedAt: at(73) })).toMatchObject({
      state: 'notified',
      late: true,
    });
    expect(breachClock(aware, at(100), { notRequired: true }).state).toBe('not-required');
  });
});
