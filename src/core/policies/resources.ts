/**
 * Every resource's access rule, in one place. Each says which companies a row belongs to and which
 * permission each action needs; `decide`/`authorize` (policy.ts) apply the one rule: the permission in
 * every company the row belongs to, "not found" when the caller may not even read it.
 *
 * To add a resource: add its policy here (row shape, companiesOf, actions), call `authorize` in its
 * services before reading or changing a row, narrow its lists in SQL with `listScope`, and add its
 * routes to the hand-written table in test/security/matrix.test.ts.
 */
import type { Group, Policy } from './policy.ts';

const one = (orgId: string) => [orgId];
const orAll = (orgId: string | null | undefined, group: Group) => (orgId ? [orgId] : [...group.orgIds]);

/** A data subject request. A group request (scope.group) belongs to its contact point and every candidate. */
export type RequestLike = { id: string; org_id: string; scope: { group?: { candidates: string[] } } };
export const requestPolicy: Policy<RequestLike, 'write'> = {
  resource: 'request',
  idOf: (r) => r.id,
  companiesOf: (r) => [...new Set([r.org_id, ...(r.scope.group?.candidates ?? [])])],
  actions: { read: 'requests:read', write: 'requests:write' },
};

/** A fulfilment run of a company's request, with its steps and artifacts (extracts, portable files). */
export type FulfilmentRunLike = { request_id: string; org_id: string };
export const fulfilmentRunPolicy: Policy<FulfilmentRunLike, 'write'> = {
  resource: 'fulfilment',
  idOf: (r) => r.request_id,
  companiesOf: (r) => one(r.org_id),
  actions: { read: 'fulfilment:read', write: 'fulfilment:write' },
};

/**
 * The same run as the request desk shows it (`GET /api/v1/requests/:id/fulfilment`): progress, steps and
 * counts, never the extract. Readable with requests:read in the run's company, so the desk's agents follow
 * their own company's requests; the run's artifacts stay behind fulfilmentRunPolicy (fulfilment:read).
 */
export const requestFulfilmentPolicy: Policy<FulfilmentRunLike, never> = {
  resource: 'fulfilment',
  idOf: (r) => r.request_id,
  companiesOf: (r) => one(r.org_id),
  actions: { read: 'requests:read' },
};

/** An artifact (extract.json/html/pdf, portability.zip) follows its run: the run's company, fulfilment:read. */
export const artifactPolicy = fulfilmentRunPolicy;

/** A task for a manual system or an awaited service within a run. */
export type TaskLike = { request_id: string; system_id: string; org_id: string };
export const taskPolicy: Policy<TaskLike, 'answer'> = {
  resource: 'task',
  idOf: (t) => `${t.request_id}/${t.system_id}`,
  companiesOf: (t) => one(t.org_id),
  actions: { read: 'fulfilment:read', answer: 'fulfilment:write' },
};

/**
 * A connector configuration (e.g. the HTTP connector of an external service). One configuration serves
 * every company whose purposes name the system (as a system or a recipient), so it belongs to all of them:
 * changing it needs connectors:manage in each. A system no purpose names belongs to the whole group.
 * `usedBy` comes from `companiesUsingSystem` over the current register.
 */
export type ConnectorLike = { system_id: string; usedBy: readonly string[] };
export const connectorPolicy: Policy<ConnectorLike, 'manage'> = {
  resource: 'connector',
  idOf: (c) => c.system_id,
  companiesOf: (c, g) => (c.usedBy.length ? [...c.usedBy] : [...g.orgIds]),
  actions: { read: 'connectors:manage', manage: 'connectors:manage' },
};

/** The companies whose purposes name a system (as one of their systems or a recipient): a connector's companies. */
export function companiesUsingSystem(
  purposes: readonly {
    controllers: readonly string[];
    systems: readonly string[];
    recipients: readonly string[];
  }[],
  systemId: string,
): string[] {
  const out = new Set<string>();
  for (const p of purposes)
    if (p.systems.includes(systemId) || p.recipients.includes(systemId))
      for (const c of p.controllers) out.add(c);
  return [...out].sort();
}

/** A mail in the outbox or the demo's inbox: the company whose request it belongs to (null: the group's). */
export type MailLike = { id: string; org_id: string | null };
export const mailPolicy: Policy<MailLike, never> = {
  resource: 'mail',
  idOf: (m) => m.id,
  companiesOf: (m, g) => orAll(m.org_id, g),
  actions: { read: 'requests:read' },
};

/** A consent subject (one customer at one company) and its consent history. */
export type ConsentSubjectLike = { id: string; orgId: string };
export const consentSubjectPolicy: Policy<ConsentSubjectLike, 'write'> = {
  resource: 'subject',
  idOf: (s) => s.id,
  companiesOf: (s) => one(s.orgId),
  actions: { read: 'consent:read', write: 'consent:write' },
};

/**
 * A cookie-banner choice recorded for a company's site. A consent id's history is a list of such rows:
 * the caller sees the rows of the companies where they hold consent:read, and none means "not found".
 */
export type CookieConsentLike = { consentId: string; orgId: string };
export const cookieConsentPolicy: Policy<CookieConsentLike, never> = {
  resource: 'cookie-consent',
  idOf: (c) => c.consentId,
  companiesOf: (c) => one(c.orgId),
  actions: { read: 'consent:read' },
};

/** A webhook endpoint; one without a company receives every company's events (a group-wide resource). */
export type WebhookEndpointLike = { id: string; org_id: string | null };
export const webhookEndpointPolicy: Policy<WebhookEndpointLike, 'manage'> = {
  resource: 'webhook-endpoint',
  idOf: (e) => e.id,
  companiesOf: (e, g) => orAll(e.org_id, g),
  actions: { read: 'webhooks:manage', manage: 'webhooks:manage' },
};

/**
 * A delivery of one event to one endpoint: the event's company (webhook_deliveries.org_id). An endpoint
 * with a company only receives that company's events, so the endpoint's company is the same one.
 */
export type WebhookDeliveryLike = { id: string; org_id: string | null };
export const webhookDeliveryPolicy: Policy<WebhookDeliveryLike, 'replay'> = {
  resource: 'webhook-delivery',
  idOf: (d) => d.id,
  companiesOf: (d, g) => orAll(d.org_id, g),
  actions: { read: 'webhooks:manage', replay: 'webhooks:manage' },
};

/**
 * A retention run. Runs sweep the group's shared systems (no company predicate: the purpose rules are per
 * collection), so today every run is group-wide (org_ids absent): starting one needs retention:run in every
 * company of the group, and seeing one (or the preview of the next) needs retention:read in every company.
 */
export type RetentionRunLike = { id: string; org_ids?: readonly string[] | null };
export const retentionRunPolicy: Policy<RetentionRunLike, 'run'> = {
  resource: 'retention-run',
  idOf: (r) => r.id,
  companiesOf: (r, g) => (r.org_ids?.length ? [...r.org_ids] : [...g.orgIds]),
  actions: { read: 'retention:read', run: 'retention:run' },
};

/**
 * A legal hold: the decision of the company that placed it, over the rows of every company it speaks for
 * (`companies`, core/holds/hold.ts holdCompanies): a hold on a data subject marks only the placing
 * company's rows; a hold on a shared system or collection marks every company's there, so placing,
 * lifting and seeing it need the role in each of them.
 */
export type LegalHoldLike = { id: string; org_id: string; companies?: readonly string[] | null };
export const legalHoldPolicy: Policy<LegalHoldLike, 'write'> = {
  resource: 'hold',
  idOf: (h) => h.id,
  companiesOf: (h) => (h.companies?.length ? [...new Set([h.org_id, ...h.companies])] : one(h.org_id)),
  actions: { read: 'holds:read', write: 'holds:write' },
};

/**
 * A personal data breach: the companies it concerns (given when recorded, then the controllers its scope
 * found); one recorded for no company is the group's, so acting on it needs the role in every company.
 */
export type BreachLike = { id: string; org_ids?: readonly string[] | null };
export const breachPolicy: Policy<BreachLike, 'write'> = {
  resource: 'breach',
  idOf: (b) => b.id,
  companiesOf: (b, g) => (b.org_ids?.length ? [...b.org_ids] : [...g.orgIds]),
  actions: { read: 'breaches:read', write: 'breaches:write' },
};

/** An analytics export: its company's (P13, P23). */
export type AnalyticsExportLike = { id: string; org_id: string };
export const analyticsExportPolicy: Policy<AnalyticsExportLike, 'export'> = {
  resource: 'analytics-export',
  idOf: (e) => e.id,
  companiesOf: (e) => one(e.org_id),
  actions: { read: 'analytics:read', export: 'analytics:export' },
};

/** One audit entry; one without a company (sign-ins, the register) is the group's. */
export type AuditEntryLike = { seq: number | string; org_id: string | null };
export const auditEntryPolicy: Policy<AuditEntryLike, never> = {
  resource: 'audit-entry',
  idOf: (e) => String(e.seq),
  companiesOf: (e, g) => orAll(e.org_id, g),
  actions: { read: 'audit:read' },
};

/**
 * A person (staff account): seen and managed only by someone who manages people in every company they
 * hold a role in (a person without roles, e.g. a group owner, is the group's). Only group owners (and
 * Ombud itself) act on a group owner.
 */
export type PersonLike = { id: string; orgIds: readonly string[]; isOwner?: boolean };
export const personPolicy: Policy<PersonLike, 'manage'> = {
  resource: 'user',
  idOf: (u) => u.id,
  companiesOf: (u, g) => (u.orgIds.length ? [...u.orgIds] : [...g.orgIds]),
  actions: { read: 'users:manage', manage: 'users:manage' },
  only: (p, _action, u) => !u.isOwner || p.kind === 'system' || (p.kind === 'user' && p.isOwner),
};

/** An API key, scoped to one or more companies. */
export type ApiKeyLike = { id: string; orgIds: readonly string[] };
export const apiKeyPolicy: Policy<ApiKeyLike, 'manage'> = {
  resource: 'api-key',
  idOf: (k) => k.id,
  companiesOf: (k, g) => (k.orgIds.length ? [...k.orgIds] : [...g.orgIds]),
  actions: { read: 'apikeys:manage', manage: 'apikeys:manage' },
};
