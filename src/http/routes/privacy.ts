import type { FastifyRequest } from 'fastify';
import type { RouteServer } from '../routeServer.ts';
import { z } from 'zod';
import { type App, todayIn } from '../../app.ts';
import { html } from '../../core/html.ts';
import { LANGUAGES, type Language } from '../../core/register/schema.ts';
import { NOTICE_CSS, noticeHtml, noticeMarkdown } from '../../core/notice/render.ts';
import { notFound, OmbudError } from '../../core/errors.ts';
import { CENTER_STRINGS, pickLang } from '../../core/privacy-center/strings.ts';
import { mailPreferenceLinks } from '../../services/consent/mailPreferenceLinks.ts';
import { flushMail } from '../../services/requests/store.ts';
import { afterResponse } from '../background.ts';
import { submissionLimiter } from '../requestLimits.ts';
import { sendPage } from '../pages.ts';
import { renderPublishedNotice } from '../../services/notice/renderPublishedNotice.ts';
import { publicPage } from '../../web/layout.ts';

const CUSTOMIZE_COOKIES: Record<Language, string> = {
  en: 'Customize cookies',
  sv: 'Anpassa cookies',
  nb: 'Tilpass informasjonskapsler',
};
const COOKIE_POLICY: Record<Language, string> = {
  en: 'Cookie policy',
  sv: 'Cookiepolicy',
  nb: 'Retningslinjer for informasjonskapsler',
};
const LANG_NAMES: Record<Language, string> = { en: 'English', sv: 'Svenska', nb: 'Norsk bokmål' };
const params = z.object({
  orgId: z.string().regex(/^[a-z0-9-]{1,64}$/, 'an organization id such as nestit-group'),
});
const query = z.object({
  lang: z.enum(LANGUAGES).optional(),
  version: z.coerce.number().int().positive().optional(),
});

export async function privacyRoutes(server: RouteServer, app: App) {
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

  const landing = async (lang: Language, form?: { error?: string; sent?: boolean }) => {
    const r = await app.registers.get();
    const orgs = r?.index.register.organizations ?? [];
    const s = CENTER_STRINGS[lang];
    const group = r?.index.register.group.name;
    const langs = html`<nav class="langs" aria-label="Language">${LANGUAGES.map((l) =>
      l === lang
        ? html`<strong>${LANG_NAMES[l]}</strong> `
        : html`<a href="/privacy?lang=${l}" hreflang="${l}">${LANG_NAMES[l]}</a> `,
    )}</nav>`;
    if (form?.sent)
      return publicPage({
        title: `${s.linkSentTitle} · ${group ?? 'Ombud'}`,
        lang,
        body: html`${langs}<h1>${s.linkSentTitle}</h1><div class="card" role="status"><p>${s.linkSent}</p>
<p><a href="/privacy?lang=${lang}">${s.back}</a></p></div>`,
      });
    return publicPage({
      title: `${s.title} · ${group ?? 'Ombud'}`,
      lang,
      body: html`${langs}<h1>${s.title}${group ? html` — ${group}` : ''}</h1>
<p class="muted">${s.intro}</p>
<h2>${s.notices}</h2><p class="muted">${s.noticesText}</p>
<div class="grid">${orgs.map(
        (
          o,
        ) => html`<div class="card"><h3>${o.legalName}</h3><p class="muted">${o.registrationNumber} · ${o.country}</p>
<p>${LANGUAGES.map((l) => html`<a href="/privacy/${o.id}?lang=${l}" hreflang="${l}">${LANG_NAMES[l]}</a> `)}</p></div>`,
      )}</div>
<div class="grid">
<section class="card" id="rights"><h2>${s.rights}</h2><p>${s.rightsText}</p>
<p><a class="button" href="/privacy/requests/new?lang=${lang}">${s.makeRequest}</a></p></section>
<section class="card" id="settings"><h2>${s.settings}</h2><p>${s.settingsText}</p>
${form?.error ? html`<div class="error" role="alert">${form.error}</div>` : ''}
<form method="post" action="/privacy/settings-link"><input type="hidden" name="lang" value="${lang}">
<label for="settings-email">${s.email}</label><input id="settings-email" name="email" type="email" required autocomplete="email">
<p><button type="submit">${s.sendLink}</button></p></form></section>
<section class="card" id="cookies"><h2>${s.cookies}</h2><p>${s.cookiesText}</p>
<p><a class="button secondary" href="#" data-ombud-cookie-settings>${s.customize}</a></p></section>
</div>${orgs[0] ? html`<script src="/sdk/consent.js?org=${orgs[0].id}&amp;lang=${lang}"></script>` : ''}`,
    });
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
        return reply
          .status(422)
          .type('text/html')
          .send(await landing(b.lang, { error: CENTER_STRINGS[b.lang].badEmail }));
      try {
        await limitSubmit(req, reply);
      } catch (err) {
        if (err instanceof OmbudError && err.kind === 'rate-limited')
          return reply
            .status(429)
            .type('text/html')
            .send(await landing(b.lang, { error: err.message }));
        throw err;
      }
      const input = { email: email.data, lang: b.lang };
      later(req, 'settings-link', async () => {
        await mailPreferenceLinks(app, input);
        await flushMail(app);
      });
      return sendPage(reply, await landing(b.lang, { sent: true }), { private: true });
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
      const { orgId } = req.params;
      const { lang, doc, versions, version } = await noticeFor(req, req.params, req.query);
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
            )} · <a href="/privacy?lang=${lang}">${CENTER_STRINGS[lang].title}</a> · <a href="/privacy/requests/new?lang=${lang}&amp;company=${orgId}">${CENTER_STRINGS[lang].makeRequest}</a></nav>
<div class="card" style="max-width:56rem;margin:1rem auto">${noticeHtml(doc)}
<p class="muted">${version.version !== versions.at(-1)?.version ? html`Showing version ${version.version}. ` : ''}${versions.map(
              (v) =>
                html`<a href="/privacy/${orgId}?lang=${lang}&amp;version=${v.version}">v${v.version}</a> `,
            )} · <a href="/privacy/${orgId}/notice.md?lang=${lang}">Markdown</a></p></div>
<footer class="site"><a href="#" data-ombud-cookie-settings>${CUSTOMIZE_COOKIES[lang]}</a> · <a href="/privacy/${orgId}?lang=${lang}#cookies">${COOKIE_POLICY[lang]}</a></footer>
<script src="/sdk/consent.js?org=${orgId}&amp;lang=${lang}"></script>`,
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
      const { doc } = await noticeFor(req, req.params, req.query);
      return reply.type('text/markdown; charset=utf-8').send(noticeMarkdown(doc));
    },
  );
}
