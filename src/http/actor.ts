import type { FastifyRequest } from 'fastify';
import type { Caller } from '../core/policies/policy.ts';
import { forbidden } from '../core/errors.ts';
import type { Actor } from '../services/audit/auditLog.ts';

/** The audit actor for a request: the signed-in user, the API key, or the public. */
export function principalActor(req: FastifyRequest): Actor {
  const p = req.principal;
  if (!p) return { kind: 'data-subject', id: 'anonymous' };
  if (p.kind === 'user') return { kind: 'user', id: p.userId };
  if (p.kind === 'api-key') return { kind: 'api-key', id: p.keyId };
  return { kind: 'system', id: 'ombud' };
}

/** The caller of an authenticated route, for the services (principal to decide, actor to audit). */
export function callerOf(req: FastifyRequest): Caller {
  if (!req.principal) throw forbidden('This needs a signed-in person or an API key.');
  return { principal: req.principal, actor: principalActor(req) };
}
