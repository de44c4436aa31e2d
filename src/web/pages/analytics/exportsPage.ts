/**
 * The console's analytics exports (P13, P23): the exports the register defines per purpose, and every export
 * run in the companies the viewer may see, with what each guaranteed (k, cells suppressed, subjects left out,
 * noise and budget, pseudonym series) and its file. No data subject is ever shown.
 */
import { type Html, html } from '../../../core/html.ts';
import type { AnalyticsExport } from '../../../services/analytics/store.ts';
import { card } from '../../components/card.ts';
import { consoleShell } from '../../components/consoleShell.ts';
import { dataTable } from '../../components/dataTable.ts';
import { utcTime } from '../../components/utcTime.ts';

export type AnalyticsPageData = {
  exports: AnalyticsExport[];
  definitions: { purposeId: string; exportId: string; title: string; kind: string; k: number }[];
  fileUrl: (id: string) => string;
};

function guaranteeText(e: AnalyticsExport): Html {
  const g = e.guarantee;
  const out = g.subjects;
  const left = `left out: ${out.restricted} restricted, ${out.objected} objecting, ${out.noConsent} without consent`;
  if (g.kind === 'rows')
    return html`pseudonymised rows (series ${g.pseudonym?.series.slice(0, 8) ?? ''}), times by ${g.timePrecision}<div class="muted">${left}</div>`;
  return html`k = ${String(g.k)}: ${String(g.suppressed.primary)} under k, ${String(g.suppressed.complementary)} hidden with them${
    g.noise
      ? html`; ${g.noise.mechanism} noise ε ${String(g.noise.epsilon)} (budget ${String(g.noise.spent)} of ${String(g.noise.budget)} spent)`
      : ''
  }<div class="muted">${left}</div>`;
}

export function analyticsExportsPage(d: AnalyticsPageData): Html {
  const body = html`<h1>Analytics</h1>
<p>Customer insight, trends and statistics without identities: each purpose's exports are defined in the register. An aggregate hides every cell behind fewer than k customers, and enough other cells that none can be worked out from the totals; pseudonymised rows carry a keyed pseudonym per series and never a name, an address, a customer number, free text or an exact time. Customers who objected or are restricted are left out, and behaviour in the group's channels only counts with the cookie and the communication consent. Run an export with <code>ombud analytics export</code> or the API.</p>
${card(
  dataTable({
    id: 'analytics-definitions',
    head: ['Purpose', 'Export', 'Kind', 'k'],
    rows: d.definitions.map(
      (x) =>
        html`<tr><td>${x.purposeId}</td><td>${x.title}<div class="muted">${x.exportId}</div></td><td>${x.kind}</td><td>${String(x.k)}</td></tr>`,
    ),
    empty: 'The register defines no analytics exports.',
  }),
  { title: 'Exports in the register', tag: 'section' },
)}
${card(
  dataTable({
    id: 'analytics-exports',
    head: ['Made', 'Company', 'Purpose / export', 'Records', 'Guarantee', 'File'],
    rows: d.exports.map(
      (e) =>
        html`<tr id="export-${e.id}"><td>${utcTime(e.createdAt)}<div class="muted">${e.createdBy}</div></td><td>${e.orgId}</td><td>${e.purposeId}<div class="muted">${e.exportId}</div></td><td>${String(e.guarantee.records)}</td><td>${guaranteeText(e)}</td><td><a href="${d.fileUrl(e.id)}">${e.format.toUpperCase()}</a></td></tr>`,
    ),
    empty: 'No exports yet.',
  }),
  { title: `Exports run (${d.exports.length})`, tag: 'section' },
)}`;
  return consoleShell('Analytics', 'analytics', body);
}
