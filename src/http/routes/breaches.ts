/**
 * Personal data breaches in the API and the console (issue 19): record one, scope it from the live data
 * map, decide the risk, draft the notifications (JSON and PDF), record that the authorities were
 * notified, tell the people affected; the register with each breach's 72-hour clock. Scoping and telling
 * read the group's databases this process is connected to (`workers.subjectSystems`). Access: breaches:read
 * and breaches:write in every company the breach concerns (breachPolicy), decided in the services.
 */
import { z } from 'zod';
import type { App } from '../../app.ts';
import { clockWords } from '../../core/breaches/clock.ts';
import { notificationHtml } from '../../core/breaches/notification.ts';
import { notFound, precondition } from '../../core/errors.ts';
import { RISK_LEVELS } from '../../core/breaches/risk.ts';
import { decide } from '../../core/policies/policy.ts';
import { breachPolicy } from '../../core/policies/resources.ts';
import { t } from '../../core/register/schema.ts';
import { assessBreach, assessmentInput, markNotified } from '../../services/breaches/assessBreach.ts';
import { draftNotifications, listNotifications } from '../../services/breaches/draftNotification.ts';
import { listBreaches } from '../../services/breaches/listBreaches.ts';
import {
  breachChange,
  breachInput,
  recordBreach,
  updateBreach,
} from '../../services/breaches/recordBreach.ts';
import { scopeBreach } from '../../services/breaches/scopeBreach.ts';
import {
  authorizedBreach,
  type Breach,
  clockOf,
  tellProgress,
  timelineOf,
} from '../../services/breaches/store.ts';
import { queueTelling } from '../../services/breaches/tellJob.ts';
import { groupOf } from '../../services/register/group.ts';
import type { BackgroundWork } from '../../workers.ts';
import { breachesPage, breachPage } from '../../web/pages/breaches/breachesPage.ts';
import { callerOf } from '../actor.ts';
import { requireRegister } from '../currentRegister.ts';
import { sendPage } from '../pages.ts';
import type { RouteServer } from '../routeServer.ts';
import {
  breachList,
  breachWire,
  draftedNotifications,
  notificationFile,
  tellProgressWire,
} from '../schemas/breaches.ts';

const idParams = z.object({ id: z.string().uuid('a breach id') });
const notificationParams = idParams.extend({ notificationId: z.string().uuid('a notification id') });

function breachContext(app: App, workers: BackgroundWork) {
  const systems = () => {
    if (!workers.subjectSystems)
      throw precondition(
        'breaches-need-databases',
        "Scoping a breach counts in the group's databases, and none are connected in this process.",
        'Start Ombud with its systems (`ombud start` connects the demo systems), or use `ombud breach scope --demo`.',
      );
    return workers.subjectSystems;
  };
  const index = async () => (await requireRegister(app.registers)).index;
  const scopeDeps = async () => ({ db: app.db, now: app.now, index: await index(), systems: systems() });
  /** Telling runs as a job (services/breaches/tellJob.ts): what it needs is checked before it is queued. */
  const tellQueue = () => {
    systems();
    if (!app.config.secret)
      throw precondition(
        'breaches-need-secret',
        'Telling people needs OMBUD_SECRET (the keyed hash of each address told).',
      );
    if (!workers.breachTell)
      throw precondition(
        'breaches-need-queue',
        'Telling people runs as a job, and the job queue is not started in this process.',
        'Start Ombud with its systems (`ombud start`).',
      );
    return workers.breachTell;
  };

  const clockWire = (b: Breach) => {
    const c = clockOf(b, app.now());
    return {
      state: c.state,
      deadline: c.deadline.toISOString(),
      minutesLeft: c.minutesLeft,
      late: c.late,
      words: clockWords(c),
    };
  };
  const wire = async (b: Breach) => {
    const notes = await app.db.query<{
      id: string;
      org_id: string;
      authority_id: string;
      lang: string;
      phase: number;
    }>(
      'SELECT id, org_id, authority_id, lang, phase FROM breach_notifications WHERE breach_id = $1 ORDER BY org_id, phase',
      [b.id],
    );
    return {
      id: b.id,
      reference: b.reference,
      title: b.title,
      description: b.description,
      detectedAt: b.detectedAt.toISOString(),
      awareAt: b.awareAt.toISOString(),
      window: b.window ? { from: b.window.from.toISOString(), to: b.window.to.toISOString() } : null,
      affected: b.affected,
      containment: b.containment,
      consequences: b.consequences,
      measures: b.measures,
      people: b.people,
      delayReason: b.delayReason,
      orgIds: b.orgIds,
      scope: b.scope,
      risk: b.risk,
      decision: b.decision,
      decisionReason: b.decisionReason,
      notifiedAt: b.notifiedAt?.toISOString() ?? null,
      clock: clockWire(b),
      timeline: (await timelineOf(app.db, b.id)).map((e) => ({ ...e, at: e.at.toISOString() })),
      notifications: notes.map((n) => ({
        id: n.id,
        orgId: n.org_id,
        authorityId: n.authority_id,
        lang: n.lang,
        phase: Number(n.phase),
      })),
      tell: await tellProgress(app.db, b.id),
      createdBy: b.createdBy,
      createdAt: b.createdAt.toISOString(),
    };
  };
  return { systems, index, scopeDeps, tellQueue, clockWire, wire };
}

type Ctx = ReturnType<typeof breachContext>;

export async function breachRoutes(server: RouteServer, app: App, workers: BackgroundWork) {
  const ctx = breachContext(app, workers);
  breachRecords(server, app, ctx);
  breachScoping(server, app, ctx);
  breachNotifying(server, app, ctx);
  breachConsole(server, app, ctx);
  breachConsoleActions(server, app, ctx);
}

function breachRecords(server: RouteServer, app: App, { clockWire, wire }: Ctx) {
  server.get(
    '/api/v1/breaches',
    {
      config: { permission: 'breaches:read' },
      schema: {
        tags: ['breaches'],
        summary:
          'The register of personal data breaches, newest awareness first, each with its 72-hour clock',
        response: { 200: breachList },
      },
    },
    async (req) => {
      const list = await listBreaches(app, callerOf(req), await groupOf(app.registers));
      return {
        breaches: list.map((b) => ({
          id: b.id,
          reference: b.reference,
          title: b.title,
          awareAt: b.awareAt.toISOString(),
          orgIds: b.orgIds,
          subjects: b.scope?.subjects ?? null,
          decision: b.decision,
          clock: clockWire(b),
        })),
      };
    },
  );

  server.post(
    '/api/v1/breaches',
    {
      config: { permission: 'breaches:write' },
      schema: {
        tags: ['breaches'],
        operationId: 'createBreach',
        summary: 'Record a personal data breach: the 72-hour clock runs from awareness (Art. 33(1))',
        body: breachInput,
        response: { 201: breachWire },
      },
    },
    async (req, reply) => {
      const b = await recordBreach(app, callerOf(req), await groupOf(app.registers), req.body);
      return reply.code(201).send(await wire(b));
    },
  );

  server.get(
    '/api/v1/breaches/:id',
    {
      config: { permission: 'breaches:read' },
      schema: {
        tags: ['breaches'],
        operationId: 'getBreach',
        summary:
          'A breach: its clock, scope, risk, drafts, the telling of the people affected and its timeline',
        params: idParams,
        response: { 200: breachWire },
      },
    },
    async (req) =>
      wire(
        await authorizedBreach(app.db, callerOf(req), await groupOf(app.registers), req.params.id, 'read'),
      ),
  );

  server.patch(
    '/api/v1/breaches/:id',
    {
      config: { permission: 'breaches:write' },
      schema: {
        tags: ['breaches'],
        operationId: 'updateBreach',
        summary:
          'Change what was learnt later: description, window, collections, containment, consequences, measures, people (a new window or new collections clear the scope)',
        params: idParams,
        body: breachChange,
        response: { 200: breachWire },
      },
    },
    async (req) =>
      wire(await updateBreach(app, callerOf(req), await groupOf(app.registers), req.params.id, req.body)),
  );
}

function breachScoping(server: RouteServer, app: App, { scopeDeps, index, wire }: Ctx) {
  server.post(
    '/api/v1/breaches/:id/scope',
    {
      config: { permission: 'breaches:write' },
      schema: {
        tags: ['breaches'],
        operationId: 'scopeBreach',
        summary:
          'Scope a breach from the live data map: controllers, authorities, categories, people affected (counts)',
        params: idParams,
        response: { 200: breachWire },
      },
    },
    async (req) =>
      wire(await scopeBreach(await scopeDeps(), callerOf(req), await groupOf(app.registers), req.params.id)),
  );

  server.post(
    '/api/v1/breaches/:id/assessment',
    {
      config: { permission: 'breaches:write' },
      schema: {
        tags: ['breaches'],
        operationId: 'assessBreach',
        summary: 'Decide the risk (suggested from the scope and the factors given), with a reason',
        params: idParams,
        body: assessmentInput,
        response: { 200: breachWire },
      },
    },
    async (req) =>
      wire(await assessBreach(app, callerOf(req), await groupOf(app.registers), req.params.id, req.body)),
  );

  server.post(
    '/api/v1/breaches/:id/notifications',
    {
      config: { permission: 'breaches:write' },
      schema: {
        tags: ['breaches'],
        operationId: 'draftBreachNotifications',
        summary: "Draft the next phase of each controller's notification to its authority (JSON and PDF)",
        params: idParams,
        body: z.strictObject({ orgId: z.string().min(1).max(100).optional() }),
        response: { 201: draftedNotifications },
      },
    },
    async (req, reply) => {
      const drafts = await draftNotifications(
        { db: app.db, now: app.now, index: await index() },
        callerOf(req),
        await groupOf(app.registers),
        req.params.id,
        { orgId: req.body.orgId },
      );
      return reply.code(201).send({
        notifications: drafts.map((d) => ({
          id: d.id,
          orgId: d.orgId,
          authorityId: d.authorityId,
          lang: d.lang,
          phase: d.phase,
        })),
      });
    },
  );

  server.get(
    '/api/v1/breaches/:id/notifications/:notificationId',
    {
      config: { permission: 'breaches:read' },
      schema: {
        tags: ['breaches'],
        operationId: 'getBreachNotification',
        summary:
          'A drafted notification: JSON, or the PDF with format=pdf (html: the page it is printed from)',
        params: notificationParams,
        querystring: z.object({ format: z.enum(['json', 'pdf', 'html']).optional() }),
        response: { 200: notificationFile },
      },
    },
    async (req, reply) => {
      const all = await listNotifications(app, callerOf(req), await groupOf(app.registers), req.params.id);
      const n = all.find((x) => x.id === req.params.notificationId);
      if (!n) throw notFound('notification', req.params.notificationId);
      if (req.query.format === 'pdf' && n.pdf)
        return reply
          .type('application/pdf')
          .header(
            'content-disposition',
            `attachment; filename="${n.content.breach}-${n.orgId}-${n.phase}.pdf"`,
          )
          .send(Buffer.from(n.pdf));
      if (req.query.format === 'html')
        return reply.type('text/html').send(Buffer.from(notificationHtml(n.content)));
      return reply.type('application/json').send(n.content);
    },
  );
}

function breachNotifying(server: RouteServer, app: App, { tellQueue, wire }: Ctx) {
  server.post(
    '/api/v1/breaches/:id/notified',
    {
      config: { permission: 'breaches:write' },
      schema: {
        tags: ['breaches'],
        operationId: 'markBreachNotified',
        summary: 'Record that the authorities were notified: the clock stops (late or not)',
        params: idParams,
        body: z.strictObject({ at: z.iso.datetime({ offset: true }).optional() }),
        response: { 200: breachWire },
      },
    },
    async (req) =>
      wire(
        await markNotified(
          app,
          callerOf(req),
          await groupOf(app.registers),
          req.params.id,
          req.body.at ? new Date(req.body.at) : app.now(),
        ),
      ),
  );

  server.post(
    '/api/v1/breaches/:id/tell',
    {
      config: { permission: 'breaches:write' },
      schema: {
        tags: ['breaches'],
        operationId: 'tellBreachSubjects',
        summary:
          'Tell the people affected by a high-risk breach (Art. 34): queued as a job (the list, then the mails in batches)',
        description:
          'Checks at once that the caller may change the breach and that the risk is decided as high (else 409), ' +
          'queues the job that tells the people affected (one per breach: pressing again while it waits queues ' +
          'nothing, and nobody is told twice), and answers 202 with the progress so far. The job lists the ' +
          "people from the live databases and sends each the mail in their company's language through the " +
          'outbox, in batches of `batch` (default 200); follow the counts in `tell` of GET /api/v1/breaches/{id}.',
        params: idParams,
        body: z.strictObject({ batch: z.number().int().min(1).max(5000).optional() }),
        response: { 202: tellProgressWire },
      },
    },
    async (req, reply) => {
      const { progress } = await queueTelling(
        app,
        tellQueue,
        callerOf(req),
        await groupOf(app.registers),
        req.params.id,
        { batch: req.body.batch },
      );
      return reply.code(202).send(progress);
    },
  );
}

function breachConsole(server: RouteServer, app: App, { index, wire }: Ctx) {
  server.get(
    '/console/breaches',
    { config: { permission: 'breaches:read' }, schema: { hide: true } },
    async (req, reply) => {
      const list = await listBreaches(app, callerOf(req), await groupOf(app.registers));
      const now = app.now();
      return sendPage(reply, breachesPage(list.map((b) => ({ breach: b, clock: clockOf(b, now) }))), {
        private: true,
      });
    },
  );

  server.get(
    '/console/breaches/:id',
    { config: { permission: 'breaches:read' }, schema: { hide: true, params: idParams } },
    async (req, reply) => {
      const b = await authorizedBreach(
        app.db,
        callerOf(req),
        await groupOf(app.registers),
        req.params.id,
        'read',
      );
      const ix = await index();
      const w = await wire(b);
      const group = await groupOf(app.registers);
      const mayWrite =
        decide(callerOf(req).principal, breachPolicy, 'write', { id: b.id, org_ids: b.orgIds }, group) ===
        'allow';
      return sendPage(
        reply,
        breachPage({
          breach: b,
          clock: clockOf(b, app.now()),
          timeline: await timelineOf(app.db, b.id),
          notifications: w.notifications,
          tell: w.tell,
          categoryLabel: (k) => ix.categoryLabel(k, 'en'),
          authorityName: (id) => {
            const a = ix.authorities.get(id);
            return a ? t(a.name, 'en') : id;
          },
          mayWrite,
        }),
        { private: true },
      );
    },
  );
}

/** The console's forms on a breach's page: flat fields, the API's service calls, back to the page. */
const assessForm = z.object({
  level: z.enum(RISK_LEVELS),
  reason: z.string().trim().min(1).max(5000),
  vulnerableSubjects: z.literal('on').optional(),
  encrypted: z.literal('on').optional(),
});
const draftForm = z.object({ orgId: z.string().max(100).optional() });

function breachConsoleActions(server: RouteServer, app: App, { scopeDeps, tellQueue, index }: Ctx) {
  const write = { config: { permission: 'breaches:write' as const } };
  const back = (id: string) => `/console/breaches/${id}`;
  server.post(
    '/console/breaches/:id/scope',
    { ...write, schema: { hide: true, params: idParams } },
    async (req, reply) => {
      await scopeBreach(await scopeDeps(), callerOf(req), await groupOf(app.registers), req.params.id);
      return reply.redirect(back(req.params.id), 303);
    },
  );
  server.post(
    '/console/breaches/:id/assessment',
    { ...write, schema: { hide: true, params: idParams, body: assessForm } },
    async (req, reply) => {
      const f = req.body;
      await assessBreach(app, callerOf(req), await groupOf(app.registers), req.params.id, {
        level: f.level,
        reason: f.reason,
        vulnerableSubjects: f.vulnerableSubjects === 'on',
        encrypted: f.encrypted === 'on',
      });
      return reply.redirect(back(req.params.id), 303);
    },
  );
  server.post(
    '/console/breaches/:id/notifications',
    { ...write, schema: { hide: true, params: idParams, body: draftForm } },
    async (req, reply) => {
      await draftNotifications(
        { db: app.db, now: app.now, index: await index() },
        callerOf(req),
        await groupOf(app.registers),
        req.params.id,
        { orgId: req.body.orgId?.trim() || undefined },
      );
      return reply.redirect(back(req.params.id), 303);
    },
  );
  server.post(
    '/console/breaches/:id/notified',
    { ...write, schema: { hide: true, params: idParams } },
    async (req, reply) => {
      await markNotified(app, callerOf(req), await groupOf(app.registers), req.params.id, app.now());
      return reply.redirect(back(req.params.id), 303);
    },
  );
  server.post(
    '/console/breaches/:id/tell',
    { ...write, schema: { hide: true, params: idParams } },
    async (req, reply) => {
      await queueTelling(app, tellQueue, callerOf(req), await groupOf(app.registers), req.params.id);
      return reply.redirect(back(req.params.id), 303);
    },
  );
}
