import { describe, expect, test } from 'vitest';
import type { Purpose } from '../register/schema.ts';
import { DIRECT_MARKETING, EVERY_CHANNEL, mayContact, type StateRow } from './rules.ts';
import { normaliseEmail, normalisePhone } from './identity.ts';

const base = {
  controllers: ['shop'],
  dataUse: 'marketing.communications.email',
  dataSubjects: ['customer'],
  collection: 'x',
  sources: ['data-subject'],
  systems: [],
  recipients: [],
  listedInContents: true,
  automatedDecisions: false,
} as const;
const newsletter = {
  ...base,
  id: 'news',
  name: 'News',
  data: [{ categories: ['user.contact.email'], legalBasis: 'consent' }],
  consent: { collectedAt: ['checkout'], withdrawal: 'link', channels: ['email', 'sms'] },
  communication: { channels: ['email', 'sms'], directMarketing: true },
} as unknown as Purpose;
const surveys = {
  ...base,
  id: 'surveys',
  name: 'Surveys',
  data: [{ categories: ['user.contact.email'], legalBasis: 'legitimate-interests' }],
  communication: { channels: ['email'], directMarketing: false },
} as unknown as Purpose;
const ads = {
  ...surveys,
  id: 'ads',
  dataUse: 'marketing.advertising.third_party.targeted',
  data: [{ categories: ['user.contact.email.hashed'], legalBasis: 'legitimate-interests' }],
  communication: undefined,
} as unknown as Purpose;

const at = (m: number) => new Date(Date.UTC(2026, 0, 1, 0, m));
const row = (purposeId: string, channel: string, status: StateRow['status'], m: number): StateRow => ({
  purposeId,
  channel,
  status,
  since: at(m),
});
const ask = (purpose: Purpose, channel: string, state: StateRow[], restricted = false) =>
  mayContact({ purpose, orgId: 'shop', channel, state, restricted });

describe('may we contact', () => {
  test('P38 newsletters only with consent, per channel', () => {
    expect(ask(newsletter, 'email', [])).toMatchObject({
      allowed: false,
      reason: 'no-consent',
      basis: 'consent',
    });
    expect(ask(newsletter, 'email', [row('news', 'email', 'granted', 1)]).allowed).toBe(true);
    expect(ask(newsletter, 'sms', [row('news', 'email', 'granted', 1)]).allowed).toBe(false);
    expect(ask(newsletter, 'email', [row('news', 'email', 'withdrawn', 2)])).toMatchObject({
      allowed: false,
      reason: 'consent-withdrawn',
    });
  });

  test('P27 legitimate-interest communication until the subject objects', () => {
    expect(ask(surveys, 'email', [])).toMatchObject({ allowed: true, basis: 'legitimate-interests' });
    expect(ask(surveys, 'email', [row('surveys', EVERY_CHANNEL, 'objected', 1)])).toMatchObject({
      allowed: false,
      reason: 'objected',
    });
    expect(ask(surveys, 'email', [row('surveys', EVERY_CHANNEL, 'objection-lifted', 2)]).allowed).toBe(true);
  });

  test('P44 an objection to direct marketing stops ad matching at once, and overrides an earlier consent', () => {
    const dm = row(DIRECT_MARKETING, EVERY_CHANNEL, 'objected', 5);
    expect(ask(ads, 'email', [dm])).toMatchObject({ allowed: false, reason: 'objected-direct-marketing' });
    expect(ask(newsletter, 'email', [row('news', 'email', 'granted', 1), dm]).allowed).toBe(false);
    // Non-marketing legitimate interest is not touched by a direct-marketing objection.
    expect(ask(surveys, 'email', [dm]).allowed).toBe(true);
    // A later explicit consent to the purpose is a newer expression of will.
    expect(ask(newsletter, 'email', [dm, row('news', 'email', 'granted', 9)]).allowed).toBe(true);
  });

  test('restriction, undeclared channels and other controllers say no', () => {
    expect(ask(surveys, 'email', [], true).reason).toBe('restricted');
    expect(ask(surveys, 'sms', []).reason).toBe('channel-not-declared');
    expect(
      mayContact({ purpose: surveys, orgId: 'other', channel: 'email', state: [], restricted: false }).reason,
    ).toBe('not-controller');
  });
});

describe('identities', () => {
  test('e-mail is trimmed and lower-cased; phone becomes E.164 in the organization country', () => {
    expect(normaliseEmail('  Anna.Svensson@Example.SE ')).toBe('anna.svensson@example.se');
    expect(normalisePhone('070-123 45 67', 'SE')).toBe('+46701234567');
    expect(normalisePhone('+47 412 34 567')).toBe('+4741234567');
    expect(() => normalisePhone('12', 'SE')).toThrow(/phone/);
    expect(() => normaliseEmail('no-at-sign')).toThrow(/e-mail/);
  });
});
