/**
 * Every permission of Ombud, and the one function that decides. Routes declare a
 * permission; services ask `can` before touching data of an organization.
 */
export const PERMISSIONS = [
  'public',
  'register:read',
  'register:write',
  'notice:publish',
  'ropa:read',
  'audit:read',
  'users:manage',
  'requests:read',
  'requests:write',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export type Principal =
  | { kind: 'user'; userId: string; isOwner: boolean }
  | { kind: 'api-key'; keyId: string; orgIds: string[]; permissions: Permission[] };

export function can(p: Principal, permission: Permission, orgId?: string): boolean {
  if (permission === 'public') return true;
  if (p.kind === 'user') return p.isOwner;
  return p.permissions.includes(permission) && (orgId === undefined || p.orgIds.includes(orgId));
}
