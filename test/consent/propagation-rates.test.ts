/**
 * Propagation at production rates (issue 17 item 1), against real receivers on loopback and the
 * app's database (PGlite and PostgreSQL): deliveries run concurrently with a per-endpoint limit and
 * stay in order per data subject and endpoint; a stalled endpoint holds only its own slots; a failing
 * endpoint's circuit opens and closes; a 429's Retry-After is waited out (on an injected clock); under
 * a flaky receiver every webhook-id is accepted exactly once.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { verifyWebhook } from '../../src/core/consent/webhook-signature.ts';
import { SYSTEM_ACTOR } from '../../src/services/audit/auditLog.ts';
import { consentKeys } from '../../src/services/consent/keys.ts';
import { Propagator, type PropagatorOptions } from '../../src/services/consent/propagator.ts';
import { recordConsentEvent } from '../../src/services/consent/recordConsentEvent.ts';
import { newWebhookSecret } from '../../src/core/consent/webhook-signature.ts';
import { describeEachDatabase } from '../support/db.ts';
import type { TestServer } from '../support/server.ts';
import { startConsentServer } from './support.ts';

type Call = { id: string; type: string; subjectId: string; eventId: string; at: number };
type Handler = (
  call: Call,
  n: number,
) => { status: number; headers?: Record<string, string>; delayMs?: number } | 'stall';

/** A receiver on loopback: every call recorded; `answer` decides the reply (or holds it: 'stall'). */
class Receiver {
  calls: Call[] = [];
  accepted: Call[] = [];
  inFlight = 0;
  maxInFlight = 0;
  badSignatures = 0;
  secret = newWebhookSecret();
  answer: Handler = () => ({ status: 204 });
  private server!: Server;
  private held: ServerResponse[] = [];
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        if (!verifyWebhook(this.secret, req.headers, body)) this.badSignatures++;
        const p = JSON.parse(body) as { type: string; data: { subjectId: string; eventId: string } };
        const call = {
          id: String(req.headers['webhook-id']),
          type: p.type,
          subjectId: p.data.subjectId,
          eventId: p.data.eventId,
          at: Date.now(),
        };
        this.calls.push(call);
        this.inFlight++;
        this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
        const a = this.answer(call, this.calls.length);
        if (a === 'stall') {
          this.held.push(res);
          res.on('close', () => this.inFlight--);
          return;
        }
        setTimeout(() => {
          this.inFlight--;
          if (a.status >= 200 && a.status < 300) this.accepted.push(call);
          res.writeHead(a.status, a.headers ?? {});
          res.end();
        }, a.delayMs ?? 0);
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
    return this;
  }

  async close(): Promise<void> {
    for (const r of this.held) r.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

const waitFor = async (pred: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
};
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describeEachDatabase('propagation at production rates', (kind) => {
  let t: TestServer;
  let propagator: Propagator | undefined;
  const receivers: Receiver[] = [];

  beforeAll(async () => {
    t = await startConsentServer({ kind });
  }, 120_000);
  afterEach(async () => {
    await propagator?.stop();
    propagator = undefined;
    // Later tests' events go only to their own endpoints.
    await t.app.db.query('UPDATE webhook_endpoints SET active = false');
    for (const r of receivers.splice(0)) await r.close();
  });
  afterAll(async () => {
    await t?.close();
  });

  const receiver = async () => {
    const r = await new Receiver().start();
    const rows = await t.app.db.query<{ id: string }>(
      'INSERT INTO webhook_endpoints (url, secret, description) VALUES ($1, $2, $3) RETURNING id',
      [r.url, r.secret, 'test receiver'],
    );
    receivers.push(r);
    return Object.assign(r, { endpointId: rows[0]!.id });
  };
  const start = async (opts: PropagatorOptions) => {
    propagator = await new Propagator(t.app.db, {
      keys: () => consentKeys(t.app.db, t.app.config.secret, t.app.config.secretKeys),
      pollingIntervalSeconds: 0.05,
      now: t.app.now,
      ...opts,
    }).start();
    return propagator;
  };
  /** Record a change for `who` (an e-mail's local part); answers the event's id and subject. */
  const change = async (who: string, kind: 'grant' | 'withdraw') => {
    const register = (await t.app.registers.get())!.index;
    const keys = await consentKeys(t.app.db, t.app.config.secret, t.app.config.secretKeys);
    const { event } = await recordConsentEvent(
      t.app.db,
      SYSTEM_ACTOR,
      keys,
      register,
      {
        orgId: 'nestit-group',
        identity: { email: `${who}@example.org` },
        purposeId: 'communication-subscription',
        channel: 'email',
        kind,
        ...(kind === 'grant' ? { wording: 'Yes, send me newsletters.' } : {}),
        source: kind === 'grant' ? 'checkout' : 'preference-center',
      },
      t.app.now(),
    );
    await propagator?.eventRecorded(event);
    return event;
  };
  const deliveries = (endpointId: string) =>
    t.app.db.query<{ id: string; status: string; attempts: number; failures: number }>(
      'SELECT id, status, attempts, failures FROM webhook_deliveries WHERE endpoint_id = $1 ORDER BY event_seq',
      [endpointId],
    );

  test("P38 a subject's changes reach each endpoint in the order they were made, while subjects go concurrently within the endpoint's limit", async () => {
    const esp = await receiver();
    // A slow receiver (10–30 ms a call) so that calls overlap.
    esp.answer = (_c, n) => ({ status: 204, delayMs: 10 + ((n * 7) % 21) });
    // Four customers each change their mind six times, interleaved: grant, withdraw, grant, … All are in
    // the outbox before the worker starts, so it has every lane to run at once.
    const people = ['anna', 'bo', 'cecilia', 'dag'];
    const recorded = new Map<string, string[]>();
    for (let round = 0; round < 6; round++)
      for (const p of people) {
        const e = await change(p, round % 2 === 0 ? 'grant' : 'withdraw');
        recorded.set(e.subjectId, [...(recorded.get(e.subjectId) ?? []), e.id]);
      }
    await start({ concurrency: 16, perEndpoint: 4 });
    await waitFor(() => esp.accepted.length === 24);
    expect(recorded.size).toBe(4);
    for (const [subject, events] of recorded) {
      const got = esp.accepted.filter((c) => c.subjectId === subject);
      expect(got.map((c) => c.eventId)).toEqual(events);
      expect(got.map((c) => c.type)).toEqual([
        'consent.granted',
        'consent.withdrawn',
        'consent.granted',
        'consent.withdrawn',
        'consent.granted',
        'consent.withdrawn',
      ]);
    }
    // Concurrent: more than one call at a time; never more than the endpoint's limit (4).
    expect(esp.maxInFlight).toBeGreaterThan(1);
    expect(esp.maxInFlight).toBeLessThanOrEqual(4);
    expect(esp.calls).toHaveLength(24);
    expect(esp.badSignatures).toBe(0);
    await waitFor(async () => (await deliveries(esp.endpointId)).every((d) => d.status === 'delivered'));
  }, 60_000);

  test('a stalled endpoint holds only its own slots: another endpoint gets every change at once', async () => {
    const stalled = await receiver();
    stalled.answer = () => 'stall';
    const esp = await receiver();
    await start({ concurrency: 8, perEndpoint: 2, timeoutMs: 30_000 });
    const began = Date.now();
    for (const p of ['eva', 'frida', 'gustav', 'hanna', 'ivar', 'jonna']) await change(p, 'grant');
    await waitFor(() => esp.accepted.length === 6, 10_000);
    // Well before the stalled endpoint's calls time out (30 s).
    expect(Date.now() - began).toBeLessThan(10_000);
    // The stalled one has its two slots taken and no more.
    expect(stalled.calls).toHaveLength(2);
    expect(stalled.maxInFlight).toBe(2);
    expect((await deliveries(stalled.endpointId)).map((d) => d.status)).toEqual(Array(6).fill('pending'));
  }, 60_000);

  test("a failing endpoint's circuit opens (no calls, no attempts used up) and closes after a successful trial", async () => {
    const sms = await receiver();
    let down = true;
    sms.answer = () => ({ status: down ? 503 : 204 });
    let ms = Date.now();
    const p = await start({
      clock: () => ms,
      retryDelaySeconds: 1,
      retryLimit: 3,
      breaker: { window: 4, minCalls: 4, failureRate: 1, openMs: 60_000 },
    });
    for (const who of ['kim', 'lina', 'mats', 'nora']) await change(who, 'grant');
    await waitFor(() => sms.calls.length === 4);
    await waitFor(() => p.circuitOf(sms.endpointId) === 'open');
    // The retries fall due (1 s later) but the circuit is open for 60 s: nothing is called.
    ms += 5_000;
    await pause(800);
    expect(sms.calls).toHaveLength(4);
    expect(p.circuitOf(sms.endpointId)).toBe('open');
    await waitFor(async () => (await deliveries(sms.endpointId)).every((d) => d.failures === 1));
    // Open for 60 s, the receiver is back: one trial call, then the circuit closes and the rest go.
    down = false;
    ms += 60_000;
    await waitFor(() => sms.accepted.length === 4);
    expect(p.circuitOf(sms.endpointId)).toBe('closed');
    expect(sms.calls).toHaveLength(8);
    await waitFor(async () => (await deliveries(sms.endpointId)).every((d) => d.status === 'delivered'));
    const rows = await deliveries(sms.endpointId);
    expect(rows.map((d) => [d.status, d.attempts, d.failures])).toEqual(Array(4).fill(['delivered', 2, 1]));
  }, 60_000);

  test('a 429 pauses the endpoint for its Retry-After (injected clock) and is no failure', async () => {
    const esp = await receiver();
    esp.answer = (_c, n) => (n === 1 ? { status: 429, headers: { 'retry-after': '120' } } : { status: 204 });
    const other = await receiver();
    let ms = Date.now();
    const start0 = ms;
    await start({ clock: () => ms, retryDelaySeconds: 1 });
    await change('olof', 'grant');
    await waitFor(() => esp.calls.length === 1 && other.accepted.length === 1);
    // Once the 429 is recorded (a change made while the first call is still in flight may go out beside it:
    // subjects go concurrently within the endpoint's limit)…
    await waitFor(async () => {
      const [d] = await t.app.db.query<{ attempts: number }>(
        'SELECT attempts FROM webhook_deliveries WHERE id = $1',
        [esp.calls[0]!.id],
      );
      return d?.attempts === 1;
    });
    // …the endpoint asked for 120 s: neither the throttled delivery nor a new one is sent before.
    await change('petra', 'grant');
    await waitFor(() => other.accepted.length === 2);
    ms = start0 + 119_000;
    await pause(600);
    expect(esp.calls).toHaveLength(1);
    const [first] = await t.app.db.query<{ attempts: number; failures: number; status: string; next: Date }>(
      'SELECT attempts, failures, status, next_attempt_at AS next FROM webhook_deliveries WHERE id = $1',
      [esp.calls[0]!.id],
    );
    expect(first).toMatchObject({ attempts: 1, failures: 0, status: 'pending' });
    // Retry-After counted from the answer: at least 120 s after the clock's time then.
    expect(new Date(first!.next).getTime()).toBeGreaterThanOrEqual(start0 + 120_000);
    ms = start0 + 125_000;
    await waitFor(() => esp.accepted.length === 2);
    expect(esp.calls.filter((c) => c.id === esp.calls[0]!.id)).toHaveLength(2);
    await waitFor(async () => (await deliveries(esp.endpointId)).every((d) => d.status === 'delivered'));
    // The throttled one: two attempts, no failure.
    expect((await deliveries(esp.endpointId)).map((d) => [d.attempts, d.failures])).toEqual([
      [2, 0],
      [1, 0],
    ]);
  }, 60_000);

  test('a call past its time limit ends as a TimeoutError attempt and the delivery is sent again, same webhook-id', async () => {
    const slow = await receiver();
    slow.answer = (_c, n) => (n === 1 ? 'stall' : { status: 204 });
    await start({ timeoutMs: 300, retryDelaySeconds: 0.05 });
    const began = Date.now();
    await change('rut', 'grant');
    await waitFor(() => slow.accepted.length === 1, 10_000);
    // Ended at its limit (300 ms, checked every 30 ms), not at the 10 s default.
    expect(Date.now() - began).toBeLessThan(5_000);
    expect(slow.calls.map((c) => c.id)).toEqual([slow.calls[0]!.id, slow.calls[0]!.id]);
    expect(slow.badSignatures).toBe(0);
    await waitFor(async () => (await deliveries(slow.endpointId)).every((d) => d.status === 'delivered'));
    const attempts = await t.app.db.query<{ status: number | null; error: string | null }>(
      'SELECT status, error FROM webhook_attempts WHERE delivery_id = $1 ORDER BY seq',
      [slow.calls[0]!.id],
    );
    expect(attempts).toEqual([
      { status: null, error: 'TimeoutError' },
      { status: 204, error: null },
    ]);
  }, 60_000);

  test('under a receiver failing every third call, every webhook-id is accepted exactly once and none is lost', async () => {
    const flaky = await receiver();
    flaky.answer = (_c, n) => ({ status: n % 3 === 0 ? 500 : 204 });
    const steady = await receiver();
    await start({ retryDelaySeconds: 0.05, concurrency: 8, perEndpoint: 4 });
    for (let i = 0; i < 24; i++) await change(`q${i}`, 'grant');
    const expected = async (r: Receiver & { endpointId: string }) =>
      (await deliveries(r.endpointId)).map((d) => d.id).sort();
    await waitFor(async () => flaky.accepted.length === 24 && steady.accepted.length === 24, 30_000);
    await pause(300);
    for (const r of [flaky, steady]) {
      const ids = r.accepted.map((c) => c.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect([...ids].sort()).toEqual(await expected(r));
    }
    expect(flaky.calls.length).toBeGreaterThan(24);
    expect(steady.calls).toHaveLength(24);
    await waitFor(async () => (await deliveries(flaky.endpointId)).every((d) => d.status === 'delivered'));
  }, 60_000);
});
