import { expect, test } from 'vitest';
import { type OutcomeFacts, outcomeInWords } from './outcome.ts';

const LAW = { en: 'the Swedish Bookkeeping Act', nb: 'den svenske bokføringsloven' };

test('an erasure in words: what was deleted, what is kept until which days and why (hand-written, en and nb)', () => {
  const facts = (lang: 'en' | 'nb'): OutcomeFacts & { kept: NonNullable<OutcomeFacts['kept']> } => ({
    type: 'erasure',
    changed:
      lang === 'en'
        ? ['Your account', 'Your orders', 'Your survey answers']
        : ['Kontoen din', 'Bestillingene dine'],
    kept: [
      {
        label: lang === 'en' ? 'Your invoices' : 'Fakturaene dine',
        rows: 2,
        eraseOn: '2034-01-01',
        law: LAW[lang],
      },
      {
        label: lang === 'en' ? 'Your invoices' : 'Fakturaene dine',
        rows: 1,
        eraseOn: '2033-01-01',
        law: LAW[lang],
      },
    ],
    told: ['Shipping providers'],
    notHeld: [],
  });
  expect(outcomeInWords(facts('en'), 'en')).toBe(
    'We have deleted your account, your orders and your survey answers.\n' +
      'We keep 3 of your invoices because the Swedish Bookkeeping Act requires it: 1 until 1 January 2033 and 2 until 1 January 2034.\n' +
      'We have told those who received your data from us: Shipping providers.',
  );
  expect(outcomeInWords({ ...facts('nb'), kept: [facts('nb').kept[0]!] }, 'nb')).toBe(
    'Vi har slettet kontoen din og bestillingene dine.\n' +
      'Vi beholder 2 av fakturaene dine til 1. januar 2034 fordi den svenske bokføringsloven krever det.\n' +
      'Vi har varslet dem som har mottatt opplysningene dine fra oss: Shipping providers.',
  );
  expect(
    outcomeInWords({ type: 'rectification', changed: [], kept: [], told: [], notHeld: ['CRM AB'] }, 'sv'),
  ).toBe('Vi hittade inga uppgifter om dig att rätta.\nCRM AB hade inga av dina uppgifter.');
});
