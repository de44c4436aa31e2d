import { CLI_ACTOR } from '../../services/audit/auditLog.ts';
import { resealAll } from '../../services/secrets/reseal.ts';
import { keyringOf } from '../../services/users/accounts.ts';
import type { COMMANDS } from '../commands.ts';
import { printJson } from '../io.ts';
import type { Run } from '../spec.ts';
import { withApp } from '../with-app.ts';

export const run: Run<(typeof COMMANDS)['secrets reseal']> = async ({ values }, io) =>
  withApp(async (app) => {
    const { resealed, current } = await resealAll(app.db, keyringOf(app.config.secretKeys), CLI_ACTOR);
    if (values.json) printJson(io, { resealed, key: current });
    else
      io.out(
        `Resealed ${resealed} secret(s) under key '${current}'. Older keys can now be removed from OMBUD_SECRET_KEYS.`,
      );
    return 0;
  });
