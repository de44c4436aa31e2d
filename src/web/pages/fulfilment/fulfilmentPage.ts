/** A request's fulfilment: progress, why it failed or what it waits for, its steps and its tasks (Art. 19). */
import { type Html, html } from '../../../core/html.ts';
import type { fulfilmentStatusFor } from '../../../services/fulfilment/access.ts';
import { card } from '../../components/card.ts';
import { consoleShell } from '../../components/consoleShell.ts';
import { dataTable } from '../../components/dataTable.ts';
import { type TaskView, taskTable } from './taskTable.ts';
import { fulfilmentWords } from './words.ts';

type Status = Awaited<ReturnType<typeof fulfilmentStatusFor>>;

function progress(st: Status): Html {
  const w = fulfilmentWords();
  const pct = st.stepsTotal ? Math.round((100 * st.stepsDone) / st.stepsTotal) : 0;
  return html`<div class="card"><p><strong>${st.type}</strong> · <span class="pill ${st.status === 'failed' ? 'warn' : ''}">${st.status}</span> · ${w.stepsDone(st.stepsDone, st.stepsTotal, pct)} · ${w.attempt(st.attempts)}</p>
<progress max="100" value="${pct}" style="width:100%"></progress>
${st.status === 'failed' ? html`<p><strong>${w.failed}</strong> ${st.error ?? w.unknownReason}. ${w.fixAndRetry}</p>` : ''}</div>`;
}

function waitingFor(tasks: TaskView[]): Html {
  const w = fulfilmentWords();
  const awaited =
    tasks
      .filter((t) => t.status === 'open' || t.status === 'sent')
      .map(
        (t) =>
          `${t.system_id} (${t.via === 'http' ? w.httpAwaited : t.via === 'saas' ? w.saas : w.manualTask})`,
      )
      .join(', ') || w.servicesAsked;
  return html`<div class="card"><p id="waiting-for">${w.waitingFor(awaited)} ${w.tickedBelow} <a href="/console/fulfilment/tasks">${w.tasksTitle}</a>.</p></div>`;
}

function steps(st: Status): Html {
  const w = fulfilmentWords();
  return dataTable({
    head: [w.step, w.status, w.attempts, w.collections, w.whyNote],
    rows: st.steps.map(
      (s) => html`<tr><td>${s.step}</td><td>${s.status}</td><td>${s.attempts}</td>
<td>${(s.outcome ?? []).map((o) => html`<div>${o.system} / ${o.collection}: ${w.changedKept(o.erased, o.kept)}${o.keptUnder.length ? ` (${o.keptUnder.map((k) => (k.hold ? w.legalHold(k.hold) : w.until(k.rule, k.eraseOn ?? ''))).join(', ')})` : ''}</div>`)}</td>
<td>${s.error ?? ''}${s.note ? html`<div class="note">${s.note}</div>` : ''}</td></tr>`,
    ),
  });
}

export function fulfilmentPage(requestId: string, st: Status, tasks: TaskView[]): Html {
  const w = fulfilmentWords();
  const body = html`<h1>${w.fulfilmentOf(requestId)}</h1>
${progress(st)}
${st.status === 'waiting' ? waitingFor(tasks) : ''}
${card(steps(st), { title: w.steps, tag: 'section' })}
${tasks.length ? card(taskTable(tasks), { title: w.recipients, tag: 'section' }) : ''}`;
  return consoleShell(w.fulfilmentTitle(requestId), 'requests', body);
}
