/** Consent propagation: the subscribed systems, the dead letters (with replay) and the delivery log. */
import { type Html, html } from '../../../core/html.ts';
import type { deliveryLog, listWebhookEndpoints } from '../../../services/consent/webhooks.ts';
import { card } from '../../components/card.ts';
import { consoleShell } from '../../components/consoleShell.ts';
import { dataTable } from '../../components/dataTable.ts';
import { pill } from '../../components/pill.ts';
import { utcTime } from '../../components/utcTime.ts';
import { propagationWords } from './words.ts';

type Endpoint = Awaited<ReturnType<typeof listWebhookEndpoints>>[number];
type Delivery = Awaited<ReturnType<typeof deliveryLog>>[number];

export type PropagationPageData = {
  endpoints: Endpoint[];
  dead: Delivery[];
  log: Delivery[];
  /** The delivery worker runs in this process. */
  delivering: boolean;
};

const endpointRow = (e: Endpoint) =>
  html`<tr><td><code>${e.url}</code></td><td>${e.org_id ?? propagationWords().all}</td><td>${e.description}</td><td>${e.active ? propagationWords().yes : propagationWords().no}</td></tr>`;

const deadRow = (d: Delivery) =>
  html`<tr><td><code>${d.id}</code></td><td>${d.event_type}</td><td><code>${d.endpoint_url}</code></td><td>${d.attempts}</td><td>${d.last_error ?? d.last_status}</td>
<td><form method="post" action="/console/webhooks/deliveries/${d.id}/replay"><button type="submit">${propagationWords().replay}</button></form></td></tr>`;

const logRow = (d: Delivery) =>
  html`<tr data-delivery="${d.id}"><td>${utcTime(d.created_at, { seconds: true })}</td><td>${d.event_type}</td><td><code>${d.endpoint_url}</code></td><td>${pill(propagationWords().status[d.status] ?? d.status, d.status === 'dead' ? 'warn' : undefined)}</td><td>${d.attempts}</td><td>${utcTime(d.last_attempt_at, { seconds: true })}</td><td>${d.last_error ?? d.last_status ?? ''}</td></tr>`;

export function propagationPage(d: PropagationPageData): Html {
  const w = propagationWords();
  const body = html`<h1>${w.title}</h1>
<p class="muted">${w.intro}${d.delivering ? '' : html` — <strong>${w.notRunning}</strong>`}.</p>
${card(dataTable({ head: w.endpointsHead, rows: d.endpoints.map(endpointRow) }), { title: w.endpointsTitle, tag: 'section' })}
${card(dataTable({ head: w.deadHead, rows: d.dead.map(deadRow) }), { title: w.deadTitle(d.dead.length), id: 'dead-letter', tag: 'section' })}
${card(dataTable({ head: w.logHead, rows: d.log.map(logRow) }), { title: w.logTitle, id: 'log', tag: 'section' })}`;
  return consoleShell(w.title, 'webhooks', body);
}
