/**
 * Customer-service tools file requests by API (P05): a system holding an API key with `requests:write`
 * for one organization files for that organization only.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { tickingClock } from '../support/clock.ts';
import { type DeskServer, startDesk } from './support.ts';

let s: DeskServer;
let key: string;
beforeAll(async () => {
  // A clock after the letter filed below (received 2026-03-02): receipt dates are never in the future.
  s = await startDesk({ now: tickingClock('2026-03-10T09:00:00Z') });
  const res = await s.server.inject({
    method: 'POST',
    url: '/api/v1/apikeys',
    headers: s.origin,
    payload: { name: 'customer service tool', orgIds: ['bokhylla'], permissions: ['requests:write'] },
  });
  expect(res.statusCode).toBe(201);
  key = res.json().key;
}, 60_000);
afterAll(async () => s?.close());

const file = (company: string, idem = crypto.randomUUID(), auth = `Bearer ${key}`) =>
  s.server.inject({
    method: 'POST',
    url: '/api/v1/requests',
    headers: { authorization: auth, 'idempotency-key': idem },
    payload: {
      company,
      type: 'access',
      email: 'caller@example.org',
      receivedAt: '2026-03-02T09:30:00+01:00',
      sendCode: false,
    },
  });

test('P05 a customer-service tool with an API key holding requests:write for one company files requests for it', async () => {
  const res = await file('bokhylla');
  expect(res.statusCode).toBe(201);
  const [r] = res.json().requests;
  expect(r.orgId).toBe('bokhylla');
  expect(r.receivedAt).toBe('2026-03-02T08:30:00.000Z');
  const [sub] = await s.app.db.query<{ channel: string }>(
    'SELECT s.channel FROM dsr_submissions s JOIN dsr_requests r ON r.submission_id = s.id WHERE r.id = $1',
    [r.id],
  );
  expect(sub!.channel).toBe('api');
  // The filing is audited under the key, not a person.
  const audit = await s.app.db.query<{ actor: string }>('SELECT actor FROM audit_log WHERE target = $1', [
    r.id,
  ]);
  expect(audit.some((a) => a.actor.startsWith('api-key:'))).toBe(true);
});

test('P05 the same key gets 403 problem+json for another company and for the whole group', async () => {
  for (const company of ['nestit-sverige', 'group']) {
    const res = await file(company);
    expect(res.statusCode).toBe(403);
    expect(res.headers['content-type']).toContain('application/problem+json');
  }
  const count = await s.app.db.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM dsr_requests WHERE org_id <> 'bokhylla'",
  );
  expect(count[0]!.n).toBe(0);
});

test('P05 an unknown key is 401, not a filing', async () => {
  const res = await file('bokhylla', crypto.randomUUID(), 'Bearer omb_nonsense');
  expect(res.statusCode).toBe(401);
});
