/**
 * For a test's worker process (the crash tests run one, kill it and start it again): its input from the
 * environment, and Ombud's database and the demo systems it runs on, opened from `<PREFIX>_OMBUD_URL`,
 * `<PREFIX>_WEBSHOP_URL` and `<PREFIX>_SERVICE_URL`.
 */
import { RegisterIndex } from '../../src/core/register/register-index.ts';
import { DEMO_REGISTER_DIR } from '../../src/demo/loadDemo.ts';
import { SYSTEM_ACTOR } from '../../src/services/audit/auditLog.ts';
import { openConnector } from '../../src/services/fulfilment/connectors/registry.ts';
import { readDatasetDir } from '../../src/services/fulfilment/datasets.ts';
import { readRegisterDir } from '../../src/services/register/readRegisterDir.ts';
import { openPostgres } from '../../src/storage/postgres.ts';
// The audit key every test process appends with (a worker process is not set up by vitest).
import './audit-keys.ts';

/** A required environment variable. */
export const env = (k: string): string => {
  const v = process.env[k];
  if (!v) throw new Error(`${k} is not set`);
  return v;
};

/** The run's dependencies but its secret and clock, and `close()` for all it opened. */
export async function openWorkerSystems(prefix: string) {
  const db = await openPostgres(env(`${prefix}_OMBUD_URL`), 2);
  const webshop = await openConnector(env(`${prefix}_WEBSHOP_URL`));
  const service = await openConnector(env(`${prefix}_SERVICE_URL`));
  return {
    deps: {
      db,
      actor: SYSTEM_ACTOR,
      index: new RegisterIndex((await readRegisterDir(DEMO_REGISTER_DIR)).register!),
      datasets: await readDatasetDir(),
      connectors: new Map([
        ['nestit_webshop', webshop],
        ['nestit_customer_service', service],
      ]),
    },
    close: async () => {
      await webshop.close();
      await service.close();
      await db.close();
    },
  };
}
