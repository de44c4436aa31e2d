/** The identities an agent can look a customer up by, and how the desk names them. */
export const DESK_IDENTITY_KINDS = ['email', 'phone', 'customerNumber'] as const;
export type DeskIdentityKind = (typeof DESK_IDENTITY_KINDS)[number];

export const IDENTITY_KIND_LABEL: Record<DeskIdentityKind, string> = {
  email: 'E-mail address',
  phone: 'Phone number',
  customerNumber: 'Customer number',
};
