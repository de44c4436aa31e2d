/** One retention run: its steps per database and its outcomes. */
import { type Html, html } from '../../../core/html.ts';
import type { RetentionRunDetail } from '../../../services/retention/listRetentionRuns.ts';
import type { RetentionOutcome } from '../../../services/retention/sweep.ts';
import { card } from '../../components/card.ts';
import { dataTable } from '../../components/dataTable.ts';
import { consoleShell } from '../../components/consoleShell.ts';
import { actionLabel } from './labels.ts';
import { retentionWords } from './words.ts';
import { outsideTable, retentionTaskTable } from './retentionTasks.ts';

function outcomeTable(outcomes: RetentionOutcome[]): Html {
  const w = retentionWords();
  if (!outcomes.length) return html`<p>${w.nothing}</p>`;
  return dataTable({
    head: [w.system, w.collection, w.rule, w.action, w.detail, w.rows],
    rows: outcomes.map(
      (o) =>
        html`<tr><td>${o.system}</td><td>${o.collection}</td><td>${o.rule}</td><td>${actionLabel(o.action)}</td><td>${o.detail}</td><td>${String(o.rows)}</td></tr>`,
    ),
  });
}

export function retentionRunPage(run: RetentionRunDetail): Html {
  const w = retentionWords();
  const steps = dataTable({
    head: [w.database, w.system, w.status, w.attempts, w.note],
    rows: run.steps.map(
      (s) =>
        html`<tr><td>${s.dataset}</td><td>${s.system}</td><td>${s.status}</td><td>${String(s.attempts)}</td><td>${s.error ?? (s.recovered ? w.recovered : '')}</td></tr>`,
    ),
  });
  const body = html`<h1>${w.runHeading(run.today, run.dryRun)}</h1>
<p><a href="/console/retention">${w.allRuns}</a></p>
${card(
  html`<p>${w.runStatus} <strong>${run.status}</strong>. ${w.startedBy(run.startedAt, run.startedBy)}${run.finishedAt ? w.finished(run.finishedAt) : ''}; ${w.attemptsN(run.attempts)}.</p>
${run.error ? html`<p class="error">${run.error}</p>` : ''}
${steps}`,
  { tag: 'section' },
)}
${card(outcomeTable(run.outcomes), { title: w.outcomes, tag: 'section' })}
${card(
  html`${outsideTable(run.outside)}${run.tasks.length ? html`<h3>${w.manualTasks}</h3>${retentionTaskTable(run.tasks, run.today, false)}` : ''}`,
  { title: w.outside, tag: 'section' },
)}`;
  return consoleShell(w.runTitle, 'retention', body);
}
