/**
 * A request's tasks in systems and at recipients, with the tick-off form where the caller may answer; and
 * the work list's table of one system's tasks (R- reference, company, type, masked e-mail, age), each
 * ticked for the system's bulk form ("done for these N") or ticked off alone.
 */
import { type Html, html } from '../../../core/html.ts';
import type { BoardTask } from '../../../services/fulfilment/taskBoard.ts';
import type { TaskRow } from '../../../services/fulfilment/recipients.ts';
import { dataTable } from '../../components/dataTable.ts';

export type TaskView = TaskRow & { mayAnswer: boolean };

const open = (t: TaskView) => t.status === 'open' || t.status === 'sent' || t.status === 'unanswered';

function tickForm(t: TaskView): Html {
  const id = `note-${t.request_id}-${t.system_id}`;
  return html`<form method="post" action="/console/fulfilment/${t.request_id}/tasks/${t.system_id}"><label for="${id}">Note</label><textarea id="${id}" name="note" required maxlength="2000" rows="2"></textarea>
<label><input type="radio" name="status" value="done" checked> Done</label> <label><input type="radio" name="status" value="not_found"> Not held there</label>
<p><button type="submit">Tick off</button></p></form>`;
}

function taskRow(t: TaskView): Html {
  const answer = t.answer
    ? ` (${t.answer.status}${t.answer.records !== undefined ? `, ${t.answer.records} records` : ''})`
    : '';
  return html`<tr><td><a href="/console/fulfilment/${t.request_id}">${t.request_id}</a></td><td>${t.action}</td><td>${t.system_id}</td><td>${t.via === 'http' ? 'HTTP connector' : t.via === 'saas' ? 'SaaS connector' : 'manual'}</td>
<td>${t.status}${answer}${t.error ? html`<div>${t.error}</div>` : ''}</td>
<td>${t.note ?? ''}${t.done_by ? html`<div><small>${t.done_by}</small></div>` : ''}</td>
<td>${t.mayAnswer && open(t) ? tickForm(t) : ''}</td></tr>`;
}

export function taskTable(tasks: TaskView[]): Html {
  return dataTable({
    head: ['Request', 'Action', 'System', 'Via', 'Status', 'Note', ''],
    rows: tasks.map(taskRow),
  });
}

const via = (t: TaskRow) =>
  t.via === 'http' ? 'HTTP, callback awaited' : t.via === 'saas' ? 'SaaS connector' : 'manual';

/** A system's open tasks on the work list; `bulkForm` is the id of the system's bulk form. */
export function boardTable(
  tasks: readonly BoardTask[],
  bulkForm: string,
  companyName: (id: string) => string,
): Html {
  const row = (t: BoardTask) => {
    const box = t.mayAnswer
      ? html`<input type="checkbox" form="${bulkForm}" name="task" value="${t.request_id}/${t.system_id}" checked aria-label="Include ${t.reference}">`
      : '';
    return html`<tr data-task="${t.request_id}/${t.system_id}"><td>${box}</td>
<td class="nowrap"><a href="/console/requests/${t.request_id}">${t.reference}</a><br><small><a href="/console/fulfilment/${t.request_id}">run</a></small></td>
<td>${companyName(t.org_id)}</td><td>${t.type}</td><td class="masked">${t.maskedEmail || html`<span class="muted">removed</span>`}</td>
<td>${t.action} · ${via(t)}<br><small>${t.status}</small></td><td class="age">${t.ageDays} d</td>
<td>${t.mayAnswer && open(t) ? tickForm(t) : ''}</td></tr>`;
  };
  return dataTable({
    head: ['', 'Request', 'Company', 'Type', 'E-mail', 'Action', 'Age', 'Alone'],
    rows: tasks.map(row),
  });
}
