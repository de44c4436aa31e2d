/**
 * A company's privacy notice in the privacy center (/privacy/:orgId): the notice in force (or an earlier
 * version), its versions, the Markdown, the way to make a request, and the company's cookie banner.
 */
import { type Html, html, raw } from '../../../core/html.ts';
import { CENTER_STRINGS } from '../../../core/privacy-center/strings.ts';
import { NOTICE_CSS, type NoticeDocument, noticeHtml } from '../../../core/notice/render.ts';
import type { Language } from '../../../core/register/schema.ts';
import { card } from '../../components/card.ts';
import { cookieBannerScript } from '../../components/cookieBannerScript.ts';
import { languageNav } from '../../components/languageNav.ts';
import { publicPage } from '../../layout.ts';

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

/** The notice's own stylesheet, less what the privacy center's page shell already sets. */
const CSS = `${NOTICE_CSS.replace(/body\{[^}]*\}/, '').replace('max-width:52rem', '')}
h1{overflow-wrap:break-word;hyphens:auto}@media (max-width:40rem){h1{font-size:1.6rem}}`;

export type NoticePageData = {
  orgId: string;
  lang: Language;
  doc: NoticeDocument;
  /** The version shown, and every published version. */
  version: number;
  versions: number[];
};

function topNav(orgId: string, lang: Language): Html {
  const s = CENTER_STRINGS[lang];
  const after = html` · <a href="/privacy?lang=${lang}">${s.title}</a>
 · <a href="/privacy/requests/new?lang=${lang}&amp;company=${orgId}">${s.makeRequest}</a>`;
  return languageNav({ current: lang, href: (l) => `/privacy/${orgId}?lang=${l}`, after });
}

function versionLinks(data: NoticePageData): Html {
  const { orgId, lang } = data;
  const latest = data.versions.at(-1);
  const showing = data.version !== latest ? html`Showing version ${data.version}. ` : '';
  return html`<p class="muted">${showing}${data.versions.map(
    (v) => html`<a href="/privacy/${orgId}?lang=${lang}&amp;version=${v}">v${v}</a> `,
  )} · <a href="/privacy/${orgId}/notice.md?lang=${lang}">Markdown</a></p>`;
}

export function noticePage(data: NoticePageData): Html {
  const { orgId, lang } = data;
  return raw(
    publicPage({
      title: data.doc.title,
      lang,
      css: CSS,
      body: html`${topNav(orgId, lang)}
${card(html`${noticeHtml(data.doc)}${versionLinks(data)}`, { style: 'max-width:56rem;margin:1rem auto' })}
<footer class="site">
<a href="#" data-ombud-cookie-settings>${CUSTOMIZE_COOKIES[lang]}</a>
 · <a href="/privacy/${orgId}?lang=${lang}#cookies">${COOKIE_POLICY[lang]}</a>
</footer>
${cookieBannerScript(orgId, lang)}`,
    }),
  );
}
