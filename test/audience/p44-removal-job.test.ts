/**
 * P44 "If you object, you are removed from all segments and from the lists shared with the advertising
 * networks", at once: a customer of an exported segment objects to ad matching in the real preference
 * center (its route, through the server), the route queues a pg-boss job, and the job writes a removal
 * file per immediate-removal segment holding exactly that customer's hash. The next regular export lists
 * them for removal and in no add list. Ombud's database and the web shop on the PostgreSQL server; the
 * hashes are computed here by hand with node:crypto (Google: lower case, trimmed; Meta the same).
 */
import { createHash } from 'node:crypto';
import { afterEach, expect, test } from 'vitest';
import { SYSTEM_ACTOR } from '../../src/services/audit/auditLog.ts';
import {
  type AudienceExport,
  exportSegment,
  listExports,
  readExportFile,
} from '../../src/services/audience/exportSegment.ts';
import { AUDIENCE_REMOVAL_QUEUE, AudienceWorker } from '../../src/services/audience/worker.ts';
import { consentKeys } from '../../src/services/consent/keys.ts';
import { issuePreferenceToken } from '../../src/services/consent/preferenceToken.ts';
import { recordConsentEvent } from '../../src/services/consent/recordConsentEvent.ts';
import { nestitSystems } from '../support/nestit-systems.ts';
import { startTestServer } from '../support/server.ts';

const NOW = new Date('2026-11-25T10:00:00Z');
const sqlTime = (daysAgo: number) =>
  new Date(NOW.getTime() - daysAgo * 86_400_000).toISOString().slice(0, 19).replace('T', ' ');
const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const ORG = 'nestit-sverige';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function until<T>(what: string, f: () => T | undefined, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('P44 an objection in the preference center removes the customer at once through a queued job: a removal file with exactly their hash per segment, then the next export lists them for removal and in no add list', async () => {
  let clock = NOW;
  const t = await startTestServer({
    kind: 'postgres',
    now: () => clock,
    config: { secret: 'audience-removal-test-0123456789abcdef0123' },
  });
  cleanup.push(t.close);
  const s = await nestitSystems({ customers: 0, webshop: 'postgres' });
  cleanup.push(s.close);
  // Two Swedish account holders with a recent order: Anna stays, Filip objects.
  const people = [
    { id: 1, email: 'anna@example.se' },
    { id: 6, email: 'Filip@Example.se' },
  ];
  for (const c of people) {
    await s.webshop.connector.execute(
      `INSERT INTO customers (id, customer_number, email, country, created_at) VALUES (${c.id}, 'C${c.id}', '${c.email}', 'SE', '${sqlTime(900)}')`,
    );
    await s.webshop.connector.execute(
      `INSERT INTO accounts (id, customer_id, username, password_hash) VALUES (${c.id}, ${c.id}, 'u${c.id}', 'x')`,
    );
    await s.webshop.connector.execute(
      `INSERT INTO orders (id, customer_id, order_number, placed_at, total_cents) VALUES (${c.id}, ${c.id}, 'O${c.id}', '${sqlTime(10)}', 100)`,
    );
  }
  const db = t.app.db;
  const index = (await t.app.registers.get())!.index;
  const keys = await consentKeys(db, t.app.config.secret, t.app.config.secretKeys);
  const systems = { datasets: s.datasets, connectors: s.connectors };
  const removals: AudienceExport[] = [];
  const w = await AudienceWorker.start(t.app, t.workers, systems, {
    pollingIntervalSeconds: 0.5,
    retryDelaySeconds: 1,
    syncSeconds: 0,
    onExports: (what, e) => {
      if (what === 'removal') removals.push(...e);
    },
  });
  expect(t.workers.audience).toBe(w);

  // Filip subscribed to the newsletter at checkout: he is a subject of NestIT Sverige.
  const { event } = await recordConsentEvent(
    db,
    SYSTEM_ACTOR,
    keys,
    index,
    {
      orgId: ORG,
      identity: { email: 'filip@example.se' },
      purposeId: 'communication-subscription',
      channel: 'email',
      kind: 'grant',
      wording: 'Yes, send me newsletters.',
      source: 'checkout',
      at: clock,
    },
    clock,
  );
  // A grant queues no removal job.
  expect(await w.eventRecorded(event)).toBeNull();

  const deps = { db, keys, index, now: () => clock };
  const both = [
    ['recent-buyers-se-google', 'Email'],
    ['recent-buyers-se-meta', 'email'],
  ] as const;
  for (const [segmentId] of both) {
    const first = await exportSegment(deps, systems, SYSTEM_ACTOR, { orgId: ORG, segmentId, kind: 'manual' });
    expect(first).toMatchObject({ members: 2, added: 2, removed: 0 });
  }

  // An hour later Filip unticks ad matching (channel '*') in the preference center and saves.
  clock = new Date(NOW.getTime() + 3_600_000);
  const { token } = await issuePreferenceToken(keys, { sub: event.subjectId, org: ORG }, clock);
  const page = await t.server.inject({ method: 'GET', url: `/privacy/preferences/${token}?lang=en` });
  expect(page.statusCode).toBe(200);
  const on = [...page.body.matchAll(/name="on" value="([^"]+)" checked/g)].map((m) => m[1]!);
  expect(on).toContain(`${ORG}|ad-matching|*`);
  const keep = on.filter((v) => v !== `${ORG}|ad-matching|*`);
  const saved = await t.server.inject({
    method: 'POST',
    url: `/privacy/preferences/${token}?lang=en`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams([['action', 'save'], ...keep.map((v) => ['on', v])]).toString(),
  });
  expect(saved.statusCode).toBe(303);

  // The route queued one job; the worker ran it: a removal export per immediate-removal segment.
  const jobs = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM pgboss.job WHERE name = $1', [
    AUDIENCE_REMOVAL_QUEUE,
  ]);
  expect(jobs[0]!.n).toBe(1);
  await until('the removal exports', () => (removals.length >= 2 ? removals : undefined));
  expect(removals.map((r) => [r.segmentId, r.kind, r.removed, r.added, r.createdBy]).sort()).toEqual([
    ['recent-buyers-se-google', 'removal', 1, 0, 'system:ombud'],
    ['recent-buyers-se-meta', 'removal', 1, 0, 'system:ombud'],
  ]);
  const file = async (e: AudienceExport, role: string) => {
    const f = e.files.find((x) => x.role === role)!;
    return (
      await readExportFile(db, SYSTEM_ACTOR, { orgId: ORG, exportId: e.id, name: f.name })
    ).content.toString('utf8');
  };
  for (const [segmentId, header] of both) {
    const r = removals.find((x) => x.segmentId === segmentId)!;
    // Only a removal file, holding exactly Filip's hash.
    expect(r.files.map((f) => f.role)).toEqual(['remove']);
    expect(await file(r, 'remove')).toBe(`${header}\n${sha('filip@example.se')}\n`);
  }

  // The next regular export: Filip in the removal list, in no add list, no longer a member.
  clock = new Date(NOW.getTime() + 7 * 86_400_000);
  for (const [segmentId, header] of both) {
    const next = await exportSegment(deps, systems, SYSTEM_ACTOR, {
      orgId: ORG,
      segmentId,
      kind: 'scheduled',
    });
    expect(next).toMatchObject({ members: 1, added: 0, removed: 1 });
    expect(await file(next, 'remove')).toBe(`${header}\n${sha('filip@example.se')}\n`);
    expect(await file(next, 'add')).toBe(`${header}\n`);
    expect(await file(next, 'members')).toBe(`${header}\n${sha('anna@example.se')}\n`);
  }
  // Each export is recorded: two first, two removals, two regular.
  expect((await listExports(db, ORG, undefined, 100)).map((e) => e.kind).sort()).toEqual([
    'manual',
    'manual',
    'removal',
    'removal',
    'scheduled',
    'scheduled',
  ]);
}, 120_000);
