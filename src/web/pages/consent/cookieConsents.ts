/**
 * The console's cookie consents: look up one visitor's stored choices by the anonymous consent id the banner
 * keeps for them, and the banner's figures per site and day as charts (accept all, reject all, custom,
 * re-asks; the share with Global Privacy Control).
 */
import { type Html, html, raw } from '../../../core/html.ts';
import type { CookieDayFigures } from '../../../services/consent/cookieFigures.ts';
import { barChartSvg, groupedBarChartSvg } from '../../charts.ts';
import { card } from '../../components/card.ts';
import { dataTable } from '../../components/dataTable.ts';
import { errorBox } from '../../components/errorBox.ts';
import { tableRow } from '../../components/tableRow.ts';
import { consolePage } from '../../layout.ts';

export type CookieProofRow = {
  seq: number;
  org_id: string;
  action: string;
  categories: Record<string, boolean>;
  inventory_version: string;
  gpc: boolean;
  lang: string;
  url: string;
  at: Date;
};

/** One site's figures on one day, as the service counts them. */
export type CookieFiguresRow = CookieDayFigures;

export type CookieConsentsData = {
  /** The days the figures cover (first, last: YYYY-MM-DD). */
  from: string;
  to: string;
  figures: CookieFiguresRow[];
  companyName: (orgId: string) => string;
  /** A look-up's answer: the consent id and its proofs, or a message. */
  found?: { consentId: string; rows: CookieProofRow[] };
  message?: Html;
};

const CSS = `form.row{display:flex;gap:.5rem;align-items:end;flex-wrap:wrap}form.row label{margin:0}
.charts{display:flex;flex-wrap:wrap;gap:1rem}.charts svg{max-width:100%;height:auto}`;

const ACTION: Record<string, string> = {
  'accept-all': 'Accepted all',
  'reject-all': 'Rejected all',
  custom: 'Custom choice',
};

function lookupForm(value = ''): Html {
  return html`<form class="row" method="post" action="/console/cookie-consents/find">
<label>Consent id (the banner's id for the visitor)<br><input id="consent-id" name="consentId" required
autocomplete="off" size="40" value="${value}" pattern="[A-Za-z0-9_\\-]{8,64}"></label>
<button type="submit">Find</button>
</form>`;
}

function proofTable(found: NonNullable<CookieConsentsData['found']>, name: (o: string) => string): Html {
  const rows = found.rows.map((r) =>
    tableRow([
      { class: 'nowrap', content: r.at.toISOString().slice(0, 16).replace('T', ' ') },
      name(r.org_id),
      ACTION[r.action] ?? r.action,
      Object.entries(r.categories)
        .filter(([, on]) => on)
        .map(([k]) => k)
        .sort()
        .join(', ') || 'none',
      r.gpc ? 'yes' : 'no',
      r.inventory_version,
      r.lang,
      r.url,
    ]),
  );
  return card(
    html`<h2>Consent ${found.consentId}</h2>
<p class="muted">Every choice stored under this id, oldest first; the last one is the visitor's current choice.</p>
${dataTable({
  id: 'cookie-proof',
  head: [
    'When (UTC)',
    'Company',
    'Choice',
    'Categories allowed',
    'GPC',
    'Cookie inventory',
    'Language',
    'Page',
  ],
  rows,
})}`,
  );
}

function siteCharts(site: string, days: CookieFiguresRow[]): Html {
  const groups = days.map((d) => ({
    label: d.day,
    values: { 'Accept all': d.acceptAll, 'Reject all': d.rejectAll, Custom: d.custom, 'Re-asks': d.reasks },
  }));
  const gpcShare = Object.fromEntries(days.map((d) => [d.day, Math.round((100 * d.gpc) / d.total)]));
  const rows = days.map((d) =>
    tableRow([
      d.day,
      String(d.acceptAll),
      String(d.rejectAll),
      String(d.custom),
      `${d.gpc} of ${d.total} (${Math.round((100 * d.gpc) / d.total)}%)`,
      String(d.reasks),
    ]),
  );
  return card(
    html`<h2>${site}</h2>
<div class="charts">${groupedBarChartSvg('Choices per day', groups, ['Accept all', 'Reject all', 'Custom', 'Re-asks'])}
${barChartSvg('Share with GPC per day (%)', gpcShare)}</div>
${dataTable({ head: ['Day', 'Accept all', 'Reject all', 'Custom', 'With GPC', 'Re-asks'], rows })}`,
    { tag: 'section', data: { site } },
  );
}

function figures(data: CookieConsentsData): Html {
  const sites = new Map<string, CookieFiguresRow[]>();
  for (const f of data.figures) {
    const key = `${f.site} · ${data.companyName(f.orgId)}`;
    sites.set(key, [...(sites.get(key) ?? []), f]);
  }
  return html`<h2>The banner's figures, ${data.from} to ${data.to}</h2>
<p class="muted">Per site and day (UTC). A re-ask is a choice from a visitor who had chosen before: the banner
asked again after the cookie inventory changed or the choice expired, or the visitor reopened the settings.</p>
${sites.size === 0 ? card(html`<p class="muted">No choices in these days.</p>`) : [...sites].map(([s, d]) => siteCharts(s, d))}`;
}

export function cookieConsentsPage(data: CookieConsentsData): string {
  return consolePage({
    title: 'Cookie consents',
    active: 'cookies',
    body: html`<style>${raw(CSS)}</style>
<h1>Cookie consents</h1>
${data.message ?? ''}
${card(html`<p class="muted">Look up a visitor's cookie choices by the anonymous consent id the banner keeps
for them (<code>Ombud.getConsent().consentId</code> on the site). The look-up is recorded in the audit log.</p>
${lookupForm(data.found?.consentId)}`)}
${data.found ? proofTable(data.found, data.companyName) : ''}
${figures(data)}`,
  });
}

/** No stored choice under that id at the companies the person can see. */
export const noSuchConsent = (): Html =>
  errorBox('No cookie choice is stored under that consent id at the companies you can see.', 'status');

/** What was typed is no consent id. */
export const notAConsentId = (): Html =>
  errorBox('That is not a consent id: the banner makes them of 8 to 64 letters, digits, “-” and “_”.');
