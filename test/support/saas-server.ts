/**
 * A local HTTP server for a SaaS connector's contract test: it answers the routes it is given (method,
 * path, and optionally query) with the documented response shapes, records every request exactly as it
 * arrived (method, path, query, body, the authentication headers) and answers 404 to anything else, so a
 * test can compare the requests sent with a list written by hand.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Recorded = {
  method: string;
  path: string;
  query: Record<string, string>;
  /** JSON bodies parsed, form bodies as an object, anything else as text; undefined when empty. */
  body?: unknown;
  /** The headers a connector authenticates with, and content-type when a body was sent. */
  headers: Record<string, string>;
};

export type Answer = { status?: number; body?: unknown; headers?: Record<string, string> };

export type Route = {
  method: string;
  path: string | RegExp;
  /** Only when the query has these values. */
  query?: Record<string, string>;
  answer: Answer | ((req: Recorded, base: string) => Answer);
  /** Answer only this many times, then let the next matching route answer. */
  times?: number;
};

export type SaasServer = {
  url: string;
  requests: Recorded[];
  routes: Route[];
  close: () => Promise<void>;
};

const AUTH_HEADERS = ['authorization', 'x-shopify-access-token', 'api-key', 'revision', 'content-type'];

async function readBody(req: IncomingMessage): Promise<{ text: string; type: string }> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return { text: Buffer.concat(chunks).toString('utf8'), type: String(req.headers['content-type'] ?? '') };
}

export async function startSaasServer(routes: Route[], opts: { prefix?: string } = {}): Promise<SaasServer> {
  const used = new Map<Route, number>();
  const s: SaasServer = { url: '', requests: [], routes, close: async () => {} };
  const server = createServer(async (req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const { text, type } = await readBody(req);
    let body: unknown;
    if (text) {
      if (type.includes('json')) body = JSON.parse(text);
      else if (type.includes('x-www-form-urlencoded')) body = Object.fromEntries(new URLSearchParams(text));
      else body = text;
    }
    const headers: Record<string, string> = {};
    for (const h of AUTH_HEADERS) if (req.headers[h] !== undefined) headers[h] = String(req.headers[h]);
    const path =
      opts.prefix && u.pathname.startsWith(opts.prefix) ? u.pathname.slice(opts.prefix.length) : u.pathname;
    const rec: Recorded = {
      method: req.method ?? 'GET',
      path,
      query: Object.fromEntries(u.searchParams),
      ...(body !== undefined ? { body } : {}),
      headers,
    };
    s.requests.push(rec);
    const route = s.routes.find(
      (r) =>
        r.method === rec.method &&
        (typeof r.path === 'string' ? r.path === path : r.path.test(path)) &&
        Object.entries(r.query ?? {}).every(([k, v]) => rec.query[k] === v) &&
        (r.times === undefined || (used.get(r) ?? 0) < r.times),
    );
    if (route) used.set(route, (used.get(route) ?? 0) + 1);
    const a = !route
      ? { status: 404, body: { error: 'no such route' } }
      : typeof route.answer === 'function'
        ? route.answer(rec, s.url)
        : route.answer;
    res.writeHead(a.status ?? 200, {
      ...(a.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...a.headers,
    });
    res.end(a.body === undefined ? '' : JSON.stringify(a.body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  s.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  s.close = () => new Promise<void>((r) => server.close(() => r()));
  return s;
}
