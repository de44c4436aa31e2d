/**
 * Declarative SaaS connectors (docs/connectors/saas.md): a YAML file that says how to reach a SaaS product's
 * API for a data subject: how to authenticate (bearer, basic, an API-key header, OAuth2 client credentials),
 * and per collection which endpoints read the subject's records, mask (update) or delete them, correct them
 * and restrict them, with the identities, settings, secrets, the record read and other collections' records
 * as parameters; how the answers are paged (offset, cursor, link), unwrapped and filtered; and how fast the API
 * may be called. Every request names the vendor's document it was written from (`doc`).
 *
 * Pure: parsing with findings at file:line:column, the templates, paging and unwrapping. The requests are made
 * by src/services/connectors/saas.ts.
 */
import { type Document, LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { yamlPosition, yamlSyntaxFindings } from '../yamlPosition.ts';

export type ConnectorFinding = {
  severity: 'error' | 'warning';
  file: string;
  line: number;
  column: number;
  message: string;
  hint?: string;
};

// ---------------------------------------------------------------------------------------------------------
// Placeholders

/**
 * `<identity.email>`, `<setting.list_id>`, `<secret.api_key>`, `<record.id>` (the record read, in update,
 * delete, rectify and restrict), `<ref.members.list_id>` (each value of another collection's field, in a
 * read), `<correction.user.contact.email>` (rectify), `<page.cursor>` is not written: paging adds its own.
 */
export const PLACEHOLDER = /<(identity|setting|secret|record|ref|correction)\.([A-Za-z0-9_.-]+)>/g;
export const IDENTITIES = ['email', 'phone', 'customer_number'] as const;
export type Identity = (typeof IDENTITIES)[number];

export type Placeholder = { ns: string; key: string; text: string };

export function placeholdersIn(value: unknown): Placeholder[] {
  if (typeof value === 'string')
    return [...value.matchAll(PLACEHOLDER)].map((m) => ({ ns: m[1]!, key: m[2]!, text: m[0] }));
  if (Array.isArray(value)) return value.flatMap(placeholdersIn);
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([k, v]) => [...placeholdersIn(k), ...placeholdersIn(v)]);
  return [];
}

/** Each placeholder with the path of the value it is in (for findings at its line). */
export function placeholdersAt(
  value: unknown,
  path: (string | number)[],
): { p: Placeholder; path: (string | number)[] }[] {
  if (typeof value === 'string') return placeholdersIn(value).map((p) => ({ p, path }));
  if (Array.isArray(value)) return value.flatMap((v, i) => placeholdersAt(v, [...path, i]));
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([k, v]) => [
      ...placeholdersIn(k).map((p) => ({ p, path: [...path, k] })),
      ...placeholdersAt(v, [...path, k]),
    ]);
  return [];
}

/** The values a template is filled with; `undefined` from `lookup` means "not known". */
export type Lookup = (ns: string, key: string) => unknown;

/**
 * A template filled in: a string that is exactly one placeholder keeps the value's type (a number, an
 * object); inside a longer string the value is written as text. `missing` collects placeholders without a
 * value; an object key whose value is missing is left out (a rectification without that correction).
 */
export function fill(template: unknown, lookup: Lookup, missing: string[] = []): unknown {
  if (typeof template === 'string') {
    const whole = /^<(identity|setting|secret|record|ref|correction)\.([A-Za-z0-9_.-]+)>$/.exec(template);
    if (whole) {
      const v = lookup(whole[1]!, whole[2]!);
      if (v === undefined) missing.push(template);
      return v;
    }
    return template.replace(PLACEHOLDER, (text, ns: string, key: string) => {
      const v = lookup(ns, key);
      if (v === undefined) {
        missing.push(text);
        return '';
      }
      return typeof v === 'string' ? v : JSON.stringify(v);
    });
  }
  if (Array.isArray(template)) return template.map((t) => fill(t, lookup, missing));
  if (template && typeof template === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(template)) {
      const before = missing.length;
      const filled = fill(v, lookup, missing);
      // A key whose value has a missing correction is dropped, not sent empty.
      if (missing.slice(before).some((m) => m.startsWith('<correction.'))) {
        missing.splice(before);
        continue;
      }
      out[k] = filled;
    }
    return out;
  }
  return template;
}

/** A dotted path into a JSON value: `exact_matches.members`, `paging.next.after`, `data.-1.id` (last). */
export function atPath(value: unknown, path: string | undefined): unknown {
  if (path === undefined || path === '') return value;
  let v: unknown = value;
  for (const part of path.split('.')) {
    if (v === null || v === undefined) return undefined;
    if (Array.isArray(v)) {
      const i = Number(part);
      if (!Number.isInteger(i)) return undefined;
      v = v.at(i);
    } else if (typeof v === 'object') v = (v as Record<string, unknown>)[part];
    else return undefined;
  }
  return v;
}

// ---------------------------------------------------------------------------------------------------------
// The schema

const doc = z
  .string()
  .url('Name the vendor document of this endpoint (an https:// URL).')
  .describe('The vendor document this request was written from.');
const method = z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);
const path = z
  .string()
  .regex(/^\//, 'A path starts with /, relative to base_url.')
  .describe('The path, relative to base_url; placeholders are URL-encoded.');
const templateMap = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));

const pagination = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('offset'),
    param: z.string().describe('The query (or body) parameter that moves: offset, page.'),
    start: z.number().int().min(0).default(0),
    /** How much `param` grows per page: the page size for an offset, 1 for a page number. */
    step: z.number().int().min(1),
    /** The page size: a page with fewer records is the last. */
    limit: z.number().int().min(1).optional(),
    in: z.enum(['query', 'body']).default('query'),
  }),
  z.strictObject({
    type: z.literal('cursor'),
    param: z.string().describe('Where the cursor goes: starting_after, after, page[after].'),
    /** The next cursor: a path into the answer (`paging.next.after`) … */
    cursor_path: z.string().optional(),
    /** … or a field of the page's last record (`id`). */
    last_record_field: z.string().optional(),
    /** A boolean in the answer that says whether there is more (`has_more`). */
    has_more_path: z.string().optional(),
    in: z.enum(['query', 'body']).default('query'),
  }),
  z.strictObject({
    type: z.literal('link'),
    /** The next page's URL: the Link header's rel="next" (RFC 8288), or a path into the answer. */
    source: z.enum(['header', 'body']).default('header'),
    path: z.string().optional(),
  }),
]);

const filterRule = z.strictObject({
  field: z.string().describe('A dotted path in the record.'),
  equals: z.string().describe('The value it must have; usually <identity.email>.'),
  case: z.enum(['sensitive', 'insensitive']).default('insensitive'),
});

const request = z.strictObject({
  doc,
  method,
  path,
  query: templateMap.optional(),
  headers: z.record(z.string(), z.string()).optional(),
  /** A JSON body (a template) … */
  body: z.unknown().optional(),
  /** … or an application/x-www-form-urlencoded one. */
  form: templateMap.optional(),
  /** Statuses that mean "nothing there" rather than a failure (e.g. 404 on a lookup by e-mail). */
  not_found: z.array(z.number().int().min(400).max(499)).optional(),
});
export type SaasRequest = z.infer<typeof request>;

const readRequest = request.extend({
  /** Where the records are in the answer (`exact_matches.members`); an object there is one record. */
  data_path: z.string().optional(),
  filter: z.array(filterRule).optional(),
  pagination: pagination.optional(),
  /** At most this many pages (a safeguard against a paging loop). */
  max_pages: z.number().int().min(1).max(10_000).default(100),
});
export type SaasReadRequest = z.infer<typeof readRequest>;

const collection = z.strictObject({
  label: z.string().optional(),
  /** What a record of this collection is, for the extract and the docs. */
  description: z.string().optional(),
  read: readRequest.optional(),
  /** Erasure by masking: the record is updated (body says with what). */
  update: request.optional(),
  /**
   * Erasure by deletion: one request, or several in order (a soft delete, then the permanent one). When
   * both exist, `erase` says which one erasure uses (default delete).
   */
  delete: z.union([request, z.array(request).min(1).max(5)]).optional(),
  erase: z.enum(['delete', 'update']).optional(),
  /** Rectification: the record is updated with the corrections (`<correction.user.contact.email>`). */
  rectify: request.optional(),
  /** Restriction: the record is marked so it is no longer processed (e.g. unsubscribed). */
  restrict: request.optional(),
  /** Only these fields of a record go into the extract (dotted paths); every field when absent. */
  fields: z.array(z.string()).optional(),
  /** The record's own id field, for the count of distinct records (default `id`). */
  id_field: z.string().default('id'),
});
export type SaasCollection = z.infer<typeof collection>;

const secretRef = z.string().min(1);
const auth = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('bearer'), token: secretRef }),
  z.strictObject({ type: z.literal('basic'), username: z.string(), password: secretRef }),
  z.strictObject({ type: z.literal('api_key'), header: z.string().min(1), value: secretRef }),
  z.strictObject({
    type: z.literal('oauth2_client_credentials'),
    token_url: z.string().min(1),
    client_id: secretRef,
    client_secret: secretRef,
    scope: z.string().optional(),
    /** How the client authenticates to the token endpoint (RFC 6749 §2.3.1): basic (default) or body. */
    client_auth: z.enum(['basic', 'body']).default('basic'),
    doc: doc.optional(),
  }),
]);
export type SaasAuth = z.infer<typeof auth>;

const nameList = z.array(z.string().regex(/^[a-z][a-z0-9_]*$/, 'lower-case letters, digits, underscores'));

export const connectorSchema = z.strictObject({
  connector: z.string().regex(/^[a-z][a-z0-9_-]*$/, 'A connector name: lower-case letters, digits, - and _.'),
  name: z.string().min(1),
  version: z.literal(1).default(1),
  /** The vendor's API reference, read to write this file. */
  docs: z.string().url(),
  base_url: z.string().min(1).describe('https://… ; may hold <setting.…> placeholders.'),
  /** Settings (not secret) the systems file gives: a list id, a shop name, a data centre. */
  settings: nameList.default([]),
  /** Secrets the systems file gives as references; stored sealed in the keyring. */
  secrets: nameList.default([]),
  auth,
  headers: z.record(z.string(), z.string()).optional(),
  rate_limit: z
    .strictObject({
      requests: z.number().int().min(1),
      per_seconds: z.number().min(0.001),
    })
    .optional(),
  timeout_ms: z.number().int().min(100).max(120_000).default(15_000),
  collections: z.record(z.string().regex(/^[a-z][a-z0-9_]*$/), collection),
});
export type SaasConnector = z.infer<typeof connectorSchema>;
export type SaasConnectorInput = z.input<typeof connectorSchema>;

// ---------------------------------------------------------------------------------------------------------
// What a connector can do

export type SaasAction = 'access' | 'erasure' | 'rectification' | 'restriction';

/** The actions the connector carries out itself; the others stay manual tasks. */
export function supportedActions(c: SaasConnector): SaasAction[] {
  const cs = Object.values(c.collections);
  const out: SaasAction[] = [];
  if (cs.some((x) => x.read)) out.push('access');
  if (cs.some((x) => x.read && (x.delete || x.update))) out.push('erasure');
  if (cs.some((x) => x.read && x.rectify)) out.push('rectification');
  if (cs.some((x) => x.read && x.restrict)) out.push('restriction');
  return out;
}

/** The collections a read depends on (`<ref.other.field>`). */
export function dependsOn(col: SaasCollection): string[] {
  return [
    ...new Set(
      placeholdersIn(col.read ?? {})
        .filter((p) => p.ns === 'ref')
        .map((p) => p.key.split('.')[0]!),
    ),
  ];
}

/** Collections in read order (those another reads from first); a cycle is reported by `checkConnector`. */
export function readOrder(c: SaasConnector): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const visit = (name: string, stack: string[]) => {
    if (seen.has(name) || stack.includes(name)) return;
    const col = c.collections[name];
    if (!col) return;
    for (const d of dependsOn(col)) visit(d, [...stack, name]);
    seen.add(name);
    out.push(name);
  };
  for (const name of Object.keys(c.collections)) visit(name, []);
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Rules beyond the schema

type At = (path: (string | number)[]) => { line: number; column: number };

const REQUEST_KINDS = ['read', 'update', 'delete', 'rectify', 'restrict'] as const;

/** References that name nothing, placeholders in the wrong place, cycles; each located. */
export function checkConnector(c: SaasConnector, file: string, at: At): ConnectorFinding[] {
  const out: ConnectorFinding[] = [];
  const err = (path: (string | number)[], message: string, hint?: string) =>
    out.push({ severity: 'error', file, ...at(path), message, ...(hint ? { hint } : {}) });
  const checkPlaceholders = (value: unknown, base: (string | number)[], kind: string, self: string) => {
    for (const { p, path } of placeholdersAt(value, base)) {
      if (p.ns === 'identity' && !(IDENTITIES as readonly string[]).includes(p.key))
        err(path, `${p.text}: identities are ${IDENTITIES.join(', ')}.`);
      if (p.ns === 'setting' && !c.settings.includes(p.key))
        err(path, `${p.text}: '${p.key}' is not among settings.`, 'List it under settings: [...].');
      if (p.ns === 'secret' && !c.secrets.includes(p.key))
        err(path, `${p.text}: '${p.key}' is not among secrets.`, 'List it under secrets: [...].');
      if (p.ns === 'secret' && kind !== 'auth' && kind !== 'headers' && kind !== 'base_url')
        err(path, `${p.text}: a secret goes only into auth or headers.`);
      if (p.ns === 'record' && (kind === 'read' || kind === 'auth' || kind === 'base_url'))
        err(path, `${p.text}: <record.…> is the record read; use it in update, delete, rectify or restrict.`);
      if (p.ns === 'ref') {
        const [other, ...rest] = p.key.split('.');
        if (kind !== 'read') err(path, `${p.text}: <ref.…> is for reads; use <record.…> here.`);
        else if (!other || !c.collections[other] || !rest.length)
          err(path, `${p.text}: no collection '${other}' to take '${rest.join('.')}' from.`);
        else if (other === self) err(path, `${p.text}: a collection cannot read from itself.`);
        else if (!c.collections[other]!.read) err(path, `${p.text}: '${other}' has no read.`);
      }
      if (p.ns === 'correction' && kind !== 'rectify')
        err(path, `${p.text}: corrections are for rectify only.`);
      if (p.ns === 'correction' && !/^user(\.[a-z0-9_]+)+$/.test(p.key))
        err(path, `${p.text}: a correction is keyed by a fideslang user.* category.`);
    }
  };
  checkPlaceholders(c.base_url, ['base_url'], 'base_url', '');
  checkPlaceholders(c.auth, ['auth'], 'auth', '');
  checkPlaceholders(c.headers ?? {}, ['headers'], 'headers', '');
  for (const [name, col] of Object.entries(c.collections)) {
    for (const kind of REQUEST_KINDS) {
      const r = col[kind];
      if (!r) continue;
      checkPlaceholders(r, ['collections', name, kind], kind, name);
      (Array.isArray(r) ? r : [r]).forEach((x, i) => {
        if (x.body !== undefined && x.form !== undefined)
          err(
            ['collections', name, kind, ...(Array.isArray(r) ? [i] : []), 'form'],
            'Give body or form, not both.',
          );
      });
      if (kind !== 'read' && !col.read)
        err(['collections', name, kind], `${kind} needs a read: the records it acts on are those read.`);
    }
    const r = col.read;
    if (r) {
      const ids = placeholdersIn(r).filter((p) => p.ns === 'identity' || p.ns === 'ref');
      if (!ids.length)
        err(
          ['collections', name, 'read'],
          'The read names no identity and no other collection: it would read every record.',
          'Put <identity.email> (or phone, customer_number) or <ref.other.field> in its path, query or body.',
        );
      const p = r.pagination;
      if (p?.type === 'cursor' && !p.cursor_path && !p.last_record_field)
        err(['collections', name, 'read', 'pagination'], 'A cursor needs cursor_path or last_record_field.');
      if (p?.type === 'link' && p.source === 'body' && !p.path)
        err(['collections', name, 'read', 'pagination'], 'A link in the body needs its path.');
    }
    if (col.delete && col.update && !col.erase)
      out.push({
        severity: 'warning',
        file,
        ...at(['collections', name]),
        message: `collections.${name}: both delete and update; erasure deletes.`,
        hint: 'Say erase: delete or erase: update.',
      });
    if (col.erase && !col[col.erase])
      err(['collections', name, 'erase'], `erase: ${col.erase}, but there is no ${col.erase} request.`);
  }
  // Cycles between reads.
  for (const [name, col] of Object.entries(c.collections)) {
    const seen = new Set<string>();
    const walk = (n: string): boolean => {
      if (n === name && seen.size) return true;
      if (seen.has(n)) return false;
      seen.add(n);
      const cc = c.collections[n];
      return cc ? dependsOn(cc).some(walk) : false;
    };
    if (dependsOn(col).some(walk))
      err(['collections', name, 'read'], `collections.${name}: reads form a cycle.`);
  }
  if (!supportedActions(c).length)
    err(['collections'], 'No collection has a read: the connector can do nothing.');
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// The file

export type ParsedConnector = { connector?: SaasConnector; findings: ConnectorFinding[] };

/** Parse a connector file; every finding at file:line:column. */
export function parseConnector(source: { path: string; text: string }): ParsedConnector {
  const lines = new LineCounter();
  const document: Document = parseDocument(source.text, {
    lineCounter: lines,
    prettyErrors: false,
    uniqueKeys: true,
  });
  const at: At = (p) => yamlPosition({ doc: document, lines }, p);
  const findings: ConnectorFinding[] = [];
  if (document.errors.length) {
    findings.push(...yamlSyntaxFindings({ doc: document, lines }, source.path));
    return { findings };
  }
  const parsed = connectorSchema.safeParse(document.toJS() ?? {});
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const p = issue.path.map((k) => (typeof k === 'symbol' ? String(k) : k));
      const where = issue.code === 'unrecognized_keys' ? [...p, issue.keys[0]!] : p;
      findings.push({
        severity: 'error',
        file: source.path,
        ...at(where),
        message: `${p.join('.') || '(file)'}: ${
          issue.code === 'unrecognized_keys' ? `unknown key '${issue.keys.join("', '")}'` : issue.message
        }`,
      });
    }
    return { findings };
  }
  findings.push(...checkConnector(parsed.data, source.path, at));
  return { connector: parsed.data, findings };
}

// ---------------------------------------------------------------------------------------------------------
// Records: unwrapping, filtering, paging

/** The records of one answer: at `data_path`, an array as it is, an object as one record, nothing else. */
export function unwrap(body: unknown, dataPath: string | undefined): Record<string, unknown>[] {
  const v = atPath(body, dataPath);
  if (Array.isArray(v)) return v.filter((x): x is Record<string, unknown> => !!x && typeof x === 'object');
  if (v && typeof v === 'object') return [v as Record<string, unknown>];
  return [];
}

export function keepMatching(
  records: Record<string, unknown>[],
  rules: { field: string; equals: string; case: 'sensitive' | 'insensitive' }[] | undefined,
  lookup: Lookup,
): Record<string, unknown>[] {
  if (!rules?.length) return records;
  return records.filter((r) =>
    rules.every((rule) => {
      const want = fill(rule.equals, lookup);
      const have = atPath(r, rule.field);
      if (want === undefined || have === undefined || have === null) return false;
      return rule.case === 'insensitive'
        ? String(have).toLowerCase() === String(want).toLowerCase()
        : String(have) === String(want);
    }),
  );
}

/** Only the listed fields of a record (dotted paths, nested as they were). */
export function project(
  record: Record<string, unknown>,
  fields: string[] | undefined,
): Record<string, unknown> {
  if (!fields) return record;
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const v = atPath(record, f);
    if (v === undefined) continue;
    const parts = f.split('.');
    let o = out;
    for (const p of parts.slice(0, -1)) {
      if (!o[p] || typeof o[p] !== 'object') o[p] = {};
      o = o[p] as Record<string, unknown>;
    }
    o[parts.at(-1)!] = v;
  }
  return out;
}

/** The next URL of an RFC 8288 Link header (`<…>; rel="next"`). */
export function nextLink(header: string | null): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(/,(?=\s*<)/)) {
    const m = /^\s*<([^>]*)>\s*;(.*)$/.exec(part);
    if (m && /\brel\s*=\s*"?([^";]*\s)?next(\s[^";]*)?"?/i.test(m[2]!)) return m[1];
  }
  return undefined;
}

export type PageState = { page: number; offset?: number; cursor?: string; url?: string };

/**
 * The next page after an answer, or undefined when this was the last: offset grows by `step` while a page
 * is full (or not empty); a cursor is read from the answer or the last record while `has_more` is not false;
 * a link is followed while there is one.
 */
export function nextPage(
  read: SaasReadRequest,
  state: PageState,
  answer: { body: unknown; link: string | null; records: Record<string, unknown>[] },
): PageState | undefined {
  const p = read.pagination;
  if (!p || state.page + 1 >= read.max_pages) return undefined;
  if (p.type === 'offset') {
    if (answer.records.length === 0 || (p.limit !== undefined && answer.records.length < p.limit))
      return undefined;
    return { page: state.page + 1, offset: (state.offset ?? p.start) + p.step };
  }
  if (p.type === 'cursor') {
    if (p.has_more_path && atPath(answer.body, p.has_more_path) !== true) return undefined;
    const c = p.cursor_path
      ? atPath(answer.body, p.cursor_path)
      : atPath(answer.records.at(-1), p.last_record_field);
    if (c === undefined || c === null || c === '' || String(c) === state.cursor) return undefined;
    return { page: state.page + 1, cursor: String(c) };
  }
  const url = p.source === 'header' ? nextLink(answer.link) : atPath(answer.body, p.path);
  if (typeof url !== 'string' || !url || url === state.url) return undefined;
  return { page: state.page + 1, url };
}
