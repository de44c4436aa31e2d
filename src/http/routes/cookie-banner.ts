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
import { type Language, LANGUAGES } from '../../core/register/schema.ts';
import { type Cacheable, cacheable, sendCacheable } from '../cacheable.ts';
import { cookieConsentHistory, storeCookieConsent } from '../../services/consent/recordCookieConsent.ts';
import { buildConsentBundle } from '../../web/sdk/consent/build.ts';
import { requireRegister } from '../currentRegister.ts';
import { callerOf } from '../actor.ts';
import { proofConsentIdLimiter, proofFloodGuard } from '../edgeLimits.ts';
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
  proofId: z
    .string()
    .regex(/^[A-Za-z0-9_-]{8,64}$/, "the banner's random id of this choice")
    .optional()
    .describe(
      'Sent again with the same proofId (a retry), the proof is stored once and the same number answered.',
    ),
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

const orgParam = z.string().regex(/^[a-z0-9-]{1,64}$/, 'an organization id such as nestit-group');
const notModified = z.undefined().describe('Not modified: the ETag given in If-None-Match is current.');
/** The stable URLs (the loader, the unversioned script): a register change reaches sites within 5 minutes. */
const SHORT = 'public, max-age=300';
/** The content-hashed script: never changes, so browsers and CDNs keep it for a year. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * The banner's script for one company and language (configuration, then the bundle), compressed once per
 * content: a new register revision, a new bundle or a new public URL make a new hash. A few recent versions
 * are kept, so a page that loaded an older loader still gets its script.
 */
function bannerScripts(app: App, register: CurrentIndex) {
  type Built = { script: Cacheable; loader: Cacheable };
  /** `org/lang/hash` → script; text → script and loader. Both bounded (oldest out first). */
  const byPath = new Map<string, Cacheable>();
  const byText = new Map<string, Built>();
  const keep = <K, V>(m: Map<K, V>, k: K, v: V) => {
    m.delete(k);
    m.set(k, v);
    while (m.size > 64) m.delete(m.keys().next().value as K);
  };
  /** The versioned URL of a script (path-based: CDNs that drop query strings still key it apart). */
  const versionedPath = (orgId: string, lang: Language, hash: string) =>
    `/sdk/consent/${orgId}/${lang}/${hash}.js`;
  const current = async (orgId: string, lang?: Language) => {
    const index = await register();
    if (!index.organization(orgId)) throw notFound('organization', orgId);
    const language = lang ?? index.register.group.defaultLanguage;
    const base = app.config.publicUrl;
    const config = bannerConfigFor(index, {
      orgId,
      lang: language,
      endpoint: base,
      policyUrl: `${base}/privacy/${orgId}?lang=${language}#cookies`,
    });
    const { js } = await buildConsentBundle();
    const text = `window.OmbudConsentConfig=${JSON.stringify(config).replace(/</g, '\\u003c')};${js}`;
    let built = byText.get(text);
    if (!built) {
      const script = cacheable(text, 'text/javascript; charset=utf-8');
      const src = `${base}${versionedPath(orgId, language, script.hash)}`;
      const loader = cacheable(
        `(function(d){var c=d.currentScript,s=d.createElement('script');s.src=${JSON.stringify(src)};if(c&&c.nonce)s.nonce=c.nonce;(c&&c.parentNode?c.parentNode:d.head).insertBefore(s,c?c.nextSibling:null)})(document);`,
        'text/javascript; charset=utf-8',
      );
      built = { script, loader };
      keep(byText, text, built);
    }
    keep(byPath, versionedPath(orgId, language, built.script.hash), built.script);
    return { ...built, lang: language };
  };
  return { current, byPath, versionedPath };
}

/** The banner: its configuration from the cookie inventory, then the script; the loader; the versioned script. */
function bannerScriptRoute(server: RouteServer, app: App, register: CurrentIndex) {
  const scripts = bannerScripts(app, register);
  // Static and cacheable: no limit per client address (behind a CDN every visitor would share one).
  const config = { permission: 'public' as const, rateLimit: false as const };

  /** The two stable URLs (cached 5 minutes): the same query and answers, each its own part of the build. */
  const stableRoute = (url: string, part: 'script' | 'loader', summary: string, answer: string) =>
    server.get(
      url,
      {
        config,
        schema: {
          tags: ['cookies'],
          summary,
          querystring: z.object({ org: orgParam, lang: z.enum(LANGUAGES).optional() }),
          response: { 200: textAnswer(answer, 'text/javascript'), 304: notModified },
        },
      },
      async (req, reply) => {
        const built = await scripts.current(req.query.org, req.query.lang);
        return sendCacheable(req, reply, built[part], SHORT);
      },
    );
  stableRoute(
    '/sdk/consent.js',
    'script',
    'The cookie banner at a stable URL (cached 5 minutes): configuration from the cookie inventory, then the script',
    'window.OmbudConsentConfig (the configuration) followed by the banner script; brotli or gzip as accepted, with an ETag',
  );
  stableRoute(
    '/sdk/loader.js',
    'loader',
    "The banner's loader (cached 5 minutes): a few hundred bytes that load the current content-hashed script",
    'A script that adds the versioned, immutable banner script to the page (with the nonce of the loader, if any)',
  );

  server.get(
    '/sdk/consent/:org/:lang/:file',
    {
      config,
      schema: {
        tags: ['cookies'],
        summary:
          'The cookie banner at its content-hashed URL (immutable, cached a year); an older hash redirects to the current one',
        params: z.object({
          org: orgParam,
          lang: z.enum(LANGUAGES),
          file: z.string().regex(/^[A-Za-z0-9_-]{22}\.js$/, 'the content hash followed by .js'),
        }),
        response: {
          200: textAnswer(
            'The banner script (as /sdk/consent.js), brotli or gzip as accepted',
            'text/javascript',
          ),
          302: z.undefined().describe('An older version: the current versioned URL is in Location.'),
          304: notModified,
        },
      },
    },
    async (req, reply) => {
      const { org, lang, file } = req.params;
      const hash = file.slice(0, -3);
      const kept = scripts.byPath.get(scripts.versionedPath(org, lang, hash));
      if (kept) return sendCacheable(req, reply, kept, IMMUTABLE);
      const { script } = await scripts.current(org, lang);
      if (script.hash === hash) return sendCacheable(req, reply, script, IMMUTABLE);
      return reply
        .header('cache-control', 'public, max-age=60')
        .redirect(scripts.versionedPath(org, lang, script.hash), 302);
    },
  );
}

/** The banner's choices stored as proof (from the group's sites, CORS), and read back. */
function cookieConsentRoutes(server: RouteServer, app: App, register: CurrentIndex) {
  /** The group's sites: the register's websites, Ombud itself and OMBUD_COOKIE_ORIGINS. */
  // Computed once per register revision and setting, not per proof.
  let known:
    | { index: unknown; publicUrl: string; extra: readonly string[]; origins: Set<string> }
    | undefined;
  const allowedOrigins = async () => {
    const index = await register();
    const { publicUrl, cookieOrigins } = app.config;
    if (known?.index === index && known.publicUrl === publicUrl && known.extra === cookieOrigins)
      return known.origins;
    const reg = index.register;
    const sites = [reg.group.website, ...reg.organizations.map((o) => (o as { website?: string }).website)];
    const out = new Set<string>([new URL(publicUrl).origin, ...cookieOrigins]);
    for (const s of sites) if (s) out.add(new URL(s).origin);
    known = { index, publicUrl, extra: cookieOrigins, origins: out };
    return out;
  };
  const perConsentId = proofConsentIdLimiter(server, app);
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
    {
      config: { permission: 'public', rateLimit: proofFloodGuard(app) },
      schema: { hide: true, response: { 204: noContent } },
    },
    async (req, reply) => {
      await cors(req, reply);
      return reply.code(204).send();
    },
  );

  server.post(
    '/api/v1/cookie-consents',
    {
      config: { permission: 'public', rateLimit: proofFloodGuard(app) },
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
      await perConsentId(req, reply);
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
      const seq = await storeCookieConsent(app.db, proof, app.now(), app.config.proofBatchMax);
      return reply.code(201).send({ stored: seq, consentId: proof.consentId });
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
