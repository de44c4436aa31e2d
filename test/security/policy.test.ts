import { describe, expect, test } from 'vitest';
import { can, orgScope, type Principal, roleGrants } from '../../src/core/policies/permissions.ts';

const user = (roles: Principal & { kind: 'user' } extends { roles: infer R } ? R : never): Principal => ({
  kind: 'user',
  userId: 'u',
  isOwner: false,
  roles,
});

describe('roles per organization', () => {
  test('an auditor reads but never changes', () => {
    const p = user([{ orgId: 'provendo', role: 'auditor' }]);
    expect(can(p, 'audit:read', 'provendo')).toBe(true);
    expect(can(p, 'ropa:read', 'provendo')).toBe(true);
    expect(can(p, 'register:write', 'provendo')).toBe(false);
    expect(can(p, 'users:manage', 'provendo')).toBe(false);
    expect(can(p, 'apikeys:manage', 'provendo')).toBe(false);
  });

  test('a customer-service agent of one company sees nothing of another', () => {
    const p = user([{ orgId: 'bokhylla', role: 'cs-agent' }]);
    expect(can(p, 'register:read', 'bokhylla')).toBe(true);
    expect(can(p, 'register:read', 'provendo')).toBe(false);
    expect(can(p, 'requests:read', 'bokhylla')).toBe(true);
    expect(can(p, 'requests:read', 'provendo')).toBe(false);
    expect(can(p, 'audit:read', 'bokhylla')).toBe(false);
    expect(can(p, 'ropa:read', 'bokhylla')).toBe(false);
  });

  test('one person, different roles in different companies', () => {
    const p = user([
      { orgId: 'provendo', role: 'privacy-agent' },
      { orgId: 'nestit-sverige', role: 'auditor' },
    ]);
    expect(can(p, 'notice:publish', 'provendo')).toBe(true);
    expect(can(p, 'notice:publish', 'nestit-sverige')).toBe(false);
    expect(can(p, 'audit:read', 'nestit-sverige')).toBe(true);
    expect(can(p, 'audit:read', 'provendo')).toBe(false);
    expect(orgScope(p, 'audit:read')).toEqual(['nestit-sverige']);
    expect([...(orgScope(p, 'register:read') as string[])].sort()).toEqual(['nestit-sverige', 'provendo']);
  });

  test('engineers manage keys and connectors, not people or notices', () => {
    expect(roleGrants('engineer', 'apikeys:manage')).toBe(true);
    expect(roleGrants('engineer', 'connectors:write')).toBe(true);
    expect(roleGrants('engineer', 'users:manage')).toBe(false);
    expect(roleGrants('engineer', 'notice:publish')).toBe(false);
  });

  test('the DPO of a company may do everything there and nothing elsewhere; group owners everywhere', () => {
    const dpo = user([{ orgId: 'provendo', role: 'dpo' }]);
    expect(can(dpo, 'users:manage', 'provendo')).toBe(true);
    expect(can(dpo, 'users:manage', 'bokhylla')).toBe(false);
    const owner: Principal = { kind: 'user', userId: 'o', isOwner: true, roles: [] };
    expect(can(owner, 'users:manage', 'bokhylla')).toBe(true);
    expect(orgScope(owner, 'audit:read')).toBe('all');
  });

  test('API keys hold only what they were issued for, never key or user management', () => {
    const k: Principal = {
      kind: 'api-key',
      keyId: 'k',
      orgIds: ['provendo'],
      permissions: ['register:read', 'apikeys:manage'],
    };
    expect(can(k, 'register:read', 'provendo')).toBe(true);
    expect(can(k, 'register:read', 'bokhylla')).toBe(false);
    expect(can(k, 'ropa:read', 'provendo')).toBe(false);
    expect(can(k, 'apikeys:manage', 'provendo')).toBe(false);
  });

  test('public needs nobody', () => {
    expect(can(user([]), 'public')).toBe(true);
    expect(can(user([]), 'register:read')).toBe(false);
  });
});
