/**
 * What an access or portability request hands over: the register extract (JSON for a program, HTML for a
 * person) with the Art. 15 information from the register, and the portability ZIP (JSON + CSV) holding only
 * the data the subject provided, processed on consent or contract.
 */
import { strToU8, zipSync } from 'fflate';
import type { Collection, Dataset, Field } from '../../core/fulfilment/dataset.ts';
import { html } from '../../core/html.ts';
import type { RegisterIndex } from '../../core/register/register-index.ts';
import { type Language, LEGAL_BASIS_ARTICLE, t } from '../../core/register/schema.ts';
import { publicPage } from '../../core/page.ts';
import type { Engine, Located, Row } from './engine.ts';

export type ExtractCollection = {
  dataset: string;
  system: string;
  systemName: string;
  collection: string;
  categories: string[];
  rows: Row[];
  /** Where the rows came from: the group's own database, or a service's answer through its HTTP connector. */
  source?: 'database' | 'service';
};

/** A service's answer to an access (docs/connectors/http.md): its records by collection. */
export type ServiceData = {
  system: string;
  status: 'done' | 'not_found';
  records?: number;
  data: Record<string, Record<string, unknown>[]>;
};

export type Extract = {
  request: { id: string; orgId: string; generatedAt: string };
  controller: { id: string; legalName: string; email: string; dpoEmail?: string };
  data: ExtractCollection[];
  /** The services asked for their data (HTTP connector) and what each answered. */
  services: { system: string; systemName: string; status: 'done' | 'not_found'; records: number }[];
  processing: {
    purposes: {
      id: string;
      name: string;
      legalBases: { basis: string; article: string }[];
      categories: string[];
      recipients: string[];
      retention?: { rule: string; name: string; description: string };
      sources: string[];
    }[];
    rights: string[];
    complaintsTo?: { name: string; web: string };
  };
};

const RIGHTS = [
  'Access to your data and a copy of it (Art. 15)',
  'Rectification of incorrect or incomplete data (Art. 16)',
  'Erasure (Art. 17)',
  'Restriction of processing (Art. 18)',
  'Data portability (Art. 20)',
  'Objection to processing based on legitimate interests or for direct marketing (Art. 21)',
  'Withdrawal of consent at any time, without affecting earlier processing (Art. 7(3))',
  'Complaint to a supervisory authority (Art. 77)',
];

const purposeIdsOf = (c: Collection) => c.ombud?.purposes ?? [];

export function buildExtract(
  engine: Engine,
  located: Located,
  index: RegisterIndex,
  req: { requestId: string; orgId: string; now: Date; lang?: Language; services?: ServiceData[] },
): Extract {
  const lang = req.lang ?? 'en';
  const org = index.organization(req.orgId);
  const data: ExtractCollection[] = [];
  const purposeIds = new Set<string>();
  for (const [id, rows] of located) {
    if (!rows.length) continue;
    const { dataset, collection } = engine.node(id);
    for (const p of purposeIdsOf(collection)) purposeIds.add(p);
    data.push({
      dataset: dataset.fides_key,
      system: dataset.ombud.system,
      systemName: index.systems.get(dataset.ombud.system)?.name ?? dataset.ombud.system,
      collection: collection.name,
      categories: [...new Set(collection.fields.flatMap((f) => f.data_categories))]
        .filter((k) => k.startsWith('user.'))
        .map((k) => index.categoryLabel(k, lang)),
      rows,
      source: 'database',
    });
  }
  // What the services answered, under each service's name; the categories are those the register lists
  // for the system (a service's own field names are shown as it sent them).
  const services: Extract['services'] = [];
  for (const a of req.services ?? []) {
    const system = index.systems.get(a.system);
    const systemName = system?.name ?? a.system;
    const collections = Object.entries(a.data).filter(([, rows]) => rows.length > 0);
    services.push({
      system: a.system,
      systemName,
      status: a.status,
      records: a.records ?? collections.reduce((n, [, rows]) => n + rows.length, 0),
    });
    if (collections.length === 0) continue;
    for (const p of index.purposesOf(req.orgId))
      if (p.systems.includes(a.system) || p.recipients.includes(a.system)) purposeIds.add(p.id);
    for (const [name, rows] of collections)
      data.push({
        dataset: '',
        system: a.system,
        systemName,
        collection: name,
        categories: (system?.dataCategories ?? [])
          .filter((k) => k.startsWith('user.'))
          .map((k) => index.categoryLabel(k, lang)),
        rows: rows as Row[],
        source: 'service',
      });
  }
  const purposes = index
    .purposesOf(req.orgId)
    .filter((p) => purposeIds.size === 0 || purposeIds.has(p.id))
    .map((p) => {
      const rule = p.retention ? index.retentionRules.get(p.retention) : undefined;
      return {
        id: p.id,
        name: t(p.name, lang),
        legalBases: index.legalBases(p).map((b) => ({ basis: b, article: LEGAL_BASIS_ARTICLE[b] })),
        categories: index.categoriesOf(p).map((k) => index.categoryLabel(k, lang)),
        recipients: index
          .recipientsOf(p)
          .map((s) => (s.recipientCategory ? t(s.recipientCategory, lang) : s.name)),
        retention: rule
          ? { rule: rule.id, name: t(rule.name, lang), description: t(rule.description, lang) }
          : undefined,
        sources: p.sources,
      };
    });
  const authority = index.authorityOf(req.orgId);
  return {
    request: { id: req.requestId, orgId: req.orgId, generatedAt: req.now.toISOString() },
    controller: {
      id: req.orgId,
      legalName: org?.legalName ?? req.orgId,
      email: org?.contact.email ?? '',
      dpoEmail: org?.dpo?.email,
    },
    data,
    services,
    processing: {
      purposes,
      rights: RIGHTS,
      complaintsTo: authority ? { name: t(authority.name, lang), web: authority.web } : undefined,
    },
  };
}

const cell = (v: unknown) =>
  v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);

export function extractHtml(x: Extract, lang: Language = 'en'): string {
  const body = html`<h1>Your personal data at ${x.controller.legalName}</h1>
<p>This is a copy of the personal data ${x.controller.legalName} holds about you, with information about how it is processed (GDPR Art. 15). Request ${x.request.id}, produced ${x.request.generatedAt.slice(0, 10)}.</p>
<h2>The data we hold</h2>
${x.data.length === 0 ? html`<p>We hold no personal data about you in these systems.</p>` : ''}
${x.data.map((c) => {
  const cols = [...new Set(c.rows.flatMap((r) => Object.keys(r)))];
  return html`<section><h3>${c.systemName}: ${c.collection.replace(/_/g, ' ')}</h3>
<p>${c.source === 'service' ? `As ${c.systemName} answered our request. ` : ''}Categories: ${c.categories.join(', ')}</p>
<div style="overflow-x:auto"><table><thead><tr>${cols.map((k) => html`<th>${k.replace(/_/g, ' ')}</th>`)}</tr></thead>
<tbody>${c.rows.map((r) => html`<tr>${cols.map((k) => html`<td>${cell(r[k])}</td>`)}</tr>`)}</tbody></table></div></section>`;
})}
${
  x.services.length
    ? html`<h2>Services we asked</h2><p>We also asked these services, which process data for us, what they hold about you:</p>
<ul id="services">${x.services.map((v) => html`<li>${v.systemName}: ${v.status === 'not_found' ? 'holds no data about you' : x.data.some((c) => c.source === 'service' && c.system === v.system) ? `${v.records} record(s), shown above` : `${v.records} record(s), confirmed by hand (ask us for a copy)`}</li>`)}</ul>`
    : ''
}
<h2>Why we process it</h2>
<table><thead><tr><th>Purpose</th><th>Legal basis</th><th>Categories</th><th>Recipients</th><th>How long</th><th>Source</th></tr></thead><tbody>
${x.processing.purposes.map(
  (p) =>
    html`<tr><td>${p.name}</td><td>${p.legalBases.map((b) => `${b.basis} (${b.article})`).join(', ')}</td><td>${p.categories.join(', ')}</td><td>${p.recipients.join(', ') || '—'}</td><td>${p.retention?.description ?? '—'}</td><td>${p.sources.join(', ')}</td></tr>`,
)}</tbody></table>
<h2>Your rights</h2><ul>${x.processing.rights.map((r) => html`<li>${r}</li>`)}</ul>
${x.processing.complaintsTo ? html`<p>You may complain to ${x.processing.complaintsTo.name} (<a href="${x.processing.complaintsTo.web}">${x.processing.complaintsTo.web}</a>).</p>` : ''}
<p>Contact: ${x.controller.email}${x.controller.dpoEmail ? ` · Data protection officer: ${x.controller.dpoEmail}` : ''}</p>`;
  return publicPage({ title: `Register extract ${x.request.id}`, lang, body });
}

// ---------------------------------------------------------------------------------------------------------
// Portability

const PORTABLE_BASES = new Set(['consent', 'contract']);

/** A field is portable when the subject provided it and a purpose it serves rests on consent or contract. */
export function portableFields(collection: Collection, index: RegisterIndex): Field[] {
  return collection.fields.filter((f) => {
    if (!f.ombud?.provided_by_subject) return false;
    const ids = f.ombud.purposes ?? purposeIdsOf(collection);
    return ids.some((id) =>
      index.purposes
        .get(id)
        ?.data.some((d) => PORTABLE_BASES.has(d.legalBasis) && d.providedBySubject !== false),
    );
  });
}

export type Portable = { dataset: string; collection: string; rows: Row[] }[];

export function buildPortable(engine: Engine, located: Located, index: RegisterIndex): Portable {
  const out: Portable = [];
  for (const [id, rows] of located) {
    if (!rows.length) continue;
    const { dataset, collection } = engine.node(id);
    const fields = portableFields(collection, index).map((f) => f.name);
    if (!fields.length) continue;
    out.push({
      dataset: dataset.fides_key,
      collection: collection.name,
      rows: rows.map((r) => Object.fromEntries(fields.map((f) => [f, r[f] ?? null]))),
    });
  }
  return out;
}

const csvCell = (v: unknown) => {
  const s = cell(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function toCsv(rows: Row[]): string {
  const cols = Object.keys(rows[0] ?? {});
  return [cols.join(','), ...rows.map((r) => cols.map((c) => csvCell(r[c])).join(','))].join('\r\n') + '\r\n';
}

/**
 * data.json plus one CSV per collection. Deterministic (fixed mtime) so the same data gives the same bytes.
 * Files under 8 KB are stored, not deflated: compressing them costs more time than the bytes are worth.
 */
export function portableZip(p: Portable, meta: { requestId: string }): Uint8Array {
  const mtime = new Date('2020-01-01T00:00:00Z');
  const entry = (data: Uint8Array): [Uint8Array, { mtime: Date; level: 0 | 6 }] => [
    data,
    { mtime, level: data.length < 8192 ? 0 : 6 },
  ];
  const files: Record<string, [Uint8Array, { mtime: Date; level: 0 | 6 }]> = {
    'data.json': entry(strToU8(JSON.stringify({ request: meta.requestId, collections: p }, null, 2))),
  };
  for (const c of p) files[`${c.dataset}/${c.collection}.csv`] = entry(strToU8(toCsv(c.rows)));
  return zipSync(files);
}

export type { Dataset };
