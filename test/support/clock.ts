/**
 * Clocks for tests. A test that involves dates runs the app on one of these (startTestServer's or
 * createApp's `now`) and derives its dates from it, so it passes on any day it is run
 * (.ci/run runs the date-bearing suites a second time under `faketime -f '+400d'`).
 */

/**
 * A clock that starts at `start` and runs at the real pace from there (monotonic, so the wall clock,
 * faked or not, never moves it): timestamps stay in order, the date stays put.
 */
export function tickingClock(start: string | Date): () => Date {
  const base = new Date(start).getTime();
  if (Number.isNaN(base)) throw new Error(`tickingClock: not a date: ${String(start)}`);
  const t0 = performance.now();
  return () => new Date(base + Math.round(performance.now() - t0));
}

/** `days` days (of 24 hours) before `from`, as an ISO timestamp. */
export function daysBefore(from: Date, days: number): string {
  return new Date(from.getTime() - days * 86_400_000).toISOString();
}
