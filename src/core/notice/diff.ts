/**
 * Changes between two published notices, each classified as material or not, with the
 * reason. Material changes must be announced before they take effect (P35): a new
 * purpose, a new data category for a purpose, a new recipient, a new legal basis, a new
 * third-country transfer, or a longer retention.
 */
import type { NoticeFacts, PurposeFacts } from './facts.ts';

export type NoticeChange = {
  kind:
    | 'purpose-added'
    | 'purpose-removed'
    | 'category-added'
    | 'category-removed'
    | 'legal-basis-added'
    | 'legal-basis-removed'
    | 'recipient-added'
    | 'recipient-removed'
    | 'transfer-added'
    | 'transfer-removed'
    | 'retention-longer'
    | 'retention-changed'
    | 'controller-details-changed'
    | 'authority-changed'
    | 'joint-arrangement-changed'
    | 'wording-changed'
    | 'cookies-changed';
  purpose?: string;
  subject?: string;
  material: boolean;
  reason: string;
};

const durationDays = (iso: string | null) => {
  const m = iso && /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$/.exec(iso);
  if (!m) return 0;
  return Number(m[1] ?? 0) * 365.25 + Number(m[2] ?? 0) * 30.44 + Number(m[3] ?? 0) * 7 + Number(m[4] ?? 0);
};

function diffPurpose(a: PurposeFacts, b: PurposeFacts, out: NoticeChange[]) {
  const p = b.id;
  for (const [cat, bases] of Object.entries(b.categories)) {
    const before = a.categories[cat];
    if (!before) {
      out.push({
        kind: 'category-added',
        purpose: p,
        subject: cat,
        material: true,
        reason: `A new data category (${cat}) is processed for '${p}'.`,
      });
      continue;
    }
    for (const basis of bases)
      if (!before.includes(basis))
        out.push({
          kind: 'legal-basis-added',
          purpose: p,
          subject: `${cat}:${basis}`,
          material: true,
          reason: `'${p}' now relies on a new legal basis (${basis}) for ${cat}.`,
        });
    for (const basis of before)
      if (!bases.includes(basis))
        out.push({
          kind: 'legal-basis-removed',
          purpose: p,
          subject: `${cat}:${basis}`,
          material: false,
          reason: `'${p}' no longer relies on ${basis} for ${cat}.`,
        });
  }
  for (const cat of Object.keys(a.categories))
    if (!b.categories[cat])
      out.push({
        kind: 'category-removed',
        purpose: p,
        subject: cat,
        material: false,
        reason: `${cat} is no longer processed for '${p}': less processing.`,
      });
  for (const r of b.recipients)
    if (!a.recipients.includes(r))
      out.push({
        kind: 'recipient-added',
        purpose: p,
        subject: r,
        material: true,
        reason: `A new recipient (${r}) receives data for '${p}'.`,
      });
  for (const r of a.recipients)
    if (!b.recipients.includes(r))
      out.push({
        kind: 'recipient-removed',
        purpose: p,
        subject: r,
        material: false,
        reason: `${r} no longer receives data for '${p}'.`,
      });
  for (const [r, countries] of Object.entries(b.transfers)) {
    const before = a.transfers[r] ?? [];
    const added = countries.filter((c) => !before.includes(c));
    if (added.length > 0)
      out.push({
        kind: 'transfer-added',
        purpose: p,
        subject: `${r}:${added.join(',')}`,
        material: true,
        reason: `Data for '${p}' is newly transferred outside the EU/EEA (${added.join(', ')}) through ${r}.`,
      });
  }
  for (const [r, countries] of Object.entries(a.transfers)) {
    const after = b.transfers[r] ?? [];
    const removed = countries.filter((c) => !after.includes(c));
    if (removed.length > 0)
      out.push({
        kind: 'transfer-removed',
        purpose: p,
        subject: `${r}:${removed.join(',')}`,
        material: false,
        reason: `Data for '${p}' is no longer transferred to ${removed.join(', ')}.`,
      });
  }
  if (a.retention !== b.retention || a.retentionDuration !== b.retentionDuration) {
    const longer = durationDays(b.retentionDuration) > durationDays(a.retentionDuration);
    out.push({
      kind: longer ? 'retention-longer' : 'retention-changed',
      purpose: p,
      subject: `${a.retentionDuration ?? '-'}→${b.retentionDuration ?? '-'}`,
      material: longer,
      reason: longer
        ? `Data for '${p}' is kept longer than before.`
        : `The retention of '${p}' changed without keeping data longer.`,
    });
  }
  if (a.textHash !== b.textHash)
    out.push({
      kind: 'wording-changed',
      purpose: p,
      material: false,
      reason: `The wording for '${p}' changed; what is processed did not.`,
    });
}

export function diffNotices(before: NoticeFacts | null, after: NoticeFacts): NoticeChange[] {
  const out: NoticeChange[] = [];
  const prev = new Map((before?.purposes ?? []).map((p) => [p.id, p]));
  const next = new Map(after.purposes.map((p) => [p.id, p]));
  for (const [id, p] of next) {
    const a = prev.get(id);
    if (!a)
      out.push({ kind: 'purpose-added', purpose: id, material: true, reason: `A new purpose: '${id}'.` });
    else diffPurpose(a, p, out);
  }
  for (const id of prev.keys())
    if (!next.has(id))
      out.push({
        kind: 'purpose-removed',
        purpose: id,
        material: false,
        reason: `The purpose '${id}' is no longer carried out: less processing.`,
      });
  if (before) {
    if (before.controllerHash !== after.controllerHash)
      out.push({
        kind: 'controller-details-changed',
        material: false,
        reason: "The controller's name, address or contact details changed.",
      });
    if (before.authority !== after.authority)
      out.push({
        kind: 'authority-changed',
        material: true,
        reason: 'A different supervisory authority is named.',
      });
    if (before.jointArrangements.join() !== after.jointArrangements.join())
      out.push({
        kind: 'joint-arrangement-changed',
        material: true,
        reason: 'The joint-controller arrangements changed: who answers you may have changed.',
      });
    if (before.cookies.join() !== after.cookies.join())
      out.push({
        kind: 'cookies-changed',
        material: false,
        reason: 'The cookie list changed; the cookie banner asks again where it matters.',
      });
  }
  return out;
}
