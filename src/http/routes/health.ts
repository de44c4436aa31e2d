import type { FastifyReply } from 'fastify';
import type { RouteServer } from '../routeServer.ts';
import { z } from 'zod';
import type { App } from '../../app.ts';
import { FAVICON_SVG, faviconIco } from '../../web/assets/favicon.ts';
import { checkReadiness } from '../../services/monitoring/readiness.ts';
import type { BackgroundWork } from '../../workers.ts';
import { problemSchema, sendProblem } from '../problem.ts';

const partState = z.enum(['ok', 'failed', 'not-running']);

export async function healthRoutes(server: RouteServer, app: App, workers: BackgroundWork) {
  server.get(
    '/healthz',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['health'],
        summary: 'Liveness and database check',
        response: {
          200: z
            .strictObject({
              status: z.literal('ok'),
              database: z.string().describe('The database driver: pglite or postgres.'),
              registerRevision: z
                .number()
                .int()
                .nullable()
                .describe('The current register revision; null until a register is applied.'),
            })
            .describe('The server and its database answer'),
        },
      },
    },
    async () => {
      const r = await app.db.query<{ id: number | null }>('SELECT max(id) AS id FROM register_revisions');
      return { status: 'ok' as const, database: app.db.kind, registerRevision: r[0]?.id ?? null };
    },
  );
  server.get(
    '/readyz',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['health'],
        summary: 'Readiness: the database answers, and the background queue when this process runs workers',
        response: {
          200: z
            .strictObject({
              status: z.literal('ready'),
              database: partState.describe('ok: a query was answered.'),
              queue: partState.describe(
                'ok: the background queue (pg-boss) answered; not-running: this process runs no workers.',
              ),
            })
            .describe('Ready for traffic'),
          503: {
            description: 'Not ready: the detail names the part that failed (database or queue).',
            content: { 'application/problem+json': { schema: problemSchema } },
          },
        },
      },
    },
    async (_req, reply) => {
      const r = await checkReadiness(app.db, workers);
      if (r.ready) return { status: 'ready' as const, database: r.database, queue: r.queue };
      const failed = r.problems.map((p) => `the ${p.part} does not answer (${p.kind})`).join('; ');
      return sendProblem(reply.header('cache-control', 'no-store'), {
        type: 'https://ombud.dev/problems/not-ready',
        title: 'not ready',
        status: 503,
        detail: `Not ready: ${failed}.`,
        code: r.database === 'failed' ? 'database-unavailable' : 'queue-unavailable',
        hint: 'Liveness is /healthz; this answers 200 again once the part named answers.',
      });
    },
  );
  server.get('/', { config: { permission: 'public' }, schema: { hide: true } }, async (_req, reply) =>
    reply.redirect('/privacy'),
  );
  // The icon every page's tab shows (and browsers ask /favicon.ico of every site).
  const ico = faviconIco();
  const icon = (type: string, body: string | Buffer) => async (_req: unknown, reply: FastifyReply) =>
    reply.type(type).header('cache-control', 'public, max-age=604800').send(body);
  server.get(
    '/favicon.ico',
    { config: { permission: 'public' }, schema: { hide: true } },
    icon('image/x-icon', ico),
  );
  server.get(
    '/favicon.svg',
    { config: { permission: 'public' }, schema: { hide: true } },
    icon('image/svg+xml', FAVICON_SVG),
  );
}
