/** The consent desk's first page: find a customer by one identity (sent in the body, never in a link). */
import { type Html, html } from '../../../core/html.ts';
import { groupedBarChartSvg } from '../../charts.ts';
import { card } from '../../components/card.ts';
import { dataTable } from '../../components/dataTable.ts';
import { tableRow } from '../../components/tableRow.ts';
import { errorBox } from '../../components/errorBox.ts';
import { consentConsolePage } from './consoleShell.ts';
import { DESK_IDENTITY_KINDS, type DeskIdentityKind, IDENTITY_KIND_LABEL } from './identityKinds.ts';

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
  return html`<form class="row" method="post" action="/console/consent/find">
<label>Company<br><select name="company">
<option value="all">All companies I can see</option>
${companies.map((o) => html`<option value="${o.id}">${o.legalName}</option>`)}
</select></label>
<label>Identity<br><select name="kind">
${DESK_IDENTITY_KINDS.map((k) => html`<option value="${k}">${IDENTITY_KIND_LABEL[k]}</option>`)}
</select></label>
<label>Value<br><input name="value" required autocomplete="off" size="32"></label>
<button type="submit">Find</button>
</form>`;
}

export function consentDeskPage(data: ConsentDeskData): Html {
  return consentConsolePage(html`<h1>Consent and communication settings</h1>
${data.message ?? ''}
${card(html`<p class="muted">Find a customer by one identity. What you type is sent in the request body,
never put in a link, and the look-up is recorded in the audit log.</p>
${findForm(data.companies)}`)}
${data.rates ? ratesSection(data.rates) : ''}`);
}

const pct = (part: number, all: number) => (all === 0 ? '—' : `${Math.round((100 * part) / all)}%`);

/** Opt-in and opt-out per purpose and channel, week by week: a chart per purpose · channel and a table. */
function ratesSection(r: NonNullable<ConsentDeskData['rates']>): Html {
  const lines = new Map<string, typeof r.rows>();
  for (const row of r.rows) {
    const key = `${r.purposeName(row.purposeId)} · ${row.channel === '*' ? 'every channel' : row.channel}`;
    lines.set(key, [...(lines.get(key) ?? []), row]);
  }
  const charts = [...lines].map(
    ([key, rows]) =>
      html`<figure><figcaption>${key}</figcaption>${groupedBarChartSvg(
        'Opt-in and opt-out per week',
        rows.map((w) => ({
          label: `week of ${w.week}`,
          values: { 'Opt-in': w.optIns, 'Opt-out': w.optOuts },
        })),
        ['Opt-in', 'Opt-out'],
      )}</figure>`,
  );
  const rows = [...lines].flatMap(([key, ws]) =>
    ws.map((w) =>
      tableRow([
        key,
        w.week,
        String(w.optIns),
        String(w.optOuts),
        pct(w.optIns, w.optIns + w.optOuts),
        pct(w.optOuts, w.optIns + w.optOuts),
      ]),
    ),
  );
  return card(
    html`<h2>Opt-in and opt-out, ${r.from} to ${r.to}</h2>
<p class="muted">Per purpose, channel and week (starting Monday, UTC). Opt-in: a consent granted or an objection
lifted; opt-out: a consent withdrawn or an objection. The rates are shares of that week's choices.</p>
<div class="charts">${charts}</div>
${dataTable({ id: 'consent-rates', head: ['Purpose · channel', 'Week of', 'Opt-in', 'Opt-out', 'Opt-in rate', 'Opt-out rate'], rows, empty: 'No choices in these weeks.' })}`,
    { tag: 'section' },
  );
}

/** The look-up was refused (an identity that cannot be read, such as a malformed phone number). */
export const lookupRefused = (err: { message: string; hint?: string }): Html =>
  errorBox(html`${err.message}${err.hint ? html` ${err.hint}` : ''}`);

/** Nobody of these companies has that identity in the consent register. */
export const noSuchCustomer = (companies: string, kind: DeskIdentityKind): Html =>
  errorBox(
    html`No customer of ${companies} has that ${IDENTITY_KIND_LABEL[kind].toLowerCase()}
in the consent register.
Nothing has been recorded for them yet, so nothing may be sent on consent.`,
    'status',
  );
