/**
 * The console's personal data breaches: the register with each breach's 72-hour clock (due soon and
 * overdue marked), and one breach's page: the clock, the scope (controllers and their authority, the data
 * categories with Art. 9 flagged, a chart of people affected per company and category), the risk decided,
 * the drafts of the notifications, the telling of the people affected, and the timeline. Counts only,
 * never a person.
 */
import type { BreachClock } from '../../../core/breaches/clock.ts';
import { type Html, html } from '../../../core/html.ts';
import type { Breach, BreachEvent, TellProgress } from '../../../services/breaches/store.ts';
import { card } from '../../components/card.ts';
import { consoleShell } from '../../components/consoleShell.ts';
import { dataTable } from '../../components/dataTable.ts';
import { keyValueTable } from '../../components/keyValueTable.ts';
import { pill } from '../../components/pill.ts';
import { utcTime } from '../../components/utcTime.ts';
import { groupedBarChartSvg } from '../../charts.ts';
import { breachActions } from './breachActions.ts';
import { breachWords } from './words.ts';

const clockWords = (c: BreachClock) => breachWords().clockWords(c);

export function clockPill(c: BreachClock): Html {
  return pill(
    breachWords().clockLabel[c.state],
    c.state === 'due-soon' || c.state === 'overdue' ? 'warn' : undefined,
  );
}

export function breachesPage(items: { breach: Breach; clock: BreachClock }[]): Html {
  const w = breachWords();
  const rows = items.map(({ breach: b, clock: c }) => {
    const due = c.state === 'due-soon' || c.state === 'overdue';
    return html`<tr id="breach-${b.reference}"${due ? html` class="due"` : ''}><td><a href="/console/breaches/${b.id}">${b.reference}</a></td><td>${b.title}</td><td>${utcTime(b.awareAt)}</td><td>${clockPill(c)} ${clockWords(c)}<div class="muted">${w.deadline} ${utcTime(c.deadline)} UTC</div></td><td>${b.orgIds.join(', ') || w.theGroup}</td><td>${b.scope ? String(b.scope.subjects) : '—'}</td></tr>`;
  });
  return consoleShell(
    w.title,
    'breaches',
    html`<h1>${w.title}</h1>
<p class="muted">${w.intro(html`<code>ombud breach record</code>`)}</p>
${card(dataTable({ head: w.listHead, rows, empty: w.noBreach }))}`,
  );
}

export type BreachPageData = {
  breach: Breach;
  clock: BreachClock;
  timeline: BreachEvent[];
  notifications: { id: string; orgId: string; authorityId: string; lang: string; phase: number }[];
  tell: TellProgress;
  categoryLabel: (key: string) => string;
  authorityName: (id: string) => string;
  /** The viewer may change the breach: the action forms are shown. */
  mayWrite?: boolean;
};

export function breachPage(d: BreachPageData): Html {
  const b = d.breach;
  const s = b.scope;
  const w = breachWords();
  const clock = card(
    html`<p class="clock" id="clock">${clockPill(d.clock)} <strong>${clockWords(d.clock)}</strong></p>
${keyValueTable([
  { label: w.detected, value: `${utcTime(b.detectedAt)} UTC` },
  { label: w.aware, value: `${utcTime(b.awareAt)} UTC` },
  { label: w.deadline72, value: `${utcTime(d.clock.deadline)} UTC` },
  b.notifiedAt
    ? {
        label: w.notifiedLabel,
        value: `${utcTime(b.notifiedAt)} UTC${d.clock.late ? w.late : ''}`,
      }
    : '',
  b.window ? { label: w.window, value: `${utcTime(b.window.from)} – ${utcTime(b.window.to)} UTC` } : '',
])}`,
    { title: w.clockTitle, id: 'breach-clock' },
  );
  const scope = s
    ? card(
        html`<p><strong id="subjects">${String(s.subjects)}</strong> ${w.peopleAffected}${s.databases > 1 ? w.perDatabase : ''}${w.inCollections(s.collections.map((c) => `${c.dataset}.${c.collection}`).join(', '))}</p>
${dataTable({
  head: w.scopeHead,
  rows: s.controllers.map(
    (c) =>
      html`<tr><td>${c.orgId}</td><td>${c.authorityId ? d.authorityName(c.authorityId) : '—'}</td><td>${c.lang}</td><td>${String(c.subjects)}</td><td>${String(c.records)}</td></tr>`,
  ),
  empty: w.nobodyFound,
})}
<p>${w.categories} ${s.categories.map((c) => html`${pill(d.categoryLabel(c.key), c.special ? 'warn' : undefined, c.key)}${c.special ? html` <strong>Art. 9</strong>` : ''} `)}</p>
<p class="muted">${w.purposes} ${s.purposes.join(', ')}</p>
<div class="chart">${groupedBarChartSvg(
          w.chart,
          s.categories.map((c) => ({
            label: d.categoryLabel(c.key),
            values: Object.fromEntries(
              s.controllers.map((k) => [k.orgId, k.categories.find((x) => x.key === c.key)?.subjects ?? 0]),
            ),
          })),
          s.controllers.map((c) => c.orgId),
        )}</div>`,
        { title: w.scopeTitle, id: 'breach-scope' },
      )
    : card(html`<p class="muted">${w.notScoped} <code>ombud breach scope ${b.reference}</code>.</p>`, {
        title: w.scope,
      });
  const risk = b.risk
    ? card(
        keyValueTable([
          {
            label: w.suggested,
            value: w.suggestedValue(
              w.level[b.risk.suggested.level],
              w.grade[b.risk.suggested.likelihood] ?? b.risk.suggested.likelihood,
              w.grade[b.risk.suggested.severity] ?? b.risk.suggested.severity,
              b.risk.suggested.reasons.join('; '),
            ),
          },
          {
            label: w.decided,
            value: w.decidedValue(w.level[b.risk.level], b.risk.decidedBy, String(utcTime(b.risk.decidedAt))),
          },
          { label: w.reason, value: b.risk.reason },
          { label: w.notification, value: b.decision === 'notify' ? w.notifyYes : w.notifyNo },
        ]),
        { title: w.riskTitle, id: 'breach-risk' },
      )
    : '';
  const drafts = d.notifications.length
    ? card(
        dataTable({
          head: w.draftsHead,
          rows: d.notifications.map(
            (n) =>
              html`<tr><td>${n.orgId}</td><td>${d.authorityName(n.authorityId)}</td><td>${n.phase === 1 ? w.initial : w.followUp(n.phase - 1)}</td><td>${n.lang}</td><td><a href="/api/v1/breaches/${b.id}/notifications/${n.id}?format=pdf">PDF</a> · <a href="/api/v1/breaches/${b.id}/notifications/${n.id}">JSON</a></td></tr>`,
          ),
        }),
        { title: w.draftsTitle, id: 'breach-drafts' },
      )
    : '';
  const total = d.tell.listed + d.tell.queued + d.tell.sent + d.tell.failed;
  // The telling runs as a job: queued (or running) until its "told" (or "not done") line is on the timeline.
  const tellLines = d.timeline.filter((e) => ['tell-queued', 'told', 'tell-refused'].includes(e.kind));
  const running = tellLines.at(-1)?.kind === 'tell-queued';
  const tell =
    total || running
      ? card(
          html`${running ? html`<p id="tell-running"><strong>${w.tellRunning}</strong>${w.tellRunningText}</p>` : ''}<p>${w.tellCounts(d.tell.sent, total, d.tell.listed, d.tell.queued, d.tell.failed)}</p>${total ? html`<progress max="${total}" value="${d.tell.sent}"></progress>` : ''}`,
          { title: w.tellTitle, id: 'breach-tell' },
        )
      : '';
  const timeline = card(
    dataTable({
      head: w.timelineHead,
      rows: d.timeline.map(
        (e) => html`<tr><td>${utcTime(e.at)}</td><td>${e.summary}</td><td>${e.actor}</td></tr>`,
      ),
    }),
    { title: w.timeline, id: 'breach-timeline' },
  );
  return consoleShell(
    `${b.reference} ${b.title}`,
    'breaches',
    html`<h1>${b.reference}: ${b.title}</h1><p>${b.description}</p>
${clock}${scope}${risk}${drafts}${tell}${d.mayWrite ? breachActions(b) : ''}${timeline}`,
  );
}
