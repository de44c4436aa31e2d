/**
 * A shop backend calling Ombud with the typed client: it files a customer's erasure request and asks whether a
 * customer may get the newsletter by e-mail. docs/client.md shows this file; it type-checks with the project
 * (tsconfig includes examples/) and test/client/shop-backend.test.ts runs it against a real server.
 */
import { createOmbudClient, type OmbudClient } from '../../src/client/index.ts';

/** Ombud's public URL and the shop's API key (requests:write and consent:read for its company). */
export function connectToOmbud(env: { OMBUD_URL: string; OMBUD_API_KEY: string }): OmbudClient {
  return createOmbudClient({ baseUrl: env.OMBUD_URL, apiKey: env.OMBUD_API_KEY });
}

const COMPANY = 'nestit-sverige';

/**
 * The customer asked in "My account" to have their data erased. `shopRequestId` is the shop's own id of this
 * request: a retry with it files nothing twice. Ombud mails the customer a code to confirm the address is theirs.
 */
export async function requestErasure(ombud: OmbudClient, email: string, shopRequestId: string) {
  const { data } = await ombud.POST('/api/v1/requests', {
    params: { header: { 'idempotency-key': shopRequestId } },
    body: { company: COMPANY, type: 'erasure', email, lang: 'sv' },
  });
  return data; // { submissionId, reference, replayed, requests: [{ id, state, dueDate, … }] }
}

/** Before the newsletter goes out: may this customer be e-mailed for it (consent given, not withdrawn, no objection)? */
export async function mayEmailNewsletter(ombud: OmbudClient, email: string): Promise<boolean> {
  const { data } = await ombud.POST('/api/v1/organizations/{orgId}/contact-checks', {
    params: { path: { orgId: COMPANY } },
    body: { identity: { email }, purpose: 'communication-subscription', channel: 'email' },
  });
  const { allowed } = data as { allowed: boolean }; // and, when not, a `reason`: 'no-consent', 'consent-withdrawn', …
  return allowed;
}
