/** The console's request queue (/console/requests): filters, the queue by due date, the figures. */
import { type Html, html, raw } from '../../../core/html.ts';
import type { RegisterIndex } from '../../../core/register/register-index.ts';
import { REQUEST_STATES, REQUEST_TYPES } from '../../../core/requests/workflow.ts';
import type { deskStats, listRequests } from '../../../services/requests/listRequests.ts';
import { card } from '../../components/card.ts';
import { barChartSvg, gaugeSvg } from '../../charts.ts';
import { dataTable } from '../../components/dataTable.ts';
import { type Option, plainOptions, selectField } from '../../components/selectField.ts';
import { tableRow } from '../../components/tableRow.ts';
import { dayUtc } from '../../components/timestamp.ts';
import { deskPage } from './shell.ts';
import { STATUS_LABEL } from './styles.ts';

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
  if (!d.next && !d.paged) return html``;
  const base = Object.entries(d.filters).filter(([, v]) => v) as [string, string][];
  const url = (after?: string) =>
    `/console/requests?${new URLSearchParams([...base, ...(after ? [['after', after]] : [])] as [string, string][])}`;
  return html`<nav class="pager" aria-label="Pages">${d.paged ? html`<a href="${url()}" id="first-page">← First page</a> ` : ''}${
    d.next ? html`<a href="${url(d.next)}" id="next-page" rel="next">Next page →</a>` : ''
  }</nav>`;
}

const ALL: Option = { value: '', label: 'All' };

function filterForm(d: QueueData): Html {
  const f = d.filters;
  const companies = d.organizations.map((o) => ({ value: o.id, label: o.legalName }));
  const field = (id: string, label: string, list: Option[], selected?: string) =>
    html`<div>${selectField({ id: `f-${id}`, name: id, label, options: [ALL, ...list], selected })}</div>`;
  return html`<form class="card filters" method="get" action="/console/requests">
${field('company', 'Company', companies, f.company)}
${field('type', 'Type', plainOptions(REQUEST_TYPES), f.type)}
${field('state', 'State', plainOptions(REQUEST_STATES), f.state)}
<div><button type="submit">Filter</button></div>
</form>`;
}

function queueRow(x: QueueRow, ix: RegisterIndex | undefined): Html {
  const label = STATUS_LABEL[x.status];
  const company = html`${
    x.scope.group
      ? html`All companies <small class="muted">(group request)</small>`
      : (ix?.organization(x.org_id)?.legalName ?? x.org_id)
  }${x.scope.parent ? html`<br><small class="muted">from a group request</small>` : ''}`;
  return tableRow(
    [
      {
        class: `due-${x.status}`,
        title: label,
        content: html`${x.due_date}${x.extension_reason ? ' (extended)' : ''}<br><small>${label}</small>`,
      },
      { class: 'nowrap', content: html`<a href="/console/requests/${x.id}">${x.reference}</a>` },
      company,
      x.type,
      x.state,
      { class: 'hide-narrow nowrap', content: dayUtc(x.received_at) },
      { class: 'hide-narrow', content: x.assignee ?? '' },
    ],
    { data: { request: x.id } },
  );
}

function figures(stats: Stats): Html {
  const onTime = `${stats.closedOnTime} of ${stats.closed} closed`;
  return card(
    html`<div class="charts">
${raw(barChartSvg('Requests by type', stats.byType, REQUEST_TYPES))}
${raw(
  barChartSvg(
    'Requests by state',
    stats.byState,
    REQUEST_STATES.filter((x) => x !== 'split'),
  ),
)}
${raw(gaugeSvg('Answered on time', stats.onTimeRate, onTime))}
<div><div class="muted">Median days to close</div><div class="stat" id="median-days">${stats.medianDaysToClose ?? '—'}</div></div>
</div>
<p class="muted" id="group-requests">Each request is counted once. Group requests sent on to the companies: ${stats.groupRequests} (counted through the companies' requests).</p>`,
    { title: 'Figures' },
  );
}

export function queuePage(d: QueueData): Html {
  const queue = dataTable({
    id: 'queue',
    head: [
      'Due',
      'Reference',
      'Company',
      'Type',
      'State',
      { class: 'hide-narrow', content: 'Received' },
      { class: 'hide-narrow', content: 'Assignee' },
    ],
    rows: d.rows.map((x) => queueRow(x, d.index)),
    empty: 'No requests match.',
  });
  return deskPage(
    'Requests',
    html`<h1>Requests</h1>
<p>
<a class="button" href="/console/requests/new">New request (letter, call, visit)</a>
<a class="button secondary" href="/console/outbox">Outbox</a>
<a class="button secondary" href="/console/inbox">Inbox (demo)</a>
</p>
${filterForm(d)}
${card(html`${queue}${pager(d)}`, { class: 'table-scroll' })}
${figures(d.stats)}`,
  );
}
