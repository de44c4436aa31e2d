/**
 * The console's audience segments (P44): per company the viewer may read, each segment of the register
 * (purpose, legal basis, recipient, hashing rule, schedule), its members at the last export, the last export
 * with its counts (added, removed, skipped, left out per reason) and links to its files (hashes only), the
 * last removal at once after an objection, and, where the viewer may export, a "run export now" form.
 * No data subject is ever shown.
 */
import { SCHEDULE_WORDS } from '../../../core/audience/schedule.ts';
import { type Html, html } from '../../../core/html.ts';
import type { Audience } from '../../../core/register/schema.ts';
import type { AudienceExport } from '../../../services/audience/exportSegment.ts';
import { card } from '../../components/card.ts';
import { consoleShell } from '../../components/consoleShell.ts';
import { dataTable } from '../../components/dataTable.ts';
import { pill } from '../../components/pill.ts';
import { postForm } from '../../components/postForm.ts';
import { utcTime } from '../../components/utcTime.ts';
import { consoleLanguage } from '../../i18n/catalogue.ts';
import { consentWords } from '../consent/words.ts';
import { audienceWords } from './words.ts';

export type AudienceSegmentView = {
  segment: Audience;
  /** The last regular (scheduled or manual) export. */
  last?: AudienceExport;
  /** The last removal at once, when after the last regular export. */
  removal?: AudienceExport;
};

export type AudiencesPageData = {
  companies: { orgId: string; name: string; mayExport: boolean; segments: AudienceSegmentView[] }[];
  /** Whether this process reaches the group's systems (an export can run here). */
  canRun: boolean;
  /** The export just run from this page, if any. */
  ran?: AudienceExport;
  fileUrl: (e: AudienceExport, name: string) => string;
};

const nameOf = (a: Audience) =>
  typeof a.name === 'string' ? a.name : (a.name[consoleLanguage()] ?? a.name.en);

function scheduleText(schedule: string | undefined): Html {
  if (!schedule) return html`<span class="muted">${audienceWords().byHand}</span>`;
  const word = SCHEDULE_WORDS[schedule];
  return word
    ? html`${schedule}<div class="muted"><code style="white-space:nowrap">${word}</code> UTC</div>`
    : html`<code style="white-space:nowrap">${schedule}</code><div class="muted">UTC</div>`;
}

function excludedText(e: AudienceExport): Html {
  const parts = Object.entries(e.excluded).sort(([a], [b]) => a.localeCompare(b));
  const total = parts.reduce((n, [, v]) => n + v, 0);
  return html`${String(total)}${
    parts.length ? html`<div class="muted">${parts.map(([k, v]) => `${k} ${v}`).join(', ')}</div>` : ''
  }`;
}

function files(e: AudienceExport, d: AudiencesPageData): Html {
  return html`${e.files.map(
    (f) =>
      html`<div><a href="${d.fileUrl(e, f.name)}" download>${f.role}</a> <span class="muted">${audienceWords().rows(f.rows)}</span></div>`,
  )}`;
}

function lastExport(v: AudienceSegmentView, d: AudiencesPageData): Html {
  const e = v.last;
  const w = audienceWords();
  if (!e) return html`<td colspan="4" class="muted">${w.notExported}</td>`;
  const removal = v.removal
    ? html`<div class="removal">${pill(w.removedAtOnce, 'warn')} ${utcTime(v.removal.createdAt)}: ${String(v.removal.removed)} ${files(v.removal, d)}</div>`
    : '';
  return html`<td>${utcTime(e.createdAt)}<div class="muted">${w.byRule(w.kind[e.kind] ?? e.kind, e.createdBy, e.ruleId)}</div>${removal}</td>
<td class="counts">+${String(e.added)} / −${String(e.removed)}<div class="muted">${w.skipped(e.skipped)}</div></td>
<td>${excludedText(e)}</td><td>${files(e, d)}</td>`;
}

function segmentRow(
  v: AudienceSegmentView,
  company: AudiencesPageData['companies'][number],
  d: AudiencesPageData,
) {
  const a = v.segment;
  const w = audienceWords();
  const run =
    company.mayExport && d.canRun
      ? postForm({ action: `/console/audiences/${a.controller}/${a.id}/export`, submit: w.runNow })
      : '';
  return html`<tr id="segment-${a.controller}-${a.id}"><td><strong>${nameOf(a)}</strong><div class="muted"><code>${a.id}</code>${
    a.immediateRemoval ? w.removalAtOnce : ''
  }</div></td><td>${a.purpose}<div>${pill(consentWords().basis[a.legalBasis] ?? a.legalBasis, a.legalBasis)}</div></td><td>${a.recipient}<div class="muted">${a.rule}: ${a.fields.join(', ')}</div></td><td>${scheduleText(
    a.schedule,
  )}</td><td class="members">${v.last ? String(v.last.members) : '—'}</td>${lastExport(v, d)}<td>${run}</td></tr>`;
}

export function audiencesPage(d: AudiencesPageData): Html {
  const w = audienceWords();
  const ran = d.ran
    ? html`<p id="export-ran" role="status">${pill(w.exported, 'ok')} ${w.ran(d.ran.segmentId, d.ran.members, d.ran.added, d.ran.removed, d.ran.skipped)}</p>`
    : '';
  const body = html`<h1>${w.title}</h1>
<p>${w.intro(html`<code>system:scheduler</code>`)}</p>
${d.canRun ? '' : html`<p class="muted" id="no-systems">${w.noSystems(html`<code>ombud start</code>`, html`<code>ombud audience export</code>`)}</p>`}
${ran}
${
  d.companies.length === 0
    ? card(html`<p class="muted">${w.noCompany}</p>`)
    : d.companies.map((c) =>
        card(
          dataTable({
            id: `audiences-${c.orgId}`,
            head: w.head,
            rows: c.segments.map((v) => segmentRow(v, c, d)),
            empty: w.noSegments,
          }),
          { title: c.name, tag: 'section', id: `company-${c.orgId}` },
        ),
      )
}`;
  return consoleShell(w.title, 'audiences', body);
}
