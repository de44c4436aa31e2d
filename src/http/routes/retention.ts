/**
 * Retention in the console and the API: what the next run would do per rule (a dry run that records
 * nothing, with a chart), the past runs (counts per system, collection, rule and action), and a button to
 * run now. Every run is group-wide (it sweeps the databases the companies share), so seeing runs and the
 * preview needs `retention:read`, and starting one `retention:run`, in every company of the group
 * (src/services/retention/access.ts); the route's permission is only the first gate.
 */
import type { FastifyRequest } from 'fastify';
import type { RouteServer } from '../routeServer.ts';
import { z } from 'zod';
import type { App } from '../../app.ts';
import { notFound, precondition, validationError } from '../../core/errors.ts';
import type { RegisterIndex } from '../../core/register/register-index.ts';
import { groupOf } from '../../services/register/group.ts';
import {
  assertMayReadRetention,
  assertMayRunRetention,
  getRetentionRunFor,
  listRetentionRunsFor,
  listRetentionTasksFor,
  mayReadRetention,
  mayRunRetention,
  previewRetentionFor,
  startRetentionRun,
} from '../../services/retention/access.ts';
import { retentionToday } from '../../services/retention/runRetention.ts';
import { retentionPage } from '../../web/pages/retention/retentionPage.ts';
import { retentionRunPage } from '../../web/pages/retention/retentionRunPage.ts';
import { sendPage } from '../pages.ts';
import { callerOf } from '../actor.ts';
import {
  retentionPreview,
  retentionRunDetail,
  retentionRunResult,
  retentionRuns,
} from '../schemas/retention.ts';
import type { BackgroundWork } from '../../workers.ts';
import { retentionOutsideRoutes } from './retentionOutside.ts';

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a day written YYYY-MM-DD')
  .optional();
const runParams = z.object({ id: z.string().uuid('a run id') });
const runBody = z.object({
  dryRun: z.boolean().default(false),
  today: day.describe('Only with dryRun, or a day up to today: a later day would erase data early.'),
});
const consoleRunBody = z.object({ mode: z.enum(['dry-run', 'run']) });

/** What the console and the API share: the worker of this process, the register, starting a run. */
function retentionActions(app: App, workers: BackgroundWork) {
  const worker = () => {
    if (!workers.retention)
      throw precondition(
        'retention-not-running',
        'No databases are connected for retention.',
        'Start Ombud with its systems (`ombud start` connects the demo systems), or run `ombud retention run --connection KEY=URL`.',
      );
    return workers.retention;
  };
  const index = async (): Promise<RegisterIndex> => {
    const r = await app.registers.get();
    if (!r) throw notFound('register', 'current');
    return r.index;
  };
  const start = async (req: FastifyRequest, input: { dryRun: boolean; today?: string }) => {
    const caller = callerOf(req);
    const group = await groupOf(app.registers);
    // The caller's right first: a caller who may not run learns nothing more (not even whether this
    // process sweeps) and no run is recorded.
    assertMayRunRetention(caller, group);
    const retention = worker();
    const ix = await index();
    const realToday = retentionToday(ix, app.now());
    if (!input.dryRun && input.today && input.today > realToday)
      throw validationError(
        'retention-day-in-future',
        `A run for ${input.today} would erase data before its day (today is ${realToday}).`,
        [{ path: ['today'], message: 'after today', hint: 'Preview a later day with dryRun: true.' }],
      );
    const deps = await retention.deps(caller.actor);
    return startRetentionRun(deps, caller, group, {
      dryRun: input.dryRun,
      ...(input.today ? { today: input.today } : {}),
    });
  };
  return { worker, index, start };
}
type RetentionActions = ReturnType<typeof retentionActions>;

export async function retentionRoutes(server: RouteServer, app: App, workers: BackgroundWork) {
  const actions = retentionActions(app, workers);
  retentionConsole(server, app, workers, actions);
  retentionApi(server, app, actions);
  await retentionOutsideRoutes(server, app);
}

function retentionConsole(
  server: RouteServer,
  app: App,
  workers: BackgroundWork,
  { index, start }: RetentionActions,
) {
  server.get(
    '/console/retention',
    {
      config: { permission: 'retention:read' },
      schema: { hide: true, querystring: z.object({ day }) },
    },
    async (req, reply) => {
      const ix = await index();
      const caller = callerOf(req);
      const group = await groupOf(app.registers);
      const mayRead = mayReadRetention(caller.principal, group);
      const preview =
        mayRead && workers.retention
          ? await previewRetentionFor(
              await workers.retention.deps(caller.actor),
              caller,
              group,
              req.query.day,
            )
          : undefined;
      const page = retentionPage({
        index: ix,
        groupOrgIds: group.orgIds,
        mayRead,
        mayRun: mayRunRetention(caller.principal, group),
        sweeping: !!workers.retention,
        ...(preview ? { preview } : {}),
        runs: await listRetentionRunsFor(app.db, caller, group, 30),
        tasks: await listRetentionTasksFor(app.db, caller, group, { open: true }),
        today: retentionToday(ix, app.now()),
      });
      return sendPage(reply, page, { private: true });
    },
  );

  server.get(
    '/console/retention/runs/:id',
    { config: { permission: 'retention:read' }, schema: { hide: true, params: runParams } },
    async (req, reply) => {
      const run = await getRetentionRunFor(
        app.db,
        callerOf(req),
        await groupOf(app.registers),
        req.params.id,
      );
      return sendPage(reply, retentionRunPage(run), { private: true });
    },
  );

  server.post(
    '/console/retention/run',
    { config: { permission: 'retention:run' }, schema: { hide: true, body: consoleRunBody } },
    async (req, reply) => {
      const { mode } = req.body;
      const res = await start(req, { dryRun: mode === 'dry-run' });
      return reply.redirect(`/console/retention/runs/${res.runId}`, 303);
    },
  );
}

function retentionApi(server: RouteServer, app: App, { worker, start }: RetentionActions) {
  server.get(
    '/api/v1/retention/runs',
    {
      config: { permission: 'retention:read' },
      schema: {
        tags: ['retention'],
        summary: 'Past retention runs, newest first, with rows per action',
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) }),
        response: { 200: retentionRuns },
      },
    },
    async (req) => ({
      runs: await listRetentionRunsFor(app.db, callerOf(req), await groupOf(app.registers), req.query.limit),
    }),
  );

  server.get(
    '/api/v1/retention/runs/:id',
    {
      config: { permission: 'retention:read' },
      schema: {
        tags: ['retention'],
        summary: 'A retention run: steps per database and outcome counts',
        params: runParams,
        response: { 200: retentionRunDetail },
      },
    },
    async (req) => {
      const { id } = req.params;
      return getRetentionRunFor(app.db, callerOf(req), await groupOf(app.registers), id);
    },
  );

  server.get(
    '/api/v1/retention/preview',
    {
      config: { permission: 'retention:read' },
      schema: {
        tags: ['retention'],
        summary:
          'What a retention run would do on a day (default today): counts, nothing changed or recorded',
        querystring: z.object({ today: day }),
        response: { 200: retentionPreview },
      },
    },
    async (req) => {
      const { today } = req.query;
      const caller = callerOf(req);
      const group = await groupOf(app.registers);
      const retention = worker();
      assertMayReadRetention(caller, group);
      const p = await previewRetentionFor(await retention.deps(caller.actor), caller, group, today);
      return { today: p.today, outcomes: p.outcomes };
    },
  );

  server.post(
    '/api/v1/retention/runs',
    {
      config: { permission: 'retention:run' },
      schema: {
        tags: ['retention'],
        summary: 'Run retention now (or a recorded dry run); returns the run',
        body: runBody,
        response: { 201: retentionRunResult },
      },
    },
    async (req, reply) => {
      const res = await start(req, req.body);
      // A failed run is recorded with the reason per database; the body says so (status: failed).
      return reply.code(201).send(res);
    },
  );
}
