/** The actions an agent may take on an open request, each a form (src/http/requestActions.ts reads them). */
import { type Html, html } from '../../../core/html.ts';
import type { RegisterIndex } from '../../../core/register/register-index.ts';
import { defaultCurrency } from '../../../core/requests/fees.ts';
import { isOpen, REFUSAL_GROUNDS } from '../../../core/requests/workflow.ts';
import type { FeeRow } from '../../../services/requests/chargeFee.ts';
import type { RequestRow } from '../../../services/requests/store.ts';
import { card } from '../../components/card.ts';
import { inputField } from '../../components/inputField.ts';
import { selectField } from '../../components/selectField.ts';
import { textareaField } from '../../components/textareaField.ts';
import { dayUtc } from '../../components/timestamp.ts';
import type { ActionFormOf } from './actionForm.ts';
import { labelOf, requestWords } from './words.ts';

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

/** The refusal grounds as options in the page's language (the values stay the keys). */
export const groundOptions = () => {
  const w = requestWords();
  return REFUSAL_GROUNDS.map((g) => ({ value: g, label: labelOf(w.grounds, g) }));
};

/** Routing a request to the whole group by hand: "we hold nothing", or send it to the companies found. */
function groupRouting(q: RequestRow, ix: RegisterIndex | undefined, f: ActionFormOf): Html {
  const w = requestWords();
  const checkbox = (c: string) =>
    html`<label><input type="checkbox" name="org-${c}" value="on"> ${ix?.organization(c)?.legalName ?? c}</label>`;
  return html`${f(
    'no-data',
    w.noDataButton,
    inputField({ id: 'no-data-note', name: 'note', label: w.noDataNote }),
  )}${f(
    'route',
    w.routeButton,
    html`<fieldset>
<legend>${w.routeLegend}</legend>${(q.scope.group?.candidates ?? []).map(checkbox)}
</fieldset>
${inputField({ id: 'route-note', name: 'note', label: w.routeNote })}`,
  )}`;
}

/** Art. 12(5): warn, charge a fee, refuse; open when a fee is already charged. */
function unfounded(d: ActionsData, f: ActionFormOf): Html {
  const w = requestWords();
  const grounds = groundOptions();
  const q = d.request;
  const org = d.index?.organization(q.org_id);
  const reason = (id: string) => textareaField({ id, name: 'reason', label: w.reasonToCustomer, rows: 2 });
  const warn = f(
    'warn',
    w.warnButton,
    html`${selectField({ id: 'warn-ground', name: 'ground', label: w.ground, options: grounds })}${reason('warn-reason')}`,
  );
  const fee =
    ['verified', 'in-progress', 'extended'].includes(q.state) && !d.fee
      ? f(
          'fee',
          w.feeButton,
          html`${selectField({ id: 'fee-ground', name: 'ground', label: w.feeGround, options: grounds })}
${inputField({ id: 'fee-amount', name: 'amount', label: w.amount, attrs: { inputmode: 'decimal', placeholder: '150.00' } })}
${inputField({ id: 'fee-currency', name: 'currency', label: w.currency, value: defaultCurrency(org?.country), attrs: { maxlength: '3' } })}
${textareaField({ id: 'fee-reason', name: 'reason', label: w.feeReason, rows: 2 })}`,
        )
      : '';
  const refuse = f(
    'refuse',
    w.refuseButton,
    html`${selectField({ id: 'ground', label: w.ground, options: grounds })}${reason('refuse-reason')}
${inputField({ id: 'refusedParts', label: w.refusedParts })}`,
    true,
  );
  return html`<details${d.fee ? html` open` : ''}><summary>${w.unfoundedSummary}</summary>
${warn}
${fee}
${refuse}
</details>`;
}

/** The forms of an open request, in the order an agent meets them. */
function openActions(d: ActionsData, f: ActionFormOf): Html {
  const w = requestWords();
  const q = d.request;
  const group = q.scope.group;
  const undecidedObjection = q.type === 'objection' && !q.decision;
  const extend = html`${inputField({ id: 'reason', label: w.extendReason })}
${inputField({ id: 'dueDate', label: w.newDueDate(q.max_due_date), type: 'date', value: q.max_due_date })}`;
  const objection = html`${selectField({
    id: 'upheld',
    label: w.decision,
    options: [
      { value: 'true', label: w.uphold },
      { value: 'false', label: w.reject },
    ],
  })}${textareaField({ id: 'balancingNote', label: w.balancingNote, rows: 3 })}`;
  const fees = html`${f(
    'fee-paid',
    w.feePaidButton,
    inputField({ id: 'paid-note', name: 'note', label: w.paymentNote }),
  )}${f('fee-waive', w.waiveButton, inputField({ id: 'waive-reason', name: 'reason', label: w.waiveReason }))}`;
  const idCheck = inputField({ id: 'note', label: w.idSeen });
  const outcome = textareaField({ id: 'outcome', label: w.outcome, rows: 2 });
  return html`${q.state === 'received' ? f('verify-manual', w.verifyButton, idCheck) : ''}
${f('assign', w.assignButton, inputField({ id: 'assignee', label: w.assigneeEmail, value: q.assignee ?? '' }))}
${q.state === 'verified' && !group ? f('start', w.startButton) : ''}
${group && q.state !== 'received' ? groupRouting(q, d.index, f) : ''}
${!q.extension_reason ? f('extend', w.extendButton, extend) : ''}
${undecidedObjection ? f('objection', w.objectionButton, objection) : ''}
${q.state !== 'received' && !group && !undecidedObjection ? f('complete', w.completeButton, outcome) : ''}
${q.state === 'awaiting-payment' ? fees : ''}
${unfounded(d, f)}`;
}

export function actionsCard(d: ActionsData): Html {
  const w = requestWords();
  const q = d.request;
  const f = d.form;
  const body = !d.mayWrite
    ? html`<p class="muted" id="read-only">${w.readOnly(d.companies.join(', '))}</p>`
    : isOpen(q.state)
      ? openActions(d, f)
      : html`<p class="muted">${w.closedOn(q.closed_at ? dayUtc(q.closed_at) : '')}</p>`;
  const note = d.mayWrite
    ? f(
        'note',
        w.noteButton,
        textareaField({ id: 'note-text', name: 'note', label: w.internalNote, rows: 2 }),
      )
    : '';
  return card(html`${body}\n${note}`, { class: 'actions', title: w.actions });
}
