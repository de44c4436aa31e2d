/**
 * One person in the console (`/console/users/:userId`): state, roles in words, the role forms (grant,
 * take away: audited by roles.ts) and their own history from the audit log. Managers act only on people
 * of their companies (personPolicy via `manageable`).
 */
import { z } from 'zod';
import type { App } from '../../app.ts';
import { ROLES } from '../../core/policies/permissions.ts';
import { nameRefs } from '../../services/audit/names.ts';
import { groupOf } from '../../services/register/group.ts';
import { manageable } from '../../services/users/accounts.ts';
import { personWithHistory } from '../../services/users/personHistory.ts';
import { grantRole, revokeRole } from '../../services/users/roles.ts';
import { personPage } from '../../web/pages/people/personPage.ts';
import { callerOf } from '../actor.ts';
import { sendPage } from '../pages.ts';
import type { RouteServer } from '../routeServer.ts';
import type { FastifyRequest } from 'fastify';
import { orgScope } from '../../core/policies/permissions.ts';
import type { OrgNames } from '../../web/pages/people/peoplePage.ts';

const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'a UUID');
const roleForm = z.object({ orgId: z.string().regex(/^[a-z0-9-]{1,64}$/), role: z.enum(ROLES) });

export function personRoutes(server: RouteServer, app: App) {
  server.get(
    '/console/users/:userId',
    { config: { permission: 'users:manage' }, schema: { hide: true, params: z.object({ userId: uuid }) } },
    async (req, reply) => {
      const p = await personWithHistory(
        app.db,
        callerOf(req),
        await groupOf(app.registers),
        req.params.userId,
      );
      const names = await nameRefs(
        app.db,
        p.history.map((h) => h.actor),
      );
      return sendPage(reply, personPage(p, await managedOrgs(app, req), names), { private: true });
    },
  );

  // Granting and taking away a role: the same form, checked the same way, one service each.
  for (const [path, change] of [
    ['/console/users/:userId/roles', grantRole],
    ['/console/users/:userId/roles/revoke', revokeRole],
  ] as const) {
    server.post(
      path,
      {
        config: { permission: 'users:manage' },
        schema: { hide: true, params: z.object({ userId: uuid }), body: roleForm },
      },
      async (req, reply) => {
        const { userId } = req.params;
        const caller = callerOf(req);
        await manageable(app.db, caller, await groupOf(app.registers), userId);
        await change(app.db, caller.actor, { userId, ...req.body }, caller.principal);
        return reply.redirect(`/console/users/${userId}`, 303);
      },
    );
  }
}

/** Companies by id with their names from the register (those named in `ids`, or all). */
export async function orgNamesOf(app: App, ids?: readonly string[]): Promise<OrgNames> {
  const orgs = (await app.registers.get())?.index.register.organizations ?? [];
  const known = orgs.map((o) => ({ id: o.id, name: o.legalName ?? o.id }));
  return ids ? ids.map((id) => known.find((o) => o.id === id) ?? { id, name: id }) : known;
}

/** The companies where the caller manages people, by name. */
export async function managedOrgs(app: App, req: FastifyRequest): Promise<OrgNames> {
  const scope = orgScope(req.principal!, 'users:manage');
  return scope === 'all' ? orgNamesOf(app) : orgNamesOf(app, scope);
}
