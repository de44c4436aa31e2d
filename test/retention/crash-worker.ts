/**
 * A retention run in its own process, for the crash test: the test kills it at any point and starts it
 * again. Run with `node --import tsx test/retention/crash-worker.ts`.
 * Input (env): RET_OMBUD_URL, RET_WEBSHOP_URL, RET_SERVICE_URL, RET_TODAY.
 * Output: one line per progress event, then "finished <status>".
 */
import { runRetention } from '../../src/services/retention/runRetention.ts';
import { env, openWorkerSystems } from '../support/worker.ts';

const systems = await openWorkerSystems('RET');
const res = await runRetention(
  { ...systems.deps, secret: 'retention-crash-test' },
  {
    today: env('RET_TODAY'),
    onProgress: (p) =>
      process.stdout.write(`${p.kind} ${p.dataset}${'collection' in p ? ` ${p.collection}` : ''}\n`),
  },
);
process.stdout.write(`finished ${res.status}\n`);
await systems.close();
