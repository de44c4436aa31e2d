/**
 * Who is calling, and may they? Sessions (HttpOnly, SameSite=Lax cookie holding a random
 * token whose hash is stored) for people, `Authorization: Bearer omb_…` API keys for systems.
 * Cookie-authenticated changes must come from our own origin (CSRF); bearer requests carry no
 * ambient credentials and need no such check. Runs before validation, so an unauthenticated
 * call is a 401 whatever its body. Permission rules live in src/core/policies.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../app.ts';
import { forbidden, unauthenticated } from '../core/errors.ts';
import { type Permission, type Principal, can } from '../core/policies/permissions.ts';
import { authenticateKeyCached, cachedKeyPrincipal } from '../services/apikeys/apiKeys.ts';
import { sessionUser } from '../services/users/admins.ts';
import { rolesOf } from '../services/users/roles.ts';
import { fieldOf } from './fields.ts';

export type { Permission, Principal };
export const SESSION_COOKIE = 'ombud_session';

import type { Language } from '../core/register/schema.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
    /** The signed-in person's chosen console language (Account); undefined: follow Accept-Language. */
    consoleLanguage?: Language;
  }
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Cookies Ombud sets: HttpOnly, SameSite=Lax, and Secure when Ombud is served over https. */
export const cookieOptions = (app: App) => ({
  path: '/',
  httpOnly: true,
  sameSite: 'lax' as const,
  secure: app.config.publicUrl.startsWith('https://'),
});

const CROSS_SITE =
  'Cross-site request refused: send changes from the Ombud console (missing or foreign Origin header).';

/** A change sent with the session cookie must come from our own page (CSRF): a 403 otherwise. */
export function assertSameOrigin(req: FastifyRequest): void {
  if (!sameOrigin(req)) throw forbidden(CROSS_SITE);
}

function sameOrigin(req: FastifyRequest): boolean {
  const origin = req.headers.origin ?? req.headers.referer;
  if (!origin) return false;
  try {
    const o = new URL(origin);
    // Normalise the Host header the same way (a default port such as :80 is dropped by URL).
    return o.host === new URL(`${o.protocol}//${req.headers.host ?? ''}`).host;
  } catch {
    return false;
  }
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/**
 * The fast path of `authenticate` for API keys the cache holds: true when the caller is known (and may act:
 * otherwise it throws as `authenticate` does), with no promise and no query; false when `authenticate`
 * must run (no key, a key not cached, a session).
 */
export function authenticateCached(app: App, req: FastifyRequest, permission: Permission): boolean {
  const authz = req.headers.authorization;
  const m = authz === undefined ? null : BEARER.exec(authz);
  const principal = m
    ? cachedKeyPrincipal(app.db, m[1]!, app.now(), app.config.apiKeyCacheTtlMs ?? 5000)
    : undefined;
  if (!principal) return false;
  req.principal = principal;
  assertMayAct(req.principal, req, permission);
  return true;
}

export async function authenticate(
  app: App,
  req: FastifyRequest,
  _reply: FastifyReply,
  permission: Permission,
): Promise<void> {
  const authz = req.headers.authorization;
  if (authz !== undefined) {
    const m = BEARER.exec(authz);
    const principal = m
      ? await authenticateKeyCached(app.db, m[1]!, app.now(), app.config.apiKeyCacheTtlMs ?? 5000)
      : undefined;
    if (!principal)
      throw unauthenticated(
        'The API key is unknown, revoked or expired. Send a valid key as Authorization: Bearer <key>.',
      );
    req.principal = principal;
  }
  const token = req.cookies[SESSION_COOKIE];
  if (token && !req.principal) {
    const user = await sessionUser(app.db, token, app.now());
    if (user) {
      if (!SAFE.has(req.method)) assertSameOrigin(req);
      req.consoleLanguage = user.language ?? undefined;
      req.principal = {
        kind: 'user',
        userId: user.id,
        isOwner: user.isOwner,
        roles: await rolesOf(app.db, user.id),
      };
    }
  }
  if (!req.principal)
    throw unauthenticated('Sign in to the console, or send an API key as Authorization: Bearer <key>.');
  assertMayAct(req.principal, req, permission);
}

function assertMayAct(principal: Principal, req: FastifyRequest, permission: Permission): void {
  // Tenant isolation: a route addressing an organization is allowed only inside the caller's ones.
  const orgId = fieldOf(req.params, 'orgId');
  if (!can(principal, permission, typeof orgId === 'string' ? orgId : undefined))
    throw forbidden(
      typeof orgId === 'string'
        ? `You do not have '${permission}' in organization '${orgId.slice(0, 64)}'.`
        : `You do not have '${permission}' in any organization.`,
    );
}
