/**
 * Legal holds in the API and the console (P14, P46): place a hold on a company's behalf, list them, lift
 * one. Placing and lifting write markers in the group's databases, so they need the databases this process
 * sweeps (the retention worker's connections); listing reads Ombud's database only. Access: holds:read and
 * holds:write in the hold's company (legalHoldPolicy), decided in the services.
 */
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { App } from '../../app.ts';
import { precondition } from '../../core/errors.ts';
import { can } from '../../core/policies/permissions.ts';
import { checkedHoldInput, liftHoldInput, placeHoldInput, reviewState } from '../../core/holds/hold.ts';
import { liftHold } from '../../services/holds/liftHold.ts';
import { listHolds } from '../../services/holds/listHolds.ts';
import { placeHold } from '../../services/holds/placeHold.ts';
import type { Hold, HoldDeps } from '../../services/holds/store.ts';
import { groupOf } from '../../services/register/group.ts';
import { retentionToday } from '../../services/retention/runRetention.ts';
import type { BackgroundWork } from '../../workers.ts';
import { holdsPage } from '../../web/pages/holds/holdsPage.ts';
import { callerOf } from '../actor.ts';
import { requireRegister } from '../currentRegister.ts';
import { sendPage } from '../pages.ts';
import type { RouteServer } from '../routeServer.ts';
import { hold as holdSchema, holdList, liftedHold } from '../schemas/holds.ts';

const orgParams = z.object({ orgId: z.string().min(1).max(100) });
const idParams = z.object({ id: z.string().uuid('a hold id') });

/** The console's place form: flat fields, made into the API's body. */
const placeForm = z.object({
  orgId: z.string().min(1),
  reasonKind: z.string(),
  ruleId: z.string().optional(),
  reason: z.string(),
  scopeKind: z.string(),
  email: z.string().optional(),
  customerNumber: z.string().optional(),
  system: z.string().optional(),
  dataset: z.string().optional(),
  collection: z.string().optional(),
  reviewOn: z.string(),
});

const given = (v: string | undefined) => (v?.trim() ? v : undefined);

/** The form's fields as the API's body; a bad one is a 422 naming the fields, as the API's checks are. */
function fromForm(f: z.infer<typeof placeForm>) {
  const scope =
    f.scopeKind === 'subject'
      ? { kind: 'subject', email: given(f.email), customerNumber: given(f.customerNumber) }
      : f.scopeKind === 'system'
        ? { kind: 'system', system: f.system }
        : { kind: f.scopeKind, dataset: f.dataset, collection: f.collection };
  return checkedHoldInput({
    reasonKind: f.reasonKind,
    ruleId: given(f.ruleId),
    reason: f.reason,
    scope: JSON.parse(JSON.stringify(scope)),
    reviewOn: f.reviewOn,
  });
}

function holdActions(app: App, workers: BackgroundWork) {
  const deps = async (req: FastifyRequest): Promise<HoldDeps> => {
    if (!workers.retention)
      throw precondition(
        'holds-need-databases',
        "A hold marks rows in the group's databases, and none are connected in this process.",
        'Start Ombud with its systems (`ombud start` connects the demo systems), or use `ombud hold place --demo`.',
      );
    return { ...(await workers.retention.deps(callerOf(req).actor)), now: app.now, log: app.log };
  };
  const today = async () => retentionToday((await requireRegister(app.registers)).index, app.now());
  const wire = <H extends Hold>(h: H, day: string) => ({
    ...h,
    review: reviewState(h, day),
    placedAt: h.placedAt.toISOString(),
    liftedAt: h.liftedAt?.toISOString() ?? null,
  });
  return { deps, today, wire };
}

type HoldActions = ReturnType<typeof holdActions>;

export async function holdRoutes(server: RouteServer, app: App, workers: BackgroundWork) {
  const actions = holdActions(app, workers);
  holdApi(server, app, actions);
  holdConsole(server, app, workers, actions);
}

function holdApi(server: RouteServer, app: App, { deps, today, wire }: HoldActions) {
  server.post(
    '/api/v1/organizations/:orgId/holds',
    {
      config: { permission: 'holds:write' },
      schema: {
        tags: ['holds'],
        summary: "Place a legal hold: the scope's rows are kept past their rules until it is lifted",
        params: orgParams,
        body: placeHoldInput,
        response: { 201: holdSchema },
      },
    },
    async (req, reply) => {
      const h = await placeHold(
        await deps(req),
        callerOf(req),
        await groupOf(app.registers),
        req.params.orgId,
        req.body,
      );
      return reply.code(201).send(wire(h, await today()));
    },
  );

  server.get(
    '/api/v1/organizations/:orgId/holds',
    {
      config: { permission: 'holds:read' },
      schema: {
        tags: ['holds'],
        summary: "A company's legal holds, newest first (standing=true: only those not lifted)",
        params: orgParams,
        querystring: z.object({ standing: z.enum(['true', 'false']).optional() }),
        response: { 200: holdList },
      },
    },
    async (req) => {
      const day = await today();
      const holds = await listHolds(app.db, callerOf(req), {
        orgId: req.params.orgId,
        standing: req.query.standing === 'true',
      });
      return { holds: holds.map((h) => wire(h, day)) };
    },
  );

  server.post(
    '/api/v1/holds/:id/lift',
    {
      config: { permission: 'holds:write' },
      schema: {
        tags: ['holds'],
        summary: 'Lift a legal hold: its markers go, so the next retention run and erasure act on the rows',
        params: idParams,
        body: liftHoldInput,
        response: { 200: liftedHold },
      },
    },
    async (req) => {
      const h = await liftHold(
        await deps(req),
        callerOf(req),
        await groupOf(app.registers),
        req.params.id,
        req.body.reason,
      );
      return wire(h, await today());
    },
  );
}

function holdConsole(server: RouteServer, app: App, workers: BackgroundWork, { deps, today }: HoldActions) {
  server.get(
    '/console/holds',
    { config: { permission: 'holds:read' }, schema: { hide: true } },
    async (req, reply) => {
      const caller = callerOf(req);
      const reg = await requireRegister(app.registers);
      const group = await groupOf(app.registers);
      return sendPage(
        reply,
        holdsPage({
          today: await today(),
          holds: await listHolds(app.db, caller),
          orgIds: group.orgIds,
          legalRules: reg.index.register.retentionRules.filter((r) => r.kind === 'legal').map((r) => r.id),
          systems: workers.retention
            ? [...new Set(workers.retention.systems.datasets.map((d) => d.ombud.system))].sort()
            : [],
          mayWrite: group.orgIds.filter((o) => caller.principal.kind === 'system' || canWrite(req, o)),
        }),
        { private: true },
      );
    },
  );

  server.post(
    '/console/holds',
    { config: { permission: 'holds:write' }, schema: { hide: true, body: placeForm } },
    async (req, reply) => {
      const input = fromForm(req.body);
      await placeHold(await deps(req), callerOf(req), await groupOf(app.registers), req.body.orgId, input);
      return reply.redirect('/console/holds', 303);
    },
  );

  server.post(
    '/console/holds/:id/lift',
    { config: { permission: 'holds:write' }, schema: { hide: true, params: idParams, body: liftHoldInput } },
    async (req, reply) => {
      await liftHold(
        await deps(req),
        callerOf(req),
        await groupOf(app.registers),
        req.params.id,
        req.body.reason,
      );
      return reply.redirect('/console/holds', 303);
    },
  );
}

const canWrite = (req: FastifyRequest, orgId: string) => can(callerOf(req).principal, 'holds:write', orgId);
