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
import { analyticsWords } from './words.ts';

export type AnalyticsPageData = {
  exports: AnalyticsExport[];
  definitions: { purposeId: string; exportId: string; title: string; kind: string; k: number }[];
  fileUrl: (id: string) => string;
};

function guaranteeText(e: AnalyticsExport): Html {
  const w = analyticsWords();
  const g = e.guarantee;
  const out = g.subjects;
  const left = w.leftOut(out.restricted, out.objected, out.noConsent);
  if (g.kind === 'rows')
    return html`${w.rows(g.pseudonym?.series.slice(0, 8) ?? '', g.timePrecision)}<div class="muted">${left}</div>`;
  return html`${w.underK(g.k, g.suppressed.primary, g.suppressed.complementary)}${
    g.noise ? w.noise(g.noise.mechanism, g.noise.epsilon, g.noise.spent, g.noise.budget) : ''
  }<div class="muted">${left}</div>`;
}

export function analyticsExportsPage(d: AnalyticsPageData): Html {
  const w = analyticsWords();
  const body = html`<h1>${w.title}</h1>
<p>${w.intro(html`<code>ombud analytics export</code>`)}</p>
${card(
  dataTable({
    id: 'analytics-definitions',
    head: w.definitionsHead,
    rows: d.definitions.map(
      (x) =>
        html`<tr><td>${x.purposeId}</td><td>${x.title}<div class="muted">${x.exportId}</div></td><td>${w.kind[x.kind] ?? x.kind}</td><td>${String(x.k)}</td></tr>`,
    ),
    empty: w.noDefinitions,
  }),
  { title: w.definitionsTitle, tag: 'section' },
)}
${card(
  dataTable({
    id: 'analytics-exports',
    head: w.exportsHead,
    rows: d.exports.map(
      (e) =>
        html`<tr id="export-${e.id}"><td>${utcTime(e.createdAt)}<div class="muted">${e.createdBy}</div></td><td>${e.orgId}</td><td>${e.purposeId}<div class="muted">${e.exportId}</div></td><td>${String(e.guarantee.records)}</td><td>${guaranteeText(e)}</td><td><a href="${d.fileUrl(e.id)}">${e.format.toUpperCase()}</a></td></tr>`,
    ),
    empty: w.noExports,
  }),
  { title: w.exportsTitle(d.exports.length), tag: 'section' },
)}`;
  return consoleShell(w.title, 'analytics', body);
}
