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
import { cookieWords } from './words.ts';

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

function lookupForm(value = ''): Html {
  const w = cookieWords();
  return html`<form class="row" method="post" action="/console/cookie-consents/find">
<label>${w.consentIdLabel}<br><input id="consent-id" name="consentId" required
autocomplete="off" size="40" value="${value}" pattern="[A-Za-z0-9_\\-]{8,64}"></label>
<button type="submit">${w.find}</button>
</form>`;
}

function proofTable(found: NonNullable<CookieConsentsData['found']>, name: (o: string) => string): Html {
  const w = cookieWords();
  const rows = found.rows.map((r) =>
    tableRow([
      { class: 'nowrap', content: r.at.toISOString().slice(0, 16).replace('T', ' ') },
      name(r.org_id),
      w.action[r.action] ?? r.action,
      Object.entries(r.categories)
        .filter(([, on]) => on)
        .map(([k]) => k)
        .sort()
        .join(', ') || w.none,
      r.gpc ? w.yes : w.no,
      r.inventory_version,
      r.lang,
      r.url,
    ]),
  );
  return card(
    html`<h2>${w.consent(found.consentId)}</h2>
<p class="muted">${w.proofIntro}</p>
${dataTable({ id: 'cookie-proof', head: w.proofHead, rows })}`,
  );
}

function siteCharts(site: string, days: CookieFiguresRow[]): Html {
  const w = cookieWords();
  const groups = days.map((d) => ({
    label: d.day,
    values: {
      [w.acceptAll]: d.acceptAll,
      [w.rejectAll]: d.rejectAll,
      [w.custom]: d.custom,
      [w.reasks]: d.reasks,
    },
  }));
  const gpcShare = Object.fromEntries(days.map((d) => [d.day, Math.round((100 * d.gpc) / d.total)]));
  const rows = days.map((d) =>
    tableRow([
      d.day,
      String(d.acceptAll),
      String(d.rejectAll),
      String(d.custom),
      w.gpcOf(d.gpc, d.total, Math.round((100 * d.gpc) / d.total)),
      String(d.reasks),
    ]),
  );
  return card(
    html`<h2>${site}</h2>
<div class="charts">${groupedBarChartSvg(w.choicesPerDay, groups, [w.acceptAll, w.rejectAll, w.custom, w.reasks])}
${barChartSvg(w.gpcShare, gpcShare)}</div>
${dataTable({ head: [w.day, w.acceptAll, w.rejectAll, w.custom, w.withGpc, w.reasks], rows })}`,
    { tag: 'section', data: { site } },
  );
}

function figures(data: CookieConsentsData): Html {
  const w = cookieWords();
  const sites = new Map<string, CookieFiguresRow[]>();
  for (const f of data.figures) {
    const key = `${f.site} · ${data.companyName(f.orgId)}`;
    sites.set(key, [...(sites.get(key) ?? []), f]);
  }
  return html`<h2>${w.figuresTitle(data.from, data.to)}</h2>
<p class="muted">${w.figuresIntro}</p>
${sites.size === 0 ? card(html`<p class="muted">${w.noChoicesDays}</p>`) : [...sites].map(([s, d]) => siteCharts(s, d))}`;
}

export function cookieConsentsPage(data: CookieConsentsData): string {
  const w = cookieWords();
  return consolePage({
    title: w.title,
    active: 'cookies',
    body: html`<style>${raw(CSS)}</style>
<h1>${w.title}</h1>
${data.message ?? ''}
${card(html`<p class="muted">${w.lookupIntro} (<code>Ombud.getConsent().consentId</code> ${w.lookupWhere}</p>
${lookupForm(data.found?.consentId)}`)}
${data.found ? proofTable(data.found, data.companyName) : ''}
${figures(data)}`,
  });
}

/** No stored choice under that id at the companies the person can see. */
export const noSuchConsent = (): Html => errorBox(cookieWords().noSuchConsent, 'status');

/** What was typed is no consent id. */
export const notAConsentId = (): Html => errorBox(cookieWords().notAConsentId);
