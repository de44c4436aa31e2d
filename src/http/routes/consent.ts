/**
 * The consent API for machines (mail and SMS systems, the webshop, customer service tools):
 * record and withdraw consent, object, ask "may we contact?", filter a send list, read a subject's
 * history as proof, export the suppression list. Identities travel in bodies, never in URLs.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RouteServer } from '../routeServer.ts';
import { z } from 'zod';
import type { App } from '../../app.ts';
import { COLLECTION_POINTS } from '../../core/register/schema.ts';
import { bulkFilter, checkContact } from '../../services/consent/checkContact.ts';
import { consentHistory } from '../../services/consent/consentHistory.ts';
import { NETWORK_RULES } from '../../core/audience/hashing.ts';
import { exportHashedSuppressions, exportSuppressions } from '../../services/consent/exportSuppressions.ts';
import { consentKeys } from '../../services/consent/keys.ts';
import {
  type ConsentEvent,
  type EventKind,
  recordConsentEvent,
} from '../../services/consent/recordConsentEvent.ts';
import { recordAudit } from '../../services/audit/auditLog.ts';
import { groupOf } from '../../services/register/group.ts';
import { requireRegister } from '../currentRegister.ts';
import { callerOf, principalActor } from '../actor.ts';
import {
  bulkFilterResult,
  consentHistory as consentHistoryAnswer,
  contactDecision,
  recordedEvent,
  hashedSuppressionList,
  suppressionList,
} from '../schemas/consent.ts';
import { jsonOrCsv } from '../schemas/wire.ts';
import type { BackgroundWork } from '../../workers.ts';

const orgParams = z.object({
  orgId: z.string().regex(/^[a-z0-9-]{1,64}$/, 'an organization id such as nestit-group'),
});
const identity = z
  .object({
    email: z.string().max(320).optional(),
    phone: z.string().max(40).optional(),
    customerNumber: z.string().max(64).optional(),
  })
  .describe('Who: at least one of email, phone (E.164 or national) and customerNumber.');
const idemHeaders = z.object({
  'idempotency-key': z
    .string()
    .min(8, 'use a random key of at least 8 characters, e.g. a UUID')
    .max(200)
    .optional(),
});
const eventBody = z.object({
  identity,
  purpose: z.string().min(1).max(64),
  channel: z.string().min(1).max(32).describe("email, sms, …; for objections also '*' (every channel)"),
  wording: z.string().max(10_000).optional().describe('The exact text shown to the person.'),
  noticeVersion: z.number().int().positive().optional(),
  source: z.enum(COLLECTION_POINTS).default('api'),
  at: z.iso.datetime({ offset: true }).optional().describe('When the person made the choice; default now.'),
});
const objectionBody = eventBody.extend({
  purpose: z.string().min(1).max(64).describe("A purpose id, or 'direct-marketing' for all direct marketing"),
  channel: z.string().min(1).max(32).default('*'),
  lift: z.boolean().default(false).describe('Lift an earlier objection instead of recording one.'),
});

const csv = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);

/** What the consent routes share: the current register's index and the consent keys. */
function consentContext(app: App) {
  const register = async () => (await requireRegister(app.registers)).index;
  const keys = () => consentKeys(app.db, app.config.secret, app.config.secretKeys);
  return { register, keys };
}
type ConsentContext = ReturnType<typeof consentContext>;

export async function consentRoutes(server: RouteServer, app: App, workers: BackgroundWork) {
  const ctx = consentContext(app);
  eventRoutes(server, app, workers, ctx);
  contactCheckRoutes(server, app, ctx);
  proofRoutes(server, app, ctx);
  hashedSuppressionRoute(server, app, ctx);
}

/** Consents granted and withdrawn, objections recorded and lifted. */
function eventRoutes(
  server: RouteServer,
  app: App,
  workers: BackgroundWork,
  { register, keys }: ConsentContext,
) {
  const record = async (
    req: FastifyRequest,
    kind: EventKind,
    { orgId }: z.infer<typeof orgParams>,
    headers: z.infer<typeof idemHeaders>,
    body: z.infer<typeof eventBody>,
  ) => {
    const { event, replayed } = await recordConsentEvent(
      app.db,
      principalActor(req),
      await keys(),
      await register(),
      {
        orgId,
        identity: body.identity,
        purposeId: body.purpose,
        channel: body.channel,
        kind,
        wording: body.wording,
        noticeVersion: body.noticeVersion,
        source: body.source,
        at: body.at ? new Date(body.at) : undefined,
        idempotencyKey: headers['idempotency-key'],
      },
      app.now(),
    );
    if (!replayed) await workers.consentChanged?.(event);
    return { event, replayed };
  };
  const sendEvent = (res: { event: ConsentEvent; replayed: boolean }, reply: FastifyReply) =>
    reply
      .code(res.replayed ? 200 : 201)
      .header('idempotent-replayed', String(res.replayed))
      .send(res);

  const events = [
    {
      path: 'consents',
      kind: 'grant',
      summary: 'Record a consent (grant) with the wording shown; Idempotency-Key makes retries safe',
    },
    { path: 'consents/withdrawals', kind: 'withdraw', summary: 'Withdraw a consent' },
  ] as const;
  for (const { path, kind, summary } of events)
    server.post(
      `/api/v1/organizations/:orgId/${path}`,
      {
        config: { permission: 'consent:write' },
        schema: {
          tags: ['consent'],
          summary,
          params: orgParams,
          headers: idemHeaders,
          body: eventBody,
          response: { 200: recordedEvent, 201: recordedEvent },
        },
      },
      async (req, reply) => sendEvent(await record(req, kind, req.params, req.headers, req.body), reply),
    );

  server.post(
    '/api/v1/organizations/:orgId/objections',
    {
      config: { permission: 'consent:write' },
      schema: {
        tags: ['consent'],
        summary:
          "Record (or lift) an objection (Art. 21); 'direct-marketing' stops all direct marketing at once",
        params: orgParams,
        headers: idemHeaders,
        body: objectionBody,
        response: { 200: recordedEvent, 201: recordedEvent },
      },
    },
    async (req, reply) => {
      const body = req.body;
      return sendEvent(
        await record(req, body.lift ? 'lift-objection' : 'object', req.params, req.headers, body),
        reply,
      );
    },
  );
}

/** "May we contact?", for one person and for a send list. */
function contactCheckRoutes(server: RouteServer, app: App, { register, keys }: ConsentContext) {
  server.post(
    '/api/v1/organizations/:orgId/contact-checks',
    {
      config: { permission: 'consent:read' },
      schema: {
        tags: ['consent'],
        summary: 'May we contact this data subject on this channel for this purpose?',
        params: orgParams,
        body: z.object({ identity, purpose: z.string().min(1).max(64), channel: z.string().min(1).max(32) }),
        response: { 200: contactDecision },
      },
    },
    async (req) => {
      const { orgId } = req.params;
      const b = req.body;
      return checkContact(app.db, await keys(), await register(), {
        orgId,
        identity: b.identity,
        purposeId: b.purpose,
        channel: b.channel,
      });
    },
  );

  server.post(
    '/api/v1/organizations/:orgId/contact-checks/bulk',
    {
      config: { permission: 'consent:read' },
      bodyLimit: 64 * 1024 * 1024,
      schema: {
        tags: ['consent'],
        summary: 'Filter a send list: the addresses that may be contacted; refused ones by index and reason',
        params: orgParams,
        body: z.object({
          purpose: z.string().min(1).max(64),
          channel: z.string().min(1).max(32),
          recipients: z.array(z.string().max(320)).max(1_000_000),
        }),
        response: { 200: bulkFilterResult },
      },
    },
    async (req) => {
      const { orgId } = req.params;
      const b = req.body;
      const res = await bulkFilter(app.db, await keys(), await register(), {
        orgId,
        purposeId: b.purpose,
        channel: b.channel,
        recipients: b.recipients,
      });
      await recordAudit(app.db, {
        actor: principalActor(req),
        orgId,
        action: 'consent.send-list.filter',
        target: `purpose:${b.purpose}`,
        details: { channel: b.channel, total: res.total, allowed: res.allowed.length },
      });
      return res;
    },
  );
}

/** The proof: a subject's history, and the suppression list. */
function proofRoutes(server: RouteServer, app: App, { register, keys }: ConsentContext) {
  server.post(
    '/api/v1/organizations/:orgId/subjects/consent-history',
    {
      config: { permission: 'consent:read' },
      schema: {
        tags: ['consent'],
        summary: "A data subject's consent history (every event with the wording shown): the proof",
        params: orgParams,
        body: z.object({ identity }),
        response: { 200: consentHistoryAnswer },
      },
    },
    async (req) => {
      const { orgId } = req.params;
      return consentHistory(
        app.db,
        callerOf(req),
        await groupOf(app.registers),
        await keys(),
        await register(),
        {
          orgId,
          identity: req.body.identity,
        },
      );
    },
  );

  server.get(
    '/api/v1/organizations/:orgId/suppressions',
    {
      config: { permission: 'consent:read' },
      schema: {
        tags: ['consent'],
        summary: 'The suppression list of a purpose and channel (JSON or CSV)',
        params: orgParams,
        querystring: z.object({
          purpose: z.string().min(1).max(64),
          channel: z.string().min(1).max(32),
          format: z.enum(['json', 'csv']).default('json'),
        }),
        response: {
          200: jsonOrCsv(
            'The suppression list: JSON, or CSV (address,reason) with format=csv.',
            suppressionList,
          ),
        },
      },
    },
    async (req, reply) => {
      const { orgId } = req.params;
      const q = req.query;
      const list = await exportSuppressions(app.db, await keys(), principalActor(req), await register(), {
        orgId,
        purposeId: q.purpose,
        channel: q.channel,
      });
      if (q.format === 'csv')
        return reply
          .type('text/csv; charset=utf-8')
          .header(
            'content-disposition',
            `attachment; filename="suppressions-${orgId}-${q.purpose}-${q.channel}.csv"`,
          )
          .send(`address,reason\n${list.map((s) => `${csv(s.address)},${s.reason}`).join('\n')}\n`);
      return { purpose: q.purpose, channel: q.channel, count: list.length, suppressions: list };
    },
  );
}

/** The suppression list hashed by an ad network's rule (P44): no plain identifier in it. */
function hashedSuppressionRoute(server: RouteServer, app: App, { register, keys }: ConsentContext) {
  server.get(
    '/api/v1/organizations/:orgId/suppressions/hashed',
    {
      config: { permission: 'consent:read' },
      schema: {
        tags: ['consent'],
        summary: "The suppression list hashed by an ad network's rule (JSON or CSV)",
        description:
          'For ad matching (P44): the list a network is given holds no plain identifier. A purpose whose register shares the address only hashed gets no plain list (409 hashed-only-purpose).',
        params: orgParams,
        querystring: z.object({
          purpose: z.string().min(1).max(64),
          channel: z.string().min(1).max(32),
          rule: z.enum(NETWORK_RULES),
          format: z.enum(['json', 'csv']).default('json'),
        }),
        response: {
          200: jsonOrCsv(
            'The hashed suppression list: JSON, or CSV (sha256,reason) with format=csv.',
            hashedSuppressionList,
          ),
        },
      },
    },
    async (req, reply) => {
      const { orgId } = req.params;
      const q = req.query;
      const list = await exportHashedSuppressions(
        app.db,
        await keys(),
        principalActor(req),
        await register(),
        { orgId, purposeId: q.purpose, channel: q.channel, rule: q.rule },
      );
      if (q.format === 'csv')
        return reply
          .type('text/csv; charset=utf-8')
          .header(
            'content-disposition',
            `attachment; filename="suppressions-${orgId}-${q.purpose}-${q.channel}-${q.rule}.csv"`,
          )
          .send(`sha256,reason\n${list.suppressions.map((s) => `${s.sha256},${s.reason}`).join('\n')}\n`);
      return {
        purpose: q.purpose,
        channel: q.channel,
        rule: list.rule,
        count: list.suppressions.length,
        skipped: list.skipped,
        suppressions: list.suppressions,
      };
    },
  );
}
