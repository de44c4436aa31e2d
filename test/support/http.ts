/**
 * Calls on a test server through Fastify's inject, shared by the suites: signing in, posting a console or
 * privacy-center form, JSON calls from the same origin as the signed-in administrator, and the consent
 * events that make a customer known at a company.
 */
import type { FastifyInstance } from 'fastify';

type Injector = Pick<FastifyInstance, 'inject'>;
type Response = Awaited<ReturnType<FastifyInstance['inject']>>;

export const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** POST /console/login as JSON; `code` is the second factor when the account has one. */
export function signIn(server: Injector, login: { email: string; password: string; code?: string }) {
  const { email, password, code } = login;
  return server.inject({
    method: 'POST',
    url: '/console/login',
    payload: { email, password, ...(code ? { code } : {}) },
    headers: { 'content-type': 'application/json' },
  });
}

/** The first cookie a response sets, as `name=value` (the session after a sign-in). */
export function sessionCookie(res: { headers: Record<string, unknown> }): string {
  const set = res.headers['set-cookie'];
  return String(Array.isArray(set) ? set[0] : set).split(';')[0]!;
}

/** POST a form (application/x-www-form-urlencoded) with these headers, optionally from another address. */
export function postForm(
  server: Injector,
  url: string,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
  remoteAddress?: string,
) {
  return server.inject({
    method: 'POST',
    url,
    payload: new URLSearchParams(fields).toString(),
    headers: { ...headers, ...FORM },
    ...(remoteAddress ? { remoteAddress } : {}),
  });
}

export type JsonApi = (
  method: 'GET' | 'POST',
  url: string,
  payload?: unknown,
  headers?: Record<string, string>,
) => Promise<Response>;

/**
 * JSON calls with the server's same-origin session headers. `of` is read on every call, so the helper can be
 * made before the server is started in beforeAll.
 */
export function jsonApi(of: () => { server: Injector; origin: Record<string, string> }): JsonApi {
  return (method, url, payload, headers = {}) => {
    const s = of();
    return s.server.inject({ method, url, payload: payload as object, headers: { ...s.origin, ...headers } });
  };
}

/** An objection to surveys on every channel at a company (not a joint purpose): the address is known there. */
export const objectToSurveys = (api: JsonApi, orgId: string, email: string) =>
  api(
    'POST',
    `/api/v1/organizations/${orgId}/objections`,
    { identity: { email }, purpose: 'surveys', channel: '*' },
    { 'idempotency-key': crypto.randomUUID() },
  );

/** The consent to newsletters by e-mail, given at checkout (the body of `POST …/consents`). */
export const newsletterConsent = (email: string) => ({
  identity: { email },
  purpose: 'communication-subscription',
  channel: 'email',
  wording: 'Yes, send me newsletters by e-mail.',
  source: 'checkout' as const,
});

/** Consent to newsletters by e-mail at a company, given at checkout. */
export const grantNewsletter = (api: JsonApi, orgId: string, email: string) =>
  api('POST', `/api/v1/organizations/${orgId}/consents`, newsletterConsent(email), {
    'idempotency-key': crypto.randomUUID(),
  });
