/** One retention run: its steps per database and its outcomes. */
import { type Html, html } from '../../../core/html.ts';
import type { RetentionRunDetail } from '../../../services/retention/listRetentionRuns.ts';
import type { RetentionOutcome } from '../../../services/retention/sweep.ts';
import { card } from '../../components/card.ts';
import { dataTable } from '../../components/dataTable.ts';
import { consoleShell } from '../../components/consoleShell.ts';
import { actionLabel } from './labels.ts';
import { outsideTable, retentionTaskTable } from './retentionTasks.ts';

function outcomeTable(outcomes: RetentionOutcome[]): Html {
  if (!outcomes.length) return html`<p>Nothing.</p>`;
  return dataTable({
    head: ['System', 'Collection', 'Rule', 'Action', 'Detail', 'Rows'],
    rows: outcomes.map(
      (o) =>
        html`<tr><td>${o.system}</td><td>${o.collection}</td><td>${o.rule}</td><td>${actionLabel(o.action)}</td><td>${o.detail}</td><td>${String(o.rows)}</td></tr>`,
    ),
  });
}

export function retentionRunPage(run: RetentionRunDetail): Html {
  const steps = dataTable({
    head: ['Database', 'System', 'Status', 'Attempts', 'Note'],
    rows: run.steps.map(
      (s) =>
        html`<tr><td>${s.dataset}</td><td>${s.system}</td><td>${s.status}</td><td>${String(s.attempts)}</td><td>${s.error ?? (s.recovered ? 'committed by an earlier attempt; outcome read back from the database' : '')}</td></tr>`,
    ),
  });
  const body = html`<h1>Retention run ${run.today}${run.dryRun ? ' (dry run)' : ''}</h1>
<p><a href="/console/retention">All runs</a></p>
${card(
  html`<p>Status: <strong>${run.status}</strong>. Started ${run.startedAt} by ${run.startedBy}${run.finishedAt ? `, finished ${run.finishedAt}` : ''}; attempts: ${String(run.attempts)}.</p>
${run.error ? html`<p class="error">${run.error}</p>` : ''}
${steps}`,
  { tag: 'section' },
)}
${card(outcomeTable(run.outcomes), { title: 'Outcomes', tag: 'section' })}
${card(
  html`${outsideTable(run.outside)}${run.tasks.length ? html`<h3>Manual tasks</h3>${retentionTaskTable(run.tasks, run.today, false)}` : ''}`,
  { title: 'Systems outside the SQL databases', tag: 'section' },
)}`;
  return consoleShell('Retention run', 'retention', body);
}
