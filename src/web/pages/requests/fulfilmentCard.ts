/** Fulfilment on the request page: approve, progress, per-system results, "failed, why, retry", result files. */
import { type Html, html } from '../../../core/html.ts';
import type { getFulfilmentStatus } from '../../../services/fulfilment/runFulfilment.ts';
import { badge } from '../../components/badge.ts';
import { card } from '../../components/card.ts';
import { dataTable } from '../../components/dataTable.ts';
import { inputField } from '../../components/inputField.ts';
import { type Option, selectField } from '../../components/selectField.ts';
import { tableRow } from '../../components/tableRow.ts';
import { dayUtc } from '../../components/timestamp.ts';
import type { ActionFormOf } from './actionForm.ts';
import { labelOf, requestWords } from './words.ts';

export type RunStatus = Awaited<ReturnType<typeof getFulfilmentStatus>>;
export type Delivery = { id: string; filename: string; expires_at: Date; downloads: number };

export type FulfilmentData = {
  id: string;
  state: string;
  /** The fulfilment type of the request (access, erasure, …). */
  type: string;
  run: RunStatus;
  deliveries: readonly Delivery[];
  /** Is the fulfilment worker running (and may the viewer act)? */
  running: boolean;
  /** For a rectification: the data categories the systems hold that may be corrected, with their labels. */
  correctable?: readonly Option[];
  /** The action forms, or undefined when the viewer may only read. */
  form?: ActionFormOf;
};

function approveForm(d: FulfilmentData, f: ActionFormOf): Html | string {
  const w = requestWords();
  const open = ['verified', 'in-progress', 'extended'].includes(d.state);
  if (d.run || !open) return '';
  if (!d.running)
    return html`<p class="muted">${w.workerNotRunning} <code>ombud start</code>${w.workerNotRunningEnd}</p>`;
  const label =
    d.type === 'access' || d.type === 'portability'
      ? w.runFulfilment
      : w.approveType(labelOf(w.types, d.type));
  const fields =
    d.type === 'rectification'
      ? html`${selectField({
          id: 'category',
          label: w.categoryToCorrect,
          options: d.correctable ?? [],
          required: true,
        })}${inputField({ id: 'value', label: w.correctedValue })}`
      : '';
  return f('approve', label, fields);
}

function waitingFor(run: NonNullable<RunStatus>): Html {
  const w = requestWords();
  const systems =
    run.steps
      .filter((st) => st.status === 'waiting')
      .map((st) => st.step.replace(/^(notify|collect):/, ''))
      .join(', ') || w.systemsAsked;
  return html`<p id="fulfilment-waiting">${w.waitingFor(systems)}
${w.completesWhen}
<a href="/console/fulfilment/tasks">${w.fulfilmentTasks}</a>.</p>`;
}

function stepsTable(run: NonNullable<RunStatus>): Html {
  const w = requestWords();
  const rows = run.steps.flatMap((st) =>
    (st.outcome?.length ? st.outcome : [undefined]).map((o) =>
      tableRow([
        st.step,
        html`${st.status}${st.error ? html`<br><small>${st.error}</small>` : ''}${
          st.note ? html`<br><small class="step-note">${st.note}</small>` : ''
        }`,
        o ? `${o.system} / ${o.collection}` : '',
        o ? String(o.erased) : '',
        o ? String(o.kept) : '',
        o?.keptUnder
          .map((k) => (k.hold ? w.legalHold(k.hold) : w.keptUntil(k.rule, k.eraseOn ?? '')))
          .join(', ') ?? '',
      ]),
    ),
  );
  return dataTable({
    head: [w.step, w.status, w.systemCollection, w.changed, w.kept, w.ruleKeeping],
    rows,
  });
}

function resultFiles(deliveries: readonly Delivery[]): Html | string {
  if (!deliveries.length) return '';
  const w = requestWords();
  return html`<h3>${w.resultFiles}</h3>
<ul id="deliveries">${deliveries.map(
    (d) => html`<li>${w.delivery(d.filename, dayUtc(d.expires_at), d.downloads)}</li>`,
  )}</ul>`;
}

export function fulfilmentCard(d: FulfilmentData): Html {
  const w = requestWords();
  const f: ActionFormOf = d.form ?? (() => html``);
  const run = d.run;
  const opts = { id: 'fulfilment', title: w.fulfilment };
  if (!run)
    return card(
      html`<p>${d.state === 'received' ? w.waitsVerification : w.notStarted}</p>${approveForm(d, f)}`,
      opts,
    );
  const pct = run.stepsTotal ? Math.round((100 * run.stepsDone) / run.stepsTotal) : 0;
  const failed = run.status === 'failed';
  return card(
    html`
<p>${badge(run.status, { warn: failed, id: 'fulfilment-status' })} · ${w.stepsOf(run.stepsDone, run.stepsTotal)}
· ${w.attempt(run.attempts)} · <a href="/console/fulfilment/${d.id}">${w.detailsLink}</a></p>
<progress max="100" value="${pct}" style="width:100%"></progress>
${
  failed
    ? html`<p id="fulfilment-error"><strong>${w.failed}</strong> ${run.error ?? w.unknownReason}</p>
${f('retry-fulfilment', w.retry)}`
    : ''
}
${run.status === 'waiting' ? waitingFor(run) : ''}
${stepsTable(run)}
${resultFiles(d.deliveries)}`,
    opts,
  );
}
