/**
 * The split of a request to the whole group: per company, whether it knows the customer (and through
 * which sources, as counts), the request it got, or that it was checked and does not know them.
 */
import { type Html, html } from '../../../core/html.ts';
import type { RegisterIndex } from '../../../core/register/register-index.ts';
import type { RequestRow } from '../../../services/requests/store.ts';
import { card } from '../../components/card.ts';
import { dataTable } from '../../components/dataTable.ts';
import { tableRow } from '../../components/tableRow.ts';
import { requestWords } from './words.ts';

type RoutingRecord = {
  known?: string[];
  viaJoint?: string[];
  notKnown?: string[];
  requests?: Record<string, string>;
  sources?: Record<string, Record<string, number>>;
  unchecked?: string[];
  failed?: string[];
  awaitingAgent?: boolean;
  byAgent?: boolean;
};

function summary(q: RequestRow, routing: RoutingRecord | undefined): string {
  const w = requestWords();
  if (q.state === 'received') return w.heldUntilVerified;
  if (q.state === 'split') return w.splitSummary;
  if (routing?.awaitingAgent) return w.awaitingAgent;
  if (q.state === 'completed') return w.knownNowhere;
  return '';
}

function resultOf(routing: RoutingRecord | undefined, o: string): string {
  const w = requestWords();
  if (!routing) return w.checkedWhenVerified;
  if (routing.known?.includes(o)) return w.knows;
  if (routing.viaJoint?.includes(o)) return w.answersJoint;
  return w.doesNotKnow;
}

export function groupRoutingCard(q: RequestRow, ix: RegisterIndex | undefined): Html {
  const w = requestWords();
  const candidates = q.scope.group?.candidates ?? [];
  const routing = (q.decision?.routing ?? q.decision?.noData) as RoutingRecord | undefined;
  const name = (o: string) => ix?.organization(o)?.legalName ?? o;
  const sourcesOf = (key: string) =>
    Object.entries(routing?.sources?.[key] ?? {})
      .map(([src, n]) => `${src} (${n})`)
      .join(', ');
  const joint = (o: string) =>
    (ix?.register.jointArrangements ?? [])
      .filter(
        (j) =>
          routing?.sources?.[`joint:${j.id}`] && (j.contactPoint === o || routing?.viaJoint?.includes(o)),
      )
      .map((j) => `${j.id}: ${sourcesOf(`joint:${j.id}`)}`)
      .join('; ');
  const row = (o: string) => {
    const id = routing?.requests?.[o];
    const sources =
      [sourcesOf(o), joint(o)].filter(Boolean).join('; ') || (routing?.byAgent && id ? w.foundByAgent : '');
    return tableRow(
      [
        name(o),
        { class: 'result', content: resultOf(routing, o) },
        sources,
        id ? html`<a href="/console/requests/${id}">${id.slice(0, 8)}</a>` : '—',
      ],
      { data: { company: o } },
    );
  };
  const table = dataTable({
    head: [w.company, w.result, w.sourcesRows, w.request],
    rows: candidates.map(row),
  });
  return card(
    html`
<p class="muted">${summary(q, routing)}</p>
${table}
${routing?.unchecked?.length ? html`<p id="unchecked">${w.notSearched} ${routing.unchecked.join(', ')}</p>` : ''}
${routing?.failed?.length ? html`<p id="failed">${w.searchFailed} ${routing.failed.join(', ')}</p>` : ''}`,
    { id: 'group-routing', title: w.routingTitle },
  );
}
