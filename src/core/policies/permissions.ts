/**
 * Every permission of Ombud, the roles, and the one function that decides. Routes declare a
 * permission (checked at the edge before any validation or handler runs); services ask `can` /
 * `orgScope` before touching data of an organization. Nothing else in the code base decides access.
 *
 * Roles are held per organization: a user may be privacy agent at provendo and auditor at
 * nestit-sverige. Group owners (`isOwner`) may do everything everywhere.
 */
export const PERMISSIONS = [
  'public',
  'register:read',
  'register:write',
  'notice:publish',
  'ropa:read',
  'audit:read',
  'users:manage',
  'apikeys:manage',
  /** Any signed-in person, for their own account (second factor, password). */
  'account:self',
  'consent:read',
  'consent:write',
  'webhooks:manage',
  'fulfilment:read',
  'requests:read',
  'requests:write',
  /** Tick off fulfilment tasks (manual systems, awaited services). */
  'fulfilment:write',
  /** Configure connectors to the group's systems and services (HTTP connector secrets). */
  'connectors:manage',
  /** See retention runs and what the next run would do (counts only). */
  'retention:read',
  /** Start a retention run (it erases what has ended) or a recorded dry run. */
  'retention:run',
  /** See a company's legal holds (reason, scope, review day; a data subject only as "a data subject"). */
  'holds:read',
  /** Place and lift a company's legal holds (they keep data past its retention rules). */
  'holds:write',
  /** See personal data breaches (the register of breaches, scope counts, drafts; never an address). */
  'breaches:read',
  /** Record, scope and assess breaches, draft the notifications and tell the people affected. */
  'breaches:write',
  /** See a company's analytics exports: what each guaranteed (k, suppressed cells, budget), and download them. */
  'analytics:read',
  /** Run an analytics export of the register (aggregates under k, pseudonymised rows). */
  'analytics:export',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const ROLES = ['dpo', 'privacy-agent', 'cs-agent', 'engineer', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, string> = {
  dpo: 'Owner / data protection officer',
  'privacy-agent': 'Privacy agent',
  'cs-agent': 'Customer-service agent',
  engineer: 'Engineer (connectors and keys)',
  auditor: 'Auditor (read-only)',
};

/**
 * What each role grants, as patterns so that permissions added later by other capabilities
 * fall into place: 'x:*' any permission of capability x, '*:read' any read, '*' everything.
 * `deny` wins over `allow`.
 */
export const ROLE_GRANTS: Record<Role, { allow: string[]; deny?: string[] }> = {
  dpo: { allow: ['*'] },
  'privacy-agent': {
    allow: [
      '*:read',
      'register:*',
      'notice:*',
      'ropa:*',
      'requests:*',
      'consent:*',
      'subjects:*',
      'retention:*',
      'holds:*',
      'breaches:*',
      'analytics:*',
      'fulfilment:write',
    ],
    deny: ['audit:read'],
  },
  'cs-agent': {
    allow: ['register:read', 'requests:*', 'subjects:*', 'consent:read', 'consent:write'],
  },
  engineer: { allow: ['register:read', 'connectors:*', 'apikeys:*', 'fulfilment:*', 'webhooks:*'] },
  auditor: { allow: ['*:read'] },
};

/** Permissions an API key can never hold: keys do not mint keys or manage people. */
export const KEY_FORBIDDEN: readonly string[] = ['users:manage', 'apikeys:manage', 'account:self'];

function matches(pattern: string, permission: string): boolean {
  if (pattern === '*' || pattern === permission) return true;
  const [pc, pa] = pattern.split(':');
  const [c, a] = permission.split(':');
  return (pc === '*' || pc === c) && (pa === '*' || pa === a);
}

export function roleGrants(role: Role, permission: string): boolean {
  const g = ROLE_GRANTS[role];
  if (!g) return false;
  if (g.deny?.some((p) => matches(p, permission))) return false;
  return g.allow.some((p) => matches(p, permission));
}

export type RoleAssignment = { orgId: string; role: Role };

export type Principal =
  | { kind: 'user'; userId: string; isOwner: boolean; roles: RoleAssignment[] }
  | { kind: 'api-key'; keyId: string; orgIds: string[]; permissions: string[] }
  /** Ombud itself: the CLI on the server, workers, scheduled runs. Never the result of an HTTP request. */
  | { kind: 'system' };

/** The principal of the CLI and the workers: trusted, everywhere. */
export const SYSTEM_PRINCIPAL: Principal = { kind: 'system' };

/**
 * May the principal do this? With an orgId: in that organization. Without one (group-wide
 * routes such as lists): in at least one organization; the service then narrows the data to
 * `orgScope(p, permission)`.
 */
export function can(p: Principal, permission: Permission | string, orgId?: string): boolean {
  if (permission === 'public') return true;
  if (permission === 'account:self') return p.kind === 'user';
  if (p.kind === 'system') return true;
  if (p.kind === 'user') {
    if (p.isOwner) return true;
    return p.roles.some((r) => (orgId === undefined || r.orgId === orgId) && roleGrants(r.role, permission));
  }
  if (KEY_FORBIDDEN.includes(permission)) return false;
  return p.permissions.includes(permission) && (orgId === undefined || p.orgIds.includes(orgId));
}

/** The organizations where the principal holds a permission: 'all' for group owners. */
export function orgScope(p: Principal, permission: Permission | string): 'all' | string[] {
  if (p.kind === 'system') return 'all';
  if (p.kind === 'user') {
    if (p.isOwner) return 'all';
    return [...new Set(p.roles.filter((r) => roleGrants(r.role, permission)).map((r) => r.orgId))];
  }
  if (KEY_FORBIDDEN.includes(permission) || !p.permissions.includes(permission)) return [];
  return [...p.orgIds];
}

/** True when every org of `orgIds` is within the principal's scope for the permission. */
export function canAll(p: Principal, permission: Permission | string, orgIds: string[]): boolean {
  const scope = orgScope(p, permission);
  return scope === 'all' || orgIds.every((o) => scope.includes(o));
}

export function isRole(s: string): s is Role {
  return (ROLES as readonly string[]).includes(s);
}
