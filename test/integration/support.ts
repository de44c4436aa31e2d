/**
 * Helpers for the joined flow: file, verify by the mailed code, wait for the worker. The API is called through
 * the typed client (src/client) over HTTP with an API key, as a customer-service tool would; `api` (inject, the
 * administrator's session) is for the console's pages.
 */
import { expect } from 'vitest';
import { codeIn, type DeskServer } from '../requests/support.ts';
import { clientOn } from '../support/client.ts';
import { jsonApi } from '../support/http.ts';
import type { paths } from '../../src/client/index.ts';

/** The body of `POST /api/v1/requests`, as the document declares it. */
type FilingBody = paths['/api/v1/requests']['post']['requestBody']['content']['application/json'];

export type DeskApi = Awaited<ReturnType<typeof deskApi>>;

/**
 * The parts of a request's decision these tests read. The API declares `decision` as an open record (what it holds
 * depends on the request), so a test names what it expects there.
 */
export type Decision = {
  stop?: { kind: string; orgs: string[] };
  routing?: {
    known: string[];
    notKnown: string[];
    failed: string[];
    unchecked: string[];
    requests: Record<string, string>;
  };
  noData?: { answeredBy: string };
};
export const decisionOf = (request: { decision: unknown }) => request.decision as Decision;

export async function deskApi(s: DeskServer) {
  const api = jsonApi(() => s);
  const client = await clientOn(s);
  return {
    api,
    client,
    /** File a request by API, verify it with the code mailed to the SMTP server; returns the request ids. */
    async fileAndVerify(body: FilingBody): Promise<string[]> {
      const filed = await client.POST('/api/v1/requests', {
        params: { header: { 'idempotency-key': crypto.randomUUID() } },
        body,
      });
      expect(filed.response.status).toBe(201);
      const mail = await s.smtp.waitFor((m) => m.to.includes(body.email) && codeIn(m) !== undefined, 15_000);
      const v = await client.POST('/api/v1/requests/verify-code', {
        body: { submissionId: filed.data.submissionId, code: codeIn(mail)! },
      });
      expect(v.response.status).toBe(200);
      return filed.data.requests.map((r: { id: string }) => r.id);
    },
    /** The request (`{ request, timeline }`). */
    request: async (id: string) =>
      (await client.GET('/api/v1/requests/{id}', { params: { path: { id } } })).data,
    /** The request's fulfilment run. */
    fulfilment: async (id: string) =>
      (await client.GET('/api/v1/requests/{id}/fulfilment', { params: { path: { id } } })).data,
    async waitForState(id: string, state: string, ms = 60_000) {
      const end = Date.now() + ms;
      for (;;) {
        const r = (await client.GET('/api/v1/requests/{id}', { params: { path: { id } } })).data;
        if (r.request.state === state) return r;
        if (Date.now() > end) {
          const f = await client.GET('/api/v1/requests/{id}/fulfilment', { params: { path: { id } } });
          throw new Error(
            `request ${id} is ${r.request.state}, not ${state}; fulfilment: ${JSON.stringify(f.data)}`,
          );
        }
        await new Promise((res) => setTimeout(res, 250));
      }
    },
    contact: async (orgId: string, email: string, purpose: string, channel = 'email') =>
      (
        await client.POST('/api/v1/organizations/{orgId}/contact-checks', {
          params: { path: { orgId } },
          body: { identity: { email }, purpose, channel },
        })
      ).data,
  };
}
