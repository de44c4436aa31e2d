import type { FastifyRequest } from 'fastify';
import type { Actor } from '../services/audit/auditLog.ts';

/** The audit actor for a request: the signed-in user, the API key, or the public. */
export function principalActor(req: FastifyRequest): Actor {
  const p = req.principal;
  if (!p) return { kind: 'data-subject', id: 'anonymous' };
  return p.kind === 'user' ? { kind: 'user', id: p.userId } : { kind: 'api-key', id: p.keyId };
}
