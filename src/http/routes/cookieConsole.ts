/**
 * The console's cookie consents (src/web/pages/consent/cookieConsents.ts): a visitor's stored banner choices
 * found by the anonymous consent id (sent in a POST body; the read audited by cookieConsentHistory), and the
 * banner's figures per site and day over the last 14 days of the app's clock, for the companies the person
 * may read consent at.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { App } from '../../app.ts';
import { OmbudError } from '../../core/errors.ts';
import type { Html } from '../../core/html.ts';
import { cookieFigures } from '../../services/consent/cookieFigures.ts';
import { cookieConsentHistory } from '../../services/consent/recordCookieConsent.ts';
import {
  type CookieConsentsData,
  cookieConsentsPage,
  noSuchConsent,
  notAConsentId,
} from '../../web/pages/consent/cookieConsents.ts';
import { callerOf } from '../actor.ts';
import { sendPage } from '../pages.ts';
import type { RouteServer } from '../routeServer.ts';

/** The figures cover this many days, today (UTC) included. */
export const FIGURE_DAYS = 14;

async function figuresOf(app: App, req: FastifyRequest) {
  const to = app.now();
  const from = new Date(`${to.toISOString().slice(0, 10)}T00:00:00Z`);
  from.setUTCDate(from.getUTCDate() - (FIGURE_DAYS - 1));
  const figures = await cookieFigures(app.db, callerOf(req), { from, to });
  const index = (await app.registers.get())?.index;
  const companyName = (orgId: string) => index?.organization(orgId)?.legalName ?? orgId;
  return {
    from: from.toISOString().slice(0, 10),
    to: to.toISOString().slice(0, 10),
    figures,
    companyName,
  };
}

async function send(
  app: App,
  req: FastifyRequest,
  reply: FastifyReply,
  extra: Pick<CookieConsentsData, 'found' | 'message'>,
  status = 200,
) {
  const data: CookieConsentsData = { ...(await figuresOf(app, req)), ...extra };
  return sendPage(reply, cookieConsentsPage(data), { status, private: true });
}

export async function cookieConsoleRoutes(server: RouteServer, app: App) {
  server.get(
    '/console/cookie-consents',
    { config: { permission: 'consent:read' }, schema: { hide: true } },
    async (req, reply) => send(app, req, reply, {}),
  );

  server.post(
    '/console/cookie-consents/find',
    {
      config: { permission: 'consent:read' },
      schema: { hide: true, body: z.object({ consentId: z.string().trim().max(200) }) },
    },
    async (req, reply) => {
      const consentId = req.body.consentId;
      if (!/^[A-Za-z0-9_-]{8,64}$/.test(consentId)) {
        const message: Html = notAConsentId();
        return send(app, req, reply, { message }, 422);
      }
      try {
        const rows = await cookieConsentHistory(app.db, callerOf(req), consentId);
        return send(app, req, reply, { found: { consentId, rows } });
      } catch (err) {
        if (!(err instanceof OmbudError) || err.kind !== 'not-found') throw err;
        return send(app, req, reply, { message: noSuchConsent() }, 404);
      }
    },
  );
}
