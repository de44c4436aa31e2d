/**
 * Personal data breaches over the real databases (issue 19): a breach of the demo web shop (PostgreSQL)
 * over a window, scoped from the data map with exact counts per company (expected numbers from a
 * hand-written query over the seeded rows), categories and authorities; the IMY and Datatilsynet drafts
 * read back from the PDF text; the Art. 34 mails sent by the queued job (pg-boss) to a real SMTP server on
 * loopback, one job however often "tell" is pressed while it waits, nobody told twice, the addresses
 * gone afterwards; the 72-hour clock overdue on an injected clock.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SYSTEM_PRINCIPAL } from '../../src/core/policies/permissions.ts';
import { assessBreach } from '../../src/services/breaches/assessBreach.ts';
import { draftNotifications, listNotifications } from '../../src/services/breaches/draftNotification.ts';
import { mailBreachesDue } from '../../src/services/breaches/listBreaches.ts';
import { recordBreach } from '../../src/services/breaches/recordBreach.ts';
import { scopeBreach } from '../../src/services/breaches/scopeBreach.ts';
import {
  clockOf,
  readBreachRow,
  tellProgress,
  timelineOf,
  toBreach,
} from '../../src/services/breaches/store.ts';
import { BREACH_TELL_QUEUE, BreachTellQueue, queueTelling } from '../../src/services/breaches/tellJob.ts';
import { SYSTEM_ACTOR } from '../../src/services/audit/auditLog.ts';
import type { Db } from '../../src/storage/db.ts';
import { startSmtp, type SmtpCatcher } from '../requests/support.ts';
import { freshDb } from '../support/db.ts';
import { type NestitSystems, nestitSystems } from '../support/nestit-systems.ts';

const caller = { principal: SYSTEM_PRINCIPAL, actor: SYSTEM_ACTOR };
const group = { orgIds: ['nestit-group', 'nestit-sverige', 'bokhylla', 'provendo'] };
// The injected clock: the team became aware at AWARE; the test moves the clock.
const AWARE = new Date('2026-11-20T07:30:00Z');
let clock = new Date(AWARE.getTime() + 2 * 3_600_000);
const now = () => clock;
const WINDOW = { from: '2020-01-01T00:00:00Z', to: '2021-01-01T00:00:00Z' };

let s: NestitSystems;
let db: Db;
let smtp: SmtpCatcher;
let breachId: string;
/** Hand-written: the customers with an order placed in the window, per country, over the seeded rows. */
let expected: Record<string, number>;
let expectedRecords: Record<string, number>;
let expectedEmails: { email: string; country: string }[];

beforeAll(async () => {
  s = await nestitSystems({ customers: 80 });
  db = await freshDb('pglite');
  smtp = await startSmtp();
  const w = s.webshop.connector;
  const perCountry = await w.query<{ country: string; n: string }>(
    `SELECT c.country, COUNT(DISTINCT c.customer_number) AS n FROM orders o JOIN customers c ON c.id = o.customer_id
      WHERE o.placed_at >= '2020-01-01' AND o.placed_at < '2021-01-01' GROUP BY c.country`,
  );
  const country = { SE: 'nestit-sverige', NO: 'provendo' } as Record<string, string>;
  expected = Object.fromEntries(perCountry.map((r) => [country[r.country]!, Number(r.n)]));
  // Records: the orders in the window and their order lines, per country.
  const rec = await w.query<{ country: string; n: string }>(
    `SELECT c.country, (SELECT COUNT(*) FROM orders o2 JOIN customers c2 ON c2.id = o2.customer_id WHERE c2.country = c.country
              AND o2.placed_at >= '2020-01-01' AND o2.placed_at < '2021-01-01')
          + (SELECT COUNT(*) FROM order_lines l JOIN orders o3 ON o3.id = l.order_id JOIN customers c3 ON c3.id = o3.customer_id
              WHERE c3.country = c.country AND o3.placed_at >= '2020-01-01' AND o3.placed_at < '2021-01-01') AS n
       FROM customers c GROUP BY c.country`,
  );
  expectedRecords = Object.fromEntries(rec.map((r) => [country[r.country]!, Number(r.n)]));
  expectedEmails = await w.query<{ email: string; country: string }>(
    `SELECT DISTINCT c.email, c.country FROM orders o JOIN customers c ON c.id = o.customer_id
      WHERE o.placed_at >= '2020-01-01' AND o.placed_at < '2021-01-01' ORDER BY c.email`,
  );
}, 120_000);
afterAll(async () => {
  await smtp?.close();
  await db?.close();
  await s?.close();
});

const deps = () => ({
  db,
  now,
  index: s.index,
  systems: { datasets: s.datasets, connectors: s.connectors },
});

/** The Art. 34 mails that reached the SMTP server (the clock test's digest left out). */
const told = async () => smtp.mails.filter((m) => !m.subject.startsWith('Ombud:'));
const events = async (kind: string) => (await timelineOf(db, breachId)).filter((e) => e.kind === kind);
async function until(what: string, f: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await f())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('a breach of the demo web shop', () => {
  test('recorded, then scoped on the live databases: exact people per company, categories, authorities', async () => {
    // Both companies have customers in the window (else the test says nothing about one of them).
    expect(expected['nestit-sverige']).toBeGreaterThan(0);
    expect(expected.provendo).toBeGreaterThan(0);
    const b = await recordBreach({ db, now }, caller, group, {
      title: 'Order confirmations readable by other customers',
      description:
        'A caching fault in the web shop showed order confirmations (name, delivery address, items) to other signed-in customers.',
      detectedAt: new Date(AWARE.getTime() - 3_600_000).toISOString(),
      awareAt: AWARE.toISOString(),
      window: WINDOW,
      affected: [
        { dataset: 'nestit_webshop', collection: 'orders', timeField: 'placed_at' },
        { dataset: 'nestit_webshop', collection: 'order_lines', timeField: 'orders.placed_at' },
      ],
      containment: 'The cache was switched off at 09:10 and the pages purged.',
      consequences: 'Other customers may have seen your name, delivery address and what you ordered.',
      measures: 'Be wary of mails or calls referring to your orders. We have fixed the fault.',
      people: [{ name: 'Ines Incident', role: 'incident lead' }],
    });
    expect(b.reference).toMatch(/^B-2026-\d{3}$/);
    breachId = b.id;
    const scoped = await scopeBreach(deps(), caller, group, b.id);
    const sc = scoped.scope!;
    expect(sc.controllers.map((c) => [c.orgId, c.subjects, c.records, c.authorityId, c.lang])).toEqual([
      ['nestit-sverige', expected['nestit-sverige'], expectedRecords['nestit-sverige'], 'se-imy', 'sv'],
      ['provendo', expected.provendo, expectedRecords.provendo, 'no-datatilsynet', 'nb'],
    ]);
    expect(sc.subjects).toBe(expected['nestit-sverige']! + expected.provendo!);
    // The categories of the two collections' fields (webshop.yaml), none of them Art. 9.
    expect(sc.categories).toEqual([
      { key: 'user.behavior.purchase_history', special: false },
      { key: 'user.contact.address.city', special: false },
      { key: 'user.contact.address.postal_code', special: false },
      { key: 'user.contact.address.street', special: false },
      { key: 'user.name', special: false },
    ]);
    // Every affected person had an order with all of them (each order has a name and purchase history).
    for (const c of sc.controllers)
      expect(c.categories.map((k) => k.subjects)).toEqual(sc.categories.map(() => c.subjects));
    expect(sc.purposes).toEqual(['order-fulfilment']);
    expect(scoped.orgIds).toEqual(['nestit-sverige', 'provendo']);
  });

  test('the clock from awareness: running, due soon, overdue after 72 h (and in the daily digest)', async () => {
    const b = toBreach((await readBreachRow(db, breachId))!);
    clock = new Date(AWARE.getTime() + 2 * 3_600_000);
    expect(clockOf(b, clock).state).toBe('running');
    clock = new Date(AWARE.getTime() + 50 * 3_600_000);
    expect(clockOf(b, clock).state).toBe('due-soon');
    clock = new Date(AWARE.getTime() + 72 * 3_600_000 + 60_000);
    expect(clockOf(b, clock)).toMatchObject({ state: 'overdue', late: true });
    const digest = await mailBreachesDue(db, {
      to: 'dpo@nestit.example',
      publicUrl: 'http://ombud.test',
      now: clock,
    });
    expect(digest).toEqual({ mails: 1, breaches: 1 });
    const [mail] = await db.query<{ body: string }>("SELECT body FROM mail_outbox WHERE template = 'digest'");
    expect(mail!.body).toContain(
      `OVERDUE  ${new Date(AWARE.getTime() + 72 * 3_600_000).toISOString()}  ${b.reference}  0 h 1 min overdue`,
    );
    // Back within the 72 hours for the rest.
    clock = new Date(AWARE.getTime() + 20 * 3_600_000);
  });

  test('risk decided by a person from the suggestion; IMY and Datatilsynet drafts read from the PDF text', async () => {
    const assessed = await assessBreach({ db, now }, caller, group, breachId, {
      vulnerableSubjects: false,
      encrypted: false,
      level: 'high-risk',
      reason: 'Names with home addresses and purchases, seen by strangers: tell the customers.',
    });
    expect(assessed.risk!.factors).toMatchObject({
      identifiable: true,
      specialCategories: false,
      encrypted: false,
    });
    expect(assessed.risk!.suggested.level).toBe('risk');
    expect(assessed.decision).toBe('notify');
    const drafts = await draftNotifications({ ...deps(), now }, caller, group, breachId);
    expect(drafts.map((d) => [d.orgId, d.authorityId, d.lang, d.phase])).toEqual([
      ['nestit-sverige', 'se-imy', 'sv', 1],
      ['provendo', 'no-datatilsynet', 'nb', 1],
    ]);
    const stored = await listNotifications({ db, now }, caller, group, breachId);
    mkdirSync('test-results', { recursive: true });
    const text = (orgId: string) => {
      const n = stored.find((x) => x.orgId === orgId)!;
      const file = `test-results/breach-${orgId}.pdf`;
      writeFileSync(file, n.pdf!);
      return execFileSync('pdftotext', ['-layout', file, '-']).toString().replace(/\s+/g, ' ');
    };
    const sv = text('nestit-sverige');
    for (const words of [
      'Anmälan av personuppgiftsincident',
      'Första anmälan',
      'Integritetsskyddsmyndigheten (IMY) <imy@imy.se>',
      'NestIT Sverige AB',
      'Incidentens art, artikel 33.3 a',
      `Ungefärligt antal registrerade ${expected['nestit-sverige']}`,
      'Kontaktperson (dataskyddsombud), artikel 33.3 b',
      'Sannolika konsekvenser, artikel 33.3 c',
      'Other customers may have seen your name',
      'Vidtagna och föreslagna åtgärder, artikel 33.3 d',
      'The cache was switched off',
      'Hög risk',
      'De registrerade informeras direkt via e-post.',
    ])
      expect(sv, words).toContain(words);
    const nb = text('provendo');
    for (const words of [
      'Melding om brudd på personopplysningssikkerheten',
      'Første melding',
      'Datatilsynet <postkasse@datatilsynet.no>',
      'Provendo AS',
      'Bruddets art, artikkel 33 nr. 3 bokstav a',
      `Omtrentlig antall registrerte ${expected.provendo}`,
      'Sannsynlige konsekvenser, artikkel 33 nr. 3 bokstav c',
      'Tiltak som er truffet eller foreslått, artikkel 33 nr. 3 bokstav d',
    ])
      expect(nb, words).toContain(words);
    // A follow-up (Art. 33(4)) is the next phase, per controller.
    const follow = await draftNotifications({ ...deps(), now }, caller, group, breachId, {
      orgId: 'provendo',
    });
    expect(follow.map((d) => [d.orgId, d.phase, d.content.kind])).toEqual([['provendo', 2, 'follow-up']]);
  }, 120_000);

  test('Art. 34 mails to every affected person over SMTP on loopback, in their language, sent by the queued job (pressed twice: one job, each person told once); no address kept', async () => {
    const tellDeps = {
      ...deps(),
      secret: 'test-secret',
      smtp: { url: smtp.url, from: 'NestIT privacy <privacy@nestit.example>' },
    };
    const context = async () => ({ deps: tellDeps, group });
    // An API process queues; a worker, started after the presses, runs the job.
    const api = await BreachTellQueue.start({ db }, {}, context, { consume: false });
    const progress: number[] = [];
    let worker: BreachTellQueue | undefined;
    try {
      // Pressed twice while the job waits: one job, one "Telling queued" line, nothing told yet.
      const first = await queueTelling({ db, now }, () => api, caller, group, breachId, { batch: 10 });
      const second = await queueTelling({ db, now }, () => api, caller, group, breachId, { batch: 10 });
      expect(first).toEqual({ queued: true, progress: { listed: 0, queued: 0, sent: 0, failed: 0 } });
      expect(second).toEqual({ queued: false, progress: { listed: 0, queued: 0, sent: 0, failed: 0 } });
      const jobs = await db.query<{ n: number; data: unknown }>(
        'SELECT count(*)::int AS n, min(data::text) AS data FROM pgboss.job WHERE name = $1',
        [BREACH_TELL_QUEUE],
      );
      expect(jobs[0]!.n).toBe(1);
      // The job's data: the breach, who asked (kind and id), the batch; never an address.
      expect(JSON.parse(String(jobs[0]!.data))).toEqual({
        breachId,
        by: { kind: 'system', id: 'ombud' },
        batch: 10,
      });
      expect((await told()).length).toBe(0);
      worker = await BreachTellQueue.start({ db }, {}, context, {
        pollingIntervalSeconds: 0.5,
        retryDelaySeconds: 1,
        onProgress: (_id, p) => progress.push(p.sent),
      });
      await until('the telling to finish', async () => (await events('told')).length === 1);
      expect(await tellProgress(db, breachId)).toEqual({
        listed: 0,
        queued: 0,
        sent: expectedEmails.length,
        failed: 0,
      });
      // Batches of 10: progress grows batch by batch.
      expect(progress.length).toBe(Math.ceil(expectedEmails.length / 10));
      // The digest of the clock test went out with the first batch; the rest are the Art. 34 mails.
      expect((await told()).map((m) => m.to[0]).sort()).toEqual(expectedEmails.map((e) => e.email).sort());
      const se = expectedEmails.find((e) => e.country === 'SE')!;
      const no = expectedEmails.find((e) => e.country === 'NO')!;
      const svMail = smtp.mails.find((m) => m.to[0] === se.email)!;
      expect(svMail.subject).toBe('NestIT Sverige AB: en säkerhetsincident som rör dina personuppgifter');
      expect(svMail.text).toContain('Vad som har hänt:');
      const nbMail = smtp.mails.find((m) => m.to[0] === no.email)!;
      expect(nbMail.subject).toBe('Provendo AS: en sikkerhetshendelse som gjelder personopplysningene dine');
      // Recorded per person, without the address.
      const kept = await db.query<{ n: string }>(
        "SELECT count(*) AS n FROM breach_recipients WHERE breach_id = $1 AND status = 'sent' AND email IS NULL AND sent_at IS NOT NULL",
        [breachId],
      );
      expect(Number(kept[0]!.n)).toBe(expectedEmails.length);
      for (const e of expectedEmails.slice(0, 5)) {
        expect(await db.query('SELECT 1 FROM mail_outbox WHERE to_address = $1', [e.email])).toEqual([]);
        expect(await db.query('SELECT 1 FROM breach_recipients WHERE email = $1', [e.email])).toEqual([]);
      }
      // Pressed again once the job is done: a new job runs, and nobody is told twice.
      const again = await queueTelling({ db, now }, () => api, caller, group, breachId);
      expect(again).toEqual({
        queued: true,
        progress: { listed: 0, queued: 0, sent: expectedEmails.length, failed: 0 },
      });
      await until('the second telling to finish', async () => (await events('told')).length === 2);
      expect((await events('told'))[1]!.summary).toBe(
        `People told (Art. 34): ${expectedEmails.length} sent, 0 waiting, 0 failed`,
      );
      expect((await told()).length).toBe(expectedEmails.length);
      expect((await events('tell-queued')).map((e) => e.summary)).toEqual([
        'Telling queued',
        'Telling queued',
      ]);
    } finally {
      await worker?.stop();
      await api.stop();
    }
  }, 120_000);

  test('a breach not decided as high risk is refused at once (409), nothing queued; a job whose caller may no longer act is refused', async () => {
    const b = await recordBreach({ db, now }, caller, group, {
      title: 'A misdirected mail',
      description: 'One order confirmation went to the wrong address.',
      detectedAt: AWARE.toISOString(),
      awareAt: AWARE.toISOString(),
      affected: [{ dataset: 'nestit_webshop', collection: 'orders' }],
    });
    let sent = 0;
    const queue = () => ({
      send: async () => {
        sent++;
        return 'job';
      },
    });
    await expect(queueTelling({ db, now }, queue, caller, group, b.id)).rejects.toMatchObject({
      kind: 'precondition',
      code: 'breach-not-high-risk',
    });
    expect(sent).toBe(0);
    expect((await timelineOf(db, b.id)).map((e) => e.kind)).toEqual(['recorded']);
    // A job whose caller may no longer act (no such person now) is refused when it runs: nothing listed,
    // the refusal on the timeline, no retry.
    const q = await BreachTellQueue.start(
      { db },
      {},
      async () => ({ deps: { ...deps(), secret: 'test-secret', smtp: { from: 'x@nestit.example' } }, group }),
      { consume: false },
    );
    try {
      const gone = { kind: 'user' as const, id: '00000000-0000-4000-8000-000000000001' };
      expect(await q.run({ breachId: b.id, by: gone })).toEqual({ refused: 'forbidden' });
      const refused = (await timelineOf(db, b.id)).at(-1)!;
      expect([refused.kind, refused.summary, refused.actor]).toEqual([
        'tell-refused',
        'Telling not done: The person or key who asked for this may no longer act.',
        'user:00000000-0000-4000-8000-000000000001',
      ]);
      expect(await tellProgress(db, b.id)).toEqual({ listed: 0, queued: 0, sent: 0, failed: 0 });
    } finally {
      await q.stop();
    }
  });

  test('every change is audited and on the timeline', async () => {
    const audit = await db.query<{ action: string }>(
      'SELECT action FROM audit_log WHERE target = $1 ORDER BY seq',
      [`breach:${breachId}`],
    );
    expect(audit.map((a) => a.action)).toEqual([
      'breach.record',
      'breach.scope',
      'breach.assess',
      'breach.draft',
      'breach.draft',
      'breach.draft',
      'breach.tell-queued',
      'breach.tell',
      'breach.tell-queued',
      'breach.tell',
    ]);
  });
});
