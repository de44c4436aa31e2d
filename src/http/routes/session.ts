import type { RouteServer } from '../routeServer.ts';
import { z } from 'zod';
import type { App } from '../../app.ts';
import { html } from '../../core/html.ts';
import { OmbudError } from '../../core/errors.ts';
import { login, logout } from '../../services/users/admins.ts';
import { publicPage } from '../../web/layout.ts';
import { assertSameOrigin, cookieOptions, SESSION_COOKIE } from '../auth.ts';

const loginPage = (next: string, error?: string) =>
  publicPage({
    title: 'Sign in · Ombud',
    lang: 'en',
    body: html`<div class="card" style="max-width:26rem;margin:4rem auto">
<h1>Sign in to Ombud</h1>
${error ? html`<p class="error" role="alert">${error}</p>` : ''}
<form method="post" action="/console/login">
<input type="hidden" name="next" value="${next}">
<label for="email">E-mail</label><input id="email" name="email" type="email" autocomplete="username" required style="width:100%">
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required style="width:100%">
<label for="code">Authenticator code <span class="muted">(if you set one up)</span></label><input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" style="width:100%">
<p><button type="submit">Sign in</button></p></form></div>`,
  });

const safeNext = (n: string | undefined) => (n && /^\/console(\/|$)/.test(n) ? n : '/console');

export async function sessionRoutes(server: RouteServer, app: App) {
  server.get(
    '/console/login',
    {
      config: { permission: 'public' },
      schema: { hide: true, querystring: z.object({ next: z.string().max(200).optional() }) },
    },
    async (req, reply) => reply.type('text/html').send(loginPage(safeNext(req.query.next))),
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
            .send(loginPage(safeNext(body.next), err.message));
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
      if (token) await logout(app.db, token);
      reply.clearCookie(SESSION_COOKIE, cookieOptions(app));
      return reply.redirect('/console/login', 303);
    },
  );
}
