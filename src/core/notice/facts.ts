/**
 * The language-neutral facts a notice states for one controller. Published versions
 * store these; the notice diff compares them and classifies each change.
 */
import { contentHash } from '../canonical.ts';
import type { RegisterIndex } from '../register/register-index.ts';
import type { LegalBasis } from '../register/schema.ts';

export type PurposeFacts = {
  id: string;
  categories: Record<string, LegalBasis[]>;
  recipients: string[];
  transfers: Record<string, string[]>;
  retention: string | null;
  retentionDuration: string | null;
  sources: string[];
  controllers: string[];
  textHash: string;
};

export type NoticeFacts = {
  orgId: string;
  controllerHash: string;
  authority: string;
  purposes: PurposeFacts[];
  jointArrangements: string[];
  cookies: string[];
};

export function noticeFacts(ix: RegisterIndex, orgId: string): NoticeFacts {
  const org = ix.organization(orgId);
  if (!org) throw new Error(`unknown organization ${orgId}`);
  const purposes = ix.purposesOf(orgId).map((p): PurposeFacts => {
    const categories: Record<string, LegalBasis[]> = {};
    for (const d of p.data)
      for (const c of d.categories)
        categories[c] = [...new Set([...(categories[c] ?? []), d.legalBasis])].sort();
    const transfers: Record<string, string[]> = {};
    for (const r of ix.recipientsOf(p)) {
      const third = ix.thirdCountries(r);
      if (third.length > 0) transfers[r.id] = third.sort();
    }
    const rule = p.retention ? ix.retentionRules.get(p.retention) : undefined;
    return {
      id: p.id,
      categories,
      recipients: [...p.recipients].sort(),
      transfers,
      retention: p.retention ?? null,
      retentionDuration: rule?.duration ?? null,
      sources: [...p.sources].sort(),
      controllers: [...p.controllers].sort(),
      textHash: contentHash({
        name: p.name,
        description: p.description,
        collection: p.collection,
        data: p.data.flatMap((d) => [d.note, d.legitimateInterest].filter((x) => x !== undefined)),
      }),
    };
  });
  return {
    orgId,
    controllerHash: contentHash({
      legalName: org.legalName,
      address: org.address,
      contact: org.contact,
      dpo: org.dpo,
    }),
    authority: org.supervisoryAuthority,
    purposes,
    jointArrangements: ix
      .jointArrangementsOf(orgId)
      .map((j) => j.id)
      .sort(),
    cookies: ix.register.cookies.map((c) => `${c.category}/${c.name}`).sort(),
  };
}
