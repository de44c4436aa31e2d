/**
 * People: invite, disable, password reset (API and simple console pages), and each person's
 * own account page with the TOTP second factor. Managers act only inside their companies.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RouteServer } from '../routeServer.ts';
import { z } from 'zod';
import type { App } from '../../app.ts';
import { type Html, html } from '../../core/html.ts';
import { passwordsOff } from '../../core/sso/refusal.ts';
import { ROLES } from '../../core/policies/permissions.ts';
import { type Language, LANGUAGES } from '../../core/register/schema.ts';
import { recordAudit } from '../../services/audit/auditLog.ts';
import { setConsoleLanguage } from '../../services/users/admins.ts';
import { peopleWords } from '../../web/pages/people/words.ts';
import {
  completePasswordReset,
  confirmTotp,
  disablePerson,
  invitePerson,
  issuePasswordReset,
  keyringOf,
  listPeople,
  passwordLinkState,
  RESET_HOURS,
  startTotp,
} from '../../services/users/accounts.ts';
import {
  accountPage,
  linkNotUsablePage,
  setPasswordPage,
  totpSetupPage,
} from '../../web/pages/people/accountPages.ts';
import { invitationMailed, peoplePage, shownOnce } from '../../web/pages/people/peoplePage.ts';
import { managedOrgs, orgNamesOf, personRoutes } from './person.ts';
import { deliverInvitation } from '../../services/users/deliverInvitation.ts';
import { INVITE_LANGS } from '../../core/people/invitation.ts';
import { loginPage } from '../../web/pages/people/loginPage.ts';
import { errorBox } from '../../web/components/errorBox.ts';
import { loginOptions } from './sso.ts';
import { groupOf } from '../../services/register/group.ts';
import { sendPage } from '../pages.ts';
import { callerOf, principalActor } from '../actor.ts';
import {
  invited,
  noContent,
  people as peopleList,
  resetLink as resetLinkAnswer,
} from '../schemas/security.ts';

const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'a UUID');
const orgId = z.string().regex(/^[a-z0-9-]{1,64}$/, 'an organization id such as nestit-group');
const inviteBody = z.object({
  email: z.string().min(3).max(320),
  name: z.string().max(200).optional(),
  orgId,
  role: z.enum(ROLES),
  lang: z.enum(INVITE_LANGS).default('en'),
});
const token = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'the token from your link');

/** What the API and the console's people page both do; each service decides access per person. */
function personActions(app: App) {
  const link = (t: string) => `${app.config.publicUrl}/console/reset?token=${t}`;
  // SSO-only mode: no password links (people join by signing in through their provider).
  const passwordLinksOff = (what: string) => {
    if (loginOptions(app).ssoOnly) throw passwordsOff(what);
  };
  // The invitation goes by mail at once (in its language); the link is also answered, shown once.
  const invite = async (req: FastifyRequest, body: z.infer<typeof inviteBody>) => {
    passwordLinksOff('Inviting with a password link');
    const company = (await orgNamesOf(app, [body.orgId]))[0]?.name ?? body.orgId;
    const r = await invitePerson(app.db, callerOf(req), body, { now: app.now(), mail: { link, company } });
    const smtp = { url: app.config.smtpUrl, from: app.config.mailFrom };
    const mailed = r.mailId
      ? await deliverInvitation(app.db, smtp, { id: r.mailId, token: r.token }, app.now(), app.log)
      : false;
    return { ...r, mailed };
  };
  const resetLink = async (req: FastifyRequest, userId: string) => {
    passwordLinksOff('A password reset link');
    return link(
      await issuePasswordReset(app.db, callerOf(req), await groupOf(app.registers), userId, app.now()),
    );
  };
  const disable = async (req: FastifyRequest, userId: string) =>
    disablePerson(app.db, callerOf(req), await groupOf(app.registers), userId, app.now());
  return { link, invite, resetLink, disable };
}
type PersonActions = ReturnType<typeof personActions>;

export async function peopleRoutes(server: RouteServer, app: App) {
  const actions = personActions(app);
  peopleApi(server, app, actions);
  peopleConsole(server, app, actions);
  passwordLinkRoutes(server, app);
  accountRoutes(server, app);
  personRoutes(server, app);
}

function peopleApi(server: RouteServer, app: App, { link, invite, resetLink, disable }: PersonActions) {
  server.get(
    '/api/v1/users',
    {
      config: { permission: 'users:manage' },
      schema: {
        tags: ['security'],
        summary: 'People of your companies and their roles',
        response: { 200: peopleList },
      },
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

  server.post(
    '/api/v1/users/invite',
    {
      config: { permission: 'users:manage' },
      schema: {
        tags: ['security'],
        summary: 'Invite a person with a role; the link is in this response only',
        body: inviteBody,
        response: { 201: invited },
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
        response: { 200: resetLinkAnswer },
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
        response: { 204: noContent },
      },
    },
    async (req, reply) => {
      const { userId } = req.params;
      await disable(req, userId);
      return reply.status(204).send();
    },
  );
}

function peopleConsole(server: RouteServer, app: App, { link, invite, resetLink, disable }: PersonActions) {
  const people = async (req: FastifyRequest, notice?: Html) => {
    const rows = await listPeople(app.db, callerOf(req), await groupOf(app.registers));
    await recordAudit(app.db, {
      actor: principalActor(req),
      action: 'users.list',
      details: { rows: rows.length },
    });
    return peoplePage(rows, await managedOrgs(app, req), notice ?? ssoNotice(app));
  };
  // In SSO-only mode the console's invitation and reset forms answer the people page with the refusal.
  const refusedOnPage = async (req: FastifyRequest, reply: FastifyReply, what: string) =>
    sendPage(reply, await people(req, errorBox(passwordsOff(what).message)), { status: 403 });
  const shown = (what: string, url: string) => shownOnce(what, url, RESET_HOURS);

  server.get(
    '/console/users',
    { config: { permission: 'users:manage' }, schema: { hide: true } },
    async (req, reply) => sendPage(reply, await people(req)),
  );

  server.post(
    '/console/users/invite',
    { config: { permission: 'users:manage' }, schema: { hide: true, body: inviteBody } },
    async (req, reply) => {
      if (loginOptions(app).ssoOnly) return refusedOnPage(req, reply, 'Inviting with a password link');
      const r = await invite(req, req.body);
      const notice = r.mailed
        ? invitationMailed(req.body.lang)
        : shown(peopleWords().inviteNotMailed, link(r.token));
      return sendPage(reply, await people(req, notice), { private: true });
    },
  );

  server.post(
    '/console/users/:userId/reset',
    { config: { permission: 'users:manage' }, schema: { hide: true, params: z.object({ userId: uuid }) } },
    async (req, reply) => {
      if (loginOptions(app).ssoOnly) return refusedOnPage(req, reply, 'A password reset link');
      const { userId } = req.params;
      const t = await resetLink(req, userId);
      return sendPage(reply, await people(req, shown(peopleWords().resetCreated, t)), {
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
}

const passwordsAreOff = (app: App) => loginOptions(app).ssoOnly;
const passwordsOffPage = (app: App) =>
  loginPage({ next: '/console', error: passwordsOff('Setting a password').message, ...loginOptions(app) });

/** With single sign-on configured: where people come from, and the mapping's page. */
function ssoNotice(app: App): Html | undefined {
  const sso = app.config.sso;
  if (!sso) return undefined;
  const w = peopleWords();
  return html`<div class="card" role="status"><p>${sso.only ? w.ssoOnlyNotice : w.ssoAlso} ${w.ssoRoles} <a href="/console/users/sso">${w.ssoMapping}</a>.</p></div>`;
}

function passwordLinkRoutes(server: RouteServer, app: App) {
  server.get(
    '/console/reset',
    { config: { permission: 'public' }, schema: { hide: true, querystring: z.object({ token }) } },
    async (req, reply) => {
      if (passwordsAreOff(app)) return sendPage(reply, passwordsOffPage(app), { status: 403 });
      const link = await passwordLinkState(app.db, req.query.token, app.now());
      if (link.state !== 'ok') return sendPage(reply, linkNotUsablePage(link), { status: 410 });
      return sendPage(reply, setPasswordPage(req.query.token));
    },
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
      if (passwordsAreOff(app)) return sendPage(reply, passwordsOffPage(app), { status: 403 });
      try {
        await completePasswordReset(app.db, body.token, body.password, app.now());
      } catch (err) {
        const message = (err as Error).message;
        return sendPage(reply, setPasswordPage(body.token, message), { status: 422 });
      }
      return reply.redirect('/console/login', 303);
    },
  );
}

/** One's own account page: the stored console language and whether a second factor is enrolled. */
async function ownAccountPage(app: App, userId: string, error?: string): Promise<Html> {
  const rows = await app.db.query<{ totp_secret: string | null; language: Language | null }>(
    'SELECT totp_secret, language FROM users WHERE id = $1',
    [userId],
  );
  return accountPage(!!rows[0]?.totp_secret, { language: rows[0]?.language ?? null, error });
}

function accountRoutes(server: RouteServer, app: App) {
  server.get(
    '/console/account',
    { config: { permission: 'account:self' }, schema: { hide: true } },
    async (req, reply) => {
      const p = req.principal!;
      return sendPage(reply, await ownAccountPage(app, p.kind === 'user' ? p.userId : ''));
    },
  );

  // The console language: 'browser' (no choice stored: Accept-Language decides), or en, sv, nb. Audited.
  server.post(
    '/console/account/language',
    {
      config: { permission: 'account:self' },
      schema: { hide: true, body: z.object({ language: z.string().max(32).optional() }) },
    },
    async (req, reply) => {
      const p = req.principal!;
      const userId = p.kind === 'user' ? p.userId : '';
      const asked = req.body.language;
      const choice = asked === 'browser' ? null : LANGUAGES.find((l) => l === asked);
      if (choice === undefined) {
        const error = peopleWords().badLanguage;
        return sendPage(reply, await ownAccountPage(app, userId, error), { status: 400 });
      }
      await setConsoleLanguage(app.db, userId, choice);
      return reply.redirect('/console/account', 303);
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
      return sendPage(reply, totpSetupPage(secret, uri), { private: true });
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
