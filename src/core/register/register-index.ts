/**
 * Read-side helpers over a merged register: lookups by id and the questions the
 * notice, the record of processing and the later capabilities ask of it.
 */
import { isSpecialCategory, taxonomyLabel } from '../taxonomy/fideslang.ts';
import { BUILTIN_AUTHORITIES, isEea } from './authorities.ts';
import type {
  Authority,
  Cookie,
  CookieCategory,
  DataCategory,
  JointArrangement,
  Language,
  LegalBasis,
  Organization,
  Purpose,
  Register,
  RetentionRule,
  System,
} from './schema.ts';
import { t } from './schema.ts';

const byId = <T extends { id: string }>(items: T[]) => new Map(items.map((i) => [i.id, i]));

export class RegisterIndex {
  readonly organizations: Map<string, Organization>;
  readonly authorities: Map<string, Authority>;
  readonly systems: Map<string, System>;
  readonly purposes: Map<string, Purpose>;
  readonly retentionRules: Map<string, RetentionRule>;
  readonly jointArrangements: Map<string, JointArrangement>;
  readonly cookieCategories: Map<string, CookieCategory>;
  readonly dataCategories: Map<string, DataCategory>;

  constructor(readonly register: Register) {
    this.organizations = byId(register.organizations);
    this.authorities = byId([...BUILTIN_AUTHORITIES, ...register.authorities]);
    this.systems = byId(register.systems);
    this.purposes = byId(register.purposes);
    this.retentionRules = byId(register.retentionRules);
    this.jointArrangements = byId(register.jointArrangements);
    this.cookieCategories = byId(register.cookieCategories);
    this.dataCategories = new Map(register.dataCategories.map((c) => [c.key, c]));
  }

  organization(id: string): Organization | undefined {
    return this.organizations.get(id);
  }

  /** Purposes for which the organization is a controller (alone or jointly). */
  purposesOf(orgId: string): Purpose[] {
    return this.register.purposes.filter((p) => p.controllers.includes(orgId));
  }

  authorityOf(orgId: string): Authority | undefined {
    const org = this.organizations.get(orgId);
    return org ? this.authorities.get(org.supervisoryAuthority) : undefined;
  }

  jointArrangementsOf(orgId: string): JointArrangement[] {
    return this.register.jointArrangements.filter((j) => j.controllers.includes(orgId));
  }

  /** The joint arrangement that covers a purpose for an organization, if any. */
  jointArrangementFor(purposeId: string, orgId?: string): JointArrangement | undefined {
    return this.register.jointArrangements.find(
      (j) => j.purposes.includes(purposeId) && (orgId === undefined || j.controllers.includes(orgId)),
    );
  }

  categoryLabel(key: string, lang: Language): string {
    const declared = this.dataCategories.get(key);
    if (declared) return t(declared.label, lang);
    return taxonomyLabel('category', key) ?? key;
  }

  isSpecial(key: string): boolean {
    return this.dataCategories.get(key)?.special === true || isSpecialCategory(key);
  }

  legalBases(purpose: Purpose): LegalBasis[] {
    return [...new Set(purpose.data.map((d) => d.legalBasis))];
  }

  categoriesOf(purpose: Purpose): string[] {
    return [...new Set(purpose.data.flatMap((d) => d.categories))];
  }

  recipientsOf(purpose: Purpose): System[] {
    return purpose.recipients.map((id) => this.systems.get(id)).filter((s): s is System => s !== undefined);
  }

  /** Countries outside the EU/EEA that a system stores data in. */
  thirdCountries(system: System): string[] {
    return system.storageCountries.filter((c) => !isEea(c));
  }

  /** The legal rules that may keep data of a rule longer, for a controller in a country (rules of other countries do not apply). */
  exceptionsFor(rule: RetentionRule | undefined, country: string): RetentionRule[] {
    return (rule?.exceptions ?? [])
      .map((e) => this.retentionRules.get(e))
      .filter(
        (r): r is RetentionRule => r !== undefined && (r.country === undefined || r.country === country),
      );
  }

  cookiesIn(categoryId: string): Cookie[] {
    return this.register.cookies.filter((c) => c.category === categoryId);
  }
}
