import { parseArgs } from 'node:util';
import { CLI_ACTOR } from '../../services/audit/auditLog.ts';
import { createAdmin } from '../../services/users/admins.ts';
import type { CliIo } from '../io.ts';
import { withApp } from '../with-app.ts';

export async function run(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { email: { type: 'string' }, password: { type: 'string' }, name: { type: 'string' } },
  });
  if (!values.email) {
    io.err('ombud admin create: --email is required; give the password with --password or on standard input');
    return 2;
  }
  const password = values.password ?? (await io.readStdin()).replace(/\r?\n$/, '');
  return withApp(async (app) => {
    const user = await createAdmin(app.db, CLI_ACTOR, {
      email: values.email!,
      password,
      name: values.name,
      owner: true,
    });
    io.out(`Created administrator ${user.id}.`);
    return 0;
  });
}
