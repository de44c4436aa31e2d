/** The console's form for a request taken by letter, phone or in person (/console/requests/new). */
import { type Html, html } from '../../../core/html.ts';
import { LANGUAGES } from '../../../core/register/schema.ts';
import { REQUEST_TYPES } from '../../../core/requests/workflow.ts';
import { card } from '../../components/card.ts';
import { inputField } from '../../components/inputField.ts';
import { plainOptions, selectField } from '../../components/selectField.ts';
import { textareaField } from '../../components/textareaField.ts';
import { deskPage } from './shell.ts';
import { LANGUAGE_NAMES } from './styles.ts';

export type ManualRequestData = {
  /** The companies where the viewer may file (requests:write). */
  organizations: readonly { id: string; legalName: string }[];
  /** May the viewer file for the whole group (requests:write in every company)? */
  wholeGroup: boolean;
  purposes: readonly { id: string; name: string }[];
  error?: Html;
};

export function manualRequestPage(d: ManualRequestData): Html {
  const companies = [
    ...(d.wholeGroup ? [{ value: 'group', label: 'All companies of the group' }] : []),
    ...d.organizations.map((o) => ({ value: o.id, label: o.legalName })),
  ];
  const purposes = [{ value: '', label: '—' }, ...d.purposes.map((p) => ({ value: p.id, label: p.name }))];
  const languages = LANGUAGES.map((l) => ({ value: l, label: LANGUAGE_NAMES[l] }));
  const form = html`<p class="muted">For a request taken by letter, phone or in person. Give the date it reached us: the due date counts from then.</p>
<form class="stack" method="post" action="/console/requests/new">
${selectField({ id: 'company', label: 'Company', options: companies })}
${selectField({ id: 'type', label: 'Type', options: plainOptions(REQUEST_TYPES) })}
${selectField({ id: 'purposeId', label: 'Purpose (objection, withdrawal; optional)', options: purposes })}
${inputField({ id: 'email', label: "Customer's e-mail address (for the answer)", type: 'email', required: true })}
${inputField({ id: 'receivedAt', label: 'Received (date and time)', type: 'datetime-local' })}
${selectField({ id: 'lang', label: 'Language', options: languages })}
${textareaField({ id: 'details', label: 'Details', rows: 3 })}
${inputField({
  id: 'idCheck',
  label: 'Identity check done (e.g. "ID seen: driving licence, name matches"; never copy the document)',
})}
<p><button type="submit">File request</button></p>
</form>`;
  return deskPage('New request', html`<h1>New request</h1>${d.error ?? ''}${card(form)}`);
}
