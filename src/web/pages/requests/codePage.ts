/** The privacy center's "enter the code we sent you" page (/privacy/requests/verify). */
import { type Html, html } from '../../../core/html.ts';
import { REQUEST_PAGE_STRINGS } from '../../../core/privacy-center/strings.ts';
import type { Language } from '../../../core/register/schema.ts';
import { card } from '../../components/card.ts';
import { inputField } from '../../components/inputField.ts';
import { postForm } from '../../components/postForm.ts';
import { centerPage } from './shell.ts';

export function codePage(d: { submissionId: string; lang: Language; error?: Html }): Html {
  const s = REQUEST_PAGE_STRINGS[d.lang];
  const form = postForm({
    action: '/privacy/requests/verify',
    hidden: { s: d.submissionId, lang: d.lang },
    fields: inputField({
      id: 'code',
      label: s.code,
      required: true,
      attrs: { inputmode: 'numeric', autocomplete: 'one-time-code', pattern: '[0-9]{6}' },
    }),
    submit: s.confirm,
  });
  return centerPage(
    s.confirmTitle,
    d.lang,
    html`<h1>${s.confirmTitle}</h1>${d.error ?? ''}
${card(html`<p>${s.confirmText}</p>
${form}`)}`,
  );
}
