/**
 * Webhook endpoints (subscribed systems), the delivery log with its dead-letter list and replay,
 * as API and as a console page.
 */
import type { FastifyRequest } from 'fastify';
import type { RouteServer } from '../routeServer.ts';
import { z } from 'zod';
import type { App } from '../../app.ts';
import { precondition } from '../../core/errors.ts';
import {
  createWebhookEndpoint,
  deliveryFor,
  deliveryLog,
  listWebhookEndpoints,
  reviveDelivery,
} from '../../services/consent/webhooks.ts';
import { groupOf } from '../../services/register/group.ts';
import { propagationPage } from '../../web/pages/webhooks/propagationPage.ts';
import { sendPage } from '../pages.ts';
import { callerOf } from '../actor.ts';
import {
  deliveryQueued,
  webhookDeliveries,
  webhookEndpointCreated,
  webhookEndpoints,
} from '../schemas/consent.ts';
import type { BackgroundWork } from '../../workers.ts';

const idParams = z.object({ id: z.uuid('a delivery id (UUID)') });

/** Send a dead delivery again: the API's and the console's replay. */
async function replay(app: App, workers: BackgroundWork, req: FastifyRequest, id: string) {
  const caller = callerOf(req);
  const group = await groupOf(app.registers);
  // Another company's delivery is "not found" whether or not propagation runs.
  await deliveryFor(app.db, caller, group, id, 'replay');
  if (!workers.propagator)
    throw precondition(
      'propagation-off',
      'Webhook propagation is not running.',
      'Start Ombud with `ombud start`.',
    );
  await reviveDelivery(app.db, caller, group, id);
  await workers.propagator.queue(id);
}

export async function webhookRoutes(server: RouteServer, app: App, workers: BackgroundWork) {
  webhookApi(server, app, workers);
  webhookConsole(server, app, workers);
}

function webhookApi(server: RouteServer, app: App, workers: BackgroundWork) {
  server.post(
    '/api/v1/webhooks/endpoints',
    {
      config: { permission: 'webhooks:manage' },
      schema: {
        tags: ['webhooks'],
        summary: 'Subscribe a system to consent changes; the answer holds its signing secret (shown once)',
        body: z.object({
          url: z.url('an http(s) URL such as https://esp.example/hooks/ombud'),
          orgId: z
            .string()
            .regex(/^[a-z0-9-]{1,64}$/)
            .optional(),
          description: z.string().max(200).optional(),
        }),
        response: { 201: webhookEndpointCreated },
      },
    },
    async (req, reply) =>
      reply
        .code(201)
        .send(await createWebhookEndpoint(app.db, callerOf(req), await groupOf(app.registers), req.body)),
  );

  server.get(
    '/api/v1/webhooks/endpoints',
    {
      config: { permission: 'webhooks:manage' },
      schema: {
        tags: ['webhooks'],
        summary:
          'Subscribed systems of your companies (those without a company only if you manage webhooks in every company)',
        response: { 200: webhookEndpoints },
      },
    },
    async (req) =>
      (await listWebhookEndpoints(app.db, callerOf(req), await groupOf(app.registers))).map(
        ({ id, org_id, url, description, active }) => ({
          id,
          orgId: org_id,
          url,
          description,
          active,
        }),
      ),
  );

  server.get(
    '/api/v1/webhooks/deliveries',
    {
      config: { permission: 'webhooks:manage' },
      schema: {
        tags: ['webhooks'],
        summary: 'The delivery log; status=dead is the dead-letter list',
        querystring: z.object({
          status: z.enum(['pending', 'delivered', 'dead']).optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
        }),
        response: { 200: webhookDeliveries },
      },
    },
    async (req) =>
      (await deliveryLog(app.db, callerOf(req), await groupOf(app.registers), req.query)).map((d) => ({
        ...d,
        created_at: d.created_at.toISOString(),
        last_attempt_at: d.last_attempt_at?.toISOString() ?? null,
      })),
  );

  server.post(
    '/api/v1/webhooks/deliveries/:id/replay',
    {
      config: { permission: 'webhooks:manage' },
      schema: {
        tags: ['webhooks'],
        summary: 'Send an undelivered (dead) delivery again',
        params: idParams,
        response: { 202: deliveryQueued },
      },
    },
    async (req, reply) => {
      await replay(app, workers, req, req.params.id);
      return reply.code(202).send({ queued: true });
    },
  );
}

function webhookConsole(server: RouteServer, app: App, workers: BackgroundWork) {
  server.post(
    '/console/webhooks/deliveries/:id/replay',
    { config: { permission: 'webhooks:manage' }, schema: { hide: true, params: idParams } },
    async (req, reply) => {
      await replay(app, workers, req, req.params.id);
      return reply.redirect('/console/webhooks', 303);
    },
  );

  server.get(
    '/console/webhooks',
    { config: { permission: 'webhooks:manage' }, schema: { hide: true } },
    async (req, reply) => {
      const caller = callerOf(req);
      const group = await groupOf(app.registers);
      const page = propagationPage({
        endpoints: await listWebhookEndpoints(app.db, caller, group),
        dead: await deliveryLog(app.db, caller, group, { status: 'dead', limit: 200 }),
        log: await deliveryLog(app.db, caller, group, { limit: 200 }),
        delivering: !!workers.propagator,
      });
      return sendPage(reply, page);
    },
  );
}
