/**
 * Identities Ombud keeps are found by a keyed hash and, where the plain value is needed, sealed with the
 * data keyring (core/secrets/dataKeys.ts), never stored in plain text (P12, P05): a request filed over
 * the API and a consent recorded for the same address leave no trace of it in Ombud's tables but the mail
 * outbox (until its rule ends it). Rows written before sealing are sealed when the App opens. Lookups,
 * the desk, the suppression list and the withdrawal sweep still read the values.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { dataKeyring, submissionEmailHash } from '../../src/core/secrets/dataKeys.ts';
import { consentKeys } from '../../src/services/consent/keys.ts';
import { identitiesOf } from '../../src/services/consent/subjects.ts';
import { getSubmission, submissionKeys } from '../../src/services/requests/store.ts';
import { withdrawnIdentities } from '../../src/services/retention/runRetention.ts';
import { sealPlainIdentities } from '../../src/services/secrets/sealIdentities.ts';
import type { Db } from '../../src/storage/db.ts';
import { freshDb } from '../support/db.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { SAME_ORIGIN } from '../security/helpers.ts';

const EMAIL = 'sealed.karin@example.test';
let ts: TestServer;

beforeAll(async () => {
  ts = await startTestServer({ kind: 'pglite', now: () => new Date('2026-11-25T10:00:00Z') });
}, 120_000);
afterAll(async () => {
  await ts?.close();
});

/** Every text or jsonb column of Ombud's tables holding `needle`, as table.column. */
async function traceIn(db: Db, needle: string): Promise<string[]> {
  const cols = await db.query<{ table_name: string; column_name: string }>(
    `SELECT table_name, column_name FROM information_schema.columns
      WHERE table_schema = 'public' AND data_type IN ('text', 'character varying', 'jsonb')`,
  );
  const out: string[] = [];
  for (const c of cols) {
    const [r] = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "${c.table_name}" WHERE "${c.column_name}"::text ILIKE $1`,
      [`%${needle}%`],
    );
    if (r!.n) out.push(`${c.table_name}.${c.column_name}`);
  }
  return out.sort();
}

describe('identities sealed at rest', () => {
  test('P05 P12 a request and a consent for one address leave it only in the mail outbox; the desk, the lookup and the suppression list still read it', async () => {
    const api = (method: 'GET' | 'POST', url: string, payload?: unknown) =>
      ts.server.inject({
        method,
        url,
        headers: {
          cookie: ts.cookie,
          ...SAME_ORIGIN,
          accept: 'application/json',
          ...(method === 'POST' ? { 'idempotency-key': `sealed-${url}` } : {}),
        },
        ...(payload === undefined ? {} : { payload: payload as object }),
      });
    const filed = await api('POST', '/api/v1/requests', {
      company: 'nestit-sverige',
      type: 'access',
      email: EMAIL,
      name: 'Karin Sealed',
      sendCode: false,
    });
    expect(filed.statusCode, filed.body).toBe(201);
    const consent = await api('POST', '/api/v1/organizations/nestit-sverige/consents/withdrawals', {
      purpose: 'communication-subscription',
      channel: 'email',
      identity: { email: EMAIL },
      source: 'preference-center',
      at: '2026-10-01T10:00:00Z',
    });
    expect(consent.statusCode, consent.body).toBeLessThan(300);

    // Only the outbox (a mail waiting to be sent, ended by the sent-mail rule) holds the address.
    expect((await traceIn(ts.app.db, EMAIL)).filter((c) => !c.startsWith('mail_outbox.'))).toEqual([]);
    expect(await traceIn(ts.app.db, 'Karin Sealed')).toEqual([]);
    const [sub] = await ts.app.db.query<{
      id: string;
      email: string | null;
      email_sealed: string;
      email_hash: string;
    }>('SELECT id, email, email_sealed, email_hash FROM dsr_submissions');
    expect(sub!.email).toBeNull();
    expect(sub!.email_sealed).toMatch(/^osec1\.installation\./);
    // The address is found by a keyed hash, not a plain SHA-256 anyone can compute from a list of addresses.
    expect(sub!.email_hash).toBe(submissionEmailHash((await submissionKeys(ts.app)).secret, EMAIL));
    expect(sub!.email_hash).not.toBe(
      (await import('node:crypto')).createHash('sha256').update(EMAIL).digest('hex'),
    );

    // Read back where the plain value is needed: the request's submission, the consent subject, the sweep.
    const keys = await submissionKeys(ts.app);
    expect(await getSubmission(ts.app.db, sub!.id, keys)).toMatchObject({
      email: EMAIL,
      name: 'Karin Sealed',
    });
    const ck = await consentKeys(ts.app.db, ts.app.config.secret, ts.app.config.secretKeys);
    const [subject] = await ts.app.db.query<{ subject_id: string }>(
      'SELECT subject_id FROM consent_identities',
    );
    expect(await identitiesOf(ts.app.db, ck, subject!.subject_id)).toEqual([{ kind: 'email', value: EMAIL }]);
    const orgIds = (await ts.app.registers.get())!.index.register.organizations.map((o) => o.id);
    expect(
      await withdrawnIdentities(ts.app.db, ck, orgIds, ['communication-subscription'], '2026-11-25'),
    ).toEqual([{ kind: 'email', value: EMAIL }]);
    const list = await api(
      'GET',
      '/api/v1/organizations/nestit-sverige/suppressions?purpose=communication-subscription&channel=email',
    );
    expect(list.statusCode, list.body).toBe(200);
    expect(list.body).toContain(EMAIL);
    // The desk shows the requester.
    const desk = await ts.server.inject({
      method: 'GET',
      url: `/console/requests/${filed.json().requests[0].id}`,
      headers: { cookie: ts.cookie },
    });
    expect(desk.body).toContain(EMAIL);
  }, 120_000);

  test('P12 rows stored before sealing are sealed on open, found by the keyed hash, and open to the same values', async () => {
    const db = await freshDb('pglite');
    try {
      const secret = 'an installation secret for the upgrade test';
      await db.query(
        `INSERT INTO dsr_submissions (id, channel, email, email_hash, name, lang, scope, created_at)
         VALUES ('00000000-0000-4000-8000-000000000001', 'web', 'old.plain@example.test', 'unkeyed', 'Old Plain', 'sv', 'bokhylla', now())`,
      );
      await db.query(
        `INSERT INTO consent_subjects (id, org_id) VALUES ('00000000-0000-4000-8000-000000000002', 'bokhylla')`,
      );
      const keys = await consentKeys(db, secret);
      const { identityHash } = await import('../../src/services/consent/keys.ts');
      const hash = identityHash(keys, 'bokhylla', 'email', 'old.plain@example.test');
      await db.query(
        `INSERT INTO consent_identities (subject_id, org_id, kind, value, value_hash)
         VALUES ('00000000-0000-4000-8000-000000000002', 'bokhylla', 'email', 'old.plain@example.test', $1)`,
        [hash],
      );
      expect(await sealPlainIdentities(db, { secret })).toEqual({ identities: 1, submissions: 1 });
      expect(await traceIn(db, 'old.plain@example.test')).toEqual([]);
      expect(await traceIn(db, 'Old Plain')).toEqual([]);
      const sub = await getSubmission(db, '00000000-0000-4000-8000-000000000001', {
        ring: dataKeyring({ secret }),
        secret,
      });
      expect(sub).toMatchObject({ email: 'old.plain@example.test', name: 'Old Plain' });
      expect(sub.email_hash).toBe(submissionEmailHash(secret, 'old.plain@example.test'));
      expect(await identitiesOf(db, keys, '00000000-0000-4000-8000-000000000002')).toEqual([
        { kind: 'email', value: 'old.plain@example.test' },
      ]);
      // A second open finds nothing left to seal.
      expect(await sealPlainIdentities(db, { secret })).toEqual({ identities: 0, submissions: 0 });
    } finally {
      await db.close();
    }
  }, 60_000);
});
