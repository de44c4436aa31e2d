import { describe, expect, test } from 'vitest';
import type { Purpose } from '../register/schema.ts';
import { collectionRefusal, refusalSentence } from './collection.ts';

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
const purpose = (over: Record<string, unknown>) => ({ ...base, ...over }) as unknown as Purpose;
const newsletter = purpose({
  id: 'news',
  name: 'News',
  data: [{ categories: ['user.contact.email'], legalBasis: 'consent' }],
  consent: { collectedAt: ['checkout', 'preference-center'], withdrawal: 'link', channels: ['email', 'sms'] },
  communication: { channels: ['email', 'sms'], directMarketing: true },
});

describe('where a purpose consent may be collected', () => {
  test('a source the register lists is allowed; another is refused with the sources and channels it allows', () => {
    expect(collectionRefusal(newsletter, 'checkout')).toBeUndefined();
    const r = collectionRefusal(newsletter, 'customer-service');
    expect(r).toEqual({
      purposeId: 'news',
      source: 'customer-service',
      sources: ['checkout', 'preference-center'],
      channels: ['email', 'sms'],
    });
    expect(refusalSentence(r!, 'News')).toBe(
      'The register does not let consent to “News” be recorded at customer-service: it is collected only at checkout, preference-center, on email, sms.',
    );
  });

  test('a purpose on legitimate interests, or on consent without a consent block, declares no collection points to refuse', () => {
    const surveys = purpose({
      id: 'surveys',
      name: 'Surveys',
      data: [{ categories: ['user.contact.email'], legalBasis: 'legitimate-interests' }],
      communication: { channels: ['email'], directMarketing: false },
    });
    const bare = purpose({
      id: 'bare',
      name: 'Bare',
      data: [{ categories: ['user.contact.email'], legalBasis: 'consent' }],
    });
    expect(collectionRefusal(surveys, 'customer-service')).toBeUndefined();
    expect(collectionRefusal(bare, 'customer-service')).toBeUndefined();
  });
});
