/**
 * What a person's claims give them in Ombud: the configured claim's values (a string or a list of
 * strings, at a claim name or a dot path into nested claims) matched against the provider's mapping.
 * Pure; the sign-in (src/services/users/sso.ts) applies the result at every sign-in.
 */
import type { RoleAssignment } from '../policies/permissions.ts';
import type { SsoProvider } from './providers.ts';

/**
 * The string values of a claim. A claim named literally (e.g. `https://example.com/roles`, dots and
 * all) wins over a dot path (`realm_access.roles`); anything but a string or a list of strings gives none.
 */
export function claimValues(claims: Readonly<Record<string, unknown>>, claim: string): string[] {
  let v: unknown = claims[claim];
  if (v === undefined && claim.includes('.')) {
    v = claims;
    for (const part of claim.split('.')) {
      v = v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>)[part] : undefined;
    }
  }
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return [];
}

export type MappedAccess = { owner: boolean; roles: RoleAssignment[] };

/** The roles (sorted by company, then role; no repeats) and group ownership the claim values map to. */
export function mappedAccess(provider: SsoProvider, values: readonly string[]): MappedAccess {
  const held = new Set(values);
  let owner = false;
  const roles = new Map<string, RoleAssignment>();
  for (const row of provider.mapping) {
    if (!held.has(row.value)) continue;
    if ('owner' in row) owner = true;
    else roles.set(`${row.company}\u0000${row.role}`, { orgId: row.company, role: row.role });
  }
  const sorted = [...roles.values()].sort((a, b) =>
    a.orgId === b.orgId ? a.role.localeCompare(b.role) : a.orgId.localeCompare(b.orgId),
  );
  return { owner, roles: sorted };
}

const key = (r: RoleAssignment) => `${r.orgId}\u0000${r.role}`;

/** What to grant and revoke so that the roles a provider granted become `wanted`. */
export function roleChanges(
  current: readonly RoleAssignment[],
  wanted: readonly RoleAssignment[],
): { grant: RoleAssignment[]; revoke: RoleAssignment[] } {
  const have = new Set(current.map(key));
  const want = new Set(wanted.map(key));
  return {
    grant: wanted.filter((r) => !have.has(key(r))),
    revoke: current.filter((r) => !want.has(key(r))),
  };
}
