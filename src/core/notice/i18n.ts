import type { Language, LegalBasis } from '../register/schema.ts';

/** The fixed wording of a generated notice, per language. Purpose texts come from the register. */
export type NoticeStrings = {
  title: (group: string, org: string) => string;
  intro: (group: string) => string;
  controllerIs: (org: string) => string;
  eachCompany: (group: string) => string;
  cookiesIntro: string;
  contents: string;
  purposesHeading: string;
  purposesIntro: string;
  purposesList: string[];
  dataProcessed: string;
  legalBasis: string;
  howCollected: string;
  recipients: string;
  noRecipients: string;
  retentionHeading: string;
  retentionLabel: string;
  retentionIntro: string;
  retentionExceptions: string;
  accessHeading: string;
  accessCustomerService: string;
  accessAccount: string;
  accessCommunication: string;
  accessCookies: string;
  storageHeading: string;
  storageEea: string;
  storageTransfers: string;
  transferMechanism: Record<string, string>;
  sharingHeading: string;
  sharingIntro: string;
  complianceHeading: string;
  rightsHeading: string;
  rightsIntro: string;
  rights: {
    access: string;
    rectification: string;
    objection: string;
    erasure: string;
    restriction: string;
    portability: string;
    complaint: (authority: string) => string;
  };
  rightsFree: (days: number | undefined, months: number | undefined) => string;
  jointHeading: string;
  jointIntro: string;
  jointContact: (org: string) => string;
  contactHeading: string;
  contactIntro: string;
  dpo: string;
  cookieHeading: string;
  cookieColumns: [string, string, string, string];
  session: string;
  historyHeading: string;
  lastUpdated: (date: string) => string;
  effectiveFrom: (date: string) => string;
  upcoming: (date: string) => string;
  material: string;
  notMaterial: string;
  /** The label of a notice's first version (no change from anything before it). */
  firstVersion: string;
  version: string;
  legalBases: Record<LegalBasis, string>;
  balancing: string;
  consentWithdrawal: string;
  thirdCountry: string;
  authority: string;
};

const transferEn = {
  adequacy: 'an adequacy decision of the European Commission',
  'eu-us-dpf': 'the EU–US Data Privacy Framework',
  scc: 'the European Commission’s standard contractual clauses',
  bcr: 'binding corporate rules',
  'derogation-consent': 'your explicit consent (Art. 49)',
  'derogation-contract': 'necessity for a contract with you (Art. 49)',
};

export const NOTICE_STRINGS: Record<Language, NoticeStrings> = {
  en: {
    title: (g, o) => `Privacy notice — ${o}${o === g ? '' : ` (${g})`}`,
    intro: (g) =>
      `This privacy notice is for users of the ${g} websites and its companies. It explains why we process your personal data, how it is used, how it affects your privacy and how you can exercise your rights.`,
    controllerIs: (o) => `${o} is the data controller for the processing described in this notice.`,
    eachCompany: (g) =>
      `Each company within ${g} is the controller for the processing in its own company, unless a joint arrangement below says otherwise.`,
    cookiesIntro:
      'When you browse our websites we use cookies; they are listed in the cookie policy at the end of this notice.',
    contents: 'Contents',
    purposesHeading: 'The purposes of processing your personal data',
    purposesIntro:
      'For each purpose we state the personal data processed, how it is collected, the legal basis and the recipients.',
    purposesList: [
      'What personal data is processed',
      'How the personal data is collected',
      'The legal basis',
      'Who receives it',
    ],
    dataProcessed: 'Personal data processed',
    legalBasis: 'Legal basis',
    howCollected: 'How personal data is collected',
    recipients: 'Recipients of data',
    noRecipients: 'No recipients outside the company.',
    retentionHeading: 'How your personal data is stored',
    retentionLabel: 'How long we keep it',
    retentionIntro:
      'We keep personal data only as long as the purpose needs it. The period depends on the purpose, the type of data (sensitive data is kept shorter), whether it is pseudonymised, and our relationship with you. When data is no longer needed it is deleted or anonymised.',
    retentionExceptions:
      'We keep data longer only where the law requires it, an authority decides it, or a dispute needs it:',
    accessHeading: 'How to access and control your personal data',
    accessCustomerService:
      'Customer service: you are always welcome to ask customer service about how we process your data; they can also file a request for you.',
    accessAccount: 'Account: when logged in you can change your password and e-mail address.',
    accessCommunication:
      'Your communication settings: every newsletter has a “Manage my communication settings” link that takes you straight to your settings.',
    accessCookies: 'Customize cookies: use the “Customize cookies” link in the footer of our websites.',
    storageHeading: 'Where we store and process personal data',
    storageEea: 'Personal data is stored and processed in:',
    storageTransfers: 'Transfers outside the EU/EEA and the safeguards we use:',
    transferMechanism: transferEn,
    sharingHeading: 'Who we share your personal data with',
    sharingIntro:
      'We share personal data with these kinds of recipients; suppliers act under a data processing agreement.',
    complianceHeading: 'Compliance and security',
    rightsHeading: 'Your individual rights',
    rightsIntro:
      'Data protection law gives you these rights. Contact us as described under Contact to use them.',
    rights: {
      access:
        'Access: confirmation that we process your data and a copy of it (a register extract), free of charge.',
      rectification: 'Rectification of data that is incorrect or incomplete.',
      objection:
        'Objection to processing based on our legitimate interest; we continue only where our legitimate reasons outweigh your interests. You can always stop direct marketing.',
      erasure: 'Erasure when the data is no longer needed or you withdraw your consent.',
      restriction: 'Restriction of processing.',
      portability:
        'Portability of the data you provided to us, processed on consent or contract, in a structured machine-readable format.',
      complaint: (a) => `Complaint to the supervisory authority: ${a}.`,
    },
    rightsFree: (d, m) =>
      `Exercising your rights is free. We answer within ${d ?? 30} days${m ? `; where a request takes considerable effort, within ${m} months, and we tell you before the first deadline` : ''}. We may charge a reasonable fee or refuse only for manifestly unfounded or excessive requests.`,
    jointHeading: 'Processing we carry out jointly',
    jointIntro:
      'Some processing is decided jointly by several companies of the group under an agreement dividing responsibility:',
    jointContact: (o) => `Contact point: ${o}. You may exercise your rights with any of the companies.`,
    contactHeading: 'Contact',
    contactIntro:
      'Contact us for a register extract, erasure, to stop direct marketing, to complain, or with any question about data protection.',
    dpo: 'Data protection officer',
    cookieHeading: 'Cookie policy',
    cookieColumns: ['Cookie', 'Provider', 'Purpose', 'Lifetime'],
    session: 'session',
    historyHeading: 'Change history',
    lastUpdated: (d) => `This notice was last updated on ${d}.`,
    effectiveFrom: (d) => `effective from ${d}`,
    upcoming: (d) => `A new version of this notice takes effect on ${d}.`,
    material: 'major change',
    notMaterial: 'minor change',
    firstVersion: 'first version',
    version: 'Version',
    legalBases: {
      consent: 'Your consent (Art. 6(1)(a) GDPR)',
      contract: 'Performance of a contract with you (Art. 6(1)(b) GDPR)',
      'legal-obligation': 'A legal obligation (Art. 6(1)(c) GDPR)',
      'vital-interests': 'Vital interests (Art. 6(1)(d) GDPR)',
      'public-task': 'A task in the public interest (Art. 6(1)(e) GDPR)',
      'legitimate-interests': 'Our legitimate interest (Art. 6(1)(f) GDPR)',
    },
    balancing: 'Our legitimate interest',
    consentWithdrawal: 'Withdrawing consent',
    thirdCountry: 'outside the EU/EEA',
    authority: 'Supervisory authority',
  },
  sv: {
    title: (g, o) => `Integritetspolicy — ${o}${o === g ? '' : ` (${g})`}`,
    intro: (g) =>
      `Denna integritetspolicy gäller för användare av ${g}s webbplatser och bolag. Här beskriver vi varför vi behandlar dina personuppgifter, hur de används, hur det påverkar din integritet och hur du kan utöva dina rättigheter.`,
    controllerIs: (o) => `${o} är personuppgiftsansvarig för den behandling som beskrivs i denna policy.`,
    eachCompany: (g) =>
      `Varje bolag inom ${g} är personuppgiftsansvarigt för behandlingen i det egna bolaget, om inte ett gemensamt ansvar anges nedan.`,
    cookiesIntro:
      'När du besöker våra webbplatser använder vi cookies; de listas i cookiepolicyn i slutet av denna policy.',
    contents: 'Innehåll',
    purposesHeading: 'Ändamålen med behandlingen av dina personuppgifter',
    purposesIntro:
      'För varje ändamål anger vi vilka personuppgifter som behandlas, hur de samlas in, den rättsliga grunden och mottagarna.',
    purposesList: [
      'Vilka personuppgifter som behandlas',
      'Hur personuppgifterna samlas in',
      'Rättslig grund',
      'Vem som tar emot dem',
    ],
    dataProcessed: 'Personuppgifter som behandlas',
    legalBasis: 'Rättslig grund',
    howCollected: 'Hur personuppgifterna samlas in',
    recipients: 'Mottagare',
    noRecipients: 'Inga mottagare utanför bolaget.',
    retentionHeading: 'Hur länge vi sparar dina personuppgifter',
    retentionLabel: 'Hur länge vi sparar dem',
    retentionIntro:
      'Vi sparar personuppgifter bara så länge ändamålet kräver. Tiden beror på ändamålet, typen av uppgifter (känsliga uppgifter sparas kortare), om uppgifterna är pseudonymiserade och vilken relation vi har med dig. När uppgifterna inte längre behövs raderas eller anonymiseras de.',
    retentionExceptions:
      'Vi sparar uppgifter längre endast när lag kräver det, en myndighet beslutar det eller en tvist kräver det:',
    accessHeading: 'Så kommer du åt och styr dina personuppgifter',
    accessCustomerService:
      'Kundtjänst: du är alltid välkommen att fråga kundtjänst om hur vi behandlar dina uppgifter; de kan också lämna in en begäran åt dig.',
    accessAccount: 'Konto: när du är inloggad kan du ändra lösenord och e-postadress.',
    accessCommunication:
      'Dina kommunikationsinställningar: varje nyhetsbrev har länken ”Hantera mina kommunikationsinställningar” som tar dig direkt till dina inställningar.',
    accessCookies: 'Anpassa cookies: använd länken ”Anpassa cookies” längst ned på våra webbplatser.',
    storageHeading: 'Var vi lagrar och behandlar personuppgifter',
    storageEea: 'Personuppgifter lagras och behandlas i:',
    storageTransfers: 'Överföringar utanför EU/EES och de skyddsåtgärder vi använder:',
    transferMechanism: {
      adequacy: 'ett beslut av EU-kommissionen om adekvat skyddsnivå',
      'eu-us-dpf': 'EU–US Data Privacy Framework',
      scc: 'EU-kommissionens standardavtalsklausuler',
      bcr: 'bindande företagsbestämmelser',
      'derogation-consent': 'ditt uttryckliga samtycke (art. 49)',
      'derogation-contract': 'nödvändighet för ett avtal med dig (art. 49)',
    },
    sharingHeading: 'Vilka vi delar dina personuppgifter med',
    sharingIntro:
      'Vi delar personuppgifter med dessa typer av mottagare; leverantörer agerar enligt personuppgiftsbiträdesavtal.',
    complianceHeading: 'Regelefterlevnad och säkerhet',
    rightsHeading: 'Dina rättigheter',
    rightsIntro:
      'Dataskyddslagstiftningen ger dig dessa rättigheter. Kontakta oss enligt avsnittet Kontakt för att använda dem.',
    rights: {
      access:
        'Tillgång: bekräftelse på att vi behandlar dina uppgifter och en kopia av dem (registerutdrag), kostnadsfritt.',
      rectification: 'Rättelse av uppgifter som är felaktiga eller ofullständiga.',
      objection:
        'Invändning mot behandling som grundas på vårt berättigade intresse; vi fortsätter bara om våra skäl väger tyngre än dina intressen. Direktmarknadsföring kan du alltid stoppa.',
      erasure: 'Radering när uppgifterna inte längre behövs eller du återkallar ditt samtycke.',
      restriction: 'Begränsning av behandlingen.',
      portability:
        'Dataportabilitet för uppgifter du själv lämnat, som behandlas med stöd av samtycke eller avtal, i ett strukturerat maskinläsbart format.',
      complaint: (a) => `Klagomål till tillsynsmyndigheten: ${a}.`,
    },
    rightsFree: (d, m) =>
      `Det är kostnadsfritt att utöva dina rättigheter. Vi svarar inom ${d ?? 30} dagar${m ? `; kräver begäran betydande arbete, inom ${m} månader, och vi meddelar dig före den första tidsfristen` : ''}. Vi får ta ut en rimlig avgift eller vägra endast vid uppenbart ogrundade eller orimliga begäranden.`,
    jointHeading: 'Behandling som vi utför gemensamt',
    jointIntro:
      'Viss behandling bestäms gemensamt av flera bolag i koncernen enligt ett avtal om ansvarsfördelning:',
    jointContact: (o) => `Kontaktpunkt: ${o}. Du kan utöva dina rättigheter hos vilket som helst av bolagen.`,
    contactHeading: 'Kontakt',
    contactIntro:
      'Kontakta oss för registerutdrag, radering, för att stoppa direktmarknadsföring, för klagomål eller frågor om dataskydd.',
    dpo: 'Dataskyddsombud',
    cookieHeading: 'Cookiepolicy',
    cookieColumns: ['Cookie', 'Leverantör', 'Syfte', 'Livslängd'],
    session: 'session',
    historyHeading: 'Ändringshistorik',
    lastUpdated: (d) => `Denna policy uppdaterades senast ${d}.`,
    effectiveFrom: (d) => `gäller från ${d}`,
    upcoming: (d) => `En ny version av denna policy gäller från ${d}.`,
    material: 'väsentlig ändring',
    notMaterial: 'mindre ändring',
    firstVersion: 'första versionen',
    version: 'Version',
    legalBases: {
      consent: 'Ditt samtycke (art. 6.1 a GDPR)',
      contract: 'Fullgörande av avtal med dig (art. 6.1 b GDPR)',
      'legal-obligation': 'Rättslig förpliktelse (art. 6.1 c GDPR)',
      'vital-interests': 'Grundläggande intressen (art. 6.1 d GDPR)',
      'public-task': 'Uppgift av allmänt intresse (art. 6.1 e GDPR)',
      'legitimate-interests': 'Vårt berättigade intresse (art. 6.1 f GDPR)',
    },
    balancing: 'Vårt berättigade intresse',
    consentWithdrawal: 'Återkalla samtycke',
    thirdCountry: 'utanför EU/EES',
    authority: 'Tillsynsmyndighet',
  },
  nb: {
    title: (g, o) => `Personvernerklæring — ${o}${o === g ? '' : ` (${g})`}`,
    intro: (g) =>
      `Denne personvernerklæringen gjelder for brukere av nettstedene og selskapene til ${g}. Her forklarer vi hvorfor vi behandler personopplysningene dine, hvordan de brukes, hvordan det påvirker personvernet ditt og hvordan du kan bruke rettighetene dine.`,
    controllerIs: (o) => `${o} er behandlingsansvarlig for behandlingen som beskrives i denne erklæringen.`,
    eachCompany: (g) =>
      `Hvert selskap i ${g} er behandlingsansvarlig for behandlingen i sitt eget selskap, med mindre et felles ansvar er angitt nedenfor.`,
    cookiesIntro:
      'Når du besøker nettstedene våre bruker vi informasjonskapsler; de er oppført i retningslinjene for informasjonskapsler til slutt i denne erklæringen.',
    contents: 'Innhold',
    purposesHeading: 'Formålene med behandlingen av personopplysningene dine',
    purposesIntro:
      'For hvert formål oppgir vi hvilke personopplysninger som behandles, hvordan de samles inn, behandlingsgrunnlaget og mottakerne.',
    purposesList: [
      'Hvilke personopplysninger som behandles',
      'Hvordan personopplysningene samles inn',
      'Behandlingsgrunnlag',
      'Hvem som mottar dem',
    ],
    dataProcessed: 'Personopplysninger som behandles',
    legalBasis: 'Behandlingsgrunnlag',
    howCollected: 'Hvordan personopplysningene samles inn',
    recipients: 'Mottakere',
    noRecipients: 'Ingen mottakere utenfor selskapet.',
    retentionHeading: 'Hvor lenge vi lagrer personopplysningene dine',
    retentionLabel: 'Hvor lenge vi lagrer dem',
    retentionIntro:
      'Vi lagrer personopplysninger bare så lenge formålet krever det. Tiden avhenger av formålet, typen opplysninger (sensitive opplysninger lagres kortere), om opplysningene er pseudonymisert og hvilket forhold vi har til deg. Når opplysningene ikke lenger trengs, slettes eller anonymiseres de.',
    retentionExceptions:
      'Vi lagrer opplysninger lenger bare når loven krever det, en myndighet bestemmer det eller en tvist krever det:',
    accessHeading: 'Slik får du innsyn i og kontroll over personopplysningene dine',
    accessCustomerService:
      'Kundeservice: du er alltid velkommen til å spørre kundeservice om hvordan vi behandler opplysningene dine; de kan også sende inn en forespørsel for deg.',
    accessAccount: 'Konto: når du er logget inn kan du endre passord og e-postadresse.',
    accessCommunication:
      'Kommunikasjonsinnstillingene dine: hvert nyhetsbrev har lenken «Administrer kommunikasjonsinnstillingene mine» som tar deg rett til innstillingene.',
    accessCookies:
      'Tilpass informasjonskapsler: bruk lenken «Tilpass informasjonskapsler» nederst på nettstedene våre.',
    storageHeading: 'Hvor vi lagrer og behandler personopplysninger',
    storageEea: 'Personopplysninger lagres og behandles i:',
    storageTransfers: 'Overføringer utenfor EU/EØS og sikkerhetstiltakene vi bruker:',
    transferMechanism: {
      adequacy: 'en beslutning fra EU-kommisjonen om tilstrekkelig beskyttelsesnivå',
      'eu-us-dpf': 'EU–US Data Privacy Framework',
      scc: 'EU-kommisjonens standard personvernbestemmelser',
      bcr: 'bindende virksomhetsregler',
      'derogation-consent': 'ditt uttrykkelige samtykke (art. 49)',
      'derogation-contract': 'nødvendighet for en avtale med deg (art. 49)',
    },
    sharingHeading: 'Hvem vi deler personopplysningene dine med',
    sharingIntro:
      'Vi deler personopplysninger med disse typene mottakere; leverandører handler etter databehandleravtale.',
    complianceHeading: 'Etterlevelse og sikkerhet',
    rightsHeading: 'Dine rettigheter',
    rightsIntro:
      'Personvernlovgivningen gir deg disse rettighetene. Kontakt oss som beskrevet under Kontakt for å bruke dem.',
    rights: {
      access:
        'Innsyn: bekreftelse på at vi behandler opplysningene dine og en kopi av dem (registerutdrag), kostnadsfritt.',
      rectification: 'Retting av opplysninger som er uriktige eller ufullstendige.',
      objection:
        'Protest mot behandling basert på vår berettigede interesse; vi fortsetter bare der våre grunner veier tyngre enn dine interesser. Direkte markedsføring kan du alltid stoppe.',
      erasure: 'Sletting når opplysningene ikke lenger trengs eller du trekker tilbake samtykket ditt.',
      restriction: 'Begrensning av behandlingen.',
      portability:
        'Dataportabilitet for opplysninger du selv har gitt oss, behandlet på grunnlag av samtykke eller avtale, i et strukturert maskinlesbart format.',
      complaint: (a) => `Klage til tilsynsmyndigheten: ${a}.`,
    },
    rightsFree: (d, m) =>
      `Det er gratis å bruke rettighetene dine. Vi svarer innen ${d ?? 30} dager${m ? `; krever forespørselen betydelig arbeid, innen ${m} måneder, og vi gir deg beskjed før den første fristen` : ''}. Vi kan kreve et rimelig gebyr eller avslå bare ved åpenbart grunnløse eller urimelige forespørsler.`,
    jointHeading: 'Behandling vi utfører sammen',
    jointIntro:
      'Noe behandling bestemmes i fellesskap av flere selskaper i konsernet etter en avtale om ansvarsfordeling:',
    jointContact: (o) =>
      `Kontaktpunkt: ${o}. Du kan bruke rettighetene dine overfor hvilket som helst av selskapene.`,
    contactHeading: 'Kontakt',
    contactIntro:
      'Kontakt oss for registerutdrag, sletting, for å stoppe direkte markedsføring, for klager eller spørsmål om personvern.',
    dpo: 'Personvernombud',
    cookieHeading: 'Retningslinjer for informasjonskapsler',
    cookieColumns: ['Informasjonskapsel', 'Leverandør', 'Formål', 'Levetid'],
    session: 'økt',
    historyHeading: 'Endringshistorikk',
    lastUpdated: (d) => `Denne erklæringen ble sist oppdatert ${d}.`,
    effectiveFrom: (d) => `gjelder fra ${d}`,
    upcoming: (d) => `En ny versjon av denne erklæringen gjelder fra ${d}.`,
    material: 'vesentlig endring',
    notMaterial: 'mindre endring',
    firstVersion: 'første versjon',
    version: 'Versjon',
    legalBases: {
      consent: 'Ditt samtykke (art. 6 nr. 1 bokstav a GDPR)',
      contract: 'Oppfyllelse av en avtale med deg (art. 6 nr. 1 bokstav b GDPR)',
      'legal-obligation': 'En rettslig forpliktelse (art. 6 nr. 1 bokstav c GDPR)',
      'vital-interests': 'Vitale interesser (art. 6 nr. 1 bokstav d GDPR)',
      'public-task': 'En oppgave i allmennhetens interesse (art. 6 nr. 1 bokstav e GDPR)',
      'legitimate-interests': 'Vår berettigede interesse (art. 6 nr. 1 bokstav f GDPR)',
    },
    balancing: 'Vår berettigede interesse',
    consentWithdrawal: 'Trekke tilbake samtykke',
    thirdCountry: 'utenfor EU/EØS',
    authority: 'Tilsynsmyndighet',
  },
};

const COUNTRY_NAMES: Record<Language, Intl.DisplayNames> = {
  en: new Intl.DisplayNames(['en'], { type: 'region' }),
  sv: new Intl.DisplayNames(['sv'], { type: 'region' }),
  nb: new Intl.DisplayNames(['nb'], { type: 'region' }),
};
export const countryName = (code: string, lang: Language) => COUNTRY_NAMES[lang].of(code) ?? code;

/** ISO 8601 duration in words, e.g. P3Y → "3 years". */
export function durationWords(iso: string, lang: Language): string {
  const m = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$/.exec(iso);
  if (!m) return iso;
  const units: Record<Language, [string, string][]> = {
    en: [
      ['year', 'years'],
      ['month', 'months'],
      ['week', 'weeks'],
      ['day', 'days'],
    ],
    sv: [
      ['år', 'år'],
      ['månad', 'månader'],
      ['vecka', 'veckor'],
      ['dag', 'dagar'],
    ],
    nb: [
      ['år', 'år'],
      ['måned', 'måneder'],
      ['uke', 'uker'],
      ['dag', 'dager'],
    ],
  };
  const parts = [m[1], m[2], m[3], m[4]]
    .map((n, i) => (n ? `${n} ${Number(n) === 1 ? units[lang][i]![0] : units[lang][i]![1]}` : ''))
    .filter(Boolean);
  return parts.join(' ');
}
