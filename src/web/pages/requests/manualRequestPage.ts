/** The console's form for a request taken by letter, phone or in person (/console/requests/new). */
import { type Html, html } from '../../../core/html.ts';
import { LANGUAGES } from '../../../core/register/schema.ts';
import { REQUEST_TYPES } from '../../../core/requests/workflow.ts';
import { card } from '../../components/card.ts';
import { inputField } from '../../components/inputField.ts';
import { selectField } from '../../components/selectField.ts';
import { textareaField } from '../../components/textareaField.ts';
import { deskPage } from './shell.ts';
import { LANGUAGE_NAMES } from './styles.ts';
import { labelOf, requestWords } from './words.ts';

export type ManualRequestData = {
  /** The companies where the viewer may file (requests:write). */
  organizations: readonly { id: string; legalName: string }[];
  /** May the viewer file for the whole group (requests:write in every company)? */
  wholeGroup: boolean;
  purposes: readonly { id: string; name: string }[];
  error?: Html;
};

export function manualRequestPage(d: ManualRequestData): Html {
  const w = requestWords();
  const companies = [
    ...(d.wholeGroup ? [{ value: 'group', label: w.allCompaniesOfGroup }] : []),
    ...d.organizations.map((o) => ({ value: o.id, label: o.legalName })),
  ];
  const purposes = [{ value: '', label: '—' }, ...d.purposes.map((p) => ({ value: p.id, label: p.name }))];
  const languages = LANGUAGES.map((l) => ({ value: l, label: LANGUAGE_NAMES[l] }));
  const types = REQUEST_TYPES.map((x) => ({ value: x, label: labelOf(w.types, x) }));
  const form = html`<p class="muted">${w.manualIntro}</p>
<form class="stack" method="post" action="/console/requests/new">
${selectField({ id: 'company', label: w.company, options: companies })}
${selectField({ id: 'type', label: w.type, options: types })}
${selectField({ id: 'purposeId', label: w.purposeOptional, options: purposes })}
${inputField({ id: 'email', label: w.customerEmail, type: 'email', required: true })}
${inputField({ id: 'receivedAt', label: w.receivedAt, type: 'datetime-local' })}
${selectField({ id: 'lang', label: w.language, options: languages })}
${textareaField({ id: 'details', label: w.details, rows: 3 })}
${inputField({ id: 'idCheck', label: w.idCheck })}
<p><button type="submit">${w.fileRequest}</button></p>
</form>`;
  return deskPage(w.newRequest, html`<h1>${w.newRequest}</h1>${d.error ?? ''}${card(form)}`);
}
