import { afterEach, beforeEach, expect, test } from 'vitest';
import type { OmbudError } from '../../src/core/errors.ts';
import { publishNotice, noticeVersions } from '../../src/services/notice/publishNotice.ts';
import { renderPublishedNotice } from '../../src/services/notice/renderPublishedNotice.ts';
import { applyRegister } from '../../src/services/register/applyRegister.ts';
import type { Db } from '../../src/storage/db.ts';
import { noticeMarkdown } from '../../src/core/notice/render.ts';
import { describeEachDatabase, freshDb } from '../support/db.ts';
import { minimalRegister } from '../support/fixtures.ts';

const actor = { kind: 'cli' as const, id: 'test' };
const withNewRecipient = {
  'systems.yaml': (t: string) =>
    t.replace(
      'retentionRules:',
      '  - id: crm\n    name: CRM\n    role: processor\n    operator: CRM Oy\n    dpa: true\n    securityMeasures: [Encrypted at rest.]\n    storageCountries: [FI]\nretentionRules:',
    ),
  'purposes.yaml': (t: string) =>
    t.replace(
      'recipients: [mailer]\n    retention: three-years\n  - id: newsletter',
      'recipients: [mailer, crm]\n    retention: three-years\n  - id: newsletter',
    ),
};

describeEachDatabase('notice publishing', (kind) => {
  let db: Db;
  beforeEach(async () => {
    db = await freshDb(kind);
    await applyRegister(db, actor, minimalRegister());
  });
  afterEach(async () => {
    await db.close();
  });

  test('P35 publishing stores an immutable version; publishing unchanged facts does nothing', async () => {
    const first = await publishNotice(db, actor, {
      orgId: 'acme-ab',
      effectiveDate: '2026-01-01',
      today: '2026-01-01',
    });
    expect(first.published).toBe(true);
    expect(first.version.version).toBe(1);
    const again = await publishNotice(db, actor, {
      orgId: 'acme-ab',
      effectiveDate: '2026-02-01',
      today: '2026-02-01',
    });
    expect(again.published).toBe(false);
    await expect(db.query('UPDATE notice_versions SET effective_date = $1', ['2020-01-01'])).rejects.toThrow(
      /immutable/,
    );
    await expect(db.query('DELETE FROM notice_versions')).rejects.toThrow(/immutable/);
    expect(await noticeVersions(db, 'acme-ab')).toHaveLength(1);
  });

  test('P35 a material change must be announced before it takes effect; the page shows the last update and the coming version', async () => {
    await publishNotice(db, actor, { orgId: 'acme-ab', effectiveDate: '2026-01-01', today: '2026-01-01' });
    await applyRegister(db, actor, minimalRegister(withNewRecipient));
    const err = (await publishNotice(db, actor, {
      orgId: 'acme-ab',
      effectiveDate: '2026-03-01',
      today: '2026-03-01',
    }).catch((e) => e)) as OmbudError;
    expect(err.code).toBe('material-change-too-soon');
    expect(err.hint).toContain('2026-03-31');
    const v2 = await publishNotice(db, actor, {
      orgId: 'acme-ab',
      effectiveDate: '2026-03-31',
      today: '2026-03-01',
    });
    expect(v2.version).toMatchObject({ version: 2, material: true });
    expect(v2.version.changes.map((c) => c.kind)).toEqual(['recipient-added']);

    // Before the effective date the old version is in force and the new one is announced.
    const before = await renderPublishedNotice(db, { orgId: 'acme-ab', lang: 'en', today: '2026-03-15' });
    expect(before.version.version).toBe(1);
    const md = noticeMarkdown(before.doc);
    expect(md).toContain('This notice was last updated on 2026-01-01.');
    expect(md).toContain('A new version of this notice takes effect on 2026-03-31.');
    // The version in force does not share with CRM yet; only its change history announces it.
    const inForce = before.doc.sections.filter((s) => s.id !== 'history');
    expect(JSON.stringify(inForce)).not.toContain('CRM');
    expect(md).toContain('We now share data for orders with CRM.');
    const after = await renderPublishedNotice(db, { orgId: 'acme-ab', lang: 'en', today: '2026-04-01' });
    expect(after.version.version).toBe(2);
    expect(noticeMarkdown(after.doc)).toContain('CRM');
    expect(noticeMarkdown(after.doc)).toContain('Version 2, effective from 2026-03-31 (major change)');
  });

  test("P35 the change history is in the reader's language and in words, and the first version is the first version", async () => {
    await publishNotice(db, actor, { orgId: 'acme-ab', effectiveDate: '2026-01-01', today: '2026-01-01' });
    await applyRegister(db, actor, minimalRegister(withNewRecipient));
    await publishNotice(db, actor, { orgId: 'acme-ab', effectiveDate: '2026-03-31', today: '2026-03-01' });
    const history = async (lang: 'en' | 'sv', today: string) =>
      (await renderPublishedNotice(db, { orgId: 'acme-ab', lang, today })).doc.sections.find(
        (s) => s.id === 'history',
      )!.blocks;
    // Written by hand: the purpose by its name in the reader's language, the recipient by its name.
    expect(await history('en', '2026-04-01')).toContainEqual({
      ul: [
        'Version 2, effective from 2026-03-31 (major change): We now share data for orders with CRM.',
        'Version 1, effective from 2026-01-01 (first version)',
      ],
    });
    expect(await history('sv', '2026-04-01')).toContainEqual({
      ul: [
        'Version 2, gäller från 2026-03-31 (väsentlig ändring): Vi delar nu uppgifter för beställningar med CRM.',
        'Version 1, gäller från 2026-01-01 (första versionen)',
      ],
    });
    // Announced before it takes effect: the coming version's recipient (not yet in the notice in force)
    // is named from the register it was published from, not by its id.
    const announced = JSON.stringify(await history('sv', '2026-03-15'));
    expect(announced).toContain('Vi delar nu uppgifter för beställningar med CRM.');
    expect(announced).not.toMatch(/'orders'|recipient-added|mindre ändring/);
  });

  test('a forced early material change records the reason in the audit log', async () => {
    await publishNotice(db, actor, { orgId: 'acme-ab', effectiveDate: '2026-01-01', today: '2026-01-01' });
    await applyRegister(db, actor, minimalRegister(withNewRecipient));
    await publishNotice(db, actor, {
      orgId: 'acme-ab',
      effectiveDate: '2026-03-01',
      today: '2026-03-01',
      force: 'required by authority order 12/2026',
    });
    const rows = await db.query<{ reason: string }>(
      "SELECT reason FROM audit_log WHERE action = 'notice.publish' ORDER BY seq DESC LIMIT 1",
    );
    expect(rows[0]!.reason).toBe('required by authority order 12/2026');
  });
});
