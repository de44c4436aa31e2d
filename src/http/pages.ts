import type { FastifyReply } from 'fastify';
import type { Html } from '../core/html.ts';

/**
 * Send a server-rendered page. A private page (one person's data, a link shown once) is never kept in a
 * cache: `cache-control: no-store`. The page is the markup, or the Html a page function built.
 */
export function sendPage(
  reply: FastifyReply,
  page: string | Html,
  opts: { status?: number; private?: boolean } = {},
) {
  if (opts.status) reply.status(opts.status);
  if (opts.private) reply.header('cache-control', 'no-store');
  return reply.type('text/html').send(String(page));
}
