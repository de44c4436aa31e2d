import { describe, expect, test } from 'vitest';
import { Breaker, retryAfterMs, verdictOf } from './delivery.ts';

const policy = { retryLimit: 2, retryDelayMs: 1000, maxWaitMs: 60_000 };
const T = Date.parse('2026-03-02T10:00:00Z');

describe('what an answer means', () => {
  test.each([
    // answer, failures before, verdict
    [{ status: 204 }, 0, { kind: 'delivered' }],
    [{ status: 500, error: 'HTTP 500' }, 0, { kind: 'failed', waitMs: 1000, dead: false }],
    [{ status: 500, error: 'HTTP 500' }, 1, { kind: 'failed', waitMs: 2000, dead: false }],
    [{ status: 500, error: 'HTTP 500' }, 2, { kind: 'failed', waitMs: 4000, dead: true }],
    [{ error: 'ECONNREFUSED' }, 0, { kind: 'failed', waitMs: 1000, dead: false }],
    [{ status: 302, error: 'HTTP 302' }, 0, { kind: 'failed', waitMs: 1000, dead: false }],
    [{ status: 429, error: 'HTTP 429', retryAfter: '120' }, 2, { kind: 'throttled', waitMs: 60_000 }],
    [{ status: 429, error: 'HTTP 429', retryAfter: '7' }, 2, { kind: 'throttled', waitMs: 7000 }],
    [{ status: 429, error: 'HTTP 429' }, 1, { kind: 'throttled', waitMs: 2000 }],
    [
      { status: 503, error: 'HTTP 503', retryAfter: 'Mon, 02 Mar 2026 10:00:30 GMT' },
      0,
      { kind: 'throttled', waitMs: 30_000 },
    ],
    [{ status: 503, error: 'HTTP 503' }, 0, { kind: 'failed', waitMs: 1000, dead: false }],
  ])('%j after %i failures: %j', (answer, failures, verdict) => {
    expect(verdictOf(answer, failures, policy, T)).toEqual(verdict);
  });

  test.each([
    ['120', 120_000],
    [' 3 ', 3000],
    ['Mon, 02 Mar 2026 10:01:00 GMT', 60_000],
    ['Mon, 02 Mar 2026 09:59:00 GMT', 0],
    ['soon', undefined],
    [undefined, undefined],
  ])('Retry-After %j waits %j ms', (v, ms) => {
    expect(retryAfterMs(v, T)).toBe(ms);
  });
});

describe('the circuit breaker', () => {
  const p = { window: 4, minCalls: 4, failureRate: 0.75, openMs: 10_000, maxOpenMs: 30_000 };

  test('opens at 3 failures of the last 4, lets one trial through after openMs, closes on its success', () => {
    const b = new Breaker(p);
    for (const ok of [true, false, false]) b.record(ok, T);
    expect(b.state).toBe('closed');
    expect(b.capacity(T, 0, 5)).toBe(5);
    b.record(false, T);
    expect(b.state).toBe('open');
    expect(b.capacity(T + 9_999, 0, 5)).toBe(0);
    expect(b.capacity(T + 10_000, 0, 5)).toBe(1);
    expect(b.state).toBe('half-open');
    b.started();
    expect(b.capacity(T + 10_000, 1, 5)).toBe(0);
    b.record(true, T + 10_100);
    expect(b.state).toBe('closed');
    expect(b.capacity(T + 10_100, 0, 5)).toBe(5);
  });

  test('a failed trial opens it for twice as long, at most maxOpenMs; a success resets the time', () => {
    const b = new Breaker(p);
    for (let i = 0; i < 4; i++) b.record(false, T);
    // open for 10 s, trial fails: 20 s; fails again: 30 s (the most)
    const opens: number[] = [];
    let now = T;
    for (let round = 0; round < 3; round++) {
      const from = now;
      while (b.capacity(now, 0, 5) === 0) now += 1000;
      opens.push(now - from);
      b.started();
      b.record(false, now);
    }
    expect(opens).toEqual([10_000, 20_000, 30_000]);
    while (b.capacity(now, 0, 5) === 0) now += 1000;
    b.started();
    b.record(true, now);
    for (let i = 0; i < 4; i++) b.record(false, now);
    const from = now;
    while (b.capacity(now, 0, 5) === 0) now += 1000;
    expect(now - from).toBe(10_000);
  });

  test('a flaky endpoint (1 call in 5 fails) never opens it', () => {
    const b = new Breaker({ window: 20, minCalls: 10, failureRate: 0.8, openMs: 30_000, maxOpenMs: 600_000 });
    for (let i = 0; i < 1000; i++) b.record(i % 5 !== 0, T + i);
    expect(b.state).toBe('closed');
  });
});
