/**
 * A request's tasks in systems and at recipients, with the tick-off form where the caller may answer; and
 * the work list's table of one system's tasks (R- reference, company, type, masked e-mail, age), each with
 * a box of the system's form around it ("done for these N"; untick the others to answer one alone).
 */
import { type Html, html } from '../../../core/html.ts';
import type { BoardTask } from '../../../services/fulfilment/taskBoard.ts';
import type { TaskRow } from '../../../services/fulfilment/recipients.ts';
import { dataTable } from '../../components/dataTable.ts';
import { fulfilmentWords } from './words.ts';

export type TaskView = TaskRow & { mayAnswer: boolean };

const open = (t: TaskView) => t.status === 'open' || t.status === 'sent' || t.status === 'unanswered';

function tickForm(t: TaskView): Html {
  const w = fulfilmentWords();
  const id = `note-${t.request_id}-${t.system_id}`;
  return html`<form method="post" action="/console/fulfilment/${t.request_id}/tasks/${t.system_id}"><label for="${id}">${w.note}</label><textarea id="${id}" name="note" required maxlength="2000" rows="2"></textarea>
<label><input type="radio" name="status" value="done" checked> ${w.done}</label> <label><input type="radio" name="status" value="not_found"> ${w.notHeld}</label>
<p><button type="submit">${w.tickOff}</button></p></form>`;
}

function taskRow(t: TaskView): Html {
  const w = fulfilmentWords();
  const answer = t.answer
    ? ` (${t.answer.status}${t.answer.records !== undefined ? `, ${w.records(t.answer.records)}` : ''})`
    : '';
  return html`<tr><td><a href="/console/fulfilment/${t.request_id}">${t.request_id}</a></td><td>${t.action}</td><td>${t.system_id}</td><td>${t.via === 'http' ? w.httpConnector : t.via === 'saas' ? w.saas : w.manual}</td>
<td>${t.status}${answer}${t.error ? html`<div>${t.error}</div>` : ''}</td>
<td>${t.note ?? ''}${t.done_by ? html`<div><small>${t.done_by}</small></div>` : ''}</td>
<td>${t.mayAnswer && open(t) ? tickForm(t) : ''}</td></tr>`;
}

export function taskTable(tasks: TaskView[]): Html {
  const w = fulfilmentWords();
  return dataTable({
    head: [w.request, w.action, w.system, w.via, w.status, w.note, ''],
    rows: tasks.map(taskRow),
  });
}

/** A system's open tasks on the work list, inside the system's form when the caller may answer. */
export function boardTable(tasks: readonly BoardTask[], companyName: (id: string) => string): Html {
  const w = fulfilmentWords();
  const via = (t: TaskRow) => (t.via === 'http' ? w.httpAwaited : t.via === 'saas' ? w.saas : w.manual);
  const row = (t: BoardTask) => {
    const key = `${t.request_id}/${t.system_id}`;
    const box =
      t.mayAnswer && open(t)
        ? html`<input type="checkbox" name="task" value="${key}" checked aria-label="${w.include} ${t.reference}">`
        : '';
    return html`<tr data-task="${key}"><td>${box}</td><td class="nowrap"><a href="/console/requests/${t.request_id}">${t.reference}</a> <small><a href="/console/fulfilment/${t.request_id}">${w.run}</a></small></td><td>${companyName(t.org_id)}</td><td>${t.type}</td><td class="masked">${t.maskedEmail || html`<span class="muted">${w.removed}</span>`}</td><td>${t.action} · ${via(t)} <small>${t.status}</small></td><td class="age">${w.ageDays(t.ageDays)}</td></tr>`;
  };
  return dataTable({
    head: ['', w.request, w.company, w.type, w.email, w.action, w.age],
    rows: tasks.map(row),
  });
}
