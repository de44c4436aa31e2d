/**
 * The group's systems opened: a connector per annotated dataset, whether they are the demo's own or the
 * ones of the systems file. What the workers of `ombud start` run over (startSystemsWork in src/cli/roles.ts).
 */
import type { Dataset } from '../../core/fulfilment/dataset.ts';
import type { LiveSchema } from '../../core/fulfilment/live-schema.ts';
import { validateDatasets } from '../../core/fulfilment/validate.ts';
import type { Register } from '../../core/register/schema.ts';
import type { SystemsFinding } from '../../core/systems/config.ts';
import { openConnector } from '../fulfilment/connectors/registry.ts';
import type { SqlConnector } from '../fulfilment/connectors/types.ts';
import type { Connectors } from '../fulfilment/engine.ts';
import type { ConfiguredConnection, LoadedSystems } from './config.ts';

/** Annotated datasets with an open connection each, and how to close them. */
export type OpenSystems = { datasets: Dataset[]; connectors: Connectors; close: () => Promise<void> };

/** How long connecting to one database may take before it counts as unreachable. */
export const CONNECT_TIMEOUT_MS = 10_000;

/** A driver's message without the URL (which may hold a password) and without its stack. */
export function connectionError(err: unknown, url: string): string {
  const e = err as { code?: unknown; message?: unknown };
  let message = typeof e?.message === 'string' ? e.message.split('\n')[0]! : String(err);
  if (url) message = message.split(url).join('<url>');
  if (URL.canParse(url)) {
    const pw = new URL(url).password;
    if (pw) message = message.split(decodeURIComponent(pw)).join('***').split(pw).join('***');
  }
  // A system error's code (ECONNREFUSED, ENOTFOUND) says what happened; a database's SQLSTATE adds nothing.
  const code =
    typeof e?.code === 'string' && /^E[A-Z]+$/.test(e.code) && !message.includes(e.code) ? `${e.code}: ` : '';
  return `${code}${message}`.trim() || 'the connection failed';
}

/** Open a dataset's database and ask it one question, within the timeout; closed again on failure. */
export async function connect(c: Pick<ConfiguredConnection, 'url'>): Promise<SqlConnector> {
  const connector = await openConnector(c.url);
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      connector.query('SELECT 1 AS one'),
      new Promise((_r, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer within ${CONNECT_TIMEOUT_MS / 1000} s`)),
          CONNECT_TIMEOUT_MS,
        );
      }),
    ]);
    return connector;
  } catch (err) {
    await connector.close().catch(() => {});
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

export class SystemsOpenError extends Error {
  override readonly name = 'SystemsOpenError';
  constructor(
    message: string,
    readonly findings: SystemsFinding[],
  ) {
    super(message);
  }
}

/**
 * Open every configured database and check the annotations against them (tables and columns exist) and
 * the register. Throws SystemsOpenError (the findings located, nothing left open) when a database cannot
 * be reached or an annotation does not fit.
 */
export async function openConfiguredSystems(
  loaded: LoadedSystems,
  opts: { register?: Register } = {},
): Promise<OpenSystems> {
  const connectors: Connectors = new Map();
  const closeAll = async () => {
    for (const c of connectors.values()) await c.close().catch(() => {});
  };
  const failures: SystemsFinding[] = [];
  const live = new Map<string, LiveSchema>();
  for (const c of loaded.connections) {
    try {
      const connector = await connect(c);
      connectors.set(c.key, connector);
      live.set(c.key, await connector.describe());
    } catch (err) {
      failures.push({
        severity: 'error',
        ...c.at,
        message: `systems.${c.key}: cannot connect: ${connectionError(err, c.url)}`,
        hint: 'Run ombud systems check for every connection.',
      });
    }
  }
  if (!failures.length)
    for (const f of validateDatasets(loaded.datasets, { live, register: opts.register }))
      if (f.severity === 'error')
        failures.push({
          severity: 'error',
          ...(loaded.locateDataset(f.path) ?? { file: loaded.file, line: 1, column: 1 }),
          message: `${f.path}: ${f.message}`,
          ...(f.hint ? { hint: f.hint } : {}),
        });
  if (failures.length) {
    await closeAll();
    throw new SystemsOpenError(`The systems of ${loaded.file} cannot be used.`, failures);
  }
  return { datasets: loaded.datasets, connectors, close: closeAll };
}
