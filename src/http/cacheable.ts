/**
 * Bodies that a browser and a CDN may keep: compressed once (brotli and gzip, at their highest levels),
 * answered with a strong ETag, `304 Not Modified` for a matching `If-None-Match`, and the encoding the
 * client accepts (`Vary: Accept-Encoding`). Used by the cookie banner's script and loader, which every
 * visitor of every site fetches (docs/edge.md).
 */
import { createHash } from 'node:crypto';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';

export type Cacheable = {
  /** The content hash (base64url of SHA-256, 22 characters): the versioned URL's name and the ETag. */
  hash: string;
  etag: string;
  type: string;
  identity: Buffer;
  br: Buffer;
  gzip: Buffer;
};

/** Compress a body once; the result is served as it is to every request. */
export function cacheable(text: string, type: string): Cacheable {
  const identity = Buffer.from(text, 'utf8');
  const hash = createHash('sha256').update(identity).digest('base64url').slice(0, 22);
  return {
    hash,
    etag: `"${hash}"`,
    type,
    identity,
    br: brotliCompressSync(identity, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        [constants.BROTLI_PARAM_SIZE_HINT]: identity.length,
      },
    }),
    gzip: gzipSync(identity, { level: 9 }),
  };
}

/** The encoding to send for an Accept-Encoding header: brotli, else gzip, else none (q=0 refuses one). */
export function negotiateEncoding(header: string | undefined): 'br' | 'gzip' | undefined {
  if (!header) return undefined;
  const q = new Map<string, number>();
  for (const part of header.toLowerCase().split(',')) {
    const [name, ...params] = part.trim().split(';');
    if (!name) continue;
    const qp = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    q.set(name.trim(), qp ? Number(qp.slice(2)) || 0 : 1);
  }
  const accepts = (enc: string) => (q.get(enc) ?? q.get('*') ?? 0) > 0;
  if (accepts('br')) return 'br';
  if (accepts('gzip')) return 'gzip';
  return undefined;
}

/** Does If-None-Match name this ETag (or `*`)? Weak validators match too (RFC 9110 §13.1.2). */
function notModified(req: FastifyRequest, etag: string): boolean {
  const inm = req.headers['if-none-match'];
  if (!inm) return false;
  return inm
    .split(',')
    .map((t) => t.trim().replace(/^W\//, ''))
    .some((t) => t === etag || t === '*');
}

/** Send a cacheable body: 304 when the client has it, else the best encoding it accepts. */
export function sendCacheable(
  req: FastifyRequest,
  reply: FastifyReply,
  body: Cacheable,
  cacheControl: string,
): FastifyReply {
  reply
    .header('cache-control', cacheControl)
    .header('etag', body.etag)
    .header('vary', 'Accept-Encoding')
    .header('cross-origin-resource-policy', 'cross-origin');
  if (notModified(req, body.etag)) return reply.code(304).send();
  const encoding = negotiateEncoding(req.headers['accept-encoding']);
  reply.type(body.type);
  if (encoding === 'br') return reply.header('content-encoding', 'br').send(body.br);
  if (encoding === 'gzip') return reply.header('content-encoding', 'gzip').send(body.gzip);
  return reply.send(body.identity);
}
