/**
 * The Acme group of test/fixtures/group-systems (not the demo): its shop database on the PostgreSQL server
 * and its help desk on MariaDB, each fresh and filled from the fixture's SQL, and a copy of its register
 * folder (with its ombud.yaml) to point a start or a check at.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freshSystemDb, type SystemDb } from '../support/systems.ts';

export const FIXTURE = resolve('test/fixtures/group-systems');

export type AcmeSystems = { shop: SystemDb; helpdesk: SystemDb; close: () => Promise<void> };

/** Both databases, created and filled; `close()` drops them. */
export async function acmeSystems(): Promise<AcmeSystems> {
  const shop = await freshSystemDb('postgres', 'acme_shop');
  const helpdesk = await freshSystemDb('mysql', 'acme_helpdesk');
  await shop.connector.exec(readFileSync(join(FIXTURE, 'shop.pg.sql'), 'utf8'));
  await helpdesk.connector.exec(readFileSync(join(FIXTURE, 'helpdesk.mysql.sql'), 'utf8'));
  return {
    shop,
    helpdesk,
    close: async () => {
      await shop.drop();
      await helpdesk.drop();
    },
  };
}

/**
 * A temporary folder holding a copy of the register (with its ombud.yaml, whose `datasets` is made to
 * point at `datasets`, by default the fixture's) and the help desk's URL in the file the systems file
 * names; `ombudYaml` replaces the systems file.
 */
export function acmeFolder(opts: { helpdeskUrl?: string; datasets?: string; ombudYaml?: string } = {}): {
  dir: string;
  register: string;
  systemsFile: string;
  remove: () => void;
} {
  const dir = mkdtempSync(join(tmpdir(), 'ombud-acme-'));
  const register = join(dir, 'register');
  cpSync(join(FIXTURE, 'register'), register, { recursive: true });
  const systemsFile = join(register, 'ombud.yaml');
  const yaml =
    opts.ombudYaml ??
    readFileSync(systemsFile, 'utf8').replace(
      'datasets: ../datasets',
      `datasets: ${opts.datasets ?? join(FIXTURE, 'datasets')}`,
    );
  writeFileSync(systemsFile, yaml);
  if (opts.helpdeskUrl !== undefined)
    writeFileSync(join(register, 'helpdesk-db-url'), `${opts.helpdeskUrl}\n`);
  return { dir, register, systemsFile, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
