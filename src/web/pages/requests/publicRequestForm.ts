/** The privacy center's request form (/privacy/requests/new), in the requester's language. */
import { type Html, html } from '../../../core/html.ts';
import { REQUEST_PAGE_STRINGS } from '../../../core/privacy-center/strings.ts';
import { LANGUAGES, type Language } from '../../../core/register/schema.ts';
import { typeName } from '../../../core/requests/mail-templates.ts';
import { REQUEST_TYPES } from '../../../core/requests/workflow.ts';
import { card } from '../../components/card.ts';
import { inputField } from '../../components/inputField.ts';
import { selectField } from '../../components/selectField.ts';
import { textareaField } from '../../components/textareaField.ts';
import { centerPage } from './shell.ts';
import { LANGUAGE_NAMES } from './styles.ts';

export type PublicRequestFormData = {
  lang: Language;
  /** The group's name and companies, when a register is applied. */
  group?: { name: string; organizations: readonly { id: string; legalName: string }[] };
  /** The company chosen (from the link, or the form posted back). */
  company?: string;
  error?: Html;
};

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** Links to the same form in the other languages. */
function languageLinks(lang: Language, company?: string): Html {
  return html`<nav class="langs" aria-label="Language">${LANGUAGES.map((l) =>
    l === lang
      ? html`<strong>${LANGUAGE_NAMES[l]}</strong> `
      : html`<a href="/privacy/requests/new?lang=${l}${company ? `&company=${company}` : ''}" hreflang="${l}">${LANGUAGE_NAMES[l]}</a> `,
  )}</nav>`;
}

export function publicRequestFormPage(d: PublicRequestFormData): Html {
  const s = REQUEST_PAGE_STRINGS[d.lang];
  const companies = [
    { value: 'group', label: `${s.allCompanies}${d.group ? ` (${d.group.name})` : ''}` },
    ...(d.group?.organizations ?? []).map((o) => ({ value: o.id, label: o.legalName })),
  ];
  const types = REQUEST_TYPES.map((ty) => ({ value: ty, label: capitalise(typeName(ty, d.lang)) }));
  const languages = LANGUAGES.map((l) => ({ value: l, label: LANGUAGE_NAMES[l] }));
  const form = html`<p>${s.intro}</p>
<form class="stack" method="post" action="/privacy/requests">
${selectField({ id: 'company', label: s.company, options: companies, selected: d.company, required: true })}
${selectField({ id: 'type', label: s.type, options: types, required: true })}
${inputField({ id: 'email', label: s.email, type: 'email', required: true, attrs: { autocomplete: 'email' } })}
${inputField({ id: 'name', label: s.name, attrs: { autocomplete: 'name' } })}
${textareaField({ id: 'details', label: s.details, rows: 4 })}
${selectField({ id: 'lang', label: s.lang, options: languages, selected: d.lang })}
<p><button type="submit">${s.send}</button></p>
</form>`;
  return centerPage(
    s.title,
    d.lang,
    html`${languageLinks(d.lang, d.company)}<h1>${s.title}</h1>${d.error ?? ''}
${card(form)}`,
  );
}
