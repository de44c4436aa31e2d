/**
 * A fulfilment worker for the crash test: erases a batch of customers, one request each, in its own
 * process so the test can kill it at any point. Run with `node --import tsx test/fulfilment/crash-worker.ts`.
 * Input (env): CRASH_OMBUD_URL, CRASH_WEBSHOP_URL, CRASH_SERVICE_URL, CRASH_CUSTOMERS (JSON array of
 * customer numbers).
 */
import { RegisterIndex } from '../../src/core/register/register-index.ts';
import { DEMO_REGISTER_DIR } from '../../src/demo/loadDemo.ts';
import { SYSTEM_ACTOR } from '../../src/services/audit/auditLog.ts';
import { openConnector } from '../../src/services/fulfilment/connectors/registry.ts';
import { readDatasetDir } from '../../src/services/fulfilment/datasets.ts';
import { runFulfilment } from '../../src/services/fulfilment/runFulfilment.ts';
import { readRegisterDir } from '../../src/services/register/readRegisterDir.ts';
import { openPostgres } from '../../src/storage/postgres.ts';
// The audit key every test process appends with (a worker process is not set up by vitest).
import '../support/audit-keys.ts';

const env = (k: string) => {
  const v = process.env[k];
  if (!v) throw new Error(`${k} is not set`);
  return v;
};

const db = await openPostgres(env('CRASH_OMBUD_URL'), 2);
const webshop = await openConnector(env('CRASH_WEBSHOP_URL'));
const service = await openConnector(env('CRASH_SERVICE_URL'));
const deps = {
  db,
  actor: SYSTEM_ACTOR,
  index: new RegisterIndex((await readRegisterDir(DEMO_REGISTER_DIR)).register!),
  datasets: await readDatasetDir(),
  connectors: new Map([
    ['nestit_webshop', webshop],
    ['nestit_customer_service', service],
  ]),
  secret: 'crash-test',
  now: () => new Date('2026-11-25T10:00:00Z'),
};
process.stdout.write('ready\n');
for (const cn of JSON.parse(env('CRASH_CUSTOMERS')) as string[]) {
  const res = await runFulfilment(deps, {
    requestId: `crash-${cn}`,
    orgId: 'nestit-sverige',
    type: 'erasure',
    identities: { customerNumber: cn },
  });
  if (res.status !== 'done') throw new Error(`request crash-${cn} failed`);
  process.stdout.write(`done ${cn}\n`);
}
await webshop.close();
await service.close();
await db.close();
