import { type Html, html } from '../../core/html.ts';
import { LANGUAGES, type Language } from '../../core/register/schema.ts';

/** Each language by its own name. */
export const LANGUAGE_NAMES: Record<Language, string> = { en: 'English', sv: 'Svenska', nb: 'Norsk bokmål' };

/**
 * The links to the same page in each language. The `current` language, when given, is shown in bold
 * rather than linked; `label` names a language (its own name unless told). `after` follows the links.
 */
export function languageNav(opts: {
  href: (lang: Language) => string;
  current?: Language;
  label?: (lang: Language) => string;
  after?: Html;
}): Html {
  const label = opts.label ?? ((l: Language) => LANGUAGE_NAMES[l]);
  return html`<nav class="langs" aria-label="Language">${LANGUAGES.map((l) =>
    l === opts.current
      ? html`<strong>${label(l)}</strong> `
      : html`<a href="${opts.href(l)}" hreflang="${l}">${label(l)}</a> `,
  )}${opts.after ?? ''}</nav>`;
}
