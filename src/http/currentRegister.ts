import { precondition } from '../core/errors.ts';
import type { RegisterCache } from '../services/register/currentRegister.ts';

/** The register in force, for a route that cannot answer without one: a 409 problem (precondition) until one is applied. */
export async function requireRegister(registers: RegisterCache) {
  const r = await registers.get();
  if (!r)
    throw precondition('no-register', 'No register has been applied yet.', 'Run `ombud register apply DIR`.');
  return r;
}
