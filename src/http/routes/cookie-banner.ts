/**
 * The cookie banner served by Ombud: `GET /sdk/consent.js?org=ID&lang=xx` is the configuration
 * built from the register's cookie inventory followed by the bundle; `POST /api/v1/cookie-consents`
 * stores each choice as proof under the anonymous consent id, from the group's sites (CORS).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RouteServer } from '../routeServer.ts';
import { z } from 'zod';
import type { App } from '../../app.ts';
import { bannerConfigFor } from '../../core/consent/banner-config.ts';
import { forbidden, notFound, validationError } from '../../core/errors.ts';
import { LANGUAGES } from '../../core/register/schema.ts';
import { cookieConsentHistory, recordCookieConsent } from '../../services/consent/recordCookieConsent.ts';
import { buildConsentBundle } from '../../web/sdk/consent/build.ts';
import { requireRegister } from '../currentRegister.ts';
import { callerOf } from '../actor.ts';
import { cookieConsentRecords, cookieConsentStored } from '../schemas/consent.ts';
import { noContent, textAnswer } from '../schemas/wire.ts';

const proofBody = z.object({
  consentId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'the banner-generated anonymous id'),
  org: z.string().regex(/^[a-z0-9-]{1,64}$/),
  action: z.enum(['accept-all', 'reject-all', 'custom']),
  categories: z.record(z.string().regex(/^[a-z0-9-]{1,64}$/), z.boolean()),
  inventoryVersion: z.string().min(1).max(64),
  gpc: z.boolean(),
  lang: z.enum(LANGUAGES),
  url: z.url().max(2000),
});

export async function cookieBannerRoutes(server: RouteServer, app: App) {
  const register = async () => (await requireRegister(app.registers)).index;
  bannerScriptRoute(server, app, register);
  cookieConsentRoutes(server, app, register);
  gpcSupportRoute(server);
}

/** The GPC support resource (https://privacycg.github.io/gpc-spec/#gpc-support-resource): Ombud honours the signal. */
function gpcSupportRoute(server: RouteServer) {
  server.get(
    '/.well-known/gpc.json',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['cookies'],
        summary: 'Global Privacy Control support: the banner and the proof endpoint honour Sec-GPC',
        response: {
          200: z.strictObject({
            gpc: z.literal(true).describe('This site honours the Global Privacy Control signal.'),
          }),
        },
      },
    },
    async (_req, reply) => {
      reply.header('cache-control', 'public, max-age=86400').header('access-control-allow-origin', '*');
      return { gpc: true as const };
    },
  );
}

type CurrentIndex = () => Promise<Awaited<ReturnType<typeof requireRegister>>['index']>;

/** The banner: its configuration from the cookie inventory, then the script. */
function bannerScriptRoute(server: RouteServer, app: App, register: CurrentIndex) {
  server.get(
    '/sdk/consent.js',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['cookies'],
        summary: 'The cookie banner: configuration from the cookie inventory, then the script',
        querystring: z.object({
          org: z.string().regex(/^[a-z0-9-]{1,64}$/, 'an organization id such as nestit-group'),
          lang: z.enum(LANGUAGES).optional(),
        }),
        response: {
          200: textAnswer(
            'window.OmbudConsentConfig (the configuration) followed by the banner script',
            'text/javascript',
          ),
        },
      },
    },
    async (req, reply) => {
      const q = req.query;
      const index = await register();
      if (!index.organization(q.org)) throw notFound('organization', q.org);
      const lang = q.lang ?? index.register.group.defaultLanguage;
      const base = app.config.publicUrl;
      const config = bannerConfigFor(index, {
        orgId: q.org,
        lang,
        endpoint: base,
        policyUrl: `${base}/privacy/${q.org}?lang=${lang}#cookies`,
      });
      const { js } = await buildConsentBundle();
      return reply
        .type('text/javascript; charset=utf-8')
        .header('cache-control', 'public, max-age=300')
        .header('cross-origin-resource-policy', 'cross-origin')
        .send(`window.OmbudConsentConfig=${JSON.stringify(config).replace(/</g, '\\u003c')};${js}`);
    },
  );
}

/** The banner's choices stored as proof (from the group's sites, CORS), and read back. */
function cookieConsentRoutes(server: RouteServer, app: App, register: CurrentIndex) {
  /** The group's sites: the register's websites, Ombud itself and OMBUD_COOKIE_ORIGINS. */
  const allowedOrigins = async () => {
    const reg = (await register()).register;
    const sites = [reg.group.website, ...reg.organizations.map((o) => (o as { website?: string }).website)];
    const out = new Set<string>([new URL(app.config.publicUrl).origin, ...app.config.cookieOrigins]);
    for (const s of sites) if (s) out.add(new URL(s).origin);
    return out;
  };
  const cors = async (req: FastifyRequest, reply: FastifyReply) => {
    const origin = req.headers.origin;
    if (!origin) return;
    if (!(await allowedOrigins()).has(origin))
      throw forbidden(
        "This site is not one of the group's sites; add its origin to OMBUD_COOKIE_ORIGINS or the register.",
      );
    reply
      .header('access-control-allow-origin', origin)
      .header('vary', 'Origin')
      .header('access-control-allow-methods', 'POST')
      .header('access-control-allow-headers', 'content-type')
      .header('access-control-max-age', '600');
  };

  server.options(
    '/api/v1/cookie-consents',
    { config: { permission: 'public' }, schema: { hide: true, response: { 204: noContent } } },
    async (req, reply) => {
      await cors(req, reply);
      return reply.code(204).send();
    },
  );

  server.post(
    '/api/v1/cookie-consents',
    {
      config: { permission: 'public' },
      bodyLimit: 16 * 1024,
      schema: {
        tags: ['cookies'],
        summary:
          'Store a cookie-banner choice as proof under the anonymous consent id (called by the banner)',
        body: proofBody,
        response: { 201: cookieConsentStored },
      },
    },
    async (req, reply) => {
      await cors(req, reply);
      const proof = req.body;
      const index = await register();
      if (!index.organization(proof.org)) throw notFound('organization', proof.org);
      const known = new Set(index.register.cookieCategories.map((c) => c.id));
      const unknown = Object.keys(proof.categories).filter((k) => !known.has(k));
      if (unknown.length)
        throw validationError(
          'invalid-categories',
          'categories: names a cookie category the register does not have.',
          [
            {
              path: ['categories', unknown[0]!],
              message: 'unknown cookie category',
              hint: `Use: ${[...known].join(', ')}.`,
            },
          ],
        );
      // GPC: the banner's reading of navigator.globalPrivacyControl, or the browser's own Sec-GPC header
      // (https://privacycg.github.io/gpc-spec/): either is recorded in the proof, and advertising stays
      // off whatever the request says (the banner enforces it too).
      if (req.headers['sec-gpc'] === '1') proof.gpc = true;
      if (proof.gpc)
        for (const c of index.register.cookieCategories) if (c.advertising) proof.categories[c.id] = false;
      const seq = await recordCookieConsent(app.db, proof, app.now());
      return reply.code(201).send({ stored: seq });
    },
  );

  server.get(
    '/api/v1/cookie-consents/:consentId',
    {
      config: { permission: 'consent:read' },
      schema: {
        tags: ['cookies'],
        summary: 'The stored cookie choices of one anonymous consent id (proof), at your companies',
        params: z.object({ consentId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/) }),
        response: { 200: cookieConsentRecords },
      },
    },
    async (req) => {
      const { consentId } = req.params;
      const rows = await cookieConsentHistory(app.db, callerOf(req), consentId);
      return rows.map((r) => ({ ...r, at: r.at.toISOString() }));
    },
  );
}
