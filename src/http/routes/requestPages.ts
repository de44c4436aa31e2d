/**
 * The request desk's web pages: the customer's side in the privacy center (/privacy/requests/…) and
 * the agents' side in the console (/console/requests, /console/outbox). Server-rendered HTML.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RouteServer } from '../routeServer.ts';
import { pickLang, REQUEST_PAGE_STRINGS } from '../../core/privacy-center/strings.ts';
import { z } from 'zod';
import type { App } from '../../app.ts';
import type { BackgroundWork } from '../../workers.ts';
import { OmbudError } from '../../core/errors.ts';
import { can, type Principal } from '../../core/policies/permissions.ts';
import { allowedInAll, type Caller, decide, listScope } from '../../core/policies/policy.ts';
import { requestPolicy } from '../../core/policies/resources.ts';
import { type Html, html, raw } from '../../core/html.ts';
import type { RegisterIndex } from '../../core/register/register-index.ts';
import { LANGUAGES, type Language, t } from '../../core/register/schema.ts';
import { typeName } from '../../core/requests/mail-templates.ts';
import { isOpen, REFUSAL_GROUNDS, REQUEST_STATES, REQUEST_TYPES } from '../../core/requests/workflow.ts';
import { recordAudit } from '../../services/audit/auditLog.ts';
import { defaultCurrency, formatFee } from '../../core/requests/fees.ts';
import { getFee } from '../../services/requests/chargeFee.ts';
import { listCaught } from '../../services/mail/catcher.ts';
import { listOutbox } from '../../services/mail/outbox.ts';
import { getFulfilmentStatus } from '../../services/fulfilment/runFulfilment.ts';
import { fulfilmentTypeOf } from '../../services/requests/fulfilRequest.ts';
import { deskStats, listRequests, queueStatus } from '../../services/requests/listRequests.ts';
import {
  getSubmission,
  referenceOf,
  type RequestRow,
  requestFor,
  requestsOfSubmission,
  systemCaller,
  timeline,
} from '../../services/requests/store.ts';
import { groupOf } from '../../services/register/group.ts';
import { submitRequest } from '../../services/requests/submitRequest.ts';
import { verifyByCode, verifyManually } from '../../services/requests/verifyRequest.ts';
import { barChartSvg, gaugeSvg } from '../../web/charts.ts';
import { consolePage, publicPage } from '../../web/layout.ts';
import { sendPage } from '../pages.ts';
import { callerOf } from '../actor.ts';
import { formAction } from '../requestActions.ts';
import { submissionLimiter, verificationLimiter } from '../requestLimits.ts';

const DESK_CSS = `.due-overdue{background:#fce8e6;color:#8c1d18;font-weight:600}.due-due-soon{background:#fef7e0;color:#7a4d00;font-weight:600}
.due-on-track{color:#1d6b3a}.timeline li{margin:.3rem 0}.actions form{border-top:1px solid #eceff3;padding:.6rem 0}.actions form button{display:block;margin-top:.4rem}
.filters{display:flex;gap:.6rem;align-items:end;flex-wrap:wrap}.filters label{margin:0}.charts{display:flex;gap:1.2rem;flex-wrap:wrap;align-items:flex-start}
form.stack input,form.stack select,form.stack textarea{width:100%;max-width:32rem}
.table-scroll{overflow-x:auto}#queue td:first-child{white-space:nowrap}.table-scroll td.nowrap,.table-scroll .nowrap{white-space:nowrap}
.actions input,.actions select,.actions textarea{width:100%;max-width:100%;box-sizing:border-box}
.actions details{border-top:1px solid #eceff3;padding:.6rem 0}.actions details summary{cursor:pointer;font-weight:600;color:#1a56c4}
.actions details form:first-of-type{border-top:0}button.danger{background:#b3261e;border-color:#b3261e;color:#fff}
.mail-body{white-space:pre-wrap;overflow-wrap:anywhere;background:#f6f8fb;padding:.8rem;border-radius:6px;font-size:.9rem}
.mail h2{font-size:1.05rem;margin:0 0 .3rem}
@media (max-width:700px){.hide-narrow{display:none}}`;

const STATUS_LABEL: Record<string, string> = {
  overdue: 'overdue',
  'due-soon': 'due soon',
  'on-track': 'on track',
  closed: 'closed',
  'awaiting-payment': 'waiting for the fee',
};

const sendHtml = (reply: FastifyReply, body: string, status = 200) => sendPage(reply, body, { status });

const formError = (err: unknown): Html | undefined =>
  err instanceof OmbudError
    ? html`<div class="error" role="alert"><strong>${err.message}</strong>${err.issues.map((i) => html`<br>${i.path.join('.')}: ${i.message}${i.hint ? ` — ${i.hint}` : ''}`)}${err.hint ? html`<br>${err.hint}` : ''}</div>`
    : undefined;

const LANGUAGE_NAMES: Record<Language, string> = { en: 'English', sv: 'Svenska', nb: 'Norsk bokmål' };
const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

const statusOf = (err: unknown) => (err instanceof OmbudError && err.kind === 'rate-limited' ? 429 : 422);

/** Access errors are not form errors: "not found" and "forbidden" go to the edge as they are (404, 403). */
const isAccessError = (err: unknown) =>
  err instanceof OmbudError && (err.kind === 'not-found' || err.kind === 'forbidden');

export async function requestPageRoutes(server: RouteServer, app: App, workers: BackgroundWork) {
  // -------------------------------------------------------------------------------------------
  // The customer's side
  const limitSubmit = submissionLimiter(server, app);
  const limitVerify = verificationLimiter(server, app);

  const langOf = (req: FastifyRequest, asked?: Language) =>
    asked ?? pickLang(req.headers['accept-language'], 'en');

  const newForm = async (lang: Language, error?: Html, company?: string) => {
    const r = await app.registers.get();
    const orgs = r?.index.register.organizations ?? [];
    const s = REQUEST_PAGE_STRINGS[lang];
    const selected = (v: string) => raw(v === company ? ' selected' : '');
    return publicPage({
      title: s.title,
      lang,
      body: html`<nav class="langs" aria-label="Language">${LANGUAGES.map((l) =>
        l === lang
          ? html`<strong>${LANGUAGE_NAMES[l]}</strong> `
          : html`<a href="/privacy/requests/new?lang=${l}${company ? `&company=${company}` : ''}" hreflang="${l}">${LANGUAGE_NAMES[l]}</a> `,
      )}</nav><h1>${s.title}</h1>${error ?? ''}
<div class="card"><p>${s.intro}</p>
<form class="stack" method="post" action="/privacy/requests">
<label for="company">${s.company}</label><select id="company" name="company" required>
<option value="group"${selected('group')}>${s.allCompanies}${r ? ` (${r.index.register.group.name})` : ''}</option>
${orgs.map((o) => html`<option value="${o.id}"${selected(o.id)}>${o.legalName}</option>`)}</select>
<label for="type">${s.type}</label><select id="type" name="type" required>
${REQUEST_TYPES.map((ty) => html`<option value="${ty}">${capitalise(typeName(ty, lang))}</option>`)}</select>
<label for="email">${s.email}</label><input id="email" name="email" type="email" required autocomplete="email">
<label for="name">${s.name}</label><input id="name" name="name" autocomplete="name">
<label for="details">${s.details}</label><textarea id="details" name="details" rows="4"></textarea>
<label for="lang">${s.lang}</label><select id="lang" name="lang">${LANGUAGES.map((l) => html`<option value="${l}"${raw(l === lang ? ' selected' : '')}>${LANGUAGE_NAMES[l]}</option>`)}</select>
<p><button type="submit">${s.send}</button></p></form></div>`,
      css: DESK_CSS,
    });
  };

  server.get(
    '/privacy/requests/new',
    {
      config: { permission: 'public' },
      schema: {
        hide: true,
        querystring: z.object({
          lang: z.enum(LANGUAGES).optional(),
          company: z
            .string()
            .regex(/^[a-z0-9-]{1,64}$/)
            .optional(),
        }),
      },
    },
    async (req, reply) => {
      const q = req.query;
      const lang = langOf(req, q.lang);
      return reply
        .header('content-language', lang)
        .type('text/html')
        .send(await newForm(lang, undefined, q.company));
    },
  );

  server.post(
    '/privacy/requests',
    {
      config: { permission: 'public' },
      schema: {
        hide: true,
        body: z.object({
          company: z.string().max(64),
          type: z.string().max(32),
          email: z.string().max(320),
          name: z.string().max(200).optional(),
          details: z.string().max(5000).optional(),
          lang: z.enum(LANGUAGES).default('en'),
        }),
      },
    },
    async (req, reply) => {
      const b = req.body;
      const email = z.email().safeParse(b.email.trim());
      const type = z.enum(REQUEST_TYPES).safeParse(b.type);
      if (!email.success || !type.success)
        return sendHtml(
          reply,
          await newForm(
            b.lang,
            html`<div class="error" role="alert">${!email.success ? `${REQUEST_PAGE_STRINGS[b.lang].badEmail} ` : ''}${!type.success ? REQUEST_PAGE_STRINGS[b.lang].badType : ''}</div>`,
            b.company,
          ),
          422,
        );
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
        const e = formError(err);
        if (!e) throw err;
        return sendHtml(reply, await newForm(b.lang, e, b.company), statusOf(err));
      }
    },
  );

  const verifyPage = (submissionId: string, lang: Language, error?: Html) => {
    const s = REQUEST_PAGE_STRINGS[lang];
    return publicPage({
      title: s.confirmTitle,
      lang,
      body: html`<h1>${s.confirmTitle}</h1>${error ?? ''}<div class="card">
<p>${s.confirmText}</p>
<form method="post" action="/privacy/requests/verify"><input type="hidden" name="s" value="${submissionId}"><input type="hidden" name="lang" value="${lang}">
<label for="code">${s.code}</label><input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" required>
<p><button type="submit">${s.confirm}</button></p></form></div>`,
      css: DESK_CSS,
    });
  };

  server.get(
    '/privacy/requests/verify',
    {
      config: { permission: 'public' },
      schema: {
        hide: true,
        querystring: z.object({ s: z.string().max(64), lang: z.enum(LANGUAGES).optional() }),
      },
    },
    async (req, reply) => {
      const q = req.query;
      return sendHtml(reply, verifyPage(q.s, langOf(req, q.lang)));
    },
  );

  server.post(
    '/privacy/requests/verify',
    {
      config: { permission: 'public' },
      schema: {
        hide: true,
        body: z.object({
          s: z.string().max(64),
          code: z.string().max(20),
          lang: z.enum(LANGUAGES).optional(),
        }),
      },
    },
    async (req, reply) => {
      const b = req.body;
      try {
        await limitVerify(req, reply);
        await verifyByCode(app, workers, b.s, b.code);
      } catch (err) {
        const e = formError(err);
        if (!e) throw err;
        return sendHtml(
          reply,
          verifyPage(b.s, langOf(req, b.lang), e),
          err instanceof OmbudError && err.kind === 'rate-limited' ? 429 : 422,
        );
      }
      const sub = await getSubmission(app.db, b.s);
      const reqs = await requestsOfSubmission(app.db, b.s);
      const r = await app.registers.get();
      const lang = sub.lang;
      return sendHtml(
        reply,
        publicPage({
          title: REQUEST_PAGE_STRINGS[lang].confirmedTitle,
          lang,
          body: html`<h1>${REQUEST_PAGE_STRINGS[lang].confirmedTitle}</h1><div class="card"><p>${REQUEST_PAGE_STRINGS[lang].yourReference} <strong>${referenceOf(sub.id)}</strong>. ${REQUEST_PAGE_STRINGS[lang].confirmationSent}</p>
<table class="data"><thead><tr><th>${REQUEST_PAGE_STRINGS[lang].headCompany}</th><th>${REQUEST_PAGE_STRINGS[lang].headRequest}</th><th>${REQUEST_PAGE_STRINGS[lang].headAnswerBy}</th><th>${REQUEST_PAGE_STRINGS[lang].headComplain}</th></tr></thead><tbody>
${reqs
  .filter((q) => q.state !== 'split')
  .map((q) => {
    const a = r?.index.authorityOf(q.org_id);
    const company = q.scope.group
      ? REQUEST_PAGE_STRINGS[lang].allOf(r?.index.register.group.name ?? '')
      : (r?.index.organization(q.org_id)?.legalName ?? q.org_id);
    return html`<tr><td>${company}</td><td>${typeName(q.type, lang)}</td><td>${q.state === 'completed' ? REQUEST_PAGE_STRINGS[lang].answered : q.due_date}</td><td>${a ? html`<a href="${a.web}">${t(a.name, lang)}</a>` : ''}</td></tr>`;
  })}</tbody></table></div>`,
          css: DESK_CSS,
        }),
      );
    },
  );

  // -------------------------------------------------------------------------------------------
  // The console's desk

  const page = (title: string, body: Html | Html[]) =>
    consolePage({ title, active: 'requests', body: html`<style>${raw(DESK_CSS)}</style>${body}` });

  const queueQuery = z.object({
    company: z.string().max(64).optional(),
    type: z.enum(REQUEST_TYPES).or(z.literal('')).optional(),
    state: z.enum(REQUEST_STATES).or(z.literal('')).optional(),
  });

  server.get(
    '/console/requests',
    { config: { permission: 'requests:read' }, schema: { hide: true, querystring: queueQuery } },
    async (req, reply) => {
      const q = req.query;
      const r = await app.registers.get();
      // Only the companies where the caller may read requests: in the list, the charts and the filter.
      const scope = listScope(callerOf(req).principal, 'requests:read');
      const orgs = (r?.index.register.organizations ?? []).filter(
        (o) => scope === 'all' || scope.includes(o.id),
      );
      const rows = await listRequests(app, scope, {
        orgId: q.company || undefined,
        type: q.type || undefined,
        state: q.state || undefined,
      });
      const stats = await deskStats(app, scope, q.company || undefined);
      const sel = (v: string | undefined, x: string) => raw(v === x ? ' selected' : '');
      const body = html`<h1>Requests</h1>
<p><a class="button" href="/console/requests/new">New request (letter, call, visit)</a> <a class="button secondary" href="/console/outbox">Outbox</a> <a class="button secondary" href="/console/inbox">Inbox (demo)</a></p>
<form class="card filters" method="get" action="/console/requests">
<div><label for="f-company">Company</label><select id="f-company" name="company"><option value="">All</option>${orgs.map((o) => html`<option value="${o.id}"${sel(q.company, o.id)}>${o.legalName}</option>`)}</select></div>
<div><label for="f-type">Type</label><select id="f-type" name="type"><option value="">All</option>${REQUEST_TYPES.map((x) => html`<option value="${x}"${sel(q.type, x)}>${x}</option>`)}</select></div>
<div><label for="f-state">State</label><select id="f-state" name="state"><option value="">All</option>${REQUEST_STATES.map((x) => html`<option value="${x}"${sel(q.state, x)}>${x}</option>`)}</select></div>
<div><button type="submit">Filter</button></div></form>
<div class="card table-scroll"><table class="data" id="queue"><thead><tr><th>Due</th><th>Reference</th><th>Company</th><th>Type</th><th>State</th><th class="hide-narrow">Received</th><th class="hide-narrow">Assignee</th></tr></thead><tbody>
${rows.map(
  (
    x,
  ) => html`<tr data-request="${x.id}"><td class="due-${x.status}" title="${STATUS_LABEL[x.status]}">${x.due_date}${x.extension_reason ? ' (extended)' : ''}<br><small>${STATUS_LABEL[x.status]}</small></td>
<td class="nowrap"><a href="/console/requests/${x.id}">${x.reference}</a></td><td>${x.scope.group ? html`All companies <small class="muted">(group request)</small>` : (r?.index.organization(x.org_id)?.legalName ?? x.org_id)}${x.scope.parent ? html`<br><small class="muted">from a group request</small>` : ''}</td><td>${x.type}</td><td>${x.state}</td>
<td class="hide-narrow nowrap">${x.received_at.toISOString().slice(0, 10)}</td><td class="hide-narrow">${x.assignee ?? ''}</td></tr>`,
)}${rows.length === 0 ? html`<tr><td colspan="7" class="muted">No requests match.</td></tr>` : ''}</tbody></table></div>
<div class="card"><h2>Figures</h2><div class="charts">
${raw(barChartSvg('Requests by type', stats.byType, REQUEST_TYPES))}
${raw(barChartSvg('Requests by state', stats.byState, REQUEST_STATES))}
${raw(gaugeSvg('Answered on time', stats.onTimeRate, `${stats.closedOnTime} of ${stats.closed} closed`))}
<div><div class="muted">Median days to close</div><div class="stat" id="median-days">${stats.medianDaysToClose ?? '—'}</div></div>
</div></div>`;
      return sendHtml(reply, page('Requests', body));
    },
  );

  /** The manual-entry form offers only the companies where the caller may file (requests:write). */
  const newManual = async (p: Principal, error?: Html) => {
    const r = await app.registers.get();
    const orgs = (r?.index.register.organizations ?? []).filter((o) => can(p, 'requests:write', o.id));
    const wholeGroup = allowedInAll(p, 'requests:write', (await groupOf(app.registers)).orgIds);
    return page(
      'New request',
      html`<h1>New request</h1>${error ?? ''}<div class="card"><p class="muted">For a request taken by letter, phone or in person. Give the date it reached us: the due date counts from then.</p>
<form class="stack" method="post" action="/console/requests/new">
<label for="company">Company</label><select id="company" name="company">${wholeGroup ? html`<option value="group">All companies of the group</option>` : ''}${orgs.map((o) => html`<option value="${o.id}">${o.legalName}</option>`)}</select>
<label for="type">Type</label><select id="type" name="type">${REQUEST_TYPES.map((x) => html`<option value="${x}">${x}</option>`)}</select>
<label for="purposeId">Purpose (objection, withdrawal; optional)</label><select id="purposeId" name="purposeId"><option value="">—</option>${(r?.index.register.purposes ?? []).map((p) => html`<option value="${p.id}">${t(p.name, 'en')}</option>`)}</select>
<label for="email">Customer's e-mail address (for the answer)</label><input id="email" name="email" type="email" required>
<label for="receivedAt">Received (date and time)</label><input id="receivedAt" name="receivedAt" type="datetime-local">
<label for="lang">Language</label><select id="lang" name="lang">${LANGUAGES.map((l) => html`<option value="${l}">${LANGUAGE_NAMES[l]}</option>`)}</select>
<label for="details">Details</label><textarea id="details" name="details" rows="3"></textarea>
<label for="idCheck">Identity check done (e.g. "ID seen: driving licence, name matches"; never copy the document)</label><input id="idCheck" name="idCheck">
<p><button type="submit">File request</button></p></form></div>`,
    );
  };

  server.get(
    '/console/requests/new',
    { config: { permission: 'requests:write' }, schema: { hide: true } },
    async (req, reply) => sendHtml(reply, await newManual(callerOf(req).principal)),
  );

  server.post(
    '/console/requests/new',
    {
      config: { permission: 'requests:write' },
      schema: {
        hide: true,
        body: z.object({
          company: z.string().max(64),
          type: z.string().max(32),
          purposeId: z.string().max(64).optional(),
          email: z.string().max(320),
          receivedAt: z.string().max(40).optional(),
          lang: z.enum(LANGUAGES).default('en'),
          details: z.string().max(5000).optional(),
          idCheck: z.string().max(500).optional(),
        }),
      },
    },
    async (req, reply) => {
      const b = req.body;
      const caller = callerOf(req);
      try {
        const email = z.email().safeParse((b.email ?? '').trim());
        const type = z.enum(REQUEST_TYPES).safeParse(b.type);
        const receivedAt = b.receivedAt
          ? new Date(b.receivedAt.length === 16 ? `${b.receivedAt}:00` : b.receivedAt)
          : undefined;
        if (!email.success || !type.success || (receivedAt && Number.isNaN(receivedAt.getTime())))
          throw new OmbudError('validation', 'invalid-request', 'Check the form.', {
            issues: [
              ...(!email.success ? [{ path: ['email'], message: 'enter a valid e-mail address' }] : []),
              ...(!type.success ? [{ path: ['type'], message: 'choose a request type' }] : []),
              ...(receivedAt && Number.isNaN(receivedAt.getTime())
                ? [{ path: ['receivedAt'], message: 'enter a date and time, e.g. 2026-03-02T09:30' }]
                : []),
            ],
          });
        // Filing for a company needs requests:write there (for 'group': everywhere): 403 otherwise.
        const res = await submitRequest(app, caller, {
          channel: 'console',
          scope: b.company,
          type: type.data!,
          email: email.data!,
          lang: b.lang,
          details: b.details,
          purposeId: b.purposeId || undefined,
          receivedAt,
          sendCode: !b.idCheck?.trim(),
        });
        if (b.idCheck?.trim()) await verifyManually(app, workers, caller, res.requestIds[0]!, b.idCheck);
        return reply.redirect(`/console/requests/${res.requestIds[0]}`, 303);
      } catch (err) {
        const e = isAccessError(err) ? undefined : formError(err);
        if (!e) throw err;
        return sendHtml(reply, await newManual(caller.principal, e), 422);
      }
    },
  );

  const detail = async (id: string, caller: Caller, error?: Html) => {
    // Another company's request is "not found" (requestPolicy), before anything of it is read.
    const q = await requestFor(app, caller, id, 'read');
    const mayWrite =
      decide(caller.principal, requestPolicy, 'write', q, await groupOf(app.registers)) === 'allow';
    const sub = await getSubmission(app.db, q.submission_id);
    const events = await timeline(app.db, id);
    const r = await app.registers.get();
    const org = r?.index.organization(q.org_id);
    const auth = r?.index.authorityOf(q.org_id);
    await recordAudit(app.db, {
      actor: caller.actor,
      orgId: q.org_id,
      action: 'request.read',
      target: id,
      at: app.now(),
    });
    const status = queueStatus(q, app.now(), org?.timeZone ?? 'Europe/Stockholm');
    const group = q.scope.group;
    const awaitingRouting = !!group && isOpen(q.state) && q.state !== 'received';
    const fType = group ? undefined : fulfilmentTypeOf(q.type);
    const run = fType ? await getFulfilmentStatus(app.db, id) : undefined;
    const deliveries = await app.db.query<{
      id: string;
      filename: string;
      expires_at: Date;
      downloads: number;
    }>(
      'SELECT id, filename, expires_at, downloads FROM dsr_deliveries WHERE request_id = $1 AND deleted_at IS NULL ORDER BY created_at',
      [id],
    );
    const open = isOpen(q.state);
    const fee = await getFee(app.db, id);
    const f = (action: string, label: string, fields: Html | string = '', cls = '') =>
      html`<form method="post" action="/console/requests/${id}/action"><input type="hidden" name="action" value="${action}">${fields}<button type="submit"${raw(cls ? ` class="${cls}"` : '')}>${label}</button></form>`;
    const fd = (action: string, label: string, fields: Html | string = '') =>
      f(action, label, fields, 'danger');
    const body = html`<p><a href="/console/requests">← Requests</a></p><h1>${referenceOf(q.submission_id)} · ${q.type}</h1>${error ?? ''}
<div class="grid"><div class="card"><table class="data"><tbody>
<tr><th>Company</th><td>${group ? html`All companies of the group <small>(held at ${org?.legalName ?? q.org_id} until verified)</small>` : (org?.legalName ?? q.org_id)}</td></tr>
${q.scope.parent ? html`<tr><th>Group request</th><td>part of <a href="/console/requests/${q.scope.parent}" id="group-request">the request to the whole group</a></td></tr>` : ''}
<tr><th>State</th><td id="state">${q.state}</td></tr>
<tr><th>Due date</th><td id="due-date" class="due-${status}">${q.due_date} (${STATUS_LABEL[status ?? 'closed']})${q.extension_reason ? html`<br><small>extended from ${q.original_due_date}: ${q.extension_reason}</small>` : ''}</td></tr>
<tr><th>Received</th><td>${q.received_at.toISOString().replace('T', ' ').slice(0, 16)} UTC (${sub.channel})</td></tr>
<tr><th>Legal deadline / latest extension</th><td>${q.legal_due_date} / ${q.max_due_date}</td></tr>
<tr><th>Requester</th><td>${sub.email}${sub.name ? ` (${sub.name})` : ''} · answers in ${sub.lang}</td></tr>
${fee ? html`<tr><th>Fee</th><td id="fee">${formatFee(fee.amount_minor, fee.currency)} · ${fee.status} · ${fee.ground}${fee.paused_days ? ` · clock paused ${fee.paused_days} days` : ''}<br><small>${fee.reason}</small></td></tr>` : ''}
<tr><th>Verification</th><td>${q.verification_method ?? 'not yet verified'}</td></tr>
<tr><th>Assignee</th><td>${q.assignee ?? '—'}</td></tr>
${q.purpose_id ? html`<tr><th>Purpose</th><td>${q.purpose_id}</td></tr>` : ''}
${q.scope.jointHandledBy ? html`<tr><th>Joint purposes</th><td>handled in <a href="/console/requests/${q.scope.jointHandledBy}">the contact point's request</a></td></tr>` : ''}
${(q.scope.linked ?? []).length ? html`<tr><th>Linked requests</th><td>${(q.scope.linked ?? []).map((l) => html`<a href="/console/requests/${l}">${l.slice(0, 8)}</a> `)}</td></tr>` : ''}
<tr><th>Complaints go to</th><td>${auth ? t(auth.name, 'en') : ''}</td></tr>
${q.details ? html`<tr><th>Details</th><td>${q.details}</td></tr>` : ''}
</tbody></table></div>
<div class="card actions"><h2>Actions</h2>${
      !mayWrite
        ? html`<p class="muted" id="read-only">You may read this request. Acting on it needs requests:write in ${requestPolicy.companiesOf(q, { orgIds: [] }).join(', ')}.</p>`
        : open
          ? html`${q.state === 'received' ? f('verify-manual', 'Record ID check', html`<label for="note">ID seen (what, not a copy)</label><input id="note" name="note">`) : ''}
${f('assign', 'Assign', html`<label for="assignee">Assignee (e-mail)</label><input id="assignee" name="assignee" value="${q.assignee ?? ''}">`)}
${q.state === 'verified' && !group ? f('start', 'Start work') : ''}
${awaitingRouting ? html`${f('no-data', 'Answer: we hold no personal data', html`<label for="no-data-note">What you checked by hand (systems, not data)</label><input id="no-data-note" name="note">`)}${f('route', 'Send to these companies', html`<fieldset><legend>Companies where you found the customer</legend>${(group?.candidates ?? []).map((c) => html`<label><input type="checkbox" name="org-${c}" value="on"> ${r?.index.organization(c)?.legalName ?? c}</label>`)}</fieldset><label for="route-note">Where you found them (not the data)</label><input id="route-note" name="note">`)}` : ''}
${!q.extension_reason ? f('extend', 'Extend', html`<label for="reason">Reason for the extension (told to the customer)</label><input id="reason" name="reason"><label for="dueDate">New due date (latest ${q.max_due_date})</label><input id="dueDate" name="dueDate" type="date" value="${q.max_due_date}">`) : ''}
${q.type === 'objection' && !q.decision ? f('objection', 'Decide objection', html`<label for="upheld">Decision</label><select id="upheld" name="upheld"><option value="true">Uphold: stop the processing</option><option value="false">Reject: compelling legitimate grounds</option></select><label for="balancingNote">Balancing note</label><textarea id="balancingNote" name="balancingNote" rows="3"></textarea>`) : ''}
${q.state !== 'received' && !group && !(q.type === 'objection' && !q.decision) ? f('complete', 'Complete', html`<label for="outcome">What we did (told to the customer)</label><textarea id="outcome" name="outcome" rows="2"></textarea>`) : ''}
${q.state === 'awaiting-payment' ? html`${f('fee-paid', 'Mark fee paid', html`<label for="paid-note">Payment note (e.g. payment reference)</label><input id="paid-note" name="note">`)}${f('fee-waive', 'Waive fee', html`<label for="waive-reason">Why the fee is waived</label><input id="waive-reason" name="reason">`)}` : ''}
<details${raw(fee ? ' open' : '')}><summary>Manifestly unfounded or excessive (Art. 12(5)): warn, charge a fee, refuse</summary>
${f('warn', 'Warn before refusal or fee', html`<label for="warn-ground">Ground (Art. 12(5))</label><select id="warn-ground" name="ground">${REFUSAL_GROUNDS.map((g) => html`<option value="${g}">${g}</option>`)}</select><label for="warn-reason">Reason (told to the customer)</label><textarea id="warn-reason" name="reason" rows="2"></textarea>`)}
${['verified', 'in-progress', 'extended'].includes(q.state) && !fee ? f('fee', 'Charge fee', html`<label for="fee-ground">Ground (Art. 12(5); after the warning)</label><select id="fee-ground" name="ground">${REFUSAL_GROUNDS.map((g) => html`<option value="${g}">${g}</option>`)}</select><label for="fee-amount">Amount</label><input id="fee-amount" name="amount" inputmode="decimal" placeholder="150.00"><label for="fee-currency">Currency</label><input id="fee-currency" name="currency" value="${defaultCurrency(org?.country)}" maxlength="3"><label for="fee-reason">Reason and how the fee was set (told to the customer)</label><textarea id="fee-reason" name="reason" rows="2"></textarea>`) : ''}
${fd('refuse', 'Refuse', html`<label for="ground">Ground (Art. 12(5))</label><select id="ground" name="ground">${REFUSAL_GROUNDS.map((g) => html`<option value="${g}">${g}</option>`)}</select><label for="refuse-reason">Reason (told to the customer)</label><textarea id="refuse-reason" name="reason" rows="2"></textarea><label for="refusedParts">Partial: what is refused (leave empty to refuse all)</label><input id="refusedParts" name="refusedParts">`)}
</details>`
          : html`<p class="muted">Closed ${q.closed_at ? new Date(q.closed_at).toISOString().slice(0, 10) : ''}.</p>`
    }
${mayWrite ? f('note', 'Add internal note', html`<label for="note-text">Internal note</label><textarea id="note-text" name="note" rows="2"></textarea>`) : ''}</div></div>
${group ? groupCard(q, r?.index) : ''}
${fType ? fulfilmentCard(id, q.state, fType, run, deliveries, !!workers.fulfilment && mayWrite, mayWrite ? f : () => html``) : ''}
<div class="card"><h2>Timeline</h2><ol class="timeline">${events.map(
      (e) =>
        html`<li><strong>${e.kind}</strong> · ${new Date(e.at).toISOString().replace('T', ' ').slice(0, 16)} · ${e.actor}${e.note ? html`<br>${e.note}` : ''}</li>`,
    )}</ol></div>`;
    return page(referenceOf(q.submission_id), body);
  };

  const idParams = z.object({ id: z.uuid() });

  server.get(
    '/console/requests/:id',
    { config: { permission: 'requests:read' }, schema: { hide: true, params: idParams } },
    async (req, reply) => sendHtml(reply, await detail(req.params.id, callerOf(req))),
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
        const e = isAccessError(err) ? undefined : formError(err);
        if (!e) throw err;
        const status = err instanceof OmbudError && err.kind === 'validation' ? 422 : 409;
        return sendHtml(reply, await detail(id, caller, e), status);
      }
      return reply.redirect(`/console/requests/${id}`, 303);
    },
  );

  server.get(
    '/console/outbox',
    { config: { permission: 'requests:read' }, schema: { hide: true } },
    async (req, reply) => {
      // Only the mail of the caller's companies; the group's mail (no company) only to those of every company.
      const caller = callerOf(req);
      const rows = await listOutbox(
        app.db,
        listScope(caller.principal, 'requests:read'),
        await groupOf(app.registers),
      );
      await recordAudit(app.db, {
        actor: caller.actor,
        action: 'outbox.read',
        details: { rows: rows.length },
        at: app.now(),
      });
      const body = html`<h1>Outbox</h1><p class="muted">${app.config.smtpUrl ? 'Mail is sent over SMTP.' : 'SMTP_URL is not set: mail waits here.'} <a href="/console/inbox">Inbox (demo)</a> shows what the local SMTP catcher received.</p>
<div class="card table-scroll"><table class="data"><thead><tr><th>Created</th><th>To</th><th>Template</th><th>Lang</th><th>Subject</th><th>Status</th></tr></thead><tbody>${rows.map(
        (
          m,
        ) => html`<tr><td>${new Date(m.created_at).toISOString().replace('T', ' ').slice(0, 16)}</td><td>${m.to_address}</td><td>${m.template}</td><td>${m.lang}</td>
<td>${m.request_id ? html`<a href="/console/requests/${m.request_id}">${m.subject}</a>` : m.subject}</td><td>${m.status}${m.last_error ? ` (${m.last_error})` : ''}</td></tr>`,
      )}</tbody></table></div>`;
      return sendHtml(reply, page('Outbox', body));
    },
  );

  server.get(
    '/console/inbox',
    { config: { permission: 'requests:read' }, schema: { hide: true } },
    async (req, reply) => {
      const caller = callerOf(req);
      const rows = await listCaught(
        app.db,
        listScope(caller.principal, 'requests:read'),
        await groupOf(app.registers),
      );
      await recordAudit(app.db, {
        actor: caller.actor,
        action: 'mail-catcher.read',
        details: { rows: rows.length },
        at: app.now(),
      });
      const body = html`<h1>Inbox (demo)</h1><p class="muted">What the demo's local SMTP catcher received: the mail customers would get. Recipients are shown masked with a short hash. <a href="/console/outbox">Outbox</a></p>
${
  rows.length === 0
    ? html`<div class="card"><p>No mail has arrived yet. ${app.config.smtpUrl ? '' : 'SMTP_URL is not set and no catcher is running: mail waits in the outbox.'}</p></div>`
    : rows.map(
        (m) =>
          html`<article class="card mail" data-mail="${m.id}"><h2>${m.subject}</h2><p class="muted">To ${m.rcpt_masked} · <code title="SHA-256 of the address">${(m.rcpt_hashes[0] ?? '').slice(0, 12)}</code> · ${new Date(m.received_at).toISOString().replace('T', ' ').slice(0, 16)} UTC</p><pre class="mail-body">${m.body}</pre></article>`,
      )
}`;
      return sendHtml(reply, page('Inbox (demo)', body));
    },
  );
}

type RunStatus = Awaited<ReturnType<typeof getFulfilmentStatus>>;

/** Fulfilment on the request page: approve, progress, per-system results, "failed, why, retry", result files. */
function fulfilmentCard(
  id: string,
  state: string,
  type: string,
  run: RunStatus,
  deliveries: { id: string; filename: string; expires_at: Date; downloads: number }[],
  running: boolean,
  f: (action: string, label: string, fields?: Html | string) => Html,
): Html {
  const open = ['verified', 'in-progress', 'extended'].includes(state);
  const approve =
    !run && open
      ? running
        ? f(
            'approve',
            type === 'access' || type === 'portability'
              ? 'Run fulfilment'
              : `Approve ${type}: carry it out in every system`,
            type === 'rectification'
              ? html`<label for="category">Data category to correct</label><input id="category" name="category" placeholder="user.contact.address.city"><label for="value">Corrected value</label><input id="value" name="value">`
              : '',
          )
        : html`<p class="muted">The fulfilment worker is not running (start Ombud with <code>ombud start</code>); carry the request out by hand and complete it.</p>`
      : '';
  if (!run)
    return html`<div class="card" id="fulfilment"><h2>Fulfilment</h2><p>${state === 'received' ? 'Waits for verification.' : 'Not started.'}</p>${approve}</div>`;
  const pct = run.stepsTotal ? Math.round((100 * run.stepsDone) / run.stepsTotal) : 0;
  return html`<div class="card" id="fulfilment"><h2>Fulfilment</h2>
<p><span class="pill ${run.status === 'failed' ? 'warn' : ''}" id="fulfilment-status">${run.status}</span> · ${run.stepsDone} of ${run.stepsTotal} steps · attempt ${run.attempts} · <a href="/console/fulfilment/${id}">details</a></p>
<progress max="100" value="${pct}" style="width:100%"></progress>
${run.status === 'failed' ? html`<p id="fulfilment-error"><strong>Failed:</strong> ${run.error ?? 'unknown reason'}</p>${f('retry-fulfilment', 'Retry (resumes at the failed step)')}` : ''}
${
  run.status === 'waiting'
    ? html`<p id="fulfilment-waiting">In progress: waiting for answers from ${
        run.steps
          .filter((st) => st.status === 'waiting')
          .map((st) => st.step.replace(/^(notify|collect):/, ''))
          .join(', ') || 'the systems asked'
      }. The request completes when the last one answers; manual tasks are ticked off at <a href="/console/fulfilment/tasks">Fulfilment tasks</a>.</p>`
    : ''
}
<table class="data"><thead><tr><th>Step</th><th>Status</th><th>System / collection</th><th>Changed</th><th>Kept</th><th>Rule keeping them</th></tr></thead><tbody>
${run.steps.flatMap((st) =>
  (st.outcome?.length ? st.outcome : [undefined]).map(
    (o) =>
      html`<tr><td>${st.step}</td><td>${st.status}${st.error ? html`<br><small>${st.error}</small>` : ''}${st.note ? html`<br><small class="step-note">${st.note}</small>` : ''}</td><td>${o ? `${o.system} / ${o.collection}` : ''}</td><td>${o ? String(o.erased) : ''}</td><td>${o ? String(o.kept) : ''}</td><td>${o?.keptUnder.map((k) => `${k.rule} (until ${k.eraseOn})`).join(', ') ?? ''}</td></tr>`,
  ),
)}</tbody></table>
${deliveries.length ? html`<h3>Result files for the customer</h3><ul id="deliveries">${deliveries.map((d) => html`<li>${d.filename} · expires ${new Date(d.expires_at).toISOString().slice(0, 10)} · downloaded ${String(d.downloads)}×</li>`)}</ul>` : ''}</div>`;
}

type RoutingRecord = {
  known?: string[];
  viaJoint?: string[];
  notKnown?: string[];
  requests?: Record<string, string>;
  sources?: Record<string, Record<string, number>>;
  unchecked?: string[];
  failed?: string[];
  awaitingAgent?: boolean;
  byAgent?: boolean;
};

/**
 * The split of a request to the whole group: per company, whether it knows the customer (and through
 * which sources, as counts), the request it got, or that it was checked and does not know them.
 */
function groupCard(q: RequestRow, ix: RegisterIndex | undefined): Html {
  const candidates = q.scope.group?.candidates ?? [];
  const routing = ((q.decision?.routing ?? q.decision?.noData) as RoutingRecord | undefined) ?? undefined;
  const name = (o: string) => ix?.organization(o)?.legalName ?? o;
  const sourcesOf = (key: string) =>
    Object.entries(routing?.sources?.[key] ?? {})
      .map(([src, n]) => `${src} (${n})`)
      .join(', ');
  const joint = (o: string) =>
    (ix?.register.jointArrangements ?? [])
      .filter(
        (j) =>
          routing?.sources?.[`joint:${j.id}`] && (j.contactPoint === o || routing?.viaJoint?.includes(o)),
      )
      .map((j) => `${j.id}: ${sourcesOf(`joint:${j.id}`)}`)
      .join('; ');
  const row = (o: string) => {
    const id = routing?.requests?.[o];
    const result = !routing
      ? 'checked when the requester is verified'
      : routing.known?.includes(o)
        ? 'knows the customer'
        : routing.viaJoint?.includes(o)
          ? 'answers for the joint purposes'
          : 'checked: does not know the customer';
    return html`<tr data-company="${o}"><td>${name(o)}</td><td class="result">${result}</td><td>${[sourcesOf(o), joint(o)].filter(Boolean).join('; ') || (routing?.byAgent && id ? 'found by an agent' : '')}</td><td>${id ? html`<a href="/console/requests/${id}">${id.slice(0, 8)}</a>` : '—'}</td></tr>`;
  };
  return html`<div class="card" id="group-routing"><h2>Group request: where the customer is known</h2>
<p class="muted">${
    q.state === 'received'
      ? 'Held here until the requester is verified; then the companies that know them get a request each (the reply to the requester is the same either way).'
      : q.state === 'split'
        ? 'Split into one request per company that knows the customer; the others were checked.'
        : routing?.awaitingAgent
          ? 'Known nowhere in the sources searched, but not every system could be searched: check them, then answer or send the request to a company.'
          : q.state === 'completed'
            ? 'Known nowhere: answered that no company of the group holds personal data about the requester.'
            : ''
  }</p>
<table class="data"><thead><tr><th>Company</th><th>Result</th><th>Sources (rows)</th><th>Request</th></tr></thead><tbody>${candidates.map(row)}</tbody></table>
${routing?.unchecked?.length ? html`<p id="unchecked">Not searched (no connection): ${routing.unchecked.join(', ')}</p>` : ''}
${routing?.failed?.length ? html`<p id="failed">Search failed: ${routing.failed.join(', ')}</p>` : ''}</div>`;
}
