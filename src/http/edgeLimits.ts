/**
 * The public edge's limits (docs/edge.md). Every visitor of every site reaches these routes, often through
 * a CDN or a carrier's NAT, so a limit per client address alone would refuse real visitors:
 *
 * - the banner's script and loader have no per-address limit (static, cacheable: the CDN absorbs them);
 * - a cookie-banner proof is limited per consent id (OMBUD_PROOF_RATE_LIMIT a minute: one browser cannot
 *   flood the proof table), and per client address only as a coarse flood guard (OMBUD_PROOF_FLOOD_LIMIT a
 *   minute, high enough for a 10,000-visitor-a-minute site whose visitors all arrive from one CDN address).
 *
 * Counters are kept in each API process's memory (the @fastify/rate-limit store): with N processes behind a
 * balancer the effective limits are up to N times these.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../app.ts';
import { OmbudError } from '../core/errors.ts';
import { fieldOf } from './fields.ts';

const MINUTE = 60_000;

/** The per-address flood guard, as a route's `config.rateLimit` (checked before the body is read). */
export const proofFloodGuard = (app: App) => ({
  max: () => app.config.edgeLimits.proofPerAddress,
  timeWindow: MINUTE,
  keyGenerator: (req: FastifyRequest) => `proof-address:${req.ip}`,
});

/** The limit per consent id, checked once the body is parsed. */
export function proofConsentIdLimiter(server: FastifyInstance, app: App) {
  const check = server.createRateLimit({
    max: () => app.config.edgeLimits.proofPerConsentId,
    timeWindow: MINUTE,
    keyGenerator: (req: FastifyRequest) => `proof-consent:${String(fieldOf(req.body, 'consentId'))}`,
  });
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const r = await check(req);
    if (r.isAllowed || !r.isExceeded) return;
    reply.header('retry-after', String(r.ttlInSeconds));
    throw new OmbudError(
      'rate-limited',
      'too-many-requests',
      'Too many cookie choices have been stored for this consent id in the last minute.',
      { hint: `Wait ${r.ttlInSeconds} s; the banner keeps the choice and sends it again.` },
    );
  };
}
