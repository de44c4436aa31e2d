/**
 * The preference center (/privacy/preferences/:token) and the RFC 8058 one-click unsubscribe
 * endpoint (/privacy/unsubscribe/:token), both opened by the opaque token of a mail's link; and
 * the API that mints those links for the mail and SMS systems.
 */
import type { RouteServer } from '../routeServer.ts';
import { z } from 'zod';
import type { App } from '../../app.ts';
import { identitiesFrom } from '../../core/consent/identity.ts';
import { notFound, validationError } from '../../core/errors.ts';
import { LANGUAGES, type Language } from '../../core/register/schema.ts';
import { recordAudit } from '../../services/audit/auditLog.ts';
import { consentKeys } from '../../services/consent/keys.ts';
import { applyPreferences, preferencesOf } from '../../services/consent/preferences.ts';
import { issuePreferenceToken, readPreferenceToken } from '../../services/consent/preferenceToken.ts';
import { resolveSubject, subjectById } from '../../services/consent/subjects.ts';
import { preferenceCenterPage, preferenceKey } from '../../web/pages/consent/preferenceCenter.ts';
import { PREFERENCE_STRINGS } from '../../web/pages/consent/preferenceStrings.ts';
import { principalActor } from '../actor.ts';
import { sendPage } from '../pages.ts';
import { preferenceLinks } from '../schemas/consent.ts';
import { textAnswer } from '../schemas/wire.ts';
import { requireRegister } from '../currentRegister.ts';
import type { BackgroundWork } from '../../workers.ts';

const tokenParams = z.object({ token: z.string().min(20).max(4096) });
const langQuery = z.object({ lang: z.enum(LANGUAGES).optional(), saved: z.string().optional() });

/** What the preference routes share: the current register's index, the consent keys, the page's language. */
function preferenceContext(app: App) {
  const register = async () => (await requireRegister(app.registers)).index;
  const keys = () => consentKeys(app.db, app.config.secret, app.config.secretKeys);
  const langFor = async (q: { lang?: Language }) =>
    q.lang ?? (await register()).register.group.defaultLanguage;
  return { register, keys, langFor };
}
type PreferenceContext = ReturnType<typeof preferenceContext>;

export async function preferenceRoutes(server: RouteServer, app: App, workers: BackgroundWork) {
  // RFC 8058 allows the one-click POST as multipart/form-data too; read just its one field.
  server.addContentTypeParser(
    'multipart/form-data',
    { parseAs: 'string', bodyLimit: 16 * 1024 },
    (_req, body, done) => {
      const m = /name="?List-Unsubscribe"?\r?\n(?:[^\r\n]+\r?\n)*\r?\n([^\r\n]*)/.exec(String(body));
      done(null, m ? { 'List-Unsubscribe': m[1] } : {});
    },
  );
  const ctx = preferenceContext(app);
  preferenceLinkRoutes(server, app, ctx);
  preferenceCenterRoutes(server, app, workers, ctx);
  unsubscribeRoutes(server, app, workers, ctx);
}

/** The API that mints a recipient's links for the mail and SMS systems. */
function preferenceLinkRoutes(server: RouteServer, app: App, { register, keys }: PreferenceContext) {
  server.post(
    '/api/v1/organizations/:orgId/preference-links',
    {
      config: { permission: 'consent:write' },
      schema: {
        tags: ['consent'],
        summary:
          'Mint the "Manage my communication settings" link and the RFC 8058 List-Unsubscribe headers for one recipient',
        params: z.object({ orgId: z.string().regex(/^[a-z0-9-]{1,64}$/) }),
        body: z.object({
          identity: z.object({
            email: z.string().max(320).optional(),
            phone: z.string().max(40).optional(),
            customerNumber: z.string().max(64).optional(),
          }),
          purpose: z
            .string()
            .max(64)
            .optional()
            .describe('The purpose of the mail, for one-click unsubscribe'),
          channel: z.string().max(32).default('email'),
          days: z.number().int().min(1).max(400).default(90),
        }),
        response: { 200: preferenceLinks },
      },
    },
    async (req) => {
      const { orgId } = req.params;
      const b = req.body;
      const index = await register();
      const org = index.organization(orgId);
      if (!org) throw notFound('organization', orgId);
      if (b.purpose && !index.purposes.get(b.purpose)?.controllers.includes(orgId))
        throw validationError('invalid-purpose', `purpose: '${b.purpose}' is not a purpose of '${orgId}'.`, [
          { path: ['purpose'], message: 'unknown purpose', hint: 'Use a purpose id from the register.' },
        ]);
      const k = await keys();
      const ids = identitiesFrom(b.identity, org.country);
      const subject = await app.db.transaction((tx) => resolveSubject(tx, k, orgId, ids));
      const now = app.now();
      const base = app.config.publicUrl;
      const prefs = await issuePreferenceToken(k, { sub: subject.id, org: orgId }, now, b.days);
      const unsub = await issuePreferenceToken(
        k,
        { sub: subject.id, org: orgId, purpose: b.purpose, channel: b.channel },
        now,
        b.days,
      );
      await recordAudit(app.db, {
        actor: principalActor(req),
        orgId,
        action: 'consent.preference-link.issue',
        target: `subject:${subject.id}`,
        details: { purpose: b.purpose ?? null, days: b.days },
      });
      return {
        subjectId: subject.id,
        preferencesUrl: `${base}/privacy/preferences/${prefs.token}`,
        unsubscribeUrl: `${base}/privacy/unsubscribe/${unsub.token}`,
        headers: {
          'List-Unsubscribe': `<${base}/privacy/unsubscribe/${unsub.token}>`,
          'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' as const,
        },
        expiresAt: prefs.expiresAt.toISOString(),
      };
    },
  );
}

/** The preference center: the page, and the person's choices saved. */
function preferenceCenterRoutes(
  server: RouteServer,
  app: App,
  workers: BackgroundWork,
  { register, keys, langFor }: PreferenceContext,
) {
  server.get(
    '/privacy/preferences/:token',
    {
      config: { permission: 'public' },
      schema: { hide: true, params: tokenParams, querystring: langQuery },
    },
    async (req, reply) => {
      const { token } = req.params;
      const q = req.query;
      const k = await keys();
      const claims = await readPreferenceToken(k, token, app.now());
      const lang = await langFor(q);
      const companies = await preferencesOf(app.db, k, await register(), claims.sub, lang);
      await recordAudit(app.db, {
        actor: { kind: 'data-subject', id: claims.sub },
        orgId: claims.org,
        action: 'consent.preferences.view',
        target: `subject:${claims.sub}`,
      });
      const page = preferenceCenterPage({
        lang,
        self: `/privacy/preferences/${token}`,
        companies,
        saved: Boolean(q.saved),
      });
      reply.header('content-language', lang);
      return sendPage(reply, String(page), { private: true });
    },
  );

  server.post(
    '/privacy/preferences/:token',
    {
      config: { permission: 'public' },
      schema: {
        hide: true,
        params: tokenParams,
        querystring: langQuery,
        body: z.object({
          action: z.enum(['save', 'none']).default('save'),
          on: z.union([z.string(), z.array(z.string())]).optional(),
        }),
      },
    },
    async (req, reply) => {
      const { token } = req.params;
      const q = req.query;
      const body = req.body;
      const k = await keys();
      const claims = await readPreferenceToken(k, token, app.now());
      const lang = await langFor(q);
      const wanted = new Set(body.action === 'none' ? [] : [body.on ?? []].flat());
      const events = await applyPreferences(app.db, k, await register(), claims.sub, lang, wanted, app.now());
      for (const e of events) await workers.consentChanged?.(e);
      return reply.redirect(`/privacy/preferences/${token}?lang=${lang}&saved=1`, 303);
    },
  );
}

/** One-click unsubscribe (RFC 8058) by the link of a mail, and the same link opened in a browser. */
function unsubscribeRoutes(
  server: RouteServer,
  app: App,
  workers: BackgroundWork,
  { register, keys }: PreferenceContext,
) {
  // RFC 8058: mail clients POST "List-Unsubscribe=One-Click" to the List-Unsubscribe URL.
  server.post(
    '/privacy/unsubscribe/:token',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['consent'],
        summary: 'RFC 8058 one-click unsubscribe (POST List-Unsubscribe=One-Click)',
        params: tokenParams,
        body: z.object({ 'List-Unsubscribe': z.literal('One-Click') }).passthrough(),
        response: { 200: textAnswer("Unsubscribed: a line of text in the group's language", 'text/plain') },
      },
    },
    async (req, reply) => {
      const { token } = req.params;
      const k = await keys();
      const claims = await readPreferenceToken(k, token, app.now());
      const index = await register();
      const subject = await subjectById(app.db, claims.sub);
      if (!subject) throw notFound('data subject', claims.sub);
      const lang = index.register.group.defaultLanguage;
      const companies = await preferencesOf(app.db, k, index, claims.sub, lang);
      const mine = companies.find((c) => c.orgId === claims.org)?.items ?? [];
      const channel = claims.channel ?? 'email';
      // Turn off the purpose of the mail on its channel; without a purpose, every direct-marketing item on it.
      const off = mine.filter(
        (i) =>
          i.channel === channel &&
          (claims.purpose
            ? i.purposeId === claims.purpose
            : index.purposes.get(i.purposeId)?.communication?.directMarketing),
      );
      const keep = new Set(
        companies.flatMap((c) => c.items.filter((i) => i.on && !off.includes(i)).map(preferenceKey)),
      );
      const events = await applyPreferences(app.db, k, index, claims.sub, lang, keep, app.now());
      for (const e of events) await workers.consentChanged?.(e);
      return reply.type('text/plain; charset=utf-8').send(`${PREFERENCE_STRINGS[lang].done}\n`);
    },
  );

  server.get(
    '/privacy/unsubscribe/:token',
    { config: { permission: 'public' }, schema: { hide: true, params: tokenParams } },
    // A GET (a link scanner, a browser) never unsubscribes: it opens the settings instead.
    async (req, reply) => {
      const { token } = req.params;
      const claims = await readPreferenceToken(await keys(), token, app.now());
      const { token: prefs } = await issuePreferenceToken(
        await keys(),
        { sub: claims.sub, org: claims.org },
        app.now(),
        1,
      );
      return reply.redirect(`/privacy/preferences/${prefs}`, 303);
    },
  );
}
