/**
 * P45 on the PostgreSQL server: the hashed e-mail of a conversion goes to Google only with the visitor's
 * marketing cookie consent (withdrawn through "Customize cookies": the newest choice wins). Dates relative to
 * the injected clock.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { conversionUserData } from '../../src/services/audience/conversionUserData.ts';
import { SYSTEM_ACTOR } from '../../src/services/audit/auditLog.ts';
import { recordCookieConsent } from '../../src/services/consent/recordCookieConsent.ts';
import type { Db } from '../../src/storage/db.ts';
import { freshDb } from '../support/db.ts';
import { demoIndex } from '../support/nestit-systems.ts';

const NOW = new Date('2026-11-25T10:00:00Z');
const daysAgo = (n: number) => new Date(NOW.getTime() - n * 86_400_000);
const sha = (s: string) => createHash('sha256').update(s).digest('hex');
let db: Db;

const choice = (consentId: string, marketing: boolean, at: Date) =>
  recordCookieConsent(
    db,
    {
      consentId,
      org: 'nestit-sverige',
      action: 'custom',
      categories: { necessary: true, functional: true, analytics: false, marketing },
      inventoryVersion: 'v1',
      gpc: false,
      lang: 'sv',
      url: 'https://nestit.example/kassa',
    },
    at,
  );

beforeAll(async () => {
  db = await freshDb('postgres');
  await choice('c-yes', true, daysAgo(10));
  await choice('c-no', false, daysAgo(10));
  await choice('c-old', true, daysAgo(183)); // older than the group's 182-day re-ask period
  await choice('c-withdrawn', true, daysAgo(20));
  await choice('c-withdrawn', false, daysAgo(1)); // "Customize cookies": marketing off
});
afterAll(() => db?.close());

describe('P45 conversion measurement', () => {
  const ask = async (consentId: string, over: { rule?: 'google-ads' | 'meta'; recipient?: string } = {}) =>
    conversionUserData({ db, index: await demoIndex(), now: () => NOW }, SYSTEM_ACTOR, {
      orgId: 'nestit-sverige',
      purposeId: 'conversion-measurement',
      recipient: over.recipient ?? 'google-ads',
      rule: over.rule ?? 'google-ads',
      consentId,
      email: ' Bo.Ek@Gmail.com',
    });

  test('P45 with marketing cookie consent the hashed e-mail is built for Google; without it the helper refuses with the reason', async () => {
    expect(await ask('c-yes')).toEqual({
      sent: true,
      ruleId: 'google-ads@2',
      userIdentifiers: [{ hashedEmail: sha('boek@gmail.com') }],
      skipped: 0,
    });
    expect(await ask('c-no')).toEqual({ sent: false, reason: 'category-declined' });
    expect(await ask('c-withdrawn')).toEqual({ sent: false, reason: 'category-declined' });
    expect(await ask('c-old')).toEqual({ sent: false, reason: 'choice-expired' });
    expect(await ask('c-unknown')).toEqual({ sent: false, reason: 'no-cookie-choice' });
    // Meta is no recipient of conversion measurement in the register: refused even with consent.
    expect(await ask('c-yes', { rule: 'meta', recipient: 'meta-ads' })).toEqual({
      sent: false,
      reason: 'recipient-not-in-register',
    });
    // Each decision is audited with the consent id and the reason; no e-mail address in the log.
    const log = await db.query<{ action: string; details: unknown }>(
      `SELECT action, details FROM audit_log WHERE action LIKE 'audience.conversion.%' ORDER BY seq`,
    );
    expect(log.map((l) => l.action)).toEqual([
      'audience.conversion.prepared',
      'audience.conversion.refused',
      'audience.conversion.refused',
      'audience.conversion.refused',
      'audience.conversion.refused',
      'audience.conversion.refused',
    ]);
    expect(JSON.stringify(log)).not.toMatch(/gmail|boek|bo\.ek/i);
  });
});
