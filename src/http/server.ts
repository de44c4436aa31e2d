/**
 * The HTTP edge: Fastify with zod-validated routes, OpenAPI 3.1 at /api/openapi.json,
 * browsable docs at /api/docs, problem+json errors, and a declared permission on every route.
 */
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import { validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { type App, withLog } from '../app.ts';
import { HTTP_LOG_REDACT, httpLogSerializers } from '../log.ts';
import { type BackgroundWork, NO_WORKERS } from '../workers.ts';
import type { Viewer } from '../web/layout.ts';
import { runInPageContext } from '../web/pageContext.ts';
import { pickLang } from '../core/privacy-center/strings.ts';
import { authenticate, authenticateCached, type Permission, SESSION_COOKIE } from './auth.ts';
import { rejectUnstorableInput } from './input.ts';
import { serializerCompiler } from './serializer.ts';
import { addMetrics } from './metrics.ts';
import { openapiOptions } from './openapi.ts';
import { type Problem, problemFor, sendProblem } from './problem.ts';
import { isConsolePath, problemPage, wantsHtmlPage } from './problemPage.ts';
import { ROUTE_MODULES, type RouteModule } from './routes/index.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Every route declares what it needs; 'public' routes need nothing. */
    permission?: Permission;
  }
}

export type Server = FastifyInstance;
/** One route as registered: what the permission matrix and the fuzz tests are generated from. */
export type RouteEntry = { method: string; url: string; permission: Permission };

declare module 'fastify' {
  interface FastifyInstance {
    routeTable: RouteEntry[];
  }
}

export async function buildServer(
  app: App,
  opts: {
    logger?: boolean | object;
    /** The process's logger (the start command's), instead of one made from `logger`. */
    loggerInstance?: FastifyBaseLogger;
    extraRoutes?: RouteModule[];
    /** The background workers the start command (or a test) runs; none by default. */
    workers?: BackgroundWork;
    /**
     * Hooks added before any route, so they see every request: the test suite's check of every API response
     * against its declared schema (test/support/contract.ts).
     */
    observe?: (server: FastifyInstance) => void;
  } = {},
): Promise<FastifyInstance> {
  const server = createFastify(app, opts.logger, opts.loggerInstance);
  opts.observe?.(server);
  const { routeTable, missing } = recordRoutes(server, app);
  await registerPlugins(server, app);
  addSecurityHeaders(server, app);
  addAccessHooks(server, app, routeTable);
  handleErrors(server, app, routeTable);
  // /metrics, and the HTTP series' hook on every answer (src/http/metrics.ts).
  addMetrics(server, opts.logger === false ? app : withLog(app, server.log), server.log);
  await registerRoutes(server, app, opts);
  await server.ready();
  if (missing.length > 0) throw new Error(`Routes without a declared permission: ${missing.join(', ')}`);
  return server;
}

/**
 * Fastify with the zod type provider; the log names the route pattern, never the raw URL. `loggerInstance`:
 * the process's logger (src/log.ts `createLogger`, JSON or readable lines), shared with the workers.
 */
function createFastify(app: App, logger: boolean | object | undefined, loggerInstance?: FastifyBaseLogger) {
  const server = Fastify({
    ...(loggerInstance
      ? { loggerInstance }
      : {
          logger:
            logger === false
              ? false
              : {
                  level: app.config.logLevel,
                  // The route pattern, never the raw URL: query strings and paths may carry tokens or identifiers.
                  serializers: httpLogSerializers,
                  redact: HTTP_LOG_REDACT,
                  ...(typeof logger === 'object' ? logger : {}),
                },
        }),
    bodyLimit: 1024 * 1024,
    // Signed links (preference-center tokens) travel as one path segment.
    routerOptions: { maxParamLength: 1024 },
    trustProxy: app.config.trustProxy,
  }).withTypeProvider<ZodTypeProvider>();
  server.setValidatorCompiler(validatorCompiler);
  server.setSerializerCompiler(serializerCompiler);
  return server;
}
type ZodServer = ReturnType<typeof createFastify>;

/**
 * Every route as registered, with its declared permission (the route table), and the routes that declare
 * none (the server refuses to start). Public routes get a rate limit per client address unless they set one.
 */
function recordRoutes(server: ZodServer, app: App) {
  const missing: string[] = [];
  const routeTable: RouteEntry[] = [];
  server.decorate('routeTable', routeTable);
  server.addHook('onRoute', (route) => {
    if (route.url.startsWith('/api/docs')) {
      route.config = { ...(route.config ?? {}), permission: 'public' };
    }
    const permission = (route.config as { permission?: Permission } | undefined)?.permission;
    // Public routes are rate limited per client address unless they set their own limit (or none: `rateLimit: false`, the banner script).
    if (permission === 'public' && !route.url.startsWith('/api/docs')) {
      const config = route.config as { rateLimit?: unknown };
      config.rateLimit ??= { max: () => app.config.publicRateLimit ?? 600, timeWindow: '1 minute' };
    }
    if (!permission) missing.push(`${route.method} ${route.url}`);
    for (const method of [route.method].flat())
      if (method !== 'HEAD') routeTable.push({ method, url: route.url, permission: permission ?? 'public' });
  });
  return { routeTable, missing };
}

/** Rate limits, cookies, forms, OpenAPI and its docs. */
async function registerPlugins(server: ZodServer, app: App) {
  // Registered after the onRoute hook (recordRoutes), so the limits it sets on public routes apply.
  // The in-memory store keeps up to 100,000 keys (client addresses, consent ids) before forgetting the oldest.
  await server.register(rateLimit, { global: false, cache: 100_000 });
  await server.register(cookie);
  await server.register(formbody);
  // The document at /api/openapi.json: operationIds, security, problems, servers, webhooks (src/http/openapi.ts).
  await server.register(swagger, openapiOptions(app.config.publicUrl));
  await server.register(swaggerUi, { routePrefix: '/api/docs' });
}

function addSecurityHeaders(server: ZodServer, app: App) {
  const https = app.config.publicUrl.startsWith('https://');
  server.addHook('onSend', (_req, reply, payload, done) => {
    reply.header('x-content-type-options', 'nosniff');
    // Served over https: browsers keep to https for a year (cookies are Secure too, src/http/auth.ts).
    if (https) reply.header('strict-transport-security', 'max-age=31536000');
    // same-origin, not no-referrer: under no-referrer Chromium sends `Origin: null` on a form POST, so the
    // console's own forms would fail the CSRF check; other sites still get no referrer.
    reply.header('referrer-policy', 'same-origin');
    reply.header('x-frame-options', 'DENY');
    reply.header('cross-origin-opener-policy', 'same-origin');
    const type = String(reply.getHeader('content-type') ?? '');
    if (type.startsWith('text/html') && !reply.getHeader('content-security-policy'))
      reply.header(
        'content-security-policy',
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
      );
    done(null, payload);
  });
}

const permissionIn = (routeTable: RouteEntry[]) => (method: string, url: string) =>
  routeTable.find((r) => r.method === method && r.url === url)?.permission;

function addAccessHooks(server: ZodServer, app: App, routeTable: RouteEntry[]) {
  // Authenticate and authorise before the body is validated: an unauthenticated call is a 401
  // and a forbidden one a 403, whatever it sends.
  // Then, for every route: text PostgreSQL cannot store (NUL, lone surrogates) is a 400 naming the field.
  // One hook in callback style: an API key the cache holds is checked without a promise (the lookups' hot path).
  server.addHook('preValidation', (req, reply, done) => {
    const permission = req.routeOptions.config.permission;
    try {
      if (!permission || permission === 'public' || authenticateCached(app, req, permission)) {
        rejectUnstorableInput(req);
        return done();
      }
    } catch (err) {
      return done(err as Error);
    }
    authenticate(app, req, reply, permission).then(() => {
      try {
        rejectUnstorableInput(req);
      } catch (err) {
        return done(err as Error);
      }
      done();
    }, done);
  });

  // Console pages render their navigation for the signed-in person (src/web/layout.ts): run each
  // handler inside a page context that knows the principal and every route's declared permission.
  // The API and the banner's scripts render no page: they skip it (one AsyncLocalStorage context less per call).
  const routePermission = permissionIn(routeTable);
  server.addHook('preHandler', (req, _reply, done) =>
    req.url.startsWith('/api/v1/') || req.url.startsWith('/sdk/')
      ? done()
      : runInPageContext(
          {
            principal: () => req.principal,
            permissionOf: routePermission,
            path: req.url.split('?')[0]!,
            language: () => req.consoleLanguage ?? pickLang(req.headers['accept-language'], 'en'),
          },
          done,
        ),
  );
}

/** Problems are problem+json for programs, and an HTML page with a way back for people (src/http/problemPage.ts). */
function handleErrors(server: ZodServer, app: App, routeTable: RouteEntry[]) {
  const viewerOf = (req: FastifyRequest): Viewer => ({
    principal: req.principal,
    permissionOf: permissionIn(routeTable),
  });
  const sendError = (req: FastifyRequest, reply: FastifyReply, problem: Problem) => {
    if (!wantsHtmlPage(req)) return sendProblem(reply, problem);
    return reply
      .status(problem.status)
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(problemPage(problem, req, viewerOf(req)));
  };
  server.setErrorHandler((err, req, reply) => {
    const problem = problemFor(err, req);
    if (problem.status === 401 && wantsHtmlPage(req))
      return reply.redirect(`/console/login?next=${encodeURIComponent(req.url.split('?')[0]!)}`);
    return sendError(req, reply, problem);
  });
  server.setNotFoundHandler(async (req, reply) => {
    // A signed-in person gets the console's navigation on a missing console page; no route ran, so ask here.
    if (isConsolePath(req.url) && wantsHtmlPage(req) && req.cookies?.[SESSION_COOKIE])
      await authenticate(app, req, reply, 'account:self').catch(() => undefined);
    return sendError(req, reply, {
      type: 'https://ombud.dev/problems/not-found',
      title: 'not found',
      status: 404,
      detail: `There is no ${req.method} ${req.url.split('?')[0]}. See /api/docs for the API.`,
      code: 'not-found',
    });
  });
}

/** Every capability's route module, each in its own scope, and the OpenAPI document. */
async function registerRoutes(
  server: ZodServer,
  app: App,
  opts: { logger?: boolean | object; extraRoutes?: RouteModule[]; workers?: BackgroundWork },
) {
  // The routes' services log to the server's logger (ids and codes only; see src/log.ts).
  const routeApp = opts.logger === false ? app : withLog(app, server.log);
  const workers = opts.workers ?? NO_WORKERS;
  for (const mod of [...ROUTE_MODULES, ...(opts.extraRoutes ?? [])])
    await server.register(async (scope) => mod(scope, routeApp, workers));
  server.get('/api/openapi.json', { config: { permission: 'public' }, schema: { hide: true } }, async () =>
    server.swagger(),
  );
}
