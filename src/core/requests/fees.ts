/**
 * Fees for data subject requests (GDPR Art. 12(5)). Exercising a right is free; a reasonable fee,
 * based on the administrative cost, may be charged only when a request is manifestly unfounded or
 * excessive, with the reason recorded and after the customer was warned. Pure: no I/O.
 *
 * The clock while a fee is unpaid: the controller need not act until the fee is paid, so the request
 * waits in 'awaiting-payment' and is neither due soon nor overdue. When the payment is recorded, the due
 * date and the latest extension move later by the calendar days spent waiting (then to a working day).
 * When the fee is waived, the controller gave up its own condition: the clock did not stop and the
 * original due date stands.
 */
import { addDays, daysBetween, type IsoDate } from '../deadlines/iso-date.ts';
import { nextWorkingDay } from '../deadlines/deadlines.ts';
import { validationError } from '../errors.ts';
import { REFUSAL_GROUNDS, type RefusalGround } from './workflow.ts';

export const FEE_STATES = ['requested', 'paid', 'waived'] as const;
export type FeeState = (typeof FEE_STATES)[number];

/** The highest fee the desk accepts, in minor units of any currency: a guard against typing errors. */
export const MAX_FEE_MINOR = 1_000_000;

export type FeeInput = { ground?: string; reason?: string; amount?: string | number; currency?: string };
export type Fee = { ground: RefusalGround; reason: string; amountMinor: number; currency: string };

/** Checks a fee decision; amounts are decimal strings or numbers with at most two decimals. */
export function checkFee(input: FeeInput): Fee {
  const issues = [];
  if (!REFUSAL_GROUNDS.includes(input.ground as RefusalGround))
    issues.push({
      path: ['ground'],
      message: `must be one of ${REFUSAL_GROUNDS.join(', ')}`,
      hint: 'GDPR Art. 12(5) allows a fee only when a request is manifestly unfounded or excessive.',
    });
  if (!input.reason || input.reason.trim().length < 10)
    issues.push({
      path: ['reason'],
      message: 'a reason of at least 10 characters is required',
      hint: 'Write why the request is manifestly unfounded or excessive and how the fee was set; the customer is told.',
    });
  const raw = String(input.amount ?? '').trim();
  const m = /^(\d{1,7})(?:[.,](\d{1,2}))?$/.exec(raw);
  const amountMinor = m ? Number(m[1]) * 100 + Number((m[2] ?? '0').padEnd(2, '0')) : Number.NaN;
  if (!m || amountMinor <= 0 || amountMinor > MAX_FEE_MINOR)
    issues.push({
      path: ['amount'],
      message: 'a positive amount with at most two decimals, e.g. 150 or 150.00',
      hint: `A reasonable fee covers the administrative cost; the desk accepts at most ${MAX_FEE_MINOR / 100}.`,
    });
  const currency = String(input.currency ?? '')
    .trim()
    .toUpperCase();
  if (!/^[A-Z]{3}$/.test(currency))
    issues.push({
      path: ['currency'],
      message: 'an ISO 4217 currency code, e.g. SEK, NOK or EUR',
      hint: "Use the currency of the controller's country.",
    });
  if (issues.length) throw validationError('fee-invalid', 'The fee cannot be recorded.', issues);
  return { ground: input.ground as RefusalGround, reason: input.reason!.trim(), amountMinor, currency };
}

/** "150.00 SEK" */
export const formatFee = (amountMinor: number, currency: string) =>
  `${Math.floor(amountMinor / 100)}.${String(amountMinor % 100).padStart(2, '0')} ${currency}`;

/** The currency a controller in `country` charges in by default (shown as the form's default). */
export const defaultCurrency = (country: string | undefined) =>
  ({ SE: 'SEK', NO: 'NOK', DK: 'DKK' })[country ?? ''] ?? 'EUR';

/**
 * The due dates after a paid fee: each moves later by the calendar days between the fee request and the
 * payment (local dates), then to a working day of the controller's country. Unchanged when paid the same day.
 */
export function resumeAfterPayment(input: {
  requestedOn: IsoDate;
  paidOn: IsoDate;
  dueDate: IsoDate;
  maxDueDate: IsoDate;
  country: string;
}): { pausedDays: number; dueDate: IsoDate; maxDueDate: IsoDate } {
  const pausedDays = Math.max(0, daysBetween(input.requestedOn, input.paidOn));
  if (pausedDays === 0) return { pausedDays, dueDate: input.dueDate, maxDueDate: input.maxDueDate };
  return {
    pausedDays,
    dueDate: nextWorkingDay(addDays(input.dueDate, pausedDays), input.country),
    maxDueDate: nextWorkingDay(addDays(input.maxDueDate, pausedDays), input.country),
  };
}
