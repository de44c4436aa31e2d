/** Every route module of the HTTP API and web pages. Each registers its own routes with declared permissions. */
import type { RouteModule } from '../routeServer.ts';
import { audienceRoutes } from './audience.ts';
import { breachRoutes } from './breaches.ts';
import { analyticsRoutes } from './analytics.ts';
import { consentRoutes } from './consent.ts';
import { consentConsoleRoutes } from './consentConsole.ts';
import { consoleRoutes } from './console.ts';
import { auditConsoleRoutes } from './auditConsole.ts';
import { cookieBannerRoutes } from './cookie-banner.ts';
import { cookieConsoleRoutes } from './cookieConsole.ts';
import { fulfilmentRoutes } from './fulfilment.ts';
import { healthRoutes } from './health.ts';
import { holdRoutes } from './holds.ts';
import { peopleRoutes } from './people.ts';
import { preferenceRoutes } from './preferences.ts';
import { privacyRoutes } from './privacy.ts';
import { registerRoutes } from './register.ts';
import { securityRoutes } from './security.ts';
import { requestPageRoutes } from './requestPages.ts';
import { requestRoutes } from './requests.ts';
import { retentionRoutes } from './retention.ts';
import { sessionRoutes } from './session.ts';
import { ssoRoutes } from './sso.ts';
import { webhookRoutes } from './webhooks.ts';

export type { RouteModule };

export const ROUTE_MODULES: RouteModule[] = [
  healthRoutes,
  sessionRoutes,
  ssoRoutes,
  registerRoutes,
  privacyRoutes,
  consoleRoutes,
  auditConsoleRoutes,
  securityRoutes,
  peopleRoutes,
  consentRoutes,
  consentConsoleRoutes,
  preferenceRoutes,
  webhookRoutes,
  cookieBannerRoutes,
  cookieConsoleRoutes,
  fulfilmentRoutes,
  requestRoutes,
  requestPageRoutes,
  retentionRoutes,
  holdRoutes,
  audienceRoutes,
  breachRoutes,
  analyticsRoutes,
];
