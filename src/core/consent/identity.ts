/**
 * Identities of a data subject within one organization: an e-mail address, a phone number or a
 * customer number, normalised so that the same person is found however the value was typed.
 * Pure: no I/O. Error messages name the field, never the value.
 */
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { validationError } from '../errors.ts';

export const IDENTITY_KINDS = ['email', 'phone', 'customer-number'] as const;
export type IdentityKind = (typeof IDENTITY_KINDS)[number];
export type Identity = { kind: IdentityKind; value: string };

/** The shape API callers send: any of the three, at least one. */
export type IdentityInput = { email?: string; phone?: string; customerNumber?: string };

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const CUSTOMER_NUMBER = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function normaliseEmail(raw: string, field = 'email'): string {
  const v = raw.trim().toLowerCase();
  if (v.length > 254 || !EMAIL.test(v))
    throw validationError('invalid-email', `The ${field} is not an e-mail address.`, [
      { path: [field], message: 'not an e-mail address', hint: 'Send an address such as name@example.com.' },
    ]);
  return v;
}

/** E.164 (e.g. +46701234567). A number without a country prefix is read in the organization's country. */
export function normalisePhone(raw: string, defaultCountry?: string, field = 'phone'): string {
  const p = parsePhoneNumberFromString(raw.trim(), defaultCountry as CountryCode | undefined);
  if (!p?.isValid())
    throw validationError('invalid-phone', `The ${field} is not a valid phone number.`, [
      {
        path: [field],
        message: 'not a valid phone number',
        hint: 'Send the number in international form such as +46 70 123 45 67.',
      },
    ]);
  return p.number;
}

export function normaliseCustomerNumber(raw: string, field = 'customerNumber'): string {
  const v = raw.trim();
  if (!CUSTOMER_NUMBER.test(v))
    throw validationError('invalid-customer-number', `The ${field} is not a customer number.`, [
      {
        path: [field],
        message: 'not a customer number',
        hint: 'Use 1–64 letters, digits, dots, dashes or underscores.',
      },
    ]);
  return v;
}

export function normaliseIdentity(kind: IdentityKind, raw: string, defaultCountry?: string): Identity {
  switch (kind) {
    case 'email':
      return { kind, value: normaliseEmail(raw) };
    case 'phone':
      return { kind, value: normalisePhone(raw, defaultCountry) };
    case 'customer-number':
      return { kind, value: normaliseCustomerNumber(raw) };
  }
}

/** Every identity given, normalised; at least one is required. */
export function identitiesFrom(
  input: IdentityInput,
  defaultCountry?: string,
  field = 'identity',
): Identity[] {
  const out: Identity[] = [];
  if (input.email !== undefined)
    out.push({ kind: 'email', value: normaliseEmail(input.email, `${field}.email`) });
  if (input.phone !== undefined)
    out.push({ kind: 'phone', value: normalisePhone(input.phone, defaultCountry, `${field}.phone`) });
  if (input.customerNumber !== undefined)
    out.push({
      kind: 'customer-number',
      value: normaliseCustomerNumber(input.customerNumber, `${field}.customerNumber`),
    });
  if (out.length === 0)
    throw validationError('identity-missing', 'Name the data subject.', [
      {
        path: [field],
        message: 'no identity given',
        hint: 'Send at least one of email, phone or customerNumber.',
      },
    ]);
  return out;
}

/** The identity a channel reaches: e-mail for email, phone for sms and phone. */
export function identityKindForChannel(channel: string): IdentityKind | undefined {
  if (channel === 'email') return 'email';
  if (channel === 'sms' || channel === 'phone') return 'phone';
  return undefined;
}

/** Stored identities back as the input shape (the first of each kind), to record an event for a known subject. */
export const identityInputOf = (ids: Identity[]): IdentityInput => ({
  email: ids.find((i) => i.kind === 'email')?.value,
  phone: ids.find((i) => i.kind === 'phone')?.value,
  customerNumber: ids.find((i) => i.kind === 'customer-number')?.value,
});
