import type { FastifyReply } from 'fastify';
import type { RouteServer } from '../routeServer.ts';
import { z } from 'zod';
import type { App } from '../../app.ts';
import { FAVICON_SVG, faviconIco } from '../../web/assets/favicon.ts';

export async function healthRoutes(server: RouteServer, app: App) {
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
