/**
 * Reading the systems file (`ombud.yaml`, docs/systems.md): the file parsed and validated
 * (src/core/systems/config.ts), its references resolved from the environment and from files, and the
 * dataset annotations of its folder parsed. Every problem is a finding at file:line:column; resolved
 * URLs and secrets are never put into a finding.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { Dataset } from '../../core/fulfilment/dataset.ts';
import { type DatasetSource, parseDatasetSources } from '../../core/retention/annotations.ts';
import type { Register } from '../../core/register/schema.ts';
import {
  type ConnectorEntry,
  parseSystemsConfig,
  type Reference,
  referencesOf,
  resolveReferences,
  SYSTEMS_FILE_NAMES,
  type SystemsConfig,
  type SystemsFinding,
  withPassword,
} from '../../core/systems/config.ts';
import { parseConnector, type SaasConnector } from '../../core/connectors/saas.ts';
import { httpConnectorInput } from '../fulfilment/connectors/http.ts';
import { saasInputProblems } from '../fulfilment/connectors/saas.ts';
import { CONNECTOR_KINDS } from '../fulfilment/connectors/registry.ts';

/** A dataset's database as configured: the URL resolved (never printed), where it was written. */
export type ConfiguredConnection = {
  key: string;
  url: string;
  /** The place of the dataset's entry in the file. */
  at: { file: string; line: number; column: number };
};

export type ConfiguredConnector = Required<Pick<ConnectorEntry, 'url' | 'secret'>> &
  Omit<ConnectorEntry, 'url' | 'secret'> & {
    systemId: string;
    at: { file: string; line: number; column: number };
  };

/** A register system's SaaS connector as configured: the connector file parsed, its references resolved. */
export type ConfiguredSaas = {
  systemId: string;
  connector: SaasConnector;
  settings: Record<string, string>;
  secrets: Record<string, string>;
  baseUrl?: string;
  at: { file: string; line: number; column: number };
};

export type LoadedSystems = {
  /** The systems file, as given. */
  file: string;
  config?: SystemsConfig;
  datasetsDir?: string;
  datasets: Dataset[];
  connections: ConfiguredConnection[];
  connectors: ConfiguredConnector[];
  saas: ConfiguredSaas[];
  /** The file's and the annotations' findings (errors and warnings), located. */
  findings: SystemsFinding[];
  /** Where a dotted dataset path of validate.ts stands in the annotation files. */
  locateDataset: (path: string) => { file: string; line: number; column: number } | undefined;
};

/** The systems file to use: the one given, else `ombud.yaml` in the register folder if there is one. */
export function systemsFileFor(opts: { systems?: string; register?: string }): string | undefined {
  if (opts.systems) return opts.systems;
  if (!opts.register) return undefined;
  for (const name of SYSTEMS_FILE_NAMES) {
    const p = join(opts.register, name);
    if (existsSync(p)) return p;
  }
  return undefined;
}

const SCHEMES = Object.values(CONNECTOR_KINDS).flatMap((k) => k.schemes);

/** The YAML files of a folder, sorted, with their paths. */
async function readYamlDir(dir: string): Promise<DatasetSource[]> {
  const files = (await readdir(dir)).filter((f) => /\.ya?ml$/.test(f)).sort();
  return Promise.all(
    files.map(async (f) => {
      const p = join(dir, f);
      return { path: relative(process.cwd(), p) || p, text: await readFile(p, 'utf8') };
    }),
  );
}

type Located = (path: (string | number)[]) => { file: string; line: number; column: number };

/**
 * A resolver of the file's references: environment variables from `env`, files read once (relative to
 * the systems file). An unresolved reference becomes a finding at its value; the value is never said.
 */
async function referenceResolver(
  file: string,
  config: SystemsConfig,
  env: Record<string, string | undefined>,
  locate: Located,
  findings: SystemsFinding[],
): Promise<(path: (string | number)[], value: string) => string | undefined> {
  const files = new Map<string, string | undefined>();
  for (const value of [
    ...Object.values(config.systems).flatMap((s) => [s.url, s.password ?? '']),
    ...Object.values(config.connectors).flatMap((c) => [c.url, c.secret]),
    ...Object.values(config.saas).flatMap((c) => [c.base_url ?? '', ...Object.values(c.secrets)]),
  ])
    for (const ref of referencesOf(value))
      if (ref.kind === 'file' && !files.has(ref.name)) {
        const p = isAbsolute(ref.name) ? ref.name : resolve(dirname(file), ref.name);
        files.set(ref.name, await readFile(p, 'utf8').catch(() => undefined));
      }
  const lookup = (ref: Reference): { value: string } | { error: string } => {
    if (ref.kind === 'env') {
      const v = env[ref.name];
      return v ? { value: v } : { error: `the environment variable ${ref.name} is not set.` };
    }
    const v = files.get(ref.name);
    // A secret file usually ends with a newline; the value is its first line.
    return v === undefined
      ? { error: `the file ${ref.name} cannot be read.` }
      : { value: v.replace(/\r?\n$/, '') };
  };
  return (path, value) => {
    const r = resolveReferences(value, lookup);
    if ('value' in r) return r.value;
    findings.push({
      severity: 'error',
      ...locate(path),
      message: `${path.join('.')}: ${r.error}`,
      hint: r.error.includes('environment')
        ? 'Set it in the environment of Ombud (its value is never printed).'
        : `A file reference is read relative to ${file}; check the path and that Ombud may read it.`,
    });
    return undefined;
  };
}

/** The databases and HTTP connectors of the file, their references resolved and their URLs checked. */
function resolveEntries(
  config: SystemsConfig,
  resolved: (path: (string | number)[], value: string) => string | undefined,
  locate: Located,
  findings: SystemsFinding[],
): { connections: ConfiguredConnection[]; connectors: ConfiguredConnector[] } {
  const connections: ConfiguredConnection[] = [];
  for (const [key, s] of Object.entries(config.systems)) {
    const url = resolved(['systems', key, 'url'], s.url);
    const password =
      s.password === undefined ? undefined : resolved(['systems', key, 'password'], s.password);
    if (url === undefined || (s.password !== undefined && password === undefined)) continue;
    const scheme = URL.canParse(url) ? new URL(url).protocol.replace(/:$/, '') : undefined;
    if (!scheme || !SCHEMES.includes(scheme)) {
      findings.push({
        severity: 'error',
        ...locate(['systems', key, 'url']),
        message: `systems.${key}.url: not a database URL${referencesOf(s.url).length ? ' (after its references were put in)' : ''}.`,
        hint: 'Use postgres://USER@HOST:PORT/DATABASE or mysql://USER@HOST:PORT/DATABASE (mariadb:// too).',
      });
      continue;
    }
    connections.push({ key, url: withPassword(url, password), at: locate(['systems', key, 'url']) });
  }
  const connectors: ConfiguredConnector[] = [];
  for (const [systemId, c] of Object.entries(config.connectors)) {
    const url = resolved(['connectors', systemId, 'url'], c.url);
    const secret = resolved(['connectors', systemId, 'secret'], c.secret);
    if (url === undefined || secret === undefined) continue;
    // The connector's own rules (an http(s) URL, a whsec_ secret), said without the values.
    const checked = httpConnectorInput.safeParse({ systemId, url, secret });
    if (!checked.success) {
      for (const i of checked.error.issues)
        findings.push({
          severity: 'error',
          ...locate(['connectors', systemId, ...i.path.map(String)]),
          message: `connectors.${systemId}.${i.path.join('.')}: ${i.message}.`,
        });
      continue;
    }
    connectors.push({ ...c, systemId, url, secret, at: locate(['connectors', systemId]) });
  }
  return { connections, connectors };
}

/**
 * The SaaS connectors of the file: each connector file read and validated (its findings at its own
 * file:line:column), its secrets and base URL resolved, its settings and secrets matched with what it declares.
 */
async function resolveSaas(
  file: string,
  config: SystemsConfig,
  resolved: (path: (string | number)[], value: string) => string | undefined,
  locate: Located,
  findings: SystemsFinding[],
): Promise<ConfiguredSaas[]> {
  const out: ConfiguredSaas[] = [];
  for (const [systemId, e] of Object.entries(config.saas)) {
    const at = locate(['saas', systemId, 'connector']);
    const path = isAbsolute(e.connector) ? e.connector : resolve(dirname(file), e.connector);
    const text = await readFile(path, 'utf8').catch(() => undefined);
    if (text === undefined) {
      findings.push({
        severity: 'error',
        ...at,
        message: `saas.${systemId}.connector: '${e.connector}' cannot be read (relative to ${file}).`,
      });
      continue;
    }
    const parsed = parseConnector({ path: relative(process.cwd(), path) || path, text });
    findings.push(...parsed.findings);
    if (!parsed.connector || parsed.findings.some((f) => f.severity === 'error')) continue;
    const secrets: Record<string, string> = {};
    let ok = true;
    for (const [name, v] of Object.entries(e.secrets)) {
      const r = resolved(['saas', systemId, 'secrets', name], v);
      if (r === undefined) ok = false;
      else secrets[name] = r;
    }
    const baseUrl =
      e.base_url === undefined ? undefined : resolved(['saas', systemId, 'base_url'], e.base_url);
    if (!ok || (e.base_url !== undefined && baseUrl === undefined)) continue;
    const c = {
      systemId,
      connector: parsed.connector,
      settings: e.settings,
      secrets,
      ...(baseUrl ? { baseUrl } : {}),
    };
    const problems = saasInputProblems(c);
    for (const p of problems)
      findings.push({
        severity: 'error',
        ...locate(['saas', systemId, ...p.path]),
        message: `saas.${systemId}.${p.path.join('.')}: ${p.message}.`,
      });
    if (!problems.length) out.push({ ...c, at: locate(['saas', systemId]) });
  }
  return out;
}

/**
 * The annotations of the file's folder, parsed (against `register` when given), and matched with the
 * file: each annotated dataset needs its database, each database an annotated dataset, each connector a
 * register system.
 */
async function readAnnotations(
  file: string,
  config: SystemsConfig,
  connectors: ConfiguredConnector[],
  opts: { locate: Located; findings: SystemsFinding[]; register?: Register },
): Promise<Pick<LoadedSystems, 'datasetsDir' | 'datasets' | 'locateDataset'>> {
  const { locate, findings, register } = opts;
  const datasetsDir = isAbsolute(config.datasets) ? config.datasets : resolve(dirname(file), config.datasets);
  if (!(await stat(datasetsDir).catch(() => undefined))?.isDirectory()) {
    findings.push({
      severity: 'error',
      ...locate(['datasets']),
      message: `datasets: '${config.datasets}' is not a folder (relative to ${file}).`,
      hint: 'Name the folder of the dataset annotations (YAML); see docs/systems.md.',
    });
    return { datasets: [], locateDataset: () => undefined };
  }
  const sources = await readYamlDir(datasetsDir);
  if (!sources.length)
    findings.push({
      severity: 'error',
      ...locate(['datasets']),
      message: `datasets: the folder '${config.datasets}' holds no .yaml files.`,
      hint: 'Put the dataset annotations there (ombud dataset generate writes a first draft).',
    });
  const ann = parseDatasetSources(sources, register ? { register } : {});
  findings.push(...ann.findings);
  for (const d of ann.datasets)
    if (!config.systems[d.fides_key])
      findings.push({
        severity: 'error',
        ...(ann.locate(d.fides_key) ?? locate(['systems'])),
        message: `Dataset '${d.fides_key}' has no database in ${file}.`,
        hint: `Add systems: { ${d.fides_key}: { url: \${env:…} } } to ${file}.`,
      });
  for (const key of Object.keys(config.systems))
    if (!ann.datasets.some((d) => d.fides_key === key))
      findings.push({
        severity: 'error',
        ...locate(['systems', key]),
        message: `systems.${key}: no annotated dataset has this fides_key.`,
        hint: `Datasets in ${config.datasets}: ${ann.datasets.map((d) => d.fides_key).join(', ') || 'none'}.`,
      });
  if (register)
    for (const c of connectors)
      if (!register.systems.some((s) => s.id === c.systemId))
        findings.push({
          severity: 'error',
          ...c.at,
          message: `connectors.${c.systemId}: '${c.systemId}' is not a system of the register.`,
          hint: `Use a register system id: ${register.systems.map((s) => s.id).join(', ')}.`,
        });
  return { datasetsDir, datasets: ann.datasets, locateDataset: ann.locate };
}

/**
 * Read and check the systems file `file`: references resolved with `env` and files (relative to the
 * systems file), the annotations read (checked against `register` when given). Findings, never a throw,
 * for a file that is wrong; a missing file is a finding too.
 */
export async function loadSystems(
  file: string,
  opts: { env: Record<string, string | undefined>; register?: Register },
): Promise<LoadedSystems> {
  const empty: LoadedSystems = {
    file,
    datasets: [],
    connections: [],
    connectors: [],
    saas: [],
    findings: [],
    locateDataset: () => undefined,
  };
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined)
    return {
      ...empty,
      findings: [
        {
          severity: 'error',
          file,
          line: 1,
          column: 1,
          message: 'The systems file cannot be read.',
          hint: 'Give an existing file with --systems FILE (or OMBUD_SYSTEMS), e.g. ombud.yaml; see docs/systems.md.',
        },
      ],
    };
  const parsed = parseSystemsConfig({ path: file, text });
  const findings = [...parsed.findings];
  const config = parsed.config;
  if (!config || findings.some((f) => f.severity === 'error')) return { ...empty, config, findings };
  const resolved = await referenceResolver(file, config, opts.env, parsed.locate, findings);
  const entries = resolveEntries(config, resolved, parsed.locate, findings);
  const saas = await resolveSaas(file, config, resolved, parsed.locate, findings);
  const annotations = await readAnnotations(file, config, entries.connectors, {
    locate: parsed.locate,
    findings,
    register: opts.register,
  });
  return { ...empty, config, ...entries, saas, ...annotations, findings };
}
