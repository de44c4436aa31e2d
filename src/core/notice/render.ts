/**
 * The privacy notice, generated from the register: a document of sections and blocks,
 * then rendered to HTML or Markdown. Same sections as the group's published notice.
 */
import { html, type Html, raw } from '../html.ts';
import type { RegisterIndex } from '../register/register-index.ts';
import { type Language, t } from '../register/schema.ts';
import type { NoticeChange } from './diff.ts';
import { changeInWords } from './changeWords.ts';
import { countryName, durationWords, NOTICE_STRINGS } from './i18n.ts';

export type Block =
  | { p: string }
  | { h3: string; id?: string }
  | { ul: string[] }
  | { dl: [string, string[]][] }
  | { table: { head: string[]; rows: string[][] } };
export type Section = { id: string; heading: string; blocks: Block[] };
export type NoticeDocument = {
  lang: Language;
  title: string;
  orgId: string;
  lastUpdated?: string;
  upcoming?: string;
  sections: Section[];
};

export type VersionSummary = {
  version: number;
  effectiveDate: string;
  material: boolean;
  changes: NoticeChange[];
  /**
   * The registers that name this version's changes: the one it was published from, then the one of the
   * version before (where a removed purpose or recipient is still named). Absent: the notice's own.
   */
  registers?: RegisterIndex[];
};

export function buildNotice(
  ix: RegisterIndex,
  orgId: string,
  lang: Language,
  history: VersionSummary[] = [],
  today?: string,
): NoticeDocument {
  const s = NOTICE_STRINGS[lang];
  const org = ix.organization(orgId);
  if (!org) throw new Error(`unknown organization ${orgId}`);
  const group = ix.register.group.name;
  const purposes = ix.purposesOf(orgId);
  const authority = ix.authorityOf(orgId);
  const authorityText = authority
    ? `${t(authority.name, lang)}, ${authority.web}${authority.email ? `, ${authority.email}` : ''}`
    : '';

  const sections: Section[] = [];
  sections.push({
    id: 'intro',
    heading: '',
    blocks: [
      { p: s.intro(group) },
      { p: s.controllerIs(`${org.legalName} (${org.registrationNumber})`) },
      { p: s.eachCompany(group) },
      { p: s.cookiesIntro },
    ],
  });

  const purposeBlocks: Block[] = [{ p: s.purposesIntro }];
  for (const p of purposes) {
    purposeBlocks.push({ h3: t(p.name, lang), id: `purpose-${p.id}` });
    if (p.description) purposeBlocks.push({ p: t(p.description, lang) });
    const byBasis = new Map<string, string[]>();
    for (const d of p.data) {
      const list = byBasis.get(d.legalBasis) ?? [];
      for (const c of d.categories) {
        const label = ix.categoryLabel(c, lang);
        if (!list.includes(label)) list.push(label);
      }
      byBasis.set(d.legalBasis, list);
    }
    const categoryLabels = [
      ...new Set(p.data.flatMap((d) => d.categories.map((c) => ix.categoryLabel(c, lang)))),
    ];
    const bases = p.data.map((d) => {
      const basis = s.legalBases[d.legalBasis];
      const detail = d.legitimateInterest ?? d.note;
      const cats = d.categories.map((c) => ix.categoryLabel(c, lang)).join(', ');
      return `${basis}: ${cats}${detail ? ` — ${t(detail, lang)}` : ''}`;
    });
    const recipients = ix.recipientsOf(p).map((r) => {
      const label = r.recipientCategory ? t(r.recipientCategory, lang) : r.name;
      const third = ix.thirdCountries(r);
      return third.length > 0
        ? `${label} (${third.map((c) => countryName(c, lang)).join(', ')}, ${s.thirdCountry}: ${r.transfer ? s.transferMechanism[r.transfer.mechanism] : '—'})`
        : label;
    });
    const rule = p.retention ? ix.retentionRules.get(p.retention) : undefined;
    const dl: [string, string[]][] = [
      [s.dataProcessed, categoryLabels],
      [s.legalBasis, bases],
      [s.howCollected, [t(p.collection, lang)]],
      [s.recipients, recipients.length > 0 ? [...new Set(recipients)] : [s.noRecipients]],
    ];
    if (rule) dl.push([s.retentionLabel, [`${t(rule.name, lang)}: ${t(rule.description, lang)}`]]);
    if (p.consent) dl.push([s.consentWithdrawal, [t(p.consent.withdrawal, lang)]]);
    purposeBlocks.push({ dl });
  }
  sections.push({ id: 'purposes', heading: s.purposesHeading, blocks: purposeBlocks });

  sections.push({
    id: 'access',
    heading: s.accessHeading,
    blocks: [{ ul: [s.accessCustomerService, s.accessAccount, s.accessCommunication, s.accessCookies] }],
  });

  const usedRules = new Set(purposes.map((p) => p.retention).filter(Boolean) as string[]);
  const legalRules = new Set<string>();
  for (const id of usedRules)
    for (const e of ix.exceptionsFor(ix.retentionRules.get(id), org.country)) legalRules.add(e.id);
  const ruleLine = (id: string) => {
    const r = ix.retentionRules.get(id)!;
    return `${t(r.name, lang)} (${durationWords(r.duration, lang)}): ${t(r.description, lang)}${r.law ? ` — ${t(r.law, lang)}` : ''}`;
  };
  sections.push({
    id: 'storage',
    heading: s.retentionHeading,
    blocks: [
      { p: s.retentionIntro },
      { ul: [...usedRules].filter((id) => ix.retentionRules.has(id)).map(ruleLine) },
      ...(legalRules.size > 0
        ? [
            { p: s.retentionExceptions },
            { ul: [...legalRules].filter((id) => ix.retentionRules.has(id)).map(ruleLine) },
          ]
        : []),
    ],
  });

  const recipientsAll = [
    ...new Map(purposes.flatMap((p) => ix.recipientsOf(p)).map((r) => [r.id, r])).values(),
  ];
  const countries = [...new Set(recipientsAll.flatMap((r) => r.storageCountries))];
  const transfers = recipientsAll.filter((r) => ix.thirdCountries(r).length > 0);
  sections.push({
    id: 'where',
    heading: s.storageHeading,
    blocks: [
      { p: s.storageEea },
      { ul: countries.map((c) => countryName(c, lang)) },
      ...(transfers.length > 0
        ? [
            { p: s.storageTransfers },
            {
              ul: transfers.map(
                (r) =>
                  `${r.name}: ${ix
                    .thirdCountries(r)
                    .map((c) => countryName(c, lang))
                    .join(
                      ', ',
                    )} — ${r.transfer ? s.transferMechanism[r.transfer.mechanism] : '—'}${r.transfer?.measures ? `; ${t(r.transfer.measures, lang)}` : ''}`,
              ),
            },
          ]
        : []),
    ],
  });

  const recipientCategories = [
    ...new Set(recipientsAll.map((r) => (r.recipientCategory ? t(r.recipientCategory, lang) : r.name))),
  ];
  sections.push({
    id: 'sharing',
    heading: s.sharingHeading,
    blocks: [{ p: s.sharingIntro }, { ul: recipientCategories }],
  });

  const measures = org.securityMeasures.map((m) => t(m, lang));
  sections.push({
    id: 'security',
    heading: s.complianceHeading,
    blocks: measures.length > 0 ? [{ ul: measures }] : [],
  });

  const promises = org.promises;
  sections.push({
    id: 'rights',
    heading: s.rightsHeading,
    blocks: [
      { p: s.rightsIntro },
      {
        ul: [
          s.rights.access,
          s.rights.rectification,
          s.rights.objection,
          s.rights.erasure,
          s.rights.restriction,
          s.rights.portability,
          s.rights.complaint(authorityText),
        ],
      },
      { p: s.rightsFree(promises.responseDays, promises.maxExtendedMonths) },
    ],
  });

  const joints = ix.jointArrangementsOf(orgId);
  if (joints.length > 0) {
    sections.push({
      id: 'joint',
      heading: s.jointHeading,
      blocks: [
        { p: s.jointIntro },
        ...joints.flatMap((j): Block[] => [
          {
            dl: [
              [
                j.controllers.map((c) => ix.organization(c)?.legalName ?? c).join(', '),
                [
                  t(j.essence, lang),
                  j.purposes
                    .map((pid) => (ix.purposes.get(pid) ? t(ix.purposes.get(pid)!.name, lang) : pid))
                    .join(', '),
                  s.jointContact(ix.organization(j.contactPoint)?.legalName ?? j.contactPoint),
                ],
              ],
            ],
          },
        ]),
      ],
    });
  }

  const contactOrg = org;
  const contactLines = [
    `${contactOrg.legalName} ${contactOrg.registrationNumber}`,
    `${contactOrg.address.street}, ${contactOrg.address.postalCode} ${contactOrg.address.city}, ${countryName(contactOrg.address.country, lang)}`,
    contactOrg.contact.email,
    ...(contactOrg.contact.phone ? [contactOrg.contact.phone] : []),
    ...(contactOrg.dpo
      ? [`${s.dpo}: ${contactOrg.dpo.name ? `${contactOrg.dpo.name}, ` : ''}${contactOrg.dpo.email}`]
      : []),
    ...(authority ? [`${s.authority}: ${authorityText}`] : []),
  ];
  sections.push({
    id: 'contact',
    heading: s.contactHeading,
    blocks: [{ p: s.contactIntro }, { ul: contactLines }],
  });

  const cookieBlocks: Block[] = [];
  for (const cat of ix.register.cookieCategories) {
    const cookies = ix.cookiesIn(cat.id);
    cookieBlocks.push({ h3: t(cat.label, lang), id: `cookies-${cat.id}` }, { p: t(cat.description, lang) });
    if (cookies.length > 0)
      cookieBlocks.push({
        table: {
          head: s.cookieColumns,
          rows: cookies.map((c) => [
            c.name,
            c.provider,
            t(c.purpose, lang),
            c.lifetime === 'session' ? s.session : durationWords(c.lifetime, lang),
          ]),
        },
      });
  }
  sections.push({ id: 'cookies', heading: s.cookieHeading, blocks: cookieBlocks });

  const effective = history.filter((v) => !today || v.effectiveDate <= today);
  const upcoming = history.find((v) => today && v.effectiveDate > today);
  const current = effective.at(-1);
  // The first version has nothing before it: it is "the first version", not a change of any size.
  const isFirst = (v: VersionSummary) => v.version === 1;
  const versionLabel = (v: VersionSummary) =>
    isFirst(v) ? s.firstVersion : v.material ? s.material : s.notMaterial;
  sections.push({
    id: 'history',
    heading: s.historyHeading,
    blocks: [
      ...(current ? [{ p: s.lastUpdated(current.effectiveDate) }] : []),
      ...(upcoming ? [{ p: s.upcoming(upcoming.effectiveDate) }] : []),
      {
        ul: [...history]
          .reverse()
          .map(
            (v) =>
              `${s.version} ${v.version}, ${s.effectiveFrom(v.effectiveDate)} (${versionLabel(v)})${isFirst(v) || v.changes.length === 0 ? '' : `: ${v.changes.map((c) => changeInWords(c, lang, [...(v.registers ?? []), ix])).join(' ')}`}`,
          ),
      },
    ],
  });

  return {
    lang,
    orgId,
    title: s.title(group, org.legalName),
    lastUpdated: current?.effectiveDate,
    upcoming: upcoming?.effectiveDate,
    sections,
  };
}

function blockHtml(b: Block): Html {
  if ('p' in b) return html`<p>${b.p}</p>`;
  if ('h3' in b) return html`<h3 id="${b.id ?? ''}">${b.h3}</h3>`;
  if ('ul' in b) return html`<ul>${b.ul.map((i) => html`<li>${i}</li>`)}</ul>`;
  if ('dl' in b)
    return html`<dl>${b.dl.map(([term, defs]) => html`<dt>${term}</dt>${defs.map((d) => html`<dd>${d}</dd>`)}`)}</dl>`;
  return html`<table><thead><tr>${b.table.head.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead><tbody>${b.table.rows.map(
    (r) => html`<tr>${r.map((c) => html`<td>${c}</td>`)}</tr>`,
  )}</tbody></table>`;
}

/** The notice body as an HTML fragment (the page wraps it). */
export function noticeHtml(doc: NoticeDocument): Html {
  const s = NOTICE_STRINGS[doc.lang];
  const toc = doc.sections.filter((x) => x.heading);
  return html`<article class="notice" lang="${doc.lang}">
<h1>${doc.title}</h1>
${doc.upcoming ? html`<p class="upcoming" role="status">${s.upcoming(doc.upcoming)}</p>` : ''}
<nav aria-label="${s.contents}"><h2>${s.contents}</h2><ol>${toc.map((x) => html`<li><a href="#${x.id}">${x.heading}</a></li>`)}</ol></nav>
${doc.sections.map(
  (x) =>
    html`<section id="${x.id}">${x.heading ? html`<h2>${x.heading}</h2>` : ''}${x.blocks.map(blockHtml)}</section>`,
)}
</article>`;
}

/** A standalone HTML document, for `ombud notice render --format html`. */
export function noticeHtmlDocument(doc: NoticeDocument): string {
  return html`<!doctype html><html lang="${doc.lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${doc.title}</title>
<style>${raw(NOTICE_CSS)}</style></head><body>${noticeHtml(doc)}</body></html>`.value;
}

export const NOTICE_CSS = `body{font:16px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2430;max-width:52rem;margin:2rem auto;padding:0 1rem}
h1{font-size:1.9rem;margin:.2rem 0 1rem}h2{font-size:1.35rem;margin-top:2.2rem;border-bottom:1px solid #dfe3ea;padding-bottom:.3rem}h3{font-size:1.1rem;margin-top:1.6rem}
dl{display:grid;grid-template-columns:minmax(10rem,14rem) 1fr;gap:.25rem 1rem;background:#f6f8fb;border-radius:8px;padding:.8rem 1rem}dt{font-weight:600;grid-column:1}dd{margin:0;grid-column:2}
nav ol li{margin:.15rem 0}nav ol a{display:inline-block;padding:.15rem 0;min-height:24px}table{border-collapse:collapse;width:100%;font-size:.93rem}th,td{text-align:left;border-bottom:1px solid #e4e7ed;padding:.35rem .5rem;vertical-align:top}
.upcoming{background:#fff6da;border:1px solid #f0d98a;padding:.6rem .8rem;border-radius:6px}nav ol{columns:2}
@media (max-width:40rem){dl{grid-template-columns:1fr}dt,dd{grid-column:1}nav ol{columns:1}}`;

const mdEscape = (s: string) => s.replace(/([\\`*_[\]|<>])/g, '\\$1');

export function noticeMarkdown(doc: NoticeDocument): string {
  const s = NOTICE_STRINGS[doc.lang];
  const out: string[] = [`# ${mdEscape(doc.title)}`, ''];
  if (doc.upcoming) out.push(`> ${s.upcoming(doc.upcoming)}`, '');
  out.push(`## ${s.contents}`, '');
  doc.sections
    .filter((x) => x.heading)
    .forEach((x, i) => out.push(`${i + 1}. [${mdEscape(x.heading)}](#${x.id})`));
  out.push('');
  for (const x of doc.sections) {
    if (x.heading) out.push(`## ${mdEscape(x.heading)}`, '');
    for (const b of x.blocks) {
      if ('p' in b) out.push(mdEscape(b.p), '');
      else if ('h3' in b) out.push(`### ${mdEscape(b.h3)}`, '');
      else if ('ul' in b) out.push(...b.ul.map((i) => `- ${mdEscape(i)}`), '');
      else if ('dl' in b) {
        for (const [term, defs] of b.dl)
          out.push(`**${mdEscape(term)}**`, '', ...defs.map((d) => `- ${mdEscape(d)}`), '');
      } else {
        out.push(
          `| ${b.table.head.map(mdEscape).join(' | ')} |`,
          `|${b.table.head.map(() => '---').join('|')}|`,
        );
        out.push(...b.table.rows.map((r) => `| ${r.map(mdEscape).join(' | ')} |`), '');
      }
    }
  }
  return out.join('\n');
}
