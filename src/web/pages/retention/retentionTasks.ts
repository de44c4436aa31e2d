/**
 * Retention outside the SQL databases in the console: the manual tasks (open ones with a tick-off form,
 * overdue ones marked) and a run's requests to the systems with an HTTP connector or a manual task.
 */
import { type Html, html } from '../../../core/html.ts';
import type { OutsideResult } from '../../../services/retention/outside.ts';
import type { RetentionTask } from '../../../services/retention/tasks.ts';
import { dataTable } from '../../components/dataTable.ts';
import { retentionWords } from './words.ts';

function tickForm(t: RetentionTask): Html {
  const w = retentionWords();
  const id = `note-${t.id}`;
  return html`<form method="post" action="/console/retention/tasks/${t.id}"><label for="${id}">${w.note}</label><textarea id="${id}" name="note" required maxlength="2000" rows="2"></textarea>
<label for="records-${t.id}">${w.records}</label><input id="records-${t.id}" name="records" type="number" min="0">
<label><input type="radio" name="status" value="done" checked> ${w.done}</label> <label><input type="radio" name="status" value="not-held"> ${w.notHeld}</label>
<p><button type="submit">${w.tickOff}</button></p></form>`;
}

/** The tasks: what to do, by when; `today` marks the overdue ones; the form where the caller may tick off. */
export function retentionTaskTable(tasks: RetentionTask[], today: string, mayAnswer: boolean): Html {
  const w = retentionWords();
  return dataTable({
    head: [w.system, w.rule, w.what, w.due, w.status, w.note, ''],
    rows: tasks.map((t) => {
      const overdue = t.status === 'open' && t.dueOn < today;
      return html`<tr id="task-${t.id}"><td>${t.system}</td><td>${t.rule} <small>(${t.period})</small></td>
<td>${w.taskWhat(w.verbs[t.action] ?? t.action, t.rule, t.expiredBefore)}</td>
<td>${t.dueOn}${overdue ? html` <strong class="error">${w.overdue}</strong>` : ''}</td>
<td>${t.status}${t.records !== null ? ` (${w.recordsN(t.records)})` : ''}</td>
<td>${t.note ?? ''}${t.doneBy ? html`<div><small>${t.doneBy}</small></div>` : ''}</td>
<td>${mayAnswer && t.status === 'open' ? tickForm(t) : ''}</td></tr>`;
    }),
  });
}

const STATUS: Record<OutsideResult['status'], string> = {
  pending: 'not asked yet',
  done: 'answered',
  accepted: 'accepted, answer by callback',
  failed: 'failed',
  task: 'manual task',
  planned: 'would be asked (dry run)',
};

function answer(o: OutsideResult): string {
  if (o.via === 'manual')
    return o.taskId ? (o.taskOpened ? 'task opened by this run' : 'task of this month already there') : '';
  if (o.status !== 'done') return o.error ?? '';
  return `deleted ${o.deleted ?? 0}, anonymised ${o.anonymised ?? 0}, kept ${o.kept ?? 0}${o.message ? ` — ${o.message}` : ''}`;
}

/** A run's requests outside the SQL databases. */
export function outsideTable(outside: OutsideResult[]): Html {
  if (!outside.length)
    return html`<p>No system outside the SQL databases holds data under a rule that has ended.</p>`;
  return dataTable({
    head: ['System', 'Rule', 'Via', 'Action', 'Before', 'Status', 'Answer'],
    rows: outside.map(
      (o) =>
        html`<tr><td>${o.system}</td><td>${o.rule}</td><td>${o.via === 'http' ? 'HTTP connector' : 'manual task'}</td><td>${o.action}</td><td>${o.expiredBefore}</td><td>${STATUS[o.status]}</td><td>${answer(o)}</td></tr>`,
    ),
  });
}
