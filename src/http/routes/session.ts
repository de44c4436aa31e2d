import type { RouteServer } from '../routeServer.ts';
import { z } from 'zod';
import { peopleWords } from '../../web/pages/people/words.ts';
import type { App } from '../../app.ts';
import { OmbudError } from '../../core/errors.ts';
import { passwordsOff } from '../../core/sso/refusal.ts';
import { login, logout } from '../../services/users/admins.ts';
import { loginPage as page } from '../../web/pages/people/loginPage.ts';
import { assertSameOrigin, cookieOptions, SESSION_COOKIE } from '../auth.ts';
import { sendPage } from '../pages.ts';
import { wantsHtmlPage } from '../problemPage.ts';
import { loginOptions } from './sso.ts';

const safeNext = (n: string | undefined) => (n && /^\/console(\/|$)/.test(n) ? n : '/console');

export async function sessionRoutes(server: RouteServer, app: App) {
  /** The sign-in page: a button per single sign-on provider, the password form unless passwords are off. */
  const loginPage = (next: string, error?: string, signedOut?: string) => {
    const options = loginOptions(app);
    const signedOutOf = options.providers.find((p) => p.id === signedOut);
    return page({ next, error, signedOutOf, ...options });
  };

  server.get(
    '/console/login',
    {
      config: { permission: 'public' },
      schema: {
        hide: true,
        querystring: z.object({
          next: z.string().max(200).optional(),
          'signed-out': z.string().max(40).optional(),
        }),
      },
    },
    async (req, reply) =>
      reply.type('text/html').send(loginPage(safeNext(req.query.next), undefined, req.query['signed-out'])),
  );

  server.post(
    '/console/login',
    {
      config: {
        permission: 'public',
        rateLimit: { max: app.config.loginRateLimit ?? 30, timeWindow: '1 minute' },
      },
      schema: {
        hide: true,
        body: z.object({
          email: z.string().max(320),
          password: z.string().max(1024),
          code: z.string().max(12).optional(),
          next: z.string().max(200).optional(),
        }),
      },
    },
    async (req, reply) => {
      const body = req.body;
      if (loginOptions(app).ssoOnly) {
        // SSO-only mode: no password is checked (nor its account throttled); the page says how to sign in.
        const off = passwordsOff('Password sign-in');
        if (!wantsHtmlPage(req)) throw off;
        return sendPage(reply, loginPage(safeNext(body.next), off.message), { status: 403 });
      }
      try {
        const { token, expiresAt } = await login(app.db, body.email, body.password, app.now(), {
          code: body.code?.trim() || undefined,
          secretKeys: app.config.secretKeys,
        });
        reply.setCookie(SESSION_COOKIE, token, { ...cookieOptions(app), expires: expiresAt });
        return reply.redirect(safeNext(body.next), 303);
      } catch (err) {
        if (err instanceof OmbudError && err.kind === 'unauthenticated')
          return reply
            .status(401)
            .type('text/html')
            .send(loginPage(safeNext(body.next), peopleWords().wrongLogin));
        throw err;
      }
    },
  );

  // Public (an expired session can still sign out), but same-origin only like every console change:
  // another site must not sign people out.
  server.post(
    '/console/logout',
    { config: { permission: 'public' }, schema: { hide: true } },
    async (req, reply) => {
      assertSameOrigin(req);
      const token = req.cookies[SESSION_COOKIE];
      const ended = token ? await logout(app.db, token) : {};
      reply.clearCookie(SESSION_COOKIE, cookieOptions(app));
      // A session begun through a provider: the sign-in page offers to end the provider's session too.
      const known = loginOptions(app).providers.some((p) => p.id === ended.ssoProvider);
      return reply.redirect(known ? `/console/login?signed-out=${ended.ssoProvider}` : '/console/login', 303);
    },
  );
}
