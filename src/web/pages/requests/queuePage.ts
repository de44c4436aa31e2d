/** The console's request queue (/console/requests): filters, the queue by due date, the figures. */
import { type Html, html, raw } from '../../../core/html.ts';
import type { RegisterIndex } from '../../../core/register/register-index.ts';
import { REQUEST_STATES, REQUEST_TYPES } from '../../../core/requests/workflow.ts';
import type { deskStats, listRequests } from '../../../services/requests/listRequests.ts';
import { card } from '../../components/card.ts';
import { barChartSvg, gaugeSvg } from '../../charts.ts';
import { dataTable } from '../../components/dataTable.ts';
import { type Option, selectField } from '../../components/selectField.ts';
import { tableRow } from '../../components/tableRow.ts';
import { dayUtc } from '../../components/timestamp.ts';
import { deskPage } from './shell.ts';
import { labelOf, requestWords } from './words.ts';

type QueueRow = Awaited<ReturnType<typeof listRequests>>[number];
type Stats = Awaited<ReturnType<typeof deskStats>>;

export type QueueData = {
  filters: { company?: string; type?: string; state?: string };
  /** The companies the viewer may read requests of: the filter offers only these. */
  organizations: readonly { id: string; legalName: string }[];
  rows: readonly QueueRow[];
  stats: Stats;
  index?: RegisterIndex;
  /** The next page's cursor, when there are more requests. */
  next?: string;
  /** Is this page after the first? */
  paged?: boolean;
};

/** Links to the first and the next page, keeping the filters. */
function pager(d: QueueData): Html {
  const w = requestWords();
  if (!d.next && !d.paged) return html``;
  const base = Object.entries(d.filters).filter(([, v]) => v) as [string, string][];
  const url = (after?: string) =>
    `/console/requests?${new URLSearchParams([...base, ...(after ? [['after', after]] : [])] as [string, string][])}`;
  return html`<nav class="pager" aria-label="${w.pages}">${d.paged ? html`<a href="${url()}" id="first-page">${w.firstPage}</a> ` : ''}${
    d.next ? html`<a href="${url(d.next)}" id="next-page" rel="next">${w.nextPage}</a>` : ''
  }</nav>`;
}

/** The values as options labelled in the page's language. */
const labelled = (values: readonly string[], table: Record<string, string>): Option[] =>
  values.map((v) => ({ value: v, label: labelOf(table, v) }));

function filterForm(d: QueueData): Html {
  const w = requestWords();
  const ALL: Option = { value: '', label: w.all };
  const f = d.filters;
  const companies = d.organizations.map((o) => ({ value: o.id, label: o.legalName }));
  const field = (id: string, label: string, list: Option[], selected?: string) =>
    html`<div>${selectField({ id: `f-${id}`, name: id, label, options: [ALL, ...list], selected })}</div>`;
  return html`<form class="card filters" method="get" action="/console/requests">
${field('company', w.company, companies, f.company)}
${field('type', w.type, labelled(REQUEST_TYPES, w.types), f.type)}
${field('state', w.state, labelled(REQUEST_STATES, w.states), f.state)}
<div><button type="submit">${w.filter}</button></div>
</form>`;
}

function queueRow(x: QueueRow, ix: RegisterIndex | undefined): Html {
  const w = requestWords();
  const label = labelOf(w.statuses, x.status);
  const company = html`${
    x.scope.group
      ? html`${w.allCompanies} <small class="muted">${w.groupRequestShort}</small>`
      : (ix?.organization(x.org_id)?.legalName ?? x.org_id)
  }${x.scope.parent ? html`<br><small class="muted">${w.fromGroupRequest}</small>` : ''}`;
  return tableRow(
    [
      {
        class: `due-${x.status}`,
        title: label,
        content: html`${x.due_date}${x.extension_reason ? w.extendedMark : ''}<br><small>${label}</small>`,
      },
      { class: 'nowrap', content: html`<a href="/console/requests/${x.id}">${x.reference}</a>` },
      company,
      labelOf(w.types, x.type),
      labelOf(w.states, x.state),
      { class: 'hide-narrow nowrap', content: dayUtc(x.received_at) },
      { class: 'hide-narrow', content: x.assignee ?? '' },
    ],
    { data: { request: x.id } },
  );
}

/** Counts keyed by value, keyed by their words instead (the chart's bars are labelled by key). */
const relabel = (counts: Record<string, number>, table: Record<string, string>) =>
  Object.fromEntries(Object.entries(counts).map(([k, n]) => [labelOf(table, k), n]));

function figures(stats: Stats): Html {
  const w = requestWords();
  const onTime = w.closedOnTime(stats.closedOnTime, stats.closed);
  const states = REQUEST_STATES.filter((x) => x !== 'split');
  return card(
    html`<div class="charts">
${raw(
  barChartSvg(
    w.byType,
    relabel(stats.byType, w.types),
    REQUEST_TYPES.map((x) => labelOf(w.types, x)),
  ),
)}
${raw(
  barChartSvg(
    w.byState,
    relabel(stats.byState, w.states),
    states.map((x) => labelOf(w.states, x)),
  ),
)}
${raw(gaugeSvg(w.answeredOnTime, stats.onTimeRate, onTime))}
<div><div class="muted">${w.medianDays}</div><div class="stat" id="median-days">${stats.medianDaysToClose ?? '—'}</div></div>
</div>
<p class="muted" id="group-requests">${w.groupCounted(stats.groupRequests)}</p>`,
    { title: w.figures },
  );
}

export function queuePage(d: QueueData): Html {
  const w = requestWords();
  const queue = dataTable({
    id: 'queue',
    head: [
      w.due,
      w.reference,
      w.company,
      w.type,
      w.state,
      { class: 'hide-narrow', content: w.received },
      { class: 'hide-narrow', content: w.assignee },
    ],
    rows: d.rows.map((x) => queueRow(x, d.index)),
    empty: w.noRequests,
  });
  return deskPage(
    w.requests,
    html`<h1>${w.requests}</h1>
<p>
<a class="button" href="/console/requests/new">${w.newRequestButton}</a>
<a class="button secondary" href="/console/outbox">${w.outbox}</a>
<a class="button secondary" href="/console/inbox">${w.inboxDemo}</a>
</p>
${filterForm(d)}
${card(html`${queue}${pager(d)}`, { class: 'table-scroll' })}
${figures(d.stats)}`,
  );
}
