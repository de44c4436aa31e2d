/**
 * Validation beyond the schema: every reference resolves, and the register says what
 * the GDPR requires it to say. Findings carry a path into the merged register
 * (['purposes', 3, 'retention']); the loader turns that into file:line:column.
 */
import { isDataCategory, isDataSubject, isDataUse } from '../taxonomy/fideslang.ts';
import { isEea } from './authorities.ts';
import { checkOwnData } from '../retention/ownData.ts';
import { checkAudiences } from '../audience/segments.ts';
import { RegisterIndex } from './register-index.ts';
import type { LocalizedTextInput, Register } from './schema.ts';

export type Severity = 'error' | 'warning' | 'info';
export type Finding = {
  severity: Severity;
  code: string;
  message: string;
  hint: string;
  path: (string | number)[];
  /** The entity the finding is about, e.g. 'purpose:product-reviews'; acknowledgements match on it. */
  target: string;
};

export function validateRegister(register: Register): Finding[] {
  const ix = new RegisterIndex(register);
  const out: Finding[] = [];
  const add = (
    severity: Severity,
    code: string,
    target: string,
    path: (string | number)[],
    message: string,
    hint: string,
  ) => out.push({ severity, code, target, path, message, hint });
  const ref = (
    kind: string,
    value: string,
    known: boolean,
    path: (string | number)[],
    target: string,
    hint: string,
  ) => {
    if (!known) add('error', 'unresolved-reference', target, path, `Unknown ${kind} '${value}'.`, hint);
  };
  const list = (m: Map<string, unknown>) => [...m.keys()].join(', ') || '(none declared)';

  // Duplicate ids within each section.
  for (const section of [
    'organizations',
    'systems',
    'purposes',
    'retentionRules',
    'jointArrangements',
    'cookieCategories',
    'authorities',
    'categoryGroups',
  ] as const) {
    const seen = new Set<string>();
    (register[section] as { id: string }[]).forEach((item, i) => {
      if (seen.has(item.id))
        add(
          'error',
          'duplicate-id',
          `${section}:${item.id}`,
          [section, i, 'id'],
          `The id '${item.id}' is used twice in ${section}.`,
          'Give each entry its own id.',
        );
      seen.add(item.id);
    });
  }

  const knownCategory = (key: string) => isDataCategory(key) || ix.dataCategories.has(key);

  register.organizations.forEach((org, i) => {
    const target = `organization:${org.id}`;
    ref(
      'supervisory authority',
      org.supervisoryAuthority,
      ix.authorities.has(org.supervisoryAuthority),
      ['organizations', i, 'supervisoryAuthority'],
      target,
      `Use one of: ${list(ix.authorities)}, or declare it under authorities.`,
    );
    if (org.parent)
      ref(
        'organization',
        org.parent,
        ix.organizations.has(org.parent),
        ['organizations', i, 'parent'],
        target,
        `Use one of: ${list(ix.organizations)}.`,
      );
    if (org.noticeContact) {
      ref(
        'organization',
        org.noticeContact,
        ix.organizations.has(org.noticeContact),
        ['organizations', i, 'noticeContact'],
        target,
        `Use one of: ${list(ix.organizations)}.`,
      );
      if (org.noticeContact !== org.id && ix.organizations.has(org.noticeContact)) {
        const other = ix.organizations.get(org.noticeContact)!;
        add(
          'warning',
          'controller-contact-mismatch',
          target,
          ['organizations', i, 'noticeContact'],
          `The notice names ${org.legalName} as controller but gives the contact details of ${other.legalName}.`,
          "Let each controller's notice give its own contact details, or record a joint arrangement that names the contact point.",
        );
      }
    }
  });

  register.dataCategories.forEach((c, i) => {
    const target = `dataCategory:${c.key}`;
    if (!isDataCategory(c.key)) {
      const parent = c.key.split('.').slice(0, -1).join('.');
      if (!parent || !knownCategory(parent))
        add(
          'error',
          'unknown-category',
          target,
          ['dataCategories', i, 'key'],
          `'${c.key}' is not a fideslang data category and does not extend one.`,
          'Use a fideslang key (e.g. user.contact.email) or extend one (user.content.review).',
        );
    }
    if (c.group && !register.categoryGroups.some((g) => g.id === c.group))
      add(
        'error',
        'unresolved-reference',
        target,
        ['dataCategories', i, 'group'],
        `Unknown category group '${c.group}'.`,
        `Declare it under categoryGroups.`,
      );
  });

  register.jointArrangements.forEach((j, i) => {
    const target = `jointArrangement:${j.id}`;
    j.controllers.forEach((c, k) =>
      ref(
        'organization',
        c,
        ix.organizations.has(c),
        ['jointArrangements', i, 'controllers', k],
        target,
        `Use one of: ${list(ix.organizations)}.`,
      ),
    );
    j.purposes.forEach((p, k) =>
      ref(
        'purpose',
        p,
        ix.purposes.has(p),
        ['jointArrangements', i, 'purposes', k],
        target,
        `Use one of: ${list(ix.purposes)}.`,
      ),
    );
    if (!j.controllers.includes(j.contactPoint))
      add(
        'error',
        'contact-point-not-controller',
        target,
        ['jointArrangements', i, 'contactPoint'],
        `The contact point '${j.contactPoint}' is not one of the arrangement's controllers.`,
        'Name one of the controllers as contact point.',
      );
  });

  const recipientIds = new Set(register.purposes.flatMap((p) => p.recipients));
  register.systems.forEach((s, i) => {
    const target = `system:${s.id}`;
    if (s.role === 'internal' || s.role === 'group-company')
      ref(
        'organization',
        s.operator,
        ix.organizations.has(s.operator),
        ['systems', i, 'operator'],
        target,
        `An ${s.role} system is operated by an organization of the group: ${list(ix.organizations)}.`,
      );
    if (s.role === 'processor' && !s.dpa)
      add(
        'error',
        'processor-without-dpa',
        target,
        ['systems', i, 'dpa'],
        `${s.name} is a processor but no data processing agreement is recorded.`,
        'Sign an Art. 28 agreement and set dpa: true, or do not share data with it.',
      );
    // P22: a processor is held to the group's security procedures, so one without recorded security terms receives no data.
    if (s.role === 'processor' && s.securityMeasures.length === 0 && recipientIds.has(s.id))
      add(
        'error',
        'processor-without-security-terms',
        target,
        ['systems', i, 'securityMeasures'],
        `${s.name} is a processor named as a recipient but no security terms are recorded.`,
        "List the security measures its data processing agreement binds it to under securityMeasures, or remove it from the purposes' recipients.",
      );
    const third = s.storageCountries.filter((c) => !isEea(c));
    if (third.length > 0) {
      const covered = new Set(s.transfer?.countries ?? []);
      const missing = third.filter((c) => !covered.has(c));
      if (!s.transfer || missing.length > 0)
        add(
          'error',
          'transfer-without-mechanism',
          target,
          ['systems', i, s.transfer ? 'transfer' : 'storageCountries'],
          `${s.name} stores data outside the EU/EEA (${missing.join(', ') || third.join(', ')}) without a transfer mechanism.`,
          'Add transfer: { mechanism: scc | adequacy | eu-us-dpf | bcr | …, countries: [...] } (GDPR Chapter V).',
        );
    }
    s.dataCategories.forEach((c, k) => {
      if (!knownCategory(c))
        add(
          'error',
          'unknown-category',
          target,
          ['systems', i, 'dataCategories', k],
          `Unknown data category '${c}'.`,
          'Use a fideslang key or declare it under dataCategories.',
        );
    });
  });

  register.retentionRules.forEach((r, i) => {
    const target = `retentionRule:${r.id}`;
    r.exceptions.forEach((e, k) => {
      const rule = ix.retentionRules.get(e);
      if (!rule)
        add(
          'error',
          'unresolved-reference',
          target,
          ['retentionRules', i, 'exceptions', k],
          `Unknown retention rule '${e}'.`,
          `Use one of: ${list(ix.retentionRules)}.`,
        );
      else if (rule.kind !== 'legal')
        add(
          'error',
          'exception-not-legal',
          target,
          ['retentionRules', i, 'exceptions', k],
          `The exception '${e}' is not a legal retention rule.`,
          "Only a rule of kind: legal (a law, an authority's decision, a dispute) may keep data longer.",
        );
    });
    if (r.kind === 'legal' && !r.law)
      add(
        'error',
        'legal-rule-without-law',
        target,
        ['retentionRules', i],
        `The legal retention rule '${r.id}' names no law.`,
        'Add law: the statute or decision that requires keeping the data.',
      );
  });

  register.purposes.forEach((p, i) => {
    const target = `purpose:${p.id}`;
    const at = (...rest: (string | number)[]) => ['purposes', i, ...rest];
    p.controllers.forEach((c, k) =>
      ref(
        'organization',
        c,
        ix.organizations.has(c),
        at('controllers', k),
        target,
        `Use one of: ${list(ix.organizations)}.`,
      ),
    );
    p.recipients.forEach((r, k) =>
      ref('system', r, ix.systems.has(r), at('recipients', k), target, `Use one of: ${list(ix.systems)}.`),
    );
    p.systems.forEach((r, k) =>
      ref('system', r, ix.systems.has(r), at('systems', k), target, `Use one of: ${list(ix.systems)}.`),
    );
    if (!isDataUse(p.dataUse))
      add(
        'error',
        'unknown-data-use',
        target,
        at('dataUse'),
        `'${p.dataUse}' is not a fideslang data use.`,
        'Use a fideslang data use such as essential.service or marketing.communications.email.',
      );
    p.dataSubjects.forEach((s, k) => {
      if (!isDataSubject(s))
        add(
          'error',
          'unknown-data-subject',
          target,
          at('dataSubjects', k),
          `'${s}' is not a fideslang data subject.`,
          'Use e.g. customer, prospect, employee.',
        );
    });
    if (!p.retention)
      add(
        'error',
        'purpose-without-retention',
        target,
        at(),
        `The purpose '${p.id}' has no retention rule.`,
        'Add retention: <id of a rule under retentionRules>.',
      );
    else
      ref(
        'retention rule',
        p.retention,
        ix.retentionRules.has(p.retention),
        at('retention'),
        target,
        `Use one of: ${list(ix.retentionRules)}.`,
      );
    if (p.jointArrangement)
      ref(
        'joint arrangement',
        p.jointArrangement,
        ix.jointArrangements.has(p.jointArrangement),
        at('jointArrangement'),
        target,
        `Use one of: ${list(ix.jointArrangements)}.`,
      );

    let consentBased = false;
    let liBased = false;
    p.data.forEach((d, k) => {
      if (d.legalBasis === 'consent') consentBased = true;
      if (d.legalBasis === 'legitimate-interests') liBased = true;
      d.categories.forEach((c, m) => {
        if (!knownCategory(c))
          add(
            'error',
            'unknown-category',
            target,
            at('data', k, 'categories', m),
            `Unknown data category '${c}'.`,
            'Use a fideslang key (e.g. user.contact.email) or declare it under dataCategories.',
          );
        else if (ix.isSpecial(c) && !d.art9Condition)
          add(
            'error',
            'special-category-without-condition',
            target,
            at('data', k),
            `'${c}' is special category data (GDPR Art. 9) but no Art. 9(2) condition is given.`,
            'Add art9Condition: 9.2.a (explicit consent) … 9.2.j, or stop processing it.',
          );
      });
      d.subjects?.forEach((s, m) => {
        if (!isDataSubject(s))
          add(
            'error',
            'unknown-data-subject',
            target,
            at('data', k, 'subjects', m),
            `'${s}' is not a fideslang data subject.`,
            'Use e.g. customer, prospect, employee.',
          );
      });
    });
    if (consentBased && !p.consent)
      add(
        'error',
        'consent-without-mechanism',
        target,
        at(),
        `The purpose '${p.id}' rests on consent but does not say how consent is collected and withdrawn.`,
        'Add consent: { collectedAt: [checkout, …], withdrawal: "How to withdraw…" }.',
      );
    if (p.consent?.cookieCategory)
      ref(
        'cookie category',
        p.consent.cookieCategory,
        ix.cookieCategories.has(p.consent.cookieCategory),
        at('consent', 'cookieCategory'),
        target,
        `Use one of: ${list(ix.cookieCategories)}.`,
      );
    if (liBased && !p.balancingAssessment)
      add(
        'error',
        'legitimate-interest-without-assessment',
        target,
        at(),
        `The purpose '${p.id}' rests on legitimate interests (Art. 6(1)(f)) but carries no balancing assessment.`,
        'Add balancingAssessment: { interest, necessity, balancing, safeguards, conclusion, assessedAt, assessedBy }.',
      );
    if (p.listedInContents && !p.description)
      add(
        'warning',
        'purpose-not-described',
        target,
        at(),
        `The purpose '${p.id}' is listed in the notice's contents but never described.`,
        'Add a description, or set listedInContents: false.',
      );
  });

  register.cookies.forEach((c, i) => {
    const target = `cookie:${c.name}`;
    ref(
      'cookie category',
      c.category,
      ix.cookieCategories.has(c.category),
      ['cookies', i, 'category'],
      target,
      `Use one of: ${list(ix.cookieCategories)}.`,
    );
    if (c.system)
      ref(
        'system',
        c.system,
        ix.systems.has(c.system),
        ['cookies', i, 'system'],
        target,
        `Use one of: ${list(ix.systems)}.`,
      );
    const m = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$/.exec(c.lifetime);
    if (m) {
      const days =
        Number(m[1] ?? 0) * 365 + Number(m[2] ?? 0) * 30.44 + Number(m[3] ?? 0) * 7 + Number(m[4] ?? 0);
      if (days > 396)
        add(
          'warning',
          'cookie-lifetime-over-13-months',
          target,
          ['cookies', i, 'lifetime'],
          `The cookie ${c.name} lives ${c.lifetime}, longer than 13 months.`,
          'Regulators expect cookie lifetimes of at most 13 months; shorten it.',
        );
    }
  });

  // Audience segments (issue #14): company, purpose, basis and recipient as the register has them.
  for (const f of checkAudiences(register, ix)) add('error', f.code, f.target, f.path, f.message, f.hint);

  // Ombud's own data: each store under one purpose rule with the store's trigger (core/retention/ownData.ts).
  for (const f of checkOwnData(register))
    add(
      f.severity,
      f.code,
      f.ruleIndex === null
        ? `ombud-store:${f.store}`
        : `retentionRule:${register.retentionRules[f.ruleIndex]!.id}`,
      f.ruleIndex === null ? ['retentionRules'] : ['retentionRules', f.ruleIndex, 'ombudStores'],
      f.message,
      f.hint,
    );

  // Missing translations are information, not errors: the notice falls back to English.
  const langs = register.group.languages.filter((l) => l !== 'en');
  const missing = (text: LocalizedTextInput | undefined) =>
    text !== undefined && langs.some((l) => typeof text === 'string' || !text[l]);
  register.purposes.forEach((p, i) => {
    if (missing(p.name) || missing(p.description) || missing(p.collection))
      add(
        'info',
        'missing-translation',
        `purpose:${p.id}`,
        ['purposes', i],
        `The purpose '${p.id}' lacks a ${langs.join('/')} translation.`,
        'The notice falls back to English there; add sv/nb texts.',
      );
  });

  // Acknowledged findings become information, with the recorded resolution.
  const acks = register.acknowledgedFindings;
  return out.map((f) => {
    const ack = acks.find((a) => a.code === f.code && a.target === f.target);
    if (!ack || f.severity === 'error') return f;
    const resolution = typeof ack.resolution === 'string' ? ack.resolution : ack.resolution.en;
    return {
      ...f,
      severity: 'info' as const,
      message: `${f.message} Resolved: ${resolution} (${ack.decidedBy}, ${ack.decidedAt})`,
    };
  });
}
