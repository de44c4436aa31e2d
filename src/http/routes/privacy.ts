/**
 * The privacy center: the landing page (/privacy), "send me my settings link", and each company's
 * notice in force as HTML and Markdown. The pages are in src/web/pages/privacy/.
 */
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { type App, todayIn } from '../../app.ts';
import { notFound, OmbudError } from '../../core/errors.ts';
import { noticeMarkdown } from '../../core/notice/render.ts';
import { CENTER_STRINGS, pickLang } from '../../core/privacy-center/strings.ts';
import { LANGUAGES, type Language } from '../../core/register/schema.ts';
import { mailPreferenceLinks } from '../../services/consent/mailPreferenceLinks.ts';
import { renderPublishedNotice } from '../../services/notice/renderPublishedNotice.ts';
import { flushMail } from '../../services/requests/store.ts';
import { centerLandingPage, settingsLinkSentPage } from '../../web/pages/privacy/centerLanding.ts';
import { noticePage } from '../../web/pages/privacy/noticePage.ts';
import { afterResponse } from '../background.ts';
import { sendPage } from '../pages.ts';
import { submissionLimiter } from '../requestLimits.ts';
import type { RouteServer } from '../routeServer.ts';
import type { BackgroundWork } from '../../workers.ts';

const params = z.object({
  orgId: z.string().regex(/^[a-z0-9-]{1,64}$/, 'an organization id such as nestit-group'),
});
const query = z.object({
  lang: z.enum(LANGUAGES).optional(),
  version: z.coerce.number().int().positive().optional(),
});

export async function privacyRoutes(server: RouteServer, app: App, workers: BackgroundWork) {
  centerRoutes(server, app, workers);
  noticeRoutes(server, app);
}

/** The landing page and the settings-link form on it. */
function centerRoutes(server: RouteServer, app: App, workers: BackgroundWork) {
  const landing = async (lang: Language, error?: string) => {
    const r = await app.registers.get();
    return String(
      centerLandingPage({
        lang,
        group: r?.index.register.group.name,
        companies: r?.index.register.organizations ?? [],
        error,
      }),
    );
  };

  server.get(
    '/privacy',
    {
      config: { permission: 'public' },
      schema: { hide: true, querystring: z.object({ lang: z.enum(LANGUAGES).optional() }) },
    },
    async (req, reply) => {
      const r = await app.registers.get();
      const lang =
        req.query.lang ??
        pickLang(req.headers['accept-language'], r?.index.register.group.defaultLanguage ?? 'en');
      return reply
        .type('text/html')
        .header('content-language', lang)
        .send(await landing(lang));
    },
  );

  // "Lost the link?": the same page whether or not the address is known; the mail goes to the address.
  // The answer goes first and the lookup, the mail and its delivery after it, for every address alike:
  // nothing that depends on whether the address is known happens before the answer, so its time tells nothing.
  const limitSubmit = submissionLimiter(server, app);
  const later = afterResponse(server);
  server.post(
    '/privacy/settings-link',
    {
      config: { permission: 'public' },
      schema: {
        hide: true,
        body: z.object({ email: z.string().max(320), lang: z.enum(LANGUAGES).default('en') }),
      },
    },
    async (req, reply) => {
      const b = req.body;
      const email = z.email().safeParse(b.email.trim());
      if (!email.success)
        return sendPage(reply, await landing(b.lang, CENTER_STRINGS[b.lang].badEmail), { status: 422 });
      try {
        await limitSubmit(req, reply);
      } catch (err) {
        if (err instanceof OmbudError && err.kind === 'rate-limited')
          return sendPage(reply, await landing(b.lang, err.message), { status: 429 });
        throw err;
      }
      const input = { email: email.data, lang: b.lang };
      later(req, 'settings-link', async () => {
        await mailPreferenceLinks(app, input, workers.subjectSystems);
        await flushMail(app);
      });
      const group = (await app.registers.get())?.index.register.group.name;
      return sendPage(reply, String(settingsLinkSentPage({ lang: b.lang, group })), { private: true });
    },
  );
}

/** A company's notice in force (or a given version), as a page and as Markdown. */
function noticeRoutes(server: RouteServer, app: App) {
  /** The notice in force for the requested company, in the asked or the browser's language. */
  const noticeFor = async (
    req: FastifyRequest,
    { orgId }: z.infer<typeof params>,
    q: z.infer<typeof query>,
  ) => {
    const r = await app.registers.get();
    const org = r?.index.organization(orgId);
    if (!r || !org) throw notFound('organization', orgId);
    const lang = q.lang ?? pickLang(req.headers['accept-language'], r.index.register.group.defaultLanguage);
    const today = todayIn(app.now(), org.timeZone);
    return { lang, ...(await renderPublishedNotice(app.db, { orgId, lang, today, version: q.version })) };
  };

  server.get(
    '/privacy/:orgId',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['notices'],
        summary: 'The privacy notice in force (HTML)',
        params,
        querystring: query,
      },
    },
    async (req, reply) => {
      const { orgId } = req.params;
      const { lang, doc, versions, version } = await noticeFor(req, req.params, req.query);
      const page = noticePage({
        orgId,
        lang,
        doc,
        version: version.version,
        versions: versions.map((v) => v.version),
      });
      reply.header('content-language', lang);
      return sendPage(reply, String(page));
    },
  );

  server.get(
    '/privacy/:orgId/notice.md',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['notices'],
        summary: 'The privacy notice in force (Markdown)',
        params,
        querystring: query,
      },
    },
    async (req, reply) => {
      const { doc } = await noticeFor(req, req.params, req.query);
      return reply.type('text/markdown; charset=utf-8').send(noticeMarkdown(doc));
    },
  );
}
