/**
 * P44 end to end on the real servers: the demo's segments built from the web shop (PostgreSQL, then
 * MariaDB) through its dataset annotations, with Ombud's consent register on the PostgreSQL server. An
 * objecting customer is in the next removal list and in no add list; the files hold only hashes. Every
 * date is relative to the injected clock; the expected members come from the table of customers below.
 */
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, test } from 'vitest';
import { SYSTEM_ACTOR } from '../../src/services/audit/auditLog.ts';
import { consentKeys } from '../../src/services/consent/keys.ts';
import { recordConsentEvent } from '../../src/services/consent/recordConsentEvent.ts';
import { setSubjectRestricted } from '../../src/services/consent/restrictSubject.ts';
import {
  exportSegment,
  listExports,
  readExportFile,
  removeSubjectAtOnce,
} from '../../src/services/audience/exportSegment.ts';
import { freshDb } from '../support/db.ts';
import { nestitSystems } from '../support/nestit-systems.ts';

const NOW = new Date('2026-11-25T10:00:00Z');
const sqlTime = (daysAgo: number) =>
  new Date(NOW.getTime() - daysAgo * 86_400_000).toISOString().slice(0, 19).replace('T', ' ');
/** SHA-256 of the text as normalised by hand, computed here with node:crypto (not Ombud's rules). */
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

// The customers, by hand: country, account, days since the last order (none: no order).
const CUSTOMERS = [
  { id: 1, email: 'anna@example.se', country: 'SE', account: true, order: 30 },
  { id: 2, email: ' Bo.Ek@Gmail.com', country: 'SE', account: true, order: 100 },
  { id: 3, email: 'cecilia@example.se', country: 'SE', account: true, order: 400 }, // no order in 12 months
  { id: 4, email: 'david@example.se', country: 'SE', account: false, order: 10 }, // a guest: no account
  { id: 5, email: 'eva@example.no', country: 'NO', account: true, order: 20 }, // Provendo's customer
  { id: 6, email: 'filip@example.se', country: 'SE', account: true, order: 5 }, // objects after the first export
  { id: 7, email: 'greta@example.se', country: 'SE', account: true, order: 5 }, // objected before
  { id: 8, email: 'hans@example.se', country: 'SE', account: true, order: 5 }, // restricted (Art. 18)
  { id: 9, email: 'ivar@example.se', country: 'SE', account: true, order: 7 }, // erased after the first export
  { id: 10, email: 'not an address', country: 'SE', account: true, order: 7 }, // cannot be normalised
] as const;

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

describe.each(['postgres', 'mysql'] as const)(
  'P44 ad-matching exports from the web shop on %s',
  (webshop) => {
    test('P44 an objecting customer is in the next removal list and in no add list; restricted, objecting, erased, guests and old customers are left out; no file holds a plain identifier', async () => {
      const s = await nestitSystems({ customers: 0, webshop });
      const db = await freshDb('postgres');
      cleanup.push(s.close, () => db.close());
      const w = s.webshop.connector;
      for (const c of CUSTOMERS) {
        await w.execute(
          `INSERT INTO customers (id, customer_number, email, country, created_at) VALUES (${c.id}, 'C${c.id}', '${c.email}', '${c.country}', '${sqlTime(900)}')`,
        );
        if (c.account)
          await w.execute(
            `INSERT INTO accounts (id, customer_id, username, password_hash) VALUES (${c.id}, ${c.id}, 'u${c.id}', 'x')`,
          );
        await w.execute(
          `INSERT INTO orders (id, customer_id, order_number, placed_at, total_cents) VALUES (${c.id}, ${c.id}, 'O${c.id}', '${sqlTime(c.order)}', 100)`,
        );
      }
      const keys = await consentKeys(db);
      let clock = NOW;
      const deps = { db, keys, index: s.index, now: () => clock };
      const systems = { datasets: s.datasets, connectors: s.connectors };
      const object = (email: string, purposeId: string) =>
        recordConsentEvent(
          db,
          SYSTEM_ACTOR,
          keys,
          s.index,
          {
            orgId: 'nestit-sverige',
            identity: { email },
            purposeId,
            channel: '*',
            kind: 'object',
            source: 'preference-center',
            at: clock,
          },
          clock,
        );
      await object('greta@example.se', 'direct-marketing');
      await setSubjectRestricted(db, SYSTEM_ACTOR, keys, s.index, {
        orgId: 'nestit-sverige',
        identity: { email: 'hans@example.se' },
        restricted: true,
      });

      // First export: Google (gmail dots removed) and Meta (kept), for NestIT Sverige's account holders with an order in 12 months.
      const google1 = await exportSegment(deps, systems, SYSTEM_ACTOR, {
        orgId: 'nestit-sverige',
        segmentId: 'recent-buyers-se-google',
        kind: 'manual',
      });
      const googleMembers1 = ['anna@example.se', 'boek@gmail.com', 'filip@example.se', 'ivar@example.se']
        .map(sha)
        .sort();
      expect(google1).toMatchObject({
        ruleId: 'google-ads@2',
        purposeId: 'ad-matching',
        legalBasis: 'legitimate-interests',
        recipient: 'google-ads',
        createdBy: 'system:ombud',
        candidates: 7, // 1, 2, 6, 7, 8, 9 and 10: Swedish account holders with an order in 12 months
        members: 4,
        added: 4,
        removed: 0,
        skipped: 1,
        excluded: { 'objected-direct-marketing': 1, restricted: 1 },
      });
      const meta1 = await exportSegment(deps, systems, SYSTEM_ACTOR, {
        orgId: 'nestit-sverige',
        segmentId: 'recent-buyers-se-meta',
        kind: 'manual',
      });
      expect(meta1).toMatchObject({ ruleId: 'meta@1', members: 4, added: 4 });

      const file = async (exportId: string, role: string) => {
        const [e] = (await listExports(db, 'nestit-sverige')).filter((x) => x.id === exportId);
        const f = e!.files.find((x) => x.role === role)!;
        return (
          await readExportFile(db, SYSTEM_ACTOR, { orgId: 'nestit-sverige', exportId, name: f.name })
        ).content.toString('utf8');
      };
      expect(await file(google1.id, 'add')).toBe(`Email\n${googleMembers1.join('\n')}\n`);
      expect(await file(meta1.id, 'add')).toBe(
        `email\n${['anna@example.se', 'bo.ek@gmail.com', 'filip@example.se', 'ivar@example.se'].map(sha).sort().join('\n')}\n`,
      );

      // Filip objects to ad matching in the preference center (channel '*'): at once, a removal file.
      clock = new Date(NOW.getTime() + 3_600_000);
      await object('filip@example.se', 'ad-matching');
      const removal = await removeSubjectAtOnce(deps, SYSTEM_ACTOR, {
        orgId: 'nestit-sverige',
        purposeIds: ['ad-matching'],
        identities: [{ kind: 'email', value: 'filip@example.se' }],
      });
      expect(removal.map((r) => [r.segmentId, r.kind, r.removed])).toEqual([
        ['recent-buyers-se-google', 'removal', 1],
        ['recent-buyers-se-meta', 'removal', 1],
      ]);
      expect(await file(removal[0]!.id, 'remove')).toBe(`Email\n${sha('filip@example.se')}\n`);

      // Ivar is erased from the shop; a new customer orders. The next export: Ivar and Filip removed, the new one added, Filip in no add list.
      await w.execute('DELETE FROM orders WHERE customer_id = 9');
      await w.execute('DELETE FROM accounts WHERE customer_id = 9');
      await w.execute('DELETE FROM customers WHERE id = 9');
      await w.execute(
        `INSERT INTO customers (id, customer_number, email, country, created_at) VALUES (11, 'C11', 'jon@example.se', 'SE', '${sqlTime(3)}')`,
      );
      await w.execute(
        `INSERT INTO accounts (id, customer_id, username, password_hash) VALUES (11, 11, 'u11', 'x')`,
      );
      await w.execute(
        `INSERT INTO orders (id, customer_id, order_number, placed_at, total_cents) VALUES (11, 11, 'O11', '${sqlTime(2)}', 100)`,
      );
      clock = new Date(NOW.getTime() + 7 * 86_400_000);
      const google2 = await exportSegment(deps, systems, SYSTEM_ACTOR, {
        orgId: 'nestit-sverige',
        segmentId: 'recent-buyers-se-google',
        kind: 'scheduled',
      });
      // Filip, removed at once, is in this export's removal list too (a removal does not move the baseline).
      expect(google2).toMatchObject({ members: 3, added: 1, removed: 2 });
      expect(google2.excluded).toEqual({ 'objected-direct-marketing': 2, restricted: 1 });
      expect(await file(google2.id, 'add')).toBe(`Email\n${sha('jon@example.se')}\n`);
      expect(await file(google2.id, 'remove')).toBe(
        `Email\n${['ivar@example.se', 'filip@example.se'].map(sha).sort().join('\n')}\n`,
      );
      expect(await file(google2.id, 'members')).toBe(
        `Email\n${['anna@example.se', 'boek@gmail.com', 'jon@example.se'].map(sha).sort().join('\n')}\n`,
      );

      // A Data Manager export for Provendo: only Eva (Norwegian, account holder), as an ingest body.
      const no = await exportSegment(deps, systems, SYSTEM_ACTOR, {
        orgId: 'provendo',
        segmentId: 'account-holders-no-google',
        kind: 'manual',
      });
      expect(no).toMatchObject({ ruleId: 'google-data-manager@1', members: 1 });

      // No file holds a plain identifier: every line of every file is a header or a 64-hex hash.
      const all = [
        ...(await listExports(db, 'nestit-sverige', undefined, 100)),
        ...(await listExports(db, 'provendo')),
      ];
      expect(all.length).toBe(6);
      for (const e of all)
        for (const f of e.files) {
          const text = (
            await readExportFile(db, SYSTEM_ACTOR, { orgId: e.orgId, exportId: e.id, name: f.name })
          ).content.toString('utf8');
          for (const c of [...CUSTOMERS, { email: 'jon@example.se' }]) {
            expect(text.toLowerCase()).not.toContain(c.email.trim().toLowerCase());
            expect(text).not.toContain(c.email.split('@')[0]!.trim());
          }
          if (f.mediaType.startsWith('text/csv'))
            for (const line of text.trim().split('\n').slice(1)) expect(line).toMatch(/^[0-9a-f]{64}$/);
          else {
            const body = JSON.parse(text) as {
              encoding: string;
              audienceMembers: { userData: { userIdentifiers: { emailAddress: string }[] } }[];
            };
            expect(body.encoding).toBe('HEX');
            expect(body.audienceMembers.map((m) => m.userData.userIdentifiers[0]!.emailAddress)).toEqual(
              f.role === 'remove' ? [] : [sha('eva@example.no')],
            );
          }
        }
      // Every export and every download is audited.
      const audit = await db.query<{ action: string; n: string }>(
        `SELECT action, count(*)::text AS n FROM audit_log WHERE action LIKE 'audience.%' GROUP BY action ORDER BY action`,
      );
      expect(audit.map((a) => a.action)).toEqual(['audience.export', 'audience.file.download']);
      expect(audit[0]!.n).toBe('6');
    });
  },
);
