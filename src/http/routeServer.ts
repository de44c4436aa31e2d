import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { App } from '../app.ts';
import type { BackgroundWork } from '../workers.ts';

/**
 * The scope a route module registers on: it keeps the zod type provider, so each handler's
 * `req.body`, `req.params`, `req.query` and `req.headers` are typed from its route's schema.
 */
export type RouteServer = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

/**
 * A module of routes, registered in its own encapsulated scope by `buildServer`: the App (logging to the
 * server's logger) and, read-only, the background workers that run (src/workers.ts).
 */
export type RouteModule = (server: RouteServer, app: App, workers: BackgroundWork) => Promise<void>;
