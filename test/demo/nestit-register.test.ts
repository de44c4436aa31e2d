/**
 * The demo group's register encodes its published notice: each purpose with the data, legal
 * basis, source and recipients the notice states. These tests keep that true.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { noticeMarkdown, buildNotice } from '../../src/core/notice/render.ts';
import { RegisterIndex } from '../../src/core/register/register-index.ts';
import type { Purpose } from '../../src/core/register/schema.ts';
import { ropaFor } from '../../src/core/ropa/record.ts';
import { readRegisterDir } from '../../src/services/register/readRegisterDir.ts';
import {
  disclosureOf,
  recipientsCaseByCase,
  recipientsToTell,
} from '../../src/core/fulfilment/recipients.ts';

let ix: RegisterIndex;
const purpose = (id: string): Purpose => ix.purposes.get(id)!;
const bases = (id: string) => [...new Set(purpose(id).data.map((d) => d.legalBasis))].sort();

beforeAll(async () => {
  const r = await readRegisterDir('examples/nestit/register');
  expect(r.findings.filter((f) => f.severity === 'error' || f.severity === 'warning')).toEqual([]);
  ix = new RegisterIndex(r.register!);
});

describe('the NestIT demo register', () => {
  test('P28 authorities, advisers and a buyer get data only case by case, so an erasure tells the routine recipients (processors, ad networks) and not them', () => {
    const changed = ['webshop', 'customer-service-system'];
    const told = recipientsToTell(ix, changed);
    const caseByCase = recipientsCaseByCase(ix, changed);
    expect(caseByCase).toEqual(['advisers', 'authorities', 'buyer']);
    expect(told).toEqual(expect.arrayContaining(['crm', 'messaging', 'shipping', 'google-ads', 'meta-ads']));
    for (const id of caseByCase) expect(told).not.toContain(id);
    expect(told).not.toContain('webshop');
    // The default follows the role: an authority is case by case unless the register says otherwise.
    expect(disclosureOf({ ...ix.systems.get('authorities')!, disclosure: undefined })).toBe('case-by-case');
    expect(disclosureOf({ ...ix.systems.get('crm')!, disclosure: undefined })).toBe('routine');
  });

  test('P01 the group, its Swedish subsidiaries and the Norwegian sister company are each a controller', () => {
    expect(ix.organization('nestit-group')!.legalName).toBe('NestIT Group AB');
    expect(ix.organization('provendo')!.country).toBe('NO');
    expect(
      ix.register.organizations.filter((o) => o.parent === 'nestit-group').length,
    ).toBeGreaterThanOrEqual(1);
    // The published notice's contradiction (Provendo named, NestIT's contact given) is recorded and resolved.
    expect(ix.register.acknowledgedFindings.map((a) => `${a.code}/${a.target}`)).toContain(
      'controller-contact-mismatch/organization:provendo',
    );
  });

  test('P04 every purpose listed in the contents is described, product reviews included', () => {
    const listed = ix.register.purposes.filter((p) => p.listedInContents);
    expect(listed.map((p) => p.id)).toEqual(
      expect.arrayContaining([
        'order-fulfilment',
        'purchase-communication',
        'communication-subscription',
        'surveys',
        'user-account',
        'product-reviews',
        'customer-analyses',
        'customer-service',
        'ad-matching',
      ]),
    );
    for (const p of listed) expect(p.description, p.id).toBeDefined();
    const reviews = purpose('product-reviews');
    expect(reviews.data.length).toBeGreaterThan(0);
    expect(reviews.recipients.length).toBeGreaterThan(0);
  });

  test('P38 newsletters and text messages only with consent, withdrawn through the settings link', () => {
    const p = purpose('communication-subscription');
    expect(bases(p.id)).toEqual(['consent']);
    expect(p.communication?.channels).toEqual(expect.arrayContaining(['email', 'sms']));
    expect(p.consent?.withdrawal).toBeDefined();
  });

  test('customer analyses of channel behaviour are tied to the analytics cookie category', () => {
    expect(purpose('customer-analyses').consent?.cookieCategory).toBe('analytics');
  });

  test('P44 ad matching uses hashed e-mail on legitimate interest with a balancing assessment; P45 conversion measurement needs marketing cookie consent', () => {
    const ads = purpose('ad-matching');
    expect(bases('ad-matching')).toEqual(['legitimate-interests']);
    expect(ix.categoriesOf(ads)).toContain('user.contact.email.hashed');
    expect(ix.categoriesOf(ads)).not.toContain('user.contact.email');
    expect(ads.balancingAssessment?.safeguards.length).toBeGreaterThan(2);
    const conv = purpose('conversion-measurement');
    expect(bases(conv.id)).toEqual(['consent']);
    expect(conv.consent?.cookieCategory).toBe('marketing');
    expect(conv.recipients).toEqual(['google-ads']);
  });

  test('P17 every processor has a data processing agreement; P15 every transfer outside the EU/EEA names its mechanism', () => {
    for (const s of ix.register.systems) {
      if (s.role === 'processor') expect(s.dpa, s.id).toBe(true);
      if (ix.thirdCountries(s).length > 0) expect(s.transfer?.mechanism, s.id).toBeDefined();
    }
  });

  test('P10 P12 P14 P20 every purpose has a retention rule; only legal rules (bookkeeping SE 7 years, NO 5 years) keep data longer', () => {
    for (const p of ix.register.purposes) expect(ix.retentionRules.has(p.retention!), p.id).toBe(true);
    const se = ix.retentionRules.get('bookkeeping-se')!;
    expect(se).toMatchObject({
      kind: 'legal',
      duration: 'P7Y',
      trigger: 'financial-year-end',
      roundTo: 'end-of-calendar-year',
      country: 'SE',
    });
    expect(ix.retentionRules.get('bookkeeping-no')).toMatchObject({
      kind: 'legal',
      duration: 'P5Y',
      country: 'NO',
    });
    // The Norwegian company's notice shows the Norwegian bookkeeping rule, not the Swedish one.
    const no = noticeMarkdown(buildNotice(ix, 'provendo', 'en'));
    expect(no).toContain('Bokføringsloven');
    expect(no).not.toContain('Bokföringslagen');
  });

  test('P33 the central marketing and customer-communication processing is a joint arrangement any company answers for', () => {
    const j = ix.register.jointArrangements.find((a) => a.id === 'central-marketing')!;
    expect(j.controllers).toEqual(expect.arrayContaining(['nestit-group', 'provendo']));
    expect(j.anyControllerAnswers).toBe(true);
    expect(j.purposes).toEqual(expect.arrayContaining(['communication-subscription', 'ad-matching']));
    const ropa = ropaFor(ix, 'provendo').find((e) => e.purposeId === 'ad-matching')!;
    expect(ropa.jointControllers).toContain('NestIT Group AB');
    const notice = noticeMarkdown(buildNotice(ix, 'provendo', 'en'));
    expect(notice).toContain('## Processing we carry out jointly');
    expect(notice).toContain('You may exercise your rights with any of the companies.');
  });

  test('P02 P09 cookies: categories with Consent Mode signals and no cookie over 13 months', () => {
    const marketing = ix.cookieCategories.get('marketing')!;
    expect(marketing.advertising).toBe(true);
    expect(marketing.consentMode).toEqual(
      expect.arrayContaining(['ad_storage', 'ad_user_data', 'ad_personalization']),
    );
    expect(ix.register.cookies.length).toBeGreaterThanOrEqual(10);
  });

  test('P32 P34 the group promises 30 days, at most two months, and gives contact details for requests', () => {
    const org = ix.organization('nestit-group')!;
    expect(org.promises).toMatchObject({ responseDays: 30, maxExtendedMonths: 2 });
    expect(org.contact.email).toBe('info@nestitgroup.com');
    const notice = noticeMarkdown(buildNotice(ix, 'nestit-group', 'en'));
    expect(notice).toContain(
      'We answer within 30 days; where a request takes considerable effort, within 2 months',
    );
  });
});
