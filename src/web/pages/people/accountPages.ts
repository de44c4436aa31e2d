/** A person's own account: the console language, the second factor, its setup, and setting a password from a link. */
import { type Html, html } from '../../../core/html.ts';
import type { Language } from '../../../core/register/schema.ts';
import { consoleShell } from '../../components/consoleShell.ts';
import { consoleLanguage } from '../../i18n/catalogue.ts';
import { errorAlert } from '../../components/errorAlert.ts';
import { LANGUAGE_NAMES } from '../../components/languageNav.ts';
import { publicShell } from '../../components/publicShell.ts';
import { peopleWords } from './words.ts';

/** The console-language form: the browser's language (no choice stored) or one of the three, each by its own name. */
function languageForm(chosen: Language | null, error?: string): Html {
  const w = peopleWords();
  const choices: { value: string; label: string }[] = [
    { value: 'browser', label: w.browserLanguage },
    ...(['en', 'sv', 'nb'] as const).map((l) => ({ value: l, label: LANGUAGE_NAMES[l] })),
  ];
  const current = chosen ?? 'browser';
  return html`<form class="card" id="console-language" method="post" action="/console/account/language"><h2>${w.language}</h2>
${error ? errorAlert(error) : ''}<p class="muted">${w.languageIntro}</p>
<fieldset style="border:0;padding:0;margin:0"><legend class="sr-only" style="position:absolute;left:-9999px">${w.language}</legend>${choices.map(
    (c) =>
      html`<label style="font-weight:400"><input type="radio" name="language" value="${c.value}"${c.value === current ? html` checked` : ''}> ${c.label}</label>`,
  )}</fieldset><p><button type="submit">${w.save}</button></p></form>`;
}

export function accountPage(
  hasTotp: boolean,
  opts: { language?: Language | null; error?: string; saved?: boolean } = {},
): Html {
  const w = peopleWords();
  const body = html`<h1>${w.yourAccount}</h1>${opts.saved ? html`<div class="card" role="status"><p>${w.languageSaved}</p></div>` : ''}${languageForm(opts.language ?? null, opts.error)}<div class="card"><h2>${w.secondFactor}</h2>${
    hasTotp
      ? html`<p>${w.totpRequired}</p>`
      : html`<p>${w.totpOffer}</p><form method="post" action="/console/account/totp"><button type="submit">${w.totpSetUp}</button></form>`
  }</div>`;
  return consoleShell(w.account, 'account', body);
}

export function totpSetupPage(secret: string, uri: string): Html {
  const w = peopleWords();
  const body = html`<h1>${w.totpTitle}</h1><div class="card"><p>${w.totpIntro}</p>
<p><code>${secret}</code></p><p class="muted"><code>${uri}</code></p>
<form method="post" action="/console/account/totp/confirm"><label for="code">${w.code}</label><input id="code" name="code" inputmode="numeric" pattern="[0-9]{6}" required><p><button type="submit">${w.confirm}</button></p></form></div>`;
  return consoleShell(w.account, 'account', body);
}

/** The public page a reset or invitation link opens; `error` says why the last try was refused. */
export function setPasswordPage(token: string, error?: string, lang?: Language): Html {
  const l = lang ?? consoleLanguage();
  const w = peopleWords(l);
  return publicShell(
    `${w.setPassword} · Ombud`,
    l,
    html`<div class="card" style="max-width:26rem;margin:4rem auto"><h1>${w.setPassword}</h1>
${error ? html`<p class="error" role="alert">${error}</p>` : ''}
<form method="post" action="/console/reset"><input type="hidden" name="token" value="${token}">
<label for="password">${w.newPassword}</label><input id="password" name="password" type="password" autocomplete="new-password" minlength="12" required style="width:100%">
<p><button type="submit">${w.saveAndSignIn}</button></p></form></div>`,
  );
}

/** The page an invitation or reset link opens when it can no longer be used: expired, or used already. */
export function linkNotUsablePage(
  link: { state: 'used-or-unknown' } | { state: 'expired'; at: Date },
  lang?: Language,
): Html {
  const l = lang ?? consoleLanguage();
  const w = peopleWords(l);
  const why =
    link.state === 'expired'
      ? html`<p>${w.linkExpired(link.at.toISOString().slice(0, 16).replace('T', ' '))}</p>`
      : html`<p>${w.linkUsed}</p>`;
  return publicShell(
    `${w.linkUnusableTitle} · Ombud`,
    l,
    html`<div class="card" style="max-width:26rem;margin:4rem auto"><h1>${w.linkUnusable}</h1>${why}
<p>${w.askNewLink} <a href="/console/login">${w.signInLower}</a>.</p></div>`,
  );
}
