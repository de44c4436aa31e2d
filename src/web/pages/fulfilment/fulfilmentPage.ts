/** A request's fulfilment: progress, why it failed or what it waits for, its steps and its tasks (Art. 19). */
import { type Html, html } from '../../../core/html.ts';
import type { fulfilmentStatusFor } from '../../../services/fulfilment/access.ts';
import { card } from '../../components/card.ts';
import { consoleShell } from '../../components/consoleShell.ts';
import { dataTable } from '../../components/dataTable.ts';
import { type TaskView, taskTable } from './taskTable.ts';

type Status = Awaited<ReturnType<typeof fulfilmentStatusFor>>;

function progress(st: Status): Html {
  const pct = st.stepsTotal ? Math.round((100 * st.stepsDone) / st.stepsTotal) : 0;
  return html`<div class="card"><p><strong>${st.type}</strong> · <span class="pill ${st.status === 'failed' ? 'warn' : ''}">${st.status}</span> · ${st.stepsDone} of ${st.stepsTotal} steps (${pct}%) · attempt ${st.attempts}</p>
<progress max="100" value="${pct}" style="width:100%"></progress>
${st.status === 'failed' ? html`<p><strong>Failed:</strong> ${st.error ?? 'unknown reason'}. Fix the cause, then retry: the run resumes at the failed step.</p>` : ''}</div>`;
}

function waitingFor(tasks: TaskView[]): Html {
  const awaited =
    tasks
      .filter((t) => t.status === 'open' || t.status === 'sent')
      .map(
        (t) =>
          `${t.system_id} (${t.via === 'http' ? 'HTTP, callback awaited' : t.via === 'saas' ? 'SaaS connector' : 'manual task'})`,
      )
      .join(', ') || 'the services asked';
  return html`<div class="card"><p id="waiting-for">Waiting for answers from ${awaited}. Open tasks are ticked off below or at <a href="/console/fulfilment/tasks">Fulfilment tasks</a>.</p></div>`;
}

function steps(st: Status): Html {
  return dataTable({
    head: ['Step', 'Status', 'Attempts', 'Collections', 'Why / note'],
    rows: st.steps.map(
      (s) => html`<tr><td>${s.step}</td><td>${s.status}</td><td>${s.attempts}</td>
<td>${(s.outcome ?? []).map((o) => html`<div>${o.system} / ${o.collection}: ${o.erased} changed, ${o.kept} kept${o.keptUnder.length ? ` (${o.keptUnder.map((k) => (k.hold ? `legal hold ${k.hold}` : `${k.rule} until ${k.eraseOn}`)).join(', ')})` : ''}</div>`)}</td>
<td>${s.error ?? ''}${s.note ? html`<div class="note">${s.note}</div>` : ''}</td></tr>`,
    ),
  });
}

export function fulfilmentPage(requestId: string, st: Status, tasks: TaskView[]): Html {
  const body = html`<h1>Fulfilment of request ${requestId}</h1>
${progress(st)}
${st.status === 'waiting' ? waitingFor(tasks) : ''}
${card(steps(st), { title: 'Steps', tag: 'section' })}
${tasks.length ? card(taskTable(tasks), { title: 'Recipients and other systems (Art. 19)', tag: 'section' }) : ''}`;
  return consoleShell(`Fulfilment ${requestId}`, 'requests', body);
}
