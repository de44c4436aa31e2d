/**
 * Single sign-on for the console (OIDC, docs/sso.md): the start (a redirect to the provider with state,
 * nonce and PKCE; the state kept server-side, bound to the browser by a short-lived cookie), the callback
 * (code exchange and ID token checks, then a console session), the provider's end-session after a sign-out,
 * and the read-only page of the configured mapping. A refused sign-in answers the sign-in page with what
 * went wrong, in words that name no personal data; the audit log has the reason code.
 */
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import type { App } from '../../app.ts';
import { notFound, OmbudError } from '../../core/errors.ts';
import type { SsoProvider } from '../../core/sso/providers.ts';
import { SsoRefusal } from '../../core/sso/refusal.ts';
import { endSessionUrl } from '../../services/users/oidc.ts';
import {
  beginSsoSignIn,
  finishSsoSignIn,
  linkedPeopleCounts,
  SSO_LOGIN_MINUTES,
  ssoRedirectUri,
} from '../../services/users/sso.ts';
import { loginPage } from '../../web/pages/people/loginPage.ts';
import { ssoPage } from '../../web/pages/people/ssoPage.ts';
import { cookieOptions, SESSION_COOKIE } from '../auth.ts';
import { sendPage } from '../pages.ts';
import type { RouteServer } from '../routeServer.ts';

/** The cookie binding a sign-in in flight to the browser that started it. */
export const SSO_BROWSER_COOKIE = 'ombud_sso';
const SSO_COOKIE_PATH = '/console/sso/';

const providerParam = z.object({
  provider: z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'a provider id such as corp'),
});

/** Where a sign-in may return to: a console page, nothing else. */
export const safeNext = (n: string | undefined) =>
  n && /^\/console(\/[A-Za-z0-9/_.-]*)?(\?[A-Za-z0-9=&%_.-]*)?$/.test(n) ? n : '/console';

/** The configured provider of that id, or "not found". */
export function ssoProviderOf(app: App, id: string): SsoProvider {
  const p = app.config.sso?.providers.find((x) => x.id === id);
  if (!p) throw notFound('sso-provider', id);
  return p;
}

/** The sign-in page's providers and mode, from the configuration. */
export const loginOptions = (app: App) => ({
  providers: (app.config.sso?.providers ?? []).map((p) => ({ id: p.id, name: p.name })),
  ssoOnly: app.config.sso?.only === true,
});

const STATUS: Record<string, number> = { unauthenticated: 401, forbidden: 403, conflict: 409 };

function refusedPage(app: App, reply: FastifyReply, err: SsoRefusal) {
  const status = err.reason === 'provider-unreachable' ? 502 : (STATUS[err.kind] ?? 400);
  return sendPage(reply, loginPage({ next: '/console', error: err.message, ...loginOptions(app) }), {
    status,
    private: true,
  });
}

export async function ssoRoutes(server: RouteServer, app: App) {
  const limited = { max: app.config.loginRateLimit ?? 30, timeWindow: '1 minute' };
  const browserCookie = { ...cookieOptions(app), path: SSO_COOKIE_PATH };

  server.get(
    '/console/sso/:provider/start',
    {
      config: { permission: 'public', rateLimit: limited },
      schema: {
        hide: true,
        params: providerParam,
        querystring: z.object({ next: z.string().max(200).optional() }),
      },
    },
    async (req, reply) => {
      const p = ssoProviderOf(app, req.params.provider);
      try {
        const { url, browser } = await beginSsoSignIn(app.db, p, {
          publicUrl: app.config.publicUrl,
          next: safeNext(req.query.next),
          now: app.now(),
        });
        reply.setCookie(SSO_BROWSER_COOKIE, browser, { ...browserCookie, maxAge: SSO_LOGIN_MINUTES * 60 });
        return reply.header('cache-control', 'no-store').redirect(url, 303);
      } catch (err) {
        if (!(err instanceof SsoRefusal)) throw err;
        app.log.warn({ provider: p.id, reason: err.reason, ...err.facts }, 'single sign-on not started');
        return refusedPage(app, reply, err);
      }
    },
  );

  server.get(
    '/console/sso/:provider/callback',
    {
      config: { permission: 'public', rateLimit: limited },
      schema: {
        hide: true,
        params: providerParam,
        // The provider's answer (code, state, iss, or error): read by openid-client from the URL itself.
        querystring: z.looseObject({
          state: z.string().max(512).optional(),
          code: z.string().max(4096).optional(),
          iss: z.string().max(2048).optional(),
          error: z.string().max(256).optional(),
        }),
      },
    },
    async (req, reply) => {
      const p = ssoProviderOf(app, req.params.provider);
      reply.clearCookie(SSO_BROWSER_COOKIE, browserCookie);
      try {
        const done = await finishSsoSignIn(app.db, p, {
          callbackUrl: new URL(req.url, `${app.config.publicUrl}/`),
          browser: req.cookies[SSO_BROWSER_COOKIE],
          publicUrl: app.config.publicUrl,
          now: app.now(),
        });
        reply.setCookie(SESSION_COOKIE, done.token, { ...cookieOptions(app), expires: done.expiresAt });
        return reply.header('cache-control', 'no-store').redirect(done.next, 303);
      } catch (err) {
        if (!(err instanceof SsoRefusal)) throw err;
        app.log.warn({ provider: p.id, reason: err.reason, ...err.facts }, 'single sign-on refused');
        return refusedPage(app, reply, err);
      }
    },
  );

  // After a sign-out (the Ombud session is gone already): on to the provider's end-session, if it has one.
  server.get(
    '/console/sso/:provider/end-session',
    { config: { permission: 'public' }, schema: { hide: true, params: providerParam } },
    async (req, reply) => {
      const p = ssoProviderOf(app, req.params.provider);
      const back = `${app.config.publicUrl}/console/login`;
      const url = await endSessionUrl(p, back).catch((err: unknown) => {
        if (err instanceof OmbudError) return undefined;
        throw err;
      });
      return reply.redirect(url ?? '/console/login', 303);
    },
  );

  server.get(
    '/console/users/sso',
    { config: { permission: 'users:manage' }, schema: { hide: true } },
    async (_req, reply) => {
      const register = await app.registers.get();
      const companies = new Set(register?.index.register.organizations.map((o) => o.id) ?? []);
      return sendPage(
        reply,
        ssoPage({
          sso: app.config.sso,
          linked: await linkedPeopleCounts(app.db),
          companies,
          redirectUri: (p) => ssoRedirectUri(app.config.publicUrl, p),
        }),
      );
    },
  );
}
