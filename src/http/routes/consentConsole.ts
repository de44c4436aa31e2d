/**
 * The console's consent desk, for customer-service agents and the privacy team: find a data subject by
 * an identity (sent in a POST body, never in a URL), see per company of the group what may be sent on
 * which channel and on which basis, the full history as proof (wording, notice version, source, actor),
 * and record a change the customer asks for by phone or letter (source 'customer-service', actor the
 * agent). Every view and change is audited; an agent sees only the companies their roles cover.
 * The pages are in src/web/pages/consent/.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { App } from '../../app.ts';
import { collectionRefusal } from '../../core/consent/collection.ts';
import { DIRECT_MARKETING } from '../../core/consent/rules.ts';
import { type IdentityInput, identitiesFrom, identityInputOf } from '../../core/consent/identity.ts';
import { forbidden, notFound, OmbudError } from '../../core/errors.ts';
import type { Html } from '../../core/html.ts';
import { can } from '../../core/policies/permissions.ts';
import { decide, visibleTo } from '../../core/policies/policy.ts';
import { consentSubjectPolicy } from '../../core/policies/resources.ts';
import type { RegisterIndex } from '../../core/register/register-index.ts';
import { t } from '../../core/register/schema.ts';
import { recordAudit } from '../../services/audit/auditLog.ts';
import { eventsOfSubject } from '../../services/consent/consentHistory.ts';
import { consentRates } from '../../services/consent/consentRates.ts';
import { consentKeys } from '../../services/consent/keys.ts';
import { preferencesOf } from '../../services/consent/preferences.ts';
import type { recordConsentEvent } from '../../services/consent/recordConsentEvent.ts';
import { DESK_SOURCE, recordOnBehalf } from '../../services/consent/recordOnBehalf.ts';
import { findSubject, identitiesOf, subjectById, subjectFor } from '../../services/consent/subjects.ts';
import { groupOf } from '../../services/register/group.ts';
import { consentDeskPage, lookupRefused, noSuchCustomer } from '../../web/pages/consent/consentDesk.ts';
import {
  type ConsentSubjectData,
  changeRefused,
  consentSubjectPage,
} from '../../web/pages/consent/consentSubject.ts';
import { DESK_IDENTITY_KINDS } from '../../web/pages/consent/identityKinds.ts';
import { consentWords } from '../../web/pages/consent/words.ts';
import { consoleLanguage } from '../../web/i18n/catalogue.ts';
import { callerOf, principalActor } from '../actor.ts';
import { sendPage } from '../pages.ts';
import type { RouteServer } from '../routeServer.ts';
import type { BackgroundWork } from '../../workers.ts';

/** The opt-in and opt-out figures on the desk cover this many weeks, the current one included. */
export const RATE_WEEKS = 8;

const subjectParams = z.object({ subjectId: z.uuid('a data subject id (UUID)') });

/** What the desk's routes share: the current register's index and the consent keys. */
function deskContext(app: App) {
  const register = async () => {
    const r = await app.registers.get();
    if (!r) throw notFound('register', 'current');
    return r.index;
  };
  const keys = () => consentKeys(app.db, app.config.secret, app.config.secretKeys);
  /** The companies the signed-in person may read consent at. */
  const readable = async (req: FastifyRequest) =>
    (await register()).register.organizations.filter((o) => can(req.principal!, 'consent:read', o.id));
  const sendDesk = async (req: FastifyRequest, reply: FastifyReply, message?: Html, status = 200) =>
    sendPage(
      reply,
      String(consentDeskPage({ companies: await readable(req), message, rates: await rates(req) })),
      { status, private: true },
    );
  /** Opt-in and opt-out over the last RATE_WEEKS weeks of the app's clock (from a Monday). */
  const rates = async (req: FastifyRequest) => {
    const to = app.now();
    const from = new Date(`${to.toISOString().slice(0, 10)}T00:00:00Z`);
    from.setUTCDate(from.getUTCDate() - ((from.getUTCDay() + 6) % 7) - 7 * (RATE_WEEKS - 1));
    const index = await register();
    const purposeName = (id: string) => {
      const p = index.purposes.get(id);
      return p
        ? t(p.name, consoleLanguage())
        : id === DIRECT_MARKETING
          ? consentWords().allDirectMarketing
          : id;
    };
    const rows = await consentRates(app.db, callerOf(req), { from, to });
    return { from: from.toISOString().slice(0, 10), to: to.toISOString().slice(0, 10), rows, purposeName };
  };
  return { register, keys, readable, sendDesk };
}
type DeskContext = ReturnType<typeof deskContext>;

export async function consentConsoleRoutes(server: RouteServer, app: App, workers: BackgroundWork) {
  const desk = deskContext(app);
  findRoutes(server, app, desk);
  subjectRoutes(server, app, workers, desk);
}

/** The desk and the look-up. */
function findRoutes(server: RouteServer, app: App, desk: DeskContext) {
  server.get(
    '/console/consent',
    { config: { permission: 'consent:read' }, schema: { hide: true } },
    async (req, reply) => desk.sendDesk(req, reply),
  );

  server.post(
    '/console/consent/find',
    {
      config: { permission: 'consent:read' },
      schema: {
        hide: true,
        body: z.object({
          company: z.string().max(64),
          kind: z.enum(DESK_IDENTITY_KINDS),
          value: z.string().max(320),
        }),
      },
    },
    async (req, reply) => {
      const b = req.body;
      const index = await desk.register();
      const one = b.company === 'all' ? undefined : index.organization(b.company);
      if (b.company !== 'all' && !one) throw notFound('organization', b.company);
      const orgs = one ? [one] : await desk.readable(req);
      for (const o of orgs) if (!can(req.principal!, 'consent:read', o.id)) throw forbidden();
      let subject: Awaited<ReturnType<typeof findSubject>>;
      try {
        const identity: IdentityInput = { [b.kind]: b.value };
        const k = await desk.keys();
        for (const o of orgs) {
          subject = await findSubject(app.db, k, o.id, identitiesFrom(identity, o.country));
          if (subject) break;
        }
      } catch (err) {
        if (!(err instanceof OmbudError)) throw err;
        return desk.sendDesk(req, reply, lookupRefused(err), 422);
      }
      for (const o of orgs)
        await recordAudit(app.db, {
          actor: principalActor(req),
          orgId: o.id,
          action: 'consent.subject.find',
          target: subject?.orgId === o.id ? `subject:${subject.id}` : 'subject:none',
          details: { kind: b.kind, found: subject?.orgId === o.id },
        });
      if (!subject) {
        const whose = one ? one.legalName : consentWords().companiesYouSee;
        return desk.sendDesk(req, reply, noSuchCustomer(whose, b.kind), 404);
      }
      return reply.redirect(`/console/consent/subjects/${subject.id}`, 303);
    },
  );
}

/**
 * What the subject page shows: the same person at the group's companies the agent may see, each with its
 * settings and its history (each history read is audited).
 */
async function subjectView(
  app: App,
  desk: DeskContext,
  req: FastifyRequest,
  subjectId: string,
): Promise<ConsentSubjectData> {
  const caller = callerOf(req);
  const group = await groupOf(app.registers);
  await subjectFor(app.db, caller, group, subjectId, 'read');
  const index = await desk.register();
  const visible = visibleTo(caller.principal, consentSubjectPolicy, group);
  const asRow = (c: { orgId: string; items: { subjectId: string }[] }) => ({
    id: c.items[0]?.subjectId ?? '',
    orgId: c.orgId,
  });
  const preferences = await preferencesOf(app.db, await desk.keys(), index, subjectId, consoleLanguage());
  const shown = preferences.filter((c) => c.items.length > 0 && visible(asRow(c)));
  const companies = await Promise.all(
    shown.map(async (c) => {
      const sid = c.items[0]!.subjectId;
      const s = await subjectById(app.db, sid);
      const mayWrite =
        decide(caller.principal, consentSubjectPolicy, 'write', { id: '', orgId: c.orgId }, group) ===
        'allow';
      const events = await eventsOfSubject(app.db, sid);
      const items = c.items.map((i) => ({ ...i, refusal: deskRefusal(index, i.purposeId) }));
      return { ...c, items, subjectId: sid, restricted: s?.restricted ?? false, mayWrite, events };
    }),
  );
  for (const c of companies)
    await recordAudit(app.db, {
      actor: principalActor(req),
      orgId: c.orgId,
      action: 'consent.history.read',
      target: `subject:${c.subjectId}`,
      details: { events: c.events.length, via: 'console' },
    });
  const purposeName = (id: string) => {
    const p = index.purposes.get(id);
    return p ? t(p.name, consoleLanguage()) : id;
  };
  return {
    subjectId,
    identities: await identitiesOf(app.db, await desk.keys(), subjectId),
    companies,
    purposeName,
  };
}

/** Why customer service may not record consent to this purpose (the register's one sentence), if so. */
function deskRefusal(index: RegisterIndex, purposeId: string): string | undefined {
  const p = index.purposes.get(purposeId);
  const r = p && collectionRefusal(p, DESK_SOURCE);
  return (
    r &&
    consentWords().refusal(
      t(p.name, consoleLanguage()),
      r.source,
      r.sources.join(', '),
      r.channels.join(', '),
    )
  );
}

/** One customer's page, and a change recorded on their behalf. */
function subjectRoutes(server: RouteServer, app: App, workers: BackgroundWork, desk: DeskContext) {
  const sendSubject = async (
    req: FastifyRequest,
    reply: FastifyReply,
    subjectId: string,
    message?: Html,
    status = 200,
  ) => {
    const data = await subjectView(app, desk, req, subjectId);
    return sendPage(reply, String(consentSubjectPage({ ...data, message })), { status, private: true });
  };

  server.get(
    '/console/consent/subjects/:subjectId',
    { config: { permission: 'consent:read' }, schema: { hide: true, params: subjectParams } },
    async (req, reply) => sendSubject(req, reply, req.params.subjectId),
  );

  server.post(
    '/console/consent/subjects/:subjectId/events',
    {
      config: { permission: 'consent:write' },
      schema: {
        hide: true,
        params: subjectParams,
        body: z.object({
          purpose: z.string().max(64),
          channel: z.string().max(32),
          kind: z.enum(['grant', 'withdraw', 'object', 'lift-objection']),
          wording: z.string().max(2000).optional(),
        }),
      },
    },
    async (req, reply) => {
      const { subjectId } = req.params;
      const b = req.body;
      const group = await groupOf(app.registers);
      const subject = await subjectFor(app.db, callerOf(req), group, subjectId, 'write');
      const identity = identityInputOf(await identitiesOf(app.db, await desk.keys(), subjectId));
      let event: Awaited<ReturnType<typeof recordConsentEvent>>['event'];
      try {
        ({ event } = await recordOnBehalf(
          app.db,
          principalActor(req),
          await desk.keys(),
          await desk.register(),
          {
            orgId: subject.orgId,
            identity,
            purposeId: b.purpose,
            channel: b.channel,
            kind: b.kind,
            wording: b.wording,
          },
          app.now(),
        ));
      } catch (err) {
        if (!(err instanceof OmbudError)) throw err;
        return sendSubject(req, reply, subjectId, changeRefused(err), 422);
      }
      await workers.consentChanged?.(event);
      return reply.redirect(`/console/consent/subjects/${subjectId}`, 303);
    },
  );
}
