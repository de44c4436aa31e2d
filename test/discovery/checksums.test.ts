/**
 * The check digits, against values whose validity is known from their issuers' published examples or was
 * worked by hand (the working is in the comments), never from the code under test.
 */
import { describe, expect, it } from 'vitest';
import { isIban, isPaymentCard, luhn, norwegianId, swedishId } from '../../src/core/discovery/checksums.ts';
import { isEmail, isPhone, isStreetAddress, embeddedKinds } from '../../src/core/discovery/values.ts';

describe('check digits', () => {
  it('Luhn', () => {
    expect(luhn('79927398713')).toBe(true); // the textbook example
    expect(luhn('79927398710')).toBe(false);
  });

  it.each([
    // 811228-9874: 8·2→7, 1, 1·2=2, 2, 2·2=4, 8, 9·2→9, 8, 7·2→5, 4: sum 50.
    ['811228-9874', 'personnummer'],
    ['19811228-9874', 'personnummer'],
    ['198112289874', 'personnummer'],
    ['811228+9874', 'personnummer'],
    // 701063-2391 (Skatteverket's example samordningsnummer: day 63 = 3 + 60): sum 30.
    ['701063-2391', 'samordningsnummer'],
    ['811228-9875', undefined], // check digit off by one
    ['811328-9874', undefined], // month 13
    ['556036-0793', undefined], // an organisationsnummer: Luhn holds, month 60 is no month
    ['21811228-9874', undefined], // century 21
  ])('Swedish identity number %s is %s', (v, kind) => {
    expect(swedishId(v)).toBe(kind);
  });

  it.each([
    // 150765 005 65: k1 = 11 − (3+35+0+7+48+45+0+0+10 = 148 mod 11 = 5) = 6;
    // k2 = 11 − (5+20+0+14+42+30+0+0+15+12 = 138 mod 11 = 6) = 5.
    ['15076500565', 'fodselsnummer'],
    ['150765 00565', 'fodselsnummer'],
    // The D-nummer of the same date (day + 40): k1 = 11 − (160 mod 11 = 6) = 5; k2 = 11 − (156 mod 11 = 2) = 9.
    ['55076500559', 'd-nummer'],
    ['15076500566', undefined], // second check digit wrong
    ['15076500665', undefined], // first check digit wrong
    ['32076500565', undefined], // day 32
  ])('Norwegian identity number %s is %s', (v, kind) => {
    expect(norwegianId(v)).toBe(kind);
  });

  it.each([
    ['SE45 5000 0000 0583 9825 7466', true], // the SWIFT IBAN registry's Swedish example
    ['NO9386011117947', true], // … Norwegian
    ['GB82 WEST 1234 5698 7654 32', true], // … British
    ['DE89370400440532013000', true], // … German
    ['SE46 5000 0000 0583 9825 7466', false], // check digits changed
    ['NO938601111794', false], // one digit short
  ])('IBAN %s is %s', (v, ok) => {
    expect(isIban(v)).toBe(ok);
  });

  it.each([
    ['4111 1111 1111 1111', true], // Visa test number
    ['5555555555554444', true], // Mastercard test number
    ['378282246310005', true], // American Express test number
    ['6011111111111117', true], // Discover test number
    ['4111111111111112', false], // Luhn fails
    ['79927398713', false], // Luhn holds, too short for a card
    ['9111111111111111', false], // no scheme starts with 9 … (and Luhn fails too)
  ])('payment card %s is %s', (v, ok) => {
    expect(isPaymentCard(v)).toBe(ok);
  });
});

describe('values', () => {
  it.each([
    ['+46701234567', false, true],
    ['070-123 45 67', false, true],
    ['+47 912 34 567', false, true],
    ['912 34 567', false, true],
    ['91234567', false, false], // bare digits: an order number as often as a phone number …
    ['91234567', true, true], // … unless the column is a phone column
    ['1985-03-12', false, false], // a date
    ['+46 12', false, false],
  ])('phone %s (bare %s) is %s', (v, bare, ok) => {
    expect(isPhone(v, bare)).toBe(ok);
  });

  it('e-mail and street addresses', () => {
    expect(isEmail('anna.lind.1@example.test')).toBe(true);
    expect(isEmail('anna at example dot test')).toBe(false);
    expect(isStreetAddress('Storgatan 12')).toBe(true);
    expect(isStreetAddress('Fjordveien 5B')).toBe(true);
    expect(isStreetAddress('12 High Street')).toBe(true);
    expect(isStreetAddress('Kungsgatan 4, 111 43 Stockholm')).toBe(true);
    expect(isStreetAddress('Sofa Hallon')).toBe(false);
  });

  it('finds identifiers inside free text', () => {
    expect([...embeddedKinds('Hi, this is Anna. My phone is +46701234567.')].sort()).toEqual([
      'name',
      'phone',
    ]);
    expect([...embeddedKinds('pnr 811228-9874, write to a.b@example.test')].sort()).toEqual([
      'email',
      'se-personnummer',
    ]);
    expect([...embeddedKinds('refund to SE45 5000 0000 0583 9825 7466 please')]).toEqual(['iban']);
    expect([...embeddedKinds('order 12345 arrived on 2024-03-12')]).toEqual([]);
  });
});
