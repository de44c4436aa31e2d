/**
 * Ombud's side of the retention bench: `runRetention` (a real run, not a dry run) over the demo web shop's
 * annotations, with its records and audit entries in Ombud's own database (a fresh, migrated database on
 * the same PostgreSQL server, dropped afterwards).
 */
import { randomBytes } from 'node:crypto';
import { RegisterIndex } from '../../src/core/register/register-index.ts';
import type { IsoDate } from '../../src/core/deadlines/iso-date.ts';
import { DEMO_REGISTER_DIR } from '../../src/demo/loadDemo.ts';
import { SYSTEM_ACTOR } from '../../src/services/audit/auditLog.ts';
import { chainKeysFrom, installAuditChainKeys } from '../../src/services/audit/keys.ts';
import { openConnector } from '../../src/services/fulfilment/connectors/registry.ts';
import { readDatasetDir } from '../../src/services/fulfilment/datasets.ts';
import { type RetentionRunResult, runRetention } from '../../src/services/retention/runRetention.ts';
import { readRegisterDir } from '../../src/services/register/readRegisterDir.ts';
import { migrate } from '../../src/storage/migrate.ts';
import { openPostgres } from '../../src/storage/postgres.ts';
import { dropDb, pgAdmin, withDb } from './copies.ts';

export const WEBSHOP = 'nestit_webshop';

/** Runs Ombud's retention for `day` over the web shop in database `db`; the run's wall time in ms. */
export async function ombudRun(opts: {
  pgUrl: string;
  db: string;
  day: IsoDate;
}): Promise<{ ms: number; result: RetentionRunResult }> {
  const own = `retention_bench_own_${randomBytes(4).toString('hex')}`;
  await pgAdmin(opts.pgUrl, (c) => c.query(`CREATE DATABASE ${own}`));
  const ownDb = await openPostgres(withDb(opts.pgUrl, own));
  const webshop = await openConnector(withDb(opts.pgUrl, opts.db));
  try {
    await migrate(ownDb);
    installAuditChainKeys(chainKeysFrom(`bench:${randomBytes(32).toString('base64')}`, 'bench'));
    const index = new RegisterIndex((await readRegisterDir(DEMO_REGISTER_DIR)).register!);
    const datasets = (await readDatasetDir()).filter((d) => d.fides_key === WEBSHOP);
    const deps = {
      db: ownDb,
      actor: SYSTEM_ACTOR,
      index,
      datasets,
      connectors: new Map([[WEBSHOP, webshop]]),
      secret: 'retention-bench',
      now: () => new Date(`${opts.day}T10:00:00Z`),
    };
    const t0 = performance.now();
    const result = await runRetention(deps, { today: opts.day });
    const ms = performance.now() - t0;
    return { ms, result };
  } finally {
    await webshop.close();
    await ownDb.close();
    await dropDb(opts.pgUrl, own);
  }
}
