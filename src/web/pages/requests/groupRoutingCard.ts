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
  if (q.state === 'received')
    return 'Held here until the requester is verified; then the companies that know them get a request each (the reply to the requester is the same either way).';
  if (q.state === 'split')
    return 'Split into one request per company that knows the customer; the others were checked.';
  if (routing?.awaitingAgent)
    return 'Known nowhere in the sources searched, but not every system could be searched: check them, then answer or send the request to a company.';
  if (q.state === 'completed')
    return 'Known nowhere: answered that no company of the group holds personal data about the requester.';
  return '';
}

function resultOf(routing: RoutingRecord | undefined, o: string): string {
  if (!routing) return 'checked when the requester is verified';
  if (routing.known?.includes(o)) return 'knows the customer';
  if (routing.viaJoint?.includes(o)) return 'answers for the joint purposes';
  return 'checked: does not know the customer';
}

export function groupRoutingCard(q: RequestRow, ix: RegisterIndex | undefined): Html {
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
      [sourcesOf(o), joint(o)].filter(Boolean).join('; ') ||
      (routing?.byAgent && id ? 'found by an agent' : '');
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
    head: ['Company', 'Result', 'Sources (rows)', 'Request'],
    rows: candidates.map(row),
  });
  return card(
    html`
<p class="muted">${summary(q, routing)}</p>
${table}
${routing?.unchecked?.length ? html`<p id="unchecked">Not searched (no connection): ${routing.unchecked.join(', ')}</p>` : ''}
${routing?.failed?.length ? html`<p id="failed">Search failed: ${routing.failed.join(', ')}</p>` : ''}`,
    { id: 'group-routing', title: 'Group request: where the customer is known' },
  );
}
