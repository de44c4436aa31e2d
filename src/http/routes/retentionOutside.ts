/**
 * Retention outside the SQL databases over HTTP: the manual tasks (list, tick off, in the API and the
 * console) and the signed callback of a service that accepted a retention request (202). Tasks come from
 * group-wide runs: reading them needs retention:read, ticking one off retention:run, in every company
 * (src/services/retention/access.ts). The callback is public: the Standard Webhooks signature with the
 * connector's own secret is its authentication (docs/connectors/http.md, "Retention").
 */
import { z } from 'zod';
import type { App } from '../../app.ts';
import { groupOf } from '../../services/register/group.ts';
import { listRetentionTasksFor, tickRetentionTaskFor } from '../../services/retention/access.ts';
import { retentionAnswer } from '../../services/retention/contract.ts';
import { recordRetentionCallback, requestByDelivery } from '../../services/retention/outside.ts';
import { callerOf } from '../actor.ts';
import { rawJsonRoutes, verifiedAnswer } from '../connectorCallback.ts';
import type { RouteServer } from '../routeServer.ts';
import { retentionCallbackReceived, retentionTask, retentionTasks } from '../schemas/retention.ts';

const taskParams = z.object({ id: z.string().uuid('a task id') });
const tickBody = z.object({
  status: z.enum(['done', 'not-held']).default('done'),
  note: z.string().trim().min(1, 'say what was done, e.g. "Deleted in the CRM\'s admin view"').max(2000),
  records: z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().int().min(0).optional()),
});
const deliveryParams = z.object({
  deliveryId: z.string().regex(/^dlv_[0-9a-f]{32}$/, 'the delivery id from the callback_url'),
});

export async function retentionOutsideRoutes(server: RouteServer, app: App) {
  server.get(
    '/api/v1/retention/tasks',
    {
      config: { permission: 'retention:read' },
      schema: {
        tags: ['retention'],
        summary: 'Manual retention tasks (systems with no interface), open ones first by due day',
        querystring: z.object({
          status: z.enum(['open', 'all']).default('open'),
          limit: z.coerce.number().int().min(1).max(500).default(100),
        }),
        response: { 200: retentionTasks },
      },
    },
    async (req) => ({
      tasks: await listRetentionTasksFor(app.db, callerOf(req), await groupOf(app.registers), {
        open: req.query.status === 'open',
        limit: req.query.limit,
      }),
    }),
  );

  server.post(
    '/api/v1/retention/tasks/:id',
    {
      config: { permission: 'retention:run' },
      schema: {
        tags: ['retention'],
        summary: 'Tick a manual retention task off with a note (done, or not held there)',
        params: taskParams,
        body: tickBody,
        response: { 200: retentionTask },
      },
    },
    async (req) =>
      tickRetentionTaskFor(app.db, callerOf(req), await groupOf(app.registers), req.params.id, req.body),
  );

  server.post(
    '/console/retention/tasks/:id',
    { config: { permission: 'retention:run' }, schema: { hide: true, params: taskParams, body: tickBody } },
    async (req, reply) => {
      await tickRetentionTaskFor(
        app.db,
        callerOf(req),
        await groupOf(app.registers),
        req.params.id,
        req.body,
      );
      return reply.redirect('/console/retention', 303);
    },
  );

  await callbackRoute(server, app);
}

async function callbackRoute(server: RouteServer, app: App) {
  await rawJsonRoutes(server, 64 * 1024, (s) =>
    s.post(
      '/api/v1/retention/callbacks/:deliveryId',
      {
        config: { permission: 'public' },
        schema: {
          tags: ['retention'],
          summary: "A service's signed answer to a retention request (docs/connectors/http.md)",
          params: deliveryParams,
          response: { 200: retentionCallbackReceived },
        },
      },
      async (req, reply) => {
        const { deliveryId } = req.params;
        const request = await requestByDelivery(app.db, deliveryId);
        const answer = await verifiedAnswer(app, req, {
          deliveryId,
          system: request?.system,
          rejected: {
            actor: { kind: 'system', id: `connector:${request?.system}` },
            action: 'retention.callback.rejected',
            target: `retention-run:${request?.runId}`,
            details: { system: request?.system, rule: request?.rule },
          },
          schema: retentionAnswer,
          hint: 'Send { "status": "done" | "failed", "deleted"?: n, "anonymised"?: n, "kept"?: n, "message"?: "…" }.',
        });
        const r = await recordRetentionCallback(app.db, request!, answer);
        return reply.code(200).send({ received: true as const, recorded: r.changed });
      },
    ),
  );
}
