/** One request in the console (/console/requests/:id): its facts, actions, group split, fulfilment, timeline. */
import type { RefNames } from '../../../services/audit/names.ts';
import { refLink } from '../../components/refLink.ts';
import { type Html, html } from '../../../core/html.ts';
import type { RegisterIndex } from '../../../core/register/register-index.ts';
import { t } from '../../../core/register/schema.ts';
import { consoleLanguage } from '../../i18n/catalogue.ts';
import { formatFee } from '../../../core/requests/fees.ts';
import type { FeeRow } from '../../../services/requests/chargeFee.ts';
import type { EventRow, RequestRow, SubmissionRow } from '../../../services/requests/store.ts';
import { card } from '../../components/card.ts';
import { keyValueTable } from '../../components/keyValueTable.ts';
import { minuteUtc } from '../../components/timestamp.ts';
import { actionFormsOf } from './actionForm.ts';
import { actionsCard } from './actionsCard.ts';
import { fulfilmentCard, type FulfilmentData } from './fulfilmentCard.ts';
import { type GroupChild, groupDecisionCard } from './groupDecisionCard.ts';
import { groupRoutingCard } from './groupRoutingCard.ts';
import { deskPage } from './shell.ts';
import { labelOf, requestWords } from './words.ts';

export type RequestDetailData = {
  /** The timeline's actors by name (services/audit/names.ts). */
  names?: RefNames;
  reference: string;
  request: RequestRow;
  submission: SubmissionRow;
  events: readonly EventRow[];
  /** The due-date status (listRequests' queueStatus). */
  status: string | undefined;
  fee: FeeRow | undefined;
  index?: RegisterIndex;
  /** May the viewer act on the request; else the companies where acting needs requests:write. */
  mayWrite: boolean;
  companies: readonly string[];
  /** The fulfilment of a company's request (none for a request to the whole group). */
  fulfilment?: Omit<FulfilmentData, 'id' | 'state' | 'form'>;
  /** A split group request's company requests, decided together. */
  children?: readonly GroupChild[];
  error?: Html;
};

function facts(d: RequestDetailData): Html {
  const w = requestWords();
  const q = d.request;
  const sub = d.submission;
  const org = d.index?.organization(q.org_id);
  const auth = d.index?.authorityOf(q.org_id);
  const fee = d.fee;
  const link = (id: string, text: string) => html`<a href="/console/requests/${id}">${text}</a>`;
  const linked = q.scope.linked ?? [];
  return keyValueTable([
    {
      label: w.company,
      value: q.scope.group
        ? html`${w.allCompaniesOfGroup} <small>${w.heldAt(org?.legalName ?? q.org_id)}</small>`
        : (org?.legalName ?? q.org_id),
    },
    !!q.scope.parent && {
      label: w.groupRequest,
      value: html`${w.partOf} <a href="/console/requests/${q.scope.parent}" id="group-request">${w.theWholeGroupRequest}</a>`,
    },
    { label: w.state, value: { id: 'state', content: labelOf(w.states, q.state) } },
    {
      label: w.dueDate,
      value: {
        id: 'due-date',
        class: `due-${d.status}`,
        content: html`${q.due_date} (${labelOf(w.statuses, d.status ?? 'closed')})${
          q.extension_reason
            ? html`<br><small>${w.extendedFrom(q.original_due_date)} ${q.extension_reason}</small>`
            : ''
        }`,
      },
    },
    { label: w.received, value: `${minuteUtc(q.received_at)} UTC (${sub.channel})` },
    { label: w.legalDeadline, value: `${q.legal_due_date} / ${q.max_due_date}` },
    {
      label: w.requester,
      value: sub.email
        ? `${sub.email}${sub.name ? ` (${sub.name})` : ''} · ${w.answersIn(sub.lang)}`
        : w.removedUnderRetention(sub.lang),
    },
    !!fee && {
      label: w.fee,
      value: {
        id: 'fee',
        content: html`${formatFee(fee.amount_minor, fee.currency)} · ${fee.status} · ${fee.ground}${
          fee.paused_days ? ` · ${w.clockPaused(fee.paused_days)}` : ''
        }<br><small>${fee.reason}</small>`,
      },
    },
    { label: w.verification, value: q.verification_method ?? w.notVerified },
    { label: w.assignee, value: q.assignee ?? '—' },
    !!q.purpose_id && { label: w.purpose, value: q.purpose_id },
    !!q.scope.jointHandledBy && {
      label: w.jointPurposes,
      value: html`${w.handledIn} ${link(q.scope.jointHandledBy, w.contactPointRequest)}`,
    },
    linked.length > 0 && {
      label: w.linkedRequests,
      value: linked.map((l) => html`${link(l, l.slice(0, 8))} `),
    },
    { label: w.complaintsGoTo, value: auth ? t(auth.name, consoleLanguage()) : '' },
    !!q.details && { label: w.details, value: q.details },
  ]);
}

function timelineCard(events: readonly EventRow[], names?: RefNames): Html {
  const item = (e: EventRow) =>
    html`<li><strong>${labelOf(requestWords().events, e.kind)}</strong> · ${minuteUtc(e.at)} · ${refLink(e.actor, names)}${e.note ? html`<br>${e.note}` : ''}</li>`;
  return card(html`<ol class="timeline">${events.map(item)}</ol>`, { title: requestWords().timeline });
}

export function requestDetailPage(d: RequestDetailData): Html {
  const q = d.request;
  const form = actionFormsOf(q.id);
  const actions = actionsCard({
    request: q,
    fee: d.fee,
    index: d.index,
    mayWrite: d.mayWrite,
    companies: d.companies,
    form,
  });
  const fulfilment = d.fulfilment
    ? fulfilmentCard({ id: q.id, state: q.state, ...d.fulfilment, form: d.mayWrite ? form : undefined })
    : '';
  const w = requestWords();
  return deskPage(
    d.reference,
    html`<p><a href="/console/requests">${w.backToRequests}</a></p>
<h1>${d.reference} · ${labelOf(w.types, q.type)}</h1>${d.error ?? ''}
<div class="grid">${card(facts(d))}
${actions}</div>
${q.scope.group ? groupRoutingCard(q, d.index) : ''}
${d.children?.length ? groupDecisionCard({ children: d.children, index: d.index, form, mayWrite: d.mayWrite }) : ''}
${fulfilment}
${timelineCard(d.events, d.names)}`,
  );
}
