/**
 * The console's register pages (the register, the data-flow diagram, the published notices); the audit
 * log's pages are ./auditConsole.ts. The pages are drawn in src/web/pages/console; the routes read and choose.
 */
import type { RouteServer } from '../routeServer.ts';
import { z } from 'zod';
import type { App } from '../../app.ts';
import { noticeVersions } from '../../services/notice/publishNotice.ts';
import { dataFlowSvg } from '../../web/diagram.ts';
import { dataFlowPage } from '../../web/pages/console/dataFlowPage.ts';
import { noRegisterPage } from '../../web/pages/console/noRegisterPage.ts';
import { noticesPage } from '../../web/pages/console/noticesPage.ts';
import { registerPage } from '../../web/pages/console/registerPage.ts';
import { sendPage } from '../pages.ts';

export async function consoleRoutes(server: RouteServer, app: App) {
  server.get(
    '/console',
    { config: { permission: 'register:read' }, schema: { hide: true } },
    async (_req, reply) => {
      const r = await app.registers.get();
      return sendPage(reply, r ? registerPage(r.index, r.stored) : noRegisterPage('Register', 'register'));
    },
  );

  server.get(
    '/console/data-flow',
    {
      config: { permission: 'register:read' },
      schema: { hide: true, querystring: z.object({ org: z.string().max(64).optional() }) },
    },
    async (req, reply) => {
      const r = await app.registers.get();
      if (!r) return sendPage(reply, noRegisterPage('Data flow', 'diagram'));
      const org = req.query.org;
      return sendPage(reply, dataFlowPage(r.index, org && r.index.organization(org) ? org : undefined));
    },
  );

  server.get(
    '/console/data-flow.svg',
    { config: { permission: 'register:read' }, schema: { hide: true } },
    async (_req, reply) => {
      const r = await app.registers.get();
      return reply
        .type('image/svg+xml')
        .send(r ? dataFlowSvg(r.index).value : '<svg xmlns="http://www.w3.org/2000/svg"/>');
    },
  );

  server.get(
    '/console/notices',
    { config: { permission: 'register:read' }, schema: { hide: true } },
    async (_req, reply) => {
      const r = await app.registers.get();
      if (!r) return sendPage(reply, noRegisterPage('Notices', 'notices'));
      const companies = [];
      for (const o of r.index.register.organizations)
        companies.push({ orgId: o.id, legalName: o.legalName, versions: await noticeVersions(app.db, o.id) });
      return sendPage(reply, noticesPage(companies));
    },
  );
}
