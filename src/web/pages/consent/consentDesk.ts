/** The consent desk's first page: find a customer by one identity (sent in the body, never in a link). */
import { type Html, html } from '../../../core/html.ts';
import { groupedBarChartSvg } from '../../charts.ts';
import { card } from '../../components/card.ts';
import { dataTable } from '../../components/dataTable.ts';
import { tableRow } from '../../components/tableRow.ts';
import { errorBox } from '../../components/errorBox.ts';
import { consentConsolePage } from './consoleShell.ts';
import { DESK_IDENTITY_KINDS, type DeskIdentityKind } from './identityKinds.ts';
import { consentWords } from './words.ts';

export type ConsentDeskData = {
  /** The companies the agent may read consent at. */
  companies: { id: string; legalName: string }[];
  /** An answer to the last look-up, above the form. */
  message?: Html;
  /** Opt-in and opt-out per purpose, channel and week, at the companies the agent may read. */
  rates?: {
    from: string;
    to: string;
    rows: { purposeId: string; channel: string; week: string; optIns: number; optOuts: number }[];
    purposeName: (id: string) => string;
  };
};

function findForm(companies: ConsentDeskData['companies']): Html {
  const w = consentWords();
  return html`<form class="row" method="post" action="/console/consent/find">
<label>${w.company}<br><select name="company">
<option value="all">${w.allCompanies}</option>
${companies.map((o) => html`<option value="${o.id}">${o.legalName}</option>`)}
</select></label>
<label>${w.identity}<br><select name="kind">
${DESK_IDENTITY_KINDS.map((k) => html`<option value="${k}">${w.kinds[k]}</option>`)}
</select></label>
<label>${w.value}<br><input name="value" required autocomplete="off" size="32"></label>
<button type="submit">${w.find}</button>
</form>`;
}

export function consentDeskPage(data: ConsentDeskData): Html {
  const w = consentWords();
  return consentConsolePage(html`<h1>${w.deskTitle}</h1>
${data.message ?? ''}
${card(html`<p class="muted">${w.deskIntro}</p>
${findForm(data.companies)}`)}
${data.rates ? ratesSection(data.rates) : ''}`);
}

const pct = (part: number, all: number) => (all === 0 ? '—' : `${Math.round((100 * part) / all)}%`);

/** Opt-in and opt-out per purpose and channel, week by week: a chart per purpose · channel and a table. */
function ratesSection(r: NonNullable<ConsentDeskData['rates']>): Html {
  const w = consentWords();
  const lines = new Map<string, typeof r.rows>();
  for (const row of r.rows) {
    const key = `${r.purposeName(row.purposeId)} · ${row.channel === '*' ? w.everyChannel : row.channel}`;
    lines.set(key, [...(lines.get(key) ?? []), row]);
  }
  const charts = [...lines].map(
    ([key, rows]) =>
      html`<figure><figcaption>${key}</figcaption>${groupedBarChartSvg(
        w.perWeek,
        rows.map((x) => ({
          label: w.weekOf(x.week),
          values: { [w.optIn]: x.optIns, [w.optOut]: x.optOuts },
        })),
        [w.optIn, w.optOut],
      )}</figure>`,
  );
  const rows = [...lines].flatMap(([key, ws]) =>
    ws.map((x) =>
      tableRow([
        key,
        x.week,
        String(x.optIns),
        String(x.optOuts),
        pct(x.optIns, x.optIns + x.optOuts),
        pct(x.optOuts, x.optIns + x.optOuts),
      ]),
    ),
  );
  return card(
    html`<h2>${w.ratesTitle(r.from, r.to)}</h2>
<p class="muted">${w.ratesIntro}</p>
<div class="charts">${charts}</div>
${dataTable({ id: 'consent-rates', head: w.ratesHead, rows, empty: w.noChoicesWeeks })}`,
    { tag: 'section' },
  );
}

/** The look-up was refused (an identity that cannot be read, such as a malformed phone number). */
export const lookupRefused = (err: { message: string; hint?: string }): Html =>
  errorBox(html`${err.message}${err.hint ? html` ${err.hint}` : ''}`);

/** Nobody of these companies has that identity in the consent register. */
export const noSuchCustomer = (companies: string, kind: DeskIdentityKind): Html =>
  errorBox(consentWords().noSuchCustomer(companies, consentWords().kindThat[kind]), 'status');
