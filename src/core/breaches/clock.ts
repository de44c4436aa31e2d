/**
 * The 72-hour clock of a personal data breach (GDPR Art. 33(1)): the controller notifies its supervisory
 * authority without undue delay and, where feasible, not later than 72 hours after having become aware of
 * it. The clock runs from awareness, not from detection or from the breach itself. Pure: the caller gives
 * the time.
 */
export const NOTIFY_WITHIN_HOURS = 72;
/** Hours before the deadline from which a breach is "due soon" on the desk and in the digest. */
export const DUE_SOON_HOURS = 24;

export type ClockState = 'running' | 'due-soon' | 'overdue' | 'notified' | 'not-required';

export type BreachClock = {
  awareAt: Date;
  deadline: Date;
  state: ClockState;
  /** Whole minutes left until the deadline (negative once past it). */
  minutesLeft: number;
  /** Notified after the deadline: the notification must give the reasons for the delay (Art. 33(1)). */
  late: boolean;
};

const HOUR = 3_600_000;

export const deadlineOf = (awareAt: Date): Date => new Date(awareAt.getTime() + NOTIFY_WITHIN_HOURS * HOUR);

export function breachClock(
  awareAt: Date,
  now: Date,
  done: { notifiedAt?: Date | null; notRequired?: boolean } = {},
): BreachClock {
  const deadline = deadlineOf(awareAt);
  const minutesLeft = Math.floor((deadline.getTime() - now.getTime()) / 60_000);
  if (done.notifiedAt)
    return {
      awareAt,
      deadline,
      state: 'notified',
      minutesLeft,
      late: done.notifiedAt.getTime() > deadline.getTime(),
    };
  if (done.notRequired) return { awareAt, deadline, state: 'not-required', minutesLeft, late: false };
  const state: ClockState =
    minutesLeft < 0 ? 'overdue' : minutesLeft <= DUE_SOON_HOURS * 60 ? 'due-soon' : 'running';
  return { awareAt, deadline, state, minutesLeft, late: minutesLeft < 0 };
}

/** "47 h 12 min left" / "3 h 5 min overdue": the clock in words for the desk (English, the console's). */
export function clockWords(c: BreachClock): string {
  if (c.state === 'notified') return c.late ? 'notified after the deadline' : 'notified in time';
  if (c.state === 'not-required') return 'no notification required (documented)';
  const m = Math.abs(c.minutesLeft);
  const text = `${Math.floor(m / 60)} h ${m % 60} min`;
  return c.minutesLeft < 0 ? `${text} overdue` : `${text} left`;
}
