/**
 * The console's consent desk, for customer-service agents and the privacy team: find a data subject by
 * an identity (sent in a POST body, never in a URL), see per company of the group what may be sent on
 * which channel and on which basis, the full history as proof (wording, notice version, source, actor),
 * and record a change the customer asks for by phone or letter (source 'customer-service', actor the
 * agent). Every view and change is audited; an agent sees only the companies their roles cover.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RouteServer } from '../routeServer.ts';
import { z } from 'zod';
import type { App } from '../../app.ts';
import type { BackgroundWork } from '../../workers.ts';
import { type IdentityInput, identitiesFrom, identityInputOf } from '../../core/consent/identity.ts';
import { DIRECT_MARKETING, EVERY_CHANNEL } from '../../core/consent/rules.ts';
import { forbidden, notFound, OmbudError } from '../../core/errors.ts';
import { type Html, html, raw } from '../../core/html.ts';
import { can } from '../../core/policies/permissions.ts';
import { decide, visibleTo } from '../../core/policies/policy.ts';
import { consentSubjectPolicy } from '../../core/policies/resources.ts';
import { recordAudit } from '../../services/audit/auditLog.ts';
import { eventsOfSubject } from '../../services/consent/consentHistory.ts';
import { consentKeys } from '../../services/consent/keys.ts';
import { preferencesOf } from '../../services/consent/preferences.ts';
import { type EventKind, recordConsentEvent } from '../../services/consent/recordConsentEvent.ts';
import { findSubject, identitiesOf, subjectById, subjectFor } from '../../services/consent/subjects.ts';
import { groupOf } from '../../services/register/group.ts';
import { t } from '../../core/register/schema.ts';
import { consolePage } from '../../web/layout.ts';
import { sendPage } from '../pages.ts';
import { callerOf, principalActor } from '../actor.ts';

const CSS = `.kind-grant,.kind-lift-objection{color:#1d6b3a;font-weight:600}.kind-withdraw,.kind-object{color:#8c1d18;font-weight:600}
.on{color:#1d6b3a;font-weight:600}.off{color:#8c1d18;font-weight:600}form.row{display:flex;gap:.5rem;align-items:end;flex-wrap:wrap}
form.row label{margin:0}td form{display:flex;gap:.4rem;align-items:center;flex-wrap:wrap}td form input[name=wording]{min-width:16rem}button.danger{background:#b3261e;border-color:#b3261e;color:#fff;margin-bottom:.8rem}`;

const IDENTITY_KINDS = ['email', 'phone', 'customerNumber'] as const;
const KIND_LABEL: Record<(typeof IDENTITY_KINDS)[number], string> = {
  email: 'E-mail address',
  phone: 'Phone number',
  customerNumber: 'Customer number',
};

/** Shown to the agent who typed it: enough to confirm, not the whole value. */
const masked = (kind: string, value: string) => {
  if (kind === 'email') {
    const [local = '', domain = ''] = value.split('@');
    return `${local.slice(0, 1)}${'•'.repeat(Math.max(1, local.length - 1))}@${domain}`;
  }
  return `${'•'.repeat(Math.max(0, value.length - 3))}${value.slice(-3)}`;
};

export async function consentConsoleRoutes(server: RouteServer, app: App, workers: BackgroundWork) {
  const keys = () => consentKeys(app.db, app.config.secret);
  const register = async () => {
    const r = await app.registers.get();
    if (!r) throw notFound('register', 'current');
    return r.index;
  };
  const send = (reply: FastifyReply, body: Html | Html[], status = 200) =>
    sendPage(
      reply,
      consolePage({ title: 'Consent', active: 'consent', body: html`<style>${raw(CSS)}</style>${body}` }),
      { status, private: true },
    );

  const findForm = async (req: FastifyRequest, message?: Html) => {
    const index = await register();
    const orgs = index.register.organizations.filter((o) => can(req.principal!, 'consent:read', o.id));
    return html`<h1>Consent and communication settings</h1>${message ?? ''}
<div class="card"><p class="muted">Find a customer by one identity. What you type is sent in the request body, never put in a link, and the look-up is recorded in the audit log.</p>
<form class="row" method="post" action="/console/consent/find">
<label>Company<br><select name="company"><option value="all">All companies I can see</option>${orgs.map((o) => html`<option value="${o.id}">${o.legalName}</option>`)}</select></label>
<label>Identity<br><select name="kind">${IDENTITY_KINDS.map((k) => html`<option value="${k}">${KIND_LABEL[k]}</option>`)}</select></label>
<label>Value<br><input name="value" required autocomplete="off" size="32"></label>
<button type="submit">Find</button></form></div>`;
  };

  server.get(
    '/console/consent',
    { config: { permission: 'consent:read' }, schema: { hide: true } },
    async (req, reply) => send(reply, await findForm(req)),
  );

  server.post(
    '/console/consent/find',
    {
      config: { permission: 'consent:read' },
      schema: {
        hide: true,
        body: z.object({
          company: z.string().max(64),
          kind: z.enum(IDENTITY_KINDS),
          value: z.string().max(320),
        }),
      },
    },
    async (req, reply) => {
      const b = req.body;
      const index = await register();
      const one = b.company === 'all' ? undefined : index.organization(b.company);
      if (b.company !== 'all' && !one) throw notFound('organization', b.company);
      const orgs = one
        ? [one]
        : index.register.organizations.filter((o) => can(req.principal!, 'consent:read', o.id));
      for (const o of orgs) if (!can(req.principal!, 'consent:read', o.id)) throw forbidden();
      let subject: Awaited<ReturnType<typeof findSubject>>;
      try {
        const identity: IdentityInput = { [b.kind]: b.value };
        const k = await keys();
        for (const o of orgs) {
          subject = await findSubject(app.db, k, o.id, identitiesFrom(identity, o.country));
          if (subject) break;
        }
      } catch (err) {
        if (!(err instanceof OmbudError)) throw err;
        return send(
          reply,
          await findForm(
            req,
            html`<div class="error" role="alert">${err.message}${err.hint ? html` ${err.hint}` : ''}</div>`,
          ),
          422,
        );
      }
      for (const o of orgs)
        await recordAudit(app.db, {
          actor: principalActor(req),
          orgId: o.id,
          action: 'consent.subject.find',
          target: subject?.orgId === o.id ? `subject:${subject.id}` : 'subject:none',
          details: { kind: b.kind, found: subject?.orgId === o.id },
        });
      if (!subject)
        return send(
          reply,
          await findForm(
            req,
            html`<div class="error" role="status">No customer of ${one ? one.legalName : 'the companies you can see'} has that ${KIND_LABEL[b.kind].toLowerCase()} in the consent register. Nothing has been recorded for them yet, so nothing may be sent on consent.</div>`,
          ),
          404,
        );
      return reply.redirect(`/console/consent/subjects/${subject.id}`, 303);
    },
  );

  const subjectParams = z.object({ subjectId: z.uuid('a data subject id (UUID)') });

  const subjectPage = async (
    req: FastifyRequest,
    reply: FastifyReply,
    subjectId: string,
    message?: Html,
    status = 200,
  ) => {
    const caller = callerOf(req);
    const group = await groupOf(app.registers);
    await subjectFor(app.db, caller, group, subjectId, 'read');
    const index = await register();
    const k = await keys();
    // The same person at the group's other companies, as far as the agent may see them.
    const asRow = (c: { orgId: string; items: { subjectId: string }[] }) => ({
      id: c.items[0]?.subjectId ?? '',
      orgId: c.orgId,
    });
    const visible = visibleTo(caller.principal, consentSubjectPolicy, group);
    const companies = (await preferencesOf(app.db, k, index, subjectId, 'en')).filter(
      (c) => c.items.length > 0 && visible(asRow(c)),
    );
    const mayWrite = (orgId: string) =>
      decide(caller.principal, consentSubjectPolicy, 'write', { id: '', orgId }, group) === 'allow';
    const ids = await identitiesOf(app.db, subjectId);
    const histories = await Promise.all(
      companies.map(async (c) => {
        const sid = c.items[0]!.subjectId;
        const s = await subjectById(app.db, sid);
        return { c, restricted: s?.restricted ?? false, events: await eventsOfSubject(app.db, sid) };
      }),
    );
    for (const h of histories)
      await recordAudit(app.db, {
        actor: principalActor(req),
        orgId: h.c.orgId,
        action: 'consent.history.read',
        target: `subject:${h.c.items[0]!.subjectId}`,
        details: { events: h.events.length, via: 'console' },
      });
    const purposeName = (id: string) => {
      const p = index.purposes.get(id);
      return p ? t(p.name, 'en') : id;
    };
    return send(
      reply,
      html`${message ?? ''}<p><a href="/console/consent">← Find another customer</a></p>
<h1>Customer ${subjectId.slice(0, 8)}</h1>
<p class="muted">Identities: ${ids.map((i) => html`<span class="pill">${i.kind}: ${masked(i.kind, i.value)}</span>`)}</p>
${histories.map(
  ({ c, restricted, events }) => html`<section class="card"><h2>${c.name}</h2>
${restricted ? html`<p class="pill warn">Restricted (Art. 18): store only, nothing may be sent</p>` : ''}
${
  mayWrite(c.orgId)
    ? html`<form method="post" action="/console/consent/subjects/${c.items[0]!.subjectId}/events"><input type="hidden" name="purpose" value="${DIRECT_MARKETING}"><input type="hidden" name="channel" value="${EVERY_CHANNEL}"><input type="hidden" name="kind" value="object"><button type="submit" class="danger">Stop all direct marketing (Art. 21(3) objection)</button></form>`
    : ''
}
<table class="data"><thead><tr><th>Communication</th><th>Basis</th><th>Now</th>${mayWrite(c.orgId) ? html`<th>Change on the customer's behalf</th>` : ''}</tr></thead><tbody>
${c.items.map((i) => {
  const consent = i.basis === 'consent';
  const next: EventKind = consent ? (i.on ? 'withdraw' : 'grant') : i.on ? 'object' : 'lift-objection';
  return html`<tr><td>${i.label}</td><td><span class="pill ${i.basis}">${i.basis}</span></td><td class="${i.on ? 'on' : 'off'}">${i.on ? 'may send' : 'may not send'}</td>
${
  mayWrite(c.orgId)
    ? html`<td><form method="post" action="/console/consent/subjects/${i.subjectId}/events">
<input type="hidden" name="purpose" value="${i.purposeId}"><input type="hidden" name="channel" value="${i.channel}"><input type="hidden" name="kind" value="${next}">
${next === 'grant' ? html`<input name="wording" required placeholder="The words the customer agreed to">` : ''}
<button type="submit" class="${next === 'grant' || next === 'lift-objection' ? '' : 'secondary'}">${{ grant: 'Record consent', withdraw: 'Withdraw consent', object: 'Record objection', 'lift-objection': 'Lift objection' }[next]}</button></form></td>`
    : ''
}</tr>`;
})}</tbody></table>
<h3>History (proof)</h3>
${
  events.length === 0
    ? html`<p class="muted">No events.</p>`
    : html`<table class="data"><thead><tr><th>When</th><th>Event</th><th>Purpose · channel</th><th>Wording shown</th><th>Notice</th><th>Source</th><th>Recorded by</th></tr></thead><tbody>
${[...events]
  .reverse()
  .map(
    (e) =>
      html`<tr><td class="nowrap">${e.at.slice(0, 16).replace('T', ' ')}</td><td class="kind-${e.kind}">${e.kind}</td><td>${purposeName(e.purposeId)} · ${e.channel}</td><td>${e.wording ?? ''}</td><td>${e.noticeVersion ? `v${e.noticeVersion}` : ''}</td><td>${e.source}</td><td>${e.actor}</td></tr>`,
  )}</tbody></table>`
}</section>`,
)}`,
      status,
    );
  };

  server.get(
    '/console/consent/subjects/:subjectId',
    { config: { permission: 'consent:read' }, schema: { hide: true, params: subjectParams } },
    async (req, reply) => subjectPage(req, reply, req.params.subjectId),
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
      const subject = await subjectFor(
        app.db,
        callerOf(req),
        await groupOf(app.registers),
        subjectId,
        'write',
      );
      const index = await register();
      const ids = await identitiesOf(app.db, subjectId);
      const identity = identityInputOf(ids);
      let event: Awaited<ReturnType<typeof recordConsentEvent>>['event'];
      try {
        ({ event } = await recordConsentEvent(
          app.db,
          principalActor(req),
          await keys(),
          index,
          {
            orgId: subject.orgId,
            identity,
            purposeId: b.purpose,
            channel: b.channel,
            kind: b.kind,
            wording:
              b.wording?.trim() ||
              (b.kind === 'grant' ? undefined : `Asked customer service to ${b.kind.replace('-', ' ')}.`),
            source: 'customer-service',
          },
          app.now(),
        ));
      } catch (err) {
        if (!(err instanceof OmbudError)) throw err;
        const why = html`<div class="error" role="alert">${err.message}${err.issues.map((i) => html`<br>${i.message}${i.hint ? ` — ${i.hint}` : ''}`)}${err.hint ? html`<br>${err.hint}` : ''}</div>`;
        return subjectPage(req, reply, subjectId, why, 422);
      }
      await workers.consentChanged?.(event);
      return reply.redirect(`/console/consent/subjects/${subjectId}`, 303);
    },
  );
}
