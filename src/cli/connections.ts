/** The database URLs given on the command line: a URL that is not one is a usage error, before connecting. */
import { CONNECTOR_KINDS, openConnector } from '../services/fulfilment/connectors/registry.ts';
import type { SqlConnector } from '../services/fulfilment/connectors/types.ts';
import { UsageError } from './spec.ts';

const SCHEMES = Object.values(CONNECTOR_KINDS).flatMap((k) => k.schemes);

/** Open the database of `--option URL`; the URL is never printed (it may hold a password). */
export function openConnection(url: string, option: string): Promise<SqlConnector> {
  const parsed = URL.canParse(url) ? new URL(url) : undefined;
  if (!parsed || !SCHEMES.includes(parsed.protocol.replace(/:$/, '')))
    throw new UsageError(`--${option} takes a database URL: postgres://…, mysql://… or pglite:///data/dir`);
  return openConnector(url);
}
