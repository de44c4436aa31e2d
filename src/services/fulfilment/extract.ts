/**
 * What an access or portability request hands over: the register extract (JSON for a program, HTML for a
 * person) with the Art. 15 information from the register, and the portability ZIP (JSON + CSV) holding only
 * the data the subject provided, processed on consent or contract.
 */
import { strToU8, zipSync } from 'fflate';
import type { Collection, Dataset, Field, FieldFormat } from '../../core/fulfilment/dataset.ts';
import {
  EXTRACT_SCHEMA_PATH,
  EXTRACT_SCHEMA_VERSION,
  type Extract,
  type ExtractCollection,
  type ExtractField,
  type ExtractPurpose,
  type ExtractTransfer,
} from '../../core/fulfilment/extractSchema.ts';
import { categoryWords, EXTRACT_WORDS } from '../../core/fulfilment/extractWords.ts';
import { currencyOf, timeZoneOf } from '../../core/locale.ts';
import { countryName, NOTICE_STRINGS } from '../../core/notice/i18n.ts';
import type { RegisterIndex } from '../../core/register/register-index.ts';
import { type Language, LEGAL_BASIS_ARTICLE, type System, t } from '../../core/register/schema.ts';
import type { Engine, Located, Row } from './engine.ts';

export { extractHtml } from '../../core/fulfilment/extractPage.ts';
export type { Extract, ExtractCollection };

/** A service's answer to an access (docs/connectors/http.md): its records by collection. */
export type ServiceData = {
  system: string;
  status: 'done' | 'not_found';
  records?: number;
  data: Record<string, Record<string, unknown>[]>;
};

const purposeIdsOf = (c: Collection) => c.ombud?.purposes ?? [];

/**
 * How the customer names a recipient: the notice's kind of recipient; `withVendor`, followed by the vendor
 * (its operator) when it is not one of the group's companies (a transfer, a recipient told of a change).
 */
export function recipientWords(index: RegisterIndex, s: System, lang: Language, withVendor = true): string {
  const kind = s.recipientCategory ? t(s.recipientCategory, lang) : s.name;
  const vendor =
    withVendor && s.role !== 'internal' && !index.organization(s.operator) && !kind.includes(s.operator);
  return vendor ? `${kind} (${s.operator})` : kind;
}

/** The format a field is read in: annotated, or guessed from its categories. */
function formatOf(f: Field): FieldFormat {
  if (f.ombud?.format) return f.ombud.format;
  if (f.data_categories.includes('user.contact.address.country')) return 'country';
  return 'text';
}

const pad = (n: number) => String(n).padStart(2, '0');
/** A value as JSON carries it: calendar days as YYYY-MM-DD, moments as ISO 8601, big integers as numbers. */
function jsonValue(v: unknown, format: FieldFormat): unknown {
  if (v instanceof Date) {
    if (format === 'date') return `${v.getFullYear()}-${pad(v.getMonth() + 1)}-${pad(v.getDate())}`;
    return v.toISOString();
  }
  if (typeof v === 'bigint') return Number(v);
  if (format === 'date' && typeof v === 'string') return v.slice(0, 10);
  if (Buffer.isBuffer(v)) return v.toString('base64');
  return v ?? null;
}

/** The fields of a collection as the customer reads them; internal keys without a label are not shown. */
function fieldsOf(
  collection: Collection,
  index: RegisterIndex,
  lang: Language,
  currency: string,
): ExtractField[] {
  return collection.fields.map((f) => {
    const personal = f.data_categories.filter((k) => k.startsWith('user.'));
    const label = f.ombud?.label
      ? t(f.ombud.label, lang)
      : personal[0]
        ? categoryWords(index, personal[0], lang)
        : f.name;
    const format = formatOf(f);
    return {
      name: f.name,
      label,
      categories: f.data_categories,
      format,
      ...(format === 'money_cents' ? { currency: f.ombud?.currency ?? currency } : {}),
      shown: Boolean(f.ombud?.label) || personal.length > 0,
    };
  });
}

function collectionTitle(collection: Collection, lang: Language): string {
  return collection.ombud?.label ? t(collection.ombud.label, lang) : collection.name.replace(/_/g, ' ');
}

/** What the services answered, as collections of the extract (pushed to `data`) and the services' list. */
function serviceCollections(
  index: RegisterIndex,
  orgId: string,
  answers: ServiceData[],
  lang: Language,
  data: ExtractCollection[],
  purposeIds: Set<string>,
): Extract['services'] {
  // What the services answered, under each service's name; the categories are those the register lists
  // for the system (a service's own field names are shown as it sent them).
  const services: Extract['services'] = [];
  for (const a of answers) {
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
    const servicePurposes = index
      .purposesOf(orgId)
      .filter((p) => p.systems.includes(a.system) || p.recipients.includes(a.system))
      .map((p) => p.id);
    for (const p of servicePurposes) purposeIds.add(p);
    for (const [name, rows] of collections) {
      const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))];
      data.push({
        dataset: '',
        system: a.system,
        systemName,
        collection: name,
        title: name.replace(/_/g, ' '),
        purposes: servicePurposes,
        categories: (system?.dataCategories ?? [])
          .filter((k) => k.startsWith('user.'))
          .map((k) => categoryWords(index, k, lang)),
        fields: keys.map((k) => ({
          name: k,
          label: k.replace(/_/g, ' '),
          categories: [],
          format: 'text',
          shown: true,
        })),
        rows: rows.map((r) =>
          Object.fromEntries(Object.entries(r).map(([k, v]) => [k, jsonValue(v, 'text')])),
        ) as ExtractCollection['rows'],
        source: 'service',
      });
    }
  }
  return services;
}

/** The Art. 15 information of the purposes the data serves, and the transfers of their recipients (Art. 15(2)). */
function processingOf(
  index: RegisterIndex,
  orgId: string,
  purposeIds: Set<string>,
  lang: Language,
): { purposes: ExtractPurpose[]; transfers: ExtractTransfer[] } {
  const words = NOTICE_STRINGS[lang];
  const chosen = index.purposesOf(orgId).filter((p) => purposeIds.size === 0 || purposeIds.has(p.id));
  const purposes = chosen.map((p) => {
    const rule = p.retention ? index.retentionRules.get(p.retention) : undefined;
    return {
      id: p.id,
      name: t(p.name, lang),
      legalBases: index.legalBases(p).map((b) => ({
        basis: b,
        article: LEGAL_BASIS_ARTICLE[b],
        text: words.legalBases[b],
      })),
      categories: [...new Set(index.categoriesOf(p).map((k) => categoryWords(index, k, lang)))],
      recipients: index.recipientsOf(p).map((s) => recipientWords(index, s, lang, false)),
      retention: rule
        ? { rule: rule.id, name: t(rule.name, lang), description: t(rule.description, lang) }
        : undefined,
      sources: p.sources,
      source: t(p.collection, lang),
      automatedDecisions: p.automatedDecisions,
    };
  });
  // Art. 15(2): the recipients of these purposes in third countries, with the safeguard of each transfer.
  const transfers = new Map<string, ExtractTransfer>();
  for (const p of chosen)
    for (const sid of [...p.systems, ...p.recipients]) {
      const s = index.systems.get(sid);
      if (!s?.transfer) continue;
      const known = transfers.get(sid);
      if (known) {
        if (!known.purposes.includes(p.id)) known.purposes.push(p.id);
        continue;
      }
      transfers.set(sid, {
        recipient: recipientWords(index, s, lang),
        system: sid,
        countries: s.transfer.countries.map((c) => ({ code: c, name: countryName(c, lang) })),
        mechanism: s.transfer.mechanism,
        safeguard: words.transferMechanism[s.transfer.mechanism] ?? s.transfer.mechanism,
        ...(s.transfer.measures ? { measures: t(s.transfer.measures, lang) } : {}),
        purposes: [p.id],
      });
    }
  return { purposes, transfers: [...transfers.values()] };
}

export function buildExtract(
  engine: Engine,
  located: Located,
  index: RegisterIndex,
  req: {
    requestId: string;
    orgId: string;
    now: Date;
    lang?: Language;
    /** The customer's reference (R-…). */
    reference?: string;
    /** Ombud's public URL: the extract's `$schema` points at the schema served there. */
    publicUrl?: string;
    services?: ServiceData[];
  },
): Extract {
  const lang = req.lang ?? 'en';
  const org = index.organization(req.orgId);
  const currency = currencyOf(org?.country);
  const own = new Set(index.purposesOf(req.orgId).map((p) => p.id));
  const data: ExtractCollection[] = [];
  const purposeIds = new Set<string>();
  for (const [id, rows] of located) {
    if (!rows.length) continue;
    const { dataset, collection } = engine.node(id);
    const purposes = purposeIdsOf(collection).filter((p) => own.has(p));
    for (const p of purposes) purposeIds.add(p);
    const fields = fieldsOf(collection, index, lang, currency);
    const formats = new Map(fields.map((f) => [f.name, f.format]));
    data.push({
      dataset: dataset.fides_key,
      system: dataset.ombud.system,
      systemName: dataset.ombud.label
        ? t(dataset.ombud.label, lang)
        : (index.systems.get(dataset.ombud.system)?.name ?? dataset.ombud.system),
      collection: collection.name,
      title: collectionTitle(collection, lang),
      purposes,
      categories: [
        ...new Set(
          collection.fields
            .flatMap((f) => f.data_categories)
            .filter((k) => k.startsWith('user.'))
            .map((k) => categoryWords(index, k, lang)),
        ),
      ],
      fields,
      rows: rows.map(
        (r) =>
          Object.fromEntries(
            Object.entries(r).map(([k, v]) => [k, jsonValue(v, formats.get(k) ?? 'text')]),
          ) as ExtractCollection['rows'][number],
      ),
      source: 'database',
    });
  }
  // Art. 15(1)(a), (c): every purpose of the controller that uses the data of a system where the subject's rows
  // were found, not only those their collections are annotated with; the same rule that decides whom an
  // erasure tells (Art. 19, core/fulfilment/recipients.ts), so the extract names everyone who would be told.
  const held = new Set(data.map((c) => c.system));
  for (const p of index.purposesOf(req.orgId)) if (p.systems.some((s) => held.has(s))) purposeIds.add(p.id);
  const services = serviceCollections(index, req.orgId, req.services ?? [], lang, data, purposeIds);
  const { purposes, transfers } = processingOf(index, req.orgId, purposeIds, lang);
  const authority = index.authorityOf(req.orgId);
  return {
    $schema: `${req.publicUrl ?? ''}${EXTRACT_SCHEMA_PATH}`,
    schemaVersion: EXTRACT_SCHEMA_VERSION,
    language: lang,
    request: {
      id: req.requestId,
      ...(req.reference ? { reference: req.reference } : {}),
      orgId: req.orgId,
      generatedAt: req.now.toISOString(),
      timeZone: timeZoneOf(org?.country),
    },
    controller: {
      id: req.orgId,
      legalName: org?.legalName ?? req.orgId,
      email: org?.contact.email ?? '',
      ...(org?.dpo?.email ? { dpoEmail: org.dpo.email } : {}),
      ...(org?.country ? { country: org.country } : {}),
    },
    data,
    services,
    processing: {
      purposes,
      transfers,
      automatedDecisions: purposes.some((p) => p.automatedDecisions),
      rights: EXTRACT_WORDS[lang].rights,
      complaintsTo: authority ? { name: t(authority.name, lang), web: authority.web } : undefined,
    },
  };
}

const cell = (v: unknown) =>
  v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);

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
