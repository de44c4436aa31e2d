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
import { auditWords } from './words.ts';

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
  const w = auditWords();
  const orgOptions = [{ id: '', name: w.anyCompany }, ...x.orgs];
  const actorName = q.actor ? (x.names.get(q.actor)?.label ?? q.actor) : '';
  return html`<form class="card" method="get" action="/console/audit" role="search"><h2>${w.search}</h2><div class="grid">
${textField('action', w.actionPrefix, { value: q.action ?? '', placeholder: 'user.' })}${textField('target', w.target, { value: q.target ?? '', placeholder: 'request:…' })}
<div><label for="org">${w.company}</label><select id="org" name="org">${orgOptions.map((o) => html`<option value="${o.id}"${o.id === (q.org ?? '') ? html` selected` : ''}>${o.name}</option>`)}</select></div>
${textField('from', w.fromDay, { value: q.from ?? '', type: 'date' })}${textField('to', w.toDay, { value: q.to ?? '', type: 'date' })}
</div>${q.actor ? html`<p>${w.actor}: <strong>${actorName}</strong> <input type="hidden" name="actor" value="${q.actor}"> <a href="/console/audit?${filtersQuery({ ...q, actor: undefined })}">${w.anyActor}</a></p>` : ''}
<p><button type="submit">${w.search}</button></p></form>
<form class="card" method="post" action="/console/audit/actor"><h2>${w.findActor}</h2>${hiddenFields(Object.fromEntries(FILTERS.filter((k) => k !== 'actor' && q[k]).map((k) => [k, q[k]!])))}
<div class="grid">${textField('who', w.nameOrEmail, { placeholder: w.nameOrEmailExample, required: true })}</div>
<p><button type="submit" class="secondary">${w.findEntries}</button></p></form>`;
}

function matchesCard(m: NonNullable<AuditPageExtras['matches']>, q: AuditSearchForm): Html {
  const w = auditWords();
  if (m.found.length === 0) return html`<div class="card" role="status"><p>${w.noMatch}</p></div>`;
  return html`<div class="card" role="status"><p>${w.matches(m.found.length)}</p><ul>${m.found.map((f) => html`<li><a href="/console/audit?${filtersQuery({ ...q, actor: f.ref })}">${f.label}</a></li>`)}</ul></div>`;
}

function chainCard(c: ChainReport | undefined): Html {
  const w = auditWords();
  const check = html`<form method="post" action="/console/audit/verify" class="inline"><button type="submit" class="secondary">${w.verifyChain}</button></form>`;
  if (!c) return html`<div class="card"><h2>${w.chain}</h2><p>${w.chainIntro}</p>${check}</div>`;
  const result = c.ok
    ? html`<p role="status"><strong>${w.verifies}</strong> ${w.verifiesCount(c.count)}</p>`
    : html`<p class="error" role="alert"><strong>${w.notVerifies(!!c.cannotVerify)}</strong> ${w.entry} ${c.seq}: ${c.problem}. ${w.checkedBefore(c.count)}</p>`;
  const cp = c.checkpoint
    ? html`<p>${w.lastCheckpoint(c.checkpoint.seq, c.checkpoint.count)} ${utcTime(c.checkpoint.at, { seconds: true })} ${w.withKey} <code>${c.checkpoint.kid}</code>.</p>`
    : html`<p>${w.noCheckpoint}</p>`;
  const prev = c.previous
    ? html`<p class="muted">${w.previousCheck} ${utcTime(new Date(c.previous.at), { seconds: true })} UTC, ${w.previousResult(c.previous.ok, c.previous.count)}</p>`
    : '';
  return html`<div class="card" id="chain"><h2>${w.chain}</h2>${result}${cp}${prev}${c.warnings.map((w) => html`<p class="muted">${w}</p>`)}${check}</div>`;
}

function pager(q: AuditSearchForm, found: AuditPage): Html {
  const w = auditWords();
  const newer =
    found.newer !== undefined
      ? html`<a class="button secondary" rel="prev" href="/console/audit?${filtersQuery(q, { after: String(found.newer) })}">${w.newer}</a>`
      : '';
  const older =
    found.older !== undefined
      ? html`<a class="button secondary" rel="next" href="/console/audit?${filtersQuery(q, { before: String(found.older) })}">${w.older}</a>`
      : '';
  const newest =
    found.newer !== undefined ? html`<a href="/console/audit?${filtersQuery(q)}">${w.newest}</a>` : '';
  return html`<nav class="pager" aria-label="${w.pages}">${newest} ${newer} ${older}</nav>`;
}

function entryRow(r: AuditRow, x: AuditPageExtras): Html {
  const org = r.org_id ? (x.orgs.find((o) => o.id === r.org_id)?.name ?? r.org_id) : '';
  return html`<tr><td>${r.seq}</td><td>${utcTime(r.at, { seconds: true })}</td><td>${refLink(r.actor, x.names)}</td><td>${org}</td><td>${r.action}</td><td>${refLink(r.target, x.names)}</td><td><code>${r.hash.slice(0, 12)}</code></td></tr>`;
}

export function auditLogPage(q: AuditSearchForm, found: AuditPage, x: AuditPageExtras): Html {
  const { rows, scope } = found;
  const w = auditWords();
  const entries = dataTable({
    head: w.head,
    rows: rows.map((r) => entryRow(r, x)),
  });
  const span = rows.length ? w.span(rows[rows.length - 1]!.seq, rows[0]!.seq) : '';
  const body = html`<h1>${w.title}</h1>
${chainCard(x.chain)}${x.matches ? matchesCard(x.matches, q) : ''}
${searchForm(q, x)}
<div class="card"><p class="muted">${w.onPage(rows.length)}${span}${scope === 'all' ? '' : w.inScope(scope.join(', '))}${w.newestFirst}
<a class="button secondary" href="/console/audit/export?${filtersQuery(q, { format: 'csv' })}" download>${w.exportCsv}</a> <a class="button secondary" href="/console/audit/export?${filtersQuery(q, { format: 'json' })}" download>${w.exportJson}</a></p>
${pager(q, found)}${entries}${pager(q, found)}</div>`;
  return consoleShell(w.title, 'audit', body);
}
