import { dataKeyring } from '../../core/secrets/dataKeys.ts';
import { CLI_ACTOR } from '../../services/audit/auditLog.ts';
import { resealAll } from '../../services/secrets/reseal.ts';
import { keyringOf } from '../../services/users/accounts.ts';
import type { COMMANDS } from '../commands.ts';
import { printJson } from '../io.ts';
import type { Run } from '../spec.ts';
import { withApp } from '../with-app.ts';

export const run: Run<(typeof COMMANDS)['secrets reseal']> = async ({ values }, io) =>
  withApp(async (app) => {
    // OMBUD_SECRET_KEYS must be set (its newest key seals); the installation key still opens what it sealed.
    keyringOf(app.config.secretKeys);
    const ring = dataKeyring({ secret: app.config.secret, secretKeys: app.config.secretKeys });
    const { resealed, current } = await resealAll(app.db, ring, CLI_ACTOR);
    if (values.json) printJson(io, { resealed, key: current });
    else
      io.out(
        `Resealed ${resealed} secret(s) under key '${current}'. Older keys can now be removed from OMBUD_SECRET_KEYS.`,
      );
    return 0;
  });
