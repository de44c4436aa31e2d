import type { FastifyReply } from 'fastify';

/**
 * Send a server-rendered page. A private page (one person's data, a link shown once) is never kept in a
 * cache: `cache-control: no-store`.
 */
export function sendPage(
  reply: FastifyReply,
  page: string,
  opts: { status?: number; private?: boolean } = {},
) {
  if (opts.status) reply.status(opts.status);
  if (opts.private) reply.header('cache-control', 'no-store');
  return reply.type('text/html').send(page);
}
