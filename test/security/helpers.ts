import type { FastifyInstance } from 'fastify';
import type { App } from '../../src/app.ts';
import type { Role } from '../../src/core/policies/permissions.ts';
import { SYSTEM_ACTOR } from '../../src/services/audit/auditLog.ts';
import { createAdmin } from '../../src/services/users/admins.ts';
import { grantRole } from '../../src/services/users/roles.ts';
import { sessionCookie, signIn } from '../support/http.ts';

export const SAME_ORIGIN = { origin: 'http://localhost:80', host: 'localhost:80' };
export const PASSWORD = 'a long enough test passphrase';

/** A non-owner user holding the given roles, signed in; returns its id and session cookie. */
export async function userWithRoles(
  app: App,
  server: FastifyInstance,
  label: string,
  roles: { orgId: string; role: Role }[],
): Promise<{ userId: string; cookie: string }> {
  const user = await createAdmin(app.db, SYSTEM_ACTOR, {
    email: `${label}@staff.example`,
    password: PASSWORD,
    owner: false,
  });
  for (const r of roles) await grantRole(app.db, SYSTEM_ACTOR, { userId: user.id, ...r });
  const res = await signIn(server, { email: `${label}@staff.example`, password: PASSWORD });
  if (res.statusCode !== 303) throw new Error(`login of ${label} failed: ${res.statusCode}`);
  return { userId: user.id, cookie: sessionCookie(res) };
}
