/**
 * The bench's webhook receivers, in a process of their own (so their CPU is not the sender's):
 * `--count` HTTP servers on loopback, each answering 204 to a POST, or 500 to a share of them
 * (`failRate`, per receiver, set over the control server). Each counts, per webhook-id, the calls and
 * the calls it accepted (2xx); a delivery's latency is the time from the change (the payload's `at`,
 * set when the change was recorded) to the accepted call. Every 50th call's signature is verified.
 *
 *   node --import tsx bench/propagation/receivers.ts --count 3
 * prints one JSON line {"ports":[…],"control":port} and serves:
 *   POST /config {"secrets":[…],"failRate":[…]}  GET /stats?receiver=i  POST /reset
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { verifyWebhook } from '../../src/core/consent/webhook-signature.ts';

const { values } = parseArgs({ options: { count: { type: 'string', default: '3' } } });
const count = Number(values.count);

type Receiver = {
  calls: number;
  failed: number;
  accepted: Map<string, number>;
  attempts: Map<string, number>;
  latencies: number[];
  /** Per subject, the `at` of the last accepted event: an earlier one accepted later is out of order. */
  lastAt: Map<string, number>;
  /** When each event was accepted (ms). */
  receivedAt: Map<string, number>;
  outOfOrder: number;
  badSignatures: number;
  verified: number;
};

const fresh = (): Receiver => ({
  calls: 0,
  failed: 0,
  accepted: new Map(),
  attempts: new Map(),
  latencies: [],
  lastAt: new Map(),
  receivedAt: new Map(),
  outOfOrder: 0,
  badSignatures: 0,
  verified: 0,
});
let receivers: Receiver[] = Array.from({ length: count }, fresh);
let secrets: string[] = [];
let failRate: number[] = Array.from({ length: count }, () => 0);

function receive(i: number, req: IncomingMessage, res: ServerResponse) {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const r = receivers[i]!;
    const got = Date.now();
    r.calls++;
    const id = String(req.headers['webhook-id'] ?? '');
    r.attempts.set(id, (r.attempts.get(id) ?? 0) + 1);
    if (Math.random() < failRate[i]!) {
      r.failed++;
      res.statusCode = 500;
      res.end();
      return;
    }
    const body = Buffer.concat(chunks).toString('utf8');
    if (r.calls % 50 === 0 && secrets[i]) {
      r.verified++;
      if (!verifyWebhook(secrets[i]!, req.headers, body)) r.badSignatures++;
    }
    r.accepted.set(id, (r.accepted.get(id) ?? 0) + 1);
    const data = (JSON.parse(body) as { data: { at: string; subjectId: string; eventId: string } }).data;
    r.receivedAt.set(data.eventId, got);
    const at = Date.parse(data.at);
    r.latencies.push(got - at);
    const last = r.lastAt.get(data.subjectId);
    if (last !== undefined && at < last) r.outOfOrder++;
    else r.lastAt.set(data.subjectId, at);
    res.statusCode = 204;
    res.end();
  });
}

function stats(i: number) {
  const r = receivers[i]!;
  const sorted = [...r.latencies].sort((a, b) => a - b);
  const pct = (p: number) =>
    sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]! : 0;
  let duplicates = 0;
  for (const n of r.accepted.values()) if (n > 1) duplicates += n - 1;
  let retried = 0;
  for (const n of r.attempts.values()) if (n > 1) retried++;
  return {
    calls: r.calls,
    failed: r.failed,
    acceptedIds: r.accepted.size,
    duplicates,
    retriedIds: retried,
    outOfOrder: r.outOfOrder,
    verified: r.verified,
    badSignatures: r.badSignatures,
    latencyMs: { p50: pct(0.5), p99: pct(0.99), max: sorted.at(-1) ?? 0 },
    ids: [...r.accepted.keys()],
    received: Object.fromEntries(r.receivedAt),
  };
}

const ports: number[] = [];
for (let i = 0; i < count; i++) {
  const s = createServer((req, res) => receive(i, req, res));
  s.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  ports.push((s.address() as AddressInfo).port);
}
const control = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const url = new URL(req.url ?? '/', 'http://x');
    res.setHeader('content-type', 'application/json');
    if (url.pathname === '/config') {
      const c = JSON.parse(Buffer.concat(chunks).toString()) as { secrets?: string[]; failRate?: number[] };
      if (c.secrets) secrets = c.secrets;
      if (c.failRate) failRate = c.failRate;
      res.end('{}');
    } else if (url.pathname === '/reset') {
      receivers = Array.from({ length: count }, fresh);
      res.end('{}');
    } else if (url.pathname === '/stats') {
      const withIds = url.searchParams.get('ids') === '1';
      res.end(
        JSON.stringify(
          receivers.map((_, i) => {
            const s = stats(i);
            return withIds ? s : { ...s, ids: undefined, received: undefined };
          }),
        ),
      );
    } else {
      res.statusCode = 404;
      res.end('{}');
    }
  });
});
await new Promise<void>((r) => control.listen(0, '127.0.0.1', r));
console.log(JSON.stringify({ ports, control: (control.address() as AddressInfo).port }));
