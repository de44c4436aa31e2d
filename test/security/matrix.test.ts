/**
 * The permission matrix over real rows (P21, issue 11 part 2): every protected route of the route table ×
 * every role (a Provendo-only user of each) and a Provendo-only API key × a real row of the caller's own
 * company (provendo) and of another company (nestit-sverige), and, where a route has one, a group-wide
 * row or action. The expectations are the table below, WRITTEN BY HAND from what each role means
 * (ROLE_GRANTS as a person reads it); nothing here asks `can()` or `orgScope()`.
 *
 * - A route of the route table without a row in the table fails the test.
 * - 'ok': 2xx/3xx, or a business answer the row names (`business`, e.g. 409 "not in that state").
 *   'deny': 403 or 404, nothing changed (the row is read back before and after) and nothing of the
 *   customer leaked (e-mail, phone, name). Lists answered 'ok' must not show the other company's rows.
 * - Denials run first, so the rows they probe are untouched by the allowed calls that follow.
 * - The test prints `matrix: N cases, M unexpected` and lists each unexpected case (MATRIX_DEBUG=1: every
 *   case with its status and time).
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { App } from '../../src/app.ts';
import type { Workers } from '../../src/workers.ts';
import { ROLES, type Role } from '../../src/core/policies/permissions.ts';
import { buildServer } from '../../src/http/server.ts';
import { createApiKey } from '../../src/services/apikeys/apiKeys.ts';
import { SYSTEM_ACTOR } from '../../src/services/audit/auditLog.ts';
import { BreachTellQueue } from '../../src/services/breaches/tellJob.ts';
import { markDead } from '../../src/services/consent/webhooks.ts';
import { notifyRecipient } from '../../src/services/fulfilment/recipients.ts';
import { type MailCatcher, startMailCatcher } from '../../src/services/mail/catcher.ts';
import type { RetentionWorker } from '../../src/services/retention/worker.ts';
import { createAdmin } from '../../src/services/users/admins.ts';
import { grantRole } from '../../src/services/users/roles.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { SAME_ORIGIN, userWithRoles } from './helpers.ts';

const OWN = 'provendo';
const OTHER = 'nestit-sverige';

type Caller = Role | 'key';
const CALLERS: readonly Caller[] = [...ROLES, 'key'];
/** Whose row a case addresses: the caller's company, another company, or the whole group. */
type Target = 'own' | 'other' | 'group';
type Params = Record<string, string>;

type Route = {
  /**
   * Who gets 'ok' on the caller's own company's row. For a route that addresses no company's row (the
   * register, the caller's account, a list), who may call it at all.
   */
  own?: Caller[];
  /** Who gets 'ok' on the other company's row (absent: the route addresses no company's row). */
  other?: Caller[];
  /** Who gets 'ok' on a group-wide row or action (a group request, every company): nobody of Provendo alone. */
  group?: Caller[];
  /** Business answers (besides 2xx/3xx) accepted as 'ok': the handler ran and said no on the merits. */
  business?: number[];
  /** Path parameters: a real row of the target's company (created once per route and target). */
  params?: (t: Target) => Promise<Params> | Params;
  query?: (t: Target) => string;
  /** A valid body, so the handler runs (n: a number unique to the case). */
  body?: (t: Target, n: number, p: Params) => unknown;
  headers?: () => Record<string, string>;
  /** The row (or count) the call could change: equal before and after a 'deny'. */
  state?: (p: Params, t: Target) => Promise<unknown>;
  /**
   * A fresh row for each allowed caller (a changing route: each really acts, none finds it already done);
   * 'always': for each denied caller too (a change the first denial made would hide the next one's).
   */
  freshPerCaller?: boolean | 'always';
  /** For lists: what of other companies must not be in an 'ok' answer. */
  hidden?: () => string[];
};

const WARNED = { path: 'refusal-warning', body: { ground: 'excessive', reason: 'The fifth in a week.' } };
const FEE = { ground: 'excessive', reason: 'Copies on paper', amount: '150.00', currency: 'NOK' };
const CHARGED = { path: 'fee', body: FEE };

// ---------------------------------------------------------------------------------------------------
// The table. own/other/group list the callers that get 'ok'; every other caller gets 'deny'.
// ---------------------------------------------------------------------------------------------------

const TABLE: Record<string, Route> = {
  // The register: group-wide reference data every role reads (register:read); notices and the RoPA per company.
  'GET /api/v1/register': { own: ['dpo', 'privacy-agent', 'cs-agent', 'engineer', 'auditor', 'key'] },
  'GET /api/v1/register/revisions': {
    own: ['dpo', 'privacy-agent', 'cs-agent', 'engineer', 'auditor', 'key'],
  },
  'GET /api/v1/organizations': { own: ['dpo', 'privacy-agent', 'cs-agent', 'engineer', 'auditor', 'key'] },
  'GET /api/v1/organizations/:orgId/ropa': {
    params: org,
    own: ['dpo', 'privacy-agent', 'auditor', 'key'],
    other: [],
  },
  'GET /api/v1/organizations/:orgId/notices': {
    params: org,
    own: ['dpo', 'privacy-agent', 'cs-agent', 'engineer', 'auditor', 'key'],
    other: [],
  },
  'GET /console': { own: ['dpo', 'privacy-agent', 'cs-agent', 'engineer', 'auditor', 'key'] },
  'GET /console/data-flow': { own: ['dpo', 'privacy-agent', 'cs-agent', 'engineer', 'auditor', 'key'] },
  'GET /console/data-flow.svg': { own: ['dpo', 'privacy-agent', 'cs-agent', 'engineer', 'auditor', 'key'] },
  'GET /console/notices': { own: ['dpo', 'privacy-agent', 'cs-agent', 'engineer', 'auditor', 'key'] },

  // The audit log: auditors, the DPO and the key (audit:read); never the privacy agent (denied outright).
  'GET /console/audit': {
    query: (t) => (t === 'other' ? `?org=${OTHER}&limit=5000` : '?limit=5000'),
    own: ['dpo', 'auditor', 'key'],
    other: [],
    hidden: otherRowIds,
  },
  'GET /api/v1/audit': {
    query: (t) => (t === 'other' ? `?org=${OTHER}&limit=5000` : '?limit=5000'),
    own: ['dpo', 'auditor', 'key'],
    other: [],
    hidden: otherRowIds,
  },
  'GET /api/v1/audit/verify': { own: ['dpo', 'auditor', 'key'] },
  'GET /console/audit/export': {
    query: (t) => (t === 'other' ? `?org=${OTHER}&format=json` : '?format=json'),
    own: ['dpo', 'auditor', 'key'],
    other: [],
    hidden: otherRowIds,
  },
  'POST /console/audit/actor': { body: () => ({ who: 'nobody here' }), own: ['dpo', 'auditor', 'key'] },
  'POST /console/audit/verify': { own: ['dpo', 'auditor', 'key'] },
  // A checkpoint signs the whole group's log: audit:read in every company, so no Provendo-only caller.
  'POST /api/v1/audit/checkpoints': {
    params: () => ({}),
    own: [],
    state: () => count('SELECT count(*) FROM audit_checkpoints'),
  },

  // People and roles: users:manage, held by the DPO alone; keys never manage people.
  'POST /api/v1/organizations/:orgId/roles': {
    params: async (t) => ({ orgId: orgOf(t), userId: await person(t) }),
    body: (_t, _n, p) => ({ userId: p.userId, role: 'cs-agent' }),
    own: ['dpo'],
    other: [],
    state: (p) => rolesState(p.userId!),
  },
  'DELETE /api/v1/organizations/:orgId/roles/:userId/:role': {
    params: async (t) => ({ orgId: orgOf(t), userId: await person(t), role: 'auditor' }),
    own: ['dpo'],
    other: [],
    state: (p) => rolesState(p.userId!),
  },
  'GET /api/v1/users': { own: ['dpo'], hidden: () => [fx.otherPersonEmail] },
  // A person's page (state, roles, own history) and its role forms.
  'GET /console/users/:userId': {
    params: async (t) => ({ userId: await person(t) }),
    own: ['dpo'],
    other: [],
  },
  'POST /console/users/:userId/roles': {
    params: async (t) => ({ orgId: orgOf(t), userId: await person(t) }),
    body: (_t, _n, p) => ({ orgId: p.orgId, role: 'cs-agent' }),
    own: ['dpo'],
    other: [],
    state: (p) => rolesState(p.userId!),
  },
  'POST /console/users/:userId/roles/revoke': {
    params: async (t) => ({ orgId: orgOf(t), userId: await person(t) }),
    body: (_t, _n, p) => ({ orgId: p.orgId, role: 'auditor' }),
    own: ['dpo'],
    other: [],
    state: (p) => rolesState(p.userId!),
  },
  'GET /console/users': { own: ['dpo'], hidden: () => [fx.otherPersonEmail] },
  // The single sign-on mapping (configuration, no person's data): who manages people.
  'GET /console/users/sso': { own: ['dpo'] },
  'POST /api/v1/users/invite': {
    params: () => ({}),
    body: (t, n) => ({ email: `invited-${n}@staff.example`, orgId: orgOf(t), role: 'auditor' }),
    own: ['dpo'],
    other: [],
    state: () => count('SELECT count(*) FROM users'),
  },
  'POST /console/users/invite': {
    params: () => ({}),
    body: (t, n) => ({ email: `invited-${n}@staff.example`, orgId: orgOf(t), role: 'auditor' }),
    own: ['dpo'],
    other: [],
    state: () => count('SELECT count(*) FROM users'),
  },
  'POST /api/v1/users/:userId/reset': {
    params: async (t) => ({ userId: await person(t) }),
    own: ['dpo'],
    other: [],
    state: (p) => userState(p.userId!),
  },
  'POST /api/v1/users/:userId/disable': {
    params: async (t) => ({ userId: await person(t) }),
    own: ['dpo'],
    other: [],
    state: (p) => userState(p.userId!),
  },
  'POST /console/users/:userId/reset': {
    params: async (t) => ({ userId: await person(t) }),
    own: ['dpo'],
    other: [],
    state: (p) => userState(p.userId!),
  },
  'POST /console/users/:userId/disable': {
    params: async (t) => ({ userId: await person(t) }),
    own: ['dpo'],
    other: [],
    state: (p) => userState(p.userId!),
  },

  // API keys: apikeys:manage (engineer, DPO); a key never mints keys.
  'GET /api/v1/apikeys': { own: ['dpo', 'engineer'], hidden: () => [fx.apiKeys[OTHER]!] },
  'POST /api/v1/apikeys': {
    params: () => ({}),
    body: (t) => ({ name: 'matrix', orgIds: [orgOf(t)], permissions: ['register:read'] }),
    own: ['dpo', 'engineer'],
    other: [],
    state: () => count('SELECT count(*) FROM api_keys'),
  },
  'POST /api/v1/apikeys/:keyId/rotate': {
    params: async (t) => ({ keyId: await apiKey(t) }),
    freshPerCaller: true,
    own: ['dpo', 'engineer'],
    other: [],
    state: (p) => keyState(p.keyId!),
  },
  'DELETE /api/v1/apikeys/:keyId': {
    params: async (t) => ({ keyId: await apiKey(t) }),
    freshPerCaller: true,
    own: ['dpo', 'engineer'],
    other: [],
    state: (p) => keyState(p.keyId!),
  },

  // One's own account: every signed-in person; a key is no person.
  'GET /console/account': { own: ['dpo', 'privacy-agent', 'cs-agent', 'engineer', 'auditor'] },
  'POST /console/account/totp': { own: ['dpo', 'privacy-agent', 'cs-agent', 'engineer', 'auditor'] },
  'POST /console/account/language': {
    body: () => ({ language: 'browser' }),
    own: ['dpo', 'privacy-agent', 'cs-agent', 'engineer', 'auditor'],
  },
  'POST /console/account/totp/confirm': {
    body: () => ({ code: '000000' }),
    own: ['dpo', 'privacy-agent', 'cs-agent', 'engineer', 'auditor'],
    business: [400, 409, 422], // a wrong code
  },

  // Consent by API, per company: write (DPO, privacy agent, CS agent, key), read (also the auditor).
  'POST /api/v1/organizations/:orgId/consents': {
    params: org,
    headers: () => ({ 'idempotency-key': randomUUID() }),
    body: (t) => consentBody(t),
    own: ['dpo', 'privacy-agent', 'cs-agent', 'key'],
    other: [],
    state: (p) => consentState(p.orgId!),
  },
  'POST /api/v1/organizations/:orgId/consents/withdrawals': {
    params: org,
    headers: () => ({ 'idempotency-key': randomUUID() }),
    body: (t) => consentBody(t),
    own: ['dpo', 'privacy-agent', 'cs-agent', 'key'],
    other: [],
    state: (p) => consentState(p.orgId!),
  },
  'POST /api/v1/organizations/:orgId/objections': {
    params: org,
    headers: () => ({ 'idempotency-key': randomUUID() }),
    body: (t) => ({ identity: { email: cust(t).email }, purpose: 'surveys', channel: 'email' }),
    own: ['dpo', 'privacy-agent', 'cs-agent', 'key'],
    other: [],
    state: (p) => consentState(p.orgId!),
  },
  'POST /api/v1/organizations/:orgId/contact-checks': {
    params: org,
    body: (t) => ({
      identity: { email: cust(t).email },
      purpose: 'communication-subscription',
      channel: 'email',
    }),
    own: ['dpo', 'privacy-agent', 'cs-agent', 'auditor', 'key'],
    other: [],
  },
  'POST /api/v1/organizations/:orgId/contact-checks/bulk': {
    params: org,
    body: (t) => ({ purpose: 'communication-subscription', channel: 'email', recipients: [cust(t).email] }),
    own: ['dpo', 'privacy-agent', 'cs-agent', 'auditor', 'key'],
    other: [],
  },
  'POST /api/v1/organizations/:orgId/subjects/consent-history': {
    params: org,
    body: (t) => ({ identity: { email: cust(t).email } }),
    own: ['dpo', 'privacy-agent', 'cs-agent', 'auditor', 'key'],
    other: [],
  },
  'GET /api/v1/organizations/:orgId/suppressions': {
    params: org,
    query: () => '?purpose=communication-subscription&channel=email',
    own: ['dpo', 'privacy-agent', 'cs-agent', 'auditor', 'key'],
    other: [],
  },
  'GET /api/v1/organizations/:orgId/suppressions/hashed': {
    params: org,
    query: () => '?purpose=ad-matching&channel=email&rule=google-ads',
    own: ['dpo', 'privacy-agent', 'cs-agent', 'auditor', 'key'],
    other: [],
  },
  'POST /api/v1/organizations/:orgId/preference-links': {
    params: org,
    body: (t) => ({ identity: { email: cust(t).email }, purpose: 'communication-subscription' }),
    own: ['dpo', 'privacy-agent', 'cs-agent', 'key'],
    other: [],
    state: (p) => count('SELECT count(*) FROM consent_subjects WHERE org_id = $1', [p.orgId]),
  },

  // The consent desk in the console.
  'GET /console/consent': { own: ['dpo', 'privacy-agent', 'cs-agent', 'auditor', 'key'] },
  'POST /console/consent/find': {
    body: (t) => ({ company: orgOf(t), kind: 'email', value: cust(t).email }),
    own: ['dpo', 'privacy-agent', 'cs-agent', 'auditor', 'key'],
    other: [],
  },
  'GET /console/consent/subjects/:subjectId': {
    params: (t) => ({ subjectId: fx.subject[orgOf(t)]! }),
    own: ['dpo', 'privacy-agent', 'cs-agent', 'auditor', 'key'],
    other: [],
  },
  'POST /console/consent/subjects/:subjectId/events': {
    params: (t) => ({ subjectId: fx.subject[orgOf(t)]! }),
    body: () => ({ purpose: 'communication-subscription', channel: 'email', kind: 'withdraw' }),
    own: ['dpo', 'privacy-agent', 'cs-agent', 'key'],
    other: [],
    business: [422],
    state: (_p, t) => consentState(orgOf(t)),
  },
  // Cookie consents in the console: figures of the caller's companies, a visitor's choices by consent id.
  'GET /console/cookie-consents': { own: ['dpo', 'privacy-agent', 'cs-agent', 'auditor', 'key'] },
  'POST /console/cookie-consents/find': {
    body: (t) => ({ consentId: fx.cookie[orgOf(t)]! }),
    own: ['dpo', 'privacy-agent', 'cs-agent', 'auditor', 'key'],
    other: [],
  },
  'GET /api/v1/cookie-consents/:consentId': {
    params: (t) => ({ consentId: fx.cookie[orgOf(t)]! }),
    own: ['dpo', 'privacy-agent', 'cs-agent', 'auditor', 'key'],
    other: [],
  },

  // Webhooks: webhooks:manage (engineer, DPO, key). An endpoint without a company hears every company.
  'POST /api/v1/webhooks/endpoints': {
    params: () => ({}),
    body: (t) =>
      t === 'group'
        ? { url: 'https://hooks.example/all' }
        : { url: `https://hooks.example/${orgOf(t)}/new`, orgId: orgOf(t) },
    own: ['dpo', 'engineer', 'key'],
    other: [],
    group: [],
    state: () => count('SELECT count(*) FROM webhook_endpoints'),
  },
  'GET /api/v1/webhooks/endpoints': {
    own: ['dpo', 'engineer', 'key'],
    hidden: () => [fx.endpoint[OTHER]!, hookUrl(OTHER)],
  },
  'GET /api/v1/webhooks/deliveries': {
    own: ['dpo', 'engineer', 'key'],
    hidden: () => [...fx.deliveries[OTHER]!, hookUrl(OTHER)],
  },
  'POST /api/v1/webhooks/deliveries/:id/replay': {
    params: async (t) => ({ id: await deadDelivery(t) }),
    freshPerCaller: 'always',
    own: ['dpo', 'engineer', 'key'],
    other: [],
    state: (p) => deliveryState(p.id!),
  },
  'POST /console/webhooks/deliveries/:id/replay': {
    params: async (t) => ({ id: await deadDelivery(t) }),
    freshPerCaller: 'always',
    own: ['dpo', 'engineer', 'key'],
    other: [],
    state: (p) => deliveryState(p.id!),
  },
  'GET /console/webhooks': {
    own: ['dpo', 'engineer', 'key'],
    hidden: () => [...fx.deliveries[OTHER]!, hookUrl(OTHER)],
  },

  // Fulfilment: read (everyone with *:read, the engineer; not the CS agent), write (DPO, privacy agent, engineer, key).
  'GET /console/fulfilment/tasks': {
    own: ['dpo', 'privacy-agent', 'engineer', 'auditor', 'key'],
    hidden: () => [fx.fulfilled[OTHER]!],
  },
  // Several tasks ticked off with one note: each task's company decides, as for one.
  'POST /console/fulfilment/tasks/bulk': {
    params: (t) => ({ requestId: fx.fulfilled[orgOf(t)]!, systemId: 'crm' }),
    body: (_t, _n, p) => ({ task: [`${p.requestId}/${p.systemId}`], note: 'Done in the CRM by hand' }),
    own: ['dpo', 'privacy-agent', 'engineer', 'key'],
    other: [],
    state: (p) => taskState(p.requestId!, p.systemId!),
  },
  'POST /console/fulfilment/:requestId/tasks/:systemId': {
    params: (t) => ({ requestId: fx.fulfilled[orgOf(t)]!, systemId: 'crm' }),
    body: () => ({ status: 'done', note: 'Done in the CRM by hand' }),
    own: ['dpo', 'privacy-agent', 'engineer', 'key'],
    other: [],
    state: (p) => taskState(p.requestId!, p.systemId!),
  },
  'POST /api/v1/fulfilment/:requestId/tasks/:systemId': {
    params: (t) => ({ requestId: fx.fulfilled[orgOf(t)]!, systemId: 'shipping' }),
    body: () => ({ status: 'done', note: 'Done in the shipping portal by hand' }),
    own: ['dpo', 'privacy-agent', 'engineer', 'key'],
    other: [],
    state: (p) => taskState(p.requestId!, p.systemId!),
  },
  'POST /api/v1/fulfilment/tasks/answers': {
    params: (t) => ({ requestId: fx.fulfilled[orgOf(t)]!, systemId: 'crm' }),
    body: (_t, _n, p) => ({
      tasks: [{ requestId: p.requestId, systemId: p.systemId }],
      note: 'Done in the CRM by hand',
    }),
    own: ['dpo', 'privacy-agent', 'engineer', 'key'],
    other: [],
    state: (p) => taskState(p.requestId!, p.systemId!),
  },
  // A connector configures a system of the group (no company's row): connectors:manage (engineer, DPO).
  'POST /api/v1/fulfilment/connectors/http': {
    body: () => ({ systemId: 'survey-provider', url: 'http://127.0.0.1:9/ombud' }),
    // A connector to a system every company of the demo uses is group-wide: no Provendo-only caller.
    own: [],
    state: () => count('SELECT count(*) FROM fulfilment_http_connectors'),
  },
  'GET /api/v1/fulfilment/:requestId': {
    params: (t) => ({ requestId: fx.fulfilled[orgOf(t)]! }),
    own: ['dpo', 'privacy-agent', 'engineer', 'auditor', 'key'],
    other: [],
  },
  'GET /api/v1/fulfilment/:requestId/artifacts/:name': {
    params: (t) => ({ requestId: fx.fulfilled[orgOf(t)]!, name: 'extract.json' }),
    own: ['dpo', 'privacy-agent', 'engineer', 'auditor', 'key'],
    other: [],
  },
  'GET /console/fulfilment/:requestId': {
    params: (t) => ({ requestId: fx.fulfilled[orgOf(t)]! }),
    own: ['dpo', 'privacy-agent', 'engineer', 'auditor', 'key'],
    other: [],
  },

  // Requests: read (DPO, privacy agent, CS agent, auditor, key), write (DPO, privacy agent, CS agent, key).
  // A request to the whole group ('group') speaks for every company: nobody of Provendo alone.
  'POST /api/v1/requests': {
    params: () => ({}),
    headers: () => ({ 'idempotency-key': randomUUID() }),
    body: (t) => ({
      company: t === 'group' ? 'group' : orgOf(t),
      type: 'access',
      email: cust(t).email,
      sendCode: false,
    }),
    own: ['dpo', 'privacy-agent', 'cs-agent', 'key'],
    other: [],
    group: [],
    state: () => count('SELECT count(*) FROM dsr_requests'),
  },
  'GET /api/v1/requests': {
    own: ['dpo', 'privacy-agent', 'cs-agent', 'auditor', 'key'],
    hidden: otherRequestsAndCustomer,
  },
  'GET /api/v1/requests/:id': {
    params: (t) => ({ id: t === 'group' ? fx.groupRequest : fx.fulfilled[orgOf(t)]! }),
    own: ['dpo', 'privacy-agent', 'cs-agent', 'auditor', 'key'],
    other: [],
    group: [],
  },
  'POST /api/v1/requests/:id/assign': act({ assignee: 'someone@staff.example' }),
  'POST /api/v1/requests/:id/notes': act({ note: 'Called the customer back.' }),
  'POST /api/v1/requests/:id/verify-manual': act({ note: 'ID seen: passport' }, { verified: false }),
  'POST /api/v1/requests/:id/start': act({}),
  'POST /api/v1/requests/:id/extend': act({ reason: 'Many systems to search.' }),
  'POST /api/v1/requests/:id/complete': act({ outcome: 'Done.' }),
  'POST /api/v1/requests/:id/refusal-warning': act({ ground: 'excessive', reason: 'The fifth in a week.' }),
  'POST /api/v1/requests/:id/refuse': act(
    { ground: 'excessive', reason: 'The fifth in a week.' },
    { before: [WARNED] },
  ),
  'POST /api/v1/requests/:id/fee': act(FEE, { before: [WARNED] }),
  'POST /api/v1/requests/:id/fee/paid': act({ note: 'Paid by card' }, { before: [WARNED, CHARGED] }),
  'POST /api/v1/requests/:id/fee/waive': act({ reason: 'Goodwill' }, { before: [WARNED, CHARGED] }),
  'POST /api/v1/requests/:id/objection-decision': act(
    { upheld: true, balancingNote: 'Surveys are optional.' },
    { type: 'objection', purposeId: 'surveys' },
  ),
  // On a company's own request these are "not a group request" (409/422); on a group request, denied.
  'POST /api/v1/requests/:id/no-data': act(
    { note: 'Checked every system.' },
    { group: true, business: [409] },
  ),
  'POST /api/v1/requests/:id/route': act(
    { orgIds: [OWN], note: 'Found in the web shop.' },
    { group: true, business: [409] },
  ),
  'POST /api/v1/requests/:id/approve': act({}),
  // A company's own request is "not a group request" (409); a group request not yet split is not
  // readable by a person of Provendo alone (404).
  'POST /api/v1/requests/:id/group/approve': act({}, { group: true, business: [409] }),
  'POST /api/v1/requests/:id/group/refusal-warning': act(
    { ground: 'excessive', reason: 'The fifth in a week.' },
    { group: true, business: [409] },
  ),
  'POST /api/v1/requests/:id/group/refuse': act(
    { ground: 'excessive', reason: 'The fifth in a week.' },
    { group: true, business: [409] },
  ),
  'POST /api/v1/requests/:id/group/extend': act(
    { reason: 'Many systems to search.' },
    { group: true, business: [409] },
  ),
  // The run did not fail: "nothing to retry" (409) once the row-level decision let the caller through.
  'POST /api/v1/requests/:id/fulfilment/retry': act({}, { business: [409] }),
  'GET /api/v1/requests/:id/fulfilment': {
    params: (t) => ({ id: fx.fulfilled[orgOf(t)]! }),
    own: ['dpo', 'privacy-agent', 'cs-agent', 'auditor', 'key'],
    other: [],
  },
  'POST /api/v1/requests/:id/results': act({
    filename: 'letter.txt',
    contentType: 'text/plain',
    contentBase64: Buffer.from('Your data').toString('base64'),
  }),
  'GET /console/requests': {
    own: ['dpo', 'privacy-agent', 'cs-agent', 'auditor', 'key'],
    hidden: otherRequestsAndCustomer,
  },
  'GET /console/requests/new': { own: ['dpo', 'privacy-agent', 'cs-agent', 'key'] },
  'POST /console/requests/new': {
    params: () => ({}),
    body: (t) => ({
      company: t === 'group' ? 'group' : orgOf(t),
      type: 'erasure',
      email: cust(t).email,
      idCheck: 'ID seen: passport',
    }),
    own: ['dpo', 'privacy-agent', 'cs-agent', 'key'],
    other: [],
    group: [],
    state: () => count('SELECT count(*) FROM dsr_requests'),
  },
  'GET /console/requests/:id': {
    params: (t) => ({ id: t === 'group' ? fx.groupRequest : fx.fulfilled[orgOf(t)]! }),
    own: ['dpo', 'privacy-agent', 'cs-agent', 'auditor', 'key'],
    other: [],
    group: [],
  },
  'POST /console/requests/:id/action': {
    ...act({ action: 'note', note: 'Called the customer back.' }),
    business: [409, 422],
  },
  'GET /console/outbox': {
    own: ['dpo', 'privacy-agent', 'cs-agent', 'auditor', 'key'],
    hidden: otherRequestsAndCustomer,
  },
  'GET /console/inbox': {
    own: ['dpo', 'privacy-agent', 'cs-agent', 'auditor', 'key'],
    hidden: () => [
      sha12(fx.customer[OTHER]!.email),
      `${fx.customer[OTHER]!.first} ${fx.customer[OTHER]!.last}`,
    ],
  },

  // Retention: read (DPO, privacy agent, auditor, key), run (DPO, privacy agent). A run sweeps the
  // group's shared systems for every company: a group-wide row, and starting one a group-wide action.
  'GET /console/retention': {
    own: ['dpo', 'privacy-agent', 'auditor', 'key'],
    hidden: () => [fx.retentionRun],
  },
  'GET /console/retention/runs/:id': { params: () => ({ id: fx.retentionRun }), group: [] },
  'POST /console/retention/run': {
    params: () => ({}),
    body: () => ({ mode: 'dry-run' }),
    group: [],
    state: () => count('SELECT count(*) FROM retention_runs'),
  },
  'GET /api/v1/retention/runs': {
    own: ['dpo', 'privacy-agent', 'auditor', 'key'],
    hidden: () => [fx.retentionRun],
  },
  'GET /api/v1/retention/runs/:id': { params: () => ({ id: fx.retentionRun }), group: [] },
  // Counts per rule of the next run (no rows, no personal data): any retention reader.
  // Retention sweeps the group's shared systems: the preview, like a run, needs the role in every company.
  'GET /api/v1/retention/preview': { own: [] },
  'POST /api/v1/retention/runs': {
    params: () => ({}),
    body: () => ({ dryRun: true }),
    group: [],
    state: () => count('SELECT count(*) FROM retention_runs'),
  },
  // Manual retention tasks come from group-wide runs: listed to those who read retention in every company
  // (a Provendo-only reader gets an empty list), ticked off by those who may run it in every company.
  'GET /api/v1/retention/tasks': {
    query: () => '?status=all',
    own: ['dpo', 'privacy-agent', 'auditor', 'key'],
    hidden: () => [fx.retentionTask],
  },
  'POST /api/v1/retention/tasks/:id': {
    params: () => ({ id: fx.retentionTask }),
    body: () => ({ status: 'done', note: 'Deleted in the portal' }),
    group: [],
    state: (p) => count("SELECT count(*) FROM retention_tasks WHERE id = $1 AND status = 'open'", [p.id]),
  },
  'POST /console/retention/tasks/:id': {
    params: () => ({ id: fx.retentionTask }),
    body: () => ({ status: 'done', note: 'Deleted in the portal' }),
    group: [],
    state: (p) => count("SELECT count(*) FROM retention_tasks WHERE id = $1 AND status = 'open'", [p.id]),
  },

  // Legal holds: a company's. Seen by readers of the company (DPO, privacy agent, auditor, the key with
  // holds:read); placed and lifted by the DPO and the privacy agent there. The key holds no holds:write.
  // Audience segments (P44): read with consent:read in the company, exported with consent:write there. The
  // test server runs no systems, so an allowed export is answered 409 on the merits.
  'GET /api/v1/organizations/:orgId/audiences': {
    params: org,
    own: ['dpo', 'privacy-agent', 'cs-agent', 'auditor', 'key'],
    other: [],
  },
  'GET /api/v1/organizations/:orgId/audiences/:segmentId/exports': {
    params: segment,
    own: ['dpo', 'privacy-agent', 'cs-agent', 'auditor', 'key'],
    other: [],
  },
  'POST /api/v1/organizations/:orgId/audiences/:segmentId/exports': {
    params: segment,
    own: ['dpo', 'privacy-agent', 'cs-agent', 'key'],
    other: [],
    business: [409],
    state: (p) => count('SELECT count(*) FROM audience_exports WHERE org_id = $1', [p.orgId]),
  },
  // The console's page lists only the companies the caller may read: Provendo's segment, never NestIT's.
  'GET /console/audiences': {
    own: ['dpo', 'privacy-agent', 'cs-agent', 'auditor', 'key'],
    hidden: () => ['recent-buyers-se-google', 'recent-buyers-se-meta'],
  },
  'POST /console/audiences/:orgId/:segmentId/export': {
    params: segment,
    own: ['dpo', 'privacy-agent', 'cs-agent', 'key'],
    other: [],
    business: [409],
    state: (p) => count('SELECT count(*) FROM audience_exports WHERE org_id = $1', [p.orgId]),
  },
  'GET /api/v1/organizations/:orgId/audience-exports/:exportId/files/:name': {
    params: audienceFile,
    own: ['dpo', 'privacy-agent', 'cs-agent', 'auditor', 'key'],
    other: [],
  },
  'GET /api/v1/organizations/:orgId/holds': {
    params: org,
    own: ['dpo', 'privacy-agent', 'auditor', 'key'],
    other: [],
    hidden: () => [fx.hold[OTHER]!],
  },
  'GET /console/holds': {
    own: ['dpo', 'privacy-agent', 'auditor', 'key'],
    hidden: () => [fx.hold[OTHER]!],
  },
  'POST /api/v1/organizations/:orgId/holds': {
    params: org,
    body: () => holdBody(),
    own: ['dpo', 'privacy-agent'],
    other: [],
    state: (p) => count('SELECT count(*) FROM legal_holds WHERE org_id = $1', [p.orgId]),
  },
  'POST /console/holds': {
    params: org,
    body: (t) => ({
      orgId: orgOf(t),
      reasonKind: 'authority-decision',
      reason: 'Decision of the data protection authority, ref. IMY-2026-1',
      scopeKind: 'subject',
      email: 'nobody.held@example.test',
      reviewOn: reviewDay(),
    }),
    own: ['dpo', 'privacy-agent'],
    other: [],
    state: (p) => count('SELECT count(*) FROM legal_holds WHERE org_id = $1', [p.orgId]),
  },
  'POST /api/v1/holds/:id/lift': {
    params: async (t) => ({ id: await placedHold(orgOf(t)) }),
    body: () => ({ reason: 'The authority closed the case.' }),
    own: ['dpo', 'privacy-agent'],
    other: [],
    freshPerCaller: true,
    state: (p) => one('SELECT lifted_at, lifted_by FROM legal_holds WHERE id = $1', [p.id]),
  },
  'POST /console/holds/:id/lift': {
    params: async (t) => ({ id: await placedHold(orgOf(t)) }),
    body: () => ({ reason: 'The authority closed the case.' }),
    own: ['dpo', 'privacy-agent'],
    other: [],
    freshPerCaller: true,
    state: (p) => one('SELECT lifted_at, lifted_by FROM legal_holds WHERE id = $1', [p.id]),
  },
  // Personal data breaches: a breach concerns the companies it was recorded for (then those its scope
  // found). Seen by readers of each (DPO, privacy agent, auditor; the key holds no breaches:read);
  // recorded, scoped, assessed, drafted and told by the DPO and the privacy agent. Assessing, drafting and
  // marking notified an unscoped breach are business answers (409); telling a high-risk one is queued (202).
  'GET /api/v1/breaches': {
    own: ['dpo', 'privacy-agent', 'auditor'],
    hidden: () => [fx.breach[OTHER]!],
  },
  'GET /console/breaches': {
    own: ['dpo', 'privacy-agent', 'auditor'],
    hidden: () => [fx.breach[OTHER]!],
  },
  'POST /api/v1/breaches': {
    params: org,
    body: (t) => breachBody(orgOf(t)),
    own: ['dpo', 'privacy-agent'],
    other: [],
    state: (p) => count('SELECT count(*) FROM breaches WHERE org_ids = $1::text[]', [[p.orgId]]),
  },
  'GET /api/v1/breaches/:id': {
    params: (t) => ({ id: fx.breach[orgOf(t)]! }),
    own: ['dpo', 'privacy-agent', 'auditor'],
    other: [],
  },
  'GET /console/breaches/:id': {
    params: (t) => ({ id: fx.breach[orgOf(t)]! }),
    own: ['dpo', 'privacy-agent', 'auditor'],
    other: [],
  },
  'PATCH /api/v1/breaches/:id': {
    params: (t) => ({ id: fx.breach[orgOf(t)]! }),
    body: (_t, n) => ({ containment: `The share was closed (step ${n}).` }),
    own: ['dpo', 'privacy-agent'],
    other: [],
    state: (p) => one('SELECT containment, updated_at FROM breaches WHERE id = $1', [p.id]),
  },
  'GET /api/v1/breaches/:id/notifications/:notificationId': {
    params: (t) => ({ id: fx.breach[orgOf(t)]!, notificationId: fx.breachNotification[orgOf(t)]! }),
    own: ['dpo', 'privacy-agent', 'auditor'],
    other: [],
  },
  'POST /api/v1/breaches/:id/scope': {
    params: async (t) => ({ id: await recordedBreach(orgOf(t)) }),
    own: ['dpo', 'privacy-agent'],
    other: [],
    freshPerCaller: true,
    state: (p) => one('SELECT scope, org_ids, updated_at FROM breaches WHERE id = $1', [p.id]),
  },
  'POST /api/v1/breaches/:id/assessment': {
    params: (t) => ({ id: fx.breach[orgOf(t)]! }),
    body: () => ({ level: 'risk', reason: 'Contact details seen by a supplier.' }),
    own: ['dpo', 'privacy-agent'],
    other: [],
    business: [409],
    state: (p) => one('SELECT risk, decision, updated_at FROM breaches WHERE id = $1', [p.id]),
  },
  'POST /api/v1/breaches/:id/notifications': {
    params: (t) => ({ id: fx.breach[orgOf(t)]! }),
    body: () => ({}),
    own: ['dpo', 'privacy-agent'],
    other: [],
    business: [409],
    state: (p) => count('SELECT count(*) FROM breach_notifications WHERE breach_id = $1', [p.id]),
  },
  'POST /api/v1/breaches/:id/notified': {
    params: (t) => ({ id: fx.breach[orgOf(t)]! }),
    body: () => ({}),
    own: ['dpo', 'privacy-agent'],
    other: [],
    business: [409],
    state: (p) => one('SELECT notified_at FROM breaches WHERE id = $1', [p.id]),
  },
  // Telling is queued (202): a high-risk breach of the company; the queue only sends here (an API process),
  // so the job stays queued and what the route writes at once is read back: the timeline and the job table.
  'POST /api/v1/breaches/:id/tell': {
    params: (t) => ({ id: fx.breachHighRisk[orgOf(t)]! }),
    body: () => ({}),
    own: ['dpo', 'privacy-agent'],
    other: [],
    state: (p) => tellQueued(p.id!),
  },

  // The console's forms on a breach's page: the same service calls as the API's routes above, answered with
  // a redirect back to the page; the same callers, the same business answers (409).
  'POST /console/breaches/:id/scope': {
    params: async (t) => ({ id: await recordedBreach(orgOf(t)) }),
    own: ['dpo', 'privacy-agent'],
    other: [],
    freshPerCaller: true,
    state: (p) => one('SELECT scope, org_ids, updated_at FROM breaches WHERE id = $1', [p.id]),
  },
  'POST /console/breaches/:id/assessment': {
    params: (t) => ({ id: fx.breach[orgOf(t)]! }),
    body: () => ({ level: 'risk', reason: 'Contact details seen by a supplier.' }),
    own: ['dpo', 'privacy-agent'],
    other: [],
    business: [409],
    state: (p) => one('SELECT risk, decision, updated_at FROM breaches WHERE id = $1', [p.id]),
  },
  'POST /console/breaches/:id/notifications': {
    params: (t) => ({ id: fx.breach[orgOf(t)]! }),
    body: () => ({}),
    own: ['dpo', 'privacy-agent'],
    other: [],
    business: [409],
    state: (p) => count('SELECT count(*) FROM breach_notifications WHERE breach_id = $1', [p.id]),
  },
  'POST /console/breaches/:id/notified': {
    params: (t) => ({ id: fx.breach[orgOf(t)]! }),
    own: ['dpo', 'privacy-agent'],
    other: [],
    business: [409],
    state: (p) => one('SELECT notified_at FROM breaches WHERE id = $1', [p.id]),
  },
  'POST /console/breaches/:id/tell': {
    params: (t) => ({ id: fx.breachHighRisk[orgOf(t)]! }),
    own: ['dpo', 'privacy-agent'],
    other: [],
    state: (p) => tellQueued(p.id!),
  },

  // Analytics exports: a company's. Seen and downloaded by readers of analytics in the company (DPO, privacy
  // agent, auditor: every read); run by the DPO and the privacy agent. The key holds no analytics permission.
  'GET /api/v1/organizations/:orgId/analytics/exports': {
    params: org,
    own: ['dpo', 'privacy-agent', 'auditor'],
    other: [],
    hidden: () => [fx.analytics[OTHER]!],
  },
  'GET /console/analytics': {
    own: ['dpo', 'privacy-agent', 'auditor'],
    hidden: () => [fx.analytics[OTHER]!],
  },
  'POST /api/v1/organizations/:orgId/analytics/exports': {
    params: org,
    body: () => analyticsBody(),
    own: ['dpo', 'privacy-agent'],
    other: [],
    state: (p) => count('SELECT count(*) FROM analytics_exports WHERE org_id = $1', [p.orgId]),
  },
  'GET /api/v1/analytics/exports/:id/file': {
    params: (t) => ({ id: fx.analytics[orgOf(t)]! }),
    own: ['dpo', 'privacy-agent', 'auditor'],
    other: [],
  },
};

const breachBody = (orgId: string) => ({
  title: `A breach at ${orgId}`,
  description: 'A laptop with an export of the web shop customers was stolen.',
  detectedAt: ts.app.now().toISOString(),
  awareAt: ts.app.now().toISOString(),
  affected: [{ dataset: 'nestit_webshop', collection: 'customers' }],
  orgIds: [orgId],
});
/** What a press of "tell" writes at once: its timeline line, its job, and who was listed (nobody, queued only). */
const tellQueued = async (id: string) => ({
  events: await count("SELECT count(*) FROM breach_events WHERE breach_id = $1 AND kind = 'tell-queued'", [
    id,
  ]),
  jobs: await count(
    "SELECT count(*) FROM pgboss.job WHERE name = 'ombud-breach-tell' AND singleton_key = $1",
    [id],
  ),
  listed: await count('SELECT count(*) FROM breach_recipients WHERE breach_id = $1', [id]),
});
/** A breach recorded by the group owner for the company. */
async function recordedBreach(orgId: string): Promise<string> {
  const res = await admin('POST', '/api/v1/breaches', breachBody(orgId));
  if (res.statusCode !== 201) throw new Error(`breach for ${orgId}: ${res.statusCode} ${res.body}`);
  return res.json().id as string;
}

/** An aggregate export of the company (a cheap one: a few pseudonymised order rows per company). */
const analyticsBody = () => ({
  purpose: 'customer-analyses',
  export: 'orders-by-country-and-product',
  format: 'csv',
});
async function analyticsExport(orgId: string): Promise<string> {
  const res = await admin('POST', `/api/v1/organizations/${orgId}/analytics/exports`, analyticsBody());
  if (res.statusCode !== 201) throw new Error(`analytics export for ${orgId}: ${res.statusCode} ${res.body}`);
  return res.json().id as string;
}

/** A day 90 days after the app's clock: a hold's review day. */
const reviewDay = () => new Date(ts.app.now().getTime() + 90 * 86_400_000).toISOString().slice(0, 10);
const holdBody = () => ({
  reasonKind: 'authority-decision',
  reason: 'Decision of the data protection authority, ref. IMY-2026-1',
  // A subject the demo systems do not hold: the hold marks nothing, so the table's calls stay quick.
  scope: { kind: 'subject', email: 'nobody.held@example.test' },
  reviewOn: reviewDay(),
});
/** A standing hold of the company, placed by the group owner. */
async function placedHold(orgId: string): Promise<string> {
  const res = await admin('POST', `/api/v1/organizations/${orgId}/holds`, holdBody());
  if (res.statusCode !== 201) throw new Error(`hold for ${orgId}: ${res.statusCode} ${res.body}`);
  return res.json().id as string;
}

/** A request route changing a request: its own fresh request per target, state read back on denial. */
function act(
  body: Record<string, unknown>,
  opts: {
    verified?: boolean;
    type?: string;
    purposeId?: string;
    group?: boolean;
    /** Business answers accepted as 'ok' (the row is not in a state for the action). */
    business?: number[];
    /** Earlier steps, done by the group owner, that put the request in a state for the action. */
    before?: { path: string; body: Record<string, unknown> }[];
  } = {},
): Route {
  return {
    params: async (t) => {
      const id = await fileRequest(t === 'group' ? 'group' : orgOf(t), {
        type: opts.type ?? 'erasure',
        purposeId: opts.purposeId,
        verified: t === 'group' ? false : (opts.verified ?? true),
      });
      for (const step of opts.before ?? []) {
        const res = await admin('POST', `/api/v1/requests/${id}/${step.path}`, step.body);
        if (res.statusCode !== 200) throw new Error(`${step.path} on ${id}: ${res.statusCode} ${res.body}`);
      }
      return { id };
    },
    body: () => body,
    own: ['dpo', 'privacy-agent', 'cs-agent', 'key'],
    other: [],
    ...(opts.group ? { group: [] } : {}),
    freshPerCaller: true,
    business: opts.business,
    state: (p) => requestState(p.id!),
  };
}

// ---------------------------------------------------------------------------------------------------
// Real rows, created in beforeAll (and per route where a route changes its row).
// ---------------------------------------------------------------------------------------------------

type Customer = { email: string; phone: string; first: string; last: string };
const fx = {
  customer: {} as Record<string, Customer>,
  /** An access request per company, verified, fulfilled (extract) and with open manual tasks. */
  fulfilled: {} as Record<string, string>,
  groupRequest: '',
  requests: { [OWN]: [], [OTHER]: [], group: [] } as Record<string, string[]>,
  subject: {} as Record<string, string>,
  cookie: {} as Record<string, string>,
  endpoint: {} as Record<string, string>,
  deliveries: {} as Record<string, string[]>,
  apiKeys: {} as Record<string, string>,
  otherPersonEmail: '',
  retentionRun: '',
  /** A manual retention task (opened by a real run for a day long past, which ends no row). */
  retentionTask: '',
  /** A standing legal hold per company. */
  hold: {} as Record<string, string>,
  breach: {} as Record<string, string>,
  breachNotification: {} as Record<string, string>,
  breachHighRisk: {} as Record<string, string>,
  analytics: {} as Record<string, string>,
};

let ts: TestServer;
let catcher: MailCatcher;
const auth = new Map<Caller, Record<string, string>>();
let seq = 0;

const orgOf = (t: Target) => (t === 'other' ? OTHER : OWN);
const cust = (t: Target) => fx.customer[t === 'group' ? 'group' : orgOf(t)]!;
const hookUrl = (o: string) => `https://hooks.example/${o}/endpoint`;
const sha12 = (email: string) => createHash('sha256').update(email.toLowerCase()).digest('hex').slice(0, 12);
const consentBody = (t: Target) => ({
  identity: { email: cust(t).email },
  purpose: 'communication-subscription',
  channel: 'email',
  wording: 'Yes, send me newsletters by e-mail.',
  source: 'checkout',
});
function org(t: Target): Params {
  return { orgId: orgOf(t) };
}
function otherRowIds(): string[] {
  return [fx.fulfilled[OTHER]!, fx.subject[OTHER]!];
}
/** Requests of the other company and of the whole group (a group request belongs to every company). */
function otherRequestsAndCustomer(): string[] {
  return [...fx.requests[OTHER]!, fx.customer[OTHER]!.email, ...fx.requests.group!, fx.customer.group!.email];
}

const admin = (
  method: 'GET' | 'POST',
  url: string,
  payload?: unknown,
  headers: Record<string, string> = {},
) =>
  ts.server.inject({
    method,
    url,
    headers: { cookie: ts.cookie, ...SAME_ORIGIN, ...headers },
    ...(payload === undefined ? {} : { payload: payload as object }),
  });

/** A segment of the target's company in the demo register. */
function segment(t: Target): Params {
  return {
    orgId: orgOf(t),
    segmentId: t === 'other' ? 'recent-buyers-se-google' : 'account-holders-no-google',
  };
}

/** A recorded export of the target's company with one file of hashes (written as the export service stores it). */
async function audienceFile(t: Target): Promise<Params> {
  const { orgId, segmentId } = segment(t);
  const exportId = randomUUID();
  await ts.app.db.query(
    `INSERT INTO audience_exports (id, org_id, segment_id, purpose_id, legal_basis, recipient, rule_id, kind, created_at,
       created_by, candidates, members, added, removed, skipped, excluded)
     VALUES ($1, $2, $3, 'ad-matching', 'legitimate-interests', 'google-ads', 'google-ads@2', 'manual', now(), 'system:ombud', 1, 1, 1, 0, 0, '{}')`,
    [exportId, orgId, segmentId],
  );
  await ts.app.db.query(
    `INSERT INTO audience_files (export_id, name, role, media_type, rows, content) VALUES ($1, 'x-add.csv', 'add', 'text/csv; charset=utf-8', 1, $2)`,
    [exportId, Buffer.from(`Email\n${'a'.repeat(64)}\n`)],
  );
  return { orgId, exportId, name: 'x-add.csv' };
}

async function count(sql: string, args: unknown[] = []): Promise<number> {
  const [r] = await ts.app.db.query<{ count: string | number }>(sql, args);
  return Number(r!.count);
}
const one = async (sql: string, args: unknown[]) => (await ts.app.db.query(sql, args))[0];
const requestState = (id: string) =>
  one(
    `SELECT r.state, r.assignee, r.extension_reason, r.due_date, r.decision, r.org_id,
            (SELECT count(*)::int FROM dsr_events e WHERE e.request_id = r.id) AS events,
            (SELECT count(*)::int FROM dsr_deliveries d WHERE d.request_id = r.id) AS deliveries,
            (SELECT count(*)::int FROM dsr_fees f WHERE f.request_id = r.id) AS fees,
            (SELECT count(*)::int FROM fulfilment_runs f WHERE f.request_id = r.id::text) AS runs,
            (SELECT count(*)::int FROM dsr_requests c WHERE c.scope->>'parent' = r.id::text) AS children
       FROM dsr_requests r WHERE r.id = $1`,
    [id],
  );
const consentState = (orgId: string) =>
  one(
    `SELECT (SELECT count(*)::int FROM consent_events WHERE org_id = $1) AS events,
            (SELECT count(*)::int FROM consent_subjects WHERE org_id = $1) AS subjects`,
    [orgId],
  );
const taskState = (requestId: string, systemId: string) =>
  one(
    'SELECT status, note, done_by FROM fulfilment_recipient_tasks WHERE request_id = $1 AND system_id = $2',
    [requestId, systemId],
  );
const deliveryState = (id: string) =>
  one('SELECT status, attempts FROM webhook_deliveries WHERE id = $1', [id]);
const userState = (id: string) =>
  one('SELECT disabled_at, reset_token_hash, reset_expires_at FROM users WHERE id = $1', [id]);
const rolesState = (userId: string) =>
  ts.app.db.query('SELECT org_id, role FROM role_assignments WHERE user_id = $1 ORDER BY org_id, role', [
    userId,
  ]);
const keyState = (id: string) =>
  one(
    'SELECT revoked_at, (SELECT count(*)::int FROM api_keys k WHERE k.rotated_from = a.id) AS rotations FROM api_keys a WHERE id = $1',
    [id],
  );

/** File a request for a company (or the group) as the group owner; optionally verified by an ID check. */
async function fileRequest(
  company: string,
  opts: { type?: string; purposeId?: string; verified?: boolean } = {},
): Promise<string> {
  const c = fx.customer[company]!;
  const res = await admin(
    'POST',
    '/api/v1/requests',
    {
      company,
      type: opts.type ?? 'erasure',
      email: c.email,
      name: `${c.first} ${c.last}`,
      ...(opts.purposeId ? { purposeId: opts.purposeId } : {}),
      sendCode: false,
    },
    { 'idempotency-key': randomUUID() },
  );
  if (res.statusCode !== 201) throw new Error(`filing for ${company}: ${res.statusCode} ${res.body}`);
  const id = res.json().requests[0].id as string;
  fx.requests[company]!.push(id);
  if (opts.verified) {
    const v = await admin('POST', `/api/v1/requests/${id}/verify-manual`, { note: 'ID seen: passport' });
    if (v.statusCode !== 200) throw new Error(`verifying ${id}: ${v.statusCode} ${v.body}`);
  }
  return id;
}

/** A staff member holding one role at the target's company only, for the people routes. */
async function person(t: Target): Promise<string> {
  const o = orgOf(t);
  const u = await createAdmin(ts.app.db, SYSTEM_ACTOR, {
    email: `person-${t}-${++seq}@staff.example`,
    password: 'a long enough test passphrase',
    owner: false,
  });
  await grantRole(ts.app.db, SYSTEM_ACTOR, { userId: u.id, orgId: o, role: 'auditor' });
  return u.id;
}

async function apiKey(t: Target): Promise<string> {
  const { apiKey: k } = await createApiKey(ts.app.db, SYSTEM_ACTOR, {
    name: `matrix ${t}`,
    orgIds: [orgOf(t)],
    permissions: ['register:read'],
  });
  return k.id;
}

/** A dead delivery of a consent change to the target company's endpoint: replay puts it back in line. */
async function deadDelivery(t: Target): Promise<string> {
  const o = orgOf(t);
  const res = await admin('POST', `/api/v1/organizations/${o}/consents`, consentBody(t), {
    'idempotency-key': randomUUID(),
  });
  if (res.statusCode !== 201) throw new Error(`consent for ${o}: ${res.statusCode} ${res.body}`);
  const [d] = await ts.app.db.query<{ id: string }>(
    `SELECT d.id FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
      WHERE e.org_id = $1 AND d.event_id = $2`,
    [o, res.json().event.id],
  );
  await markDead(ts.app.db, d!.id);
  fx.deliveries[o]!.push(d!.id);
  return d!.id;
}

async function waitFor(what: string, pred: () => Promise<boolean>, ms = 60_000) {
  const end = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  ts = await startTestServer({ fulfilment: 'embedded' });
  const app: App = ts.app;
  ts.configure({ secretKeys: `k1:${randomBytes(32).toString('base64')}` });
  catcher = await startMailCatcher(app.db, { port: 0 });
  ts.configure({ smtpUrl: catcher.url, mailFrom: 'NestIT privacy <privacy@nestit.example>' });
  // Replays need the delivery queue; nothing is sent in this test.
  ts.workers.propagator = { queue: async () => {}, stop: async () => {} } as unknown as Workers['propagator'];
  // The breach telling queue as an API process has it: jobs are queued, none is run here.
  await BreachTellQueue.start(
    app,
    ts.workers,
    async () => {
      throw new Error('no telling job runs in the matrix');
    },
    { consume: false },
  );
  // Retention over the demo systems the fulfilment worker uses (no schedule: runs only on demand).
  const systems = ts.workers.subjectSystems!;
  ts.workers.retention = {
    systems,
    deps: async (actor: import('../../src/services/audit/auditLog.ts').Actor) => ({
      db: app.db,
      actor,
      index: (await app.registers.get())!.index,
      datasets: systems.datasets,
      connectors: systems.connectors,
      secret: app.config.secret!,
      now: app.now,
    }),
    stop: async () => {},
  } as unknown as RetentionWorker;

  // The callers: one Provendo-only user per role, and a Provendo-only API key.
  for (const role of ROLES) {
    const u = await userWithRoles(app, ts.server, `matrix-${role}`, [{ orgId: OWN, role }]);
    auth.set(role, { cookie: u.cookie, ...SAME_ORIGIN });
  }
  const { key } = await createApiKey(app.db, SYSTEM_ACTOR, {
    name: 'matrix key',
    orgIds: [OWN],
    permissions: [
      'requests:read',
      'requests:write',
      'consent:read',
      'consent:write',
      'fulfilment:read',
      'fulfilment:write',
      'webhooks:manage',
      'retention:read',
      'holds:read',
      'audit:read',
      'register:read',
      'ropa:read',
    ],
  });
  auth.set('key', { authorization: `Bearer ${key}` });

  // A real customer of each company in the demo web shop (NO: Provendo, SE: NestIT Sverige).
  for (const [o, country] of [
    [OWN, 'NO'],
    [OTHER, 'SE'],
  ] as const) {
    const [c] = await app.db.query<{ email: string; phone: string; first_name: string; last_name: string }>(
      `SELECT email, phone, first_name, last_name FROM demo_webshop.customers
        WHERE country = $1 AND phone IS NOT NULL AND first_name IS NOT NULL ORDER BY id LIMIT 1`,
      [country],
    );
    if (c) fx.customer[o] = { email: c.email, phone: c.phone, first: c.first_name, last: c.last_name };
    else {
      // The small embedded seed may have no customer of this country: add one to the web shop.
      fx.customer[o] = {
        email: 'kari.nordmann.9001@example.test',
        phone: '+4790009001',
        first: 'Kari',
        last: 'Nordmann',
      };
      await app.db.query(
        `INSERT INTO demo_webshop.customers (id, customer_number, email, phone, first_name, last_name, street,
                postal_code, city, country, created_at, last_activity_at)
         VALUES (9001, 'C0009001', $1, $2, $3, $4, 'Storgata 1', '0155', 'Oslo', $5, now() - interval '100 days', now() - interval '10 days')`,
        [fx.customer[o]!.email, fx.customer[o]!.phone, fx.customer[o]!.first, fx.customer[o]!.last, country],
      );
    }
  }
  fx.customer.group = {
    email: 'group.requester@example.org',
    phone: '+46701112233',
    first: 'Gunhild',
    last: 'Grupperud',
  };

  // Webhook endpoints per company (before the consent events, so their deliveries exist).
  for (const o of [OWN, OTHER]) {
    const res = await admin('POST', '/api/v1/webhooks/endpoints', { url: hookUrl(o), orgId: o });
    if (res.statusCode !== 201) throw new Error(`endpoint: ${res.statusCode} ${res.body}`);
    fx.endpoint[o] = res.json().id;
    fx.deliveries[o] = [];
  }

  for (const o of [OWN, OTHER]) {
    const t: Target = o === OWN ? 'own' : 'other';
    // A consent subject with an event (and its webhook delivery).
    await deadDelivery(t);
    const [s] = await app.db.query<{ subject_id: string }>(
      'SELECT subject_id FROM consent_events WHERE org_id = $1 ORDER BY seq LIMIT 1',
      [o],
    );
    fx.subject[o] = s!.subject_id;
    // A cookie-banner choice.
    fx.cookie[o] = `matrix-${o}`.slice(0, 20);
    const c = await ts.server.inject({
      method: 'POST',
      url: '/api/v1/cookie-consents',
      payload: {
        consentId: fx.cookie[o],
        org: o,
        action: 'reject-all',
        categories: {},
        inventoryVersion: '1',
        gpc: false,
        lang: 'en',
        url: 'https://shop.example/',
      },
    });
    if (c.statusCode !== 201) throw new Error(`cookie consent: ${c.statusCode} ${c.body}`);
    // An API key of the company.
    fx.apiKeys[o] = await apiKey(t);
    // An access request, verified by an ID check and fulfilled (extract) by the worker.
    fx.fulfilled[o] = await fileRequest(o, { type: 'access', verified: true });
  }
  fx.otherPersonEmail = `colleague-${OTHER}@staff.example`;
  const colleague = await createAdmin(app.db, SYSTEM_ACTOR, {
    email: fx.otherPersonEmail,
    password: 'a long enough test passphrase',
    owner: false,
  });
  await grantRole(app.db, SYSTEM_ACTOR, { userId: colleague.id, orgId: OTHER, role: 'privacy-agent' });
  // A request to the whole group.
  fx.groupRequest = await fileRequest('group', { type: 'access' });
  // A group-wide retention run (a dry run).
  const run = await admin('POST', '/api/v1/retention/runs', { dryRun: true });
  if (run.statusCode !== 201) throw new Error(`retention run: ${run.statusCode} ${run.body}`);
  fx.retentionRun = run.json().runId;
  // A real run for 2000-01-01: no row of the demo systems has ended by then, but the systems with no
  // interface get their manual task of the month.
  const past = await admin('POST', '/api/v1/retention/runs', { today: '2000-01-01' });
  if (past.statusCode !== 201) throw new Error(`retention run: ${past.statusCode} ${past.body}`);
  const [task] = await app.db.query<{ id: string }>(
    "SELECT id FROM retention_tasks WHERE system = 'shipping' AND rule = 'order-data' AND period = '2000-01'",
  );
  if (!task) throw new Error('retention run: no manual task for shipping');
  fx.retentionTask = task.id;
  for (const o of [OWN, OTHER]) fx.hold[o] = await placedHold(o);
  // A breach of each company with a drafted notification (the row as the drafting stores it).
  // A breach of each company whose risk is decided as high (the row as the assessment stores it; a scope of
  // the demo's customers would make it concern both companies): its people may be told.
  for (const o of [OWN, OTHER]) {
    fx.breachHighRisk[o] = await recordedBreach(o);
    await app.db.query("UPDATE breaches SET risk = $2::jsonb, decision = 'notify' WHERE id = $1", [
      fx.breachHighRisk[o],
      JSON.stringify({
        factors: {},
        suggested: { level: 'high-risk', likelihood: 'high', severity: 'high', reasons: [] },
        level: 'high-risk',
        reason: 'Matrix: tell the customers.',
        decidedBy: 'system:ombud',
        decidedAt: app.now().toISOString(),
      }),
    ]);
  }
  for (const o of [OWN, OTHER]) {
    fx.breach[o] = await recordedBreach(o);
    fx.breachNotification[o] = randomUUID();
    await app.db.query(
      `INSERT INTO breach_notifications (id, breach_id, org_id, authority_id, lang, phase, content, created_by, created_at)
       VALUES ($1, $2, $3, $4, $5, 1, $6::jsonb, 'system:ombud', $7)`,
      [
        fx.breachNotification[o],
        fx.breach[o],
        o,
        o === OWN ? 'no-datatilsynet' : 'se-imy',
        o === OWN ? 'nb' : 'sv',
        JSON.stringify({ breach: 'B-matrix', phase: 1 }),
        app.now().toISOString(),
      ],
    );
  }
  for (const o of [OWN, OTHER]) fx.analytics[o] = await analyticsExport(o);

  for (const o of [OWN, OTHER]) {
    const id = fx.fulfilled[o]!;
    await waitFor(
      `the extract of ${o}`,
      async () =>
        (
          await ts.app.db.query(
            "SELECT 1 FROM fulfilment_artifacts WHERE request_id = $1 AND name = 'extract.json'",
            [id],
          )
        ).length > 0,
    );
    await waitFor(
      `the completion of ${o}`,
      async () =>
        (await ts.app.db.query("SELECT 1 FROM dsr_requests WHERE id = $1 AND state = 'completed'", [id]))
          .length > 0,
    );
    // Open manual tasks (systems without an interface) on the run.
    for (const systemId of ['crm', 'shipping'])
      await notifyRecipient(
        app.db,
        { callbackBaseUrl: 'http://localhost' },
        {
          requestId: id,
          orgId: o,
          action: 'erasure',
          systemId,
          identities: { email: fx.customer[o]!.email },
          now: app.now(),
        },
      );
  }
  // The mails so far are in the demo inbox; from here on mail waits in the outbox (faster, and shown there).
  const { flushMail } = await import('../../src/services/requests/store.ts');
  await flushMail(app);
  ts.configure({ smtpUrl: undefined });
}, 180_000);

afterAll(async () => {
  await catcher?.close();
  await ts?.close();
});

// ---------------------------------------------------------------------------------------------------
// One case: a caller, a route, a target row.
// ---------------------------------------------------------------------------------------------------

type Outcome = 'ok' | 'deny';
const paramCache = new Map<string, Params>();

async function runCase(key: string, r: Route, t: Target, caller: Caller, expected: Outcome) {
  const [method, url] = key.split(' ') as [string, string];
  const fresh = r.freshPerCaller === 'always' || (r.freshPerCaller && expected === 'ok');
  const cacheKey = `${key}|${t}${fresh ? `|${caller}` : ''}`;
  if (!paramCache.has(cacheKey)) paramCache.set(cacheKey, r.params ? await r.params(t) : {});
  const p = paramCache.get(cacheKey)!;
  const path = url.replace(/:(\w+)/g, (_m, name: string) => {
    if (!(name in p)) throw new Error(`${key}: no value for :${name}`);
    return encodeURIComponent(p[name]!);
  });
  const before = expected === 'deny' && r.state ? JSON.stringify(await r.state(p, t)) : undefined;
  const res = await ts.server.inject({
    method: method as 'GET',
    url: path + (r.query?.(t) ?? ''),
    headers: { accept: 'application/json', ...auth.get(caller)!, ...(r.headers?.() ?? {}) },
    ...(method === 'POST' || method === 'PATCH' ? { payload: (r.body?.(t, ++seq, p) ?? {}) as object } : {}),
  });
  const s = res.statusCode;
  const problems: string[] = [];
  if (expected === 'ok') {
    if (!(s < 400 || r.business?.includes(s))) problems.push(`expected ok: ${short(res.body)}`);
    const shown = s < 400 ? (r.hidden?.() ?? []).filter((h) => res.body.includes(h)) : [];
    if (shown.length)
      problems.push(
        `shows another company's ${shown.slice(0, 3).join(', ')}${shown.length > 3 ? ` (+${shown.length - 3})` : ''}`,
      );
  } else {
    if (s !== 403 && s !== 404) problems.push(`expected 403/404: ${short(res.body)}`);
    if (r.state) {
      const after = JSON.stringify(await r.state(p, t));
      if (after !== before) problems.push(`the row changed: ${before} → ${after}`);
    }
    const c = cust(t);
    const leaked = [c.email, c.phone, `${c.first} ${c.last}`, c.last].filter((x) => res.body.includes(x));
    if (leaked.length) problems.push(`leaks ${leaked.join(', ')}`);
  }
  return { status: s, problem: problems.length ? problems.join('; ') : undefined };
}
const short = (body: string) => {
  const b = body.replace(/\s+/g, ' ');
  return b.length > 120 ? `${b.slice(0, 120)}…` : b;
};

describe('permission matrix over real rows', () => {
  test('every protected route has a row in the hand-written table', () => {
    const routes = ts.server.routeTable.filter((r) => r.permission !== 'public');
    const missing = routes.map((r) => `${r.method} ${r.url}`).filter((k) => !(k in TABLE));
    expect(missing).toEqual([]);
    const unknown = Object.keys(TABLE).filter((k) => !routes.some((r) => `${r.method} ${r.url}` === k));
    expect(unknown).toEqual([]);
  });

  test('P21 every route × role and key × own/other/group row answers as the table says', async () => {
    const routes = ts.server.routeTable.filter((r) => r.permission !== 'public');
    const unexpected: string[] = [];
    let cases = 0;
    // Denials first: the rows they probe are read back untouched before any allowed call changes them.
    for (const phase of ['deny', 'ok'] as const)
      for (const route of routes) {
        const key = `${route.method} ${route.url}`;
        const r = TABLE[key];
        if (!r) continue; // reported by the test above
        for (const t of ['own', 'other', 'group'] as const) {
          const allowed = r[t];
          if (!allowed) continue;
          for (const caller of CALLERS) {
            const expected: Outcome = allowed.includes(caller) ? 'ok' : 'deny';
            if (expected !== phase) continue;
            cases++;
            const where = `${key} as ${caller} on ${t}, expected ${expected}`;
            const started = Date.now();
            try {
              const { status, problem } = await runCase(key, r, t, caller, expected);
              if (problem) unexpected.push(`${where}, got ${status}: ${problem}`);
              if (process.env.MATRIX_DEBUG) console.log(`${where}: ${status} ${Date.now() - started} ms`);
            } catch (err) {
              unexpected.push(`${where}: ${(err as Error).message}`);
            }
          }
        }
      }
    console.log(`matrix: ${cases} cases, ${unexpected.length} unexpected\n${unexpected.join('\n')}`);
    expect(cases).toBeGreaterThan(500);
    expect(unexpected.length, `unexpected cases (listed above): ${unexpected.length}`).toBe(0);
  }, 240_000);
});

/**
 * Public in the route table (no session or key decides there), guarded by the route itself; WRITTEN BY HAND.
 * /metrics: with OMBUD_METRICS_TOKEN only its bearer opens it, from anywhere; no role's session and no API key
 * does (401). Without the token: loopback only, never a forwarded request (403). /readyz: anyone (its answer
 * says whether the process is ready: here 503, the queue workers of this test being stand-ins without a queue).
 */
const TOKEN = 'matrix-metrics-token-0123456789';
const SELF_GUARDED: {
  route: string;
  metricsToken?: string;
  who: Caller | 'anonymous' | 'token';
  remote?: string;
  forwarded?: boolean;
  status: number;
}[] = [
  ...CALLERS.map((who) => ({ route: 'GET /metrics', metricsToken: TOKEN, who, status: 401 })),
  { route: 'GET /metrics', metricsToken: TOKEN, who: 'anonymous', status: 401 },
  { route: 'GET /metrics', metricsToken: TOKEN, who: 'token', remote: '203.0.113.9', status: 200 },
  ...CALLERS.map((who) => ({ route: 'GET /metrics', who, remote: '203.0.113.9', status: 403 })),
  { route: 'GET /metrics', who: 'anonymous', remote: '203.0.113.9', status: 403 },
  { route: 'GET /metrics', who: 'anonymous', forwarded: true, status: 403 },
  { route: 'GET /metrics', who: 'anonymous', status: 200 },
  ...CALLERS.map((who) => ({ route: 'GET /readyz', who, remote: '203.0.113.9', status: 503 })),
  { route: 'GET /readyz', who: 'anonymous', remote: '203.0.113.9', status: 503 },
];

describe('public routes that guard themselves', () => {
  test('/metrics opens to its token (or loopback without one), never to a session or an API key; /readyz to anyone', async () => {
    const wrong: string[] = [];
    try {
      for (const c of SELF_GUARDED) {
        ts.configure({ metricsToken: c.metricsToken });
        const headers =
          c.who === 'anonymous'
            ? {}
            : c.who === 'token'
              ? { authorization: `Bearer ${TOKEN}` }
              : auth.get(c.who)!;
        const res = await ts.server.inject({
          method: 'GET',
          url: c.route.split(' ')[1]!,
          remoteAddress: c.remote ?? '127.0.0.1',
          headers: { ...headers, ...(c.forwarded ? { 'x-forwarded-for': '127.0.0.1' } : {}) },
        });
        const leaked = res.statusCode !== 200 && res.body.includes('ombud_');
        if (res.statusCode !== c.status || leaked)
          wrong.push(
            `${c.route} as ${c.who}${c.metricsToken ? ' (token set)' : ''}: ${res.statusCode} ${short(res.body)}`,
          );
      }
    } finally {
      ts.configure({ metricsToken: undefined });
    }
    expect(wrong).toEqual([]);
    expect(ts.server.routeTable.filter((r) => r.url === '/metrics' || r.url === '/readyz')).toEqual([
      { method: 'GET', url: '/metrics', permission: 'public' },
      { method: 'GET', url: '/readyz', permission: 'public' },
    ]);
  });
});

describe('authentication', () => {
  const fill = (url: string) =>
    url
      .replace(':orgId', OWN)
      .replace(/:(\w*[iI]d)\b/g, '00000000-0000-4000-8000-000000000000')
      .replace(/:role\b/, 'auditor')
      .replace(/:\w+/g, 'x');

  test('an unauthenticated call to any non-public route gets 401, whatever it sends', async () => {
    const wrong: string[] = [];
    for (const route of ts.server.routeTable.filter((r) => r.permission !== 'public')) {
      const res = await ts.server.inject({
        method: route.method as 'GET',
        url: fill(route.url),
        headers: { accept: 'application/json', ...SAME_ORIGIN },
        ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { payload: { junk: true } }),
      });
      if (res.statusCode !== 401) wrong.push(`${route.method} ${route.url}: ${res.statusCode}`);
      else expect(res.headers['content-type']).toContain('application/problem+json');
    }
    expect(wrong).toEqual([]);
  });

  test('a bad or revoked bearer key is a 401, not a fallback to the session', async () => {
    const res = await ts.server.inject({
      method: 'GET',
      url: '/api/v1/register',
      headers: { authorization: 'Bearer omb_nonsense', cookie: ts.cookie },
    });
    expect(res.statusCode).toBe(401);
  });
});

describe('declared permissions', () => {
  test('a route added without a declared permission stops the server from starting', async () => {
    await expect(
      buildServer(ts.app, {
        logger: false,
        extraRoutes: [
          async (s: FastifyInstance) => {
            s.get('/api/v1/forgotten', async () => ({ secret: true }));
          },
        ],
      }),
    ).rejects.toThrow(/Routes without a declared permission: GET \/api\/v1\/forgotten/);
  });
});
