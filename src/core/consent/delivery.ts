/**
 * The rules of webhook delivery, without I/O (the worker in src/services/consent/propagator.ts applies
 * them): what an answer means (delivered, failed, throttled), how long a failed or throttled delivery
 * waits, and the circuit breaker that stops calling an endpoint that keeps failing. Times are
 * milliseconds on the caller's clock, so a test moves them by hand.
 */

export type Answer = { status?: number; error?: string; retryAfter?: string };

export type Verdict =
  | { kind: 'delivered' }
  | { kind: 'failed'; waitMs: number; dead: boolean }
  | { kind: 'throttled'; waitMs: number };

export type RetryPolicy = {
  /** Retries after the first attempt before a delivery is dead (8). */
  retryLimit: number;
  /** The first retry's wait; each next one doubles (30 s). */
  retryDelayMs: number;
  /** The longest wait between attempts, and the longest Retry-After honoured (1 h). */
  maxWaitMs: number;
};

export const DEFAULT_RETRY: RetryPolicy = { retryLimit: 8, retryDelayMs: 30_000, maxWaitMs: 3_600_000 };

/**
 * Retry-After as RFC 9110 §10.2.3 has it: delay-seconds or an HTTP-date. Undefined when absent or
 * unreadable; never negative.
 */
export function retryAfterMs(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/**
 * What an answer means for a delivery that has failed `failures` times before. 2xx: delivered. 429, and
 * 503 with Retry-After: throttled (the endpoint asks to wait; not a failure, so it never makes the
 * delivery dead), waiting what Retry-After says (at most maxWaitMs) or else the back-off. Anything else
 * (another status, a network error, a time-out): failed, waiting retryDelay·2^failures, dead once the
 * retries are used up.
 */
export function verdictOf(a: Answer, failures: number, policy: RetryPolicy, nowMs: number): Verdict {
  const backoff = Math.min(policy.maxWaitMs, policy.retryDelayMs * 2 ** failures);
  if (a.error === undefined && a.status !== undefined && a.status >= 200 && a.status <= 299)
    return { kind: 'delivered' };
  const asked = retryAfterMs(a.retryAfter, nowMs);
  if (a.status === 429 || (a.status === 503 && asked !== undefined))
    return { kind: 'throttled', waitMs: Math.min(policy.maxWaitMs, asked ?? backoff) };
  return { kind: 'failed', waitMs: backoff, dead: failures + 1 > policy.retryLimit };
}

export type BreakerPolicy = {
  /** The recent calls looked at (20). */
  window: number;
  /** Fewest calls in the window before it can open (10). */
  minCalls: number;
  /** Share of failed calls in the window that opens it (0.8). */
  failureRate: number;
  /** How long it stays open the first time (30 s); doubled after each failed trial, at most maxOpenMs. */
  openMs: number;
  maxOpenMs: number;
};

export const DEFAULT_BREAKER: BreakerPolicy = {
  window: 20,
  minCalls: 10,
  failureRate: 0.8,
  openMs: 30_000,
  maxOpenMs: 600_000,
};

export type BreakerState = 'closed' | 'open' | 'half-open';

/**
 * A circuit breaker per endpoint. Closed: calls go; it opens when at least `failureRate` of the last
 * `window` calls (and at least `minCalls` of them) failed. Open: no calls until `openMs` has passed.
 * Then half-open: one trial call; it closes on success, and opens again for twice as long on failure.
 */
export class Breaker {
  private outcomes: boolean[] = [];
  private openedFor: number;
  private openUntil = 0;
  private trial = false;
  state: BreakerState = 'closed';

  constructor(private readonly policy: BreakerPolicy = DEFAULT_BREAKER) {
    this.openedFor = policy.openMs;
  }

  /** How many calls may start now, given `inFlight` running and `limit` allowed at once. */
  capacity(nowMs: number, inFlight: number, limit: number): number {
    if (this.state === 'open' && nowMs >= this.openUntil) {
      this.state = 'half-open';
      this.trial = false;
    }
    if (this.state === 'open') return 0;
    if (this.state === 'half-open') return this.trial || inFlight > 0 ? 0 : 1;
    return Math.max(0, limit - inFlight);
  }

  /** A call starts (in half-open: the trial). */
  started(): void {
    if (this.state === 'half-open') this.trial = true;
  }

  /** When the breaker lets calls through again (0: it does). */
  closedAgainAt(): number {
    return this.state === 'open' ? this.openUntil : 0;
  }

  record(ok: boolean, nowMs: number): void {
    if (this.state === 'half-open') {
      this.trial = false;
      if (ok) {
        this.state = 'closed';
        this.outcomes = [];
        this.openedFor = this.policy.openMs;
      } else {
        this.openedFor = Math.min(this.policy.maxOpenMs, this.openedFor * 2);
        this.open(nowMs);
      }
      return;
    }
    if (this.state === 'open') return; // a call that started before it opened
    this.outcomes.push(ok);
    if (this.outcomes.length > this.policy.window) this.outcomes.shift();
    const failed = this.outcomes.filter((o) => !o).length;
    if (
      this.outcomes.length >= this.policy.minCalls &&
      failed / this.outcomes.length >= this.policy.failureRate
    )
      this.open(nowMs);
  }

  private open(nowMs: number): void {
    this.state = 'open';
    this.openUntil = nowMs + this.openedFor;
    this.outcomes = [];
  }
}
