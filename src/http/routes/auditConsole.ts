/**
 * The console's audit log for an auditor: keyset pages with filters (`GET /console/audit`), an actor
 * found by name or e-mail (`POST /console/audit/actor`: the words in the body, an id in the redirect),
 * the streamed CSV/JSON export (`GET /console/audit/export`) and the chain check run from the page
 * (`POST /console/audit/verify`). Drawn by src/web/pages/audit/auditLogPage.ts.
 */
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { App } from '../../app.ts';
import { groupListScope } from '../../core/policies/policy.ts';
import { auditEntryPolicy } from '../../core/policies/resources.ts';
import { checkChain } from '../../services/audit/checkChain.ts';
import { findActors } from '../../services/audit/findActor.ts';
import { nameRefs } from '../../services/audit/names.ts';
import { groupOf } from '../../services/register/group.ts';
import {
  type AuditPageExtras,
  type AuditSearchForm,
  auditLogPage,
  filtersQuery,
} from '../../web/pages/audit/auditLogPage.ts';
import { callerOf } from '../actor.ts';
import {
  auditExportQuery,
  auditFilters,
  auditQuery,
  searchAuditFor,
  sendAuditExport,
} from '../auditSearch.ts';
import { sendPage } from '../pages.ts';
import type { RouteServer } from '../routeServer.ts';

const PAGE = 50;
const consolePageQuery = auditQuery.omit({ format: true }).extend({
  limit: z.coerce.number().int().min(1).max(5000).default(PAGE),
});

/** The companies the caller may search, by name. */
async function orgsOf(app: App, req: FastifyRequest) {
  const group = await groupOf(app.registers);
  const scope = groupListScope(req.principal!, auditEntryPolicy.actions.read, group);
  const orgs = (await app.registers.get())?.index.register.organizations ?? [];
  return orgs
    .filter((o) => scope === 'all' || scope.includes(o.id))
    .map((o) => ({ id: o.id, name: o.legalName ?? o.id }));
}

async function renderAudit(
  app: App,
  req: FastifyRequest,
  q: z.infer<typeof consolePageQuery>,
  extras: Pick<AuditPageExtras, 'chain' | 'matches'> = {},
) {
  const found = await searchAuditFor(app, req, q);
  const names = await nameRefs(app.db, [...found.rows.flatMap((r) => [r.actor, r.target]), q.actor]);
  const filters: AuditSearchForm = {
    ...auditFilters.parse(q),
    ...(q.limit !== PAGE ? { limit: String(q.limit) } : {}),
  };
  return auditLogPage(filters, found, { names, orgs: await orgsOf(app, req), ...extras });
}

export async function auditConsoleRoutes(server: RouteServer, app: App) {
  server.get(
    '/console/audit',
    { config: { permission: 'audit:read' }, schema: { hide: true, querystring: consolePageQuery } },
    async (req, reply) => sendPage(reply, await renderAudit(app, req, req.query)),
  );

  server.get(
    '/console/audit/export',
    { config: { permission: 'audit:read' }, schema: { hide: true, querystring: auditExportQuery } },
    async (req, reply) => sendAuditExport(app, req, reply, req.query),
  );

  server.post(
    '/console/audit/actor',
    {
      config: { permission: 'audit:read' },
      schema: { hide: true, body: auditFilters.extend({ who: z.string().max(320) }) },
    },
    async (req, reply) => {
      const { who, ...filters } = req.body;
      const found = await findActors(app.db, callerOf(req), who);
      if (found.length === 1)
        return reply.redirect(`/console/audit?${filtersQuery({ ...filters, actor: found[0]!.ref })}`, 303);
      const q = consolePageQuery.parse(filters);
      return sendPage(reply, await renderAudit(app, req, q, { matches: { words: true, found } }), {
        private: true,
      });
    },
  );

  server.post(
    '/console/audit/verify',
    { config: { permission: 'audit:read' }, schema: { hide: true } },
    async (req, reply) => {
      const chain = await checkChain(app.db, callerOf(req).actor, app.auditTrust, app.now);
      return sendPage(reply, await renderAudit(app, req, consolePageQuery.parse({}), { chain }));
    },
  );
}
