/**
 * A split group request decided in one step: its company requests (company, state, due date) and the
 * forms that approve, warn, refuse or extend all the open ones at once (src/http/requestActions.ts,
 * `group-*`). Each company's decision is recorded on its own request.
 */
import { type Html, html } from '../../../core/html.ts';
import type { RegisterIndex } from '../../../core/register/register-index.ts';
import { isOpen, REFUSAL_GROUNDS } from '../../../core/requests/workflow.ts';
import type { RequestRow } from '../../../services/requests/store.ts';
import { card } from '../../components/card.ts';
import { dataTable } from '../../components/dataTable.ts';
import { inputField } from '../../components/inputField.ts';
import { plainOptions, selectField } from '../../components/selectField.ts';
import { textareaField } from '../../components/textareaField.ts';
import type { ActionFormOf } from './actionForm.ts';

export type GroupChild = Pick<RequestRow, 'id' | 'org_id' | 'state' | 'due_date'>;

function forms(f: ActionFormOf, open: number): Html {
  const grounds = plainOptions(REFUSAL_GROUNDS);
  const reason = (id: string) =>
    textareaField({ id, name: 'reason', label: 'Reason (told to the customer by each company)', rows: 2 });
  return html`${f('group-approve', `Approve all ${open}`)}
${f('group-extend', `Extend all ${open}`, inputField({ id: 'group-extend-reason', name: 'reason', label: 'Reason for the extension (told to the customer)' }))}
<details><summary>Manifestly unfounded or excessive (Art. 12(5)): warn or refuse all</summary>
${f('group-warn', `Warn before refusal, all ${open}`, html`${selectField({ id: 'group-warn-ground', name: 'ground', label: 'Ground (Art. 12(5))', options: grounds })}${reason('group-warn-reason')}`)}
${f('group-refuse', `Refuse all ${open}`, html`${selectField({ id: 'group-refuse-ground', name: 'ground', label: 'Ground (Art. 12(5))', options: grounds })}${reason('group-refuse-reason')}`, true)}
</details>`;
}

export function groupDecisionCard(d: {
  children: readonly GroupChild[];
  index?: RegisterIndex;
  form: ActionFormOf;
  mayWrite: boolean;
}): Html {
  const open = d.children.filter((c) => isOpen(c.state)).length;
  const table = dataTable({
    id: 'group-children',
    head: ['Company', 'Request', 'State', 'Due'],
    rows: d.children.map(
      (c) =>
        html`<tr data-company="${c.org_id}"><td>${d.index?.organization(c.org_id)?.legalName ?? c.org_id}</td><td><a href="/console/requests/${c.id}">${c.id.slice(0, 8)}</a></td><td class="state">${c.state}</td><td>${c.due_date}</td></tr>`,
    ),
  });
  const body = html`${table}
${
  !d.mayWrite
    ? ''
    : open
      ? html`<p>One decision for every open company request; each company's decision is recorded on its own request.</p>${forms(d.form, open)}`
      : html`<p class="muted">Every company request is closed.</p>`
}`;
  return card(body, { title: 'Decide for every company', tag: 'section', class: 'group-decision' });
}
