import { type Html, html } from '../../core/html.ts';
import type { Language } from '../../core/register/schema.ts';

/** A company's cookie banner, served by Ombud (`/sdk/consent.js`); `data-ombud-cookie-settings` reopens it. */
export function cookieBannerScript(orgId: string, lang: Language): Html {
  return html`<script src="/sdk/consent.js?org=${orgId}&amp;lang=${lang}"></script>`;
}
