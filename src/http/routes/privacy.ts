import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { type App, todayIn } from '../../app.ts';
import { html } from '../../core/html.ts';
import { LANGUAGES, type Language } from '../../core/register/schema.ts';
import { NOTICE_CSS, noticeHtml, noticeMarkdown } from '../../core/notice/render.ts';
import { notFound } from '../../core/errors.ts';
import { renderPublishedNotice } from '../../services/notice/renderPublishedNotice.ts';
import { publicPage } from '../../web/layout.ts';

const LANG_NAMES: Record<Language, string> = { en: 'English', sv: 'Svenska', nb: 'Norsk bokmål' };
const params = z.object({
  orgId: z.string().regex(/^[a-z0-9-]{1,64}$/, 'an organization id such as nestit-group'),
});
const query = z.object({
  lang: z.enum(LANGUAGES).optional(),
  version: z.coerce.number().int().positive().optional(),
});

function pickLang(header: string | undefined, fallback: Language): Language {
  for (const part of (header ?? '').split(',')) {
    const tag = part.trim().slice(0, 2).toLowerCase();
    if (tag === 'no' || tag === 'nn' || tag === 'nb') return 'nb';
    if ((LANGUAGES as readonly string[]).includes(tag)) return tag as Language;
  }
  return fallback;
}

export async function privacyRoutes(server: FastifyInstance, app: App) {
  /** The notice in force for the requested company, in the asked or the browser's language. */
  const noticeFor = async (req: FastifyRequest) => {
    const { orgId } = req.params as z.infer<typeof params>;
    const q = req.query as z.infer<typeof query>;
    const r = await app.registers.get();
    const org = r?.index.organization(orgId);
    if (!r || !org) throw notFound('organization', orgId);
    const lang = q.lang ?? pickLang(req.headers['accept-language'], r.index.register.group.defaultLanguage);
    const today = todayIn(app.now(), org.timeZone);
    return { lang, ...(await renderPublishedNotice(app.db, { orgId, lang, today, version: q.version })) };
  };

  server.get(
    '/privacy',
    { config: { permission: 'public' }, schema: { hide: true } },
    async (_req, reply) => {
      const r = await app.registers.get();
      const orgs = r?.index.register.organizations ?? [];
      return reply.type('text/html').send(
        publicPage({
          title: `Privacy center · ${r?.index.register.group.name ?? 'Ombud'}`,
          lang: 'en',
          body: html`<h1>Privacy center${r ? html` — ${r.index.register.group.name}` : ''}</h1>
<p class="muted">Each company of the group is the controller for its own processing. Choose a company to read its privacy notice.</p>
<div class="grid">${orgs.map(
            (
              o,
            ) => html`<div class="card"><h2>${o.legalName}</h2><p class="muted">${o.registrationNumber} · ${o.country}</p>
<p>${LANGUAGES.map((l) => html`<a href="/privacy/${o.id}?lang=${l}" hreflang="${l}">${LANG_NAMES[l]}</a> `)}</p></div>`,
          )}</div>`,
        }),
      );
    },
  );

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
      const { orgId } = req.params as z.infer<typeof params>;
      const { lang, doc, versions, version } = await noticeFor(req);
      return reply
        .type('text/html')
        .header('content-language', lang)
        .send(
          publicPage({
            title: doc.title,
            lang,
            css: NOTICE_CSS.replace(/body\{[^}]*\}/, '').replace('max-width:52rem', ''),
            body: html`<nav class="langs" aria-label="Language">${LANGUAGES.map((l) =>
              l === lang
                ? html`<strong>${LANG_NAMES[l]}</strong> `
                : html`<a href="/privacy/${orgId}?lang=${l}" hreflang="${l}">${LANG_NAMES[l]}</a> `,
            )} · <a href="/privacy">All companies</a></nav>
<div class="card" style="max-width:56rem;margin:1rem auto">${noticeHtml(doc)}
<p class="muted">${version.version !== versions.at(-1)?.version ? html`Showing version ${version.version}. ` : ''}${versions.map(
              (v) =>
                html`<a href="/privacy/${orgId}?lang=${lang}&amp;version=${v.version}">v${v.version}</a> `,
            )} · <a href="/privacy/${orgId}/notice.md?lang=${lang}">Markdown</a></p></div>
<footer class="site"><a href="#" data-ombud-cookie-settings>Customize cookies</a> · <a href="/privacy/${orgId}?lang=${lang}#cookies">Cookie policy</a></footer>`,
          }),
        );
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
      const { doc } = await noticeFor(req);
      return reply.type('text/markdown; charset=utf-8').send(noticeMarkdown(doc));
    },
  );
}
