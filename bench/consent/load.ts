/**
 * The load driver of bench/consent/lookup.ts, run as a second process so the client does not share
 * the server's event loop. Bounded: a fixed list of requests, at most --concurrency in flight.
 *
 *   node --import tsx bench/consent/load.ts --mode http|sql --targets FILE [--rate 2000] [--concurrency 64]
 *
 * --rate R (open loop): request k is due at start + k/R; latency is measured from when it was due,
 * so a stalled server is not hidden by the client waiting for it (no coordinated omission).
 * --rate 0 (closed loop): --concurrency workers send back to back; the throughput is the maximum.
 * Prints one JSON line: { sent, seconds, rps, p50, p90, p99, max, allowed, errors }.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { parseArgs } from 'node:util';
import pg from 'pg';

const { values: a } = parseArgs({
  options: {
    mode: { type: 'string', default: 'http' },
    targets: { type: 'string' },
    rate: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '64' },
    url: { type: 'string' },
    key: { type: 'string' },
    org: { type: 'string', default: 'nestit-group' },
    purpose: { type: 'string', default: 'communication-subscription' },
    pg: { type: 'string' },
  },
});
type Target = { email: string; hash: string };
const targets = JSON.parse(readFileSync(a.targets!, 'utf8')) as Target[];
const RATE = Number(a.rate);
const CONC = Number(a.concurrency);

let allowed = 0;
let errors = 0;
let one: (t: Target) => Promise<void>;
let done = async () => {};

if (a.mode === 'http') {
  const base = new URL(a.url!);
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONC });
  const path = `/api/v1/organizations/${a.org}/contact-checks`;
  one = (t) =>
    new Promise((resolve) => {
      const body = JSON.stringify({ identity: { email: t.email }, purpose: a.purpose, channel: 'email' });
      const req = http.request(
        {
          host: base.hostname,
          port: base.port,
          path,
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
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
  const pool = new pg.Pool({ connectionString: a.pg, max: Math.min(CONC, 16) });
  // The same decision as Ombud's, in one parameterised statement (unnamed, as Ombud's Db sends it): subject, its consent for the purpose on e-mail,
  // and any objection to direct marketing.
  const sql = {
    text: `SELECT s.restricted,
      (SELECT status FROM consent_state c WHERE c.subject_id = s.id AND c.purpose_id = $2 AND c.channel = 'email') AS consent,
      EXISTS (SELECT 1 FROM consent_state c WHERE c.subject_id = s.id AND c.purpose_id = 'direct-marketing' AND c.status = 'objected') AS objected
    FROM consent_identities i JOIN consent_subjects s ON s.id = i.subject_id
   WHERE i.org_id = $1 AND i.kind = 'email' AND i.value_hash = $3`,
  };
  one = async (t) => {
    try {
      const { rows } = await pool.query({ ...sql, values: [a.org, a.purpose, t.hash] });
      const r = rows[0];
      if (r && !r.restricted && !r.objected && r.consent === 'granted') allowed++;
    } catch {
      errors++;
    }
  };
  done = () => pool.end();
}

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
      one(targets[k]!).then(() => {
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
await done();
lat.sort((x, y) => x - y);
const pct = (p: number) => lat[Math.min(lat.length - 1, Math.floor((p / 100) * lat.length))]!;
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
  }),
);
