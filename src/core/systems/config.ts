/**
 * The group's own systems as configuration (`ombud.yaml`, docs/systems.md): per annotated dataset
 * (fides_key) the database it lives in, the folder of the dataset annotations, and the HTTP connectors of
 * the register's systems that are fulfilled by a service. Connection URLs and secrets may be written as
 * references (`${env:NAME}`, `${file:PATH}`), so no password need be in the file. Pure: the caller reads
 * the file and resolves the references (src/services/systems/config.ts); every finding is located at
 * file:line:column.
 */
import { type Document, LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import type { LocatedDatasetFinding } from '../retention/annotations.ts';
import { yamlPosition, yamlSyntaxFindings } from '../yamlPosition.ts';

/** The name of the systems file Ombud looks for in the register folder (the register reader skips it). */
export const SYSTEMS_FILE_NAMES = ['ombud.yaml', 'ombud.yml'] as const;

export type SystemsFinding = LocatedDatasetFinding;

const REFERENCE_HINT =
  'Write ${env:NAME} (an environment variable) or ${file:PATH} (a file, relative to this one); $${ for a literal ${.';

/** A value that may hold references: `postgres://shop:${env:SHOP_DB_PASSWORD}@db/shop`. */
const referable = z.string().min(1, 'Give a value, or a reference such as ${env:NAME}.');

const systemEntry = z.strictObject({
  url: referable.describe(
    'The database of the dataset: postgres://… or mysql://… (mariadb://…), or a reference to it.',
  ),
  password: referable
    .optional()
    .describe(
      'The database password, put into the URL (encoded); usually a reference: ${env:SHOP_DB_PASSWORD}.',
    ),
});

const connectorEntry = z.strictObject({
  url: referable.describe('Where Ombud POSTs the signed fulfilment requests (http:// or https://).'),
  secret: referable.describe('The Standard Webhooks secret shared with the service (whsec_…), a reference.'),
  timeoutMs: z.number().int().min(100).max(120_000).optional(),
  callbackHours: z
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .optional(),
  resends: z.number().int().min(0).max(10).optional(),
});

const saasEntry = z.strictObject({
  connector: z
    .string()
    .min(1)
    .describe('The SaaS connector file (docs/connectors/saas.md), relative to this file.'),
  base_url: referable
    .optional()
    .describe("Instead of the connector's base_url (a sandbox, a regional host)."),
  settings: z.record(z.string(), z.string()).default({}).describe('The settings the connector declares.'),
  secrets: z
    .record(z.string(), referable)
    .default({})
    .describe('The secrets the connector declares, as references: ${env:NAME} or ${file:PATH}.'),
});

const fidesKey = z
  .string()
  .regex(/^[a-z0-9_]+$/, 'A dataset fides_key: lower-case letters, digits, underscores.');
const systemId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'A register system id.');

export const systemsConfigSchema = z.strictObject({
  version: z.literal(1, { error: 'Only version 1 exists; leave it out or write version: 1.' }).default(1),
  datasets: z
    .string({ error: 'Name the folder of the dataset annotations: datasets: ../datasets' })
    .min(1)
    .describe('The folder of the dataset annotations (YAML), relative to this file.'),
  systems: z
    .record(
      fidesKey,
      // `nestit_webshop: ${env:WEBSHOP_DB_URL}` is short for `nestit_webshop: { url: … }`.
      z.preprocess((v) => (typeof v === 'string' ? { url: v } : v), systemEntry),
    )
    .default({})
    .describe('Per annotated dataset (its fides_key), the database it lives in.'),
  connectors: z
    .record(systemId, connectorEntry)
    .default({})
    .describe('Per register system fulfilled by a service, its HTTP connector (docs/connectors/http.md).'),
  saas: z
    .record(systemId, saasEntry)
    .default({})
    .describe(
      "Per register system reached through its vendor's API, its SaaS connector (docs/connectors/saas.md).",
    ),
});

export type SystemsConfig = z.infer<typeof systemsConfigSchema>;
export type SystemEntry = z.infer<typeof systemEntry>;
export type ConnectorEntry = z.infer<typeof connectorEntry>;
export type SaasEntry = z.infer<typeof saasEntry>;

// ---------------------------------------------------------------------------------------------------------
// References

export type Reference = { kind: 'env' | 'file'; name: string };
export type ValuePart = { text: string } | { ref: Reference };

/** A value split into its text and its references; an error for a `${` that is not a reference. */
export function parseReferences(value: string): { parts: ValuePart[] } | { error: string } {
  const parts: ValuePart[] = [];
  let text = '';
  let i = 0;
  while (i < value.length) {
    if (value.startsWith('$${', i)) {
      text += '${';
      i += 3;
      continue;
    }
    if (!value.startsWith('${', i)) {
      text += value[i];
      i++;
      continue;
    }
    const end = value.indexOf('}', i);
    const body = end < 0 ? undefined : value.slice(i + 2, end);
    const m = body === undefined ? null : /^(env|file):(.+)$/.exec(body);
    if (!m) return { error: `'${value.slice(i, end < 0 ? undefined : end + 1)}' is not a reference.` };
    const kind = m[1] as Reference['kind'];
    const name = m[2]!.trim();
    if (kind === 'env' && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
      return { error: `'${name}' is not the name of an environment variable.` };
    if (text) parts.push({ text });
    text = '';
    parts.push({ ref: { kind, name } });
    i = end + 1;
  }
  if (text) parts.push({ text });
  return { parts };
}

/** The references of a value (none for plain text or a value that does not parse). */
export const referencesOf = (value: string): Reference[] => {
  const p = parseReferences(value);
  return 'parts' in p ? p.parts.flatMap((x) => ('ref' in x ? [x.ref] : [])) : [];
};

/** A value with its references replaced by `lookup`'s answers, or the first reference it could not resolve. */
export function resolveReferences(
  value: string,
  lookup: (ref: Reference) => { value: string } | { error: string },
): { value: string } | { error: string } {
  const p = parseReferences(value);
  if ('error' in p) return p;
  let out = '';
  for (const part of p.parts) {
    if ('text' in part) out += part.text;
    else {
      const r = lookup(part.ref);
      if ('error' in r) return r;
      out += r.value;
    }
  }
  return { value: out };
}

/** Whether a URL written in the file (not a reference) carries a password. */
function plainPassword(value: string): boolean {
  const p = parseReferences(value);
  if ('error' in p || p.parts.some((x) => 'ref' in x)) return false;
  return URL.canParse(value) && new URL(value).password !== '';
}

// ---------------------------------------------------------------------------------------------------------
// The file

export type ParsedSystemsConfig = {
  config?: SystemsConfig;
  findings: SystemsFinding[];
  /** Where a path of the document stands (the deepest node of it that exists). */
  locate: (path: (string | number)[]) => { file: string; line: number; column: number };
};

/** The values of a config that may hold references, with their paths in the document. */
export function referableValues(c: SystemsConfig): { path: (string | number)[]; value: string }[] {
  return [
    ...Object.entries(c.systems).flatMap(([k, s]) => [
      { path: ['systems', k, 'url'], value: s.url },
      ...(s.password ? [{ path: ['systems', k, 'password'], value: s.password }] : []),
    ]),
    ...Object.entries(c.connectors).flatMap(([k, s]) => [
      { path: ['connectors', k, 'url'], value: s.url },
      { path: ['connectors', k, 'secret'], value: s.secret },
    ]),
    ...Object.entries(c.saas).flatMap(([k, s]) => [
      ...(s.base_url ? [{ path: ['saas', k, 'base_url'], value: s.base_url }] : []),
      ...Object.entries(s.secrets).map(([n, v]) => ({ path: ['saas', k, 'secrets', n], value: v })),
    ]),
  ];
}

export function parseSystemsConfig(source: { path: string; text: string }): ParsedSystemsConfig {
  const lines = new LineCounter();
  const doc: Document = parseDocument(source.text, {
    lineCounter: lines,
    prettyErrors: false,
    uniqueKeys: true,
  });
  const locate = (path: (string | number)[]) => ({
    file: source.path,
    ...yamlPosition({ doc, lines }, path),
  });
  const findings: SystemsFinding[] = [];
  if (doc.errors.length) {
    findings.push(...yamlSyntaxFindings({ doc, lines }, source.path));
    return { findings, locate };
  }
  const parsed = systemsConfigSchema.safeParse(doc.toJS() ?? {});
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = issue.path.map((k) => (typeof k === 'symbol' ? String(k) : k));
      const at = issue.code === 'unrecognized_keys' ? [...path, issue.keys[0]!] : path;
      // A key of `systems` or `connectors` that is no fides_key or system id: the key's own rule says why.
      const what =
        issue.code === 'unrecognized_keys'
          ? `unknown key '${issue.keys.join("', '")}'`
          : issue.code === 'invalid_key'
            ? `'${String(path.at(-1))}': ${issue.issues[0]?.message ?? issue.message}`
            : issue.message;
      findings.push({
        severity: 'error',
        ...locate(at),
        message: `${path.join('.') || '(file)'}: ${what}`,
        ...(issue.code === 'unrecognized_keys'
          ? {
              hint: 'Known keys: version, datasets, systems (url, password), connectors (url, secret, timeoutMs, callbackHours, resends), saas (connector, base_url, settings, secrets).',
            }
          : {}),
      });
    }
    return { findings, locate };
  }
  const config = parsed.data;
  for (const { path, value } of referableValues(config)) {
    const p = parseReferences(value);
    if ('error' in p)
      findings.push({
        severity: 'error',
        ...locate(path),
        message: `${path.join('.')}: ${p.error}`,
        hint: REFERENCE_HINT,
      });
    else if (plainPassword(value))
      findings.push({
        severity: 'warning',
        ...locate(path),
        message: `${path.join('.')}: the URL holds a password in the file.`,
        hint: 'Keep it out of the file: password: ${env:NAME}, or the whole URL as ${env:NAME} or ${file:PATH}.',
      });
  }
  for (const [key, c] of Object.entries(config.connectors))
    if (!('error' in parseReferences(c.secret)) && referencesOf(c.secret).length === 0)
      findings.push({
        severity: 'warning',
        ...locate(['connectors', key, 'secret']),
        message: `connectors.${key}.secret: the secret is written in the file.`,
        hint: 'Give it as ${env:NAME} or ${file:PATH}.',
      });
  for (const [key, c] of Object.entries(config.saas))
    for (const [name, v] of Object.entries(c.secrets))
      if (!('error' in parseReferences(v)) && referencesOf(v).length === 0)
        findings.push({
          severity: 'warning',
          ...locate(['saas', key, 'secrets', name]),
          message: `saas.${key}.secrets.${name}: the secret is written in the file.`,
          hint: 'Give it as ${env:NAME} or ${file:PATH}.',
        });
  return { config, findings, locate };
}

/**
 * Where a database URL points, without its user or password (for reports): `postgres://db.internal:5432/shop`.
 * Undefined for a value that is not a URL.
 */
export function describeUrl(url: string): string | undefined {
  if (!URL.canParse(url)) return undefined;
  const u = new URL(url);
  return `${u.protocol}//${u.host}${u.pathname}`;
}

/** The URL with `password` put in (encoded), for a system whose password is given apart from its URL. */
export function withPassword(url: string, password: string | undefined): string {
  if (password === undefined || !URL.canParse(url)) return url;
  const u = new URL(url);
  u.password = encodeURIComponent(password);
  return u.toString();
}
