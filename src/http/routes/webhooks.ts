/**
 * Webhook endpoints (subscribed systems), the delivery log with its dead-letter list and replay,
 * as API and as a console page.
 */
import type { RouteServer } from '../routeServer.ts';
import { z } from 'zod';
import type { App } from '../../app.ts';
import type { BackgroundWork } from '../../workers.ts';
import { precondition } from '../../core/errors.ts';
import { html } from '../../core/html.ts';
import {
  createWebhookEndpoint,
  deliveryFor,
  deliveryLog,
  listWebhookEndpoints,
  reviveDelivery,
} from '../../services/consent/webhooks.ts';
import { groupOf } from '../../services/register/group.ts';
import { consolePage } from '../../web/layout.ts';
import { callerOf } from '../actor.ts';

const idParams = z.object({ id: z.uuid('a delivery id (UUID)') });

export async function webhookRoutes(server: RouteServer, app: App, workers: BackgroundWork) {
  const replay = async (req: import('fastify').FastifyRequest, id: string) => {
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
  };

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
      },
    },
    async (req) => deliveryLog(app.db, callerOf(req), await groupOf(app.registers), req.query),
  );

  server.post(
    '/api/v1/webhooks/deliveries/:id/replay',
    {
      config: { permission: 'webhooks:manage' },
      schema: { tags: ['webhooks'], summary: 'Send an undelivered (dead) delivery again', params: idParams },
    },
    async (req, reply) => {
      await replay(req, req.params.id);
      return reply.code(202).send({ queued: true });
    },
  );

  server.post(
    '/console/webhooks/deliveries/:id/replay',
    { config: { permission: 'webhooks:manage' }, schema: { hide: true, params: idParams } },
    async (req, reply) => {
      await replay(req, req.params.id);
      return reply.redirect('/console/webhooks', 303);
    },
  );

  server.get(
    '/console/webhooks',
    { config: { permission: 'webhooks:manage' }, schema: { hide: true } },
    async (req, reply) => {
      const caller = callerOf(req);
      const group = await groupOf(app.registers);
      const endpoints = await listWebhookEndpoints(app.db, caller, group);
      const dead = await deliveryLog(app.db, caller, group, { status: 'dead', limit: 200 });
      const log = await deliveryLog(app.db, caller, group, { limit: 200 });
      const when = (d: Date | null) => (d ? new Date(d).toISOString().slice(0, 19).replace('T', ' ') : '—');
      const body = html`<h1>Consent propagation</h1>
<p class="muted">Every consent change is sent to the systems below as a signed webhook (Standard Webhooks), retried with back-off${workers.propagator ? '' : html` — <strong>the delivery worker is not running</strong>`}.</p>
<section class="card"><h2>Subscribed systems</h2><table class="data"><thead><tr><th>URL</th><th>Organization</th><th>Description</th><th>Active</th></tr></thead><tbody>
${endpoints.map((e) => html`<tr><td><code>${e.url}</code></td><td>${e.org_id ?? 'all'}</td><td>${e.description}</td><td>${e.active ? 'yes' : 'no'}</td></tr>`)}
</tbody></table></section>
<section class="card" id="dead-letter"><h2>Dead letters (${dead.length})</h2><table class="data"><thead><tr><th>Delivery</th><th>Event</th><th>Receiver</th><th>Attempts</th><th>Last result</th><th></th></tr></thead><tbody>
${dead.map(
  (
    d,
  ) => html`<tr><td><code>${d.id}</code></td><td>${d.event_type}</td><td><code>${d.endpoint_url}</code></td><td>${d.attempts}</td><td>${d.last_error ?? d.last_status}</td>
<td><form method="post" action="/console/webhooks/deliveries/${d.id}/replay"><button type="submit">Replay</button></form></td></tr>`,
)}</tbody></table></section>
<section class="card" id="log"><h2>Delivery log</h2><table class="data"><thead><tr><th>Created</th><th>Event</th><th>Receiver</th><th>Status</th><th>Attempts</th><th>Last attempt</th><th>Last result</th></tr></thead><tbody>
${log.map(
  (d) =>
    html`<tr data-delivery="${d.id}"><td>${when(d.created_at)}</td><td>${d.event_type}</td><td><code>${d.endpoint_url}</code></td><td><span class="pill${d.status === 'dead' ? ' warn' : ''}">${d.status}</span></td><td>${d.attempts}</td><td>${when(d.last_attempt_at)}</td><td>${d.last_error ?? d.last_status ?? ''}</td></tr>`,
)}</tbody></table></section>`;
      return reply
        .type('text/html')
        .send(consolePage({ title: 'Consent propagation', active: 'webhooks', body }));
    },
  );
}
