import type { RouteServer } from '../routeServer.ts';
import { z } from 'zod';
import type { App } from '../../app.ts';
import { notFound } from '../../core/errors.ts';
import { ropaCsv, ropaFor } from '../../core/ropa/record.ts';
import { recordAudit } from '../../services/audit/auditLog.ts';
import { listRevisions } from '../../services/register/currentRegister.ts';
import { noticeVersions } from '../../services/notice/publishNotice.ts';
import { principalActor } from '../actor.ts';
import { requireRegister } from '../currentRegister.ts';
import {
  currentRegisterAnswer,
  noticeVersionList,
  organizationList,
  registerRevisions,
  ropaRecord,
} from '../schemas/register.ts';
import { jsonOrCsv } from '../schemas/wire.ts';

const orgParams = z.object({
  orgId: z.string().regex(/^[a-z0-9-]{1,64}$/, 'an organization id such as nestit-group'),
});

export async function registerRoutes(server: RouteServer, app: App) {
  const current = () => requireRegister(app.registers);

  server.get(
    '/api/v1/register',
    {
      config: { permission: 'register:read' },
      schema: {
        tags: ['register'],
        summary: 'The current register revision',
        response: { 200: currentRegisterAnswer },
      },
    },
    async () => {
      const { stored } = await current();
      return {
        revision: stored.revision,
        contentHash: stored.contentHash,
        appliedAt: stored.appliedAt.toISOString(),
        register: stored.register,
      };
    },
  );

  server.get(
    '/api/v1/register/revisions',
    {
      config: { permission: 'register:read' },
      schema: {
        tags: ['register'],
        summary: 'All register revisions, newest first',
        response: { 200: registerRevisions },
      },
    },
    async () =>
      (await listRevisions(app.db)).map((r) => ({
        revision: r.id,
        contentHash: r.content_hash,
        appliedAt: r.applied_at.toISOString(),
        appliedBy: r.applied_by,
      })),
  );

  organizationRoutes(server, app, current);
}

/** The organizations of the group, and each one's Art. 30 record and published notices. */
function organizationRoutes(
  server: RouteServer,
  app: App,
  current: () => ReturnType<typeof requireRegister>,
) {
  server.get(
    '/api/v1/organizations',
    {
      config: { permission: 'register:read' },
      schema: {
        tags: ['register'],
        summary: 'The organizations (controllers) of the group',
        response: { 200: organizationList },
      },
    },
    async () => {
      const { index } = await current();
      return index.register.organizations.map((o) => ({
        id: o.id,
        legalName: o.legalName,
        country: o.country,
        registrationNumber: o.registrationNumber,
      }));
    },
  );

  server.get(
    '/api/v1/organizations/:orgId/ropa',
    {
      config: { permission: 'ropa:read' },
      schema: {
        tags: ['register'],
        summary: 'Record of processing activities (GDPR Art. 30(1)) of one controller',
        params: orgParams,
        querystring: z.object({ format: z.enum(['json', 'csv']).default('json') }),
        response: {
          200: jsonOrCsv('The record: JSON, or CSV (one row per purpose) with format=csv.', ropaRecord),
        },
      },
    },
    async (req, reply) => {
      const { orgId } = req.params;
      const { format } = req.query;
      const { index, stored } = await current();
      if (!index.organization(orgId)) throw notFound('organization', orgId);
      const entries = ropaFor(index, orgId);
      await recordAudit(app.db, {
        actor: principalActor(req),
        orgId,
        action: 'ropa.export',
        target: `register-revision:${stored.revision}`,
        details: { format },
      });
      if (format === 'csv')
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="ropa-${orgId}-rev${stored.revision}.csv"`)
          .send(ropaCsv(entries));
      return {
        organization: orgId,
        registerRevision: stored.revision,
        generatedAt: app.now().toISOString(),
        entries,
      };
    },
  );

  server.get(
    '/api/v1/organizations/:orgId/notices',
    {
      config: { permission: 'register:read' },
      schema: {
        tags: ['notices'],
        summary: 'Published notice versions of a controller',
        params: orgParams,
        response: { 200: noticeVersionList },
      },
    },
    async (req) => {
      const { orgId } = req.params;
      return (await noticeVersions(app.db, orgId)).map((v) => ({
        version: v.version,
        effectiveDate: v.effectiveDate,
        publishedAt: v.publishedAt.toISOString(),
        material: v.material,
        registerRevision: v.registerRevision,
        changes: v.changes,
      }));
    },
  );
}
