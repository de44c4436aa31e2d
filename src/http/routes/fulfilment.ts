/**
 * Fulfilment progress and artifacts: the status of a request's fulfilment (steps, counts, "failed, why")
 * for the console and the request desk, and the extract and ZIP for handing over. Downloads are audited.
 * Each handler passes the caller to src/services/fulfilment/access.ts, which applies the run's, task's or
 * connector's policy (src/core/policies/resources.ts): another company's run or task is "not found".
 */
import type { FastifyRequest } from 'fastify';
import { rawJsonRoutes, verifiedAnswer } from '../connectorCallback.ts';
import type { RouteServer } from '../routeServer.ts';
import { z } from 'zod';
import { EXTRACT_SCHEMA_PATH, extractJsonSchema } from '../../core/fulfilment/extractSchema.ts';
import type { App } from '../../app.ts';
import {
  answerTaskAs,
  artifactFor,
  configureHttpConnector,
  fulfilmentStatusFor,
  tasksOfRunFor,
} from '../../services/fulfilment/access.ts';
import { answerTasksAs, type TaskKey } from '../../services/fulfilment/answerTasks.ts';
import { decodeBoardCursor, taskBoard } from '../../services/fulfilment/taskBoard.ts';
import { httpConnectorInput, serviceAnswer } from '../../services/fulfilment/connectors/http.ts';
import { answerTask, type TaskRow, taskByDelivery } from '../../services/fulfilment/recipients.ts';
import { groupOf } from '../../services/register/group.ts';
import { keyringOf } from '../../services/users/accounts.ts';
import { fulfilmentPage } from '../../web/pages/fulfilment/fulfilmentPage.ts';
import { AGE_CHOICES, tasksPage } from '../../web/pages/fulfilment/tasksPage.ts';
import { sendPage } from '../pages.ts';
import { callerOf } from '../actor.ts';
import {
  artifactFile,
  callbackReceived,
  connectorConfigured,
  fulfilmentStatus,
  taskAnswered,
  tasksAnswered,
} from '../schemas/fulfilment.ts';
import type { BackgroundWork } from '../../workers.ts';

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
const taskKey = z.strictObject({
  requestId: params.shape.requestId,
  systemId: taskParams.shape.systemId,
});
const bulkApiBody = z.strictObject({
  tasks: z.array(taskKey).min(1, 'name at least one task').max(1000, 'at most 1,000 tasks at once'),
  status: tickBody.shape.status,
  note: tickBody.shape.note,
});
const deliveryParams = z.object({
  deliveryId: z.string().regex(/^dlv_[0-9a-f]{32}$/, 'the delivery id from the callback_url'),
});

/** Recording a task's answer, shared by the console, the API and the service's callback. */
function answering(server: RouteServer, app: App, workers: BackgroundWork) {
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
    req: FastifyRequest,
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

  /** Several tasks with one answer, all or none (answerTasksAs); each changed run woken. */
  const tickMany = async (
    req: FastifyRequest,
    keys: readonly TaskKey[],
    answer: { status: 'done' | 'not_found'; note: string },
  ) => {
    const r = await answerTasksAs(
      app.db,
      callerOf(req),
      await groupOf(app.registers),
      keys,
      answer,
      app.now(),
    );
    for (const id of r.changed) await wake(id);
    return r.answered;
  };
  return { wake, tick, tickMany };
}

/** A task as the API answers it, after an answer was recorded. */
const taskAnswerOf = (t: TaskRow) => ({
  requestId: t.request_id,
  systemId: t.system_id,
  status: t.status,
  answer: t.answer,
  note: t.note,
  doneBy: t.done_by,
});
type Answering = ReturnType<typeof answering>;

export async function fulfilmentRoutes(server: RouteServer, app: App, workers: BackgroundWork) {
  const { wake, tick, tickMany } = answering(server, app, workers);
  consoleTaskRoutes(server, app, tick, tickMany);
  apiTaskRoutes(server, app, tick);
  apiBulkRoute(server, tickMany);
  await callbackRoute(server, app, wake);
  statusRoutes(server, app);
  extractSchemaRoute(server);
}

/** The JSON Schema the access extract follows (its `$schema`), for the programs that read extracts. */
function extractSchemaRoute(server: RouteServer) {
  const body = JSON.stringify(extractJsonSchema(), null, 2);
  server.get(
    EXTRACT_SCHEMA_PATH,
    { config: { permission: 'public' }, schema: { hide: true } },
    async (_req, reply) =>
      reply
        .type('application/schema+json')
        .header('cache-control', 'public, max-age=3600')
        .header('access-control-allow-origin', '*')
        .send(body),
  );
}

const boardQuery = z.object({
  system: z
    .string()
    .regex(/^[a-z0-9-]{0,63}$/)
    .optional(),
  company: z
    .string()
    .regex(/^[a-z0-9-]{0,64}$/)
    .optional(),
  age: z.enum(['', ...AGE_CHOICES]).optional(),
  /** The next page's cursor (opaque; one that is not ours shows the first page). */
  after: z.string().max(400).optional(),
});
const bulkBody = z.object({
  // One checkbox per task, `<request id>/<system id>`; a single one arrives as a string.
  task: z
    .union([z.string(), z.array(z.string())])
    .transform((v) => (Array.isArray(v) ? v : [v]))
    .pipe(
      z
        .array(z.string().regex(/^[A-Za-z0-9_.:-]{1,100}\/[a-z0-9][a-z0-9-]{0,62}$/))
        .min(1)
        .max(1000),
    ),
  status: z.enum(['done', 'not_found']).default('done'),
  note: tickBody.shape.note,
});

/** The work list of open tasks, grouped by system, with the filters as asked. */
async function boardPage(app: App, req: FastifyRequest, q: z.infer<typeof boardQuery>) {
  const r = await app.registers.get();
  const filter = {
    system: q.system || undefined,
    company: q.company || undefined,
    olderThanDays: q.age ? Number(q.age) : undefined,
  };
  const after = decodeBoardCursor(q.after);
  const board = await taskBoard(app, callerOf(req), await groupOf(app.registers), filter, after);
  const companyName = (id: string) => r?.index.organization(id)?.legalName ?? id;
  return tasksPage({ board, filter, companyName, paged: !!after });
}

function consoleTaskRoutes(
  server: RouteServer,
  app: App,
  tick: Answering['tick'],
  tickMany: Answering['tickMany'],
) {
  server.get(
    '/console/fulfilment/tasks',
    { config: { permission: 'fulfilment:read' }, schema: { hide: true, querystring: boardQuery } },
    async (req, reply) => sendPage(reply, await boardPage(app, req, req.query)),
  );

  server.post(
    '/console/fulfilment/tasks/bulk',
    { config: { permission: 'fulfilment:write' }, schema: { hide: true, body: bulkBody } },
    async (req, reply) => {
      const keys = req.body.task.map((k) => {
        const [requestId, systemId] = k.split('/') as [string, string];
        return { requestId, systemId };
      });
      await tickMany(req, keys, { status: req.body.status, note: req.body.note });
      return reply.redirect('/console/fulfilment/tasks', 303);
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
}

function apiTaskRoutes(server: RouteServer, app: App, tick: Answering['tick']) {
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
        response: { 200: taskAnswered },
      },
    },
    async (req) => {
      const { requestId, systemId } = req.params;
      return taskAnswerOf(await tick(req, requestId, systemId, req.body));
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
        response: { 201: connectorConfigured },
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
}

/** Several tasks ticked off with one note, all or none (answerTasksAs): the API's "done for these N". */
function apiBulkRoute(server: RouteServer, tickMany: Answering['tickMany']) {
  server.post(
    '/api/v1/fulfilment/tasks/answers',
    {
      config: { permission: 'fulfilment:write' },
      schema: {
        tags: ['fulfilment'],
        summary:
          'Tick off several tasks with one note (each answered and audited on its own; none when one is not yours)',
        body: bulkApiBody,
        response: { 200: tasksAnswered },
      },
    },
    async (req) => {
      const answered = await tickMany(req, req.body.tasks, { status: req.body.status, note: req.body.note });
      return { answered: answered.map(taskAnswerOf) };
    },
  );
}

async function callbackRoute(server: RouteServer, app: App, wake: Answering['wake']) {
  // The service's signed answer. Public (the service holds no Ombud credentials): the Standard Webhooks
  // signature over the raw body, with the connector's own secret, is the authentication.
  // An access answer carries the service's data: up to 4 MiB.
  await rawJsonRoutes(server, 4 * 1024 * 1024, (s) =>
    s.post(
      '/api/v1/fulfilment/callbacks/:deliveryId',
      {
        config: { permission: 'public' },
        schema: {
          tags: ['fulfilment'],
          summary: "A service's signed answer to a fulfilment request (docs/connectors/http.md)",
          params: deliveryParams,
          response: { 200: callbackReceived },
        },
      },
      async (req, reply) => {
        const { deliveryId } = req.params;
        const task = await taskByDelivery(app.db, deliveryId);
        const answer = await verifiedAnswer(app, req, {
          deliveryId,
          system: task?.system_id,
          rejected: {
            actor: { kind: 'system', id: `connector:${task?.system_id}` },
            orgId: task?.org_id,
            action: 'fulfilment.callback.rejected',
            target: `request:${task?.request_id}`,
            details: { system: task?.system_id },
          },
          schema: serviceAnswer,
          hint: 'Send { "status": "done" | "not_found" | "failed", "records"?: n, "data"?: { collection: [ … ] }, "message"?: "…" }.',
        });
        const r = await answerTask(app.db, task!, answer, {
          by: `system:${task!.system_id}`,
          actor: { kind: 'system', id: `connector:${task!.system_id}` },
        });
        if (r.changed) await wake(task!.request_id);
        return reply.code(200).send({ received: true as const, recorded: r.changed });
      },
    ),
  );
}

function statusRoutes(server: RouteServer, app: App) {
  server.get(
    '/api/v1/fulfilment/:requestId',
    {
      config: { permission: 'fulfilment:read' },
      schema: {
        tags: ['fulfilment'],
        summary: "Progress of a request's fulfilment",
        params,
        response: { 200: fulfilmentStatus },
      },
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
        summary: 'The register extract (JSON, HTML or PDF) or the portability ZIP',
        params: artifactParams,
        response: { 200: artifactFile },
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
      const tasks = await tasksOfRunFor(app.db, caller, group, requestId);
      return sendPage(reply, fulfilmentPage(requestId, st, tasks));
    },
  );
}
