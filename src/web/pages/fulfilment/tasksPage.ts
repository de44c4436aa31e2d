/** The open fulfilment tasks of the caller's companies: manual systems and awaited service answers. */
import { type Html, html } from '../../../core/html.ts';
import { card } from '../../components/card.ts';
import { consoleShell } from '../../components/consoleShell.ts';
import { type TaskView, taskTable } from './taskTable.ts';

export function tasksPage(tasks: TaskView[]): Html {
  const body = html`<h1>Fulfilment tasks</h1>
<p>Systems without an interface, and services whose answer is awaited: tick each off with a note once the request has been carried out there. The request's fulfilment completes when every task is answered.</p>
${card(tasks.length === 0 ? html`<p>No open tasks.</p>` : taskTable(tasks), { tag: 'section' })}`;
  return consoleShell('Fulfilment tasks', 'requests', body);
}
