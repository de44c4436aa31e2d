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
  const open = ['verified', 'in-progress', 'extended'].includes(d.state);
  if (d.run || !open) return '';
  if (!d.running)
    return html`<p class="muted">The fulfilment worker is not running (start Ombud with <code>ombud start</code>); carry the request out by hand and complete it.</p>`;
  const label =
    d.type === 'access' || d.type === 'portability'
      ? 'Run fulfilment'
      : `Approve ${d.type}: carry it out in every system`;
  const fields =
    d.type === 'rectification'
      ? html`${selectField({
          id: 'category',
          label: 'Data category to correct',
          options: d.correctable ?? [],
          required: true,
        })}${inputField({ id: 'value', label: 'Corrected value' })}`
      : '';
  return f('approve', label, fields);
}

function waitingFor(run: NonNullable<RunStatus>): Html {
  const systems =
    run.steps
      .filter((st) => st.status === 'waiting')
      .map((st) => st.step.replace(/^(notify|collect):/, ''))
      .join(', ') || 'the systems asked';
  return html`<p id="fulfilment-waiting">In progress: waiting for answers from ${systems}.
The request completes when the last one answers; manual tasks are ticked off at
<a href="/console/fulfilment/tasks">Fulfilment tasks</a>.</p>`;
}

function stepsTable(run: NonNullable<RunStatus>): Html {
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
          .map((k) => (k.hold ? `legal hold ${k.hold}` : `${k.rule} (until ${k.eraseOn})`))
          .join(', ') ?? '',
      ]),
    ),
  );
  return dataTable({
    head: ['Step', 'Status', 'System / collection', 'Changed', 'Kept', 'Rule keeping them'],
    rows,
  });
}

function resultFiles(deliveries: readonly Delivery[]): Html | string {
  if (!deliveries.length) return '';
  return html`<h3>Result files for the customer</h3>
<ul id="deliveries">${deliveries.map(
    (d) =>
      html`<li>${d.filename} · expires ${dayUtc(d.expires_at)} · downloaded ${String(d.downloads)}×</li>`,
  )}</ul>`;
}

export function fulfilmentCard(d: FulfilmentData): Html {
  const f: ActionFormOf = d.form ?? (() => html``);
  const run = d.run;
  const opts = { id: 'fulfilment', title: 'Fulfilment' };
  if (!run)
    return card(
      html`<p>${d.state === 'received' ? 'Waits for verification.' : 'Not started.'}</p>${approveForm(d, f)}`,
      opts,
    );
  const pct = run.stepsTotal ? Math.round((100 * run.stepsDone) / run.stepsTotal) : 0;
  const failed = run.status === 'failed';
  return card(
    html`
<p>${badge(run.status, { warn: failed, id: 'fulfilment-status' })} · ${run.stepsDone} of ${run.stepsTotal} steps
· attempt ${run.attempts} · <a href="/console/fulfilment/${d.id}">details</a></p>
<progress max="100" value="${pct}" style="width:100%"></progress>
${
  failed
    ? html`<p id="fulfilment-error"><strong>Failed:</strong> ${run.error ?? 'unknown reason'}</p>
${f('retry-fulfilment', 'Retry (resumes at the failed step)')}`
    : ''
}
${run.status === 'waiting' ? waitingFor(run) : ''}
${stepsTable(run)}
${resultFiles(d.deliveries)}`,
    opts,
  );
}
