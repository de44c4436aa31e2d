/**
 * The console's legal holds: every hold the viewer may see (standing ones whose review day has come or
 * comes within a week highlighted), a form to place one and, on each standing hold, a form to lift it.
 * A data subject is never shown: only which kinds of identity name them.
 */
import type { IsoDate } from '../../../core/deadlines/iso-date.ts';
import { describeScope, HOLD_REASON_KINDS, type HoldReview, reviewState } from '../../../core/holds/hold.ts';
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
import { holdWords } from './words.ts';

export type HoldsPageData = {
  today: IsoDate;
  holds: Hold[];
  orgIds: readonly string[];
  legalRules: readonly string[];
  systems: readonly string[];
  /** The companies where the viewer may place and lift holds. */
  mayWrite: readonly string[];
};

function reviewPill(state: HoldReview): Html {
  return pill(holdWords().review_[state], state === 'later' || state === 'lifted' ? undefined : 'warn');
}

function liftForm(h: Hold): Html {
  const w = holdWords();
  return postForm({
    action: `/console/holds/${h.id}/lift`,
    fields: html`${inputField({ id: `lift-${h.id}`, name: 'reason', label: w.whyItEnds, required: true })}`,
    submit: w.lift,
    danger: true,
  });
}

function holdRow(h: Hold, d: HoldsPageData): Html {
  const w = holdWords();
  const state = reviewState(h, d.today);
  const due = state === 'overdue' || state === 'due-today' || state === 'due-soon';
  const scope =
    h.scope.kind === 'subject'
      ? `${describeScope(h.scope)} ${w.identifiedBy((h.scope.identifiedBy ?? []).join(w.and))}`
      : describeScope(h.scope);
  const action =
    !h.liftedAt && h.companies.every((o) => d.mayWrite.includes(o))
      ? liftForm(h)
      : h.liftedAt
        ? html`${utcTime(h.liftedAt)} ${w.by(h.liftedBy ?? '')}: ${h.liftReason ?? ''}`
        : '';
  return html`<tr id="hold-${h.id}"${due ? html` class="due"` : ''}><td>${h.orgId}${
    h.companies.length > 1
      ? html`<div class="muted">${w.keepsRowsOf(h.companies.slice(1).join(', '))}</div>`
      : ''
  }</td><td>${w.reasons[h.reasonKind]}${
    h.ruleId ? html` (${h.ruleId})` : ''
  }<div class="muted">${h.reason}</div></td><td>${scope}</td><td>${String(h.rowsHeld)}</td><td>${h.reviewOn} ${reviewPill(
    state,
  )}</td><td>${utcTime(h.placedAt)} ${w.by(h.placedBy)}</td><td>${action}</td></tr>`;
}

function placeForm(d: HoldsPageData): Html {
  const w = holdWords();
  return postForm({
    action: '/console/holds',
    fields: html`<div class="grid">
<div>${selectField({ id: 'hold-org', name: 'orgId', label: w.controller, options: plainOptions(d.mayWrite), required: true })}</div>
<div>${selectField({
      id: 'hold-reason-kind',
      name: 'reasonKind',
      label: w.reason,
      options: HOLD_REASON_KINDS.map((k) => ({ value: k, label: w.reasons[k] })),
      required: true,
    })}</div>
<div>${selectField({ id: 'hold-rule', name: 'ruleId', label: w.legalRule, options: [{ value: '', label: '—' }, ...plainOptions(d.legalRules)] })}</div>
<div>${selectField({
      id: 'hold-scope',
      name: 'scopeKind',
      label: w.scope,
      options: [
        { value: 'subject', label: w.scopeSubject },
        { value: 'system', label: w.scopeSystem },
        { value: 'collection', label: w.scopeCollection },
      ],
      required: true,
    })}</div>
<div>${inputField({ id: 'hold-email', name: 'email', label: w.subjectEmail, type: 'email' })}</div>
<div>${inputField({ id: 'hold-customer', name: 'customerNumber', label: w.subjectCustomer })}</div>
<div>${selectField({ id: 'hold-system', name: 'system', label: w.system, options: [{ value: '', label: '—' }, ...plainOptions(d.systems)] })}</div>
<div>${inputField({ id: 'hold-dataset', name: 'dataset', label: w.dataset })}</div>
<div>${inputField({ id: 'hold-collection', name: 'collection', label: w.collection })}</div>
<div>${inputField({ id: 'hold-review', name: 'reviewOn', label: w.reviewOn, type: 'date', required: true })}</div>
</div>
${textareaField({ id: 'hold-reason', name: 'reason', label: w.decision })}`,
    submit: w.placeHold,
  });
}

export function holdsPage(d: HoldsPageData): Html {
  const standing = d.holds.filter((h) => !h.liftedAt);
  const due = standing.filter((h) => reviewState(h, d.today) !== 'later');
  const w = holdWords();
  const body = html`<h1>${w.title}</h1>
<p>${w.intro} <a href="/console/retention">${w.retentionRun}</a> ${w.introEnd}</p>
${due.length ? html`<p id="holds-due" role="status">${pill(w.dueForReview(due.length), 'warn')}</p>` : ''}
${card(
  dataTable({
    id: 'holds',
    head: [w.company, w.reason, w.scope, w.rows, w.review, w.placed, ''],
    rows: d.holds.map((h) => holdRow(h, d)),
    empty: w.noHolds,
  }),
  { title: w.holdsStanding(standing.length), tag: 'section' },
)}
${d.mayWrite.length ? card(placeForm(d), { title: w.placeTitle, tag: 'section', id: 'place-hold' }) : ''}`;
  return consoleShell(w.title, 'holds', body);
}
