/** Helpers for the joined flow: file, verify by the mailed code, wait for the worker. */
import { expect } from 'vitest';
import { codeIn, type DeskServer } from '../requests/support.ts';
import { jsonApi } from '../support/http.ts';

export function deskApi(s: DeskServer) {
  const api = jsonApi(() => s);
  return {
    api,
    /** File a request by API, verify it with the code mailed to the SMTP server; returns the request ids. */
    async fileAndVerify(body: Record<string, unknown>): Promise<string[]> {
      const res = await api('POST', '/api/v1/requests', body, { 'idempotency-key': crypto.randomUUID() });
      expect(res.statusCode).toBe(201);
      const email = String(body.email);
      const mail = await s.smtp.waitFor((m) => m.to.includes(email) && codeIn(m) !== undefined, 15_000);
      const v = await api('POST', '/api/v1/requests/verify-code', {
        submissionId: res.json().submissionId,
        code: codeIn(mail),
      });
      expect(v.statusCode).toBe(200);
      return res.json().requests.map((r: { id: string }) => r.id);
    },
    async waitForState(id: string, state: string, ms = 60_000) {
      const end = Date.now() + ms;
      for (;;) {
        const r = (await api('GET', `/api/v1/requests/${id}`)).json();
        if (r.request.state === state) return r;
        if (Date.now() > end) {
          const f = await api('GET', `/api/v1/requests/${id}/fulfilment`);
          throw new Error(`request ${id} is ${r.request.state}, not ${state}; fulfilment: ${f.body}`);
        }
        await new Promise((res) => setTimeout(res, 250));
      }
    },
    contact: async (orgId: string, email: string, purpose: string, channel = 'email') =>
      (
        await api('POST', `/api/v1/organizations/${orgId}/contact-checks`, {
          identity: { email },
          purpose,
          channel,
        })
      ).json(),
  };
}
