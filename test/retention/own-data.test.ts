/**
 * Ombud's own data under the register's rules (P12): closed requests' personal data, consent identities
 * no longer needed as proof, sent mails and expired result files, ended by the demo register's rules
 * (request-records P3Y, consent-proof P3Y, sent-mail P90D, result-files P0D) in the same retention run as
 * the group's databases. Rows are written by hand here, with trigger days on both sides of each cut-off
 * (in the controllers' time zone, Europe/Stockholm); the expected counts are this file's table.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { validateRegister } from '../../src/core/register/validate.ts';
import { SYSTEM_ACTOR } from '../../src/services/audit/auditLog.ts';
import { previewRetention } from '../../src/services/retention/previewRetention.ts';
import { runRetention } from '../../src/services/retention/runRetention.ts';
import type { Db } from '../../src/storage/db.ts';
import { freshDb } from '../support/db.ts';
import { demoIndex } from '../support/nestit-systems.ts';

const TODAY = '2026-11-25';
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

const index = await demoIndex();
const register = index.register;

const n = async (db: Db, q: string, p: unknown[] = []) =>
  Number((await db.query<{ n: number | string }>(q, p))[0]!.n);

let seq = 0;
const uuid = () => `00000000-0000-4000-8000-${String(++seq).padStart(12, '0')}`;

/** A submission with one request per closing time (null: still open), details, a note and a code. */
async function submission(db: Db, email: string, closed: (string | null)[]) {
  const id = uuid();
  await db.query(
    `INSERT INTO dsr_submissions (id, channel, email, email_hash, name, lang, scope, created_at)
     VALUES ($1, 'web', $2, $3, 'Karin Holm', 'sv', 'nestit-sverige', '2020-01-01T00:00:00Z')`,
    [id, email, `hash-of-${email}`],
  );
  for (const c of closed) {
    const rid = uuid();
    await db.query(
      `INSERT INTO dsr_requests (id, submission_id, org_id, type, state, details, received_at, due_date,
              original_due_date, legal_due_date, max_due_date, closed_at)
       VALUES ($1, $2, 'nestit-sverige', 'access', $3, 'I bought a sofa in 2019', '2020-01-01T00:00:00Z',
              '2020-02-01', '2020-02-01', '2020-02-01', '2020-04-01', $4)`,
      [rid, id, c ? 'completed' : 'in-progress', c],
    );
    await db.query(
      `INSERT INTO dsr_events (request_id, at, actor, kind, note) VALUES ($1, '2020-01-02T00:00:00Z', 'user:x', 'note', 'Called Karin on her mobile')`,
      [rid],
    );
  }
  await db.query(
    `INSERT INTO dsr_verification_codes (submission_id, code_hash, expires_at) VALUES ($1, 'h', '2020-01-02T00:00:00Z')`,
    [id],
  );
  return id;
}

/** A consent subject with identities, one event at `at` and its state. */
async function consentSubject(
  db: Db,
  status: 'granted' | 'withdrawn' | 'objected',
  at: string,
  values: string[],
) {
  const id = uuid();
  await db.query(
    `INSERT INTO consent_subjects (id, org_id, created_at) VALUES ($1, 'nestit-sverige', '2019-01-01T00:00:00Z')`,
    [id],
  );
  for (const [i, v] of values.entries())
    await db.query(
      `INSERT INTO consent_identities (subject_id, org_id, kind, value, value_hash) VALUES ($1, 'nestit-sverige', $2, $3, $4)`,
      [id, i === 0 ? 'email' : 'phone', v, `h-${v}`],
    );
  const ev = uuid();
  await db.query(
    `INSERT INTO consent_events (id, org_id, subject_id, purpose_id, channel, kind, source, actor, at)
     VALUES ($1, 'nestit-sverige', $2, 'communication-subscription', 'email', $3, 'test', 'test', $4)`,
    [ev, id, status === 'granted' ? 'grant' : status === 'withdrawn' ? 'withdraw' : 'object', at],
  );
  await db.query(
    `INSERT INTO consent_state (org_id, subject_id, purpose_id, channel, status, event_id, since)
     VALUES ('nestit-sverige', $1, 'communication-subscription', 'email', $2, $3, $4)`,
    [id, status, ev, at],
  );
  return id;
}

async function seed(db: Db) {
  const subs = {
    // Closed 2023-06-01: its 3 years ended on 2026-06-01.
    old: await submission(db, 'old.requester@example.test', ['2023-06-01T10:00:00Z']),
    // Closed on 2023-11-24 in Stockholm (23:30): the period's last day is 2026-11-24, so it goes today.
    edgeGone: await submission(db, 'edge.gone@example.test', ['2023-11-24T22:30:00Z']),
    // Closed on 2023-11-25 in Stockholm (00:30, still the 24th in UTC): it stays until tomorrow.
    edgeKept: await submission(db, 'edge.kept@example.test', ['2023-11-24T23:30:00Z']),
    recent: await submission(db, 'recent@example.test', ['2024-06-01T10:00:00Z']),
    // One request closed long ago, one still open: the submission is still needed.
    open: await submission(db, 'still.open@example.test', ['2020-01-01T10:00:00Z', null]),
  };
  const subjects = {
    withdrawnLongAgo: await consentSubject(db, 'withdrawn', '2023-01-10T10:00:00Z', [
      'gone@example.test',
      '+46701111111',
    ]),
    withdrawnRecently: await consentSubject(db, 'withdrawn', '2025-01-10T10:00:00Z', [
      'recent.withdrawal@example.test',
    ]),
    granted: await consentSubject(db, 'granted', '2020-01-10T10:00:00Z', ['subscriber@example.test']),
    objected: await consentSubject(db, 'objected', '2020-01-10T10:00:00Z', ['objector@example.test']),
  };
  const mail = async (status: string, sentAt: string | null, to: string) => {
    const id = uuid();
    await db.query(
      `INSERT INTO mail_outbox (id, to_address, template, lang, subject, body, status, created_at, sent_at)
       VALUES ($1, $2, 'request-completed', 'sv', 'Ditt ärende', 'Hej Karin, här är dina uppgifter', $3, '2026-01-01T00:00:00Z', $4)`,
      [id, to, status, sentAt],
    );
    return id;
  };
  const mails = {
    // Sent 2026-08-01: 90 days ended on 2026-10-30.
    old: await mail('sent', '2026-08-01T10:00:00Z', 'karin.holm@example.test'),
    recent: await mail('sent', '2026-09-10T10:00:00Z', 'karin.recent@example.test'),
    pending: await mail('pending', null, 'karin.pending@example.test'),
  };
  const delivery = async (expires: string) => {
    const id = uuid();
    const [r] = await db.query<{ id: string }>('SELECT id FROM dsr_requests WHERE submission_id = $1', [
      subs.recent,
    ]);
    await db.query(
      `INSERT INTO dsr_deliveries (id, request_id, filename, content_type, size_bytes, iv, tag, ciphertext, created_at, expires_at)
       VALUES ($1, $2, 'extract.pdf', 'application/pdf', 10, 'iv', 'tag', 'c2VjcmV0', '2026-11-01T00:00:00Z', $3)`,
      [id, r!.id, expires],
    );
    return id;
  };
  const deliveries = {
    expired: await delivery('2026-11-20T10:00:00Z'),
    // Expires today: downloadable until then, wiped from tomorrow.
    today: await delivery('2026-11-25T12:00:00Z'),
  };
  await db.query(
    `INSERT INTO fulfilment_runs (request_id, org_id, type, status) VALUES ('run-1', 'nestit-sverige', 'access', 'done')`,
  );
  for (const [name, expires] of [
    ['extract.json', '2026-11-01T00:00:00Z'],
    ['extract.html', '2027-01-01T00:00:00Z'],
  ])
    await db.query(
      `INSERT INTO fulfilment_artifacts (request_id, name, content_type, body, expires_at) VALUES ('run-1', $1, 'application/json', $2, $3)`,
      [name, Buffer.from('{"email":"karin.holm@example.test"}'), expires],
    );
  return { subs, subjects, mails, deliveries };
}

/** The hand-written table: rows past each rule on TODAY. */
const EXPECTED = [
  { collection: 'consent_identities', rule: 'consent-proof', action: 'delete', rows: 2 },
  { collection: 'dsr_deliveries', rule: 'result-files', action: 'delete', rows: 1 },
  { collection: 'dsr_submissions', rule: 'request-records', action: 'anonymise', rows: 2 },
  { collection: 'fulfilment_artifacts', rule: 'result-files', action: 'delete', rows: 1 },
  { collection: 'mail_outbox', rule: 'sent-mail', action: 'delete', rows: 1 },
];

const own = (
  outcomes: { dataset: string; collection: string; rule: string; action: string; rows: number }[],
) =>
  outcomes
    .filter((o) => o.dataset === 'ombud')
    .map(({ collection, rule, action, rows }) => ({ collection, rule, action, rows }))
    .sort((a, b) => a.collection.localeCompare(b.collection));

describe.each(['pglite', 'postgres'] as const)("Ombud's own data on %s", (kind) => {
  test('P12 closed requests, consent identities no longer needed as proof, sent mails and expired files end by the register’s rules in the daily run; the dry run predicts it; nothing else changes', async () => {
    const db = await freshDb(kind);
    cleanup.push(() => db.close());
    const f = await seed(db);
    const deps = {
      db,
      actor: SYSTEM_ACTOR,
      index,
      datasets: [],
      connectors: new Map(),
      secret: 'k',
      now: () => new Date(`${TODAY}T10:00:00Z`),
    };
    const preview = await previewRetention(deps, TODAY);
    expect(own(preview.outcomes)).toEqual(EXPECTED);
    const dry = await runRetention(deps, { today: TODAY, dryRun: true });
    expect(own(dry.outcomes)).toEqual(EXPECTED);
    expect(await n(db, 'SELECT count(*) AS n FROM dsr_submissions WHERE email IS NULL')).toBe(0);

    const run = await runRetention(deps, { today: TODAY });
    expect(run.status).toBe('done');
    expect(run.steps.at(-1)).toMatchObject({ dataset: 'ombud', system: 'ombud', status: 'done' });
    expect(own(run.outcomes)).toEqual(EXPECTED);

    // Requests: the two past the rule lost address, hash, name, what was written, notes and code.
    const subs = await db.query<{
      id: string;
      email: string | null;
      email_hash: string | null;
      name: string | null;
      anonymised_at: unknown;
    }>('SELECT id, email, email_hash, name, anonymised_at FROM dsr_submissions');
    const gone = new Set([f.subs.old, f.subs.edgeGone]);
    for (const s of subs)
      if (gone.has(s.id)) expect(s).toMatchObject({ email: null, email_hash: null, name: null });
      else expect(s.email).toMatch(/@example\.test$/);
    expect(
      subs
        .filter((s) => s.anonymised_at)
        .map((s) => s.id)
        .sort(),
    ).toEqual([...gone].sort());
    expect(
      await n(
        db,
        'SELECT count(*) AS n FROM dsr_requests WHERE details IS NULL AND submission_id = ANY($1::uuid[])',
        [[...gone]],
      ),
    ).toBe(2);
    expect(await n(db, 'SELECT count(*) AS n FROM dsr_requests WHERE details IS NOT NULL')).toBe(4);
    expect(await n(db, 'SELECT count(*) AS n FROM dsr_events WHERE note IS NOT NULL')).toBe(4);
    expect(await n(db, 'SELECT count(*) AS n FROM dsr_verification_codes')).toBe(3);
    // The request records themselves stay (type, state, days).
    expect(await n(db, 'SELECT count(*) AS n FROM dsr_requests')).toBe(6);

    // Consent: only the subject who withdrew more than 3 years ago loses its identities; the objector's stay.
    const ids = await db.query<{ subject_id: string }>('SELECT subject_id FROM consent_identities');
    expect(ids.map((i) => i.subject_id)).not.toContain(f.subjects.withdrawnLongAgo);
    expect(new Set(ids.map((i) => i.subject_id))).toEqual(
      new Set([f.subjects.withdrawnRecently, f.subjects.granted, f.subjects.objected]),
    );
    expect(
      await n(db, 'SELECT count(*) AS n FROM consent_events WHERE subject_id = $1', [
        f.subjects.withdrawnLongAgo,
      ]),
    ).toBe(1);

    // Mail: the old one's body and address are gone, masked; the recent and the pending are whole.
    const mails = await db.query<{ id: string; to_address: string; body: string; body_removed_at: unknown }>(
      'SELECT id, to_address, body, body_removed_at FROM mail_outbox',
    );
    const m = (id: string) => mails.find((x) => x.id === id)!;
    expect(m(f.mails.old)).toMatchObject({ to_address: 'k***@example.test', body: '' });
    expect(m(f.mails.old).body_removed_at).not.toBeNull();
    expect(m(f.mails.recent).body).toContain('Hej Karin');
    expect(m(f.mails.pending).to_address).toBe('karin.pending@example.test');

    // Files: the expired delivery and artifact are gone; the one expiring today and the later one stay.
    const d = await db.query<{ id: string; ciphertext: string; deleted_at: unknown }>(
      'SELECT id, ciphertext, deleted_at FROM dsr_deliveries',
    );
    expect(d.find((x) => x.id === f.deliveries.expired)).toMatchObject({ ciphertext: '' });
    expect(d.find((x) => x.id === f.deliveries.today)).toMatchObject({
      ciphertext: 'c2VjcmV0',
      deleted_at: null,
    });
    expect(
      (await db.query<{ name: string }>('SELECT name FROM fulfilment_artifacts')).map((a) => a.name),
    ).toEqual(['extract.html']);

    // No trace of the anonymised requesters' addresses anywhere in Ombud's tables.
    for (const email of ['old.requester@example.test', 'edge.gone@example.test', 'gone@example.test'])
      expect(await traceIn(db, email)).toEqual([]);

    // A second run the same day has nothing left to do; the audit log has the counts, not the data.
    const again = await runRetention(deps, { today: TODAY, runKey: 'again' });
    expect(own(again.outcomes)).toEqual([]);
    const audit = JSON.stringify(
      await db.query("SELECT details FROM audit_log WHERE action = 'retention.sweep'"),
    );
    expect(audit).toContain('request-records');
    expect(audit).not.toContain('@example.test');
  }, 120_000);
});

/** Every text column of Ombud's public tables holding `needle`, as table.column. */
async function traceIn(db: Db, needle: string): Promise<string[]> {
  const cols = await db.query<{ table_name: string; column_name: string }>(
    `SELECT table_name, column_name FROM information_schema.columns
      WHERE table_schema = 'public' AND data_type IN ('text', 'character varying', 'jsonb')`,
  );
  const out: string[] = [];
  for (const c of cols)
    if (
      await n(db, `SELECT count(*) AS n FROM "${c.table_name}" WHERE "${c.column_name}"::text LIKE $1`, [
        `%${needle}%`,
      ])
    )
      out.push(`${c.table_name}.${c.column_name}`);
  return out;
}

describe('the register’s rules for Ombud’s own data', () => {
  test('P12 every store of Ombud’s own data has a rule in the demo register; a wrong trigger or action is an error at the rule', () => {
    const findings = validateRegister(register).filter((f) => f.code.startsWith('own-store'));
    expect(findings).toEqual([]);
    const broken = {
      ...register,
      retentionRules: register.retentionRules.map((r) =>
        r.id === 'sent-mail'
          ? { ...r, trigger: 'collected' as const }
          : r.id === 'result-files'
            ? { ...r, action: 'anonymise' as const }
            : r,
      ),
    };
    const errors = validateRegister(broken).filter((f) => f.code.startsWith('own-store'));
    const at = (id: string) => broken.retentionRules.findIndex((r) => r.id === id);
    expect(errors.map((e) => ({ code: e.code, path: e.path }))).toEqual([
      { code: 'own-store-trigger', path: ['retentionRules', at('sent-mail'), 'ombudStores'] },
      { code: 'own-store-action', path: ['retentionRules', at('result-files'), 'ombudStores'] },
    ]);
    const without = {
      ...register,
      retentionRules: register.retentionRules.filter((r) => r.id !== 'consent-proof'),
    };
    expect(
      validateRegister(without)
        .filter((f) => f.code === 'own-store-without-rule')
        .map((f) => f.severity),
    ).toEqual(['warning']);
  });
});
