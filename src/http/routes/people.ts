/**
 * People: invite, disable, password reset (API and simple console pages), and each person's
 * own account page with the TOTP second factor. Managers act only inside their companies.
 */
import type { FastifyRequest } from 'fastify';
import type { RouteServer } from '../routeServer.ts';
import { z } from 'zod';
import type { App } from '../../app.ts';
import { type Html, html } from '../../core/html.ts';
import { orgScope, ROLE_LABELS, ROLES } from '../../core/policies/permissions.ts';
import { recordAudit } from '../../services/audit/auditLog.ts';
import {
  completePasswordReset,
  confirmTotp,
  disablePerson,
  invitePerson,
  issuePasswordReset,
  keyringOf,
  listPeople,
  RESET_HOURS,
  startTotp,
} from '../../services/users/accounts.ts';
import { consolePage, publicPage } from '../../web/layout.ts';
import { groupOf } from '../../services/register/group.ts';
import { sendPage } from '../pages.ts';
import { callerOf, principalActor } from '../actor.ts';

const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'a UUID');
const orgId = z.string().regex(/^[a-z0-9-]{1,64}$/, 'an organization id such as nestit-group');
const inviteBody = z.object({
  email: z.string().min(3).max(320),
  name: z.string().max(200).optional(),
  orgId,
  role: z.enum(ROLES),
});
const token = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'the token from your link');

export async function peopleRoutes(server: RouteServer, app: App) {
  const link = (t: string) => `${app.config.publicUrl}/console/reset?token=${t}`;

  server.get(
    '/api/v1/users',
    {
      config: { permission: 'users:manage' },
      schema: { tags: ['security'], summary: 'People of your companies and their roles' },
    },
    async (req) => {
      const people = await listPeople(app.db, callerOf(req), await groupOf(app.registers));
      await recordAudit(app.db, {
        actor: principalActor(req),
        action: 'users.list',
        details: { rows: people.length },
      });
      return people;
    },
  );

  // The API and the console's people page do the same three things; each service decides access per person.
  const invite = (req: FastifyRequest, body: z.infer<typeof inviteBody>) =>
    invitePerson(app.db, callerOf(req), body, { now: app.now() });
  const resetLink = async (req: FastifyRequest, userId: string) =>
    link(await issuePasswordReset(app.db, callerOf(req), await groupOf(app.registers), userId, app.now()));
  const disable = async (req: FastifyRequest, userId: string) =>
    disablePerson(app.db, callerOf(req), await groupOf(app.registers), userId, app.now());

  server.post(
    '/api/v1/users/invite',
    {
      config: { permission: 'users:manage' },
      schema: {
        tags: ['security'],
        summary: 'Invite a person with a role; the link is in this response only',
        body: inviteBody,
      },
    },
    async (req, reply) => {
      const r = await invite(req, req.body);
      return reply.status(201).send({ userId: r.userId, inviteUrl: link(r.token) });
    },
  );

  server.post(
    '/api/v1/users/:userId/reset',
    {
      config: { permission: 'users:manage' },
      schema: {
        tags: ['security'],
        summary: 'Issue a password reset link (shown once)',
        params: z.object({ userId: uuid }),
      },
    },
    async (req) => {
      const { userId } = req.params;
      const t = await resetLink(req, userId);
      return { resetUrl: t };
    },
  );

  server.post(
    '/api/v1/users/:userId/disable',
    {
      config: { permission: 'users:manage' },
      schema: {
        tags: ['security'],
        summary: 'Disable a person: sessions end at once',
        params: z.object({ userId: uuid }),
      },
    },
    async (req, reply) => {
      const { userId } = req.params;
      await disable(req, userId);
      return reply.status(204).send();
    },
  );

  const peoplePage = async (req: FastifyRequest, notice?: Html) => {
    const people = await listPeople(app.db, callerOf(req), await groupOf(app.registers));
    await recordAudit(app.db, {
      actor: principalActor(req),
      action: 'users.list',
      details: { rows: people.length },
    });
    const scope = orgScope(req.principal!, 'users:manage');
    const orgs =
      scope === 'all'
        ? ((await app.registers.get())?.index.register.organizations.map((o) => o.id) ?? [])
        : scope;
    const body = html`<h1>People</h1>${notice ?? ''}<div class="card"><table class="data"><thead><tr><th>Name</th><th>E-mail</th><th>Roles</th><th>Second factor</th><th>Status</th><th></th></tr></thead><tbody>${people.map(
      (p) =>
        html`<tr><td>${p.name}</td><td>${p.email}</td><td>${p.isOwner ? html`<span class="pill">group owner</span>` : ''}${p.roles.map((r) => html`<span class="pill" title="${ROLE_LABELS[r.role]}">${r.role} @ ${r.orgId}</span>`)}</td><td>${p.totp ? 'TOTP' : '—'}</td><td>${p.disabled ? html`<span class="pill warn">disabled</span>` : 'active'}</td>
<td>${p.disabled || p.isOwner ? '' : html`<form class="inline" method="post" action="/console/users/${p.id}/reset"><button class="secondary" type="submit">Reset link</button></form> <form class="inline" method="post" action="/console/users/${p.id}/disable"><button class="secondary" type="submit">Disable</button></form>`}</td></tr>`,
    )}</tbody></table></div>
<form class="card" method="post" action="/console/users/invite"><h2>Invite a person</h2><div class="grid">
<div><label for="email">E-mail</label><input id="email" name="email" type="email" required></div>
<div><label for="name">Name</label><input id="name" name="name"></div>
<div><label for="orgId">Company</label><select id="orgId" name="orgId">${orgs.map((o) => html`<option value="${o}">${o}</option>`)}</select></div>
<div><label for="role">Role</label><select id="role" name="role">${ROLES.map((r) => html`<option value="${r}">${ROLE_LABELS[r]}</option>`)}</select></div>
</div><p><button type="submit">Invite</button></p></form>`;
    return consolePage({ title: 'People', active: 'people', body });
  };
  const shownOnce = (what: string, url: string) =>
    html`<div class="card" role="status"><p><strong>${what}</strong> Send this link to the person; it is shown only now and works once within ${RESET_HOURS} hours:</p><p><code>${url}</code></p></div>`;

  server.get(
    '/console/users',
    { config: { permission: 'users:manage' }, schema: { hide: true } },
    async (req, reply) => reply.type('text/html').send(await peoplePage(req)),
  );

  server.post(
    '/console/users/invite',
    { config: { permission: 'users:manage' }, schema: { hide: true, body: inviteBody } },
    async (req, reply) => {
      const r = await invite(req, req.body);
      return sendPage(reply, await peoplePage(req, shownOnce('Invitation created.', link(r.token))), {
        private: true,
      });
    },
  );

  server.post(
    '/console/users/:userId/reset',
    { config: { permission: 'users:manage' }, schema: { hide: true, params: z.object({ userId: uuid }) } },
    async (req, reply) => {
      const { userId } = req.params;
      const t = await resetLink(req, userId);
      return sendPage(reply, await peoplePage(req, shownOnce('Password reset link created.', t)), {
        private: true,
      });
    },
  );

  server.post(
    '/console/users/:userId/disable',
    { config: { permission: 'users:manage' }, schema: { hide: true, params: z.object({ userId: uuid }) } },
    async (req, reply) => {
      const { userId } = req.params;
      await disable(req, userId);
      return reply.redirect('/console/users', 303);
    },
  );

  const resetPage = (t: string, error?: string) =>
    publicPage({
      title: 'Set your password · Ombud',
      lang: 'en',
      body: html`<div class="card" style="max-width:26rem;margin:4rem auto"><h1>Set your password</h1>
${error ? html`<p class="error" role="alert">${error}</p>` : ''}
<form method="post" action="/console/reset"><input type="hidden" name="token" value="${t}">
<label for="password">New password (12 characters or more)</label><input id="password" name="password" type="password" autocomplete="new-password" minlength="12" required style="width:100%">
<p><button type="submit">Save and sign in</button></p></form></div>`,
    });

  server.get(
    '/console/reset',
    { config: { permission: 'public' }, schema: { hide: true, querystring: z.object({ token }) } },
    async (req, reply) => reply.type('text/html').send(resetPage(req.query.token)),
  );

  server.post(
    '/console/reset',
    {
      config: {
        permission: 'public',
        rateLimit: { max: app.config.loginRateLimit ?? 30, timeWindow: '1 minute' },
      },
      schema: { hide: true, body: z.object({ token, password: z.string().max(1024) }) },
    },
    async (req, reply) => {
      const body = req.body;
      try {
        await completePasswordReset(app.db, body.token, body.password, app.now());
      } catch (err) {
        const message = (err as Error).message;
        return reply.status(422).type('text/html').send(resetPage(body.token, message));
      }
      return reply.redirect('/console/login', 303);
    },
  );

  server.get(
    '/console/account',
    { config: { permission: 'account:self' }, schema: { hide: true } },
    async (req, reply) => {
      const p = req.principal!;
      const rows = await app.db.query<{ totp_secret: string | null }>(
        'SELECT totp_secret FROM users WHERE id = $1',
        [p.kind === 'user' ? p.userId : ''],
      );
      const body = html`<h1>Your account</h1><div class="card"><h2>Second factor</h2>${
        rows[0]?.totp_secret
          ? html`<p>An authenticator app (TOTP) is required when you sign in.</p>`
          : html`<p>Protect your account with an authenticator app.</p><form method="post" action="/console/account/totp"><button type="submit">Set up an authenticator app</button></form>`
      }</div>`;
      return reply.type('text/html').send(consolePage({ title: 'Account', active: 'account', body }));
    },
  );

  server.post(
    '/console/account/totp',
    { config: { permission: 'account:self' }, schema: { hide: true } },
    async (req, reply) => {
      const p = req.principal!;
      const { uri, secret } = await startTotp(
        app.db,
        keyringOf(app.config.secretKeys),
        p.kind === 'user' ? p.userId : '',
      );
      const body = html`<h1>Set up your authenticator app</h1><div class="card"><p>Add this account in your authenticator app with the key below (or the otpauth link), then enter the code it shows.</p>
<p><code>${secret}</code></p><p class="muted"><code>${uri}</code></p>
<form method="post" action="/console/account/totp/confirm"><label for="code">Code</label><input id="code" name="code" inputmode="numeric" pattern="[0-9]{6}" required><p><button type="submit">Confirm</button></p></form></div>`;
      return sendPage(reply, consolePage({ title: 'Account', active: 'account', body }), { private: true });
    },
  );

  server.post(
    '/console/account/totp/confirm',
    {
      config: { permission: 'account:self' },
      schema: { hide: true, body: z.object({ code: z.string().max(12) }) },
    },
    async (req, reply) => {
      const p = req.principal!;
      await confirmTotp(
        app.db,
        keyringOf(app.config.secretKeys),
        p.kind === 'user' ? p.userId : '',
        req.body.code.trim(),
        app.now(),
      );
      return reply.redirect('/console/account', 303);
    },
  );
}
