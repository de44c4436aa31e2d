/** Helpers for the consent tests. */
import { startTestServer, type TestServer } from '../support/server.ts';

export async function startConsentServer(
  opts: { kind?: 'pglite' | 'postgres'; now?: () => Date } = {},
): Promise<TestServer> {
  return startTestServer(opts);
}

/** Headers for a cookie-authenticated change from the console's own origin. */
export const same = (cookie: string, extra: Record<string, string> = {}) => ({
  cookie,
  origin: 'http://localhost',
  host: 'localhost',
  ...extra,
});
