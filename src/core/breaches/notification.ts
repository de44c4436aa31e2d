/**
 * The draft notification of a personal data breach to a supervisory authority (Art. 33), one per
 * controller, in the authority's language (Swedish for IMY, Norwegian for Datatilsynet): every element
 * of Art. 33(3), the reasons for a delay past 72 hours (Art. 33(1)), and its phase (Art. 33(4): an initial
 * report, then follow-ups). The document is data (the JSON) and its HTML (printed to PDF by the
 * services). Pure.
 */
import { html, raw } from '../html.ts';
import { BASE_CSS } from '../page.ts';
import { numberInWords, timestampInWords, timeZoneOf } from '../locale.ts';
import { type Language, t } from '../register/schema.ts';
import type { RegisterIndex } from '../register/register-index.ts';
import { breachClock } from './clock.ts';
import type { RiskLevel } from './risk.ts';
import type { BreachScope } from './scope.ts';

export type BreachFacts = {
  reference: string;
  title: string;
  description: string;
  detectedAt: Date;
  awareAt: Date;
  window: { from: string; to: string } | null;
  containment: string;
  consequences: string;
  measures: string;
  delayReason: string | null;
  risk: { level: RiskLevel; reason: string } | null;
};

export type AuthorityNotification = {
  breach: string;
  phase: number;
  kind: 'initial' | 'follow-up';
  lang: Language;
  controller: { orgId: string; legalName: string; registrationNumber: string | null; country: string };
  authority: { id: string; name: string; email: string | null };
  /** Art. 33(3)(b): the DPO or other contact point. */
  contact: { name: string | null; email: string };
  timing: {
    detectedAt: string;
    awareAt: string;
    deadline: string;
    late: boolean;
    delayReason: string | null;
  };
  /** Art. 33(3)(a). */
  nature: {
    description: string;
    window: { from: string; to: string } | null;
    systems: string[];
    categories: { key: string; label: string; special: boolean; subjects: number }[];
    subjects: number;
    records: number;
    subjectCategories: string[];
  };
  /** Art. 33(3)(c). */
  consequences: string;
  /** Art. 33(3)(d). */
  measures: { taken: string; proposed: string };
  risk: { level: RiskLevel; reason: string } | null;
  /** Art. 34: whether the people affected are told, and how. */
  subjectsTold: boolean;
  draftedAt: string;
};

const WORDS = {
  sv: {
    title: 'Anmälan av personuppgiftsincident',
    initial: 'Första anmälan',
    followUp: (n: number) => `Kompletterande anmälan nr ${n - 1} (artikel 33.4)`,
    to: 'Till',
    controller: 'Personuppgiftsansvarig',
    regNo: 'Organisationsnummer',
    contact: 'Kontaktperson (dataskyddsombud), artikel 33.3 b',
    timing: 'Tidpunkter',
    detected: 'Incidenten upptäcktes',
    aware: 'Vi fick kännedom om incidenten',
    deadline: 'Sista dag för anmälan (72 timmar)',
    delay: 'Skäl till förseningen (artikel 33.1)',
    nature: 'Incidentens art, artikel 33.3 a',
    window: 'Tidsperiod',
    systems: 'Berörda system',
    categories: 'Kategorier av personuppgifter',
    special: 'känslig personuppgift (artikel 9)',
    subjects: 'Ungefärligt antal registrerade',
    records: 'Ungefärligt antal personuppgiftsposter',
    subjectKinds: 'Kategorier av registrerade',
    consequences: 'Sannolika konsekvenser, artikel 33.3 c',
    measures: 'Vidtagna och föreslagna åtgärder, artikel 33.3 d',
    taken: 'Vidtagna åtgärder',
    proposed: 'Föreslagna åtgärder och åtgärder för att mildra effekterna',
    risk: 'Riskbedömning',
    riskLevel: { 'no-risk': 'Osannolikt att medföra risk', risk: 'Risk', 'high-risk': 'Hög risk' },
    told: 'Information till de registrerade (artikel 34)',
    toldYes: 'De registrerade informeras direkt via e-post.',
    toldNo: 'De registrerade informeras inte direkt.',
    customers: 'Kunder',
    draft: 'Utkast upprättat',
    none: 'Ingen uppgift',
  },
  nb: {
    title: 'Melding om brudd på personopplysningssikkerheten',
    initial: 'Første melding',
    followUp: (n: number) => `Oppfølgende melding nr. ${n - 1} (artikkel 33 nr. 4)`,
    to: 'Til',
    controller: 'Behandlingsansvarlig',
    regNo: 'Organisasjonsnummer',
    contact: 'Kontaktperson (personvernombud), artikkel 33 nr. 3 bokstav b',
    timing: 'Tidspunkter',
    detected: 'Bruddet ble oppdaget',
    aware: 'Vi ble kjent med bruddet',
    deadline: 'Frist for melding (72 timer)',
    delay: 'Årsak til forsinkelsen (artikkel 33 nr. 1)',
    nature: 'Bruddets art, artikkel 33 nr. 3 bokstav a',
    window: 'Tidsrom',
    systems: 'Berørte systemer',
    categories: 'Kategorier av personopplysninger',
    special: 'særlig kategori (artikkel 9)',
    subjects: 'Omtrentlig antall registrerte',
    records: 'Omtrentlig antall registreringer av personopplysninger',
    subjectKinds: 'Kategorier av registrerte',
    consequences: 'Sannsynlige konsekvenser, artikkel 33 nr. 3 bokstav c',
    measures: 'Tiltak som er truffet eller foreslått, artikkel 33 nr. 3 bokstav d',
    taken: 'Tiltak som er truffet',
    proposed: 'Foreslåtte tiltak og tiltak for å redusere mulige skadevirkninger',
    risk: 'Risikovurdering',
    riskLevel: {
      'no-risk': 'Lite sannsynlig at det medfører risiko',
      risk: 'Risiko',
      'high-risk': 'Høy risiko',
    },
    told: 'Underretning til de registrerte (artikkel 34)',
    toldYes: 'De registrerte underrettes direkte per e-post.',
    toldNo: 'De registrerte underrettes ikke direkte.',
    customers: 'Kunder',
    draft: 'Utkast utarbeidet',
    none: 'Ikke oppgitt',
  },
  en: {
    title: 'Personal data breach notification',
    initial: 'Initial notification',
    followUp: (n: number) => `Follow-up notification no. ${n - 1} (Art. 33(4))`,
    to: 'To',
    controller: 'Controller',
    regNo: 'Registration number',
    contact: 'Contact point (data protection officer), Art. 33(3)(b)',
    timing: 'Times',
    detected: 'The breach was detected',
    aware: 'We became aware of the breach',
    deadline: 'Deadline for notification (72 hours)',
    delay: 'Reasons for the delay (Art. 33(1))',
    nature: 'Nature of the breach, Art. 33(3)(a)',
    window: 'Period',
    systems: 'Systems concerned',
    categories: 'Categories of personal data',
    special: 'special category (Art. 9)',
    subjects: 'Approximate number of data subjects',
    records: 'Approximate number of personal data records',
    subjectKinds: 'Categories of data subjects',
    consequences: 'Likely consequences, Art. 33(3)(c)',
    measures: 'Measures taken or proposed, Art. 33(3)(d)',
    taken: 'Measures taken',
    proposed: 'Measures proposed, including to mitigate possible adverse effects',
    risk: 'Risk assessment',
    riskLevel: { 'no-risk': 'Unlikely to result in a risk', risk: 'Risk', 'high-risk': 'High risk' },
    told: 'Communication to the data subjects (Art. 34)',
    toldYes: 'The data subjects are told directly by e-mail.',
    toldNo: 'The data subjects are not told directly.',
    customers: 'Customers',
    draft: 'Draft made',
    none: 'Not given',
  },
} as const;

export const notificationWords = (lang: Language) => WORDS[lang];

export function draftAuthorityNotification(
  ix: RegisterIndex,
  facts: BreachFacts,
  scope: BreachScope,
  orgId: string,
  phase: number,
  now: Date,
): AuthorityNotification {
  const org = ix.organization(orgId);
  const share = scope.controllers.find((c) => c.orgId === orgId);
  if (!org || !share) throw new Error(`${orgId} is not a controller concerned by ${facts.reference}`);
  const authority = ix.authorityOf(orgId);
  const lang = share.lang as Language;
  const clock = breachClock(facts.awareAt, now);
  const systems = [...new Set(scope.collections.map((c) => ix.systems.get(c.system)?.name ?? c.system))];
  return {
    breach: facts.reference,
    phase,
    kind: phase === 1 ? 'initial' : 'follow-up',
    lang,
    controller: {
      orgId,
      legalName: org.legalName,
      registrationNumber: org.registrationNumber ?? null,
      country: org.country,
    },
    authority: {
      id: authority?.id ?? 'unknown',
      name: authority ? t(authority.name, lang) : 'unknown',
      email: authority?.email ?? null,
    },
    contact: { name: org.dpo?.name ?? null, email: org.dpo?.email ?? org.contact.email },
    timing: {
      detectedAt: facts.detectedAt.toISOString(),
      awareAt: facts.awareAt.toISOString(),
      deadline: clock.deadline.toISOString(),
      late: clock.late,
      delayReason: clock.late ? facts.delayReason : null,
    },
    nature: {
      description: facts.description,
      window: facts.window,
      systems,
      categories: share.categories.map((c) => ({
        key: c.key,
        label: ix.categoryLabel(c.key, lang),
        special: c.special,
        subjects: c.subjects,
      })),
      subjects: share.subjects,
      records: share.records,
      subjectCategories: [WORDS[lang].customers],
    },
    consequences: facts.consequences,
    measures: { taken: facts.containment, proposed: facts.measures },
    risk: facts.risk,
    subjectsTold: facts.risk?.level === 'high-risk',
    draftedAt: now.toISOString(),
  };
}

/** The notification as a printable page in its language (the PDF is this page printed). */
export function notificationHtml(n: AuthorityNotification): string {
  const w = WORDS[n.lang];
  const tz = timeZoneOf(n.controller.country);
  const when = (iso: string) => timestampInWords(iso, n.lang, tz);
  const row = (label: string, value: unknown) => html`<tr><th>${label}</th><td>${String(value)}</td></tr>`;
  const body = html`<h1>${w.title}</h1>
<p><strong>${n.kind === 'initial' ? w.initial : w.followUp(n.phase)}</strong> · ${n.breach}</p>
<table>
${row(w.to, `${n.authority.name}${n.authority.email ? ` <${n.authority.email}>` : ''}`)}
${row(w.controller, n.controller.legalName)}
${row(w.regNo, n.controller.registrationNumber ?? w.none)}
</table>
<h2>${w.contact}</h2>
<p>${n.contact.name ? `${n.contact.name}, ` : ''}${n.contact.email}</p>
<h2>${w.timing}</h2>
<table>
${row(w.detected, when(n.timing.detectedAt))}
${row(w.aware, when(n.timing.awareAt))}
${row(w.deadline, when(n.timing.deadline))}
${n.timing.late ? row(w.delay, n.timing.delayReason ?? w.none) : ''}
</table>
<h2>${w.nature}</h2>
<p>${n.nature.description}</p>
<table>
${n.nature.window ? row(w.window, `${when(n.nature.window.from)} – ${when(n.nature.window.to)}`) : ''}
${row(w.systems, n.nature.systems.join(', '))}
${row(w.subjectKinds, n.nature.subjectCategories.join(', '))}
${row(w.subjects, numberInWords(n.nature.subjects, n.lang))}
${row(w.records, numberInWords(n.nature.records, n.lang))}
</table>
<h3>${w.categories}</h3>
<ul>${n.nature.categories.map(
    (c) =>
      html`<li>${c.label}${c.special ? html` <strong>(${w.special})</strong>` : ''}: ${numberInWords(c.subjects, n.lang)}</li>`,
  )}</ul>
<h2>${w.consequences}</h2>
<p>${n.consequences || w.none}</p>
<h2>${w.measures}</h2>
<h3>${w.taken}</h3><p>${n.measures.taken || w.none}</p>
<h3>${w.proposed}</h3><p>${n.measures.proposed || w.none}</p>
${n.risk ? html`<h2>${w.risk}</h2><p>${w.riskLevel[n.risk.level]}: ${n.risk.reason}</p>` : ''}
<h2>${w.told}</h2>
<p>${n.subjectsTold ? w.toldYes : w.toldNo}</p>
<p class="muted">${w.draft}: ${when(n.draftedAt)}</p>`;
  return html`<!doctype html><html lang="${n.lang}"><head><meta charset="utf-8"><title>${w.title} ${n.breach}</title>
<style>${raw(BASE_CSS)} main{max-width:50rem;margin:1rem auto;padding:0 1rem} th{text-align:left;width:40%} .muted{color:#5f6b7c}</style></head>
<body><main>${body}</main></body></html>`.value;
}
