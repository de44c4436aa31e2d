/**
 * Propagation: a change made in the preference center reaches a real webhook receiver on loopback,
 * signed with the Standard Webhooks scheme; a failing receiver is retried with back-off on the
 * pg-boss queue, dead-lettered, listed in the console and replayed.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { verifyWebhook } from '../../src/core/consent/webhook-signature.ts';
import { type Propagator, startPropagation } from '../../src/services/consent/propagator.ts';
import { describeEachDatabase } from '../support/db.ts';
import type { TestServer } from '../support/server.ts';
import { same, startConsentServer } from './support.ts';

type Received = { headers: IncomingMessage['headers']; body: string; path: string };

const waitFor = async <T>(fn: () => Promise<T | undefined> | T | undefined, ms = 20_000): Promise<T> => {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 100));
  }
};

describeEachDatabase('consent propagation', (kind) => {
  let t: TestServer;
  let propagator: Propagator;
  let receiver: Server;
  let hookBase: string;
  let base: string;
  const received: Received[] = [];
  let failing = true;

  beforeAll(async () => {
    t = await startConsentServer({ kind });
    await t.server.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.server.server.address() as AddressInfo).port}`;
    t.configure({ publicUrl: base });
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        received.push({ headers: req.headers, body, path: req.url ?? '' });
        res.statusCode = req.url === '/flaky' && failing ? 503 : 204;
        res.end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    hookBase = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    propagator = await startPropagation(t.app, t.workers, {
      retryLimit: 2,
      retryDelaySeconds: 1,
      pollingIntervalSeconds: 0.5,
    });
  }, 60_000);
  afterAll(async () => {
    await propagator?.stop();
    receiver?.close();
    await t?.close();
  });

  const api = async (method: 'GET' | 'POST', url: string, payload?: object) =>
    t.server.inject({ method, url, payload, headers: same(t.cookie) });

  test('P07 a preference-center change reaches the mail provider as a signed webhook', async () => {
    const ep = (
      await api('POST', '/api/v1/webhooks/endpoints', { url: `${hookBase}/esp`, description: 'ESP' })
    ).json();
    expect(ep.secret).toMatch(/^whsec_/);
    const email = 'sara.lind@example.se';
    await api('POST', '/api/v1/organizations/nestit-group/consents', {
      identity: { email },
      purpose: 'communication-subscription',
      channel: 'email',
      wording: 'Yes, send me newsletters.',
      source: 'checkout',
    });
    const granted = await waitFor(() =>
      received.find((r) => r.path === '/esp' && r.body.includes('consent.granted')),
    );
    expect(verifyWebhook(ep.secret, granted.headers, granted.body)).toBe(true);
    expect(verifyWebhook(ep.secret, granted.headers, granted.body.replace('granted', 'withdrawn'))).toBe(
      false,
    );

    // The customer opens the settings link and turns the newsletter off (a plain form POST, as a browser sends).
    const link = (
      await api('POST', '/api/v1/organizations/nestit-group/preference-links', { identity: { email } })
    ).json();
    const page = await (await fetch(link.preferencesUrl)).text();
    const keepOn = [...page.matchAll(/value="([^"]+)" checked/g)]
      .map((m) => m[1]!)
      .filter((v) => v !== 'nestit-group|communication-subscription|email');
    const form = new URLSearchParams([
      ['action', 'save'],
      ...keepOn.map((v) => ['on', v] as [string, string]),
    ]);
    const saved = await fetch(link.preferencesUrl, { method: 'POST', body: form, redirect: 'manual' });
    expect(saved.status).toBe(303);
    const withdrawn = await waitFor(() =>
      received.find((r) => r.path === '/esp' && r.body.includes('consent.withdrawn')),
    );
    expect(verifyWebhook(ep.secret, withdrawn.headers, withdrawn.body)).toBe(true);
    const payload = JSON.parse(withdrawn.body);
    expect(payload.data).toMatchObject({
      organization: 'nestit-group',
      purpose: 'communication-subscription',
      channel: 'email',
      kind: 'withdraw',
      source: 'preference-center',
      identities: [{ kind: 'email', value: email }],
    });
    expect(withdrawn.headers['webhook-id']).toMatch(/^[0-9a-f-]{36}$/);
    // The delivery log records both once the receiver's answers are in.
    await waitFor(
      async () => (await api('GET', '/api/v1/webhooks/deliveries?status=delivered')).json().length >= 2,
    );
  }, 40_000);

  test('a failing receiver is retried with back-off, dead-lettered, shown in the console and replayed', async () => {
    await api('POST', '/api/v1/webhooks/endpoints', {
      url: `${hookBase}/flaky`,
      description: 'SMS provider',
    });
    await api('POST', '/api/v1/organizations/nestit-group/objections', {
      identity: { email: 'nils@example.se' },
      purpose: 'direct-marketing',
      source: 'customer-service',
    });
    const dead = await waitFor(async () => {
      const rows = (await api('GET', '/api/v1/webhooks/deliveries?status=dead')).json();
      return rows[0];
    }, 30_000);
    expect(dead.attempts).toBe(3); // the first try and two retries
    expect(dead.last_status).toBe(503);
    const tries = received.filter((r) => r.path === '/flaky');
    expect(tries).toHaveLength(3);
    // Same webhook-id on every retry, so the receiver can de-duplicate.
    expect(new Set(tries.map((r) => r.headers['webhook-id'])).size).toBe(1);
    // Back-off: the retries wait at least the schedule (1 s, then 2 s); the queue's polling only adds to it,
    // so compare with the schedule rather than gap with gap, which a loaded machine can reorder.
    const times = tries.map((r) => Number(r.headers['webhook-timestamp']));
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(1);
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(2);

    const consolePage = await t.server.inject({
      method: 'GET',
      url: '/console/webhooks',
      headers: { cookie: t.cookie },
    });
    expect(consolePage.statusCode).toBe(200);
    expect(consolePage.body).toContain(`/console/webhooks/deliveries/${dead.id}/replay`);
    expect(consolePage.body).toContain('Dead letters (1)');

    failing = false;
    const replay = await t.server.inject({
      method: 'POST',
      url: `/console/webhooks/deliveries/${dead.id}/replay`,
      headers: same(t.cookie),
    });
    expect(replay.statusCode).toBe(303);
    await waitFor(async () => {
      const rows = (await api('GET', '/api/v1/webhooks/deliveries?status=delivered')).json();
      return rows.find((r: { id: string }) => r.id === dead.id);
    });
    const after = await t.server.inject({
      method: 'GET',
      url: '/console/webhooks',
      headers: { cookie: t.cookie },
    });
    expect(after.body).toContain('Dead letters (0)');
  }, 60_000);
});
