/**
 * Analytics without identities in the API (P13, P23, P38, P42): run an export of the register for a company,
 * list a company's exports with what each guaranteed, download one. Running reads the group's databases, so
 * it needs the systems this process works on (the retention worker's connections); listing and downloading
 * read Ombud's database only. Access: analytics:export and analytics:read in the export's company
 * (analyticsExportPolicy), decided in the services.
 */
import { z } from 'zod';
import type { App } from '../../app.ts';
import { precondition } from '../../core/errors.ts';
import { getAnalyticsExport } from '../../services/analytics/getExport.ts';
import { listAnalyticsExports } from '../../services/analytics/listExports.ts';
import { runAnalyticsExport } from '../../services/analytics/runExport.ts';
import type { AnalyticsDeps, AnalyticsExport } from '../../services/analytics/store.ts';
import { groupOf } from '../../services/register/group.ts';
import type { BackgroundWork } from '../../workers.ts';
import { analyticsExportsPage } from '../../web/pages/analytics/exportsPage.ts';
import { callerOf } from '../actor.ts';
import { requireRegister } from '../currentRegister.ts';
import { sendPage } from '../pages.ts';
import type { RouteServer } from '../routeServer.ts';
import {
  analyticsExport,
  analyticsExportList,
  analyticsFileResponse,
  runAnalyticsExportBody,
} from '../schemas/analytics.ts';

const orgParams = z.object({ orgId: z.string().min(1).max(100) });
const idParams = z.object({ id: z.string().uuid('an export id') });

const fileUrl = (id: string) => `/api/v1/analytics/exports/${id}/file`;
const wire = (e: AnalyticsExport) => ({ ...e, createdAt: e.createdAt.toISOString(), file: fileUrl(e.id) });

export async function analyticsRoutes(server: RouteServer, app: App, workers: BackgroundWork) {
  analyticsApi(server, app, workers);
  analyticsConsole(server, app);
}

function analyticsApi(server: RouteServer, app: App, workers: BackgroundWork) {
  const deps = async (): Promise<AnalyticsDeps> => {
    if (!workers.retention)
      throw precondition(
        'analytics-needs-databases',
        "An analytics export reads the group's databases, and none are connected in this process.",
        'Start Ombud with its systems (`ombud start` connects the demo systems), or use `ombud analytics export --demo`.',
      );
    const r = await workers.retention.deps({ kind: 'system', id: 'ombud' });
    return {
      db: app.db,
      index: (await requireRegister(app.registers)).index,
      datasets: r.datasets,
      connectors: r.connectors,
      secret: r.secret,
      secretKeys: r.secretKeys,
      now: app.now,
    };
  };

  server.post(
    '/api/v1/organizations/:orgId/analytics/exports',
    {
      config: { permission: 'analytics:export' },
      schema: {
        tags: ['analytics'],
        operationId: 'runAnalyticsExport',
        summary:
          "Run an analytics export of the register: a k-threshold aggregate or pseudonymised rows of the company's data",
        params: orgParams,
        body: runAnalyticsExportBody,
        response: { 201: analyticsExport },
      },
    },
    async (req, reply) => {
      const r = await runAnalyticsExport(await deps(), callerOf(req), {
        orgId: req.params.orgId,
        purposeId: req.body.purpose,
        exportId: req.body.export,
        format: req.body.format,
        newSeries: req.body.newSeries,
      });
      return reply.code(201).send(wire(r.export));
    },
  );

  server.get(
    '/api/v1/organizations/:orgId/analytics/exports',
    {
      config: { permission: 'analytics:read' },
      schema: {
        tags: ['analytics'],
        operationId: 'listAnalyticsExports',
        summary: "A company's analytics exports, newest first, with what each guaranteed",
        params: orgParams,
        response: { 200: analyticsExportList },
      },
    },
    async (req) => {
      const list = await listAnalyticsExports(app.db, callerOf(req), { orgId: req.params.orgId });
      return { exports: list.map(wire) };
    },
  );

  server.get(
    '/api/v1/analytics/exports/:id/file',
    {
      config: { permission: 'analytics:read' },
      schema: {
        tags: ['analytics'],
        operationId: 'getAnalyticsExportFile',
        summary: "An analytics export's file, in the format it was made in (JSON, CSV or Parquet)",
        params: idParams,
        response: { 200: analyticsFileResponse },
      },
    },
    async (req, reply) => {
      const group = await groupOf(app.registers);
      const f = await getAnalyticsExport(app.db, callerOf(req), group.orgIds, req.params.id);
      const name = `${f.export.orgId}-${f.export.purposeId}-${f.export.exportId}-${f.export.id.slice(0, 8)}`;
      if (f.export.format === 'csv')
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${name}.csv"`)
          .send(f.body as string);
      if (f.export.format === 'parquet')
        return reply
          .type('application/vnd.apache.parquet')
          .header('content-disposition', `attachment; filename="${name}.parquet"`)
          .send(Buffer.from(f.body as Uint8Array));
      return reply
        .header('content-disposition', `attachment; filename="${name}.json"`)
        .send(JSON.parse(f.body as string));
    },
  );
}

function analyticsConsole(server: RouteServer, app: App) {
  server.get(
    '/console/analytics',
    { config: { permission: 'analytics:read' }, schema: { hide: true } },
    async (req, reply) => {
      const reg = await requireRegister(app.registers);
      return sendPage(
        reply,
        analyticsExportsPage({
          exports: await listAnalyticsExports(app.db, callerOf(req)),
          definitions: reg.index.register.purposes.flatMap((p) =>
            (p.analytics?.exports ?? []).map((e) => ({
              purposeId: p.id,
              exportId: e.id,
              title: e.title ?? e.id,
              kind: e.kind,
              k: p.analytics!.k,
            })),
          ),
          fileUrl,
        }),
        { private: true },
      );
    },
  );
}
