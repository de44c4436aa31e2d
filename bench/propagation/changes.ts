/**
 * The bench's API process: records consent changes with the use case the API's routes call
 * (recordConsentEvent: subject, event, state, outbox rows, audit entry, one transaction) at a fixed
 * rate, open loop, and never sends a webhook (an `api` role process: the worker in the parent sends).
 * Every tenth change is a subject's second, third, … change (grant and withdraw in turn), so lanes
 * with more than one delivery occur; a subject's changes are recorded one after another.
 *
 *   node --import tsx bench/propagation/changes.ts --url URL --secret S --tag T --count N [--rate R]
 * --rate 0: as fast as `--concurrency` allows. Prints one JSON line when done; `--times FILE` gets a
 * line per change: event id, its `at` and when it was committed (ms).
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { SYSTEM_ACTOR } from '../../src/services/audit/auditLog.ts';
import { chainKeysFrom, installAuditChainKeys } from '../../src/services/audit/keys.ts';
import { consentKeys } from '../../src/services/consent/keys.ts';
import { recordConsentEvent } from '../../src/services/consent/recordConsentEvent.ts';
import { openPostgres } from '../../src/storage/postgres.ts';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    secret: { type: 'string' },
    tag: { type: 'string', default: 'x' },
    count: { type: 'string', default: '1000' },
    rate: { type: 'string', default: '0' },
    concurrency: { type: 'string', default: '32' },
    times: { type: 'string' },
  },
});
const count = Number(values.count);
const rate = Number(values.rate);
const concurrency = Number(values.concurrency);

installAuditChainKeys(chainKeysFrom(process.env.OMBUD_BENCH_AUDIT_KEY!, 'bench'));
const db = await openPostgres(values.url!, concurrency + 2);
const app = createApp(db, { ...loadConfig({ LOG_LEVEL: 'silent' }), secret: values.secret! });
const keys = await consentKeys(db, values.secret!);
const index = (await app.registers.get())!.index;

const committed: string[] = [];
let inFlight = 0;
let errors = 0;
const chains = new Map<number, Promise<void>>();
const slot: (() => void)[] = [];
const t0 = performance.now();
let lateMs = 0;

async function change(i: number) {
  // Subject of change i: a new one, except every tenth change, which is subject (i/10 mod 50)'s next one.
  const repeat = i % 10 === 9;
  const who = repeat ? Math.floor(i / 10) % 50 : i;
  const kind = repeat && Math.floor(i / 500) % 2 === 1 ? 'withdraw' : 'grant';
  const email = repeat ? `repeat-${who}.${values.tag}@bench.example` : `s${i}.${values.tag}@bench.example`;
  try {
    const { event } = await recordConsentEvent(
      db,
      SYSTEM_ACTOR,
      keys,
      index,
      {
        orgId: 'nestit-group',
        identity: { email },
        purposeId: 'communication-subscription',
        channel: 'email',
        kind,
        ...(kind === 'grant' ? { wording: 'Yes, send me newsletters.' } : {}),
        source: kind === 'grant' ? 'checkout' : 'preference-center',
      },
      new Date(),
    );
    // When the change was committed (recordConsentEvent returned): the worker can see it from then on.
    committed.push(`${event.id} ${Date.parse(event.at)} ${Date.now()}`);
  } catch (err) {
    errors++;
    if (errors < 3) console.error(err);
  }
  return repeat ? who : -1;
}

for (let i = 0; i < count; i++) {
  if (rate > 0) {
    const due = t0 + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    else lateMs = Math.max(lateMs, -wait);
  }
  while (inFlight >= concurrency) await new Promise<void>((r) => slot.push(r));
  inFlight++;
  const repeat = i % 10 === 9;
  const who = Math.floor(i / 10) % 50;
  const before = repeat ? chains.get(who) : undefined;
  const p = (before ?? Promise.resolve())
    .then(() => change(i))
    .then(() => {
      inFlight--;
      slot.shift()?.();
    });
  if (repeat) chains.set(who, p);
}
while (inFlight > 0) await new Promise<void>((r) => slot.push(r));
const seconds = (performance.now() - t0) / 1000;
if (values.times) writeFileSync(values.times, `${committed.join('\n')}\n`);
const cpu = process.cpuUsage();
console.log(
  JSON.stringify({
    count,
    errors,
    seconds,
    perSecond: count / seconds,
    maxLateMs: Math.round(lateMs),
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
  }),
);
await db.close();
