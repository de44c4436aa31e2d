/**
 * The privacy center's landing page (/privacy): each company's notice, the way to make a request, the
 * "send me my settings link" form and the cookie settings, in the visitor's language; and the page that
 * answers the settings-link form.
 */
import { type Html, html, raw } from '../../../core/html.ts';
import { CENTER_STRINGS, type CenterStrings } from '../../../core/privacy-center/strings.ts';
import { LANGUAGES, type Language } from '../../../core/register/schema.ts';
import { card } from '../../components/card.ts';
import { cookieBannerScript } from '../../components/cookieBannerScript.ts';
import { errorBox } from '../../components/errorBox.ts';
import { LANGUAGE_NAMES, languageNav } from '../../components/languageNav.ts';
import { publicPage } from '../../layout.ts';

export type CenterCompany = { id: string; legalName: string; registrationNumber: string; country: string };

export type CenterLandingData = {
  lang: Language;
  /** The group's name; none before a register is applied. */
  group?: string;
  companies: CenterCompany[];
  /** The settings-link form was refused: why. */
  error?: string;
};

/** On a phone the three boxes of what one can do stack, so their words and the e-mail field fit. */
const CSS = `@media (max-width:40rem){.grid.todo{grid-template-columns:1fr}}#settings input[type=email]{width:100%}
.notice-langs{display:flex;flex-wrap:wrap;gap:.3rem 1rem}.notice-langs a{display:inline-block;padding:.3rem 0;min-height:24px}`;

const centerLanguages = (lang: Language) => languageNav({ current: lang, href: (l) => `/privacy?lang=${l}` });

function noticeCard(o: CenterCompany): Html {
  return card(html`<h3>${o.legalName}</h3>
<p class="muted">${o.registrationNumber} · ${o.country}</p>
<p class="notice-langs">${LANGUAGES.map(
    (l) => html`<a href="/privacy/${o.id}?lang=${l}" hreflang="${l}">${LANGUAGE_NAMES[l]}</a> `,
  )}</p>`);
}

function rightsCard(s: CenterStrings, lang: Language): Html {
  return card(
    html`<h2>${s.rights}</h2>
<p>${s.rightsText}</p>
<p><a class="button" href="/privacy/requests/new?lang=${lang}">${s.makeRequest}</a></p>`,
    { tag: 'section', id: 'rights' },
  );
}

function settingsCard(s: CenterStrings, lang: Language, error?: string): Html {
  return card(
    html`<h2>${s.settings}</h2>
<p>${s.settingsText}</p>
${error ? errorBox(error) : ''}
<form method="post" action="/privacy/settings-link">
<input type="hidden" name="lang" value="${lang}">
<label for="settings-email">${s.email}</label>
<input id="settings-email" name="email" type="email" required autocomplete="email">
<p><button type="submit">${s.sendLink}</button></p>
</form>`,
    { tag: 'section', id: 'settings' },
  );
}

function cookiesCard(s: CenterStrings): Html {
  return card(
    html`<h2>${s.cookies}</h2>
<p>${s.cookiesText}</p>
<p><a class="button secondary" href="#" data-ombud-cookie-settings>${s.customize}</a></p>`,
    { tag: 'section', id: 'cookies' },
  );
}

export function centerLandingPage(data: CenterLandingData): Html {
  const { lang, group, companies } = data;
  const s = CENTER_STRINGS[lang];
  const first = companies[0];
  return raw(
    publicPage({
      title: `${s.title} · ${group ?? 'Ombud'}`,
      lang,
      css: CSS,
      body: html`${centerLanguages(lang)}
<h1>${s.title}${group ? html` — ${group}` : ''}</h1>
<p class="muted">${s.intro}</p>
<h2>${s.notices}</h2>
<p class="muted">${s.noticesText}</p>
<div class="grid">${companies.map(noticeCard)}</div>
<div class="grid todo">
${rightsCard(s, lang)}
${settingsCard(s, lang, data.error)}
${cookiesCard(s)}
</div>
${first ? cookieBannerScript(first.id, lang) : ''}`,
    }),
  );
}

/** The answer to the settings-link form: the same whether or not the address is known. */
export function settingsLinkSentPage(data: { lang: Language; group?: string }): Html {
  const s = CENTER_STRINGS[data.lang];
  return raw(
    publicPage({
      title: `${s.linkSentTitle} · ${data.group ?? 'Ombud'}`,
      lang: data.lang,
      body: html`${centerLanguages(data.lang)}
<h1>${s.linkSentTitle}</h1>
${card(
  html`<p>${s.linkSent}</p>
<p><a href="/privacy?lang=${data.lang}">${s.back}</a></p>`,
  { role: 'status' },
)}`,
    }),
  );
}
