/** The identities an agent can look a customer up by (the desk names them in words.ts, `kinds`). */
export const DESK_IDENTITY_KINDS = ['email', 'phone', 'customerNumber'] as const;
export type DeskIdentityKind = (typeof DESK_IDENTITY_KINDS)[number];
