/** The retention page's "next due work": what a run on a day would do, with a chart and a table per rule. */
import { type Html, html } from '../../../core/html.ts';
import type { RegisterIndex } from '../../../core/register/register-index.ts';
import { t } from '../../../core/register/schema.ts';
import type { RetentionPlan } from '../../../core/retention/plan.ts';
import { OUTCOME_ACTIONS, type RetentionOutcome } from '../../../services/retention/sweep.ts';
import { barChartSvg } from '../../charts.ts';
import { dataTable } from '../../components/dataTable.ts';
import { actionLabel } from './labels.ts';
import { retentionWords } from './words.ts';
import { consoleLanguage } from '../../i18n/catalogue.ts';

export type RetentionPreview = { today: string; outcomes: RetentionOutcome[]; plan: RetentionPlan };

/** Rows per rule (a kept row counts under the legal rule that keeps it), with its collections. */
function byRule(outcomes: RetentionOutcome[]) {
  const rows = new Map<string, { collections: Set<string>; counts: Record<string, number> }>();
  for (const o of outcomes) {
    const rule = o.action === 'keep' ? o.detail : o.rule;
    if (!rows.has(rule)) rows.set(rule, { collections: new Set(), counts: {} });
    const r = rows.get(rule)!;
    r.collections.add(`${o.system}: ${o.collection}`);
    r.counts[o.action] = (r.counts[o.action] ?? 0) + o.rows;
  }
  return [...rows].sort(([a], [b]) => a.localeCompare(b));
}

function ruleTable(ix: RegisterIndex, outcomes: RetentionOutcome[]): Html {
  const w = retentionWords();
  const rules = byRule(outcomes);
  if (!rules.length) return html`<p>${w.nothingDue}</p>`;
  return dataTable({
    head: [w.rule, w.collections, ...OUTCOME_ACTIONS.map((a) => actionLabel(a))],
    rows: rules.map(([rule, r]) => {
      const reg = ix.retentionRules.get(rule);
      return html`<tr><td><strong>${rule}</strong>${reg ? html`<div class="muted">${w.ruleLine(t(reg.name, consoleLanguage()), reg.duration, reg.trigger, reg.action)}</div>` : ''}</td><td>${[...r.collections].join(', ')}</td>${OUTCOME_ACTIONS.map((a) => html`<td>${String(r.counts[a] ?? 0)}</td>`)}</tr>`;
    }),
  });
}

export function retentionPreview(ix: RegisterIndex, p: RetentionPreview): Html {
  const w = retentionWords();
  const perAction: Record<string, number> = {};
  for (const o of p.outcomes)
    perAction[actionLabel(o.action)] = (perAction[actionLabel(o.action)] ?? 0) + o.rows;
  const uncovered = p.plan.datasets.flatMap((d) =>
    d.collections.filter((c) => !c.purpose && !c.fieldRules).map((c) => `${d.system}: ${c.collection}`),
  );
  return html`<p>${w.wouldDo} <strong>${p.today}</strong> ${w.wouldDoEnd}</p>
<form method="get" action="/console/retention" class="inline"><label for="day">${w.previewDay}</label> <input id="day" name="day" type="date" value="${p.today}"> <button class="secondary" type="submit">${w.preview}</button></form>
<div class="diagram">${barChartSvg(
    w.rowsPerAction(p.today),
    perAction,
    OUTCOME_ACTIONS.map((a) => actionLabel(a)),
  )}</div>
${ruleTable(ix, p.outcomes)}
${uncovered.length ? html`<p class="muted">${w.notAnnotated(uncovered.join(', '))}</p>` : ''}`;
}
