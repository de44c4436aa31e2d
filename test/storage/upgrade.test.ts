/**
 * An upgrade from an earlier release: a database made by commit 8531af3's migrations and filled by that
 * version's own code (test/fixtures/upgrade/2026-11-25-8531af3, see its README) upgrades to today's schema
 * with today's migrate() and openApp, and keeps its data: the requests and their requesters, the consent
 * evidence and what it decides, the administrator's sign-in, the register and notice, and an audit chain
 * that verifies (its old plain entries and the keyed ones written after the upgrade).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { type App, openApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { recordAudit, SYSTEM_ACTOR, walkAuditLog } from '../../src/services/audit/auditLog.ts';
import { checkContact } from '../../src/services/consent/checkContact.ts';
import { consentKeys } from '../../src/services/consent/keys.ts';
import { getRequest, getSubmission, submissionKeys } from '../../src/services/requests/store.ts';
import { login } from '../../src/services/users/admins.ts';
import type { Db } from '../../src/storage/db.ts';
import { MIGRATIONS_DIR, migrate } from '../../src/storage/migrate.ts';
import { openPglite } from '../../src/storage/pglite.ts';
import { openPostgres } from '../../src/storage/postgres.ts';
import { describeEachDatabase, serverDatabase } from '../support/db.ts';

const FIXTURE = join(import.meta.dirname, '../fixtures/upgrade/2026-11-25-8531af3');
const OLD_MIGRATIONS = readdirSync(join(FIXTURE, 'migrations')).sort();
const KEYRING = `k2026:${Buffer.alloc(32, 9).toString('base64')}`;

/** The rows the old version wrote (counted in its data.sql by hand). */
const OLD_ROWS: Record<string, number> = {
  api_keys: 1,
  audit_log: 11,
  consent_subjects: 2,
  consent_events: 3,
  consent_identities: 3,
  consent_state: 2,
  dsr_submissions: 2,
  dsr_requests: 2,
  dsr_events: 4,
  dsr_verification_codes: 1,
  mail_outbox: 2,
  register_revisions: 1,
  notice_versions: 1,
  users: 1,
  settings: 1,
};

const ACCESS_ID = 'a096abee-68da-4bae-b091-954e3e8e660b';
const ERASURE_ID = '7b4cc72b-2921-4344-8829-acd0d4783f65';

/** As commit 8531af3's runner did it: a schema_migrations table without checksums, each file in order. */
async function createAsOldRelease(db: Db): Promise<void> {
  await db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
  );
  await db.transaction(async (tx) => {
    for (const file of OLD_MIGRATIONS) {
      await tx.exec(readFileSync(join(FIXTURE, 'migrations', file), 'utf8'));
      await tx.query('INSERT INTO schema_migrations (version) VALUES ($1)', [file]);
    }
  });
  await db.exec(readFileSync(join(FIXTURE, 'data.sql'), 'utf8'));
}

describeEachDatabase('upgrade from the release of 2026-11-25 (8531af3)', (kind) => {
  let dir: string;
  let url: string | undefined;
  let drop: (() => Promise<void>) | undefined;
  let app: App | undefined;

  const open = async (): Promise<Db> => {
    if (kind === 'pglite') return openPglite(join(dir, 'pgdata'));
    return openPostgres(url!, 2);
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ombud-upgrade-'));
    if (kind === 'postgres') {
      const server = await serverDatabase('ombud_upgrade');
      url = server.url;
      drop = server.drop;
    }
    const db = await open();
    await createAsOldRelease(db);
    await db.close();
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
    await drop?.();
    rmSync(dir, { recursive: true, force: true });
  });

  it("runs today's migrations after the old ones and records every checksum", async () => {
    const db = await open();
    try {
      const applied = await migrate(db);
      const today = readdirSync(MIGRATIONS_DIR).filter((f) => /^\d{4}_.+\.sql$/.test(f));
      expect(applied).toEqual(today.filter((f) => !OLD_MIGRATIONS.includes(f)).sort());
      // Among them the ones that change the old tables (hand-picked).
      expect(applied).toEqual(
        expect.arrayContaining([
          '0101_audit_keyed.sql',
          '0502_consent_identity_retired.sql',
          '0570_own_data_retention.sql',
          '0571_sealed_identities.sql',
        ]),
      );
      const rows = await db.query<{ version: string; checksum: string | null }>(
        'SELECT version, checksum FROM schema_migrations ORDER BY version',
      );
      expect(rows.map((r) => r.version)).toEqual([...today].sort());
      expect(rows.filter((r) => !/^[0-9a-f]{64}$/.test(r.checksum ?? ''))).toEqual([]);
      for (const [table, n] of Object.entries(OLD_ROWS))
        expect((await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0]!.n, table).toBe(
          n,
        );
      expect(await migrate(db)).toEqual([]);
    } finally {
      await db.close();
    }
  });

  it('opens with every row kept: requests, requesters, consent, sign-in, register, audit chain', async () => {
    app = await openApp(
      loadConfig({
        LOG_LEVEL: 'silent',
        OMBUD_DATA_DIR: dir,
        DATABASE_URL: url,
        OMBUD_SECRET_KEYS: KEYRING,
      }),
    );
    const { db } = app;
    const count = async (table: string) =>
      (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0]!.n;
    for (const [table, n] of Object.entries(OLD_ROWS)) expect(await count(table), table).toBe(n);

    // Requests and their requesters, now sealed at rest (0571) and opened with today's keys.
    const access = await getRequest(db, ACCESS_ID);
    expect([access.type, access.state, access.org_id, access.due_date]).toEqual([
      'access',
      'received',
      'acme-ab',
      '2026-12-28',
    ]);
    const erasure = await getRequest(db, ERASURE_ID);
    expect([erasure.type, erasure.state, erasure.verification_method]).toEqual([
      'erasure',
      'verified',
      'manual-id-check',
    ]);
    const keys = await submissionKeys(app);
    const kim = await getSubmission(db, access.submission_id, keys);
    expect([kim.email, kim.name, kim.lang]).toEqual(['kim.lind@example.com', 'Kim Lind', 'sv']);
    const alex = await getSubmission(db, erasure.submission_id, keys);
    expect([alex.email, alex.name]).toEqual(['alex.berg@example.com', 'Alex Berg']);
    expect(await count('dsr_submissions WHERE email IS NOT NULL OR name IS NOT NULL')).toBe(0);
    expect(await count('consent_identities WHERE value IS NOT NULL')).toBe(0);

    // The consent evidence still decides: Kim granted the newsletter, Alex (found by phone too) withdrew.
    const index = (await app.registers.get())!.index;
    const ck = await consentKeys(db, app.config.secret, app.config.secretKeys);
    const decide = (identity: { email?: string; phone?: string }) =>
      checkContact(db, ck, index, { orgId: 'acme-ab', identity, purposeId: 'newsletter', channel: 'email' });
    expect((await decide({ email: 'kim.lind@example.com' })).reason).toBe('consent-granted');
    expect((await decide({ email: 'alex.berg@example.com' })).reason).toBe('consent-withdrawn');
    expect((await decide({ phone: '+46701234567' })).reason).toBe('consent-withdrawn');
    expect((await decide({ email: 'someone.else@example.com' })).reason).toBe('no-consent');

    // The administrator signs in with the password set then.
    const session = await login(db, 'dpo@acme.example', 'correct horse battery staple', new Date());
    expect(session.user.email).toBe('dpo@acme.example');

    // The register and the published notice.
    const current = (await app.registers.get())!;
    expect(current.stored.revision).toBe(1);
    expect(current.index.organization('acme-ab')?.legalName).toBe('Acme AB');
    expect(await count("notice_versions WHERE org_id = 'acme-ab' AND version = 1")).toBe(1);

    // The audit chain: the old plain entries verify, and so do the keyed ones written after the upgrade.
    await recordAudit(db, { actor: SYSTEM_ACTOR, action: 'upgrade.checked', target: 'test' });
    const walk = await walkAuditLog(db);
    expect(walk.ok, walk.ok ? '' : walk.problem).toBe(true);
    expect(walk.unkeyed).toBe(11);
    expect(walk.keyed).toBeGreaterThanOrEqual(2); // the sign-in and this entry at least
    expect(walk.keyedFrom).toBe(12);
  });
});
