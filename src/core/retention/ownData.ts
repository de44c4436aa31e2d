/**
 * Ombud's own data under the register's rules (notice promise P12): the personal data Ombud itself keeps
 * while it does its work — what a requester gave, the identities behind consent proofs, the mails it sent,
 * the result files it made — is ended by retention rules of the register like the group's other data.
 * A rule names the stores it ends (`ombudStores`); each store has one trigger and the actions it allows.
 * Pure: which rule ends which store, the findings for a register that gets it wrong, and each store's
 * cut-off on a day (services/retention/ownData.ts acts on it, in the same run as the group's databases).
 */
import type { IsoDate } from '../deadlines/iso-date.ts';
import type { Register, RetentionRule } from '../register/schema.ts';
import { expiredBefore } from './expiry.ts';

export const OWN_STORES = ['requests', 'consent-proof', 'mail', 'result-files'] as const;
export type OwnStore = (typeof OWN_STORES)[number];

/** The dataset and system name of Ombud's own step in a retention run. */
export const OWN_DATASET = 'ombud';

type StoreSpec = {
  /** The only trigger that makes sense for the store. */
  trigger: RetentionRule['trigger'];
  actions: readonly RetentionRule['action'][];
  /** The tables the store's outcomes are reported under. */
  collections: readonly string[];
  /** What the store is and what the rule does to it, for findings and the docs. */
  what: string;
};

export const OWN_STORE_SPECS: Record<OwnStore, StoreSpec> = {
  requests: {
    trigger: 'request-closed',
    actions: ['anonymise'],
    collections: ['dsr_submissions'],
    what: "a closed request's personal data (the requester's e-mail address, its keyed hash, the name, what they wrote, the verification code); the request itself stays as a record without them",
  },
  'consent-proof': {
    trigger: 'last-activity',
    actions: ['delete'],
    collections: ['consent_identities'],
    what: 'the identities (e-mail, phone, customer number) of a consent subject with no consent standing, counted from their last consent event; the events stay, unlinked',
  },
  mail: {
    trigger: 'sent',
    actions: ['delete'],
    collections: ['mail_outbox'],
    what: "a sent mail's body and address (a masked address stays, with the template and the day)",
  },
  'result-files': {
    trigger: 'expired',
    actions: ['delete'],
    collections: ['dsr_deliveries', 'fulfilment_artifacts'],
    what: 'extracts and portable files, after their download link has expired (a link stays valid until then, so a failed download can be retried)',
  },
};

export type OwnDataFinding = {
  severity: 'error' | 'warning';
  code: string;
  ruleIndex: number | null;
  store: OwnStore;
  message: string;
  hint: string;
};

/** The rule of each store (the first that names it). */
export function ownDataRules(rules: readonly RetentionRule[]): Map<OwnStore, RetentionRule> {
  const out = new Map<OwnStore, RetentionRule>();
  for (const r of rules) for (const s of r.ombudStores ?? []) if (!out.has(s)) out.set(s, r);
  return out;
}

/** Everything wrong with the rules of Ombud's own stores. */
export function checkOwnData(register: Pick<Register, 'retentionRules'>): OwnDataFinding[] {
  const out: OwnDataFinding[] = [];
  const seen = new Map<OwnStore, string>();
  register.retentionRules.forEach((r, i) => {
    for (const store of r.ombudStores ?? []) {
      const spec = OWN_STORE_SPECS[store];
      const first = seen.get(store);
      if (first)
        out.push({
          severity: 'error',
          code: 'own-store-twice',
          ruleIndex: i,
          store,
          message: `Ombud's ${store} are already ended by rule '${first}'.`,
          hint: 'Name each of Ombud’s stores under one rule.',
        });
      seen.set(store, first ?? r.id);
      if (r.kind === 'legal')
        out.push({
          severity: 'error',
          code: 'own-store-legal-rule',
          ruleIndex: i,
          store,
          message: `The legal rule '${r.id}' cannot end Ombud's ${store}.`,
          hint: 'Use a purpose rule (kind: purpose) for Ombud’s own data.',
        });
      if (r.trigger !== spec.trigger)
        out.push({
          severity: 'error',
          code: 'own-store-trigger',
          ruleIndex: i,
          store,
          message: `Ombud's ${store} run from '${spec.trigger}', not '${r.trigger}'.`,
          hint: `Write trigger: ${spec.trigger} (${spec.what}).`,
        });
      if (!spec.actions.includes(r.action))
        out.push({
          severity: 'error',
          code: 'own-store-action',
          ruleIndex: i,
          store,
          message: `Ombud's ${store} cannot be ended by '${r.action}'.`,
          hint: `Write action: ${spec.actions.join(' or ')} (${spec.what}).`,
        });
    }
  });
  if (register.retentionRules.length)
    for (const store of OWN_STORES)
      if (!seen.has(store))
        out.push({
          severity: 'warning',
          code: 'own-store-without-rule',
          ruleIndex: null,
          store,
          message: `No retention rule ends Ombud's ${store}: ${OWN_STORE_SPECS[store].what} would be kept forever.`,
          hint: `Add ombudStores: [${store}] to a purpose rule with trigger: ${OWN_STORE_SPECS[store].trigger}.`,
        });
  return out;
}

export type OwnCutoff = {
  store: OwnStore;
  rule: RetentionRule;
  /** Rows whose trigger day (in the controllers' time zone) is before this day are past the rule; null: none. */
  before: IsoDate | null;
};

/** Each store's rule and cut-off on a day (stores without a valid rule are left out). */
export function ownDataCutoffs(rules: readonly RetentionRule[], today: IsoDate): OwnCutoff[] {
  const bad = new Set(
    checkOwnData({ retentionRules: [...rules] })
      .filter((f) => f.severity === 'error')
      .map((f) => f.store),
  );
  return [...ownDataRules(rules)]
    .filter(([store]) => !bad.has(store))
    .map(([store, rule]) => ({ store, rule, before: expiredBefore(rule, today) }));
}
