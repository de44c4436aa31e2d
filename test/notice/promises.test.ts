/**
 * The demo group's promises about its purposes, checked where a customer and an authority see them: the
 * published notice served by GET /privacy/:orgId/notice.md (and the HTML page) in English, Swedish and
 * Norwegian, the Art. 30 record served by GET /api/v1/organizations/:orgId/ropa, a survey's opt-out from the
 * link to the contact check, and the register validator refusing a processor without security terms.
 *
 * Every expected phrase below is written by hand from the published notice (/work/shared/notice-promises.md),
 * never computed from the register: a changed wording, basis or recipient in what the customer is told fails.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseRegisterFiles } from '../../src/core/register/parse.ts';
import { same } from '../consent/support.ts';
import { minimalRegister } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const ORG = 'nestit-group';
const LANGS = ['en', 'sv', 'nb'] as const;
type Lang = (typeof LANGS)[number];
type PerLang<T> = Record<Lang, T>;

/** The notice's sub-headings of a purpose, per language. */
const LABEL = {
  data: {
    en: 'Personal data processed',
    sv: 'Personuppgifter som behandlas',
    nb: 'Personopplysninger som behandles',
  },
  basis: { en: 'Legal basis', sv: 'Rättslig grund', nb: 'Behandlingsgrunnlag' },
  collected: {
    en: 'How personal data is collected',
    sv: 'Hur personuppgifterna samlas in',
    nb: 'Hvordan personopplysningene samles inn',
  },
  recipients: { en: 'Recipients of data', sv: 'Mottagare', nb: 'Mottakere' },
} as const;

const LI = {
  en: 'Our legitimate interest (Art. 6(1)(f) GDPR)',
  sv: 'Vårt berättigade intresse (art. 6.1 f GDPR)',
  nb: 'Vår berettigede interesse (art. 6 nr. 1 bokstav f GDPR)',
};
const CONTRACT = {
  en: 'Performance of a contract with you (Art. 6(1)(b) GDPR)',
  sv: 'Fullgörande av avtal med dig (art. 6.1 b GDPR)',
  nb: 'Oppfyllelse av en avtale med deg (art. 6 nr. 1 bokstav b GDPR)',
};
const CONSENT = {
  en: 'Your consent (Art. 6(1)(a) GDPR)',
  sv: 'Ditt samtycke (art. 6.1 a GDPR)',
  nb: 'Ditt samtykke (art. 6 nr. 1 bokstav a GDPR)',
};
const LEGAL_OBLIGATION = {
  en: 'A legal obligation (Art. 6(1)(c) GDPR)',
  sv: 'Rättslig förpliktelse (art. 6.1 c GDPR)',
  nb: 'En rettslig forpliktelse (art. 6 nr. 1 bokstav c GDPR)',
};
const ORDERS = {
  en: 'Orders and purchases (products, order number, date, price, delivery and payment method)',
  sv: 'Ordrar och köp (produkter, ordernummer, datum, pris, leverans- och betalsätt)',
  nb: 'Ordrer og kjøp (produkter, ordrenummer, dato, pris, leverings- og betalingsmåte)',
};
const EMAIL = { en: 'E-mail address', sv: 'E-postadress', nb: 'E-postadresse' };
const NAME = { en: 'Name', sv: 'Namn', nb: 'Navn' };
const CRM = {
  en: 'System provider for customer information management',
  sv: 'Systemleverantör för kundinformationshantering',
  nb: 'Systemleverandør for kundeinformasjonshåndtering',
};
const ORDER_SYSTEM = {
  en: 'System provider for order management',
  sv: 'Systemleverantör för orderhantering',
  nb: 'Systemleverandør for ordrehåndtering',
};
const MESSAGING = {
  en: 'Service provider for e-mail and text-message communication',
  sv: 'Tjänsteleverantör för kommunikation via e-post och sms',
  nb: 'Tjenesteleverandør for kommunikasjon på e-post og SMS',
};
const ADVISERS = { en: 'External advisers', sv: 'Externa rådgivare', nb: 'Eksterne rådgivere' };
const AUTHORITIES = {
  en: 'Authorities and courts',
  sv: 'Myndigheter och domstolar',
  nb: 'Myndigheter og domstoler',
};
const GROUP = {
  en: 'Companies within NestIT Group (for internal administration, service development and joint processing of customer data)',
  sv: 'Bolag inom NestIT Group (för intern administration, tjänsteutveckling och gemensam behandling av kunduppgifter)',
  nb: 'Selskaper i NestIT Group (for intern administrasjon, tjenesteutvikling og felles behandling av kundeopplysninger)',
};
const FROM_GROUP_COMPANY = {
  en: 'From the group company you are a customer of, which collected the data from you.',
  sv: 'Från det bolag i koncernen som du är kund hos, och som har samlat in uppgifterna från dig.',
  nb: 'Fra selskapet i konsernet som du er kunde hos, og som har samlet inn opplysningene fra deg.',
};
const AT_PURCHASE_OR_EMPLOYER = {
  en: 'Personal data is collected in connection with purchases from NestIT Group, or from your employer if you are a contract customer of NestIT Group.',
  sv: 'Personuppgifterna samlas in i samband med köp från NestIT Group, eller från din arbetsgivare om du är avtalskund hos NestIT Group.',
  nb: 'Personopplysningene samles inn i forbindelse med kjøp fra NestIT Group, eller fra arbeidsgiveren din hvis du er avtalekunde hos NestIT Group.',
};
const of = <T>(lang: Lang, ...xs: PerLang<T>[]) => xs.map((x) => x[lang]);

/** One purpose as the customer reads it, and as the authority reads it in the Art. 30 record (in English). */
type Promised = {
  promises: string;
  purpose: string;
  heading: PerLang<string>;
  /** Some of the data the notice lists (all of it is checked in the record's categories). */
  data: PerLang<string[]>;
  /** The legal bases, exactly. */
  bases: PerLang<string[]>;
  /** The start of how the data is collected. */
  collected: PerLang<string>;
  /** The recipients, exactly. */
  recipients: PerLang<string[]>;
  /** A sentence the promise turns on, anywhere in the purpose's section. */
  says?: PerLang<string>;
  ropa: { bases: string[]; categories: string[]; recipients: string[] };
};

const PROMISED: Promised[] = [
  {
    promises: 'P36',
    purpose: 'order-fulfilment',
    heading: {
      en: 'Providing our products and services',
      sv: 'Tillhandahålla våra produkter och tjänster',
      nb: 'Levere våre produkter og tjenester',
    },
    data: {
      en: ['Name', 'Postal and delivery address', 'Company you represent'],
      sv: ['Namn', 'Post- och leveransadress', 'Företag som du företräder'],
      nb: ['Navn', 'Post- og leveringsadresse', 'Selskap du representerer'],
    },
    bases: { en: of('en', CONTRACT, LI), sv: of('sv', CONTRACT, LI), nb: of('nb', CONTRACT, LI) },
    collected: {
      en: 'Personal data is collected directly from you when you make a purchase.',
      sv: 'Personuppgifterna samlas in direkt från dig när du gör ett köp.',
      nb: 'Personopplysningene samles inn direkte fra deg når du handler.',
    },
    recipients: {
      en: ['Service providers for shipping and delivery', CRM.en, ORDER_SYSTEM.en],
      sv: ['Tjänsteleverantörer för frakt och leverans', CRM.sv, ORDER_SYSTEM.sv],
      nb: ['Tjenesteleverandører for frakt og levering', CRM.nb, ORDER_SYSTEM.nb],
    },
    says: {
      en: 'for contact persons of company customers',
      sv: 'för kontaktpersoner hos företagskunder',
      nb: 'for kontaktpersoner hos bedriftskunder',
    },
    ropa: {
      bases: ['Art. 6(1)(b) contract', 'Art. 6(1)(f) legitimate-interests'],
      categories: [
        'user.name',
        'user.unique_id',
        'user.contact.email',
        'user.contact.phone_number',
        'user.contact.address',
        'user.behavior.purchase_history',
        'user.professional_information.workplace',
      ],
      recipients: [
        'Shipping and delivery providers — processor, DPA in place',
        'Customer information management (CRM) — processor, DPA in place',
        'Web shop and order management — internal, DPA in place',
      ],
    },
  },
  {
    promises: 'P37',
    purpose: 'purchase-communication',
    heading: {
      en: 'Customer communication related to your purchase',
      sv: 'Kundkommunikation kopplad till ditt köp',
      nb: 'Kundekommunikasjon knyttet til kjøpet ditt',
    },
    data: {
      en: [NAME.en, EMAIL.en, ORDERS.en],
      sv: [NAME.sv, EMAIL.sv, ORDERS.sv],
      nb: [NAME.nb, EMAIL.nb, ORDERS.nb],
    },
    bases: { en: [LI.en], sv: [LI.sv], nb: [LI.nb] },
    collected: {
      en: 'Personal data is collected when you make a purchase.',
      sv: 'Personuppgifterna samlas in när du gör ett köp.',
      nb: 'Personopplysningene samles inn når du handler.',
    },
    recipients: {
      en: of('en', MESSAGING, CRM, ORDER_SYSTEM),
      sv: of('sv', MESSAGING, CRM, ORDER_SYSTEM),
      nb: of('nb', MESSAGING, CRM, ORDER_SYSTEM),
    },
    ropa: {
      bases: ['Art. 6(1)(f) legitimate-interests'],
      categories: [
        'user.name',
        'user.contact.email',
        'user.contact.phone_number',
        'user.behavior.purchase_history',
      ],
      recipients: [
        'E-mail and text-message communication — processor, DPA in place',
        'Customer information management (CRM) — processor, DPA in place',
        'Web shop and order management — internal, DPA in place',
      ],
    },
  },
  {
    promises: 'P39',
    purpose: 'surveys',
    heading: { en: 'Surveys', sv: 'Kundundersökningar', nb: 'Kundeundersøkelser' },
    data: {
      en: [EMAIL.en, ORDERS.en, 'Your survey answers'],
      sv: [EMAIL.sv, ORDERS.sv, 'Dina enkätsvar'],
      nb: [EMAIL.nb, ORDERS.nb, 'Svarene dine på undersøkelsen'],
    },
    bases: { en: [LI.en], sv: [LI.sv], nb: [LI.nb] },
    collected: AT_PURCHASE_OR_EMPLOYER,
    recipients: {
      en: ['Service provider that handles customer surveys', CRM.en],
      sv: ['Tjänsteleverantör som hanterar kundundersökningar', CRM.sv],
      nb: ['Tjenesteleverandør som håndterer kundeundersøkelser', CRM.nb],
    },
    says: {
      en: 'We send the surveys to customers by e-mail. Taking part is always voluntary.',
      sv: 'Det är alltid frivilligt att delta.',
      nb: 'Det er alltid frivillig å delta.',
    },
    ropa: {
      bases: ['Art. 6(1)(f) legitimate-interests'],
      categories: ['user.contact.email', 'user.behavior.purchase_history', 'user.content.survey_response'],
      recipients: [
        'Customer survey platform — processor, DPA in place',
        'Customer information management (CRM) — processor, DPA in place',
      ],
    },
  },
  {
    promises: 'P40',
    purpose: 'user-account',
    heading: { en: 'User account', sv: 'Användarkonto', nb: 'Brukerkonto' },
    data: {
      en: ['Customer number', 'Password (stored only as a one-way hash)', ORDERS.en],
      sv: ['Kundnummer', 'Lösenord (lagras endast som envägshash)', ORDERS.sv],
      nb: ['Kundenummer', 'Passord (lagres bare som enveis-hash)', ORDERS.nb],
    },
    bases: { en: [CONTRACT.en], sv: [CONTRACT.sv], nb: [CONTRACT.nb] },
    collected: {
      en: 'Personal data is collected directly from you when you register a user account.',
      sv: 'Personuppgifterna samlas in direkt från dig när du registrerar ett användarkonto.',
      nb: 'Personopplysningene samles inn direkte fra deg når du registrerer en brukerkonto.',
    },
    recipients: {
      en: of('en', CRM, ORDER_SYSTEM),
      sv: of('sv', CRM, ORDER_SYSTEM),
      nb: of('nb', CRM, ORDER_SYSTEM),
    },
    ropa: {
      bases: ['Art. 6(1)(b) contract'],
      categories: [
        'user.name',
        'user.unique_id',
        'user.contact.email',
        'user.contact.phone_number',
        'user.contact.address',
        'user.authorization.credentials',
        'user.behavior.purchase_history',
      ],
      recipients: [
        'Customer information management (CRM) — processor, DPA in place',
        'Web shop and order management — internal, DPA in place',
      ],
    },
  },
  {
    promises: 'P41',
    purpose: 'product-reviews',
    heading: {
      en: 'Reviews of purchased products',
      sv: 'Recensioner av köpta produkter',
      nb: 'Anmeldelser av kjøpte produkter',
    },
    data: {
      en: ['Review text and star rating', 'Name shown with your review', EMAIL.en],
      sv: ['Recensionstext och betyg', 'Namn som visas med recensionen', EMAIL.sv],
      nb: ['Anmeldelsestekst og karakter', 'Navn som vises med anmeldelsen', EMAIL.nb],
    },
    bases: { en: [LI.en], sv: [LI.sv], nb: [LI.nb] },
    collected: {
      en: 'The review, rating and shown name are collected directly from you when you write a review;',
      sv: 'Recension, betyg och visat namn samlas in direkt från dig när du skriver en recension;',
      nb: 'Anmeldelse, karakter og vist navn samles inn direkte fra deg når du skriver en anmeldelse;',
    },
    recipients: {
      en: of('en', ORDER_SYSTEM, CRM, MESSAGING),
      sv: of('sv', ORDER_SYSTEM, CRM, MESSAGING),
      nb: of('nb', ORDER_SYSTEM, CRM, MESSAGING),
    },
    ropa: {
      bases: ['Art. 6(1)(f) legitimate-interests'],
      categories: [
        'user.content.review',
        'user.name.display',
        'user.contact.email',
        'user.behavior.purchase_history',
      ],
      recipients: [
        'Web shop and order management — internal, DPA in place',
        'Customer information management (CRM) — processor, DPA in place',
        'E-mail and text-message communication — processor, DPA in place',
      ],
    },
  },
  {
    promises: 'P42',
    purpose: 'customer-analyses',
    heading: { en: 'Customer analyses', sv: 'Kundanalyser', nb: 'Kundeanalyser' },
    data: {
      en: [ORDERS.en, 'Behaviour on our websites (pages and products viewed, searches)'],
      sv: [ORDERS.sv, 'Beteende på våra webbplatser (sidor och produkter du tittat på, sökningar)'],
      nb: [ORDERS.nb, 'Atferd på nettstedene våre (sider og produkter du har sett på, søk)'],
    },
    bases: { en: of('en', LI, CONSENT), sv: of('sv', LI, CONSENT), nb: of('nb', LI, CONSENT) },
    collected: {
      en: 'Personal data is collected when you visit our websites, when you receive our communications and when you make a purchase',
      sv: 'Personuppgifterna samlas in när du besöker våra webbplatser, när du får våra utskick och när du handlar',
      nb: 'Personopplysningene samles inn når du besøker nettstedene våre, når du mottar utsendelsene våre, og når du handler',
    },
    recipients: {
      en: [
        'Service providers of analysis tools (United States, outside the EU/EEA: the EU–US Data Privacy Framework)',
        CRM.en,
        GROUP.en,
      ],
      sv: [
        'Tjänsteleverantörer av analysverktyg (USA, utanför EU/EES: EU–US Data Privacy Framework)',
        CRM.sv,
        GROUP.sv,
      ],
      nb: [
        'Tjenesteleverandører av analyseverktøy (USA, utenfor EU/EØS: EU–US Data Privacy Framework)',
        CRM.nb,
        GROUP.nb,
      ],
    },
    says: {
      en: 'only with your consent to analy',
      sv: 'endast med ditt samtycke till analy',
      nb: 'bare med samtykket ditt til anal',
    },
    ropa: {
      bases: ['Art. 6(1)(f) legitimate-interests', 'Art. 6(1)(a) consent'],
      categories: [
        'user.unique_id',
        'user.behavior.purchase_history',
        'user.device.cookie_id',
        'user.behavior.browsing_history',
        'user.behavior.communication_engagement',
      ],
      recipients: [
        'Google Analytics — processor, DPA in place',
        'Customer information management (CRM) — processor, DPA in place',
        'Companies of NestIT Group — group-company, DPA in place',
      ],
    },
  },
  {
    promises: 'P43',
    purpose: 'customer-service',
    heading: {
      en: 'Handling of customer service matters',
      sv: 'Hantering av kundtjänstärenden',
      nb: 'Håndtering av kundeservicehenvendelser',
    },
    data: {
      en: [NAME.en, ORDERS.en, 'Information you share in connection with the matter'],
      sv: [NAME.sv, ORDERS.sv, 'Information som du lämnar i samband med ärendet'],
      nb: [NAME.nb, ORDERS.nb, 'Informasjon du deler i forbindelse med henvendelsen'],
    },
    bases: { en: [LI.en], sv: [LI.sv], nb: [LI.nb] },
    collected: {
      en: 'Directly from you when you contact us in a customer service matter.',
      sv: 'Direkt från dig när du kontaktar oss i ett kundtjänstärende.',
      nb: 'Direkte fra deg når du kontakter oss i en kundeservicehenvendelse.',
    },
    recipients: {
      en: [
        'Customer service provider',
        'Customer service system and chat service provider',
        'Social media provider (United States, outside the EU/EEA: the European Commission’s standard contractual clauses)',
      ],
      sv: [
        'Leverantör av kundtjänst',
        'Leverantör av kundtjänstsystem och chattjänst',
        'Leverantör av sociala medier (USA, utanför EU/EES: EU-kommissionens standardavtalsklausuler)',
      ],
      nb: [
        'Leverandør av kundeservice',
        'Leverandør av kundeservicesystem og chattetjeneste',
        'Leverandør av sosiale medier (USA, utenfor EU/EØS: EU-kommisjonens standard personvernbestemmelser)',
      ],
    },
    ropa: {
      bases: ['Art. 6(1)(f) legitimate-interests'],
      categories: [
        'user.name',
        'user.unique_id',
        'user.contact.email',
        'user.contact.phone_number',
        'user.contact.address',
        'user.behavior.purchase_history',
        'user.content.private',
      ],
      recipients: [
        'Outsourced customer service — processor, DPA in place',
        'Customer service system and chat — processor, DPA in place',
        'Social media (Facebook and Instagram messaging) — controller',
      ],
    },
  },
  {
    promises: 'P46 P18',
    purpose: 'legal-claims',
    heading: {
      en: 'Protect our rights and defend ourselves against claims',
      sv: 'Skydda våra rättigheter och försvara oss mot anspråk',
      nb: 'Beskytte rettighetene våre og forsvare oss mot krav',
    },
    data: {
      en: [NAME.en, EMAIL.en, ORDERS.en],
      sv: [NAME.sv, EMAIL.sv, ORDERS.sv],
      nb: [NAME.nb, EMAIL.nb, ORDERS.nb],
    },
    bases: { en: [LI.en], sv: [LI.sv], nb: [LI.nb] },
    collected: AT_PURCHASE_OR_EMPLOYER,
    recipients: {
      en: [
        ADVISERS.en,
        AUTHORITIES.en,
        'IT suppliers that provide systems for documentation and case management',
      ],
      sv: [
        ADVISERS.sv,
        AUTHORITIES.sv,
        'IT-leverantörer som tillhandahåller system för dokumentation och ärendehantering',
      ],
      nb: [
        ADVISERS.nb,
        AUTHORITIES.nb,
        'IT-leverandører som leverer systemer for dokumentasjon og sakshåndtering',
      ],
    },
    ropa: {
      bases: ['Art. 6(1)(f) legitimate-interests'],
      categories: [
        'user.name',
        'user.contact.email',
        'user.contact.phone_number',
        'user.contact.address',
        'user.behavior.purchase_history',
      ],
      recipients: [
        'External advisers — controller',
        'Authorities and courts — authority',
        'Documentation and case management — processor, DPA in place',
      ],
    },
  },
  {
    promises: 'P16',
    purpose: 'group-administration',
    heading: {
      en: 'Administration and service development within the group',
      sv: 'Administration och tjänsteutveckling inom koncernen',
      nb: 'Administrasjon og tjenesteutvikling i konsernet',
    },
    data: {
      en: [NAME.en, 'Customer number', ORDERS.en],
      sv: [NAME.sv, 'Kundnummer', ORDERS.sv],
      nb: [NAME.nb, 'Kundenummer', ORDERS.nb],
    },
    bases: { en: [LI.en], sv: [LI.sv], nb: [LI.nb] },
    collected: FROM_GROUP_COMPANY,
    recipients: { en: [GROUP.en], sv: [GROUP.sv], nb: [GROUP.nb] },
    says: {
      en: "our legitimate interest in administering the group's companies together",
      sv: 'vårt berättigade intresse av att administrera koncernens bolag gemensamt',
      nb: 'vår berettigede interesse i å administrere konsernets selskaper samlet',
    },
    ropa: {
      bases: ['Art. 6(1)(f) legitimate-interests'],
      categories: [
        'user.name',
        'user.unique_id',
        'user.contact.email',
        'user.contact.phone_number',
        'user.contact.address',
        'user.behavior.purchase_history',
      ],
      recipients: ['Companies of NestIT Group — group-company, DPA in place'],
    },
  },
  {
    promises: 'P24 P18',
    purpose: 'crime-prevention',
    heading: {
      en: 'Protection against crime and cooperation with authorities',
      sv: 'Skydd mot brott och samarbete med myndigheter',
      nb: 'Beskyttelse mot kriminalitet og samarbeid med myndigheter',
    },
    data: {
      en: [NAME.en, ORDERS.en, 'IP address'],
      sv: [NAME.sv, ORDERS.sv, 'IP-adress'],
      nb: [NAME.nb, ORDERS.nb, 'IP-adresse'],
    },
    bases: {
      en: of('en', LI, LEGAL_OBLIGATION),
      sv: of('sv', LI, LEGAL_OBLIGATION),
      nb: of('nb', LI, LEGAL_OBLIGATION),
    },
    collected: {
      en: 'From your purchases and your visits to our websites, and from authorities in connection with their requests.',
      sv: 'Från dina köp och dina besök på våra webbplatser, och från myndigheter i samband med deras förfrågningar.',
      nb: 'Fra kjøpene dine og besøkene dine på nettstedene våre, og fra myndigheter i forbindelse med forespørslene deres.',
    },
    recipients: {
      en: of('en', AUTHORITIES, ADVISERS),
      sv: of('sv', AUTHORITIES, ADVISERS),
      nb: of('nb', AUTHORITIES, ADVISERS),
    },
    says: {
      en: 'protecting customers and the group against crime',
      sv: 'skydda kunder och koncernen mot brott',
      nb: 'beskytte kunder og konsernet mot',
    },
    ropa: {
      bases: ['Art. 6(1)(f) legitimate-interests', 'Art. 6(1)(c) legal-obligation'],
      categories: [
        'user.name',
        'user.contact.email',
        'user.contact.phone_number',
        'user.contact.address',
        'user.behavior.purchase_history',
        'user.device.ip_address',
      ],
      recipients: ['Authorities and courts — authority', 'External advisers — controller'],
    },
  },
  {
    promises: 'P19',
    purpose: 'business-transfer',
    heading: {
      en: 'Sale or transfer of a business',
      sv: 'Försäljning eller överlåtelse av verksamhet',
      nb: 'Salg eller overdragelse av virksomhet',
    },
    data: {
      en: [NAME.en, 'Customer number', ORDERS.en],
      sv: [NAME.sv, 'Kundnummer', ORDERS.sv],
      nb: [NAME.nb, 'Kundenummer', ORDERS.nb],
    },
    bases: { en: [LI.en], sv: [LI.sv], nb: [LI.nb] },
    collected: FROM_GROUP_COMPANY,
    recipients: {
      en: ['A potential buyer and, after a completed transfer, the new owner', ADVISERS.en],
      sv: ['En potentiell köpare och, efter genomförd överlåtelse, den nya ägaren', ADVISERS.sv],
      nb: ['En potensiell kjøper og, etter gjennomført overdragelse, den nye eieren', ADVISERS.nb],
    },
    ropa: {
      bases: ['Art. 6(1)(f) legitimate-interests'],
      categories: [
        'user.name',
        'user.unique_id',
        'user.contact.email',
        'user.contact.phone_number',
        'user.contact.address',
        'user.behavior.purchase_history',
      ],
      recipients: [
        'Potential buyer or new owner in a business transaction — controller',
        'External advisers — controller',
      ],
    },
  },
];

let t: TestServer;
const notices = new Map<Lang, string>();
const pages = new Map<Lang, string>();

beforeAll(async () => {
  t = await startTestServer();
  for (const lang of LANGS) {
    const md = await t.server.inject(`/privacy/${ORG}/notice.md?lang=${lang}`);
    expect(md.statusCode).toBe(200);
    notices.set(lang, md.body);
    const html = await t.server.inject(`/privacy/${ORG}?lang=${lang}`);
    expect(html.statusCode).toBe(200);
    expect(html.headers['content-language']).toBe(lang);
    pages.set(lang, html.body);
  }
}, 120_000);
afterAll(async () => {
  await t?.close();
});

/** The purpose's section of the served Markdown notice, from its heading to the next heading. */
function sectionOf(lang: Lang, heading: string): string {
  const md = notices.get(lang)!;
  const start = md.indexOf(`\n### ${heading}\n`);
  expect(start, `"${heading}" in the ${lang} notice`).toBeGreaterThan(0);
  const end = md.slice(start + 5).search(/\n#{2,3} /);
  return end < 0 ? md.slice(start) : md.slice(start, start + 5 + end);
}

/** The list under one bold sub-heading of a section. */
function listUnder(section: string, label: string): string[] {
  const at = section.indexOf(`**${label}**`);
  expect(at, `**${label}**`).toBeGreaterThanOrEqual(0);
  const rest = section.slice(at + label.length + 4).split(/\n\*\*/)[0]!;
  return rest
    .split('\n')
    .filter((l) => l.startsWith('- '))
    .map((l) => l.slice(2));
}

const sorted = (xs: string[]) => [...xs].sort();

describe('the published notice states data, collection, basis and recipients of each purpose', () => {
  for (const p of PROMISED)
    for (const lang of LANGS)
      test(`${p.promises} ${p.purpose} in ${lang}: the data, how it is collected, the legal basis and the recipients`, () => {
        const section = sectionOf(lang, p.heading[lang]);
        expect(listUnder(section, LABEL.data[lang])).toEqual(expect.arrayContaining(p.data[lang]));
        const bases = listUnder(section, LABEL.basis[lang]).map((l) => l.slice(0, l.indexOf('GDPR)') + 5));
        expect(sorted(bases)).toEqual(sorted(p.bases[lang]));
        const collected = listUnder(section, LABEL.collected[lang]);
        expect(
          collected.some((l) => l.startsWith(p.collected[lang])),
          collected.join(' | '),
        ).toBe(true);
        expect(sorted(listUnder(section, LABEL.recipients[lang]))).toEqual(sorted(p.recipients[lang]));
        if (p.says) expect(section).toContain(p.says[lang]);
        // The HTML page the customer opens carries the same purpose and recipients.
        const page = pages.get(lang)!;
        expect(page).toContain(p.heading[lang]);
        for (const r of p.recipients[lang]) expect(page).toContain(r);
      });
});

describe('the Art. 30 record an authority receives states the same for each purpose', () => {
  let entries: {
    purposeId: string;
    legalBases: string[];
    dataCategories: string[];
    recipients: string[];
    sources: string[];
  }[];
  beforeAll(async () => {
    const res = await t.server.inject({ url: `/api/v1/organizations/${ORG}/ropa`, headers: same(t.cookie) });
    expect(res.statusCode).toBe(200);
    entries = res.json().entries;
  });
  for (const p of PROMISED)
    test(`${p.promises} ${p.purpose}: the record's legal bases, data categories, sources and recipients`, () => {
      const e = entries.find((x) => x.purposeId === p.purpose);
      expect(e, p.purpose).toBeDefined();
      expect(sorted(e!.legalBases.map((b) => b.slice(0, b.indexOf(':'))))).toEqual(sorted(p.ropa.bases));
      expect(sorted(e!.dataCategories.map((c) => c.slice(0, c.indexOf(' ('))))).toEqual(
        sorted(p.ropa.categories),
      );
      expect(sorted(e!.recipients)).toEqual(sorted(p.ropa.recipients));
      expect(e!.sources.some((s) => s.startsWith(p.collected.en))).toBe(true);
    });
});

describe('P39 surveys are always voluntary', () => {
  const check = async (email: string, purpose: string) =>
    (
      await t.server.inject({
        method: 'POST',
        url: `/api/v1/organizations/${ORG}/contact-checks`,
        payload: { identity: { email }, purpose, channel: 'email' },
        headers: same(t.cookie),
      })
    ).json();

  test('P39 the opt-out a survey mail carries works with one click: afterwards the contact check refuses surveys, and only surveys', async () => {
    const email = 'svarar.inte@example.se';
    expect(await check(email, 'surveys')).toMatchObject({ allowed: true });
    // The link and headers the group's survey mailer puts on the mail (RFC 8058).
    const issued = await t.server.inject({
      method: 'POST',
      url: `/api/v1/organizations/${ORG}/preference-links`,
      payload: { identity: { email }, purpose: 'surveys' },
      headers: same(t.cookie),
    });
    expect(issued.statusCode).toBe(200);
    const link = issued.json();
    expect(link.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    const url = new URL(link.headers['List-Unsubscribe'].slice(1, -1));
    // A mail client's prefetch (GET) does not opt out.
    await t.server.inject({ method: 'GET', url: url.pathname + url.search });
    expect(await check(email, 'surveys')).toMatchObject({ allowed: true });

    const click = await t.server.inject({
      method: 'POST',
      url: url.pathname + url.search,
      payload: 'List-Unsubscribe=One-Click',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(click.statusCode).toBe(200);
    expect(await check(email, 'surveys')).toMatchObject({ allowed: false, reason: 'objected' });
    // The opt-out is from surveys: mail about the customer's own purchases goes on.
    expect(await check(email, 'purchase-communication')).toMatchObject({ allowed: true });
  });
});

describe("P22 a processor is held to the group's security procedures", () => {
  const findings = (edit: (t: string) => string) =>
    parseRegisterFiles(minimalRegister({ 'systems.yaml': edit })).findings.filter(
      (f) => f.severity === 'error',
    );

  test('P22 a processor named as a recipient without security terms is refused, with a finding on its securityMeasures', () => {
    const out = findings((t) =>
      t.replace('    securityMeasures: [Encryption in transit and at rest.]\n', ''),
    );
    expect(out.map((f) => [f.code, f.path.join('.')])).toEqual([
      ['processor-without-security-terms', 'systems.1.securityMeasures'],
    ]);
    expect(out[0]!.message).toBe(
      'Mail provider is a processor named as a recipient but no security terms are recorded.',
    );
    expect(out[0]!.hint).toContain('securityMeasures');
  });

  test('P22 P17 a processor without a data processing agreement is refused', () => {
    const out = findings((t) =>
      t.replace('    operator: Mailer Ltd\n    dpa: true\n', '    operator: Mailer Ltd\n'),
    );
    expect(out.map((f) => [f.code, f.path.join('.')])).toEqual([['processor-without-dpa', 'systems.1.dpa']]);
  });

  test('P22 with its agreement and security terms the processor is a recipient; one that receives nothing needs neither terms', () => {
    expect(findings((t) => t)).toEqual([]);
    const idle = findings(
      (t) =>
        `${t.replace('retentionRules:', '  - id: idle\n    name: Idle tool\n    role: processor\n    operator: Idle Oy\n    dpa: true\n    storageCountries: [FI]\nretentionRules:')}`,
    );
    expect(idle).toEqual([]);
  });
});
