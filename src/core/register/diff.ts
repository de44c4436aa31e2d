/** Entity-level differences between two register revisions, for `ombud register diff`. */
import { canonicalJson } from '../canonical.ts';
import { type Register, SECTIONS } from './schema.ts';

export type RegisterChange = {
  section: string;
  id: string;
  change: 'added' | 'removed' | 'changed';
  fields?: string[];
};

const keyOf = (section: string, item: Record<string, unknown>) =>
  String(
    section === 'dataCategories'
      ? item.key
      : section === 'cookies'
        ? item.name
        : section === 'acknowledgedFindings'
          ? `${item.code}/${item.target}`
          : item.id,
  );

export function diffRegisters(before: Register | undefined, after: Register): RegisterChange[] {
  const out: RegisterChange[] = [];
  if (!before || canonicalJson(before.group) !== canonicalJson(after.group))
    out.push({ section: 'group', id: after.group.id, change: before ? 'changed' : 'added' });
  for (const section of SECTIONS) {
    const a = new Map(
      (before?.[section] ?? []).map((i) => [
        keyOf(section, i as Record<string, unknown>),
        i as Record<string, unknown>,
      ]),
    );
    const b = new Map(
      after[section].map((i) => [keyOf(section, i as Record<string, unknown>), i as Record<string, unknown>]),
    );
    for (const [id, item] of b) {
      const old = a.get(id);
      if (!old) out.push({ section, id, change: 'added' });
      else {
        const fields = [...new Set([...Object.keys(old), ...Object.keys(item)])].filter(
          (k) => canonicalJson(old[k]) !== canonicalJson(item[k]),
        );
        if (fields.length > 0) out.push({ section, id, change: 'changed', fields });
      }
    }
    for (const id of a.keys()) if (!b.has(id)) out.push({ section, id, change: 'removed' });
  }
  return out;
}
