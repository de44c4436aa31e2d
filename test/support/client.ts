/**
 * The typed API client (src/client) on a test server, as the group's systems call Ombud: over HTTP to the server
 * listening on a loopback port, with an API key. Paths, parameters and bodies are checked by tsc against the
 * committed OpenAPI document, so a contract change that breaks the client breaks `npm run typecheck`.
 */
import type { AddressInfo } from 'node:net';
import type { App } from '../../src/app.ts';
import { createOmbudClient, type OmbudClient } from '../../src/client/index.ts';
import { KEY_FORBIDDEN, type Permission, PERMISSIONS } from '../../src/core/policies/permissions.ts';
import { createApiKey } from '../../src/services/apikeys/apiKeys.ts';
import { SYSTEM_ACTOR } from '../../src/services/audit/auditLog.ts';
import type { TestServer } from './server.ts';

/**
 * The client the tests use. An answer whose operation declares its success body is typed by it; one that
 * declares none yet reads untyped (`any`), so the tests type-check today and are checked against each answer's
 * schema as soon as the document declares it (issue #21: every API route gets its response schema).
 */
// biome-ignore lint/suspicious/noExplicitAny: see above; declared answers are typed.
export type TestClient = OmbudClient<any>;

/** The base URL of the test server, listening on a free loopback port (started here unless it already listens). */
export async function baseUrlOf(ts: Pick<TestServer, 'server'>): Promise<string> {
  if (!ts.server.server.listening) await ts.server.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(ts.server.server.address() as AddressInfo).port}`;
}

/** Every permission an API key may hold (keys never manage people or keys). */
export const KEY_PERMISSIONS = PERMISSIONS.filter((p) => p !== 'public' && !KEY_FORBIDDEN.includes(p));

/** An API key, by default with every permission a key may hold in every organization of the current register. */
export async function apiKeyOn(
  app: App,
  scope: { permissions?: readonly Permission[]; orgIds?: string[]; name?: string } = {},
): Promise<string> {
  const orgIds =
    scope.orgIds ?? (await app.registers.get())?.stored.register.organizations.map((o) => o.id) ?? [];
  const { key } = await createApiKey(app.db, SYSTEM_ACTOR, {
    name: scope.name ?? 'test client',
    orgIds,
    permissions: [...(scope.permissions ?? KEY_PERMISSIONS)],
  });
  return key;
}

/** The typed client on the listening test server, with a new API key (see `apiKeyOn` for its scope). */
export async function clientOn(
  ts: Pick<TestServer, 'server' | 'app'>,
  scope?: Parameters<typeof apiKeyOn>[1],
): Promise<TestClient> {
  return createOmbudClient({ baseUrl: await baseUrlOf(ts), apiKey: await apiKeyOn(ts.app, scope) });
}
