/**
 * The request desk's web pages: the customer's side in the privacy center (/privacy/requests/…) and
 * the agents' side in the console (/console/requests, /console/outbox). The routes read the input, call
 * the services with the caller and choose the page; the pages are in src/web/pages/requests/.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { App } from '../../app.ts';
import { OmbudError } from '../../core/errors.ts';
import type { Html } from '../../core/html.ts';
import { can, type Principal } from '../../core/policies/permissions.ts';
import { allowedInAll, type Caller, decide, listScope } from '../../core/policies/policy.ts';
import { requestPolicy } from '../../core/policies/resources.ts';
import { pickLang, REQUEST_PAGE_STRINGS } from '../../core/privacy-center/strings.ts';
import { LANGUAGES, type Language, t } from '../../core/register/schema.ts';
import { REQUEST_STATES, REQUEST_TYPES } from '../../core/requests/workflow.ts';
import { recordAudit } from '../../services/audit/auditLog.ts';
import { getFulfilmentStatus } from '../../services/fulfilment/runFulfilment.ts';
import { listCaught } from '../../services/mail/catcher.ts';
import { listOutbox } from '../../services/mail/outbox.ts';
import { groupOf } from '../../services/register/group.ts';
import { getFee } from '../../services/requests/chargeFee.ts';
import { GROUP_PARTLY_FORBIDDEN } from '../../services/requests/decideGroup.ts';
import { fulfilmentTypeOf } from '../../services/requests/fulfilRequest.ts';
import {
  decodeCursor,
  deskStats,
  encodeCursor,
  queuePage as queueRows,
  queueStatus,
} from '../../services/requests/listRequests.ts';
import {
  getSubmission,
  submissionKeys,
  referenceOf,
  requestFor,
  requestsOfSubmission,
  systemCaller,
  timeline,
} from '../../services/requests/store.ts';
import { submitRequest } from '../../services/requests/submitRequest.ts';
import { verifyByCode, verifyManually } from '../../services/requests/verifyRequest.ts';
import { errorAlert, problemAlert } from '../../web/components/errorAlert.ts';
import { codePage } from '../../web/pages/requests/codePage.ts';
import { confirmationPage } from '../../web/pages/requests/confirmationPage.ts';
import { correctableCategories } from '../../core/fulfilment/rectification.ts';
import type { Delivery } from '../../web/pages/requests/fulfilmentCard.ts';
import { inboxPage, outboxPage } from '../../web/pages/requests/mailPages.ts';
import { manualRequestPage } from '../../web/pages/requests/manualRequestPage.ts';
import { publicRequestFormPage } from '../../web/pages/requests/publicRequestForm.ts';
import { queuePage } from '../../web/pages/requests/queuePage.ts';
import type { GroupChild } from '../../web/pages/requests/groupDecisionCard.ts';
import { requestDetailPage } from '../../web/pages/requests/requestDetailPage.ts';
import { callerOf } from '../actor.ts';
import { nameRefs } from '../../services/audit/names.ts';
import { sendPage } from '../pages.ts';
import { formAction } from '../requestActions.ts';
import { submissionLimiter, verificationLimiter } from '../requestLimits.ts';
import type { RouteServer } from '../routeServer.ts';
import type { BackgroundWork } from '../../workers.ts';

const sendHtml = (reply: FastifyReply, page: Html, status = 200) => sendPage(reply, page.value, { status });

/** A typed error as the alert above a console form (the staff see what and where); else not a form error. */
const deskFormError = (err: unknown): Html | undefined =>
  err instanceof OmbudError ? problemAlert(err) : undefined;

/**
 * A typed error as the alert above the public form or the code page, in the customer's words and
 * language (never a field path or a validator's text); anything else is not a form error.
 */
const formError = (err: unknown, lang: Language): Html | undefined => {
  if (!(err instanceof OmbudError)) return undefined;
  const s = REQUEST_PAGE_STRINGS[lang];
  // A limit says which one and how long to wait (src/http/requestLimits.ts), written for the customer.
  if (err.kind === 'rate-limited') return problemAlert(err);
  return errorAlert(err.code === 'verification-failed' ? s.wrongCode : s.notAccepted);
};

const statusOf = (err: unknown) => (err instanceof OmbudError && err.kind === 'rate-limited' ? 429 : 422);

/** Access errors are not form errors: "not found" and "forbidden" go to the edge as they are (404, 403). */
const isAccessError = (err: unknown) =>
  err instanceof OmbudError && (err.kind === 'not-found' || err.kind === 'forbidden');

const langOf = (req: FastifyRequest, asked?: Language) =>
  asked ?? pickLang(req.headers['accept-language'], 'en');

const idParams = z.object({ id: z.uuid() });

/** Requests on one page of the desk's queue. */
export const DESK_PAGE_SIZE = 50;

export async function requestPageRoutes(server: RouteServer, app: App, workers: BackgroundWork) {
  await publicRequestPages(server, app, workers);
  await deskPages(server, app, workers);
  await manualEntryPages(server, app, workers);
  await mailPages(server, app);
}

// -------------------------------------------------------------------------------------------------
// The customer's side

/** The public request form for a language, with the group's companies when a register is applied. */
async function publicForm(app: App, lang: Language, error?: Html, company?: string): Promise<Html> {
  const r = await app.registers.get();
  const group = r && { name: r.index.register.group.name, organizations: r.index.register.organizations };
  return publicRequestFormPage({ lang, group: group || undefined, company, error });
}

const formQuery = z.object({
  lang: z.enum(LANGUAGES).optional(),
  company: z
    .string()
    .regex(/^[a-z0-9-]{1,64}$/)
    .optional(),
});

const formBody = z.object({
  company: z.string().max(64),
  type: z.string().max(32),
  email: z.string().max(320),
  name: z.string().max(200).optional(),
  details: z.string().max(5000).optional(),
  lang: z.enum(LANGUAGES).default('en'),
});

const codeBody = z.object({
  s: z.string().max(64),
  code: z.string().max(20),
  lang: z.enum(LANGUAGES).optional(),
});

async function publicRequestPages(server: RouteServer, app: App, workers: BackgroundWork) {
  const limitSubmit = submissionLimiter(server, app);
  const limitVerify = verificationLimiter(server, app);

  server.get(
    '/privacy/requests/new',
    {
      config: { permission: 'public' },
      schema: { hide: true, querystring: formQuery },
    },
    async (req, reply) => {
      const lang = langOf(req, req.query.lang);
      reply.header('content-language', lang);
      return sendHtml(reply, await publicForm(app, lang, undefined, req.query.company));
    },
  );

  server.post(
    '/privacy/requests',
    {
      config: { permission: 'public' },
      schema: { hide: true, body: formBody },
    },
    async (req, reply) => {
      const b = req.body;
      const s = REQUEST_PAGE_STRINGS[b.lang];
      const email = z.email().safeParse(b.email.trim());
      const type = z.enum(REQUEST_TYPES).safeParse(b.type);
      if (!email.success || !type.success) {
        const alert = errorAlert(
          `${!email.success ? `${s.badEmail} ` : ''}${!type.success ? s.badType : ''}`,
        );
        return sendHtml(reply, await publicForm(app, b.lang, alert, b.company), 422);
      }
      try {
        await limitSubmit(req, reply);
        // The public form: anyone may ask any company of the group.
        const res = await submitRequest(app, systemCaller({ kind: 'data-subject', id: 'web-form' }), {
          channel: 'web',
          scope: b.company,
          type: type.data,
          email: email.data,
          name: b.name,
          details: b.details,
          lang: b.lang,
          sendCode: true,
        });
        // The same answer whether or not we know the address: a page asking for the code.
        return reply.redirect(`/privacy/requests/verify?s=${res.submissionId}&lang=${b.lang}`, 303);
      } catch (err) {
        const e = formError(err, b.lang);
        if (!e) throw err;
        return sendHtml(reply, await publicForm(app, b.lang, e, b.company), statusOf(err));
      }
    },
  );

  server.get(
    '/privacy/requests/verify',
    {
      config: { permission: 'public' },
      schema: {
        hide: true,
        querystring: z.object({ s: z.string().max(64), lang: z.enum(LANGUAGES).optional() }),
      },
    },
    async (req, reply) =>
      sendHtml(reply, codePage({ submissionId: req.query.s, lang: langOf(req, req.query.lang) })),
  );

  server.post(
    '/privacy/requests/verify',
    {
      config: { permission: 'public' },
      schema: { hide: true, body: codeBody },
    },
    async (req, reply) => {
      const b = req.body;
      try {
        await limitVerify(req, reply);
        await verifyByCode(app, workers, b.s, b.code);
      } catch (err) {
        const lang = langOf(req, b.lang);
        const error = formError(err, lang);
        if (!error) throw err;
        const page = codePage({ submissionId: b.s, lang, error });
        return sendHtml(reply, page, statusOf(err));
      }
      const sub = await getSubmission(app.db, b.s, await submissionKeys(app));
      const requests = await requestsOfSubmission(app.db, b.s);
      const r = await app.registers.get();
      return sendHtml(
        reply,
        confirmationPage({ lang: sub.lang, reference: referenceOf(sub.id), requests, index: r?.index }),
      );
    },
  );
}

// -------------------------------------------------------------------------------------------------
// The console's desk

/** Everything the request page shows; the request is read through requestPolicy first (404, 403). */
async function requestDetail(
  app: App,
  workers: BackgroundWork,
  caller: Caller,
  id: string,
  error?: Html,
): Promise<Html> {
  // Another company's request is "not found" (requestPolicy), before anything of it is read.
  const q = await requestFor(app, caller, id, 'read');
  const mayWrite =
    decide(caller.principal, requestPolicy, 'write', q, await groupOf(app.registers)) === 'allow';
  const r = await app.registers.get();
  const org = r?.index.organization(q.org_id);
  await recordAudit(app.db, {
    actor: caller.actor,
    orgId: q.org_id,
    action: 'request.read',
    target: `request:${id}`,
    at: app.now(),
  });
  const fType = q.scope.group ? undefined : fulfilmentTypeOf(q.type);
  const deliveries = await app.db.query<Delivery>(
    'SELECT id, filename, expires_at, downloads FROM dsr_deliveries WHERE request_id = $1 AND deleted_at IS NULL ORDER BY created_at',
    [id],
  );
  const events = await timeline(app.db, id);
  return requestDetailPage({
    names: await nameRefs(
      app.db,
      events.map((e) => e.actor),
    ),
    reference: referenceOf(q.submission_id),
    request: q,
    submission: await getSubmission(app.db, q.submission_id, await submissionKeys(app)),
    events,
    status: queueStatus(q, app.now(), org?.timeZone ?? 'Europe/Stockholm'),
    fee: await getFee(app.db, id),
    index: r?.index,
    mayWrite,
    companies: requestPolicy.companiesOf(q, { orgIds: [] }),
    fulfilment: fType && {
      type: fType,
      run: await getFulfilmentStatus(app.db, id),
      deliveries,
      running: !!workers.fulfilment && mayWrite,
      correctable: correctableCategories(workers.subjectSystems?.datasets ?? []).map((key) => ({
        value: key,
        label: r ? `${r.index.categoryLabel(key, 'en')} (${key})` : key,
      })),
    },
    children: q.state === 'split' ? await childrenOf(app, q.scope.linked ?? []) : undefined,
    error,
  });
}

/** A split group request's company requests: only the few columns its page shows. */
const childrenOf = (app: App, ids: string[]) =>
  app.db.query<GroupChild>(
    `SELECT id, org_id, state, due_date::text AS due_date FROM dsr_requests WHERE id = ANY($1::uuid[]) ORDER BY org_id`,
    [ids],
  );

/** How long the desk's figures are reused: they count every request, the queue shows only a page. */
const FIGURES_TTL_MS = 30_000;

/** The desk's figures per scope and company, counted at most once per FIGURES_TTL_MS (the app's clock). */
function figuresCache(app: App) {
  const cache = new Map<string, { at: number; stats: Awaited<ReturnType<typeof deskStats>> }>();
  return async (scope: 'all' | readonly string[], orgId?: string) => {
    const key = JSON.stringify([scope, orgId ?? null]);
    const now = app.now().getTime();
    const hit = cache.get(key);
    if (hit && now - hit.at < FIGURES_TTL_MS) return hit.stats;
    const stats = await deskStats(app, scope, orgId);
    if (cache.size > 1000) cache.clear();
    cache.set(key, { at: now, stats });
    return stats;
  };
}

async function deskPages(server: RouteServer, app: App, workers: BackgroundWork) {
  const figures = figuresCache(app);
  server.get(
    '/console/requests',
    {
      config: { permission: 'requests:read' },
      schema: {
        hide: true,
        querystring: z.object({
          company: z.string().max(64).optional(),
          type: z.enum(REQUEST_TYPES).or(z.literal('')).optional(),
          state: z.enum(REQUEST_STATES).or(z.literal('')).optional(),
          after: z.string().max(300).optional(),
        }),
      },
    },
    async (req, reply) => {
      const q = req.query;
      const r = await app.registers.get();
      // Only the companies where the caller may read requests: in the list, the charts and the filter.
      const scope = listScope(callerOf(req).principal, 'requests:read');
      const organizations = (r?.index.register.organizations ?? []).filter(
        (o) => scope === 'all' || scope.includes(o.id),
      );
      const filter = {
        orgId: q.company || undefined,
        type: q.type || undefined,
        state: q.state || undefined,
      };
      // Keyset paging: a page reads only its rows, however deep; a cursor that is not ours is the first page.
      const after = decodeCursor(q.after);
      const page = await queueRows(app, scope, filter, { after, size: DESK_PAGE_SIZE });
      const stats = await figures(scope, q.company || undefined);
      const { after: _a, ...filters } = q;
      return sendHtml(
        reply,
        queuePage({
          filters,
          organizations,
          rows: page.rows,
          stats,
          index: r?.index,
          next: page.next && encodeCursor(page.next),
          paged: !!after,
        }),
      );
    },
  );

  server.get(
    '/console/requests/:id',
    { config: { permission: 'requests:read' }, schema: { hide: true, params: idParams } },
    async (req, reply) => sendHtml(reply, await requestDetail(app, workers, callerOf(req), req.params.id)),
  );

  server.post(
    '/console/requests/:id/action',
    {
      config: { permission: 'requests:write' },
      schema: { hide: true, params: idParams, body: z.record(z.string(), z.string().max(5000)) },
    },
    async (req, reply) => {
      const id = req.params.id;
      const b = req.body;
      // Each service asks requestPolicy first: another company's request is 404, a read-only one 403.
      const caller = callerOf(req);
      try {
        const action = formAction(b.action);
        if (!action)
          throw new OmbudError(
            'validation',
            'unknown-action',
            `Unknown action '${String(b.action).slice(0, 40)}'.`,
          );
        await action.runForm(app, caller, id, b, workers);
      } catch (err) {
        // A group decision refused for want of rights in some companies names them above the form.
        const partly = err instanceof OmbudError && err.code === GROUP_PARTLY_FORBIDDEN;
        const e = isAccessError(err) && !partly ? undefined : deskFormError(err);
        if (!e) throw err;
        const status = partly ? 403 : err instanceof OmbudError && err.kind === 'validation' ? 422 : 409;
        return sendHtml(reply, await requestDetail(app, workers, caller, id, e), status);
      }
      return reply.redirect(`/console/requests/${id}`, 303);
    },
  );
}

/** The manual-entry form offers only the companies where the caller may file (requests:write). */
async function manualForm(app: App, p: Principal, error?: Html): Promise<Html> {
  const r = await app.registers.get();
  return manualRequestPage({
    organizations: (r?.index.register.organizations ?? []).filter((o) => can(p, 'requests:write', o.id)),
    wholeGroup: allowedInAll(p, 'requests:write', (await groupOf(app.registers)).orgIds),
    purposes: (r?.index.register.purposes ?? []).map((x) => ({ id: x.id, name: t(x.name, 'en') })),
    error,
  });
}

const manualBody = z.object({
  company: z.string().max(64),
  type: z.string().max(32),
  purposeId: z.string().max(64).optional(),
  email: z.string().max(320),
  receivedAt: z.string().max(40).optional(),
  lang: z.enum(LANGUAGES).default('en'),
  details: z.string().max(5000).optional(),
  idCheck: z.string().max(500).optional(),
});

/** The manual form's fields checked: a 422 naming each bad field, as the API's schema would. */
function readManualForm(b: z.output<typeof manualBody>) {
  const email = z.email().safeParse((b.email ?? '').trim());
  const type = z.enum(REQUEST_TYPES).safeParse(b.type);
  const receivedAt = b.receivedAt
    ? new Date(b.receivedAt.length === 16 ? `${b.receivedAt}:00` : b.receivedAt)
    : undefined;
  const badDate = !!receivedAt && Number.isNaN(receivedAt.getTime());
  if (!email.success || !type.success || badDate)
    throw new OmbudError('validation', 'invalid-request', 'Check the form.', {
      issues: [
        ...(!email.success ? [{ path: ['email'], message: 'enter a valid e-mail address' }] : []),
        ...(!type.success ? [{ path: ['type'], message: 'choose a request type' }] : []),
        ...(badDate
          ? [{ path: ['receivedAt'], message: 'enter a date and time, e.g. 2026-03-02T09:30' }]
          : []),
      ],
    });
  return { email: email.data, type: type.data, receivedAt };
}

async function manualEntryPages(server: RouteServer, app: App, workers: BackgroundWork) {
  server.get(
    '/console/requests/new',
    { config: { permission: 'requests:write' }, schema: { hide: true } },
    async (req, reply) => sendHtml(reply, await manualForm(app, callerOf(req).principal)),
  );

  server.post(
    '/console/requests/new',
    { config: { permission: 'requests:write' }, schema: { hide: true, body: manualBody } },
    async (req, reply) => {
      const b = req.body;
      const caller = callerOf(req);
      try {
        const { email, type, receivedAt } = readManualForm(b);
        // Filing for a company needs requests:write there (for 'group': everywhere): 403 otherwise.
        const res = await submitRequest(app, caller, {
          channel: 'console',
          scope: b.company,
          type,
          email,
          lang: b.lang,
          details: b.details,
          purposeId: b.purposeId || undefined,
          receivedAt,
          sendCode: !b.idCheck?.trim(),
        });
        if (b.idCheck?.trim()) await verifyManually(app, workers, caller, res.requestIds[0]!, b.idCheck);
        return reply.redirect(`/console/requests/${res.requestIds[0]}`, 303);
      } catch (err) {
        const e = isAccessError(err) ? undefined : deskFormError(err);
        if (!e) throw err;
        return sendHtml(reply, await manualForm(app, caller.principal, e), 422);
      }
    },
  );
}

// -------------------------------------------------------------------------------------------------
// The console's mail

async function mailPages(server: RouteServer, app: App) {
  server.get(
    '/console/outbox',
    { config: { permission: 'requests:read' }, schema: { hide: true } },
    async (req, reply) => {
      // Only the mail of the caller's companies; the group's mail (no company) only to those of every company.
      const caller = callerOf(req);
      const scope = listScope(caller.principal, 'requests:read');
      const rows = await listOutbox(app.db, scope, await groupOf(app.registers));
      const details = { rows: rows.length };
      await recordAudit(app.db, { actor: caller.actor, action: 'outbox.read', details, at: app.now() });
      return sendHtml(reply, outboxPage({ rows, smtp: !!app.config.smtpUrl }));
    },
  );

  server.get(
    '/console/inbox',
    { config: { permission: 'requests:read' }, schema: { hide: true } },
    async (req, reply) => {
      const caller = callerOf(req);
      const scope = listScope(caller.principal, 'requests:read');
      const rows = await listCaught(app.db, scope, await groupOf(app.registers));
      const details = { rows: rows.length };
      await recordAudit(app.db, { actor: caller.actor, action: 'mail-catcher.read', details, at: app.now() });
      return sendHtml(reply, inboxPage({ rows, smtp: !!app.config.smtpUrl }));
    },
  );
}
