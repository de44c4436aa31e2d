import { type Html, html } from '../../core/html.ts';
import type { Language } from '../../core/register/schema.ts';

/** The cookie banner of a company, served by Ombud (`/sdk/consent.js`); it opens on `data-ombud-cookie-settings`. */
export function cookieBannerScript(orgId: string, lang: Language): Html {
  return html`<script src="/sdk/consent.js?org=${orgId}&amp;lang=${lang}"></script>`;
}
