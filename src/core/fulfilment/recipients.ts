/**
 * Art. 19: the recipients to tell of a rectification, erasure or restriction. They are the systems the
 * register lists as recipients of every purpose whose data is held in a system the request changes, less
 * the systems the request already changes directly (the group's own databases).
 */
import type { RegisterIndex } from '../register/register-index.ts';

export function recipientsToTell(index: RegisterIndex, changedSystems: string[]): string[] {
  const changed = new Set(changedSystems);
  const out = new Set<string>();
  for (const p of index.purposes.values()) {
    if (!p.systems.some((s) => changed.has(s))) continue;
    for (const r of p.recipients) if (!changed.has(r) && index.systems.has(r)) out.add(r);
  }
  return [...out].sort();
}
