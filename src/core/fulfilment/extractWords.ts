/**
 * The fixed words of the access extract in en, sv and nb, and the names of data categories the customer
 * reads: the notice's own (the register's dataCategories, the nearest declared ancestor of a key) or, for a
 * key the register does not name, the fideslang category in the language. Pure: no I/O.
 */
import type { RegisterIndex } from '../register/register-index.ts';
import { type Language, t } from '../register/schema.ts';
import { taxonomyLabel } from '../taxonomy/fideslang.ts';

export type ExtractWords = {
  title: (org: string) => string;
  intro: (org: string) => string;
  reference: string;
  produced: string;
  controller: string;
  contact: string;
  dpo: string;
  dataHeading: string;
  noData: string;
  inSystem: (system: string) => string;
  alsoFor: string;
  categories: string;
  record: (n: number, of: number) => string;
  fromService: (system: string) => string;
  servicesHeading: string;
  servicesIntro: string;
  serviceNone: string;
  serviceShown: (n: number) => string;
  serviceByHand: (n: number) => string;
  processingHeading: string;
  processingIntro: string;
  legalBasis: string;
  recipients: string;
  noRecipients: string;
  retention: string;
  source: string;
  transfersHeading: string;
  transfersIntro: string;
  noTransfers: string;
  to: string;
  safeguard: string;
  automatedHeading: string;
  automatedNone: string;
  automatedSome: (purposes: string) => string;
  rightsHeading: string;
  rights: string[];
  complaint: (authority: string) => string;
  empty: string;
};

const RIGHTS: Record<Language, string[]> = {
  en: [
    'Access to your data and a copy of it (Art. 15)',
    'Rectification of incorrect or incomplete data (Art. 16)',
    'Erasure (Art. 17)',
    'Restriction of processing (Art. 18)',
    'Data portability (Art. 20)',
    'Objection to processing based on legitimate interests or for direct marketing (Art. 21)',
    'Withdrawal of consent at any time, without affecting earlier processing (Art. 7(3))',
    'Complaint to a supervisory authority (Art. 77)',
  ],
  sv: [
    'Tillgång till dina uppgifter och en kopia av dem (art. 15)',
    'Rättelse av felaktiga eller ofullständiga uppgifter (art. 16)',
    'Radering (art. 17)',
    'Begränsning av behandlingen (art. 18)',
    'Dataportabilitet (art. 20)',
    'Invändning mot behandling som grundar sig på berättigat intresse eller sker för direktmarknadsföring (art. 21)',
    'Återkallelse av samtycke när som helst, utan att det påverkar tidigare behandling (art. 7.3)',
    'Klagomål till en tillsynsmyndighet (art. 77)',
  ],
  nb: [
    'Innsyn i opplysningene dine og en kopi av dem (art. 15)',
    'Retting av uriktige eller ufullstendige opplysninger (art. 16)',
    'Sletting (art. 17)',
    'Begrensning av behandlingen (art. 18)',
    'Dataportabilitet (art. 20)',
    'Protest mot behandling som bygger på berettiget interesse eller skjer for direkte markedsføring (art. 21)',
    'Tilbaketrekking av samtykke når som helst, uten at det påvirker tidligere behandling (art. 7 nr. 3)',
    'Klage til en tilsynsmyndighet (art. 77)',
  ],
};

export const EXTRACT_WORDS: Record<Language, ExtractWords> = {
  en: {
    title: (o) => `Your personal data at ${o}`,
    intro: (o) =>
      `This is a copy of the personal data ${o} holds about you, and how we process it (Article 15 of the GDPR).`,
    reference: 'Reference',
    produced: 'Produced',
    controller: 'Controller',
    contact: 'Contact',
    dpo: 'Data protection officer',
    dataHeading: 'The data we hold about you',
    noData: 'We hold no personal data about you in these systems.',
    inSystem: (s) => `Held in: ${s}`,
    alsoFor: 'Also used for',
    categories: 'Categories',
    record: (n, of) => `${n} of ${of}`,
    fromService: (s) => `As ${s} answered our request.`,
    servicesHeading: 'Services we asked',
    servicesIntro: 'We also asked these services, which process data for us, what they hold about you:',
    serviceNone: 'holds no data about you',
    serviceShown: (n) => `${n} ${n === 1 ? 'record' : 'records'}, shown above`,
    serviceByHand: (n) => `${n} ${n === 1 ? 'record' : 'records'}, confirmed by hand (ask us for a copy)`,
    processingHeading: 'Why and how we process your data',
    processingIntro:
      'For each purpose: the legal basis, the data, who receives it, how long we keep it and where it comes from.',
    legalBasis: 'Legal basis',
    recipients: 'Recipients',
    noRecipients: 'None outside the company',
    retention: 'How long we keep it',
    source: 'Where the data comes from',
    transfersHeading: 'Transfers outside the EU/EEA',
    transfersIntro:
      'These recipients may process your data in countries outside the EU/EEA, under these safeguards:',
    noTransfers: 'We do not transfer your data to countries outside the EU/EEA.',
    to: 'Countries',
    safeguard: 'Safeguard',
    automatedHeading: 'Automated decisions',
    automatedNone:
      'We make no decisions about you based solely on automated processing, including profiling, that have legal or similarly significant effects for you (Article 22).',
    automatedSome: (p) =>
      `We make decisions based solely on automated processing for: ${p}. You may ask for a person to review such a decision (Article 22).`,
    rightsHeading: 'Your rights',
    rights: RIGHTS.en,
    complaint: (a) => `You may complain to ${a}.`,
    empty: '—',
  },
  sv: {
    title: (o) => `Dina personuppgifter hos ${o}`,
    intro: (o) =>
      `Detta är en kopia av de personuppgifter som ${o} har om dig, och hur vi behandlar dem (artikel 15 i dataskyddsförordningen).`,
    reference: 'Referens',
    produced: 'Framtaget',
    controller: 'Personuppgiftsansvarig',
    contact: 'Kontakt',
    dpo: 'Dataskyddsombud',
    dataHeading: 'Uppgifterna vi har om dig',
    noData: 'Vi har inga personuppgifter om dig i dessa system.',
    inSystem: (s) => `Finns i: ${s}`,
    alsoFor: 'Används också för',
    categories: 'Kategorier',
    record: (n, of) => `${n} av ${of}`,
    fromService: (s) => `Så som ${s} svarade på vår förfrågan.`,
    servicesHeading: 'Tjänster vi har frågat',
    servicesIntro: 'Vi har också frågat dessa tjänster, som behandlar uppgifter åt oss, vad de har om dig:',
    serviceNone: 'har inga uppgifter om dig',
    serviceShown: (n) => `${n} ${n === 1 ? 'post' : 'poster'}, visas ovan`,
    serviceByHand: (n) => `${n} ${n === 1 ? 'post' : 'poster'}, bekräftade manuellt (be oss om en kopia)`,
    processingHeading: 'Varför och hur vi behandlar dina uppgifter',
    processingIntro:
      'För varje ändamål: den rättsliga grunden, uppgifterna, vem som tar emot dem, hur länge vi sparar dem och varifrån de kommer.',
    legalBasis: 'Rättslig grund',
    recipients: 'Mottagare',
    noRecipients: 'Inga utanför bolaget',
    retention: 'Hur länge vi sparar dem',
    source: 'Varifrån uppgifterna kommer',
    transfersHeading: 'Överföringar utanför EU/EES',
    transfersIntro:
      'Dessa mottagare kan behandla dina uppgifter i länder utanför EU/EES, med dessa skyddsåtgärder:',
    noTransfers: 'Vi överför inte dina uppgifter till länder utanför EU/EES.',
    to: 'Länder',
    safeguard: 'Skyddsåtgärd',
    automatedHeading: 'Automatiserade beslut',
    automatedNone:
      'Vi fattar inga beslut om dig som enbart grundas på automatiserad behandling, inklusive profilering, och som har rättsliga följder eller på liknande sätt påverkar dig i betydande grad (artikel 22).',
    automatedSome: (p) =>
      `Vi fattar beslut som enbart grundas på automatiserad behandling för: ${p}. Du kan begära att en människa prövar ett sådant beslut (artikel 22).`,
    rightsHeading: 'Dina rättigheter',
    rights: RIGHTS.sv,
    complaint: (a) => `Du kan lämna klagomål till ${a}.`,
    empty: '—',
  },
  nb: {
    title: (o) => `Personopplysningene dine hos ${o}`,
    intro: (o) =>
      `Dette er en kopi av personopplysningene ${o} har om deg, og hvordan vi behandler dem (artikkel 15 i personvernforordningen).`,
    reference: 'Referanse',
    produced: 'Laget',
    controller: 'Behandlingsansvarlig',
    contact: 'Kontakt',
    dpo: 'Personvernombud',
    dataHeading: 'Opplysningene vi har om deg',
    noData: 'Vi har ingen personopplysninger om deg i disse systemene.',
    inSystem: (s) => `Lagret i: ${s}`,
    alsoFor: 'Brukes også til',
    categories: 'Kategorier',
    record: (n, of) => `${n} av ${of}`,
    fromService: (s) => `Slik ${s} svarte på forespørselen vår.`,
    servicesHeading: 'Tjenester vi har spurt',
    servicesIntro:
      'Vi har også spurt disse tjenestene, som behandler opplysninger for oss, hva de har om deg:',
    serviceNone: 'har ingen opplysninger om deg',
    serviceShown: (n) => `${n} ${n === 1 ? 'post' : 'poster'}, vist ovenfor`,
    serviceByHand: (n) => `${n} ${n === 1 ? 'post' : 'poster'}, bekreftet manuelt (be oss om en kopi)`,
    processingHeading: 'Hvorfor og hvordan vi behandler opplysningene dine',
    processingIntro:
      'For hvert formål: behandlingsgrunnlaget, opplysningene, hvem som mottar dem, hvor lenge vi lagrer dem og hvor de kommer fra.',
    legalBasis: 'Behandlingsgrunnlag',
    recipients: 'Mottakere',
    noRecipients: 'Ingen utenfor selskapet',
    retention: 'Hvor lenge vi lagrer dem',
    source: 'Hvor opplysningene kommer fra',
    transfersHeading: 'Overføringer utenfor EU/EØS',
    transfersIntro:
      'Disse mottakerne kan behandle opplysningene dine i land utenfor EU/EØS, med disse garantiene:',
    noTransfers: 'Vi overfører ikke opplysningene dine til land utenfor EU/EØS.',
    to: 'Land',
    safeguard: 'Garanti',
    automatedHeading: 'Automatiserte avgjørelser',
    automatedNone:
      'Vi treffer ingen avgjørelser om deg som utelukkende bygger på automatisert behandling, herunder profilering, og som har rettsvirkning eller på lignende måte i betydelig grad påvirker deg (artikkel 22).',
    automatedSome: (p) =>
      `Vi treffer avgjørelser som utelukkende bygger på automatisert behandling for: ${p}. Du kan be om at et menneske vurderer en slik avgjørelse (artikkel 22).`,
    rightsHeading: 'Rettighetene dine',
    rights: RIGHTS.nb,
    complaint: (a) => `Du kan klage til ${a}.`,
    empty: '—',
  },
};

/** Fideslang categories the register may not name, in the customer's language. */
const FIDESLANG_WORDS: Record<string, Record<Language, string>> = {
  user: { en: 'Personal data', sv: 'Personuppgifter', nb: 'Personopplysninger' },
  'user.account': { en: 'Account details', sv: 'Kontouppgifter', nb: 'Kontoopplysninger' },
  'user.account.username': { en: 'Username', sv: 'Användarnamn', nb: 'Brukernavn' },
  'user.account.settings': { en: 'Account settings', sv: 'Kontoinställningar', nb: 'Kontoinnstillinger' },
  'user.behavior': { en: 'Behaviour', sv: 'Beteende', nb: 'Atferd' },
  'user.financial': { en: 'Financial data', sv: 'Ekonomiska uppgifter', nb: 'Økonomiske opplysninger' },
  'user.content': { en: 'Content you created', sv: 'Innehåll du skapat', nb: 'Innhold du har laget' },
  'user.content.public': {
    en: 'Content you published',
    sv: 'Innehåll du publicerat',
    nb: 'Innhold du har publisert',
  },
  'user.health': { en: 'Health data', sv: 'Hälsouppgifter', nb: 'Helseopplysninger' },
  'user.contact': { en: 'Contact details', sv: 'Kontaktuppgifter', nb: 'Kontaktopplysninger' },
  'user.name': { en: 'Name', sv: 'Namn', nb: 'Navn' },
  'user.device': { en: 'Device data', sv: 'Enhetsuppgifter', nb: 'Enhetsopplysninger' },
  'user.location': { en: 'Location', sv: 'Plats', nb: 'Posisjon' },
  'user.demographic': {
    en: 'Demographic data',
    sv: 'Demografiska uppgifter',
    nb: 'Demografiske opplysninger',
  },
};

/**
 * A data category as the notice names it: the register's label of the key or of its nearest declared
 * ancestor; else the fideslang name in the language (ours, or the nearest ancestor's); else fideslang's own.
 */
export function categoryWords(index: RegisterIndex, key: string, lang: Language): string {
  const parts = key.split('.');
  for (let n = parts.length; n > 0; n--) {
    const k = parts.slice(0, n).join('.');
    const declared = index.dataCategories.get(k);
    if (declared) return t(declared.label, lang);
    const ours = FIDESLANG_WORDS[k];
    if (ours && n > 1) return ours[lang];
  }
  return lang === 'en' ? (taxonomyLabel('category', key) ?? key) : (FIDESLANG_WORDS.user?.[lang] ?? key);
}
