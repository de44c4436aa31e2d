/**
 * A retention run in its own process, for the crash test: the test kills it at any point and starts it
 * again. Run with `node --import tsx test/retention/crash-worker.ts`.
 * Input (env): RET_OMBUD_URL, RET_WEBSHOP_URL, RET_SERVICE_URL, RET_TODAY.
 * Output: one line per progress event, then "finished <status>".
 */
import { RegisterIndex } from '../../src/core/register/register-index.ts';
import { DEMO_REGISTER_DIR } from '../../src/demo/loadDemo.ts';
import { SYSTEM_ACTOR } from '../../src/services/audit/auditLog.ts';
import { openConnector } from '../../src/services/fulfilment/connectors/registry.ts';
import { readDatasetDir } from '../../src/services/fulfilment/datasets.ts';
import { readRegisterDir } from '../../src/services/register/readRegisterDir.ts';
import { runRetention } from '../../src/services/retention/runRetention.ts';
import { openPostgres } from '../../src/storage/postgres.ts';
// The audit key every test process appends with (a worker process is not set up by vitest).
import '../support/audit-keys.ts';

const env = (k: string) => {
  const v = process.env[k];
  if (!v) throw new Error(`${k} is not set`);
  return v;
};

const db = await openPostgres(env('RET_OMBUD_URL'), 2);
const webshop = await openConnector(env('RET_WEBSHOP_URL'));
const service = await openConnector(env('RET_SERVICE_URL'));
const res = await runRetention(
  {
    db,
    actor: SYSTEM_ACTOR,
    index: new RegisterIndex((await readRegisterDir(DEMO_REGISTER_DIR)).register!),
    datasets: await readDatasetDir(),
    connectors: new Map([
      ['nestit_webshop', webshop],
      ['nestit_customer_service', service],
    ]),
    secret: 'retention-crash-test',
  },
  {
    today: env('RET_TODAY'),
    onProgress: (p) =>
      process.stdout.write(`${p.kind} ${p.dataset}${'collection' in p ? ` ${p.collection}` : ''}\n`),
  },
);
process.stdout.write(`finished ${res.status}\n`);
await webshop.close();
await service.close();
await db.close();
