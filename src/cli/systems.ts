/**
 * The group's databases named on the command line, for the commands that act on rows there (`retention
 * run`, `hold place|lift`): the dataset annotations read from a folder, `--connection KEY=URL` for each
 * annotated dataset or `--demo` (the demo's own systems), opened, checked, and closed after the work.
 */
import { readdir, readFile } from 'node:fs/promises';
import type { PGlite } from '@electric-sql/pglite';
import type { App } from '../app.ts';
import type { Dataset } from '../core/fulfilment/dataset.ts';
import type { DatasetSource } from '../core/retention/annotations.ts';
import { installationSecret } from '../services/consent/keys.ts';
import type { SqlConnector } from '../services/fulfilment/connectors/types.ts';
import type { Connectors } from '../services/fulfilment/engine.ts';
import { openConnection } from './connections.ts';
import { UsageError } from './spec.ts';

/** The YAML files of a dataset folder, sorted, with their paths (for file:line:column findings). */
export async function readDatasetSources(dir: string): Promise<DatasetSource[]> {
  const files = (await readdir(dir)).filter((f) => /\.ya?ml$/.test(f)).sort();
  const base = dir.replace(/\/?$/, '/');
  return Promise.all(
    files.map(async (f) => ({ path: `${base}${f}`, text: await readFile(`${base}${f}`, 'utf8') })),
  );
}

export type Connection = { key: string; url: string };

/** `--connection DATASET_KEY=URL` values, or a usage error; at least one unless `demo`. */
export function parseConnections(specs: string[], demo: boolean, what: string): Connection[] {
  if (!demo && !specs.length)
    throw new UsageError(`say which databases ${what}: --connection DATASET_KEY=URL for each, or --demo.`);
  return specs.map((spec) => {
    const eq = spec.indexOf('=');
    if (eq <= 0) throw new UsageError('--connection takes DATASET_KEY=URL, e.g. nestit_webshop=postgres://…');
    return { key: spec.slice(0, eq), url: spec.slice(eq + 1) };
  });
}

/**
 * Open the demo's systems (if `demo`) and each connection, check every annotated dataset has one, run `fn`
 * with the connectors and the installation secret, and close what was opened, also when `fn` throws.
 */
export async function withSystems<T>(
  app: App,
  opts: { demo: boolean; connections: Connection[]; datasets: Dataset[]; onDemo?: () => void },
  fn: (systems: { connectors: Connectors; secret: string }) => Promise<T>,
): Promise<T> {
  const connectors: Connectors = new Map();
  const opened: SqlConnector[] = [];
  let closeDemo: (() => Promise<void>) | undefined;
  try {
    if (opts.demo) {
      opts.onDemo?.();
      const { openDemoSystems } = await import('../demo/systems/embedded.ts');
      const demo = await openDemoSystems({
        databaseUrl: app.config.databaseUrl,
        embedded: (app.db as { instance?: PGlite }).instance,
      });
      closeDemo = demo.close;
      for (const [k, c] of demo.connectors) connectors.set(k, c);
    }
    for (const { key, url } of opts.connections) {
      const c = await openConnection(url, 'connection');
      opened.push(c);
      connectors.set(key, c);
    }
    const missing = opts.datasets.filter((d) => !connectors.has(d.fides_key)).map((d) => d.fides_key);
    if (missing.length)
      throw new UsageError(`no connection for ${missing.join(', ')}; give --connection KEY=URL for each.`);
    const secret = app.config.secret ?? (await installationSecret(app.db));
    return await fn({ connectors, secret });
  } finally {
    for (const c of opened) await c.close().catch(() => {});
    await closeDemo?.();
  }
}
