/**
 * Fresh databases on the real servers for the demo systems: PostgreSQL at 127.0.0.1:5432 and
 * MariaDB/MySQL at 127.0.0.1:3306. Each call creates its own database; `drop()` removes it.
 */
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import { openConnector } from '../../src/services/fulfilment/connectors/registry.ts';
import type { SqlConnector } from '../../src/services/fulfilment/connectors/types.ts';
import { DB_SUFFIX, serverDatabase } from './db.ts';

export const MYSQL_ADMIN_URL = process.env.OMBUD_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';

export type SystemDb = { url: string; connector: SqlConnector; drop: () => Promise<void> };

/** An empty database on the PostgreSQL or MariaDB server, named `<prefix>_<random>`; `drop()` removes it. */
export async function freshSystemDb(kind: 'postgres' | 'mysql', prefix = 'ombud_sys'): Promise<SystemDb> {
  if (kind === 'postgres') {
    const db = await serverDatabase(prefix);
    const connector = await openConnector(db.url);
    return {
      url: db.url,
      connector,
      drop: async () => {
        await connector.close();
        await db.drop();
      },
    };
  }
  const name = `${prefix}_${randomBytes(5).toString('hex')}${DB_SUFFIX}`;
  const admin = await mysql.createConnection({ uri: MYSQL_ADMIN_URL });
  await admin.query(`CREATE DATABASE ${name} CHARACTER SET utf8mb4`);
  await admin.end();
  const url = new URL(MYSQL_ADMIN_URL);
  url.pathname = `/${name}`;
  const connector = await openConnector(url.toString());
  return {
    url: url.toString(),
    connector,
    drop: async () => {
      await connector.close();
      const a = await mysql.createConnection({ uri: MYSQL_ADMIN_URL });
      await a.query(`DROP DATABASE IF EXISTS ${name}`);
      await a.end();
    },
  };
}
