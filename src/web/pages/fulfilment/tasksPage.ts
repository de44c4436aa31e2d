/**
 * The open fulfilment tasks of the caller's companies (manual systems and awaited service answers), grouped
 * by system: filters by system, company and age, and per system one form that ticks off the chosen tasks
 * with one note ("Done for these 11"); a task can still be ticked off alone.
 */
import { type Html, html } from '../../../core/html.ts';
import type { TaskBoard, TaskFilter } from '../../../services/fulfilment/taskBoard.ts';
import { BOARD_LIMIT } from '../../../services/fulfilment/taskBoard.ts';
import { card } from '../../components/card.ts';
import { consoleShell } from '../../components/consoleShell.ts';
import { type Option, selectField } from '../../components/selectField.ts';
import { boardTable } from './taskTable.ts';

export type TasksPageData = {
  board: TaskBoard;
  filter: TaskFilter;
  companyName: (id: string) => string;
  error?: Html;
};

export const AGE_CHOICES = ['1', '3', '7', '14', '30'] as const;

function filterForm(d: TasksPageData): Html {
  const any: Option = { value: '', label: 'All' };
  const f = d.filter;
  const field = (id: string, label: string, list: Option[], selected?: string) =>
    html`<div>${selectField({ id: `f-${id}`, name: id, label, options: [any, ...list], selected })}</div>`;
  return html`<form class="card filters" method="get" action="/console/fulfilment/tasks">
${field(
  'system',
  'System',
  d.board.systems.map((s) => ({ value: s, label: s })),
  f.system,
)}
${field(
  'company',
  'Company',
  d.board.companies.map((c) => ({ value: c, label: d.companyName(c) })),
  f.company,
)}
${field(
  'age',
  'Open for at least',
  AGE_CHOICES.map((a) => ({ value: a, label: `${a} days` })),
  f.olderThanDays?.toString(),
)}
<div><button type="submit">Filter</button></div>
</form>`;
}

function systemCard(
  system: string,
  tasks: TasksPageData['board']['bySystem'][number]['tasks'],
  d: TasksPageData,
): Html {
  const formId = `bulk-${system}`;
  const answerable = tasks.filter((t) => t.mayAnswer).length;
  const bulk = answerable
    ? html`<form id="${formId}" class="bulk" method="post" action="/console/fulfilment/tasks/bulk">
<label for="${formId}-note">One note for the ticked tasks (what was done in ${system})</label><textarea id="${formId}-note" name="note" required maxlength="2000" rows="2"></textarea>
<label><input type="radio" name="status" value="done" checked> Done</label> <label><input type="radio" name="status" value="not_found"> Not held there</label>
<p><button type="submit">Done for these ${answerable}</button></p></form>`
    : '';
  return card(html`${boardTable(tasks, formId, d.companyName)}${bulk}`, {
    // A list cut at BOARD_LIMIT says how many the system has in all (the filters then narrow it).
    title:
      d.board.total >= BOARD_LIMIT
        ? `${system} · ${tasks.length} shown of ${d.board.openBySystem[system] ?? tasks.length} open`
        : `${system} · ${tasks.length} open`,
    tag: 'section',
    class: 'system-tasks',
  });
}

export function tasksPage(d: TasksPageData): Html {
  const b = d.board;
  const more =
    b.total >= BOARD_LIMIT
      ? html`<p class="muted">The first ${BOARD_LIMIT} are shown: narrow the filters.</p>`
      : '';
  const body = html`<h1>Fulfilment tasks</h1>
<p>Systems without an interface, and services whose answer is awaited: tick them off with a note once the request has been carried out there, a system's tasks at once or one by one. The request's fulfilment completes when every task is answered.</p>
${d.error ?? ''}
${filterForm(d)}
${more}
${b.bySystem.length === 0 ? card(html`<p>No open tasks.</p>`, { tag: 'section' }) : b.bySystem.map((g) => systemCard(g.system, g.tasks, d))}`;
  return consoleShell('Fulfilment tasks', 'requests', body);
}
