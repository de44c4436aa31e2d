/**
 * Consent-change propagation: the worker that sends the outbox (`webhook_deliveries`, written in the
 * consent event's transaction) to the subscribed endpoints as Standard Webhooks.
 *
 * - **Lanes.** A lane is one endpoint and one data subject. A worker claims whole lanes for a lease
 *   (`claimed_until`) with `FOR UPDATE SKIP LOCKED`, so any number of worker processes share the outbox;
 *   a lane's deliveries go one after another in the order of their events, and a delivery is claimable
 *   only when no earlier one of its lane is still pending. A failed delivery waits (`next_attempt_at`)
 *   and holds its lane back until it is delivered or dead; other lanes go on.
 * - **Concurrency.** At most `concurrency` lanes run at once in the process, at most `perEndpoint` of
 *   them to one endpoint. Backpressure: a worker claims only as many lanes as it has free slots, and
 *   none of an endpoint that is full, paused or whose circuit is open; a lane it cannot start is let go
 *   at once. So a stalled endpoint fills its own slots (each call ends at `timeoutMs`) and no others.
 * - **Circuit breaker and 429** (rules in src/core/consent/delivery.ts): an endpoint that fails most
 *   calls is not called for a while (no attempts counted while open, so nothing dies of it); a 429 (or a
 *   503 with Retry-After) pauses the endpoint for as long as Retry-After asks and is not a failure.
 * - **Outcomes** are written in batches (one transaction per flush: the attempts and the deliveries'
 *   new state). Delivery is at least once: a worker that dies between a receiver's 2xx and the flush
 *   leaves the delivery claimed until its lease ends, and it is sent again with the same webhook-id.
 *
 * Retries: the first retry after `retryDelaySeconds`, each next one twice as long; after `retryLimit`
 * retries the delivery is dead, listed in the console and replayable.
 */
import {
  type ClientRequest,
  Agent as HttpAgent,
  request as httpRequest,
  type IncomingMessage,
  type RequestOptions,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { urlToHttpOptions } from 'node:url';
import type { Db } from '../../storage/db.ts';
import { type Log, queueErrorFields } from '../../log.ts';
import type { ConsentEvent } from '../../core/consent/event.ts';
import {
  type Answer,
  Breaker,
  type BreakerPolicy,
  DEFAULT_BREAKER,
  DEFAULT_RETRY,
  type RetryPolicy,
  verdictOf,
} from '../../core/consent/delivery.ts';
import { signWebhookWithKey, webhookKey } from '../../core/consent/webhook-signature.ts';
import { type ConsentKeys, consentKeys } from './keys.ts';
import { type ConsentWebhookEvent, webhookPayloads } from './webhooks.ts';
import type { QueueRole } from '../queue/role.ts';

/** `consume: false` (an API process): deliveries are written to the outbox and sent by the workers. */
export type PropagatorOptions = QueueRole & {
  /** Accepted for the start command's sake; the outbox is on the app's database. */
  connectionString?: string;
  retryLimit?: number;
  retryDelaySeconds?: number;
  /** The longest Retry-After honoured, and the longest wait between retries (3600 s). */
  maxWaitSeconds?: number;
  /** How often an idle worker looks for due deliveries (0.25 s); a new event in this process wakes it at once. */
  pollingIntervalSeconds?: number;
  /** One call's time limit (10 s; checked every tenth of it, at most every second, so up to 10 % later). */
  timeoutMs?: number;
  /** Lanes running at once in this process (64). */
  concurrency?: number;
  /** Lanes running at once to one endpoint (16). */
  perEndpoint?: number;
  breaker?: Partial<BreakerPolicy>;
  /** The time in webhook-timestamp and the payload's timestamp. */
  now?: () => Date;
  /** The scheduling clock in ms (retries, Retry-After, the circuit, leases); default Date.now. */
  clock?: () => number;
  /** Where the worker logs (ids and codes only); silent by default. */
  log?: Log;
  /** The consent keys (they open the identities a webhook carries); default: the installation's. */
  keys?: () => Promise<ConsentKeys>;
};

type Claimed = {
  id: string;
  endpoint_id: string;
  subject_id: string;
  event_id: string;
  event_seq: string;
  failures: number;
};

type Endpoint = {
  id: string;
  url: URL;
  secret: string;
  /** The secret's key bytes, decoded once. */
  key: Buffer;
  /** Where a call goes (protocol, host, port, path, auth), taken from the URL once. */
  target: RequestOptions;
  https: boolean;
  agent: HttpAgent;
  inFlight: number;
  breaker: Breaker;
  pausedUntil: number;
  loadedAt: number;
  /** Lanes claimed and waiting for a slot (no more are claimed while 3 × perEndpoint wait). */
  queue: { rows: Claimed[]; bodies: Map<string, Body>; claimedAt: number }[];
};

type Kind = 'delivered' | 'failed' | 'dead' | 'throttled' | 'release';

/**
 * An event's body, serialised once for all its deliveries and attempts: the attempt's timestamp goes
 * between `head` and `tail`, which gives what JSON.stringify({ type, timestamp, data }) gives.
 */
type Body = { head: string; tail: string; bytes: number };

const bodyOf = (p: Omit<ConsentWebhookEvent, 'timestamp'>): Body => {
  const head = `{"type":${JSON.stringify(p.type)},"timestamp":"`;
  const tail = `","data":${JSON.stringify(p.data)}}`;
  return { head, tail, bytes: Buffer.byteLength(head) + Buffer.byteLength(tail) };
};

/** One call in flight: its time limit is checked by the propagator's sweep, not a timer of its own. */
type Call = {
  resolve: (a: Answer) => void;
  req: ClientRequest;
  deadline: number;
  done: boolean;
  /** The propagator's calls in flight, which this one leaves when it ends. */
  calls: Set<Call>;
};
const CALL = Symbol('call');
type CallRequest = ClientRequest & { [CALL]: Call };
const ignore = () => undefined;

const CLAIM = `
WITH heads AS (
  SELECT d.id, d.endpoint_id, d.subject_id FROM webhook_deliveries d
   WHERE d.status = 'pending'
     AND (d.next_attempt_at IS NULL OR d.next_attempt_at <= $1)
     AND (d.claimed_until IS NULL OR d.claimed_until <= $1)
     AND NOT (d.endpoint_id = ANY($3::uuid[]))
     AND NOT EXISTS (
       SELECT 1 FROM webhook_deliveries p
        WHERE p.endpoint_id = d.endpoint_id AND p.subject_id = d.subject_id AND p.status = 'pending'
          AND (p.event_seq, p.id) < (d.event_seq, d.id))
   ORDER BY d.event_seq, d.id
   LIMIT $4
   FOR UPDATE SKIP LOCKED
)
UPDATE webhook_deliveries w SET claimed_until = $2
  FROM heads h
 WHERE w.endpoint_id = h.endpoint_id AND w.subject_id = h.subject_id AND w.status = 'pending'
   AND (w.id = h.id OR w.claimed_until IS NULL OR w.claimed_until <= $1)
RETURNING w.id, w.endpoint_id, w.subject_id, w.event_id, w.event_seq::text AS event_seq, w.failures`;

/** The outcomes of a batch in one statement: the attempts, and the deliveries' new state. */
const FLUSH = `
WITH r AS (
  SELECT * FROM unnest($1::uuid[], $2::text[], $3::int[], $4::text[], $5::int[], $6::timestamptz[])
    AS r(id, kind, status, error, duration, next_at)
), attempts AS (
  INSERT INTO webhook_attempts (delivery_id, status, error, duration_ms)
  SELECT r.id, r.status, r.error, r.duration FROM r WHERE r.kind <> 'release'
)
UPDATE webhook_deliveries d SET
  attempts = d.attempts + CASE WHEN r.kind = 'release' THEN 0 ELSE 1 END,
  failures = d.failures + CASE WHEN r.kind IN ('failed', 'dead') THEN 1 ELSE 0 END,
  last_status = CASE WHEN r.kind = 'release' THEN d.last_status ELSE r.status END,
  last_error = CASE WHEN r.kind = 'release' THEN d.last_error ELSE r.error END,
  last_attempt_at = CASE WHEN r.kind = 'release' THEN d.last_attempt_at ELSE now() END,
  status = CASE r.kind WHEN 'delivered' THEN 'delivered' WHEN 'dead' THEN 'dead' ELSE d.status END,
  delivered_at = CASE WHEN r.kind = 'delivered' THEN now() ELSE d.delivered_at END,
  next_attempt_at = CASE WHEN r.kind IN ('failed', 'throttled') THEN r.next_at ELSE d.next_attempt_at END,
  claimed_until = NULL
  FROM r
 WHERE d.id = r.id AND d.status = 'pending'`;

export class Propagator {
  private readonly retry: RetryPolicy;
  private readonly breakerPolicy: BreakerPolicy;
  private readonly concurrency: number;
  private readonly perEndpoint: number;
  private readonly timeoutMs: number;
  private readonly idleMs: number;
  private readonly leaseMs: number;
  private readonly clock: () => number;
  private readonly now: () => Date;
  private readonly endpoints = new Map<string, Endpoint>();
  private readonly lanes = new Set<Promise<void>>();
  private inFlight = 0;
  private waiting = 0;
  private running = false;
  private loopDone: Promise<void> = Promise.resolve();
  private wakeUp: (() => void) | undefined;
  private woken = false;
  /** Outcomes not yet written, by column (the flush's parameters as they are). */
  private buffer = newBuffer();
  private readonly calls = new Set<Call>();
  private sweeper: NodeJS.Timeout | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private keys: ConsentKeys | undefined;
  /** The last claim's error, until a claim succeeds again (readiness). */
  private failure: unknown;
  /** Counts since start (the bench and the tests read them). */
  readonly counts = { delivered: 0, failed: 0, dead: 0, throttled: 0, released: 0, claims: 0 };

  constructor(
    private readonly db: Db,
    private readonly opts: PropagatorOptions = {},
  ) {
    this.retry = {
      retryLimit: opts.retryLimit ?? DEFAULT_RETRY.retryLimit,
      retryDelayMs: (opts.retryDelaySeconds ?? DEFAULT_RETRY.retryDelayMs / 1000) * 1000,
      maxWaitMs: (opts.maxWaitSeconds ?? DEFAULT_RETRY.maxWaitMs / 1000) * 1000,
    };
    this.breakerPolicy = { ...DEFAULT_BREAKER, ...opts.breaker };
    this.concurrency = opts.concurrency ?? 64;
    this.perEndpoint = Math.min(opts.perEndpoint ?? 16, this.concurrency);
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.idleMs = (opts.pollingIntervalSeconds ?? 0.25) * 1000;
    this.leaseMs = Math.max((opts.expireInSeconds ?? 300) * 1000, this.timeoutMs * 4);
    this.clock = opts.clock ?? Date.now;
    this.now = opts.now ?? (() => new Date());
  }

  async start(): Promise<this> {
    if (this.opts.consume === false) return this;
    this.keys = await (this.opts.keys ?? (() => consentKeys(this.db)))();
    this.running = true;
    this.loopDone = this.loop();
    return this;
  }

  /** Whether the outbox answers and this worker's last look at it worked (GET /readyz). */
  async check(): Promise<void> {
    if (this.failure) throw this.failure;
    await this.db.query('SELECT 1 FROM webhook_deliveries LIMIT 1');
  }

  /** A delivery is due (a replay, or a new event): look now rather than at the next poll. */
  async queue(_deliveryId?: string): Promise<void> {
    this.wake();
  }

  /** New deliveries were written with the event (the hook in Workers.consentChanged). */
  async eventRecorded(_event: ConsentEvent): Promise<void> {
    this.wake();
  }

  /** The circuit of an endpoint, as this process sees it. */
  circuitOf(endpointId: string): 'closed' | 'open' | 'half-open' {
    const ep = this.endpoints.get(endpointId);
    if (!ep) return 'closed';
    ep.breaker.capacity(this.clock(), ep.inFlight, this.perEndpoint);
    return ep.breaker.state;
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wake();
    await this.loopDone;
    this.pumpAll(); // not running: lets every waiting lane go
    const all = Promise.all(this.lanes);
    const late = await Promise.race([
      all.then(() => false),
      new Promise<boolean>((r) => setTimeout(() => r(true), 5000).unref()),
    ]);
    if (late) for (const ep of this.endpoints.values()) ep.agent.destroy();
    await all;
    clearInterval(this.sweeper);
    this.sweeper = undefined;
    await this.flush();
    for (const ep of this.endpoints.values()) ep.agent.destroy();
  }

  private wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  private sleep(ms: number): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = () => {
        this.wakeUp = undefined;
        this.woken = false;
        done();
      };
    });
  }

  private async loop(): Promise<void> {
    while (this.running) {
      // Room for three times as many lanes as may run: the ones waiting start as slots free, without a
      // round trip, and the next claim is made while there are still lanes waiting.
      const free = 4 * this.concurrency - this.inFlight - this.waiting;
      let more = false;
      if (free > 0) {
        try {
          more = await this.claim(free);
          this.failure = undefined;
        } catch (err) {
          this.failure = err;
          this.opts.log?.warn(queueErrorFields(err), 'propagation queue error');
        }
      }
      if (!this.running) break;
      if (!more || this.inFlight + this.waiting >= 2 * this.concurrency) await this.sleep(this.idleMs);
    }
  }

  /** Claim up to `free` lanes and queue them at their endpoints; true when there may be more due at once. */
  private async claim(free: number): Promise<boolean> {
    const now = this.clock();
    const excluded: string[] = [];
    for (const ep of this.endpoints.values())
      if (!this.open(ep, now) || ep.queue.length >= 3 * this.perEndpoint) excluded.push(ep.id);
    const rows = await this.db.query<Claimed>(CLAIM, [
      new Date(now),
      new Date(now + this.leaseMs),
      excluded,
      free,
    ]);
    this.counts.claims++;
    if (rows.length === 0) return false;
    const [payloads] = await Promise.all([
      webhookPayloads(this.db, this.keys!, [...new Set(rows.map((r) => r.event_id))]),
      this.loadEndpoints([...new Set(rows.map((r) => r.endpoint_id))]),
    ]);
    const bodies = new Map<string, Body>();
    for (const [id, p] of payloads) bodies.set(id, bodyOf(p));
    const lanes = new Map<string, Claimed[]>();
    for (const r of rows) {
      const k = `${r.endpoint_id}/${r.subject_id}`;
      const lane = lanes.get(k);
      if (lane) lane.push(r);
      else lanes.set(k, [r]);
    }
    for (const lane of lanes.values()) {
      lane.sort(cmpSeq);
      const ep = this.endpoints.get(lane[0]!.endpoint_id);
      if (!ep || !this.running) this.release(lane);
      else {
        ep.queue.push({ rows: lane, bodies, claimedAt: now });
        this.waiting++;
      }
    }
    this.pumpAll();
    return lanes.size === free;
  }

  /** Whether an endpoint may be called now: not paused, circuit not open. */
  private open(ep: Endpoint, now: number): boolean {
    return ep.pausedUntil <= now && ep.breaker.capacity(now, ep.inFlight, this.perEndpoint) > 0;
  }

  private pumpAll(): void {
    for (const ep of this.endpoints.values()) this.pump(ep);
  }

  /** Start an endpoint's waiting lanes while it has room; let them go when it is paused or open. */
  private pump(ep: Endpoint): void {
    while (ep.queue.length > 0 && this.inFlight < this.concurrency) {
      const t = this.clock();
      if (!this.running || ep.pausedUntil > t || ep.breaker.state === 'open') {
        for (const l of ep.queue.splice(0)) {
          this.waiting--;
          this.release(l.rows);
        }
        return;
      }
      if (ep.breaker.capacity(t, ep.inFlight, this.perEndpoint) === 0) return;
      const lane = ep.queue.shift()!;
      this.waiting--;
      ep.inFlight++;
      this.inFlight++;
      ep.breaker.started();
      const p: Promise<void> = this.runLane(ep, lane.rows, lane.bodies, lane.claimedAt).finally(() => {
        ep.inFlight--;
        this.inFlight--;
        this.lanes.delete(p);
        this.pump(ep);
        if (this.inFlight < this.concurrency) this.pumpAll();
        // Wake the claimer when half the room is free: claims come in batches, before the lanes run out.
        if (this.inFlight + this.waiting <= 2 * this.concurrency) this.wake();
      });
      this.lanes.add(p);
    }
  }

  private async loadEndpoints(ids: string[]): Promise<void> {
    const now = this.clock();
    const stale = ids.filter((id) => {
      const ep = this.endpoints.get(id);
      return !ep || now - ep.loadedAt > 10_000;
    });
    if (stale.length === 0) return;
    const rows = await this.db.query<{ id: string; url: string; secret: string }>(
      'SELECT id, url, secret FROM webhook_endpoints WHERE id = ANY($1::uuid[])',
      [stale],
    );
    for (const r of rows) {
      const old = this.endpoints.get(r.id);
      const url = new URL(r.url);
      if (old && old.url.href === url.href) {
        if (old.secret !== r.secret) old.key = webhookKey(r.secret);
        old.secret = r.secret;
        old.loadedAt = now;
        continue;
      }
      old?.agent.destroy();
      const agentOpts = { keepAlive: true, maxSockets: this.perEndpoint };
      const https = url.protocol === 'https:';
      this.endpoints.set(r.id, {
        id: r.id,
        url,
        secret: r.secret,
        key: webhookKey(r.secret),
        target: urlToHttpOptions(url),
        https,
        agent: https ? new HttpsAgent(agentOpts) : new HttpAgent(agentOpts),
        inFlight: old?.inFlight ?? 0,
        breaker: old?.breaker ?? new Breaker(this.breakerPolicy),
        pausedUntil: old?.pausedUntil ?? 0,
        loadedAt: now,
        queue: old?.queue ?? [],
      });
    }
  }

  /** One lane, in order: stop at the first delivery not delivered, and let the rest go. */
  private async runLane(
    ep: Endpoint,
    lane: Claimed[],
    bodies: Map<string, Body>,
    claimedAt: number,
  ): Promise<void> {
    for (let i = 0; i < lane.length; i++) {
      const d = lane[i]!;
      const t = this.clock();
      if (
        i > 0 &&
        (!this.running ||
          ep.pausedUntil > t ||
          ep.breaker.state !== 'closed' ||
          t > claimedAt + this.leaseMs / 2)
      ) {
        this.release(lane.slice(i));
        return;
      }
      const body = bodies.get(d.event_id);
      const started = performance.now();
      const answer: Answer = body ? await this.send(ep, d.id, body) : { error: 'event-missing' };
      const durationMs = Math.round(performance.now() - started);
      const at = this.clock();
      const v = verdictOf(answer, d.failures, this.retry, at);
      const status = answer.status ?? null;
      const error = answer.error ?? null;
      if (v.kind === 'delivered') {
        ep.breaker.record(true, at);
        this.counts.delivered++;
        this.push(d.id, 'delivered', status, error, durationMs, null);
        continue;
      }
      if (v.kind === 'throttled') {
        ep.pausedUntil = Math.max(ep.pausedUntil, at + v.waitMs);
        this.counts.throttled++;
        this.push(d.id, 'throttled', status, error, durationMs, at + v.waitMs);
      } else {
        const before = ep.breaker.state;
        ep.breaker.record(false, at);
        if (before !== 'open' && ep.breaker.state === 'open')
          this.opts.log?.warn({ endpointId: ep.id }, 'webhook endpoint circuit open');
        if (v.dead) {
          this.counts.dead++;
          this.opts.log?.warn({ deliveryId: d.id, endpointId: ep.id }, 'webhook delivery dead');
        } else this.counts.failed++;
        this.push(d.id, v.dead ? 'dead' : 'failed', status, error, durationMs, at + v.waitMs);
      }
      this.release(lane.slice(i + 1));
      return;
    }
  }

  /** One signed POST. The body is completed here, with this attempt's timestamp. */
  private send(ep: Endpoint, deliveryId: string, body: Body): Promise<Answer> {
    const now = this.now();
    const iso = now.toISOString();
    const text = body.head + iso + body.tail;
    const ts = Math.floor(now.getTime() / 1000);
    const options: RequestOptions = {
      protocol: ep.target.protocol,
      hostname: ep.target.hostname,
      port: ep.target.port,
      path: ep.target.path,
      auth: ep.target.auth,
      method: 'POST',
      agent: ep.agent,
      headers: {
        'content-type': 'application/json',
        'content-length': String(body.bytes + Buffer.byteLength(iso)),
        'user-agent': 'Ombud-Webhooks/1',
        'webhook-id': deliveryId,
        'webhook-timestamp': String(ts),
        'webhook-signature': signWebhookWithKey(ep.key, deliveryId, ts, text),
      },
    };
    return new Promise<Answer>((resolve) => {
      const req = (ep.https ? httpsRequest : httpRequest)(options) as CallRequest;
      const call: Call = {
        resolve,
        req,
        deadline: performance.now() + this.timeoutMs,
        done: false,
        calls: this.calls,
      };
      req[CALL] = call;
      this.calls.add(call);
      this.sweeper ??= setInterval(
        () => this.sweep(),
        Math.min(1000, Math.max(10, this.timeoutMs / 10)),
      ).unref();
      req.once('response', onResponse);
      req.on('error', onError);
      req.end(text);
    });
  }

  /** Calls past their time limit are ended (their answer: TimeoutError). */
  private sweep(): void {
    const t = performance.now();
    for (const call of this.calls)
      if (call.deadline <= t) {
        finishCall(call, { error: 'TimeoutError' });
        call.req.destroy(Object.assign(new Error('timeout'), { name: 'TimeoutError' }));
      }
  }

  private release(rows: Claimed[]): void {
    for (const r of rows) {
      this.counts.released++;
      this.push(r.id, 'release', null, null, 0, null);
    }
  }

  private push(
    id: string,
    kind: Kind,
    status: number | null,
    error: string | null,
    durationMs: number,
    nextAt: number | null,
  ): void {
    const b = this.buffer;
    b[0].push(id);
    b[1].push(kind);
    b[2].push(status);
    b[3].push(error);
    b[4].push(durationMs);
    b[5].push(nextAt === null ? null : new Date(nextAt).toISOString());
    if (b[0].length >= 256) void this.flush();
    else this.flushTimer ??= setTimeout(() => void this.flush(), 10);
  }

  /** Write the outcomes so far in one transaction; on a database error they are kept for the next flush. */
  private flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
      const batch = this.buffer;
      this.buffer = newBuffer();
      if (batch[0].length === 0) return;
      try {
        await this.db.query(FLUSH, batch);
      } catch (err) {
        this.opts.log?.warn(queueErrorFields(err), 'propagation queue error');
        const later = this.buffer;
        this.buffer = batch;
        for (let c = 0; c < batch.length; c++) (batch[c] as unknown[]).push(...later[c]!);
        if (this.running) this.flushTimer ??= setTimeout(() => void this.flush(), 1000);
      }
    });
    return this.flushing;
  }
}

/** The outcome columns: id, kind, status, error, duration (ms), next attempt (ISO). */
const newBuffer = (): [
  string[],
  Kind[],
  (number | null)[],
  (string | null)[],
  number[],
  (string | null)[],
] => [[], [], [], [], [], []];

function finishCall(call: Call, answer: Answer): void {
  if (call.done) return;
  call.done = true;
  call.calls.delete(call);
  call.resolve(answer);
}

function onResponse(this: CallRequest, res: IncomingMessage): void {
  const call = this[CALL];
  const status = res.statusCode ?? 0;
  const ra = res.headers['retry-after'];
  res.resume();
  res.on('error', ignore);
  const answer: Answer = { status };
  if (status < 200 || status > 299) answer.error = `HTTP ${status}`;
  if (typeof ra === 'string') answer.retryAfter = ra;
  finishCall(call, answer);
}

function onError(this: CallRequest, err: Error & { code?: string }): void {
  // Network errors name no personal data: the error's code or name only.
  finishCall(this[CALL], {
    error: err.name === 'TimeoutError' ? 'TimeoutError' : (err.code ?? err.name ?? 'error'),
  });
}

const cmpSeq = (a: Claimed, b: Claimed) => {
  const x = BigInt(a.event_seq);
  const y = BigInt(b.event_seq);
  return x < y ? -1 : x > y ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
};

/**
 * Start propagation for an app: the outbox worker, and the hook that wakes it for each new event,
 * both registered in the start command's `workers`.
 */
export async function startPropagation(
  app: Readonly<{
    db: Db;
    config: { readonly databaseUrl?: string; readonly secret?: string; readonly secretKeys?: string };
    now: () => Date;
    log?: Log;
  }>,
  workers: { consentChanged?: (e: ConsentEvent) => Promise<void>; propagator?: Propagator },
  opts: PropagatorOptions = {},
): Promise<Propagator> {
  const p = await new Propagator(app.db, {
    now: app.now,
    keys: () => consentKeys(app.db, app.config.secret, app.config.secretKeys),
    log: app.log,
    ...opts,
  }).start();
  workers.propagator = p;
  workers.consentChanged = (e) => p.eventRecorded(e);
  return p;
}
