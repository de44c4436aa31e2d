/**
 * The connector kinds, in one place: a kind's URL schemes and how its driver is opened. Drivers are loaded
 * on first use (mysql2 is not loaded by a group without MariaDB). A new database is one entry here, its
 * driver module and its dialect object (./dialect.ts).
 */
import type { SqlConnector } from './types.ts';

export type ConnectorKind = {
  /** URL schemes (without ':') this kind opens. */
  schemes: readonly string[];
  open(url: string): Promise<SqlConnector>;
};

export const CONNECTOR_KINDS = {
  postgres: {
    schemes: ['postgres', 'postgresql'],
    open: async (url) => (await import('./postgres.ts')).openPostgresConnector(url),
  },
  mysql: {
    schemes: ['mysql', 'mariadb'],
    open: async (url) => (await import('./mysql.ts')).openMysqlConnector(url),
  },
  // An embedded database's data directory: pglite:///absolute/path (discovery and schema drafts).
  pglite: {
    schemes: ['pglite'],
    open: async (url) =>
      (await import('./pglite.ts')).openPgliteConnector(decodeURIComponent(new URL(url).pathname)),
  },
} satisfies Record<string, ConnectorKind>;

/** Open a connector from a URL: postgres://…, mysql://… (mariadb://… too) or pglite:///data/dir. */
export async function openConnector(url: string): Promise<SqlConnector> {
  const scheme = new URL(url).protocol.replace(/:$/, '');
  const kind = Object.values(CONNECTOR_KINDS).find((k: ConnectorKind) => k.schemes.includes(scheme));
  if (!kind) {
    const known = Object.values(CONNECTOR_KINDS).map((k) => `${k.schemes[0]}://`);
    throw new Error(`Unsupported connection scheme '${scheme}': use ${known.join(' or ')}`);
  }
  return kind.open(url);
}
