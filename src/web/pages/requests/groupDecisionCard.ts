/**
 * A split group request decided in one step: its company requests (company, state, due date) and the
 * forms that approve, warn, refuse or extend all the open ones at once (src/http/requestActions.ts,
 * `group-*`). Each company's decision is recorded on its own request.
 */
import { type Html, html } from '../../../core/html.ts';
import type { RegisterIndex } from '../../../core/register/register-index.ts';
import { isOpen } from '../../../core/requests/workflow.ts';
import type { RequestRow } from '../../../services/requests/store.ts';
import { card } from '../../components/card.ts';
import { dataTable } from '../../components/dataTable.ts';
import { inputField } from '../../components/inputField.ts';
import { selectField } from '../../components/selectField.ts';
import { textareaField } from '../../components/textareaField.ts';
import type { ActionFormOf } from './actionForm.ts';
import { groundOptions } from './actionsCard.ts';
import { labelOf, requestWords } from './words.ts';

export type GroupChild = Pick<RequestRow, 'id' | 'org_id' | 'state' | 'due_date'>;

function forms(f: ActionFormOf, open: number): Html {
  const w = requestWords();
  const grounds = groundOptions();
  const reason = (id: string) => textareaField({ id, name: 'reason', label: w.reasonEachCompany, rows: 2 });
  return html`${f('group-approve', w.approveAll(open))}
${f('group-extend', w.extendAll(open), inputField({ id: 'group-extend-reason', name: 'reason', label: w.extendReason }))}
<details><summary>${w.warnOrRefuseSummary}</summary>
${f('group-warn', w.warnAll(open), html`${selectField({ id: 'group-warn-ground', name: 'ground', label: w.ground, options: grounds })}${reason('group-warn-reason')}`)}
${f('group-refuse', w.refuseAll(open), html`${selectField({ id: 'group-refuse-ground', name: 'ground', label: w.ground, options: grounds })}${reason('group-refuse-reason')}`, true)}
</details>`;
}

export function groupDecisionCard(d: {
  children: readonly GroupChild[];
  index?: RegisterIndex;
  form: ActionFormOf;
  mayWrite: boolean;
}): Html {
  const w = requestWords();
  const open = d.children.filter((c) => isOpen(c.state)).length;
  const table = dataTable({
    id: 'group-children',
    head: [w.company, w.request, w.state, w.due],
    rows: d.children.map(
      (c) =>
        html`<tr data-company="${c.org_id}"><td>${d.index?.organization(c.org_id)?.legalName ?? c.org_id}</td><td><a href="/console/requests/${c.id}">${c.id.slice(0, 8)}</a></td><td class="state">${labelOf(w.states, c.state)}</td><td>${c.due_date}</td></tr>`,
    ),
  });
  const body = html`${table}
${
  !d.mayWrite
    ? ''
    : open
      ? html`<p>${w.oneDecision}</p>${forms(d.form, open)}`
      : html`<p class="muted">${w.everyClosed}</p>`
}`;
  return card(body, { title: w.decideTitle, tag: 'section', class: 'group-decision' });
}
