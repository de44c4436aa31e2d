/**
 * The console's personal data breaches: the register with each breach's 72-hour clock (due soon and
 * overdue marked), and one breach's page: the clock, the scope (controllers and their authority, the data
 * categories with Art. 9 flagged, a chart of people affected per company and category), the risk decided,
 * the drafts of the notifications, the telling of the people affected, and the timeline. Counts only,
 * never a person.
 */
import { type BreachClock, clockWords } from '../../../core/breaches/clock.ts';
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

const CLOCK_LABEL: Record<BreachClock['state'], string> = {
  running: 'clock running',
  'due-soon': 'due soon',
  overdue: 'OVERDUE',
  notified: 'notified',
  'not-required': 'not notified (documented)',
};

export function clockPill(c: BreachClock): Html {
  return pill(CLOCK_LABEL[c.state], c.state === 'due-soon' || c.state === 'overdue' ? 'warn' : undefined);
}

export function breachesPage(items: { breach: Breach; clock: BreachClock }[]): Html {
  const rows = items.map(({ breach: b, clock: c }) => {
    const due = c.state === 'due-soon' || c.state === 'overdue';
    return html`<tr id="breach-${b.reference}"${due ? html` class="due"` : ''}><td><a href="/console/breaches/${b.id}">${b.reference}</a></td><td>${b.title}</td><td>${utcTime(b.awareAt)}</td><td>${clockPill(c)} ${clockWords(c)}<div class="muted">deadline ${utcTime(c.deadline)} UTC</div></td><td>${b.orgIds.join(', ') || 'the group'}</td><td>${b.scope ? String(b.scope.subjects) : '—'}</td></tr>`;
  });
  return consoleShell(
    'Personal data breaches',
    'breaches',
    html`<h1>Personal data breaches</h1>
<p class="muted">Each breach is notified to the supervisory authority within 72 hours of becoming aware of it (Art. 33(1)), or documented with the reasons it need not be (Art. 33(5)). Record breaches with <code>ombud breach record</code> or the API; scope, assess, draft, notify and tell from each breach's page.</p>
${card(dataTable({ head: ['Breach', 'What happened', 'Aware (UTC)', '72-hour clock', 'Companies', 'People affected'], rows, empty: 'No breach recorded.' }))}`,
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
  const clock = card(
    html`<p class="clock" id="clock">${clockPill(d.clock)} <strong>${clockWords(d.clock)}</strong></p>
${keyValueTable([
  { label: 'Detected', value: `${utcTime(b.detectedAt)} UTC` },
  { label: 'Aware', value: `${utcTime(b.awareAt)} UTC` },
  { label: 'Deadline (72 h)', value: `${utcTime(d.clock.deadline)} UTC` },
  b.notifiedAt
    ? {
        label: 'Notified',
        value: `${utcTime(b.notifiedAt)} UTC${d.clock.late ? ' (late: reasons given)' : ''}`,
      }
    : '',
  b.window ? { label: 'Window', value: `${utcTime(b.window.from)} – ${utcTime(b.window.to)} UTC` } : '',
])}`,
    { title: '72-hour clock', id: 'breach-clock' },
  );
  const scope = s
    ? card(
        html`<p><strong id="subjects">${String(s.subjects)}</strong> people affected${s.databases > 1 ? ' (counted per database and added up)' : ''}, in ${s.collections.map((c) => `${c.dataset}.${c.collection}`).join(', ')}.</p>
${dataTable({
  head: ['Controller', 'Authority', 'Language', 'People', 'Records'],
  rows: s.controllers.map(
    (c) =>
      html`<tr><td>${c.orgId}</td><td>${c.authorityId ? d.authorityName(c.authorityId) : '—'}</td><td>${c.lang}</td><td>${String(c.subjects)}</td><td>${String(c.records)}</td></tr>`,
  ),
  empty: 'Nobody was found in the affected rows.',
})}
<p>Data categories: ${s.categories.map((c) => html`${pill(d.categoryLabel(c.key), c.special ? 'warn' : undefined, c.key)}${c.special ? html` <strong>Art. 9</strong>` : ''} `)}</p>
<p class="muted">Purposes: ${s.purposes.join(', ')}</p>
<div class="chart">${groupedBarChartSvg(
          'People affected per company and category',
          s.categories.map((c) => ({
            label: d.categoryLabel(c.key),
            values: Object.fromEntries(
              s.controllers.map((k) => [k.orgId, k.categories.find((x) => x.key === c.key)?.subjects ?? 0]),
            ),
          })),
          s.controllers.map((c) => c.orgId),
        )}</div>`,
        { title: 'Scope (from the live data map)', id: 'breach-scope' },
      )
    : card(
        html`<p class="muted">Not scoped yet: scope it below, or <code>ombud breach scope ${b.reference}</code>.</p>`,
        {
          title: 'Scope',
        },
      );
  const risk = b.risk
    ? card(
        keyValueTable([
          {
            label: 'Suggested',
            value: `${b.risk.suggested.level} (likelihood ${b.risk.suggested.likelihood}, severity ${b.risk.suggested.severity}): ${b.risk.suggested.reasons.join('; ')}`,
          },
          {
            label: 'Decided',
            value: `${b.risk.level} by ${b.risk.decidedBy}, ${utcTime(b.risk.decidedAt)} UTC`,
          },
          { label: 'Reason', value: b.risk.reason },
          {
            label: 'Notification',
            value:
              b.decision === 'notify'
                ? 'the authority is notified (Art. 33)'
                : 'not required: documented (Art. 33(5))',
          },
        ]),
        { title: 'Risk assessment', id: 'breach-risk' },
      )
    : '';
  const drafts = d.notifications.length
    ? card(
        dataTable({
          head: ['Controller', 'Authority', 'Phase', 'Language', 'Draft'],
          rows: d.notifications.map(
            (n) =>
              html`<tr><td>${n.orgId}</td><td>${d.authorityName(n.authorityId)}</td><td>${n.phase === 1 ? 'initial' : `follow-up ${n.phase - 1}`}</td><td>${n.lang}</td><td><a href="/api/v1/breaches/${b.id}/notifications/${n.id}?format=pdf">PDF</a> · <a href="/api/v1/breaches/${b.id}/notifications/${n.id}">JSON</a></td></tr>`,
          ),
        }),
        { title: 'Notifications to the authorities', id: 'breach-drafts' },
      )
    : '';
  const total = d.tell.listed + d.tell.queued + d.tell.sent + d.tell.failed;
  // The telling runs as a job: queued (or running) until its "told" (or "not done") line is on the timeline.
  const tellLines = d.timeline.filter((e) => ['tell-queued', 'told', 'tell-refused'].includes(e.kind));
  const running = tellLines.at(-1)?.kind === 'tell-queued';
  const tell =
    total || running
      ? card(
          html`${running ? html`<p id="tell-running"><strong>Telling in progress</strong>: the job lists the people affected and sends the mails in batches; reload for the counts.</p>` : ''}<p>${String(d.tell.sent)} of ${String(total)} told; ${String(d.tell.listed)} listed, ${String(d.tell.queued)} waiting in the outbox, ${String(d.tell.failed)} failed.</p>${total ? html`<progress max="${total}" value="${d.tell.sent}"></progress>` : ''}`,
          { title: 'The people affected (Art. 34)', id: 'breach-tell' },
        )
      : '';
  const timeline = card(
    dataTable({
      head: ['When (UTC)', 'What', 'Who'],
      rows: d.timeline.map(
        (e) => html`<tr><td>${utcTime(e.at)}</td><td>${e.summary}</td><td>${e.actor}</td></tr>`,
      ),
    }),
    { title: 'Timeline', id: 'breach-timeline' },
  );
  return consoleShell(
    `${b.reference} ${b.title}`,
    'breaches',
    html`<h1>${b.reference}: ${b.title}</h1><p>${b.description}</p>
${clock}${scope}${risk}${drafts}${tell}${d.mayWrite ? breachActions(b) : ''}${timeline}`,
  );
}
