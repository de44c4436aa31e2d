/**
 * Rate limits of the public request form and the verification endpoints, on top of the per-address
 * limit every public route has (src/http/server.ts). Built on @fastify/rate-limit's `createRateLimit`, so
 * several limits can apply to one request, each with its own key:
 *
 * - submissions per client address (OMBUD_REQUEST_FORM_LIMIT per hour) and per e-mail address asked
 *   for (OMBUD_REQUEST_RECIPIENT_LIMIT per hour: nobody can flood an inbox with verification codes);
 * - verification attempts per client address (OMBUD_VERIFY_LIMIT per 15 minutes) and per submission
 *   (OMBUD_VERIFY_SUBMISSION_LIMIT per 15 minutes, besides the 5 wrong codes that lock a code).
 *
 * Keys are the address as Fastify sees it, the SHA-256 of the e-mail address, or the submission id: no
 * personal data is kept in the limiter. An exceeded limit is an OmbudError 'rate-limited' (429 with
 * Retry-After): problem+json on the API, a page message on the forms.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../app.ts';
import { OmbudError } from '../core/errors.ts';
import { fieldOf } from './fields.ts';

type Limit = {
  name: string;
  /** The setting (config.requestLimits) that holds the most allowed in one window. */
  max: keyof App['config']['requestLimits'];
  timeWindow: number;
  key: (req: FastifyRequest) => string | undefined;
  message: string;
};

const HOUR = 3_600_000;
const QUARTER = 900_000;
const bodyField = (req: FastifyRequest, f: string) => {
  const v = fieldOf(req.body, f);
  return typeof v === 'string' && v ? v : undefined;
};
const hashed = (s: string | undefined) =>
  s ? createHash('sha256').update(s.trim().toLowerCase()).digest('hex') : undefined;
const byAddress = (req: FastifyRequest) => req.ip;

const SUBMIT: Limit[] = [
  {
    name: 'submit-address',
    max: 'formPerHour',
    timeWindow: HOUR,
    key: byAddress,
    message: 'Too many requests have been sent from your network in the last hour.',
  },
  {
    name: 'submit-recipient',
    max: 'recipientPerHour',
    timeWindow: HOUR,
    key: (req) => hashed(bodyField(req, 'email')),
    message: 'Too many requests have been made for this e-mail address in the last hour.',
  },
];

const VERIFY: Limit[] = [
  {
    name: 'verify-address',
    max: 'verifyPerQuarter',
    timeWindow: QUARTER,
    key: byAddress,
    message: 'Too many confirmation attempts from your network.',
  },
  {
    name: 'verify-submission',
    max: 'verifyPerSubmission',
    timeWindow: QUARTER,
    key: (req) => bodyField(req, 'submissionId') ?? bodyField(req, 's'),
    message: 'Too many confirmation attempts for this request.',
  },
];

export type RequestLimiter = (req: FastifyRequest, reply: FastifyReply) => Promise<void>;

function limiter(server: FastifyInstance, app: App, limits: Limit[]): RequestLimiter {
  const checks = limits.map((l) => ({
    l,
    check: server.createRateLimit({
      max: () => app.config.requestLimits[l.max],
      timeWindow: l.timeWindow,
      keyGenerator: (req: FastifyRequest) => `${l.name}:${l.key(req) ?? 'none'}`,
    }),
  }));
  return async (req, reply) => {
    for (const { l, check } of checks) {
      if (l.key(req) === undefined) continue;
      const r = await check(req);
      if (r.isAllowed || !r.isExceeded) continue;
      const minutes = Math.max(1, Math.ceil(r.ttlInSeconds / 60));
      reply.header('retry-after', String(r.ttlInSeconds));
      throw new OmbudError('rate-limited', 'too-many-requests', l.message, {
        hint: `Please wait ${minutes} minute${minutes === 1 ? '' : 's'} and try again. If you need help, write to the company's privacy contact.`,
      });
    }
  };
}

// One set of counters per app, shared by the API and the pages (a page and the API count together).
const made = new WeakMap<App, { submit: RequestLimiter; verify: RequestLimiter }>();
function limitersOf(server: FastifyInstance, app: App) {
  let l = made.get(app);
  if (!l) {
    l = { submit: limiter(server, app, SUBMIT), verify: limiter(server, app, VERIFY) };
    made.set(app, l);
  }
  return l;
}

/** Per address and per e-mail address: the public request form. */
export const submissionLimiter = (server: FastifyInstance, app: App) => limitersOf(server, app).submit;
/** Per address and per submission: code and assertion verification, on the API and the page. */
export const verificationLimiter = (server: FastifyInstance, app: App) => limitersOf(server, app).verify;
