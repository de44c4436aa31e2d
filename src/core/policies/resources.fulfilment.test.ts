/**
 * The fulfilment, connector and retention rules of resources.ts on hand-written cases (no can() in the
 * expectations): a Provendo-only caller against rows of Provendo, of NestIT Sverige and of the whole group.
 */
import { describe, expect, test } from 'vitest';
import type { Principal, RoleAssignment } from './permissions.ts';
import { decide } from './policy.ts';
import {
  companiesUsingSystem,
  connectorPolicy,
  fulfilmentRunPolicy,
  requestFulfilmentPolicy,
  retentionRunPolicy,
  taskPolicy,
} from './resources.ts';

const group = { orgIds: ['nestit-group', 'nestit-sverige', 'bokhylla', 'provendo'] };
const user = (roles: RoleAssignment[]): Principal => ({
  kind: 'user',
  userId: 'u',
  isOwner: false,
  roles,
});
const proDpo = user([{ orgId: 'provendo', role: 'dpo' }]);
const proAuditor = user([{ orgId: 'provendo', role: 'auditor' }]);
const proCs = user([{ orgId: 'provendo', role: 'cs-agent' }]);
const allDpo = user(group.orgIds.map((orgId) => ({ orgId, role: 'dpo' as const })));
const proKey: Principal = {
  kind: 'api-key',
  keyId: 'k',
  orgIds: ['provendo'],
  permissions: ['fulfilment:read', 'fulfilment:write', 'retention:run', 'retention:read'],
};

describe('P21 fulfilment, connector and retention rules', () => {
  const own = { request_id: 'r1', org_id: 'provendo' };
  const other = { request_id: 'r2', org_id: 'nestit-sverige' };

  test('P21 a run and its artifacts: own company readable, another company not found', () => {
    expect(decide(proDpo, fulfilmentRunPolicy, 'read', own, group)).toBe('allow');
    expect(decide(proDpo, fulfilmentRunPolicy, 'read', other, group)).toBe('not-found');
    expect(decide(proKey, fulfilmentRunPolicy, 'read', other, group)).toBe('not-found');
    expect(decide(proCs, fulfilmentRunPolicy, 'read', own, group)).toBe('not-found');
    // The desk's view of the same run: requests:read.
    expect(decide(proCs, requestFulfilmentPolicy, 'read', own, group)).toBe('allow');
    expect(decide(proCs, requestFulfilmentPolicy, 'read', other, group)).toBe('not-found');
  });

  test('P21 a task: answered with fulfilment:write in its company; the auditor sees but may not answer', () => {
    const t = { request_id: 'r1', system_id: 'crm', org_id: 'provendo' };
    expect(decide(proDpo, taskPolicy, 'answer', t, group)).toBe('allow');
    expect(decide(proAuditor, taskPolicy, 'answer', t, group)).toBe('forbidden');
    expect(decide(proKey, taskPolicy, 'answer', { ...t, org_id: 'nestit-sverige' }, group)).toBe('not-found');
  });

  test('P21 a connector belongs to the companies whose purposes name the system (else the group)', () => {
    const purposes = [
      { controllers: ['provendo'], systems: ['webshop'], recipients: ['messaging'] },
      { controllers: ['nestit-sverige'], systems: ['webshop'], recipients: [] },
      { controllers: ['bokhylla', 'provendo'], systems: ['crm'], recipients: [] },
    ];
    expect(companiesUsingSystem(purposes, 'messaging')).toEqual(['provendo']);
    expect(companiesUsingSystem(purposes, 'webshop')).toEqual(['nestit-sverige', 'provendo']);
    expect(companiesUsingSystem(purposes, 'nowhere')).toEqual([]);
    const eng = user([{ orgId: 'provendo', role: 'engineer' }]);
    const c = (id: string) => ({ system_id: id, usedBy: companiesUsingSystem(purposes, id) });
    expect(decide(eng, connectorPolicy, 'manage', c('messaging'), group)).toBe('allow');
    expect(decide(eng, connectorPolicy, 'manage', c('webshop'), group)).not.toBe('allow');
    expect(decide(eng, connectorPolicy, 'manage', c('nowhere'), group)).not.toBe('allow');
  });

  test('P21 a retention run is group-wide: run and read need the role in every company', () => {
    const run = { id: 'x', org_ids: null };
    expect(decide(proDpo, retentionRunPolicy, 'run', run, group)).toBe('not-found');
    expect(decide(proKey, retentionRunPolicy, 'run', run, group)).toBe('not-found');
    expect(decide(allDpo, retentionRunPolicy, 'run', run, group)).toBe('allow');
    expect(decide(allDpo, retentionRunPolicy, 'read', run, group)).toBe('allow');
    expect(decide({ kind: 'system' }, retentionRunPolicy, 'run', run, group)).toBe('allow');
  });
});
