import { describe, expect, test } from 'vitest';
import type { Principal, Role } from './permissions.ts';
import { decide, groupListScope } from './policy.ts';
import { auditEntryPolicy, personPolicy, webhookDeliveryPolicy, webhookEndpointPolicy } from './resources.ts';

const group = { orgIds: ['nestit-group', 'nestit-sverige', 'provendo'] };
const user = (role: Role, ...orgIds: string[]): Principal => ({
  kind: 'user',
  userId: 'u',
  isOwner: false,
  roles: orgIds.map((orgId) => ({ orgId, role })),
});
const owner: Principal = { kind: 'user', userId: 'o', isOwner: true, roles: [] };

// Expected answers written by hand, not taken from `can`.
describe('P21 resource rules for webhooks, audit and people', () => {
  test('P21 a webhook endpoint without a company needs webhooks:manage in every company', () => {
    const groupWide = { id: 'e', org_id: null };
    expect(decide(user('engineer', 'provendo'), webhookEndpointPolicy, 'manage', groupWide, group)).toBe(
      'not-found',
    );
    expect(decide(user('engineer', ...group.orgIds), webhookEndpointPolicy, 'manage', groupWide, group)).toBe(
      'allow',
    );
    expect(
      decide(
        user('engineer', 'provendo'),
        webhookDeliveryPolicy,
        'replay',
        { id: 'd', org_id: 'provendo' },
        group,
      ),
    ).toBe('allow');
    expect(
      decide(
        user('engineer', 'provendo'),
        webhookDeliveryPolicy,
        'replay',
        { id: 'd', org_id: 'nestit-sverige' },
        group,
      ),
    ).toBe('not-found');
  });

  test('P21 lists: rows of no company only for callers in every company', () => {
    expect(groupListScope(user('auditor', 'provendo'), auditEntryPolicy.actions.read, group)).toEqual([
      'provendo',
    ]);
    expect(groupListScope(user('auditor', ...group.orgIds), auditEntryPolicy.actions.read, group)).toBe(
      'all',
    );
    expect(groupListScope(user('cs-agent', ...group.orgIds), auditEntryPolicy.actions.read, group)).toEqual(
      [],
    );
    expect(groupListScope(owner, auditEntryPolicy.actions.read, group)).toBe('all');
  });

  test('P21 people: every company of the person; only group owners act on a group owner', () => {
    const both = { id: 'p', orgIds: ['provendo', 'nestit-sverige'] };
    const groupOwner = { id: 'o', orgIds: [], isOwner: true };
    expect(decide(user('dpo', 'provendo'), personPolicy, 'manage', both, group)).toBe('not-found');
    expect(decide(user('dpo', ...group.orgIds), personPolicy, 'manage', both, group)).toBe('allow');
    expect(decide(user('dpo', 'provendo'), personPolicy, 'manage', groupOwner, group)).toBe('not-found');
    expect(decide(user('dpo', ...group.orgIds), personPolicy, 'read', groupOwner, group)).toBe('allow');
    expect(decide(user('dpo', ...group.orgIds), personPolicy, 'manage', groupOwner, group)).toBe('forbidden');
    expect(decide(owner, personPolicy, 'manage', groupOwner, group)).toBe('allow');
  });
});
