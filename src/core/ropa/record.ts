/**
 * The record of processing activities (GDPR Art. 30(1)) of one controller, from the register.
 * One entry per purpose; every point (a)–(g) of Art. 30(1) has its field.
 */
import { taxonomyLabel } from '../taxonomy/fideslang.ts';
import type { RegisterIndex } from '../register/register-index.ts';
import { LEGAL_BASIS_ARTICLE, t } from '../register/schema.ts';

export type RopaEntry = {
  /** (a) controller, joint controllers, representative, DPO */
  controller: string;
  controllerContact: string;
  jointControllers: string[];
  representative: string;
  dpo: string;
  /** (b) */
  purposeId: string;
  purpose: string;
  purposeDescription: string;
  dataUse: string;
  legalBases: string[];
  /** (c) */
  dataSubjects: string[];
  dataCategories: string[];
  specialCategories: string[];
  /** (d) */
  recipients: string[];
  /** (e) */
  thirdCountryTransfers: string[];
  /** (f) */
  retention: string;
  /** (g) */
  securityMeasures: string[];
  sources: string[];
  legitimateInterestAssessment: string;
};

export function ropaFor(ix: RegisterIndex, orgId: string): RopaEntry[] {
  const org = ix.organization(orgId);
  if (!org) throw new Error(`unknown organization ${orgId}`);
  const en = 'en' as const;
  return ix.purposesOf(orgId).map((p) => {
    const recipients = ix.recipientsOf(p);
    const rule = p.retention ? ix.retentionRules.get(p.retention) : undefined;
    const exceptions = (rule?.exceptions ?? [])
      .map((e) => ix.retentionRules.get(e))
      .filter((r) => r !== undefined);
    // Only a recorded joint arrangement makes other companies joint controllers; otherwise each is controller of its own processing.
    const arrangement = ix.jointArrangementFor(p.id, orgId);
    const joint = (arrangement?.controllers ?? [])
      .filter((c) => c !== orgId)
      .map((c) => ix.organization(c)?.legalName ?? c);
    const cats = ix.categoriesOf(p);
    return {
      controller: `${org.legalName} (${org.registrationNumber}), ${org.address.street}, ${org.address.postalCode} ${org.address.city}, ${org.address.country}`,
      controllerContact: org.contact.email,
      jointControllers: joint,
      representative: org.representative ?? '',
      dpo: org.dpo ? `${org.dpo.name ?? ''} <${org.dpo.email}>`.trim() : '',
      purposeId: p.id,
      purpose: t(p.name, en),
      purposeDescription: t(p.description, en),
      dataUse: p.dataUse,
      legalBases: p.data.map(
        (d) =>
          `${LEGAL_BASIS_ARTICLE[d.legalBasis]} ${d.legalBasis}: ${d.categories.join(', ')}${d.art9Condition ? ` (Art. ${d.art9Condition.replace('9.2.', '9(2)(')})` : ''}`,
      ),
      dataSubjects: [...new Set([...p.dataSubjects, ...p.data.flatMap((d) => d.subjects ?? [])])].map(
        (s) => `${s} (${taxonomyLabel('subject', s) ?? s})`,
      ),
      dataCategories: cats.map((c) => `${c} (${ix.categoryLabel(c, en)})`),
      specialCategories: cats.filter((c) => ix.isSpecial(c)),
      recipients: recipients.map((r) => `${r.name} — ${r.role}${r.dpa ? ', DPA in place' : ''}`),
      thirdCountryTransfers: recipients
        .filter((r) => ix.thirdCountries(r).length > 0)
        .map(
          (r) =>
            `${r.name}: ${ix.thirdCountries(r).join(', ')} under ${r.transfer?.mechanism ?? 'NO MECHANISM'}`,
        ),
      retention: rule
        ? `${t(rule.name, en)}: ${rule.duration} from ${rule.trigger}, then ${rule.action}${exceptions.length > 0 ? `; kept longer under ${exceptions.map((e) => `${e.id} (${e.duration}, ${t(e.law, en)})`).join('; ')}` : ''}`
        : '',
      securityMeasures: [
        ...org.securityMeasures.map((m) => t(m, en)),
        ...recipients.flatMap((r) => r.securityMeasures.map((m) => `${r.name}: ${t(m, en)}`)),
      ],
      sources: [...p.sources, t(p.collection, en)],
      legitimateInterestAssessment: p.balancingAssessment
        ? `${t(p.balancingAssessment.conclusion, en)} (${p.balancingAssessment.assessedBy}, ${p.balancingAssessment.assessedAt})`
        : '',
    };
  });
}

export const ROPA_COLUMNS: (keyof RopaEntry)[] = [
  'controller',
  'controllerContact',
  'jointControllers',
  'representative',
  'dpo',
  'purposeId',
  'purpose',
  'purposeDescription',
  'dataUse',
  'legalBases',
  'dataSubjects',
  'dataCategories',
  'specialCategories',
  'recipients',
  'thirdCountryTransfers',
  'retention',
  'securityMeasures',
  'sources',
  'legitimateInterestAssessment',
];

const csvCell = (v: string | string[]) => {
  const s = Array.isArray(v) ? v.join('; ') : v;
  // Neutralise spreadsheet formulas and quote every cell.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return `"${safe.replace(/"/g, '""')}"`;
};

export function ropaCsv(entries: RopaEntry[]): string {
  const lines = [ROPA_COLUMNS.map((c) => csvCell(c)).join(',')];
  for (const e of entries) lines.push(ROPA_COLUMNS.map((c) => csvCell(e[c])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
