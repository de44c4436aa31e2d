/** Every route module of the HTTP API and web pages. Each registers its own routes with declared permissions. */
import type { FastifyInstance } from 'fastify';
import type { App } from '../../app.ts';
import { consoleRoutes } from './console.ts';
import { healthRoutes } from './health.ts';
import { privacyRoutes } from './privacy.ts';
import { registerRoutes } from './register.ts';
import { requestPageRoutes } from './requestPages.ts';
import { requestRoutes } from './requests.ts';
import { sessionRoutes } from './session.ts';

export type RouteModule = (server: FastifyInstance, app: App) => Promise<void>;

export const ROUTE_MODULES: RouteModule[] = [
  healthRoutes,
  sessionRoutes,
  registerRoutes,
  privacyRoutes,
  consoleRoutes,
  requestRoutes,
  requestPageRoutes,
];
