/**
 * A real Ombud server for the consent tests: the demo group, plus the communication purposes and
 * cookie inventory of test/consent/fixtures when the demo register does not define them yet.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEMO_REGISTER_DIR } from '../../src/demo/loadDemo.ts';
import { SYSTEM_ACTOR } from '../../src/services/audit/auditLog.ts';
import { applyRegister } from '../../src/services/register/applyRegister.ts';
import { readRegisterSources } from '../../src/services/register/readRegisterDir.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const FIXTURE = fileURLToPath(new URL('./fixtures/consent-purposes.yaml', import.meta.url));

export async function startConsentServer(opts: { kind?: 'pglite' | 'postgres'; now?: () => Date } = {}): Promise<TestServer> {
  const t = await startTestServer(opts);
  const current = (await t.app.registers.get())!;
  if (!current.index.purposes.has('communication-subscription')) {
    const sources = await readRegisterSources(DEMO_REGISTER_DIR);
    sources.push({ path: 'test/consent/fixtures/consent-purposes.yaml', text: readFileSync(FIXTURE, 'utf8') });
    await applyRegister(t.app.db, SYSTEM_ACTOR, sources);
  }
  return t;
}

/** Headers for a cookie-authenticated change from the console's own origin. */
export const same = (cookie: string, extra: Record<string, string> = {}) => ({
  cookie,
  origin: 'http://localhost:80',
  host: 'localhost:80',
  ...extra,
});
