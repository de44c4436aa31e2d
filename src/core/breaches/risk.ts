/**
 * The risk of a breach to the people affected (Art. 33(1), 34(1); EDPB Guidelines 9/2022): the factors are
 * recorded, a level is suggested from them and the scope, and a person decides, with a reason. Pure.
 *
 * - no-risk: unlikely to result in a risk (e.g. the data was encrypted and the key is safe): no
 *   notification, but the breach is documented with the reasoning (Art. 33(5)).
 * - risk: the supervisory authority is notified (Art. 33).
 * - high-risk: the people affected are told as well (Art. 34).
 */
import type { BreachScope } from './scope.ts';

export const RISK_LEVELS = ['no-risk', 'risk', 'high-risk'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

export type RiskFactors = {
  /** Art. 9 (or Art. 10) categories among the affected data (from the scope). */
  specialCategories: boolean;
  /** Financial data (card, account, amounts) among the affected data (from the scope). */
  financial: boolean;
  /** Directly identifying data (names, contact details, identity numbers) among the affected data. */
  identifiable: boolean;
  /** People affected (from the scope). */
  volume: number;
  /** Children or other vulnerable people among those affected (a person says). */
  vulnerableSubjects: boolean;
  /** The data was encrypted (or otherwise unintelligible) and the key was not compromised (a person says). */
  encrypted: boolean;
};

export type RiskSuggestion = {
  level: RiskLevel;
  likelihood: 'low' | 'medium' | 'high';
  severity: 'low' | 'medium' | 'high';
  reasons: string[];
};

const IDENTIFYING = ['user.name', 'user.contact', 'user.unique_id', 'user.government_id', 'user.account'];

/** The factors the scope answers; a person adds whether the subjects are vulnerable and the data encrypted. */
export function factorsFromScope(
  scope: BreachScope,
  given: { vulnerableSubjects?: boolean; encrypted?: boolean } = {},
): RiskFactors {
  const keys = scope.categories.map((c) => c.key);
  return {
    specialCategories: scope.categories.some((c) => c.special),
    financial: keys.some((k) => k.startsWith('user.financial') || k.startsWith('user.payment')),
    identifiable: keys.some((k) => IDENTIFYING.some((p) => k === p || k.startsWith(`${p}.`))),
    volume: scope.subjects,
    vulnerableSubjects: given.vulnerableSubjects ?? false,
    encrypted: given.encrypted ?? false,
  };
}

const LEVELS = ['low', 'medium', 'high'] as const;
const up = (l: (typeof LEVELS)[number]) => LEVELS[Math.min(2, LEVELS.indexOf(l) + 1)]!;

export function suggestRisk(f: RiskFactors): RiskSuggestion {
  const reasons: string[] = [];
  if (f.encrypted) {
    reasons.push('the data was unintelligible to anyone who got it (encrypted, key not compromised)');
    return { level: 'no-risk', likelihood: 'low', severity: 'low', reasons };
  }
  if (f.volume === 0) {
    reasons.push('no data subject was found in the affected rows');
    return { level: 'no-risk', likelihood: 'low', severity: 'low', reasons };
  }
  let severity: (typeof LEVELS)[number] = 'low';
  if (f.identifiable) {
    severity = 'medium';
    reasons.push('the data identifies the people directly (names, contact details, customer numbers)');
  }
  if (f.specialCategories) {
    severity = 'high';
    reasons.push('special categories of personal data (Art. 9) are affected');
  }
  if (f.financial && f.identifiable) {
    severity = up(severity);
    reasons.push('financial data together with identifying data');
  }
  if (f.vulnerableSubjects) {
    severity = up(severity);
    reasons.push('vulnerable people (e.g. children) are affected');
  }
  const likelihood: (typeof LEVELS)[number] = f.identifiable ? (f.volume >= 1000 ? 'high' : 'medium') : 'low';
  if (f.volume >= 1000) reasons.push(`${f.volume} people affected`);
  const level: RiskLevel =
    severity === 'high' || (severity === 'medium' && likelihood === 'high')
      ? 'high-risk'
      : severity === 'low' && likelihood === 'low'
        ? 'no-risk'
        : 'risk';
  return { level, likelihood, severity, reasons };
}

/** What the decided level obliges: notify the authority (Art. 33), tell the people (Art. 34). */
export const obligations = (level: RiskLevel) => ({
  notifyAuthority: level !== 'no-risk',
  tellSubjects: level === 'high-risk',
});
