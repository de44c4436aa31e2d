import { describe, expect, test } from 'vitest';
import type { Principal } from './permissions.ts';
import { decide, visibleTo } from './policy.ts';
import { requestPolicy, webhookEndpointPolicy } from './resources.ts';

const group = { orgIds: ['nestit-group', 'nestit-sverige', 'provendo', 'nestit-norge'] };
const agentAt = (...orgIds: string[]): Principal => ({
  kind: 'user',
  userId: 'u',
  isOwner: false,
  roles: orgIds.map((orgId) => ({ orgId, role: 'privacy-agent' as const })),
});
const auditorAt = (orgId: string): Principal => ({
  kind: 'user',
  userId: 'u',
  isOwner: false,
  roles: [{ orgId, role: 'auditor' }],
});
const own = { id: 'r1', org_id: 'provendo', scope: {} };
const other = { id: 'r2', org_id: 'nestit-sverige', scope: {} };
const groupRequest = {
  id: 'r3',
  org_id: 'nestit-group',
  scope: { group: { candidates: ['nestit-sverige', 'provendo'] } },
};

// Expected answers written by hand, not taken from `can`.
describe('policy per resource', () => {
  test('P21 a company request: own company allowed, another company not found', () => {
    expect(decide(agentAt('provendo'), requestPolicy, 'write', own, group)).toBe('allow');
    expect(decide(agentAt('provendo'), requestPolicy, 'read', other, group)).toBe('not-found');
    expect(decide(agentAt('provendo'), requestPolicy, 'write', other, group)).toBe('not-found');
  });
  test('P21 read-only role: may read its own, is forbidden to change it', () => {
    expect(decide(auditorAt('provendo'), requestPolicy, 'read', own, group)).toBe('allow');
    expect(decide(auditorAt('provendo'), requestPolicy, 'write', own, group)).toBe('forbidden');
  });
  test('P21 a group request needs the role at the contact point and every candidate', () => {
    expect(decide(agentAt('provendo'), requestPolicy, 'read', groupRequest, group)).toBe('not-found');
    expect(decide(agentAt('provendo', 'nestit-sverige'), requestPolicy, 'read', groupRequest, group)).toBe(
      'not-found',
    );
    expect(
      decide(
        agentAt('nestit-group', 'provendo', 'nestit-sverige'),
        requestPolicy,
        'write',
        groupRequest,
        group,
      ),
    ).toBe('allow');
    expect(visibleTo(agentAt('provendo'), requestPolicy, group)(own)).toBe(true);
    expect(visibleTo(agentAt('provendo'), requestPolicy, group)(groupRequest)).toBe(false);
  });
  test('P21 a webhook endpoint for every company is group-wide', () => {
    const engineer: Principal = {
      kind: 'user',
      userId: 'e',
      isOwner: false,
      roles: [{ orgId: 'provendo', role: 'engineer' }],
    };
    expect(decide(engineer, webhookEndpointPolicy, 'manage', { id: 'w', org_id: null }, group)).toBe(
      'not-found',
    );
    expect(decide(engineer, webhookEndpointPolicy, 'manage', { id: 'w', org_id: 'provendo' }, group)).toBe(
      'allow',
    );
    const key: Principal = {
      kind: 'api-key',
      keyId: 'k',
      orgIds: ['provendo'],
      permissions: ['webhooks:manage'],
    };
    expect(decide(key, webhookEndpointPolicy, 'manage', { id: 'w', org_id: 'nestit-sverige' }, group)).toBe(
      'not-found',
    );
    expect(
      decide({ kind: 'system' }, webhookEndpointPolicy, 'manage', { id: 'w', org_id: null }, group),
    ).toBe('allow');
  });
});
