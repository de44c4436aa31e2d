/**
 * People, roles and API keys, and the audit log for auditors. Access is decided by the
 * declared permission (checked before validation), then per row by the resource policies
 * (src/core/policies/resources.ts: apiKeyPolicy, auditEntryPolicy) that the services apply.
 */
import type { RouteServer } from '../routeServer.ts';
import { z } from 'zod';
import type { App } from '../../app.ts';
import { forbidden, notFound, precondition } from '../../core/errors.ts';
import { PERMISSIONS, ROLES } from '../../core/policies/permissions.ts';
import {
  createApiKey,
  listApiKeys,
  revokeApiKey,
  rotateApiKey,
  type ApiKey,
} from '../../services/apikeys/apiKeys.ts';
import { groupOf } from '../../services/register/group.ts';
import { manageable } from '../../services/users/accounts.ts';
import { auditEntryOf } from '../../services/audit/auditLog.ts';
import { makeCheckpoint, verifyAuditTrail } from '../../services/audit/checkpoints.ts';
import { allowedInAll } from '../../core/policies/policy.ts';
import { grantRole, revokeRole } from '../../services/users/roles.ts';
import { callerOf, principalActor } from '../actor.ts';
import { auditQuery, searchAuditFor, sendAuditExport } from '../auditSearch.ts';
import {
  apiKeyIssued,
  apiKeys,
  apiKeyView,
  auditSearchResult,
  auditVerification,
  checkpointMade,
  noContent,
  roleGranted,
} from '../schemas/security.ts';

const orgId = z.string().regex(/^[a-z0-9-]{1,64}$/, 'an organization id such as nestit-group');
const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'a UUID');
const keyParams = z.object({ keyId: uuid });
const roleBody = z.object({ userId: uuid, role: z.enum(ROLES) });

const keyView = (k: ApiKey) => ({
  id: k.id,
  name: k.name,
  prefix: k.prefix,
  orgIds: k.orgIds,
  permissions: k.permissions,
  createdBy: k.createdBy,
  createdAt: k.createdAt.toISOString(),
  expiresAt: k.expiresAt?.toISOString() ?? null,
  revokedAt: k.revokedAt?.toISOString() ?? null,
  lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
  rotatedFrom: k.rotatedFrom,
});

const knownOrgs = async (app: App) =>
  (await app.registers.get())?.index.register.organizations.map((o) => o.id);

export async function securityRoutes(server: RouteServer, app: App) {
  roleRoutes(server, app);
  apiKeyRoutes(server, app);
  auditRoutes(server, app);
}

/** Roles: granted and taken away per company, only to people the caller may see. */
function roleRoutes(server: RouteServer, app: App) {
  server.post(
    '/api/v1/organizations/:orgId/roles',
    {
      config: { permission: 'users:manage' },
      schema: {
        tags: ['security'],
        summary: 'Grant a user a role in an organization',
        params: z.object({ orgId }),
        body: roleBody,
        response: { 201: roleGranted },
      },
    },
    async (req, reply) => {
      const { orgId: org } = req.params;
      const body = req.body;
      // Only to a person the caller may see (personPolicy): a person of another company is "not found".
      await manageable(app.db, callerOf(req), await groupOf(app.registers), body.userId, 'read');
      await grantRole(app.db, principalActor(req), { ...body, orgId: org }, req.principal);
      return reply.status(201).send({ userId: body.userId, orgId: org, role: body.role });
    },
  );

  server.delete(
    '/api/v1/organizations/:orgId/roles/:userId/:role',
    {
      config: { permission: 'users:manage' },
      schema: {
        tags: ['security'],
        summary: 'Take a role away',
        params: z.object({ orgId, userId: uuid, role: z.enum(ROLES) }),
        response: { 204: noContent },
      },
    },
    async (req, reply) => {
      const p = req.params;
      const removed = await revokeRole(app.db, principalActor(req), p, req.principal);
      if (!removed) throw notFound('role-assignment', `${p.userId}/${p.role}`);
      return reply.status(204).send();
    },
  );
}

const createBody = z.object({
  name: z.string().min(1).max(100),
  orgIds: z.array(orgId).min(1).max(50),
  permissions: z.array(z.enum(PERMISSIONS)).min(1).max(PERMISSIONS.length),
  expiresInDays: z.number().int().min(1).max(3650).nullable().default(90),
});

/** API keys: listed (never the keys), created and rotated (the key shown once), revoked. */
function apiKeyRoutes(server: RouteServer, app: App) {
  server.get(
    '/api/v1/apikeys',
    {
      config: { permission: 'apikeys:manage' },
      schema: {
        tags: ['security'],
        summary: 'API keys of your organizations (never the keys themselves)',
        response: { 200: apiKeys },
      },
    },
    async (req) => (await listApiKeys(app.db, req.principal, await groupOf(app.registers))).map(keyView),
  );

  server.post(
    '/api/v1/apikeys',
    {
      config: { permission: 'apikeys:manage' },
      schema: {
        tags: ['security'],
        summary: 'Create an API key; the key is in this response only',
        body: createBody,
        response: { 201: apiKeyIssued },
      },
    },
    async (req, reply) => {
      const body = req.body;
      const { key, apiKey } = await createApiKey(app.db, principalActor(req), body, {
        by: req.principal,
        now: app.now(),
        knownOrgs: await knownOrgs(app),
      });
      return reply.status(201).send({ key, apiKey: keyView(apiKey) });
    },
  );

  server.post(
    '/api/v1/apikeys/:keyId/rotate',
    {
      config: { permission: 'apikeys:manage' },
      schema: {
        tags: ['security'],
        summary: 'Replace a key by a new one with the same scope; the old one stops working',
        params: keyParams,
        response: { 201: apiKeyIssued },
      },
    },
    async (req, reply) => {
      const { keyId } = req.params;
      const { key, apiKey } = await rotateApiKey(app.db, principalActor(req), keyId, {
        by: req.principal,
        now: app.now(),
        group: await groupOf(app.registers),
      });
      return reply.status(201).send({ key, apiKey: keyView(apiKey) });
    },
  );

  server.delete(
    '/api/v1/apikeys/:keyId',
    {
      config: { permission: 'apikeys:manage' },
      schema: {
        tags: ['security'],
        summary: 'Revoke a key',
        params: keyParams,
        response: { 200: apiKeyView.describe('The key as revoked') },
      },
    },
    async (req) => {
      const { keyId } = req.params;
      return keyView(
        await revokeApiKey(app.db, principalActor(req), keyId, {
          by: req.principal,
          now: app.now(),
          group: await groupOf(app.registers),
        }),
      );
    },
  );
}

/** The audit log for auditors: search and export, verification, signed checkpoints. */
function auditRoutes(server: RouteServer, app: App) {
  server.get(
    '/api/v1/audit',
    {
      config: { permission: 'audit:read' },
      schema: {
        tags: ['audit'],
        summary:
          'Search the audit log (entries of your organizations), newest first, a page by seq (before/after); format=csv exports every match',
        querystring: auditQuery,
        response: { 200: auditSearchResult },
      },
    },
    async (req, reply) => {
      const { format, before, after, limit, ...filters } = req.query;
      // The CSV is the export: every matching entry, streamed (paging does not apply).
      if (format === 'csv') return sendAuditExport(app, req, reply, { ...filters, format });
      const page = await searchAuditFor(app, req, { ...filters, before, after, limit });
      // The neighbouring pages' keys, for a client paging by seq.
      if (page.older !== undefined) reply.header('x-ombud-older', String(page.older));
      if (page.newer !== undefined) reply.header('x-ombud-newer', String(page.newer));
      return page.rows.map(auditEntryOf);
    },
  );

  server.get(
    '/api/v1/audit/verify',
    {
      config: { permission: 'audit:read' },
      schema: {
        tags: ['audit'],
        summary:
          'Verify the whole keyed hash chain, its head and the signed checkpoints exported (the first bad entry is named)',
        response: { 200: auditVerification },
      },
    },
    async () => {
      // Server paths (key and checkpoint files) stay on the server: the CLI names them.
      const { keySources, checkpoint, ...r } = await verifyAuditTrail(app.db, app.auditTrust, {
        now: app.now,
      });
      return {
        ...r,
        withKey: keySources.length > 0,
        checkpoint: checkpoint && {
          seq: checkpoint.seq,
          count: checkpoint.count,
          at: checkpoint.at,
          kid: checkpoint.kid,
        },
      };
    },
  );

  server.post(
    '/api/v1/audit/checkpoints',
    {
      config: { permission: 'audit:read' },
      schema: {
        tags: ['audit'],
        summary:
          'Verify the log, then sign a checkpoint of its head and export it (needs audit:read in every company)',
        response: { 201: checkpointMade },
      },
    },
    async (req, reply) => {
      // A checkpoint covers the whole group's log: only someone who may read the audit log of every company.
      const orgs = (await knownOrgs(app)) ?? [];
      if (!allowedInAll(req.principal!, 'audit:read', orgs))
        throw forbidden(
          "A checkpoint covers every company's audit log: it needs 'audit:read' in every company.",
        );
      if (!app.auditTrust)
        throw precondition(
          'no-audit-checkpoints',
          'Audit checkpoints are not set up in this process.',
          'Start the server with `ombud start`, or run `ombud audit checkpoint`.',
        );
      const r = await makeCheckpoint(app, app.auditTrust, principalActor(req));
      return reply.code(201).send({
        checkpoint: r.checkpoint,
        mailedTo: r.mailedTo.length,
        posted: r.posted ?? null,
      });
    },
  );
}
