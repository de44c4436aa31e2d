/** The actions an agent may take on an open request, each a form (src/http/requestActions.ts reads them). */
import { type Html, html } from '../../../core/html.ts';
import type { RegisterIndex } from '../../../core/register/register-index.ts';
import { defaultCurrency } from '../../../core/requests/fees.ts';
import { isOpen, REFUSAL_GROUNDS } from '../../../core/requests/workflow.ts';
import type { FeeRow } from '../../../services/requests/chargeFee.ts';
import type { RequestRow } from '../../../services/requests/store.ts';
import { card } from '../../components/card.ts';
import { inputField } from '../../components/inputField.ts';
import { plainOptions, selectField } from '../../components/selectField.ts';
import { textareaField } from '../../components/textareaField.ts';
import { dayUtc } from '../../components/timestamp.ts';
import type { ActionFormOf } from './actionForm.ts';

export type ActionsData = {
  request: RequestRow;
  fee: FeeRow | undefined;
  index?: RegisterIndex;
  /** May the viewer act on the request (requests:write in each of its companies)? */
  mayWrite: boolean;
  /** The companies whose requests:write acting needs, named when the viewer may only read. */
  companies: readonly string[];
  form: ActionFormOf;
};

const grounds = plainOptions(REFUSAL_GROUNDS);

/** Routing a request to the whole group by hand: "we hold nothing", or send it to the companies found. */
function groupRouting(q: RequestRow, ix: RegisterIndex | undefined, f: ActionFormOf): Html {
  const checkbox = (c: string) =>
    html`<label><input type="checkbox" name="org-${c}" value="on"> ${ix?.organization(c)?.legalName ?? c}</label>`;
  return html`${f(
    'no-data',
    'Answer: we hold no personal data',
    inputField({ id: 'no-data-note', name: 'note', label: 'What you checked by hand (systems, not data)' }),
  )}${f(
    'route',
    'Send to these companies',
    html`<fieldset>
<legend>Companies where you found the customer</legend>${(q.scope.group?.candidates ?? []).map(checkbox)}
</fieldset>
${inputField({ id: 'route-note', name: 'note', label: 'Where you found them (not the data)' })}`,
  )}`;
}

/** Art. 12(5): warn, charge a fee, refuse; open when a fee is already charged. */
function unfounded(d: ActionsData, f: ActionFormOf): Html {
  const q = d.request;
  const org = d.index?.organization(q.org_id);
  const reason = (id: string) =>
    textareaField({ id, name: 'reason', label: 'Reason (told to the customer)', rows: 2 });
  const warn = f(
    'warn',
    'Warn before refusal or fee',
    html`${selectField({ id: 'warn-ground', name: 'ground', label: 'Ground (Art. 12(5))', options: grounds })}${reason('warn-reason')}`,
  );
  const fee =
    ['verified', 'in-progress', 'extended'].includes(q.state) && !d.fee
      ? f(
          'fee',
          'Charge fee',
          html`${selectField({ id: 'fee-ground', name: 'ground', label: 'Ground (Art. 12(5); after the warning)', options: grounds })}
${inputField({ id: 'fee-amount', name: 'amount', label: 'Amount', attrs: { inputmode: 'decimal', placeholder: '150.00' } })}
${inputField({ id: 'fee-currency', name: 'currency', label: 'Currency', value: defaultCurrency(org?.country), attrs: { maxlength: '3' } })}
${textareaField({ id: 'fee-reason', name: 'reason', label: 'Reason and how the fee was set (told to the customer)', rows: 2 })}`,
        )
      : '';
  const refuse = f(
    'refuse',
    'Refuse',
    html`${selectField({ id: 'ground', label: 'Ground (Art. 12(5))', options: grounds })}${reason('refuse-reason')}
${inputField({ id: 'refusedParts', label: 'Partial: what is refused (leave empty to refuse all)' })}`,
    true,
  );
  return html`<details${d.fee ? html` open` : ''}><summary>Manifestly unfounded or excessive (Art. 12(5)): warn, charge a fee, refuse</summary>
${warn}
${fee}
${refuse}
</details>`;
}

/** The forms of an open request, in the order an agent meets them. */
function openActions(d: ActionsData, f: ActionFormOf): Html {
  const q = d.request;
  const group = q.scope.group;
  const undecidedObjection = q.type === 'objection' && !q.decision;
  const extend = html`${inputField({ id: 'reason', label: 'Reason for the extension (told to the customer)' })}
${inputField({ id: 'dueDate', label: `New due date (latest ${q.max_due_date})`, type: 'date', value: q.max_due_date })}`;
  const objection = html`${selectField({
    id: 'upheld',
    label: 'Decision',
    options: [
      { value: 'true', label: 'Uphold: stop the processing' },
      { value: 'false', label: 'Reject: compelling legitimate grounds' },
    ],
  })}${textareaField({ id: 'balancingNote', label: 'Balancing note', rows: 3 })}`;
  const fees = html`${f(
    'fee-paid',
    'Mark fee paid',
    inputField({ id: 'paid-note', name: 'note', label: 'Payment note (e.g. payment reference)' }),
  )}${f('fee-waive', 'Waive fee', inputField({ id: 'waive-reason', name: 'reason', label: 'Why the fee is waived' }))}`;
  const idCheck = inputField({ id: 'note', label: 'ID seen (what, not a copy)' });
  const outcome = textareaField({ id: 'outcome', label: 'What we did (told to the customer)', rows: 2 });
  return html`${q.state === 'received' ? f('verify-manual', 'Record ID check', idCheck) : ''}
${f('assign', 'Assign', inputField({ id: 'assignee', label: 'Assignee (e-mail)', value: q.assignee ?? '' }))}
${q.state === 'verified' && !group ? f('start', 'Start work') : ''}
${group && q.state !== 'received' ? groupRouting(q, d.index, f) : ''}
${!q.extension_reason ? f('extend', 'Extend', extend) : ''}
${undecidedObjection ? f('objection', 'Decide objection', objection) : ''}
${q.state !== 'received' && !group && !undecidedObjection ? f('complete', 'Complete', outcome) : ''}
${q.state === 'awaiting-payment' ? fees : ''}
${unfounded(d, f)}`;
}

export function actionsCard(d: ActionsData): Html {
  const q = d.request;
  const f = d.form;
  const body = !d.mayWrite
    ? html`<p class="muted" id="read-only">You may read this request. Acting on it needs requests:write in ${d.companies.join(', ')}.</p>`
    : isOpen(q.state)
      ? openActions(d, f)
      : html`<p class="muted">Closed ${q.closed_at ? dayUtc(q.closed_at) : ''}.</p>`;
  const note = d.mayWrite
    ? f(
        'note',
        'Add internal note',
        textareaField({ id: 'note-text', name: 'note', label: 'Internal note', rows: 2 }),
      )
    : '';
  return card(html`${body}\n${note}`, { class: 'actions', title: 'Actions' });
}
