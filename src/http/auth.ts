/**
 * Who is calling, and may they? Sessions (HttpOnly, SameSite=Lax cookie holding a random
 * token whose hash is stored) for people. Cookie-authenticated changes must come from
 * our own origin (CSRF). Permission rules live in src/core/policies.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../app.ts';
import { forbidden, unauthenticated } from '../core/errors.ts';
import { type Permission, type Principal, can } from '../core/policies/permissions.ts';
import { sessionUser } from '../services/users/admins.ts';

export type { Permission, Principal };
export const SESSION_COOKIE = 'ombud_session';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

function sameOrigin(req: FastifyRequest): boolean {
  const origin = req.headers.origin ?? req.headers.referer;
  if (!origin) return false;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

export async function authenticate(
  app: App,
  req: FastifyRequest,
  _reply: FastifyReply,
  permission: Permission,
): Promise<void> {
  const token = req.cookies[SESSION_COOKIE];
  if (token) {
    const user = await sessionUser(app.db, token, app.now());
    if (user) {
      if (!SAFE.has(req.method) && !sameOrigin(req))
        throw forbidden(
          'Cross-site request refused: send changes from the Ombud console (missing or foreign Origin header).',
        );
      req.principal = { kind: 'user', userId: user.id, isOwner: user.isOwner };
    }
  }
  if (!req.principal)
    throw unauthenticated('Sign in to the console, or send an API key as Authorization: Bearer <key>.');
  const orgId = (req.params as { orgId?: string } | undefined)?.orgId;
  if (!can(req.principal, permission, orgId)) throw forbidden();
}
