/** A person's own account: the second factor, its setup, and setting a password from a link. */
import { type Html, html } from '../../../core/html.ts';
import { consoleShell } from '../../components/consoleShell.ts';
import { publicShell } from '../../components/publicShell.ts';

export function accountPage(hasTotp: boolean): Html {
  const body = html`<h1>Your account</h1><div class="card"><h2>Second factor</h2>${
    hasTotp
      ? html`<p>An authenticator app (TOTP) is required when you sign in.</p>`
      : html`<p>Protect your account with an authenticator app.</p><form method="post" action="/console/account/totp"><button type="submit">Set up an authenticator app</button></form>`
  }</div>`;
  return consoleShell('Account', 'account', body);
}

export function totpSetupPage(secret: string, uri: string): Html {
  const body = html`<h1>Set up your authenticator app</h1><div class="card"><p>Add this account in your authenticator app with the key below (or the otpauth link), then enter the code it shows.</p>
<p><code>${secret}</code></p><p class="muted"><code>${uri}</code></p>
<form method="post" action="/console/account/totp/confirm"><label for="code">Code</label><input id="code" name="code" inputmode="numeric" pattern="[0-9]{6}" required><p><button type="submit">Confirm</button></p></form></div>`;
  return consoleShell('Account', 'account', body);
}

/** The public page a reset or invitation link opens; `error` says why the last try was refused. */
export function setPasswordPage(token: string, error?: string): Html {
  return publicShell(
    'Set your password · Ombud',
    'en',
    html`<div class="card" style="max-width:26rem;margin:4rem auto"><h1>Set your password</h1>
${error ? html`<p class="error" role="alert">${error}</p>` : ''}
<form method="post" action="/console/reset"><input type="hidden" name="token" value="${token}">
<label for="password">New password (12 characters or more)</label><input id="password" name="password" type="password" autocomplete="new-password" minlength="12" required style="width:100%">
<p><button type="submit">Save and sign in</button></p></form></div>`,
  );
}

/** The page an invitation or reset link opens when it can no longer be used: expired, or used already. */
export function linkNotUsablePage(link: { state: 'used-or-unknown' } | { state: 'expired'; at: Date }): Html {
  const why =
    link.state === 'expired'
      ? html`<p>This link expired on ${link.at.toISOString().slice(0, 16).replace('T', ' ')} UTC.</p>`
      : html`<p>This link has been used already, or it is not a link we sent.</p>`;
  return publicShell(
    'Link no longer valid · Ombud',
    'en',
    html`<div class="card" style="max-width:26rem;margin:4rem auto"><h1>This link cannot be used</h1>${why}
<p>Ask the person who invited you (or an administrator) for a new link. If you have set your password already, <a href="/console/login">sign in</a>.</p></div>`,
  );
}
