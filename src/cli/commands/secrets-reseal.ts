import { CLI_ACTOR } from '../../services/audit/auditLog.ts';
import { resealAll } from '../../services/secrets/reseal.ts';
import { keyringOf } from '../../services/users/accounts.ts';
import type { CliIo } from '../io.ts';
import { withApp } from '../with-app.ts';

export async function run(_args: string[], io: CliIo): Promise<number> {
  return withApp(async (app) => {
    const { resealed, current } = await resealAll(app.db, keyringOf(app.config.secretKeys), CLI_ACTOR);
    io.out(
      `Resealed ${resealed} secret(s) under key '${current}'. Older keys can now be removed from OMBUD_SECRET_KEYS.`,
    );
    return 0;
  });
}
