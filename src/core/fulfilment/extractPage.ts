/**
 * The access extract as a person reads it: the JSON extract (extractSchema.ts) drawn as a page in the
 * request's language, the data grouped by purpose and system under the labels of the dataset annotations,
 * values in words (money with its currency, dates and moments in the customer's time zone, countries,
 * yes/no), then the Art. 15 information. Prints well (its own print CSS; records never split across pages,
 * numbers and dates never broken). Pure: no I/O.
 */
import { type Html, html } from '../html.ts';
import {
  booleanInWords,
  countryInWords,
  dateInWords,
  listInWords,
  moneyInWords,
  numberInWords,
  timestampInWords,
} from '../locale.ts';
import { publicPage } from '../page.ts';
import type { Language } from '../register/schema.ts';
import type { Extract, ExtractCollection, ExtractField } from './extractSchema.ts';
import { EXTRACT_WORDS } from './extractWords.ts';

/** A value in words, as its field's format says. */
export function valueInWords(
  v: unknown,
  f: Pick<ExtractField, 'format' | 'currency'>,
  lang: Language,
  timeZone: string,
): string {
  if (v === null || v === undefined || v === '') return '';
  switch (f.format) {
    case 'money_cents':
      return typeof v === 'number' || /^-?\d+$/.test(String(v))
        ? moneyInWords(Number(v), f.currency ?? 'EUR', lang)
        : String(v);
    case 'date':
      return dateInWords(String(v).slice(0, 10), lang);
    case 'timestamp':
      return timestampInWords(String(v), lang, timeZone);
    case 'country':
      return countryInWords(String(v), lang);
    case 'boolean':
      return typeof v === 'boolean' ? booleanInWords(v, lang) : String(v);
    case 'number':
      return typeof v === 'number' ? numberInWords(v, lang) : String(v);
    case 'list':
      return Array.isArray(v) ? listInWords(v.map(String), lang) : String(v);
    default:
      if (typeof v === 'boolean') return booleanInWords(v, lang);
      if (Array.isArray(v)) return listInWords(v.map(String), lang);
      if (typeof v === 'object') return JSON.stringify(v);
      return String(v);
  }
}

/** Formats whose values must not break across lines (an order total split in two is not legible). */
const NO_WRAP = new Set(['money_cents', 'date', 'timestamp', 'number']);

const PAGE_CSS = `
.extract dl.facts{display:grid;grid-template-columns:minmax(0,max-content) minmax(0,1fr);gap:.2rem 1rem;margin:.6rem 0}
.extract dl.facts dd{overflow-wrap:anywhere}
.extract dl.facts dt{font-weight:600}.extract dl.facts dd{margin:0}
.extract section.purpose{margin:1.4rem 0}.extract section.coll{margin:.9rem 0 1.2rem}
.extract .meta{color:#4a5566;font-size:.92rem;margin:.2rem 0 .5rem}
.extract table.records{border-collapse:collapse;width:100%;font-size:.92rem}
.extract table.records th,.extract table.records td{border-bottom:1px solid #e1e5ec;padding:.3rem .5rem;text-align:left;vertical-align:top}
.extract table.record{border-collapse:collapse;width:100%;table-layout:fixed;margin:.3rem 0 .8rem;font-size:.92rem}
.extract table.record th{width:38%;text-align:left;font-weight:600;padding:.25rem .5rem;vertical-align:top;border-bottom:1px solid #eef1f5;overflow-wrap:break-word}
.extract table.record td{padding:.25rem .5rem;border-bottom:1px solid #eef1f5;overflow-wrap:anywhere}
.extract table.record caption{text-align:left;color:#4a5566;font-size:.85rem;padding:.2rem .5rem}
.extract .nw{white-space:nowrap}.extract .scroll{overflow-x:auto}
@media (max-width:30rem){.extract table.record th,.extract table.record td{display:block;width:auto;border:0;padding:.1rem .5rem}.extract table.record tr{display:block;border-bottom:1px solid #eef1f5;padding:.2rem 0}.extract dl.facts{grid-template-columns:1fr}.extract dl.facts dd{margin-bottom:.3rem}}
@media print{
  body{background:#fff}main{max-width:none;padding:0}.extract{font-size:10pt}
  .extract .scroll{overflow:visible}
  .extract table.record,.extract table.records tr,.extract dl.facts,.extract .transfer{break-inside:avoid}
  .extract h2,.extract h3,.extract h4{break-after:avoid}
  .extract a[href^="http"]::after{content:" (" attr(href) ")";font-size:.85em}
}`;

/** Many fields or one row: one small table per record (label, value); otherwise one table of rows. */
function records(c: ExtractCollection, x: Extract): Html {
  const w = EXTRACT_WORDS[x.language];
  const fields = c.fields.filter((f) => f.shown);
  const tz = x.request.timeZone;
  const cell = (f: ExtractField, r: Record<string, unknown>) =>
    html`<td${NO_WRAP.has(f.format) ? html` class="nw"` : ''}>${valueInWords(r[f.name], f, x.language, tz) || w.empty}</td>`;
  if (c.rows.length > 1 && fields.length <= 5)
    return html`<div class="scroll"><table class="records"><thead><tr>${fields.map((f) => html`<th scope="col">${f.label}</th>`)}</tr></thead>
<tbody>${c.rows.map((r) => html`<tr>${fields.map((f) => cell(f, r))}</tr>`)}</tbody></table></div>`;
  return html`${c.rows.map(
    (
      r,
      i,
    ) => html`<table class="record">${c.rows.length > 1 ? html`<caption>${w.record(i + 1, c.rows.length)}</caption>` : ''}
<tbody>${fields.map((f) => html`<tr><th scope="row">${f.label}</th>${cell(f, r)}</tr>`)}</tbody></table>`,
  )}`;
}

function dataSection(x: Extract): Html {
  const w = EXTRACT_WORDS[x.language];
  if (x.data.length === 0) return html`<p>${w.noData}</p>`;
  const purposeName = new Map(x.processing.purposes.map((p) => [p.id, p.name]));
  // Grouped by purpose (a collection's first), then by system.
  const groups = new Map<string, ExtractCollection[]>();
  for (const c of x.data) {
    const key = c.purposes[0] ?? '';
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  return html`${[...groups].map(([purpose, colls]) => {
    const systems = [...new Set(colls.map((c) => c.systemName))];
    return html`<section class="purpose"><h3>${purposeName.get(purpose) ?? w.dataHeading}</h3>
${systems.map((s) =>
  colls
    .filter((c) => c.systemName === s)
    .map((c) => {
      const also = c.purposes
        .slice(1)
        .map((p) => purposeName.get(p))
        .filter((n): n is string => Boolean(n));
      return html`<section class="coll"><h4>${c.title}</h4>
<p class="meta">${w.inSystem(c.systemName)}${c.source === 'service' ? html` · ${w.fromService(c.systemName)}` : ''}<br>${w.categories}: ${c.categories.join(', ')}${also.length ? html`<br>${w.alsoFor}: ${also.join(', ')}` : ''}</p>
${records(c, x)}</section>`;
    }),
)}</section>`;
  })}`;
}

function processingSection(x: Extract): Html {
  const w = EXTRACT_WORDS[x.language];
  return html`<h2>${w.processingHeading}</h2><p>${w.processingIntro}</p>
${x.processing.purposes.map(
  (p) => html`<section class="purpose"><h3>${p.name}</h3><dl class="facts">
<dt>${w.legalBasis}</dt><dd>${p.legalBases.map((b) => b.text).join('; ')}</dd>
<dt>${w.categories}</dt><dd>${p.categories.join(', ') || w.empty}</dd>
<dt>${w.recipients}</dt><dd>${p.recipients.join(', ') || w.noRecipients}</dd>
<dt>${w.retention}</dt><dd>${p.retention?.description ?? w.empty}</dd>
<dt>${w.source}</dt><dd>${p.source || w.empty}</dd>
</dl></section>`,
)}
<h2>${w.transfersHeading}</h2>
${
  x.processing.transfers.length
    ? html`<p>${w.transfersIntro}</p>${x.processing.transfers.map(
        (tr) => html`<section class="transfer"><h3>${tr.recipient}</h3><dl class="facts">
<dt>${w.to}</dt><dd>${tr.countries.map((c) => c.name).join(', ')}</dd>
<dt>${w.safeguard}</dt><dd>${tr.safeguard}${tr.measures ? html`. ${tr.measures}` : ''}</dd></dl></section>`,
      )}`
    : html`<p>${w.noTransfers}</p>`
}
<h2>${w.automatedHeading}</h2>
<p>${
    x.processing.automatedDecisions
      ? w.automatedSome(
          x.processing.purposes
            .filter((p) => p.automatedDecisions)
            .map((p) => p.name)
            .join(', '),
        )
      : w.automatedNone
  }</p>`;
}

export function extractHtml(x: Extract): string {
  const w = EXTRACT_WORDS[x.language];
  const ref = x.request.reference ?? x.request.id;
  const body = html`<div class="extract"><h1>${w.title(x.controller.legalName)}</h1>
<p>${w.intro(x.controller.legalName)}</p>
<dl class="facts"><dt>${w.reference}</dt><dd class="nw">${ref}</dd>
<dt>${w.produced}</dt><dd>${timestampInWords(x.request.generatedAt, x.language, x.request.timeZone)}</dd>
<dt>${w.controller}</dt><dd>${x.controller.legalName}</dd>
<dt>${w.contact}</dt><dd>${x.controller.email}</dd>
${x.controller.dpoEmail ? html`<dt>${w.dpo}</dt><dd>${x.controller.dpoEmail}</dd>` : ''}</dl>
<h2>${w.dataHeading}</h2>
${dataSection(x)}
${
  x.services.length
    ? html`<h2>${w.servicesHeading}</h2><p>${w.servicesIntro}</p>
<ul id="services">${x.services.map((v) => html`<li>${v.systemName}: ${v.status === 'not_found' ? w.serviceNone : x.data.some((c) => c.source === 'service' && c.system === v.system) ? w.serviceShown(v.records) : w.serviceByHand(v.records)}</li>`)}</ul>`
    : ''
}
${processingSection(x)}
<h2>${w.rightsHeading}</h2><ul>${x.processing.rights.map((r) => html`<li>${r}</li>`)}</ul>
${x.processing.complaintsTo ? html`<p>${w.complaint(x.processing.complaintsTo.name)} <a href="${x.processing.complaintsTo.web}">${x.processing.complaintsTo.web}</a></p>` : ''}
</div>`;
  return publicPage({
    title: `${w.title(x.controller.legalName)} (${ref})`,
    lang: x.language,
    body,
    css: PAGE_CSS,
  });
}
