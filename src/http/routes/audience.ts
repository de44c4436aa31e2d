/**
 * Audience segments for ad networks (issue #14, P44): a company's segments of the register with their last
 * export, an export run now (it needs the group's systems: the fulfilment worker's), the exports of a
 * segment, and an export's files (hashes only); the console's page of them (/console/audiences) with a
 * "run export now" form. Reading: consent:read in the company; exporting: consent:write there (the
 * route's gate is per company, by :orgId; the page lists the companies the viewer may read).
 */
import { z } from 'zod';
import type { App } from '../../app.ts';
import { conflict } from '../../core/errors.ts';
import { can } from '../../core/policies/permissions.ts';
import type { Actor } from '../../services/audit/auditLog.ts';
import {
  type AudienceExport,
  exportSegment,
  listExports,
  readExportFile,
  segmentOf,
} from '../../services/audience/exportSegment.ts';
import { consentKeys } from '../../services/consent/keys.ts';
import type { BackgroundWork } from '../../workers.ts';
import { callerOf } from '../actor.ts';
import { requireRegister } from '../currentRegister.ts';
import { sendPage } from '../pages.ts';
import { audiencesPage } from '../../web/pages/audiences/audiencesPage.ts';
import type { RouteServer } from '../routeServer.ts';
import { audienceExport, audienceExportList, audienceSegmentList } from '../schemas/audience.ts';

const orgParams = z.object({ orgId: z.string().min(1).max(100) });
const segmentParams = orgParams.extend({ segmentId: z.string().min(1).max(100) });
const fileParams = orgParams.extend({
  exportId: z.string().uuid('an export id'),
  name: z.string().regex(/^[a-z0-9-]+\.(csv|json)$/, 'a file name of the export'),
});

/** An export of a segment now, by hand (the API's and the console's): 409 without the group's systems. */
async function runNow(
  app: App,
  workers: BackgroundWork,
  q: { orgId: string; segmentId: string },
  actor: Actor,
): Promise<AudienceExport> {
  const ix = (await requireRegister(app.registers)).index;
  segmentOf(ix, q.orgId, q.segmentId);
  const systems = workers.subjectSystems;
  if (!systems)
    throw conflict(
      'audience-no-systems',
      "This process is not connected to the group's systems.",
      'Export from a process that runs the workers (ombud start), or with ombud audience export.',
    );
  const keys = await consentKeys(app.db, app.config.secret, app.config.secretKeys);
  return exportSegment({ db: app.db, keys, index: ix, now: app.now }, systems, actor, {
    orgId: q.orgId,
    segmentId: q.segmentId,
    kind: 'manual',
  });
}

const fileUrl = (e: AudienceExport, name: string) =>
  `/api/v1/organizations/${encodeURIComponent(e.orgId)}/audience-exports/${e.id}/files/${encodeURIComponent(name)}`;

/** The console page: the companies the viewer may read, each segment with its last export and removal. */
function audienceConsole(server: RouteServer, app: App, workers: BackgroundWork) {
  server.get(
    '/console/audiences',
    {
      config: { permission: 'consent:read' },
      schema: { hide: true, querystring: z.object({ ran: z.string().uuid().optional() }) },
    },
    async (req, reply) => {
      const ix = (await requireRegister(app.registers)).index;
      const { principal } = callerOf(req);
      const companies = [];
      let ran: AudienceExport | undefined;
      for (const org of ix.register.organizations) {
        const segments = (ix.register.audiences ?? []).filter((a) => a.controller === org.id);
        if (segments.length === 0 || !can(principal, 'consent:read', org.id)) continue;
        const exports = await listExports(app.db, org.id, undefined, 500);
        ran ??= exports.find((e) => e.id === req.query.ran);
        companies.push({
          orgId: org.id,
          name: org.legalName,
          mayExport: can(principal, 'consent:write', org.id),
          segments: segments.map((segment) => {
            const mine = exports.filter((e) => e.segmentId === segment.id);
            const last = mine.find((e) => e.kind !== 'removal');
            const removal = mine.find((e) => e.kind === 'removal' && (!last || e.createdAt > last.createdAt));
            return { segment, last, removal };
          }),
        });
      }
      const page = audiencesPage({ companies, canRun: Boolean(workers.subjectSystems), ran, fileUrl });
      return sendPage(reply, page, { private: true });
    },
  );

  server.post(
    '/console/audiences/:orgId/:segmentId/export',
    { config: { permission: 'consent:write' }, schema: { hide: true, params: segmentParams } },
    async (req, reply) => {
      const e = await runNow(app, workers, req.params, callerOf(req).actor);
      return reply.redirect(
        `/console/audiences?ran=${e.id}#segment-${encodeURIComponent(e.orgId)}-${encodeURIComponent(e.segmentId)}`,
        303,
      );
    },
  );
}

export async function audienceRoutes(server: RouteServer, app: App, workers: BackgroundWork) {
  const index = async () => (await requireRegister(app.registers)).index;
  audienceConsole(server, app, workers);

  server.get(
    '/api/v1/organizations/:orgId/audiences',
    {
      config: { permission: 'consent:read' },
      schema: {
        tags: ['audiences'],
        summary: "A company's audience segments (from the register) with their last export",
        params: orgParams,
        response: { 200: audienceSegmentList },
      },
    },
    async (req) => {
      const ix = await index();
      const exports = await listExports(app.db, req.params.orgId, undefined, 500);
      const segments = (ix.register.audiences ?? [])
        .filter((a) => a.controller === req.params.orgId)
        .map((a) => ({
          id: a.id,
          purpose: a.purpose,
          legalBasis: a.legalBasis,
          recipient: a.recipient,
          rule: a.rule,
          fields: a.fields,
          accountHoldersOnly: a.accountHoldersOnly,
          schedule: a.schedule ?? null,
          immediateRemoval: a.immediateRemoval,
          lastExport: exports.find((e) => e.segmentId === a.id) ?? null,
        }));
      return { segments };
    },
  );

  server.post(
    '/api/v1/organizations/:orgId/audiences/:segmentId/exports',
    {
      config: { permission: 'consent:write' },
      schema: {
        tags: ['audiences'],
        summary:
          'Export a segment now: the network upload file and the delta since the last export (hashes only)',
        params: segmentParams,
        response: { 201: audienceExport },
      },
    },
    async (req, reply) => reply.code(201).send(await runNow(app, workers, req.params, callerOf(req).actor)),
  );

  server.get(
    '/api/v1/organizations/:orgId/audiences/:segmentId/exports',
    {
      config: { permission: 'consent:read' },
      schema: {
        tags: ['audiences'],
        summary: 'The exports of a segment, newest first: counts, rule version, purpose, who ran it, files',
        params: segmentParams,
        response: { 200: audienceExportList },
      },
    },
    async (req) => {
      segmentOf(await index(), req.params.orgId, req.params.segmentId);
      return { exports: await listExports(app.db, req.params.orgId, req.params.segmentId, 100) };
    },
  );

  server.get(
    '/api/v1/organizations/:orgId/audience-exports/:exportId/files/:name',
    {
      config: { permission: 'consent:read' },
      schema: {
        tags: ['audiences'],
        summary:
          "One file of an export, in the network's upload format (hashes only); the download is audited",
        params: fileParams,
        response: {
          200: {
            description: 'The file',
            content: { 'text/csv': { schema: z.string() }, 'application/json': { schema: z.string() } },
          },
        },
      },
    },
    async (req, reply) => {
      const f = await readExportFile(app.db, callerOf(req).actor, req.params);
      return reply
        .header('content-type', f.mediaType)
        .header('content-disposition', `attachment; filename="${f.name}"`)
        .send(f.content.toString('utf8'));
    },
  );
}
