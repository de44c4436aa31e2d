/**
 * Art. 19: the recipients to tell of a rectification, erasure or restriction. They are the systems the
 * register lists as recipients of every purpose whose data is held in a system the request changes, less
 * the systems the request already changes directly (the group's own databases), and less those that get
 * data only case by case (`disclosure: case-by-case`: authorities, advisers, a buyer), which have not
 * received this customer's data unless a disclosure in a particular matter is on record.
 */
import type { RegisterIndex } from '../register/register-index.ts';
import type { System } from '../register/schema.ts';

export const disclosureOf = (s: System): 'routine' | 'case-by-case' =>
  s.disclosure ?? (s.role === 'authority' ? 'case-by-case' : 'routine');

function recipientsOf(index: RegisterIndex, changedSystems: string[], heldIn = changedSystems): System[] {
  const changed = new Set(changedSystems);
  const held = new Set(heldIn);
  const out = new Map<string, System>();
  for (const p of index.purposes.values()) {
    if (!p.systems.some((s) => held.has(s))) continue;
    for (const r of p.recipients) {
      const sys = index.systems.get(r);
      if (!changed.has(r) && sys) out.set(r, sys);
    }
  }
  return [...out.values()].sort((a, b) => a.id.localeCompare(b.id));
}

/**
 * Recipients told of every change: those that receive the data routinely. `heldIn` (by default every
 * changed system) narrows them to the purposes of the systems where the subject's data was actually found:
 * a recipient of data the subject never had received nothing of theirs and is not told.
 */
export function recipientsToTell(
  index: RegisterIndex,
  changedSystems: string[],
  heldIn: string[] = changedSystems,
): string[] {
  return recipientsOf(index, changedSystems, heldIn)
    .filter((s) => disclosureOf(s) === 'routine')
    .map((s) => s.id);
}

/** Recipients not told automatically: they get data case by case, and only a recorded disclosure says they did. */
export function recipientsCaseByCase(index: RegisterIndex, changedSystems: string[]): string[] {
  return recipientsOf(index, changedSystems)
    .filter((s) => disclosureOf(s) === 'case-by-case')
    .map((s) => s.id);
}
