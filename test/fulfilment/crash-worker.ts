/**
 * A fulfilment worker for the crash test: erases a batch of customers, one request each, in its own
 * process so the test can kill it at any point. Run with `node --import tsx test/fulfilment/crash-worker.ts`.
 * Input (env): CRASH_OMBUD_URL, CRASH_WEBSHOP_URL, CRASH_SERVICE_URL, CRASH_CUSTOMERS (JSON array of
 * customer numbers).
 */
import { runFulfilment } from '../../src/services/fulfilment/runFulfilment.ts';
import { env, openWorkerSystems } from '../support/worker.ts';

const systems = await openWorkerSystems('CRASH');
const deps = { ...systems.deps, secret: 'crash-test', now: () => new Date('2026-11-25T10:00:00Z') };
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
await systems.close();
