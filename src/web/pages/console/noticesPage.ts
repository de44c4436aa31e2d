/** Every company's published notice versions, newest first, with what changed and whether it was material. */
import { type Html, html } from '../../../core/html.ts';
import type { NoticeVersion } from '../../../services/notice/publishNotice.ts';
import { dataTable } from '../../components/dataTable.ts';
import { pill } from '../../components/pill.ts';
import { consoleShell } from '../../components/consoleShell.ts';
import { consoleWords } from './words.ts';

export type CompanyNotices = { orgId: string; legalName: string; versions: NoticeVersion[] };

function versionRow(orgId: string, v: NoticeVersion): Html {
  const w = consoleWords();
  return html`<tr><td><a href="/privacy/${orgId}?version=${v.version}">v${v.version}</a></td><td>${v.effectiveDate}</td><td>${v.publishedAt.toISOString().slice(0, 10)}</td>
<td>${v.version === 1 ? w.firstVersion : v.material ? pill(w.material, 'warn') : w.minor}</td><td>${v.changes.length === 0 ? '' : html`<ul>${v.changes.map((c) => html`<li>${c.material ? html`<strong>${c.reason}</strong>` : c.reason}</li>`)}</ul>`}</td></tr>`;
}

function companyNotices(c: CompanyNotices): Html {
  const w = consoleWords();
  return html`<section class="card"><h2>${c.legalName}</h2>${
    c.versions.length === 0
      ? html`<p class="muted">${w.noNotice} <code>ombud notice publish --org ${c.orgId} --effective YYYY-MM-DD</code>.</p>`
      : dataTable({
          head: [w.version, w.effective, w.published, w.change, w.whatChanged],
          rows: [...c.versions].reverse().map((v) => versionRow(c.orgId, v)),
        })
  }</section>`;
}

export function noticesPage(companies: CompanyNotices[]): Html {
  const w = consoleWords();
  return consoleShell(
    w.notices,
    'notices',
    html`<h1>${w.publishedNotices}</h1>${companies.map(companyNotices)}`,
  );
}
