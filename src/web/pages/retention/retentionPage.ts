/** The console's retention page: next due work (a dry run that records nothing), run buttons, past runs. */
import { type Html, html } from '../../../core/html.ts';
import type { RegisterIndex } from '../../../core/register/register-index.ts';
import type { RetentionRunSummary } from '../../../services/retention/listRetentionRuns.ts';
import { card } from '../../components/card.ts';
import { dataTable } from '../../components/dataTable.ts';
import { postButton } from '../../components/postButton.ts';
import { consoleShell } from '../../components/consoleShell.ts';
import { totalsText } from './labels.ts';
import { type RetentionPreview, retentionPreview } from './retentionPreview.ts';
import { retentionTaskTable } from './retentionTasks.ts';
import type { RetentionTask } from '../../../services/retention/tasks.ts';

export type RetentionPageData = {
  index: RegisterIndex;
  groupOrgIds: readonly string[];
  /** May read retention in every company (else neither preview nor runs are shown). */
  mayRead: boolean;
  /** May run retention in every company, and this process sweeps. */
  mayRun: boolean;
  /** This process has databases connected for retention. */
  sweeping: boolean;
  preview?: RetentionPreview;
  runs: RetentionRunSummary[];
  /** Open manual tasks (systems outside the SQL databases), by due day. */
  tasks: RetentionTask[];
  /** The controllers' day (overdue tasks are due before it). */
  today: string;
};

function openTasks(d: RetentionPageData): Html {
  if (!d.mayRead) return html``;
  const overdue = d.tasks.filter((t) => t.dueOn < d.today).length;
  return card(
    d.tasks.length
      ? html`<p>${String(d.tasks.length)} open${overdue ? html`, <strong class="error">${String(overdue)} overdue</strong>` : ''}. Systems without an interface that hold data under a rule that has ended: do it there and tick it off with a note.</p>
${retentionTaskTable(d.tasks, d.today, d.mayRun)}`
      : html`<p>No open tasks.</p>`,
    { title: 'Manual tasks', tag: 'section' },
  );
}

function nextWork(d: RetentionPageData): Html {
  if (!d.mayRead)
    return html`<p id="retention-group-wide">A retention run sweeps the databases every company of the group shares, so its preview and its runs are shown to those who may read retention in every company (${d.groupOrgIds.join(', ')}).</p>`;
  if (!d.sweeping || !d.preview)
    return html`<p>No databases are connected for retention in this process. Start Ombud with its systems (<code>ombud start</code> connects the demo systems), or run <code>ombud retention run</code>.</p>`;
  return retentionPreview(d.index, d.preview);
}

function runButtons(): Html {
  return html`${postButton('/console/retention/run', 'Dry run now (recorded)', { secondary: true, hidden: { mode: 'dry-run' } })}
${postButton('/console/retention/run', 'Run now', { hidden: { mode: 'run' } })}`;
}

function pastRuns(d: RetentionPageData): Html {
  if (d.runs.length)
    return dataTable({
      head: ['Started', 'Day', 'Kind', 'Status', 'Rows', 'By'],
      rows: d.runs.map(
        (r) =>
          html`<tr><td><a href="/console/retention/runs/${r.id}">${r.startedAt.slice(0, 16).replace('T', ' ')}</a></td><td>${r.today}</td><td>${r.dryRun ? 'dry run' : r.runKey?.startsWith('daily:') ? 'daily' : 'run'}</td><td>${r.status}${r.error ? html`<div class="muted">${r.error}</div>` : ''}</td><td>${totalsText(r.totals)}</td><td>${r.startedBy}</td></tr>`,
      ),
    });
  return d.mayRead
    ? html`<p>No runs yet.</p>`
    : html`<p>Runs cover every company, so they are listed for those who may read retention in each.</p>`;
}

export function retentionPage(d: RetentionPageData): Html {
  const body = html`<h1>Retention</h1>
<p>Each night the retention run erases rows kept under a rule whose day has come and ends the purpose rules the dataset annotations name: rows past their rule are deleted or anonymised, unless a legal rule (bookkeeping, a legal hold) keeps them, which then get the day they may be erased. Rows restricted under Art. 18 are held. Systems outside the group's databases are asked too: through their HTTP connector, or by a manual task below. Every run is recorded and audited.</p>
${card(
  html`${nextWork(d)}
${d.mayRun && d.sweeping ? runButtons() : ''}`,
  { title: 'Next due work', tag: 'section' },
)}
${openTasks(d)}
${card(pastRuns(d), { title: 'Past runs', tag: 'section' })}`;
  return consoleShell('Retention', 'retention', body);
}
