/**
 * ombud apikey create | list | revoke ID | rotate ID. The key is printed once, at creation or rotation;
 * only its hash is stored.
 */
import { CLI_ACTOR } from '../../services/audit/auditLog.ts';
import {
  type ApiKey,
  createApiKey,
  listApiKeys,
  revokeApiKey,
  rotateApiKey,
} from '../../services/apikeys/apiKeys.ts';
import type { COMMANDS } from '../commands.ts';
import { printJson } from '../io.ts';
import { type Run, UsageError } from '../spec.ts';
import { withApp } from '../with-app.ts';

/** What a script reads of a key: never the hash. */
const described = (k: ApiKey) => ({
  id: k.id,
  prefix: k.prefix,
  name: k.name,
  orgIds: k.orgIds,
  permissions: k.permissions,
  createdAt: k.createdAt.toISOString(),
  expiresAt: k.expiresAt?.toISOString() ?? null,
  revokedAt: k.revokedAt?.toISOString() ?? null,
  lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
  rotatedFrom: k.rotatedFrom,
});

export const create: Run<(typeof COMMANDS)['apikey create']> = async ({ values }, io) => {
  const exp = values['expires-days'];
  if (exp !== 'never' && !/^\d{1,4}$/.test(exp))
    throw new UsageError(`--expires-days takes a number of days or "never" (got '${exp}').`);
  return withApp(async (app) => {
    const knownOrgs = (await app.registers.get())?.index.register.organizations.map((o) => o.id);
    const { key, apiKey } = await createApiKey(
      app.db,
      CLI_ACTOR,
      {
        name: values.name,
        orgIds: values.org,
        permissions: values.permission,
        expiresInDays: exp === 'never' ? null : Number(exp),
      },
      { knownOrgs },
    );
    if (values.json) {
      printJson(io, { ...described(apiKey), key });
      return 0;
    }
    io.out(
      `Created API key ${apiKey.id} (${apiKey.prefix}…), expires ${apiKey.expiresAt?.toISOString() ?? 'never'}.`,
    );
    io.out('The key is shown this once; store it now:');
    io.out(key);
    return 0;
  });
};

export const list: Run<(typeof COMMANDS)['apikey list']> = async ({ values }, io) =>
  withApp(async (app) => {
    const keys = await listApiKeys(app.db);
    if (values.json) {
      printJson(io, { keys: keys.map(described) });
      return 0;
    }
    if (keys.length === 0) io.out('No API keys.');
    for (const k of keys)
      io.out(
        [
          k.id,
          `${k.prefix}…`,
          k.name,
          `orgs=${k.orgIds.join(',')}`,
          `permissions=${k.permissions.join(',')}`,
          k.revokedAt
            ? `revoked ${k.revokedAt.toISOString()}`
            : k.expiresAt
              ? `expires ${k.expiresAt.toISOString()}`
              : 'no expiry',
          `last used ${k.lastUsedAt?.toISOString() ?? 'never'}`,
        ].join('  '),
      );
    return 0;
  });

export const revoke: Run<(typeof COMMANDS)['apikey revoke']> = async ({ values, positionals }, io) =>
  withApp(async (app) => {
    const k = await revokeApiKey(app.db, CLI_ACTOR, positionals[0]!);
    if (values.json) printJson(io, described(k));
    else io.out(`Revoked API key ${k.id}.`);
    return 0;
  });

export const rotate: Run<(typeof COMMANDS)['apikey rotate']> = async ({ values, positionals }, io) =>
  withApp(async (app) => {
    const id = positionals[0]!;
    const { key, apiKey } = await rotateApiKey(app.db, CLI_ACTOR, id);
    if (values.json) {
      printJson(io, { ...described(apiKey), key });
      return 0;
    }
    io.out(`Rotated: ${id} is revoked; the new key ${apiKey.id} is shown this once:`);
    io.out(key);
    return 0;
  });
