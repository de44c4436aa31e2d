/**
 * The console's audit log: the search form (an actor is found by name or e-mail through a POST and
 * kept as an id), keyset pages newest first, the CSV/JSON exports of the same search, the entries with
 * actors and targets named, and the chain check with its result.
 */
import { type Html, html } from '../../../core/html.ts';
import type { AuditRow } from '../../../services/audit/auditLog.ts';
import type { AuditPage } from '../../../services/audit/auditSearch.ts';
import type { ChainReport } from '../../../services/audit/checkChain.ts';
import type { ActorMatch } from '../../../services/audit/findActor.ts';
import type { RefNames } from '../../../services/audit/names.ts';
import { refLink } from '../../components/refLink.ts';
import { consoleShell } from '../../components/consoleShell.ts';
import { dataTable } from '../../components/dataTable.ts';
import { hiddenFields } from '../../components/postForm.ts';
import { textField } from '../../components/textField.ts';
import { utcTime } from '../../components/utcTime.ts';

export type AuditSearchForm = {
  action?: string;
  actor?: string;
  org?: string;
  target?: string;
  from?: string;
  to?: string;
  /** Entries a page, when not the console's default (kept in the pager's links). */
  limit?: string;
};
export type AuditPageExtras = {
  names: RefNames;
  /** The companies the reader may pick (id → name). */
  orgs: ReadonlyArray<{ id: string; name: string }>;
  chain?: ChainReport;
  /** The people or keys a name lookup found (more than one, or none). */
  matches?: { words: boolean; found: ActorMatch[] };
};

const FILTERS = ['action', 'actor', 'org', 'target', 'from', 'to'] as const;

export function filtersQuery(q: AuditSearchForm, extra: Record<string, string> = {}): string {
  const p = new URLSearchParams();
  for (const k of FILTERS) if (q[k]) p.set(k, q[k]!);
  if (q.limit) p.set('limit', q.limit);
  for (const [k, v] of Object.entries(extra)) p.set(k, v);
  return p.toString();
}

function searchForm(q: AuditSearchForm, x: AuditPageExtras): Html {
  const orgOptions = [{ id: '', name: 'Any company' }, ...x.orgs];
  const actorName = q.actor ? (x.names.get(q.actor)?.label ?? q.actor) : '';
  return html`<form class="card" method="get" action="/console/audit" role="search"><h2>Search</h2><div class="grid">
${textField('action', 'Action (prefix)', { value: q.action ?? '', placeholder: 'user.' })}${textField('target', 'Target', { value: q.target ?? '', placeholder: 'request:…' })}
<div><label for="org">Company</label><select id="org" name="org">${orgOptions.map((o) => html`<option value="${o.id}"${o.id === (q.org ?? '') ? html` selected` : ''}>${o.name}</option>`)}</select></div>
${textField('from', 'From (day, UTC)', { value: q.from ?? '', type: 'date' })}${textField('to', 'To (day, UTC)', { value: q.to ?? '', type: 'date' })}
</div>${q.actor ? html`<p>Actor: <strong>${actorName}</strong> <input type="hidden" name="actor" value="${q.actor}"> <a href="/console/audit?${filtersQuery({ ...q, actor: undefined })}">any actor</a></p>` : ''}
<p><button type="submit">Search</button></p></form>
<form class="card" method="post" action="/console/audit/actor"><h2>Find an actor</h2>${hiddenFields(Object.fromEntries(FILTERS.filter((k) => k !== 'actor' && q[k]).map((k) => [k, q[k]!])))}
<div class="grid">${textField('who', 'Name or e-mail address', { placeholder: 'Ada Auditor or ada@example.com', required: true })}</div>
<p><button type="submit" class="secondary">Find their entries</button></p></form>`;
}

function matchesCard(m: NonNullable<AuditPageExtras['matches']>, q: AuditSearchForm): Html {
  if (m.found.length === 0)
    return html`<div class="card" role="status"><p>No person or API key has that name or e-mail address.</p></div>`;
  return html`<div class="card" role="status"><p>${m.found.length} match; choose one:</p><ul>${m.found.map((f) => html`<li><a href="/console/audit?${filtersQuery({ ...q, actor: f.ref })}">${f.label}</a></li>`)}</ul></div>`;
}

function chainCard(c: ChainReport | undefined): Html {
  const check = html`<form method="post" action="/console/audit/verify" class="inline"><button type="submit" class="secondary">Verify chain</button></form>`;
  if (!c)
    return html`<div class="card"><h2>Chain</h2><p>Check that no entry was changed, removed or inserted since it was written.</p>${check}</div>`;
  const result = c.ok
    ? html`<p role="status"><strong>The chain verifies:</strong> ${c.count} entries checked, none changed.</p>`
    : html`<p class="error" role="alert"><strong>The chain does not verify${c.cannotVerify ? ' here' : ''}:</strong> entry ${c.seq}: ${c.problem}. ${c.count} entries checked before it.</p>`;
  const cp = c.checkpoint
    ? html`<p>Last signed checkpoint: entry ${c.checkpoint.seq} (${c.checkpoint.count} entries), signed ${utcTime(c.checkpoint.at, { seconds: true })} UTC with key <code>${c.checkpoint.kid}</code>.</p>`
    : html`<p>No signed checkpoint yet.</p>`;
  const prev = c.previous
    ? html`<p class="muted">The check before this one: ${utcTime(new Date(c.previous.at), { seconds: true })} UTC, ${c.previous.ok ? 'verified' : 'failed'} (${c.previous.count} entries).</p>`
    : '';
  return html`<div class="card" id="chain"><h2>Chain</h2>${result}${cp}${prev}${c.warnings.map((w) => html`<p class="muted">${w}</p>`)}${check}</div>`;
}

function pager(q: AuditSearchForm, found: AuditPage): Html {
  const newer =
    found.newer !== undefined
      ? html`<a class="button secondary" rel="prev" href="/console/audit?${filtersQuery(q, { after: String(found.newer) })}">← Newer</a>`
      : '';
  const older =
    found.older !== undefined
      ? html`<a class="button secondary" rel="next" href="/console/audit?${filtersQuery(q, { before: String(found.older) })}">Older →</a>`
      : '';
  const newest =
    found.newer !== undefined ? html`<a href="/console/audit?${filtersQuery(q)}">Newest</a>` : '';
  return html`<nav class="pager" aria-label="Pages">${newest} ${newer} ${older}</nav>`;
}

function entryRow(r: AuditRow, x: AuditPageExtras): Html {
  const org = r.org_id ? (x.orgs.find((o) => o.id === r.org_id)?.name ?? r.org_id) : '';
  return html`<tr><td>${r.seq}</td><td>${utcTime(r.at, { seconds: true })}</td><td>${refLink(r.actor, x.names)}</td><td>${org}</td><td>${r.action}</td><td>${refLink(r.target, x.names)}</td><td><code>${r.hash.slice(0, 12)}</code></td></tr>`;
}

export function auditLogPage(q: AuditSearchForm, found: AuditPage, x: AuditPageExtras): Html {
  const { rows, scope } = found;
  const entries = dataTable({
    head: ['#', 'When (UTC)', 'Actor', 'Company', 'Action', 'Target', 'Hash'],
    rows: rows.map((r) => entryRow(r, x)),
  });
  const span = rows.length ? html` (entries ${rows[rows.length - 1]!.seq}–${rows[0]!.seq})` : '';
  const body = html`<h1>Audit log</h1>
${chainCard(x.chain)}${x.matches ? matchesCard(x.matches, q) : ''}
${searchForm(q, x)}
<div class="card"><p class="muted">${rows.length} entries on this page${span}${scope === 'all' ? '' : html` in ${scope.join(', ')}`}, newest first.
<a class="button secondary" href="/console/audit/export?${filtersQuery(q, { format: 'csv' })}" download>Export CSV</a> <a class="button secondary" href="/console/audit/export?${filtersQuery(q, { format: 'json' })}" download>Export JSON</a></p>
${pager(q, found)}${entries}${pager(q, found)}</div>`;
  return consoleShell('Audit log', 'audit', body);
}
