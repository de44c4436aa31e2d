/**
 * The console's sign-in page: a button per single sign-on provider, and the password form unless
 * passwords are turned off (SSO-only mode). After a sign-out through a provider, a link to end the
 * session at the provider too.
 */
import { type Html, html } from '../../../core/html.ts';
import { consoleLanguage } from '../../i18n/catalogue.ts';
import { publicPage } from '../../layout.ts';
import { peopleWords } from './words.ts';

export type LoginProvider = { id: string; name: string };

export function loginPage(opts: {
  next: string;
  error?: string;
  providers: readonly LoginProvider[];
  ssoOnly: boolean;
  /** Signed out of Ombud after a single sign-on through this provider. */
  signedOutOf?: LoginProvider;
}): string {
  const { next, error, providers, ssoOnly, signedOutOf } = opts;
  const lang = consoleLanguage();
  const w = peopleWords(lang);
  const q = next === '/console' ? '' : `?next=${encodeURIComponent(next)}`;
  const buttons = providers.map(
    (p) =>
      html`<p><a class="button sso" href="/console/sso/${p.id}/start${q}">${w.signInWith(p.name)}</a></p>`,
  );
  const passwordForm: Html | string = ssoOnly
    ? html`<p class="muted">${w.passwordsOff}</p>`
    : html`<form method="post" action="/console/login">
<input type="hidden" name="next" value="${next}">
<label for="email">${w.email}</label><input id="email" name="email" type="email" autocomplete="username" required style="width:100%">
<label for="password">${w.password}</label><input id="password" name="password" type="password" autocomplete="current-password" required style="width:100%">
<label for="code">${w.authCode} <span class="muted">${w.ifSetUp}</span></label><input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" style="width:100%">
<p><button type="submit">${w.signIn}</button></p></form>`;
  const signedOut = signedOutOf
    ? html`<p role="status">${w.signedOut} <a href="/console/sso/${signedOutOf.id}/end-session">${w.signOutOf(signedOutOf.name)}</a></p>`
    : '';
  return publicPage({
    title: `${w.signIn} · Ombud`,
    lang,
    body: html`<div class="card" style="max-width:26rem;margin:4rem auto">
<h1>${w.signInTo}</h1>
${error ? html`<p class="error" role="alert">${error}</p>` : ''}${signedOut}
${buttons}${providers.length > 0 && !ssoOnly ? html`<p class="muted">${w.orPassword}</p>` : ''}
${passwordForm}</div>`,
  });
}
