/**
 * The open fulfilment tasks of the caller's companies (manual systems and awaited service answers), grouped
 * by system: filters by system, company and age, and per system one form around its table whose ticked
 * tasks are answered with one note ("Done for these 11"): untick all but one to answer it alone. A page
 * shows BOARD_LIMIT tasks; the next page starts after the last one (keyset).
 */
import { type Html, html } from '../../../core/html.ts';
import type { TaskBoard, TaskFilter } from '../../../services/fulfilment/taskBoard.ts';
import { BOARD_LIMIT } from '../../../services/fulfilment/taskBoard.ts';
import { card } from '../../components/card.ts';
import { consoleShell } from '../../components/consoleShell.ts';
import { type Option, selectField } from '../../components/selectField.ts';
import { boardTable } from './taskTable.ts';
import { fulfilmentWords } from './words.ts';

export type TasksPageData = {
  board: TaskBoard;
  filter: TaskFilter;
  companyName: (id: string) => string;
  /** Is this page after the first? */
  paged?: boolean;
  error?: Html;
};

export const AGE_CHOICES = ['1', '3', '7', '14', '30'] as const;

function filterForm(d: TasksPageData): Html {
  const w = fulfilmentWords();
  const any: Option = { value: '', label: w.all };
  const f = d.filter;
  const field = (id: string, label: string, list: Option[], selected?: string) =>
    html`<div>${selectField({ id: `f-${id}`, name: id, label, options: [any, ...list], selected })}</div>`;
  return html`<form class="card filters" method="get" action="/console/fulfilment/tasks">
${field(
  'system',
  w.system,
  d.board.systems.map((s) => ({ value: s, label: s })),
  f.system,
)}
${field(
  'company',
  w.company,
  d.board.companies.map((c) => ({ value: c, label: d.companyName(c) })),
  f.company,
)}
${field(
  'age',
  w.openFor,
  AGE_CHOICES.map((a) => ({ value: a, label: w.days(a) })),
  f.olderThanDays?.toString(),
)}
<div><button type="submit">${w.filter}</button></div>
</form>`;
}

function systemCard(
  system: string,
  tasks: TasksPageData['board']['bySystem'][number]['tasks'],
  d: TasksPageData,
): Html {
  const w = fulfilmentWords();
  const formId = `bulk-${system}`;
  const answerable = tasks.filter((t) => t.mayAnswer).length;
  const table = boardTable(tasks, d.companyName);
  const body = answerable
    ? html`<form id="${formId}" class="bulk" method="post" action="/console/fulfilment/tasks/bulk">${table}
<label for="${formId}-note">${w.bulkNote(system)}</label><textarea id="${formId}-note" name="note" required maxlength="2000" rows="2"></textarea>
<label><input type="radio" name="status" value="done" checked> ${w.done}</label> <label><input type="radio" name="status" value="not_found"> ${w.notHeld}</label>
<p><button type="submit">${w.doneFor(answerable)}</button></p></form>`
    : table;
  const all = d.board.openBySystem[system] ?? tasks.length;
  return card(body, {
    // A system cut by the page says how many it has in all (the filters or the next page go on).
    title: all > tasks.length ? w.shownOf(system, tasks.length, all) : w.open(system, tasks.length),
    tag: 'section',
    class: 'system-tasks',
  });
}

/** Links to the first and the next page, keeping the filters. */
function pager(d: TasksPageData): Html {
  const w = fulfilmentWords();
  if (!d.board.next && !d.paged) return html``;
  const f = d.filter;
  const base: [string, string][] = [];
  if (f.system) base.push(['system', f.system]);
  if (f.company) base.push(['company', f.company]);
  if (f.olderThanDays !== undefined) base.push(['age', String(f.olderThanDays)]);
  const url = (after?: string) =>
    `/console/fulfilment/tasks?${new URLSearchParams([...base, ...(after ? [['after', after] as [string, string]] : [])])}`;
  return html`<nav class="pager" aria-label="Pages">${d.paged ? html`<a href="${url()}" id="first-page">${w.firstPage}</a> ` : ''}${
    d.board.next ? html`<a href="${url(d.board.next)}" id="next-page" rel="next">${w.nextPage}</a>` : ''
  }</nav>`;
}

export function tasksPage(d: TasksPageData): Html {
  const w = fulfilmentWords();
  const b = d.board;
  const more = b.next || d.paged ? html`<p class="muted">${w.firstShown(BOARD_LIMIT)}</p>` : '';
  const body = html`<h1>${w.tasksTitle}</h1>
<p>${w.tasksIntro}</p>
${d.error ?? ''}
${filterForm(d)}
${more}
${b.bySystem.length === 0 ? card(html`<p>${w.noTasks}</p>`, { tag: 'section' }) : b.bySystem.map((g) => systemCard(g.system, g.tasks, d))}
${pager(d)}`;
  return consoleShell(w.tasksTitle, 'requests', body);
}
