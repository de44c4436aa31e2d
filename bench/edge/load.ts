/**
 * The load driver of bench/edge/run.ts, run as its own process so the client does not share a server's
 * event loop.
 *
 *   node --import tsx bench/edge/load.ts --mode http --url URL --run ID [--rate 2000] [--seconds 20]
 *        [--connections 64] [--addresses 5000] [--server-pids PID,PID] [--out FILE]
 *   node --import tsx bench/edge/load.ts --mode insert --pg URL --run ID [--rate 2000] [--seconds 20]
 *        [--connections 10] [--out FILE]
 *
 * Open loop: proof k is due at start + k/rate; its latency is counted from when it was due (a stalled
 * server is not hidden). --rate 0: closed loop, every connection sends back to back (the maximum).
 *
 * http: POST /api/v1/cookie-consents over keep-alive connections (a minimal client: prepared bytes, answers
 * framed by Content-Length), each proof with its own consent id `<run>-<k, 8 digits>`, proofId `p<k>` and an
 * X-Forwarded-For address out of --addresses (the server runs with OMBUD_TRUST_PROXY=1). A proof that
 * gets no 201 (refused connection, reset, 5xx, 429) is sent again with the same proofId after 100 ms, as the
 * banner does, until --seconds + 30 s. Its latency then includes the retries.
 *
 * insert: the bare baseline: the same proofs as single-row INSERTs (autocommit) through `pg`, one at a time
 * per connection.
 *
 * Writes the acknowledged proofs (k and the number answered) to --out and prints one JSON line.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { parseArgs } from 'node:util';
import pg from 'pg';

const { values: a } = parseArgs({
  options: {
    mode: { type: 'string', default: 'http' },
    url: { type: 'string' },
    pg: { type: 'string' },
    run: { type: 'string', default: 'edge' },
    rate: { type: 'string', default: '2000' },
    seconds: { type: 'string', default: '20' },
    connections: { type: 'string', default: '64' },
    addresses: { type: 'string', default: '5000' },
    'server-pids': { type: 'string', default: '' },
    out: { type: 'string' },
  },
});
const RATE = Number(a.rate);
const SECONDS = Number(a.seconds);
const CONNS = Number(a.connections);
const ADDRESSES = Number(a.addresses);
const N = RATE > 0 ? Math.round(RATE * SECONDS) : Number.POSITIVE_INFINITY;
const GIVE_UP_MS = (SECONDS + 30) * 1000;

function procCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return 0;
  }
}
/** The server pids may change (a killed process is started again): read them from a file when given one. */
const serverPids = (): number[] => {
  const p = a['server-pids']!;
  if (!p) return [];
  if (p.startsWith('/'))
    try {
      return readFileSync(p, 'utf8').split(/\s+/).filter(Boolean).map(Number);
    } catch {
      return [];
    }
  return p.split(',').map(Number);
};

const proofOf = (k: number) => ({
  consentId: `${a.run}-${String(k).padStart(8, '0')}`,
  org: 'nestit-group',
  action: k % 3 === 0 ? 'accept-all' : k % 3 === 1 ? 'reject-all' : 'custom',
  categories: { necessary: true, analytics: k % 3 === 0, marketing: k % 3 === 0 },
  inventoryVersion: 'bench-v1',
  gpc: false,
  lang: 'sv',
  url: 'https://www.nestit.example/',
  proofId: `p${String(k).padStart(8, '0')}`,
});

const latencies: number[] = [];
const acked = new Map<number, number>();
let attempts = 0;
let retried = 0;
let failedForGood = 0;
const statuses: Record<string, number> = {};
let next = 0;
const t0 = performance.now();
const due = (k: number) => (RATE > 0 ? t0 + (k * 1000) / RATE : performance.now());
let cpuSelf = process.cpuUsage();
let cpuServer = 0;
// CPU of the server processes, summed over the run (a killed process's time is read just before it goes).
let lastServer = new Map<number, number>();
const sampleServer = () => {
  for (const pid of serverPids()) {
    const now = procCpuMs(pid);
    const before = lastServer.get(pid) ?? now;
    if (now >= before) cpuServer += now - before;
    lastServer.set(pid, now);
  }
};
lastServer = new Map(serverPids().map((p) => [p, procCpuMs(p)]));
const sampler = setInterval(sampleServer, 100);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Wait until proof k is due (open loop) or go at once (closed loop). */
async function waitDue(k: number) {
  const d = due(k) - performance.now();
  if (d > 1) await sleep(d);
}

let one: (k: number) => Promise<boolean>;
let close = async () => {};

if (a.mode === 'http') {
  const base = new URL(a.url!);
  const HEAD_END = Buffer.from('\r\n\r\n');
  const request = (k: number) => {
    const body = JSON.stringify(proofOf(k));
    const ip = `10.${(k % ADDRESSES) >> 16}.${((k % ADDRESSES) >> 8) & 255}.${(k % ADDRESSES) & 255}`;
    return Buffer.from(
      `POST /api/v1/cookie-consents HTTP/1.1\r\nHost: ${base.host}\r\nContent-Type: application/json\r\n` +
        `X-Forwarded-For: ${ip}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  };
  /** One keep-alive connection, one request at a time; reconnects after a failure. */
  class Conn {
    private sock?: net.Socket;
    private buf: Buffer = Buffer.alloc(0);
    private pending?: (r: { status: number; body: string } | null) => void;
    private open() {
      const sock = net.connect({ host: base.hostname, port: Number(base.port), noDelay: true });
      sock.on('data', (d) => this.onData(d));
      sock.on('error', () => this.fail(sock));
      sock.on('close', () => this.fail(sock));
      this.sock = sock;
      this.buf = Buffer.alloc(0);
    }
    send(bytes: Buffer): Promise<{ status: number; body: string } | null> {
      if (!this.sock || this.sock.destroyed) this.open();
      return new Promise((resolve) => {
        this.pending = resolve;
        this.sock!.write(bytes);
      });
    }
    private fail(sock: net.Socket) {
      if (sock !== this.sock) return;
      this.sock = undefined;
      sock.destroy();
      const p = this.pending;
      this.pending = undefined;
      p?.(null);
    }
    private onData(d: Buffer) {
      this.buf = this.buf.length === 0 ? d : Buffer.concat([this.buf, d]);
      const end = this.buf.indexOf(HEAD_END);
      if (end < 0) return;
      const head = this.buf.toString('latin1', 0, end);
      const m = /\r\ncontent-length: *(\d+)/i.exec(head);
      const total = end + 4 + (m ? Number(m[1]) : 0);
      if (this.buf.length < total) return;
      const status = Number(head.slice(9, 12));
      const body = this.buf.toString('utf8', end + 4, total);
      this.buf = this.buf.length === total ? Buffer.alloc(0) : this.buf.subarray(total);
      if (/\r\nconnection: *close/i.test(head)) this.sock?.end();
      const p = this.pending;
      this.pending = undefined;
      p?.({ status, body });
    }
    end() {
      this.sock?.destroy();
    }
  }
  const conns: Conn[] = Array.from({ length: CONNS }, () => new Conn());
  const free = [...conns];
  const waiters: ((c: Conn) => void)[] = [];
  const take = () => new Promise<Conn>((r) => (free.length ? r(free.pop()!) : waiters.push(r)));
  const give = (c: Conn) => {
    const w = waiters.shift();
    if (w) w(c);
    else free.push(c);
  };
  one = async (k) => {
    const bytes = request(k);
    for (let attempt = 0; ; attempt++) {
      const c = await take();
      attempts++;
      const r = await c.send(bytes);
      give(c);
      const status = r ? String(r.status) : 'no answer';
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (r?.status === 201) {
        acked.set(k, (JSON.parse(r.body) as { stored: number }).stored);
        return true;
      }
      if (r && r.status < 500 && r.status !== 429) return false; // refused for good (4xx): not retried
      if (attempt === 0) retried++;
      if (performance.now() - t0 > GIVE_UP_MS) return false;
      await sleep(100);
    }
  };
  close = async () => {
    for (const c of conns) c.end();
  };
} else {
  const pool = new pg.Pool({ connectionString: a.pg, max: CONNS });
  const SQL = `INSERT INTO cookie_consents
      (consent_id, org_id, action, categories, inventory_version, gpc, lang, url, at, proof_id)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now(), $9) RETURNING seq`;
  one = async (k) => {
    const p = proofOf(k);
    attempts++;
    try {
      const r = await pool.query<{ seq: string }>({
        name: 'bench_insert',
        text: SQL,
        values: [
          p.consentId,
          p.org,
          p.action,
          JSON.stringify(p.categories),
          p.inventoryVersion,
          p.gpc,
          p.lang,
          p.url,
          p.proofId,
        ],
      });
      acked.set(k, Number(r.rows[0]!.seq));
      statuses.inserted = (statuses.inserted ?? 0) + 1;
      return true;
    } catch {
      statuses.error = (statuses.error ?? 0) + 1;
      return false;
    }
  };
  close = () => pool.end();
}

const end = t0 + SECONDS * 1000;
async function worker() {
  for (;;) {
    const k = next++;
    if (k >= N || (RATE === 0 && performance.now() >= end)) return;
    await waitDue(k);
    const ok = await one(k);
    if (ok) latencies.push(performance.now() - due(k));
    else failedForGood++;
  }
}
// Open loop: enough workers that a slow answer never delays the next proof's start.
const workers = RATE > 0 ? Math.max(CONNS, Math.ceil(RATE / 10)) : CONNS;
const sent0 = performance.now();
await Promise.all(Array.from({ length: workers }, () => worker()));
const seconds = (performance.now() - sent0) / 1000;
clearInterval(sampler);
sampleServer();
const self = process.cpuUsage(cpuSelf);
cpuSelf = self;
await close();

latencies.sort((x, y) => x - y);
const pct = (p: number) =>
  latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
if (a.out) writeFileSync(a.out, JSON.stringify([...acked.entries()]));
console.log(
  JSON.stringify({
    mode: a.mode,
    offered: Math.min(next, N),
    acked: acked.size,
    failedForGood,
    retried,
    attempts,
    statuses,
    seconds,
    rps: acked.size / seconds,
    p50: pct(50),
    p90: pct(90),
    p99: pct(99),
    max: latencies.at(-1) ?? 0,
    cpuMsPerRequest: {
      driver: (self.user + self.system) / 1000 / Math.max(1, attempts),
      server: serverPids().length && acked.size > 0 ? cpuServer / acked.size : null,
    },
  }),
);
process.exit(0);
