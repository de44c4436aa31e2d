/**
 * Fides' `saas_config` format turned into an Ombud connector (docs/connectors/saas.md says what is taken
 * and what is not). Pure: the caller reads the files. What cannot be carried over is a finding (located in
 * the Fides file) and is left out, never guessed: a request override, an API key in the query or body, a
 * body that lists `<masked_object_fields>` without the Fides dataset that says which fields to mask.
 */
import { type Document, LineCounter, parseDocument } from 'yaml';
import { yamlPosition } from '../yamlPosition.ts';
import type { ConnectorFinding, SaasConnectorInput } from './saas.ts';

type Obj = Record<string, unknown>;
type ParamValue = {
  name: string;
  identity?: string;
  connector_param?: string;
  references?: ({ dataset?: string; field: string; direction?: string } | string)[];
};

const IDENTITY: Record<string, string> = { email: 'email', phone_number: 'phone', phone: 'phone' };
const SECRETISH = /(key|token|secret|password|pass)$/i;

/** Which fields of each collection a Fides dataset holds personal data in (user.* categories). */
export function fidesMaskedFields(datasetYaml: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const js = parseDocument(datasetYaml).toJS() as { dataset?: Obj[] } | null;
  const walk = (fields: Obj[] | undefined, prefix: string, acc: string[]) => {
    for (const f of fields ?? []) {
      const name = `${prefix}${String(f.name)}`;
      const cats = (f.data_categories as string[] | undefined) ?? [];
      const meta = f.fidesops_meta ?? f.fides_meta;
      if (Array.isArray(f.fields)) walk(f.fields as Obj[], `${name}.`, acc);
      else if (cats.some((c) => c.startsWith('user.')) && !(meta as Obj | undefined)?.primary_key)
        acc.push(name);
    }
  };
  for (const d of js?.dataset ?? [])
    for (const c of (d.collections as Obj[] | undefined) ?? []) {
      const acc: string[] = [];
      walk(c.fields as Obj[] | undefined, '', acc);
      out.set(String(c.name), acc);
    }
  return out;
}

/** A nested object with each dotted field set to null: { merge_fields: { FNAME: null } }. */
function nulls(fields: string[]): Obj {
  const out: Obj = {};
  for (const f of fields) {
    const parts = f.split('.');
    let o = out;
    for (const p of parts.slice(0, -1)) {
      if (!o[p] || typeof o[p] !== 'object') o[p] = {};
      o = o[p] as Obj;
    }
    o[parts.at(-1)!] = null;
  }
  return out;
}

export type FidesImport = { connector?: SaasConnectorInput; findings: ConnectorFinding[] };

export function importFidesSaasConfig(
  source: { path: string; text: string },
  opts: { masked?: Map<string, string[]> } = {},
): FidesImport {
  const lines = new LineCounter();
  const doc: Document = parseDocument(source.text, { lineCounter: lines, prettyErrors: false });
  const findings: ConnectorFinding[] = [];
  const at = (path: (string | number)[]) => ({ file: source.path, ...yamlPosition({ doc, lines }, path) });
  const note = (severity: 'error' | 'warning', path: (string | number)[], message: string, hint?: string) =>
    findings.push({ severity, ...at(path), message, ...(hint ? { hint } : {}) });
  if (doc.errors.length) {
    const pos = lines.linePos(doc.errors[0]!.pos[0]);
    return {
      findings: [
        {
          severity: 'error',
          file: source.path,
          line: pos.line,
          column: pos.col,
          message: `YAML syntax error: ${doc.errors[0]!.message.split('\n')[0]}`,
        },
      ],
    };
  }
  const root = doc.toJS() as Obj | null;
  const cfg = root?.saas_config as Obj | undefined;
  if (!cfg || typeof cfg !== 'object') {
    note('error', [], 'Not a Fides saas_config: the file has no saas_config: at its top.');
    return { findings };
  }
  const key = String(cfg.fides_key ?? cfg.type ?? 'imported')
    .toLowerCase()
    .replace(/<[^>]*>/g, String(cfg.type ?? 'imported'))
    .replace(/[^a-z0-9_-]+/g, '_')
    .replace(/^[^a-z]+/, '');
  const params = ((cfg.connector_params as Obj[] | undefined) ?? []).map((p) => ({
    name: String(p.name),
    secret: p.sensitive === true || SECRETISH.test(String(p.name)),
    default: p.default_value,
  }));
  const settings = params.filter((p) => !p.secret).map((p) => p.name.toLowerCase());
  const secrets = params.filter((p) => p.secret).map((p) => p.name.toLowerCase());
  params.forEach((p, i) => {
    if (p.default !== undefined && p.default !== null && p.default !== '')
      note(
        'warning',
        ['saas_config', 'connector_params', i, 'default_value'],
        `connector_params.${p.name}: its default '${String(p.default)}' is not carried over.`,
        `Give ${p.name} in the systems file.`,
      );
  });
  const paramRef = (name: string) => {
    const p = params.find((x) => x.name === name);
    return p ? `<${p.secret ? 'secret' : 'setting'}.${name.toLowerCase()}>` : undefined;
  };
  /** `<name>` of a Fides template → Ombud's placeholder, given the request's param_values. */
  const convert = (
    text: string,
    pvs: ParamValue[],
    endpoint: string,
    kind: string,
    path: (string | number)[],
  ) =>
    text.replace(/<([A-Za-z0-9_]+)>/g, (whole, name: string) => {
      const pv = pvs.find((x) => x.name === name);
      if (pv?.identity) return `<identity.${IDENTITY[pv.identity] ?? pv.identity}>`;
      if (pv?.connector_param) return paramRef(pv.connector_param) ?? whole;
      if (pv?.references?.length) {
        const r = pv.references[0]!;
        const field = typeof r === 'string' ? r.split('.').slice(1).join('.') : r.field;
        const [col, ...rest] = field.split('.');
        if (kind === 'read') return `<ref.${col}.${rest.join('.')}>`;
        if (col === endpoint) return `<record.${rest.join('.')}>`;
        note(
          'error',
          path,
          `${endpoint}.${kind}: '${name}' refers to another collection (${col}); only the record read can be used here.`,
        );
        return whole;
      }
      if (IDENTITY[name]) return `<identity.${IDENTITY[name]}>`;
      const p = paramRef(name);
      if (p) return p;
      if (name === 'masked_object_fields' || name === 'all_object_fields') return whole;
      note(
        'error',
        path,
        `${endpoint}.${kind}: the placeholder <${name}> names no param_value or connector_param.`,
      );
      return whole;
    });
  const host = (() => {
    const cc = (cfg.client_config ?? {}) as Obj;
    const h = cc.host as unknown;
    const hostText =
      typeof h === 'object' && h
        ? (paramRef(String((h as Obj).connector_param)) ?? '')
        : convert(String(h ?? ''), [], '', 'base', ['saas_config', 'client_config', 'host']);
    return `${String(cc.protocol ?? 'https')}://${hostText}`;
  })();
  const authIn = (((cfg.client_config ?? {}) as Obj).authentication ?? {}) as Obj;
  const ac = (authIn.configuration ?? {}) as Obj;
  const v = (x: unknown) =>
    typeof x === 'object' && x
      ? (paramRef(String((x as Obj).connector_param)) ?? '')
      : convert(String(x ?? ''), [], '', 'auth', ['saas_config', 'client_config', 'authentication']);
  let auth: SaasConnectorInput['auth'] | undefined;
  const strategy = String(authIn.strategy ?? '');
  if (strategy === 'basic' || strategy === 'basic_authentication')
    auth = { type: 'basic', username: v(ac.username), password: v(ac.password) };
  else if (strategy === 'bearer' || strategy === 'bearer_authentication')
    auth = { type: 'bearer', token: v(ac.token) };
  else if (strategy === 'api_key' && Array.isArray(ac.headers) && ac.headers.length === 1) {
    const hd = ac.headers[0] as Obj;
    auth = { type: 'api_key', header: String(hd.name), value: v(hd.value) };
  } else if (strategy === 'oauth2_client_credentials') {
    const tr = (ac.token_request ?? {}) as Obj;
    auth = {
      type: 'oauth2_client_credentials',
      token_url: String(tr.path ?? '/oauth/token'),
      client_id: paramRef('client_id') ?? '<secret.client_id>',
      client_secret: paramRef('client_secret') ?? '<secret.client_secret>',
      client_auth: 'body',
    };
  } else
    note(
      'error',
      ['saas_config', 'client_config', 'authentication'],
      `authentication strategy '${strategy}' is not supported here.`,
      'Supported: basic, bearer, api_key in one header, oauth2_client_credentials.',
    );

  const collections: Record<string, Obj> = {};
  ((cfg.endpoints as Obj[] | undefined) ?? []).forEach((ep, ei) => {
    const name = String(ep.name)
      .toLowerCase()
      .replace(/[^a-z0-9_]+/g, '_');
    const col: Obj = {};
    const reqs = (ep.requests ?? {}) as Obj;
    for (const kind of ['read', 'update', 'delete'] as const) {
      let r = reqs[kind] as Obj | Obj[] | undefined;
      const path: (string | number)[] = ['saas_config', 'endpoints', ei, 'requests', kind];
      if (!r) continue;
      if (Array.isArray(r)) {
        if (r.length > 1)
          note('warning', path, `${name}.${kind}: only the first of ${r.length} requests is taken.`);
        r = r[0] as Obj;
      }
      if (r.request_override) {
        note('error', path, `${name}.${kind}: request_override (Python code in Fides) cannot be imported.`);
        continue;
      }
      const pvs = (r.param_values as ParamValue[] | undefined) ?? [];
      const c = (t: unknown) => convert(String(t), pvs, name, kind, path);
      const out: Obj = {
        doc: `https://fides-import.invalid/${key}/${name}/${kind}`,
        method: String(r.method ?? 'GET').toUpperCase(),
        path: c(r.path),
      };
      const q = r.query_params as { name: string; value: unknown }[] | undefined;
      if (q?.length)
        out.query = Object.fromEntries(
          q.map((x) => [x.name, typeof x.value === 'string' ? c(x.value) : x.value]),
        );
      const h = r.headers as { name: string; value: unknown }[] | undefined;
      if (h?.length) out.headers = Object.fromEntries(h.map((x) => [x.name, c(x.value)]));
      if (r.body !== undefined) {
        const text = c(r.body);
        if (/<(masked|all)_object_fields>/.test(text)) {
          const fields = opts.masked?.get(String(ep.name));
          if (!fields?.length) {
            note(
              'warning',
              [...path, 'body'],
              `${name}.${kind}: the body lists <masked_object_fields>; without the Fides dataset (--dataset) the fields are unknown, so this request is left out.`,
              "Give the connector's Fides dataset, or write the body by hand.",
            );
            continue;
          }
          out.body = nulls(fields);
        } else {
          const quoted = text.replace(
            /(?<!")<(identity|setting|secret|record|ref)\.[A-Za-z0-9_.-]+>(?!")/g,
            '"$&"',
          );
          try {
            out.body = JSON.parse(quoted);
          } catch {
            note(
              'error',
              [...path, 'body'],
              `${name}.${kind}: the body is not JSON once its placeholders are put in.`,
            );
            continue;
          }
        }
      }
      if (kind === 'read') {
        const posts = (r.postprocessors as Obj[] | undefined) ?? [];
        let dataPath = r.data_path as string | undefined;
        const filter: Obj[] = [];
        for (const pp of posts) {
          const conf = (pp.configuration ?? {}) as Obj;
          if (pp.strategy === 'unwrap') dataPath = String(conf.data_path);
          else if (pp.strategy === 'filter') {
            const val = conf.value as Obj | string;
            const eq =
              typeof val === 'object' && val?.identity
                ? `<identity.${IDENTITY[String(val.identity)] ?? String(val.identity)}>`
                : c(val);
            filter.push({
              field: String(conf.field),
              equals: eq,
              case: conf.exact === true ? 'sensitive' : 'insensitive',
            });
          } else
            note(
              'warning',
              path,
              `${name}.read: postprocessor '${String(pp.strategy)}' is not supported; left out.`,
            );
        }
        if (dataPath) out.data_path = dataPath;
        if (filter.length) out.filter = filter;
        const pg = r.pagination as Obj | undefined;
        if (pg) {
          const pc = (pg.configuration ?? {}) as Obj;
          if (pg.strategy === 'offset') {
            const step = Number(pc.increment_by ?? 1);
            const start = Number(q?.find((x) => x.name === pc.incremental_param)?.value ?? 0);
            out.pagination = { type: 'offset', param: String(pc.incremental_param), start, step };
            if (pc.limit !== undefined)
              out.max_pages = Math.max(1, Math.ceil((Number(pc.limit) - start) / step) + 1);
          } else if (pg.strategy === 'cursor')
            out.pagination = {
              type: 'cursor',
              param: String(pc.cursor_param),
              last_record_field: String(pc.field),
            };
          else if (pg.strategy === 'link')
            out.pagination =
              pc.source === 'body'
                ? { type: 'link', source: 'body', path: String(pc.path) }
                : { type: 'link', source: 'header' };
          else
            note(
              'warning',
              [...path, 'pagination'],
              `${name}.read: pagination '${String(pg.strategy)}' is not supported; only the first page is read.`,
            );
        }
        if (!/<(identity|ref)\./.test(JSON.stringify(out)) && pvs.some((p) => p.identity))
          // Fides' "placeholder" identity: the request needs an identity only to run; Ombud reads by it.
          note(
            'warning',
            path,
            `${name}.read: the identity is not used in the request; every record it returns is read (add a filter).`,
          );
      }
      col[kind] = out;
    }
    if (col.update && col.delete) col.erase = 'delete';
    if (Object.keys(col).length) collections[name] = col;
  });
  if (!auth) return { findings };
  note(
    'warning',
    ['saas_config'],
    "Each request's doc is a placeholder (fides-import.invalid): name the vendor document of each endpoint.",
  );
  return {
    connector: {
      connector: key,
      name: String(cfg.name ?? key),
      version: 1,
      docs: `https://fides-import.invalid/${key}`,
      base_url: host,
      settings,
      secrets,
      auth,
      collections: collections as SaasConnectorInput['collections'],
    },
    findings,
  };
}
