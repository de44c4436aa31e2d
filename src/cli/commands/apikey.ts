/**
 * ombud apikey create --name N --org ID [--org ID…] --permission P [--permission P…] [--expires-days 90|never]
 * ombud apikey list
 * ombud apikey revoke ID
 * ombud apikey rotate ID
 * The key is printed once, at creation or rotation; only its hash is stored.
 */
import { parseArgs } from 'node:util';
import { CLI_ACTOR } from '../../services/audit/auditLog.ts';
import { createApiKey, listApiKeys, revokeApiKey, rotateApiKey } from '../../services/apikeys/apiKeys.ts';
import type { CliIo } from '../io.ts';
import { withApp } from '../with-app.ts';

const USAGE =
  'Usage: ombud apikey create --name N --org ID --permission P [--expires-days N|never] | list | revoke ID | rotate ID';

export async function run(args: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      org: { type: 'string', multiple: true },
      permission: { type: 'string', multiple: true },
      'expires-days': { type: 'string' },
    },
  });
  if (sub === 'create') {
    if (!values.name || !values.org?.length || !values.permission?.length) {
      io.err(`ombud apikey create: --name, --org and --permission are required.\n${USAGE}`);
      return 2;
    }
    const exp = values['expires-days'] ?? '90';
    if (exp !== 'never' && !/^\d{1,4}$/.test(exp)) {
      io.err('ombud apikey create: --expires-days takes a number of days or "never".');
      return 2;
    }
    return withApp(async (app) => {
      const knownOrgs = (await app.registers.get())?.index.register.organizations.map((o) => o.id);
      const { key, apiKey } = await createApiKey(
        app.db,
        CLI_ACTOR,
        {
          name: values.name!,
          orgIds: values.org!,
          permissions: values.permission!,
          expiresInDays: exp === 'never' ? null : Number(exp),
        },
        { knownOrgs },
      );
      io.out(
        `Created API key ${apiKey.id} (${apiKey.prefix}…), expires ${apiKey.expiresAt?.toISOString() ?? 'never'}.`,
      );
      io.out('The key is shown this once; store it now:');
      io.out(key);
      return 0;
    });
  }
  if (sub === 'list')
    return withApp(async (app) => {
      const keys = await listApiKeys(app.db);
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
  if ((sub === 'revoke' || sub === 'rotate') && positionals[0]) {
    const id = positionals[0];
    return withApp(async (app) => {
      if (sub === 'revoke') {
        await revokeApiKey(app.db, CLI_ACTOR, id);
        io.out(`Revoked API key ${id}.`);
      } else {
        const { key, apiKey } = await rotateApiKey(app.db, CLI_ACTOR, id);
        io.out(`Rotated: ${id} is revoked; the new key ${apiKey.id} is shown this once:`);
        io.out(key);
      }
      return 0;
    });
  }
  io.err(USAGE);
  return 2;
}
