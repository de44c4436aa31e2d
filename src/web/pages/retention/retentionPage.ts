/** The console's retention page: next due work (a dry run that records nothing), run buttons, past runs. */
import { type Html, html } from '../../../core/html.ts';
import type { RegisterIndex } from '../../../core/register/register-index.ts';
import type { RetentionRunSummary } from '../../../services/retention/listRetentionRuns.ts';
import { card } from '../../components/card.ts';
import { dataTable } from '../../components/dataTable.ts';
import { postButton } from '../../components/postButton.ts';
import { consoleShell } from '../../components/consoleShell.ts';
import { totalsText } from './labels.ts';
import { retentionWords } from './words.ts';
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
  const w = retentionWords();
  const overdue = d.tasks.filter((t) => t.dueOn < d.today).length;
  return card(
    d.tasks.length
      ? html`<p>${w.openTasks(d.tasks.length)}${overdue ? html`, <strong class="error">${w.overdueCount(overdue)}</strong>` : ''}. ${w.tasksIntro}</p>
${retentionTaskTable(d.tasks, d.today, d.mayRun)}`
      : html`<p>${w.noTasks}</p>`,
    { title: w.manualTasks, tag: 'section' },
  );
}

function nextWork(d: RetentionPageData): Html {
  const w = retentionWords();
  if (!d.mayRead) return html`<p id="retention-group-wide">${w.groupWide(d.groupOrgIds.join(', '))}</p>`;
  if (!d.sweeping || !d.preview)
    return html`<p>${w.noDatabases}<code>ombud start</code>${w.noDatabasesMid}<code>ombud retention run</code>.</p>`;
  return retentionPreview(d.index, d.preview);
}

function runButtons(): Html {
  const w = retentionWords();
  return html`${postButton('/console/retention/run', w.dryRunNow, { secondary: true, hidden: { mode: 'dry-run' } })}
${postButton('/console/retention/run', w.runNow, { hidden: { mode: 'run' } })}`;
}

function pastRuns(d: RetentionPageData): Html {
  const w = retentionWords();
  if (d.runs.length)
    return dataTable({
      head: [w.started, w.day, w.kind, w.status, w.rows, w.by],
      rows: d.runs.map(
        (r) =>
          html`<tr><td><a href="/console/retention/runs/${r.id}">${r.startedAt.slice(0, 16).replace('T', ' ')}</a></td><td>${r.today}</td><td>${r.dryRun ? w.dryRun : r.runKey?.startsWith('daily:') ? w.daily : w.run}</td><td>${r.status}${r.error ? html`<div class="muted">${r.error}</div>` : ''}</td><td>${totalsText(r.totals)}</td><td>${r.startedBy}</td></tr>`,
      ),
    });
  return d.mayRead ? html`<p>${w.noRuns}</p>` : html`<p>${w.runsForAll}</p>`;
}

export function retentionPage(d: RetentionPageData): Html {
  const w = retentionWords();
  const body = html`<h1>${w.title}</h1>
<p>${w.intro}</p>
${card(
  html`${nextWork(d)}
${d.mayRun && d.sweeping ? runButtons() : ''}`,
  { title: w.nextDueWork, tag: 'section' },
)}
${openTasks(d)}
${card(pastRuns(d), { title: w.pastRuns, tag: 'section' })}`;
  return consoleShell(w.title, 'retention', body);
}
