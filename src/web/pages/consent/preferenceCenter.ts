/**
 * The preference center (/privacy/preferences/:token): what each company of the group may send the
 * person, one checkbox per purpose and channel, in their language. Opened by the token of a mail's link.
 */
import { type Html, html, raw } from '../../../core/html.ts';
import type { Language } from '../../../core/register/schema.ts';
import { card } from '../../components/card.ts';
import { languageNav } from '../../components/languageNav.ts';
import { publicPage } from '../../layout.ts';
import { PREFERENCE_STRINGS, type PreferenceStrings } from './preferenceStrings.ts';

const CSS = `.pref{list-style:none;padding:0}.pref li{padding:.6rem 0;border-bottom:1px solid #e3e6ea}
.pref label{display:flex;gap:.6rem;align-items:flex-start;font-weight:600}
.pref input{width:1.2rem;height:1.2rem;margin-top:.15rem}
.basis{display:block;font-weight:400;color:#5b6472;font-size:.9rem}
.actions{display:flex;gap:1rem;flex-wrap:wrap;margin-top:1rem}
.actions button{font:inherit;padding:.6rem 1.2rem;border-radius:6px;border:1px solid #1d2430}
.actions button{background:#fff;color:#1d2430;cursor:pointer}.actions button.primary{background:#1d2430;color:#fff}
.ok{background:#e7f6ec;padding:.6rem 1rem;border-radius:6px}h1{overflow-wrap:break-word;hyphens:auto}`;

/** One setting: a purpose on a channel at one company. */
export type PreferenceCenterItem = {
  orgId: string;
  purposeId: string;
  channel: string;
  label: string;
  basis: string;
  on: boolean;
};

export type PreferenceCenterData = {
  lang: Language;
  /** The page's own address (the token's link), without the query. */
  self: string;
  companies: { name: string; items: PreferenceCenterItem[] }[];
  /** Just saved: say so. */
  saved: boolean;
};

/** A setting's form value: which company, purpose and channel it turns on. */
export const preferenceKey = (i: { orgId: string; purposeId: string; channel: string }) =>
  `${i.orgId}|${i.purposeId}|${i.channel}`;

function settingItem(i: PreferenceCenterItem, s: PreferenceStrings): Html {
  return html`<li><label>
<input type="checkbox" name="on" value="${preferenceKey(i)}"${i.on ? html` checked` : ''}>
<span>${i.label}<span class="basis">${i.basis === 'consent' ? s.consent : s.li}</span></span>
</label></li>`;
}

function settingsForm(data: PreferenceCenterData, s: PreferenceStrings): Html {
  return html`<form method="post" action="${data.self}?lang=${data.lang}">
${data.companies.map(
  (c) => html`<section><h2>${c.name}</h2>
<ul class="pref">${c.items.map((i) => settingItem(i, s))}</ul></section>`,
)}
<div class="actions">
<button class="primary" type="submit" name="action" value="save">${s.save}</button>
<button type="submit" name="action" value="none">${s.none}</button>
</div>
</form>`;
}

export function preferenceCenterPage(data: PreferenceCenterData): Html {
  const s = PREFERENCE_STRINGS[data.lang];
  const langs = languageNav({ href: (l) => `${data.self}?lang=${l}`, label: (l) => l.toUpperCase() });
  const body = html`<h1>${s.title}</h1>
${data.saved ? html`<p class="ok" role="status">${s.saved}</p>` : ''}
<p>${s.intro}</p>
${data.companies.length === 0 ? html`<p>${s.nothing}</p>` : ''}
${settingsForm(data, s)}`;
  return raw(
    publicPage({
      title: s.title,
      lang: data.lang,
      css: CSS,
      body: html`${langs}
${card(body, { style: 'max-width:44rem;margin:1rem auto' })}`,
    }),
  );
}
