/**
 * The console's legal holds: every hold the viewer may see (standing ones whose review day has come or
 * comes within a week highlighted), a form to place one and, on each standing hold, a form to lift it.
 * A data subject is never shown: only which kinds of identity name them.
 */
import type { IsoDate } from '../../../core/deadlines/iso-date.ts';
import {
  describeScope,
  HOLD_REASON_KINDS,
  HOLD_REASON_LABELS,
  type HoldReview,
  reviewState,
} from '../../../core/holds/hold.ts';
import { type Html, html } from '../../../core/html.ts';
import type { Hold } from '../../../services/holds/store.ts';
import { card } from '../../components/card.ts';
import { consoleShell } from '../../components/consoleShell.ts';
import { dataTable } from '../../components/dataTable.ts';
import { inputField } from '../../components/inputField.ts';
import { pill } from '../../components/pill.ts';
import { postForm } from '../../components/postForm.ts';
import { plainOptions, selectField } from '../../components/selectField.ts';
import { textareaField } from '../../components/textareaField.ts';
import { utcTime } from '../../components/utcTime.ts';

export type HoldsPageData = {
  today: IsoDate;
  holds: Hold[];
  orgIds: readonly string[];
  legalRules: readonly string[];
  systems: readonly string[];
  /** The companies where the viewer may place and lift holds. */
  mayWrite: readonly string[];
};

const REVIEW_LABEL: Record<HoldReview, string> = {
  lifted: 'lifted',
  overdue: 'review overdue',
  'due-today': 'review today',
  'due-soon': 'review soon',
  later: 'standing',
};

function reviewPill(state: HoldReview): Html {
  return pill(REVIEW_LABEL[state], state === 'later' || state === 'lifted' ? undefined : 'warn');
}

function liftForm(h: Hold): Html {
  return postForm({
    action: `/console/holds/${h.id}/lift`,
    fields: html`${inputField({ id: `lift-${h.id}`, name: 'reason', label: 'Why it ends', required: true })}`,
    submit: 'Lift',
    danger: true,
  });
}

function holdRow(h: Hold, d: HoldsPageData): Html {
  const state = reviewState(h, d.today);
  const due = state === 'overdue' || state === 'due-today' || state === 'due-soon';
  const scope =
    h.scope.kind === 'subject'
      ? `${describeScope(h.scope)} (by ${(h.scope.identifiedBy ?? []).join(' and ')})`
      : describeScope(h.scope);
  const action =
    !h.liftedAt && h.companies.every((o) => d.mayWrite.includes(o))
      ? liftForm(h)
      : h.liftedAt
        ? html`${utcTime(h.liftedAt)} by ${h.liftedBy}: ${h.liftReason ?? ''}`
        : '';
  return html`<tr id="hold-${h.id}"${due ? html` class="due"` : ''}><td>${h.orgId}${
    h.companies.length > 1
      ? html`<div class="muted">keeps rows of ${h.companies.slice(1).join(', ')} too</div>`
      : ''
  }</td><td>${HOLD_REASON_LABELS[h.reasonKind]}${
    h.ruleId ? html` (${h.ruleId})` : ''
  }<div class="muted">${h.reason}</div></td><td>${scope}</td><td>${String(h.rowsHeld)}</td><td>${h.reviewOn} ${reviewPill(
    state,
  )}</td><td>${utcTime(h.placedAt)} by ${h.placedBy}</td><td>${action}</td></tr>`;
}

function placeForm(d: HoldsPageData): Html {
  return postForm({
    action: '/console/holds',
    fields: html`<div class="grid">
<div>${selectField({ id: 'hold-org', name: 'orgId', label: 'Company (controller)', options: plainOptions(d.mayWrite), required: true })}</div>
<div>${selectField({
      id: 'hold-reason-kind',
      name: 'reasonKind',
      label: 'Reason',
      options: HOLD_REASON_KINDS.map((k) => ({ value: k, label: HOLD_REASON_LABELS[k] })),
      required: true,
    })}</div>
<div>${selectField({ id: 'hold-rule', name: 'ruleId', label: 'Legal rule (for a legal rule)', options: [{ value: '', label: '—' }, ...plainOptions(d.legalRules)] })}</div>
<div>${selectField({
      id: 'hold-scope',
      name: 'scopeKind',
      label: 'Scope',
      options: [
        { value: 'subject', label: 'A data subject, in every system' },
        { value: 'system', label: 'A system' },
        { value: 'collection', label: 'A collection of a dataset' },
      ],
      required: true,
    })}</div>
<div>${inputField({ id: 'hold-email', name: 'email', label: 'Subject: e-mail address', type: 'email' })}</div>
<div>${inputField({ id: 'hold-customer', name: 'customerNumber', label: 'Subject: customer number' })}</div>
<div>${selectField({ id: 'hold-system', name: 'system', label: 'System', options: [{ value: '', label: '—' }, ...plainOptions(d.systems)] })}</div>
<div>${inputField({ id: 'hold-dataset', name: 'dataset', label: 'Dataset (for a collection)' })}</div>
<div>${inputField({ id: 'hold-collection', name: 'collection', label: 'Collection' })}</div>
<div>${inputField({ id: 'hold-review', name: 'reviewOn', label: 'Review on', type: 'date', required: true })}</div>
</div>
${textareaField({ id: 'hold-reason', name: 'reason', label: 'The decision, dispute or rule (a case number, not a name)' })}`,
    submit: 'Place hold',
  });
}

export function holdsPage(d: HoldsPageData): Html {
  const standing = d.holds.filter((h) => !h.liftedAt);
  const due = standing.filter((h) => reviewState(h, d.today) !== 'later');
  const body = html`<h1>Legal holds</h1>
<p>Data is kept past its retention rules only where the law, an authority or a dispute requires it. A hold marks every row of its scope in the group's databases: the nightly <a href="/console/retention">retention run</a> and erasure requests leave those rows alone and name the hold in their results, until it is lifted. Each hold has a review day; holds due for review are highlighted and listed in the daily digest.</p>
${due.length ? html`<p id="holds-due" role="status">${pill(`${due.length} due for review`, 'warn')}</p>` : ''}
${card(
  dataTable({
    id: 'holds',
    head: ['Company', 'Reason', 'Scope', 'Rows', 'Review', 'Placed', ''],
    rows: d.holds.map((h) => holdRow(h, d)),
    empty: 'No legal holds.',
  }),
  { title: `Holds (${standing.length} standing)`, tag: 'section' },
)}
${d.mayWrite.length ? card(placeForm(d), { title: 'Place a hold', tag: 'section', id: 'place-hold' }) : ''}`;
  return consoleShell('Legal holds', 'holds', body);
}
