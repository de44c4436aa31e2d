/**
 * Data subject requests: the kinds, the states and which step may follow which. Pure: no I/O.
 *
 * received → verified → in-progress → (extended) → completed | refused
 * A request to the whole group waits at the group's contact point; on verification it is 'split' (closed)
 * into one request per controller that knows the customer (src/core/requests/routing.ts), or, known
 * nowhere, answered "we hold no personal data about you".
 * A fee (Art. 12(5)) puts an open request in 'awaiting-payment' until an agent records the payment or
 * waives the fee; it then returns to the state it came from (src/core/requests/fees.ts).
 * A refusal (manifestly unfounded or excessive, Art. 12(5)) is possible from any open state; an
 * extension (Art. 12(3)) from any open state before the due date has passed.
 */
import { OmbudError, precondition, validationError } from '../errors.ts';

export const REQUEST_TYPES = [
  'access',
  'rectification',
  'erasure',
  'restriction',
  'objection',
  'portability',
  'withdraw-consent',
] as const;
export type RequestType = (typeof REQUEST_TYPES)[number];

export const REQUEST_STATES = [
  'received',
  'verified',
  'in-progress',
  'extended',
  'awaiting-payment',
  'completed',
  'refused',
  'split',
] as const;
export type RequestState = (typeof REQUEST_STATES)[number];
export const OPEN_STATES: readonly RequestState[] = [
  'received',
  'verified',
  'in-progress',
  'extended',
  'awaiting-payment',
];
export const isOpen = (s: RequestState) => OPEN_STATES.includes(s);

export const VERIFICATION_METHODS = ['email-code', 'signed-assertion', 'manual-id-check'] as const;
export type VerificationMethod = (typeof VERIFICATION_METHODS)[number];

/** Grounds of Art. 12(5): the only ones on which a request may be refused or charged for. */
export const REFUSAL_GROUNDS = ['manifestly-unfounded', 'excessive'] as const;
export type RefusalGround = (typeof REFUSAL_GROUNDS)[number];

export type Step = 'verify' | 'start' | 'extend' | 'complete' | 'refuse' | 'charge-fee';

const ALLOWED: Record<Step, readonly RequestState[]> = {
  verify: ['received'],
  start: ['verified'],
  extend: ['verified', 'in-progress', 'received'],
  complete: ['verified', 'in-progress', 'extended'],
  refuse: ['received', 'verified', 'in-progress', 'extended', 'awaiting-payment'],
  'charge-fee': ['verified', 'in-progress', 'extended'],
};

/** The state after `step`, or a typed error naming what to do instead. */
export function nextState(current: RequestState, step: Step): RequestState {
  if (!ALLOWED[step].includes(current)) {
    const hint =
      current === 'received' && (step === 'start' || step === 'complete' || step === 'charge-fee')
        ? "Verify the requester's identity first (e-mail code, signed assertion, or a recorded ID check)."
        : isOpen(current)
          ? `From '${current}' the next steps are: ${(Object.keys(ALLOWED) as Step[]).filter((s) => ALLOWED[s].includes(current)).join(', ')}.`
          : 'The request is closed; file a new request if the customer asks again.';
    throw precondition('request-step-not-allowed', `A request in state '${current}' cannot '${step}'.`, hint);
  }
  switch (step) {
    case 'verify':
      return 'verified';
    case 'start':
      return 'in-progress';
    case 'extend':
      return 'extended';
    case 'complete':
      return 'completed';
    case 'refuse':
      return 'refused';
    case 'charge-fee':
      return 'awaiting-payment';
  }
}

/**
 * What an objection needs. To direct marketing (Art. 21(2)–(3)) it is absolute: applied at once, no
 * balancing. To a legitimate-interest purpose (Art. 21(1)) a person decides, with a balancing note.
 */
export type ObjectionKind = 'direct-marketing' | 'legitimate-interest';

export type RefusalInput = { ground?: string; reason?: string; partial?: boolean; refusedParts?: string };

/** Art. 12(5): refusal only on a recorded ground with a reason; a partial refusal says what was refused. */
export function checkRefusal(input: RefusalInput): { ground: RefusalGround; reason: string } {
  const issues = [];
  if (!REFUSAL_GROUNDS.includes(input.ground as RefusalGround))
    issues.push({
      path: ['ground'],
      message: `must be one of ${REFUSAL_GROUNDS.join(', ')}`,
      hint: 'GDPR Art. 12(5) allows a refusal only when a request is manifestly unfounded or excessive.',
    });
  if (!input.reason || input.reason.trim().length < 10)
    issues.push({
      path: ['reason'],
      message: 'a reason of at least 10 characters is required',
      hint: 'Write why the request is manifestly unfounded or excessive; the customer is told.',
    });
  if (input.partial && !input.refusedParts?.trim())
    issues.push({
      path: ['refusedParts'],
      message: 'a partial refusal must say what was refused',
      hint: 'Name the parts of the request that are refused; the rest is answered.',
    });
  if (issues.length) throw validationError('refusal-invalid', 'The refusal cannot be recorded.', issues);
  return { ground: input.ground as RefusalGround, reason: input.reason!.trim() };
}

export function assertBalancingNote(note: string | undefined): string {
  const n = (note ?? '').trim();
  if (n.length < 10)
    throw validationError(
      'balancing-note-missing',
      'An objection to a legitimate-interest purpose is decided by a person with a recorded balancing note.',
      [
        {
          path: ['balancingNote'],
          message: 'a balancing note of at least 10 characters is required',
          hint: "Weigh the company's compelling legitimate grounds against the customer's interests and write the outcome.",
        },
      ],
    );
  return n;
}

export { OmbudError };
