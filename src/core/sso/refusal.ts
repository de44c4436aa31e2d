/**
 * A single sign-on that did not sign anybody in, and why: a fixed reason code (audited with the provider's
 * id, never a claim's value) and a message for the person at the browser that names no personal data.
 */
import { type ErrorKind, OmbudError } from '../errors.ts';

export type SsoRefusalReason =
  /** The callback's state is unknown, used already, expired, of another provider or of another browser. */
  | 'state-unknown'
  /** The provider answered the authorization request with an error (e.g. access_denied). */
  | 'provider-error'
  /** The token endpoint refused the code (e.g. invalid_grant). */
  | 'token-refused'
  /** The ID token (or the authorization response) failed a check: issuer, audience, nonce, signature. */
  | 'id-token-invalid'
  /** The ID token has expired, or is not valid yet. */
  | 'id-token-expired'
  /** The provider could not be reached, or its answer was not OpenID Connect. */
  | 'provider-unreachable'
  /** The mapping gives this person no role in any company (and no group ownership). */
  | 'no-role'
  /** An account with the person's e-mail address exists and is not linked to this provider. */
  | 'email-taken'
  /** The person's Ombud account is disabled. */
  | 'account-disabled';

const KIND: Record<SsoRefusalReason, ErrorKind> = {
  'state-unknown': 'unauthenticated',
  'provider-error': 'unauthenticated',
  'token-refused': 'unauthenticated',
  'id-token-invalid': 'unauthenticated',
  'id-token-expired': 'unauthenticated',
  'provider-unreachable': 'precondition',
  'no-role': 'forbidden',
  'email-taken': 'conflict',
  'account-disabled': 'forbidden',
};

const MESSAGES: Record<SsoRefusalReason, string> = {
  'state-unknown':
    'This sign-in link was used already, has expired, or was started in another browser. Start the sign-in again.',
  'provider-error': 'The identity provider did not sign you in.',
  'token-refused': 'The identity provider refused to complete the sign-in. Start the sign-in again.',
  'id-token-invalid':
    "The identity provider's answer failed verification (issuer, audience, nonce or signature); nobody was signed in.",
  'id-token-expired': "The identity provider's answer has expired. Start the sign-in again.",
  'provider-unreachable': 'The identity provider cannot be reached just now. Try again in a moment.',
  'no-role':
    'You signed in, but none of your groups at the identity provider gives you a role in Ombud. Ask your administrator for access.',
  'email-taken':
    'An Ombud account with your e-mail address exists and is not linked to this identity provider. Ask an administrator.',
  'account-disabled': 'Your Ombud account is disabled.',
};

export class SsoRefusal extends OmbudError {
  readonly reason: SsoRefusalReason;
  /** Codes for the audit entry (an OAuth error code, the claim that failed), never a claim's value. */
  readonly facts: Readonly<Record<string, string>>;

  constructor(reason: SsoRefusalReason, facts: Record<string, string> = {}) {
    super(KIND[reason], `sso-${reason}`, MESSAGES[reason], {
      hint: reason === 'provider-unreachable' ? undefined : 'Go back to the sign-in page.',
    });
    this.name = 'SsoRefusal';
    this.reason = reason;
    this.facts = Object.freeze({ ...facts });
  }
}

/** What SSO-only mode refuses (password sign-in, password links, invitations with a password), as a 403. */
export const passwordsOff = (what: string) =>
  new OmbudError(
    'forbidden',
    'sso-only',
    `${what} is turned off: this Ombud signs people in with single sign-on only.`,
    {
      hint: "Sign in with your organization's identity provider at /console/login; access comes from your groups there.",
    },
  );
