import { CLI_ACTOR } from '../../services/audit/auditLog.ts';
import { createAdmin } from '../../services/users/admins.ts';
import type { COMMANDS } from '../commands.ts';
import { printJson } from '../io.ts';
import type { Run } from '../spec.ts';
import { withApp } from '../with-app.ts';

export const run: Run<(typeof COMMANDS)['admin create']> = async ({ values }, io) => {
  const password = values.password ?? (await io.readStdin()).replace(/\r?\n$/, '');
  return withApp(async (app) => {
    const user = await createAdmin(app.db, CLI_ACTOR, {
      email: values.email,
      password,
      name: values.name,
      owner: true,
    });
    if (values.json) printJson(io, { id: user.id });
    else io.out(`Created administrator ${user.id}.`);
    return 0;
  });
};
