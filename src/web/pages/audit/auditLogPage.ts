/** The console's audit log: the search form, the CSV export of the same search, and the entries found. */
import { type Html, html } from '../../../core/html.ts';
import type { searchAuditAs } from '../../../services/audit/auditSearch.ts';
import { dataTable } from '../../components/dataTable.ts';
import { textField } from '../../components/textField.ts';
import { consoleShell } from '../../components/consoleShell.ts';
import { utcTime } from '../../components/utcTime.ts';

type Found = Awaited<ReturnType<typeof searchAuditAs>>;
export type AuditSearchForm = { action?: string; actor?: string; org?: string; target?: string };

function searchForm(q: AuditSearchForm, scope: Found['scope'], csv: URLSearchParams): Html {
  return html`<form class="card" method="get" action="/console/audit" role="search"><div class="grid">
${textField('action', 'Action (prefix)', { value: q.action ?? '', placeholder: 'apikey.' })}${textField('actor', 'Actor', { value: q.actor ?? '', placeholder: 'user:…' })}${textField('org', 'Organization', { value: q.org ?? '', placeholder: scope === 'all' ? 'any' : scope.join(', ') })}${textField('target', 'Target', { value: q.target ?? '', placeholder: 'user:…' })}
</div><p><button type="submit">Search</button> <a class="button secondary" href="/api/v1/audit?${csv.toString()}" download>Export CSV</a> <a href="/api/v1/audit/verify">Verify chain</a></p></form>`;
}

export function auditLogPage(q: AuditSearchForm & Record<string, unknown>, found: Found): Html {
  const { rows, scope } = found;
  const csv = new URLSearchParams(
    Object.entries({ ...q, format: 'csv' }).filter(([, v]) => v !== undefined && v !== '') as [
      string,
      string,
    ][],
  );
  const entries = dataTable({
    head: ['#', 'When (UTC)', 'Actor', 'Organization', 'Action', 'Target', 'Hash'],
    rows: rows.map(
      (r) =>
        html`<tr><td>${r.seq}</td><td>${utcTime(r.at, { seconds: true })}</td><td>${r.actor}</td><td>${r.org_id ?? ''}</td><td>${r.action}</td><td>${r.target ?? ''}</td><td><code>${r.hash.slice(0, 12)}</code></td></tr>`,
    ),
  });
  const body = html`<h1>Audit log</h1>
${searchForm(q, scope, csv)}
<div class="card"><p class="muted">${rows.length} entries${scope === 'all' ? '' : html` in ${scope.join(', ')}`}, newest first.</p>${entries}</div>`;
  return consoleShell('Audit log', 'audit', body);
}
