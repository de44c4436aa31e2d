/**
 * Fulfilment progress and artifacts: the status of a request's fulfilment (steps, counts, "failed, why")
 * for the console and the request desk, and the extract and ZIP for handing over. Downloads are audited.
 * Each handler passes the caller to src/services/fulfilment/access.ts, which applies the run's, task's or
 * connector's policy (src/core/policies/resources.ts): another company's run or task is "not found".
 */
import type { RouteServer } from '../routeServer.ts';
import { z } from 'zod';
import type { App } from '../../app.ts';
import type { BackgroundWork } from '../../workers.ts';
import { notFound, unauthenticated, validationError } from '../../core/errors.ts';
import { verifyWebhook } from '../../core/fulfilment/signature.ts';
import { html } from '../../core/html.ts';
import { recordAudit } from '../../services/audit/auditLog.ts';
import {
  answerTaskAs,
  artifactFor,
  configureHttpConnector,
  fulfilmentStatusFor,
  openTasksFor,
  tasksOfRunFor,
} from '../../services/fulfilment/access.ts';
import {
  httpConnectorInput,
  loadHttpConnector,
  serviceAnswer,
} from '../../services/fulfilment/connectors/http.ts';
import { answerTask, type TaskRow, taskByDelivery } from '../../services/fulfilment/recipients.ts';
import { groupOf } from '../../services/register/group.ts';
import { keyringOf } from '../../services/users/accounts.ts';
import { consolePage } from '../../web/layout.ts';
import { callerOf } from '../actor.ts';

const params = z.object({
  requestId: z.string().regex(/^[A-Za-z0-9_.:-]{1,100}$/, 'a request id: letters, digits, . _ : -'),
});
const artifactParams = params.extend({
  name: z.enum(['extract.json', 'extract.html', 'extract.pdf', 'portability.zip']),
});
const taskParams = params.extend({
  systemId: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'a register system id: lower-case letters, digits, -'),
});
const tickBody = z.object({
  status: z.enum(['done', 'not_found']).default('done'),
  note: z.string().trim().min(1, 'say what was done, e.g. "Deleted in the shipping portal"').max(2000),
  records: z.coerce.number().int().min(0).optional(),
});
const deliveryParams = z.object({
  deliveryId: z.string().regex(/^dlv_[0-9a-f]{32}$/, 'the delivery id from the callback_url'),
});

/** Tasks as table rows; the tick-off form only where the caller may answer (fulfilment:write in its company). */
function taskRows(tasks: (TaskRow & { mayAnswer: boolean })[]) {
  return tasks.map(
    (
      t,
    ) => html`<tr><td><a href="/console/fulfilment/${t.request_id}">${t.request_id}</a></td><td>${t.action}</td><td>${t.system_id}</td><td>${t.via === 'http' ? 'HTTP connector' : 'manual'}</td>
<td>${t.status}${t.answer ? ` (${t.answer.status}${t.answer.records !== undefined ? `, ${t.answer.records} records` : ''})` : ''}${t.error ? html`<div>${t.error}</div>` : ''}</td>
<td>${t.note ?? ''}${t.done_by ? html`<div><small>${t.done_by}</small></div>` : ''}</td>
<td>${
      t.mayAnswer && (t.status === 'open' || t.status === 'sent' || t.status === 'unanswered')
        ? html`<form method="post" action="/console/fulfilment/${t.request_id}/tasks/${t.system_id}"><label for="note-${t.request_id}-${t.system_id}">Note</label><textarea id="note-${t.request_id}-${t.system_id}" name="note" required maxlength="2000" rows="2"></textarea>
<label><input type="radio" name="status" value="done" checked> Done</label> <label><input type="radio" name="status" value="not_found"> Not held there</label>
<p><button type="submit">Tick off</button></p></form>`
        : ''
    }</td></tr>`,
  );
}
const TASK_HEAD = html`<thead><tr><th>Request</th><th>Action</th><th>System</th><th>Via</th><th>Status</th><th>Note</th><th></th></tr></thead>`;

export async function fulfilmentRoutes(server: RouteServer, app: App, workers: BackgroundWork) {
  // An answer recorded: the run's job looks again now (a done run completes the request on the desk). The
  // answer is stored either way; should waking fail, the run's timer finds it.
  const wake = async (requestId: string) => {
    try {
      await workers.fulfilment?.wake(requestId);
    } catch (err) {
      server.log.warn({ err: { name: (err as Error).name } }, 'fulfilment wake failed; the timer will look');
    }
  };

  const tick = async (
    req: import('fastify').FastifyRequest,
    requestId: string,
    systemId: string,
    body: z.infer<typeof tickBody>,
  ) => {
    const r = await answerTaskAs(
      app.db,
      callerOf(req),
      await groupOf(app.registers),
      requestId,
      systemId,
      body,
    );
    if (r.changed) await wake(requestId);
    return r.task;
  };

  server.get(
    '/console/fulfilment/tasks',
    { config: { permission: 'fulfilment:read' }, schema: { hide: true } },
    async (req, reply) => {
      const tasks = await openTasksFor(app.db, callerOf(req), await groupOf(app.registers));
      const body = html`<h1>Fulfilment tasks</h1>
<p>Systems without an interface, and services whose answer is awaited: tick each off with a note once the request has been carried out there. The request's fulfilment completes when every task is answered.</p>
<section class="card">${tasks.length === 0 ? html`<p>No open tasks.</p>` : html`<table class="data">${TASK_HEAD}<tbody>${taskRows(tasks)}</tbody></table>`}</section>`;
      return reply
        .type('text/html')
        .send(consolePage({ title: 'Fulfilment tasks', active: 'requests', body }));
    },
  );

  server.post(
    '/console/fulfilment/:requestId/tasks/:systemId',
    {
      config: { permission: 'fulfilment:write' },
      schema: { hide: true, params: taskParams, body: tickBody },
    },
    async (req, reply) => {
      const { requestId, systemId } = req.params;
      await tick(req, requestId, systemId, req.body);
      return reply.redirect('/console/fulfilment/tasks', 303);
    },
  );

  server.post(
    '/api/v1/fulfilment/:requestId/tasks/:systemId',
    {
      config: { permission: 'fulfilment:write' },
      schema: {
        tags: ['fulfilment'],
        summary:
          "Tick off a request's task in a system (manual task, or an awaited service answered by hand)",
        params: taskParams,
        body: tickBody,
      },
    },
    async (req) => {
      const { requestId, systemId } = req.params;
      const t = await tick(req, requestId, systemId, req.body);
      return { requestId, systemId, status: t.status, answer: t.answer, note: t.note, doneBy: t.done_by };
    },
  );

  server.post(
    '/api/v1/fulfilment/connectors/http',
    {
      config: { permission: 'connectors:manage' },
      schema: {
        tags: ['fulfilment'],
        summary:
          'Configure the HTTP connector of an external service (docs/connectors/http.md); returns its signing secret once',
        body: httpConnectorInput,
      },
    },
    async (req, reply) => {
      const current = await app.registers.get();
      const out = await configureHttpConnector(
        app.db,
        () => keyringOf(app.config.secretKeys),
        callerOf(req),
        await groupOf(app.registers),
        current?.index.register.purposes ?? [],
        req.body,
      );
      return reply.code(201).send(out);
    },
  );

  // The service's signed answer. Public (the service holds no Ombud credentials): the Standard Webhooks
  // signature over the raw body, with the connector's own secret, is the authentication.
  await server.register(async (s: RouteServer) => {
    s.removeContentTypeParser('application/json');
    s.addContentTypeParser(
      'application/json',
      { parseAs: 'string', bodyLimit: 4 * 1024 * 1024 }, // an access answer carries the service's data
      (_r, body, done) => done(null, body),
    );
    s.post(
      '/api/v1/fulfilment/callbacks/:deliveryId',
      {
        config: { permission: 'public' },
        schema: {
          tags: ['fulfilment'],
          summary: "A service's signed answer to a fulfilment request (docs/connectors/http.md)",
          params: deliveryParams,
        },
      },
      async (req, reply) => {
        const { deliveryId } = req.params;
        const raw = typeof req.body === 'string' ? req.body : '';
        const task = await taskByDelivery(app.db, deliveryId);
        const cfg =
          task &&
          (await loadHttpConnector(
            app.db,
            app.config.secretKeys ? keyringOf(app.config.secretKeys) : undefined,
            task.system_id,
          ));
        if (!task || !cfg) throw notFound('delivery', deliveryId);
        const v = verifyWebhook(cfg.secret, req.headers, raw, app.now());
        if (!v.ok) {
          await recordAudit(app.db, {
            actor: { kind: 'system', id: `connector:${task.system_id}` },
            orgId: task.org_id,
            action: 'fulfilment.callback.rejected',
            target: `request:${task.request_id}`,
            details: { system: task.system_id, reason: v.reason },
          });
          throw unauthenticated(
            v.reason === 'stale'
              ? 'The webhook-timestamp is more than 5 minutes off: sign the callback when sending it.'
              : "The callback is not signed with this connector's secret: send webhook-id, webhook-timestamp and webhook-signature (v1, HMAC-SHA256 over id.timestamp.body).",
          );
        }
        let json: unknown;
        try {
          json = JSON.parse(raw);
        } catch {
          throw validationError('invalid-json', 'The callback body is not JSON.', [
            { path: ['body'], message: 'send the answer as JSON' },
          ]);
        }
        const parsed = serviceAnswer.safeParse(json);
        if (!parsed.success)
          throw validationError(
            'invalid-answer',
            'The callback does not follow the contract.',
            parsed.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })),
            'Send { "status": "done" | "not_found" | "failed", "records"?: n, "data"?: { collection: [ … ] }, "message"?: "…" }.',
          );
        const r = await answerTask(app.db, task, parsed.data, {
          by: `system:${task.system_id}`,
          actor: { kind: 'system', id: `connector:${task.system_id}` },
        });
        if (r.changed) await wake(task.request_id);
        return reply.code(200).send({ received: true, recorded: r.changed });
      },
    );
  });

  server.get(
    '/api/v1/fulfilment/:requestId',
    {
      config: { permission: 'fulfilment:read' },
      schema: { tags: ['fulfilment'], summary: "Progress of a request's fulfilment", params },
    },
    async (req) => {
      const { requestId } = req.params;
      return fulfilmentStatusFor(app.db, callerOf(req), await groupOf(app.registers), requestId);
    },
  );

  server.get(
    '/api/v1/fulfilment/:requestId/artifacts/:name',
    {
      config: { permission: 'fulfilment:read' },
      schema: {
        tags: ['fulfilment'],
        summary: 'The register extract (JSON or HTML) or the portability ZIP',
        params: artifactParams,
      },
    },
    async (req, reply) => {
      const { requestId, name } = req.params;
      const a = await artifactFor(
        app.db,
        callerOf(req),
        await groupOf(app.registers),
        requestId,
        name,
        app.now(),
      );
      reply.header('content-type', a.contentType);
      if (name !== 'extract.html')
        reply.header('content-disposition', `attachment; filename="${requestId}-${name}"`);
      return reply.send(a.body);
    },
  );

  server.get(
    '/console/fulfilment/:requestId',
    { config: { permission: 'fulfilment:read' }, schema: { hide: true, params } },
    async (req, reply) => {
      const { requestId } = req.params;
      const caller = callerOf(req);
      const group = await groupOf(app.registers);
      const st = await fulfilmentStatusFor(app.db, caller, group, requestId);
      const pct = st.stepsTotal ? Math.round((100 * st.stepsDone) / st.stepsTotal) : 0;
      const tasks = await tasksOfRunFor(app.db, caller, group, requestId);
      const body = html`<h1>Fulfilment of request ${requestId}</h1>
<div class="card"><p><strong>${st.type}</strong> · <span class="pill ${st.status === 'failed' ? 'warn' : ''}">${st.status}</span> · ${st.stepsDone} of ${st.stepsTotal} steps (${pct}%) · attempt ${st.attempts}</p>
<progress max="100" value="${pct}" style="width:100%"></progress>
${st.status === 'failed' ? html`<p><strong>Failed:</strong> ${st.error ?? 'unknown reason'}. Fix the cause, then retry: the run resumes at the failed step.</p>` : ''}</div>
${
  st.status === 'waiting'
    ? html`<div class="card"><p id="waiting-for">Waiting for answers from ${
        tasks
          .filter((t) => t.status === 'open' || t.status === 'sent')
          .map((t) => `${t.system_id} (${t.via === 'http' ? 'HTTP, callback awaited' : 'manual task'})`)
          .join(', ') || 'the services asked'
      }. Open tasks are ticked off below or at <a href="/console/fulfilment/tasks">Fulfilment tasks</a>.</p></div>`
    : ''
}
<section class="card"><h2>Steps</h2><table class="data"><thead><tr><th>Step</th><th>Status</th><th>Attempts</th><th>Collections</th><th>Why / note</th></tr></thead><tbody>
${st.steps.map(
  (s) => html`<tr><td>${s.step}</td><td>${s.status}</td><td>${s.attempts}</td>
<td>${(s.outcome ?? []).map((o) => html`<div>${o.system} / ${o.collection}: ${o.erased} changed, ${o.kept} kept${o.keptUnder.length ? ` (${o.keptUnder.map((k) => `${k.rule} until ${k.eraseOn}`).join(', ')})` : ''}</div>`)}</td>
<td>${s.error ?? ''}${s.note ? html`<div class="note">${s.note}</div>` : ''}</td></tr>`,
)}</tbody></table></section>
${tasks.length ? html`<section class="card"><h2>Recipients and other systems (Art. 19)</h2><table class="data">${TASK_HEAD}<tbody>${taskRows(tasks)}</tbody></table></section>` : ''}`;
      return reply
        .type('text/html')
        .send(consolePage({ title: `Fulfilment ${requestId}`, active: 'requests', body }));
    },
  );
}
