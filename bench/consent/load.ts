/**
 * The load driver of bench/consent/lookup.ts, run as a second process so the client does not share
 * the server's event loop. Bounded: a fixed list of requests, at most --concurrency in flight.
 *
 *   node --import tsx bench/consent/load.ts --mode http|sql --targets FILE [--rate 2000] [--concurrency 64]
 *        [--server-pid PID] [--pg URL] [--backends APPLICATION_NAME]
 *   node --import tsx bench/consent/load.ts --mode bulk --bulk N --url URL --key KEY [--server-pid PID]
 *
 * --rate R (open loop): request k is due at start + k/R; latency is measured from when it was due,
 * so a stalled server is not hidden by the client waiting for it (no coordinated omission).
 * --rate 0 (closed loop): --concurrency workers send back to back; the throughput is the maximum.
 *
 * HTTP goes over keep-alive connections with a minimal client (requests written as prepared
 * bytes, responses framed by Content-Length), so the driver costs little CPU per request;
 * --client node uses node:http instead. SQL mode asks the same decision in one statement through
 * `pg`, one query at a time per connection.
 *
 * CPU time over the timed window: this process (process.cpuUsage), the server process
 * (--server-pid, from /proc) and the PostgreSQL backends serving the run (those whose
 * application_name is --backends, from /proc; PostgreSQL runs on this machine).
 * Prints one JSON line: { sent, seconds, rps, p50, p90, p99, max, allowed, errors, cpu: {...} }.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { parseArgs } from 'node:util';
import pg from 'pg';

const { values: a } = parseArgs({
  options: {
    mode: { type: 'string', default: 'http' },
    client: { type: 'string', default: 'raw' },
    targets: { type: 'string' },
    rate: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '64' },
    url: { type: 'string' },
    key: { type: 'string' },
    org: { type: 'string', default: 'nestit-group' },
    purpose: { type: 'string', default: 'communication-subscription' },
    pg: { type: 'string' },
    'sql-connections': { type: 'string', default: '8' },
    'server-pid': { type: 'string' },
    backends: { type: 'string' },
    bulk: { type: 'string', default: '0' },
  },
});
const serverPid = a['server-pid'] ? Number(a['server-pid']) : undefined;

const targets = a.mode === 'bulk' ? [] : (JSON.parse(readFileSync(a.targets!, 'utf8')) as Target[]);
const RATE = Number(a.rate);
const CONC = Number(a.concurrency);
const TICK_MS = 10; // USER_HZ = 100 on Linux

/** utime + stime of a process, in ms (0 when it is gone or not readable). */
function procCpuMs(pid: number, which: 'all' | 'sys' = 'all'): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields 14 (utime) and 15 (stime) of stat
    return (which === 'sys' ? Number(f[12]) : Number(f[11]) + Number(f[12])) * TICK_MS;
  } catch {
    return 0;
  }
}

if (a.mode === 'bulk') {
  // One send list of --bulk addresses (subject0 … subject<bulk-1>) through the real endpoint.
  const n = Number(a.bulk);
  const body = Buffer.from(
    JSON.stringify({
      purpose: a.purpose,
      channel: 'email',
      recipients: Array.from({ length: n }, (_, k) => `subject${k}@bench.example`),
    }),
  );
  const base = new URL(a.url!);
  const serverBefore = serverPid ? procCpuMs(serverPid) : 0;
  const selfBefore = process.cpuUsage();
  const t0 = performance.now();
  const res = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = http.request(
      {
        host: base.hostname,
        port: base.port,
        path: `/api/v1/organizations/${a.org}/contact-checks/bulk`,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': body.length,
          authorization: `Bearer ${a.key}`,
        },
      },
      (r) => {
        const chunks: Buffer[] = [];
        r.on('data', (c) => chunks.push(c));
        r.on('end', () => resolve({ status: r.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
        r.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
  const seconds = (performance.now() - t0) / 1000;
  const self = process.cpuUsage(selfBefore);
  const serverMs = serverPid ? procCpuMs(serverPid) - serverBefore : null;
  if (res.status !== 200) {
    console.log(JSON.stringify({ status: res.status, error: res.text.slice(0, 500) }));
    process.exit(0);
  }
  const out = JSON.parse(res.text) as { allowed: string[]; refused: unknown[] };
  console.log(
    JSON.stringify({
      status: res.status,
      seconds,
      bytesSent: body.length,
      bytesReceived: Buffer.byteLength(res.text),
      allowed: out.allowed.length,
      refused: out.refused.length,
      serverCpuSeconds: serverMs === null ? null : serverMs / 1000,
      clientCpuSeconds: (self.user + self.system) / 1e6,
    }),
  );
  process.exit(0);
}
type Target = { email: string; hash: string };
let monitor: pg.Client | undefined;
async function backendPids(): Promise<number[]> {
  if (!a.backends || !a.pg) return [];
  if (!monitor) {
    monitor = new pg.Client({ connectionString: a.pg });
    await monitor.connect();
  }
  const r = await monitor.query<{ pid: number }>(
    'SELECT pid FROM pg_stat_activity WHERE application_name = $1',
    [a.backends],
  );
  return r.rows.map((x) => x.pid);
}

let allowed = 0;
let errors = 0;
/** The statuses of the answers counted as errors (other than 200). */
const errorStatuses: Record<string, number> = {};
let one: (k: number) => Promise<void>;
let done = async () => {};

if (a.mode === 'http' && a.client === 'raw') {
  const base = new URL(a.url!);
  const path = `/api/v1/organizations/${a.org}/contact-checks`;
  const requests = targets.map((t) => {
    const body = JSON.stringify({ identity: { email: t.email }, purpose: a.purpose, channel: 'email' });
    return Buffer.from(
      `POST ${path} HTTP/1.1\r\nHost: ${base.host}\r\nContent-Type: application/json\r\n` +
        `Authorization: Bearer ${a.key}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  });
  const ALLOWED = Buffer.from('"allowed":true');
  const HEAD_END = Buffer.from('\r\n\r\n');
  /** One keep-alive connection, one request at a time. */
  class Conn {
    private sock: net.Socket;
    private buf: Buffer = Buffer.alloc(0);
    private resolve?: () => void;
    constructor() {
      this.sock = net.connect({ host: base.hostname, port: Number(base.port), noDelay: true });
      this.sock.on('data', (d) => this.onData(d));
      this.sock.on('error', () => this.fail());
      this.sock.on('close', () => this.fail());
    }
    send(k: number): Promise<void> {
      return new Promise((resolve) => {
        this.resolve = resolve;
        this.sock.write(requests[k]!);
      });
    }
    private fail() {
      if (this.resolve) {
        errors++;
        const r = this.resolve;
        this.resolve = undefined;
        r();
      }
    }
    private onData(d: Buffer) {
      this.buf = this.buf.length === 0 ? d : Buffer.concat([this.buf, d]);
      const end = this.buf.indexOf(HEAD_END);
      if (end < 0) return;
      const head = this.buf.toString('latin1', 0, end);
      const m = /\r\ncontent-length: *(\d+)/i.exec(head);
      if (!m) {
        this.buf = Buffer.alloc(0);
        return this.fail();
      }
      const total = end + 4 + Number(m[1]);
      if (this.buf.length < total) return;
      const body = this.buf.subarray(end + 4, total);
      if (!head.startsWith('HTTP/1.1 200')) {
        errors++;
        const st = head.slice(9, 12);
        errorStatuses[st] = (errorStatuses[st] ?? 0) + 1;
      } else if (body.indexOf(ALLOWED) >= 0) allowed++;
      this.buf = this.buf.length === total ? Buffer.alloc(0) : this.buf.subarray(total);
      const r = this.resolve!;
      this.resolve = undefined;
      r();
    }
    close() {
      this.sock.destroy();
    }
  }
  const all = Array.from({ length: CONC }, () => new Conn());
  const free = [...all];
  const waiting: ((c: Conn) => void)[] = [];
  one = async (k) => {
    const c = free.pop() ?? (await new Promise<Conn>((r) => waiting.push(r)));
    await c.send(k);
    const w = waiting.shift();
    if (w) w(c);
    else free.push(c);
  };
  done = async () => {
    for (const c of all) c.close();
  };
} else if (a.mode === 'http') {
  const base = new URL(a.url!);
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONC });
  const path = `/api/v1/organizations/${a.org}/contact-checks`;
  const bodies = targets.map((t) =>
    Buffer.from(JSON.stringify({ identity: { email: t.email }, purpose: a.purpose, channel: 'email' })),
  );
  one = (k) =>
    new Promise((resolve) => {
      const body = bodies[k]!;
      const req = http.request(
        {
          host: base.hostname,
          port: base.port,
          path,
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            'content-length': body.length,
            authorization: `Bearer ${a.key}`,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => {
            if (res.statusCode !== 200) errors++;
            else if ((JSON.parse(Buffer.concat(chunks).toString()) as { allowed: boolean }).allowed)
              allowed++;
            resolve();
          });
        },
      );
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end(body);
    });
  done = async () => agent.destroy();
} else {
  // The same decision as Ombud's for this (consent-based, direct-marketing) purpose, in one
  // parameterised statement: not restricted, consent granted on e-mail, and neither for the purpose
  // nor for direct marketing is the newest choice (on '*' or e-mail) an objection older than that
  // consent (Art. 21(3): only a later consent overrides an objection).
  const text = `SELECT NOT s.restricted AND c.status = 'granted'
         AND NOT EXISTS (SELECT 1 FROM (SELECT DISTINCT ON (o.purpose_id) o.status, o.since FROM consent_state o
                                         WHERE o.subject_id = s.id AND o.purpose_id IN ('direct-marketing', $2)
                                           AND o.channel IN ('*', 'email')
                                         ORDER BY o.purpose_id, o.since DESC) l
                          WHERE l.status = 'objected' AND c.since <= l.since) AS allowed
    FROM consent_identities i JOIN consent_subjects s ON s.id = i.subject_id
    LEFT JOIN consent_state c ON c.subject_id = s.id AND c.purpose_id = $2 AND c.channel = 'email'
   WHERE i.org_id = $1 AND i.kind = 'email' AND i.value_hash = $3`;
  const url = new URL(a.pg!);
  if (a.backends) url.searchParams.set('application_name', a.backends);
  const clients = await Promise.all(
    Array.from({ length: Math.min(CONC, Number(a['sql-connections'])) }, async () => {
      const c = new pg.Client({ connectionString: url.toString() });
      await c.connect();
      return c;
    }),
  );
  const free = [...clients];
  const waiting: ((c: pg.Client) => void)[] = [];
  one = async (k) => {
    const c = free.pop() ?? (await new Promise<pg.Client>((r) => waiting.push(r)));
    try {
      const { rows } = await c.query<{ allowed: boolean | null }>({
        name: 'bench-may-contact',
        text,
        values: [a.org, a.purpose, targets[k]!.hash],
      });
      if (rows[0]?.allowed) allowed++;
    } catch {
      errors++;
    }
    const w = waiting.shift();
    if (w) w(c);
    else free.push(c);
  };
  done = async () => {
    await Promise.all(clients.map((c) => c.end()));
  };
}

const pidsBefore = await backendPids();
const backendBefore = new Map(pidsBefore.map((p) => [p, procCpuMs(p)]));
const serverBefore = serverPid ? procCpuMs(serverPid) : 0;
const serverSysBefore = serverPid ? procCpuMs(serverPid, 'sys') : 0;
const selfBefore = process.cpuUsage();

const lat: number[] = new Array(targets.length);
const start = performance.now();
await new Promise<void>((resolve) => {
  let next = 0;
  let inflight = 0;
  let finished = 0;
  const fire = () => {
    const due =
      RATE > 0
        ? Math.min(targets.length, Math.floor(((performance.now() - start) * RATE) / 1000) + 1)
        : targets.length;
    while (next < due && inflight < CONC) {
      const k = next++;
      const scheduled = RATE > 0 ? start + (k * 1000) / RATE : performance.now();
      inflight++;
      one(k).then(() => {
        lat[k] = performance.now() - scheduled;
        inflight--;
        finished++;
        if (finished === targets.length) {
          clearInterval(timer);
          resolve();
        } else fire();
      });
    }
  };
  const timer = setInterval(fire, 1);
  fire();
});
const seconds = (performance.now() - start) / 1000;
const self = process.cpuUsage(selfBefore);
const serverMs = serverPid ? procCpuMs(serverPid) - serverBefore : null;
const serverSysMs = serverPid ? procCpuMs(serverPid, 'sys') - serverSysBefore : null;
let backendMs: number | null = null;
if (a.backends) {
  backendMs = 0;
  for (const p of await backendPids()) backendMs += procCpuMs(p) - (backendBefore.get(p) ?? 0);
}
await done();
await monitor?.end();
// Open loop: the worst latency per 100 ms of schedule (whether a tail is one stall or spread out).
const timeline: number[] = [];
if (RATE > 0) {
  const per = Math.max(1, Math.round(RATE / 10));
  for (let k = 0; k < lat.length; k += per) timeline.push(Math.round(Math.max(...lat.slice(k, k + per))));
}
lat.sort((x, y) => x - y);
const pct = (p: number) => lat[Math.min(lat.length - 1, Math.floor((p / 100) * lat.length))]!;
const perReq = (ms: number | null) => (ms === null ? null : (ms * 1000) / targets.length);
console.log(
  JSON.stringify({
    sent: targets.length,
    seconds,
    rps: targets.length / seconds,
    p50: pct(50),
    p90: pct(90),
    p99: pct(99),
    max: lat[lat.length - 1],
    allowed,
    errors,
    errorStatuses,
    // µs of CPU per request
    cpu: {
      load: perReq((self.user + self.system) / 1000),
      loadSys: perReq(self.system / 1000),
      server: perReq(serverMs),
      serverSys: perReq(serverSysMs),
      postgres: perReq(backendMs),
    },
    timeline,
  }),
);
