/** The group as the access policies see it: every organization of the current register. */
import type { Group } from '../../core/policies/policy.ts';
import type { RegisterCache } from './currentRegister.ts';

export async function groupOf(registers: RegisterCache): Promise<Group> {
  const current = await registers.get();
  return { orgIds: current?.index.register.organizations.map((o) => o.id) ?? [] };
}
