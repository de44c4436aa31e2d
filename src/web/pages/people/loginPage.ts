/**
 * The console's sign-in page: a button per single sign-on provider, and the password form unless
 * passwords are turned off (SSO-only mode). After a sign-out through a provider, a link to end the
 * session at the provider too.
 */
import { type Html, html } from '../../../core/html.ts';
import { publicPage } from '../../layout.ts';

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
  const q = next === '/console' ? '' : `?next=${encodeURIComponent(next)}`;
  const buttons = providers.map(
    (p) =>
      html`<p><a class="button sso" href="/console/sso/${p.id}/start${q}">Sign in with ${p.name}</a></p>`,
  );
  const passwordForm: Html | string = ssoOnly
    ? html`<p class="muted">Passwords are turned off here: sign in with your organization's identity provider.</p>`
    : html`<form method="post" action="/console/login">
<input type="hidden" name="next" value="${next}">
<label for="email">E-mail</label><input id="email" name="email" type="email" autocomplete="username" required style="width:100%">
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required style="width:100%">
<label for="code">Authenticator code <span class="muted">(if you set one up)</span></label><input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" style="width:100%">
<p><button type="submit">Sign in</button></p></form>`;
  const signedOut = signedOutOf
    ? html`<p role="status">You are signed out of Ombud. <a href="/console/sso/${signedOutOf.id}/end-session">Sign out of ${signedOutOf.name} too</a></p>`
    : '';
  return publicPage({
    title: 'Sign in · Ombud',
    lang: 'en',
    body: html`<div class="card" style="max-width:26rem;margin:4rem auto">
<h1>Sign in to Ombud</h1>
${error ? html`<p class="error" role="alert">${error}</p>` : ''}${signedOut}
${buttons}${providers.length > 0 && !ssoOnly ? html`<p class="muted">or with your Ombud password:</p>` : ''}
${passwordForm}</div>`,
  });
}
