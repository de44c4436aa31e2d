/**
 * The privacy center's own words (the landing page and the "send me my settings link" mail), in English,
 * Swedish and Norwegian. Pure: no I/O.
 */
import type { Language } from '../register/schema.ts';

export type CenterStrings = {
  title: string;
  intro: string;
  notices: string;
  noticesText: string;
  rights: string;
  rightsText: string;
  makeRequest: string;
  settings: string;
  settingsText: string;
  email: string;
  sendLink: string;
  cookies: string;
  cookiesText: string;
  customize: string;
  linkSentTitle: string;
  linkSent: string;
  back: string;
  badEmail: string;
  mailSubject: (group: string) => string;
  mailBody: (o: { group: string; links: { company: string; url: string }[]; days: number }) => string;
};

export const CENTER_STRINGS: Record<Language, CenterStrings> = {
  en: {
    title: 'Privacy center',
    intro:
      'Each company of the group is the controller for its own processing. Here you can read how each company handles your personal data and use your rights.',
    notices: 'Privacy notices',
    noticesText: 'Choose a company to read its privacy notice.',
    rights: 'Your rights',
    rightsText:
      'Ask for a copy of your data, to have it corrected or erased, to restrict or object to its use, to take it with you, or withdraw a consent. It is free of charge.',
    makeRequest: 'Make a request',
    settings: 'Newsletters and text messages',
    settingsText:
      'Every mail we send has a link to your communication settings. Lost it? Enter your e-mail address and we will send you a new one.',
    email: 'Your e-mail address',
    sendLink: 'Send me the link',
    cookies: 'Cookies',
    cookiesText: 'Change the cookies you allow on this site at any time.',
    customize: 'Customize cookies',
    linkSentTitle: 'Check your inbox',
    linkSent:
      'If we have your e-mail address, we have sent you a link to your communication settings. It can take a few minutes to arrive.',
    back: 'Back to the privacy center',
    badEmail: 'Enter a valid e-mail address, such as name@example.com.',
    mailSubject: (g) => `Your communication settings at ${g}`,
    mailBody: ({ group, links, days }) =>
      `Hello,\n\nYou asked for a link to your communication settings at ${group}. Open the link of each company to see and change what it may send you:\n\n${links
        .map((l) => `${l.company}:\n${l.url}`)
        .join(
          '\n\n',
        )}\n\nThe links are valid for ${days} days and only work for you: do not forward this mail.\nIf you did not ask for this, you can ignore it; nothing has changed.\n`,
  },
  sv: {
    title: 'Integritetscenter',
    intro:
      'Varje bolag i koncernen är personuppgiftsansvarigt för sin egen behandling. Här kan du läsa hur varje bolag hanterar dina personuppgifter och använda dina rättigheter.',
    notices: 'Integritetspolicyer',
    noticesText: 'Välj ett bolag för att läsa dess integritetspolicy.',
    rights: 'Dina rättigheter',
    rightsText:
      'Begär en kopia av dina uppgifter, rättelse eller radering, begränsning eller invändning mot hur de används, att få ta med dem, eller återkalla ett samtycke. Det är kostnadsfritt.',
    makeRequest: 'Gör en begäran',
    settings: 'Nyhetsbrev och sms',
    settingsText:
      'Varje mejl vi skickar har en länk till dina kommunikationsinställningar. Har du tappat bort den? Skriv din e-postadress så skickar vi en ny.',
    email: 'Din e-postadress',
    sendLink: 'Skicka länken till mig',
    cookies: 'Cookies',
    cookiesText: 'Ändra vilka cookies du tillåter på webbplatsen när du vill.',
    customize: 'Anpassa cookies',
    linkSentTitle: 'Titta i din inkorg',
    linkSent:
      'Om vi har din e-postadress har vi skickat en länk till dina kommunikationsinställningar. Det kan ta några minuter innan den kommer fram.',
    back: 'Tillbaka till integritetscentret',
    badEmail: 'Skriv en giltig e-postadress, till exempel namn@example.com.',
    mailSubject: (g) => `Dina kommunikationsinställningar hos ${g}`,
    mailBody: ({ group, links, days }) =>
      `Hej,\n\nDu har bett om en länk till dina kommunikationsinställningar hos ${group}. Öppna länken för varje bolag för att se och ändra vad det får skicka till dig:\n\n${links
        .map((l) => `${l.company}:\n${l.url}`)
        .join(
          '\n\n',
        )}\n\nLänkarna gäller i ${days} dagar och fungerar bara för dig: vidarebefordra inte mejlet.\nOm du inte har bett om detta kan du bortse från mejlet; ingenting har ändrats.\n`,
  },
  nb: {
    title: 'Personvernsenter',
    intro:
      'Hvert selskap i konsernet er behandlingsansvarlig for sin egen behandling. Her kan du lese hvordan hvert selskap behandler personopplysningene dine, og bruke rettighetene dine.',
    notices: 'Personvernerklæringer',
    noticesText: 'Velg et selskap for å lese personvernerklæringen.',
    rights: 'Dine rettigheter',
    rightsText:
      'Be om en kopi av opplysningene dine, retting eller sletting, begrensning av eller innsigelse mot bruken, å få ta dem med deg, eller trekk tilbake et samtykke. Det er gratis.',
    makeRequest: 'Send en forespørsel',
    settings: 'Nyhetsbrev og SMS',
    settingsText:
      'Hver e-post vi sender har en lenke til kommunikasjonsinnstillingene dine. Har du mistet den? Skriv e-postadressen din, så sender vi en ny.',
    email: 'E-postadressen din',
    sendLink: 'Send meg lenken',
    cookies: 'Informasjonskapsler',
    cookiesText: 'Endre hvilke informasjonskapsler du tillater på nettstedet når du vil.',
    customize: 'Tilpass informasjonskapsler',
    linkSentTitle: 'Sjekk innboksen din',
    linkSent:
      'Hvis vi har e-postadressen din, har vi sendt deg en lenke til kommunikasjonsinnstillingene dine. Det kan ta noen minutter før den kommer.',
    back: 'Tilbake til personvernsenteret',
    badEmail: 'Skriv en gyldig e-postadresse, for eksempel navn@example.com.',
    mailSubject: (g) => `Kommunikasjonsinnstillingene dine hos ${g}`,
    mailBody: ({ group, links, days }) =>
      `Hei,\n\nDu har bedt om en lenke til kommunikasjonsinnstillingene dine hos ${group}. Åpne lenken for hvert selskap for å se og endre hva det kan sende deg:\n\n${links
        .map((l) => `${l.company}:\n${l.url}`)
        .join(
          '\n\n',
        )}\n\nLenkene gjelder i ${days} dager og virker bare for deg: ikke videresend e-posten.\nHvis du ikke har bedt om dette, kan du se bort fra e-posten; ingenting er endret.\n`,
  },
};

/** The language of a page: the one asked for, else the browser's (Accept-Language), else the fallback. */
export function pickLang(header: string | undefined, fallback: Language): Language {
  for (const part of (header ?? '').split(',')) {
    const tag = part.trim().slice(0, 2).toLowerCase();
    if (tag === 'no' || tag === 'nn' || tag === 'nb') return 'nb';
    if (tag === 'en' || tag === 'sv') return tag;
  }
  return fallback;
}

export type RequestPageStrings = {
  title: string;
  intro: string;
  company: string;
  allCompanies: string;
  type: string;
  email: string;
  name: string;
  details: string;
  lang: string;
  send: string;
  badEmail: string;
  badType: string;
  confirmTitle: string;
  confirmText: string;
  code: string;
  confirm: string;
  confirmedTitle: string;
  yourReference: string;
  confirmationSent: string;
  headCompany: string;
  headRequest: string;
  headAnswerBy: string;
  headComplain: string;
  answered: string;
  allOf: (group: string) => string;
  /** The form's and the code page's errors, in words (never a field path or a validator's text). */
  wrongCode: string;
  notAccepted: string;
  /** The confirmation page's way on. */
  nextTitle: string;
  nextText: string;
  another: string;
};

export const REQUEST_PAGE_STRINGS: Record<Language, RequestPageStrings> = {
  en: {
    title: 'Make a privacy request',
    intro:
      'Ask for a copy of your data (a register extract), to have it corrected or erased, to restrict or object to its use, to take it with you, or to withdraw a consent. It is free of charge. We answer within the time our privacy notice promises.',
    company: 'Company',
    allCompanies: 'All companies of the group',
    type: 'What do you want?',
    email: 'Your e-mail address',
    name: 'Your name (optional)',
    details: 'Details (optional)',
    lang: 'Language for our answer',
    send: 'Send request',
    badEmail: 'Enter a valid e-mail address, such as name@example.com.',
    badType: 'Choose what you want to ask for.',
    confirmTitle: 'Confirm your request',
    confirmText:
      'Thank you. We have sent a six-digit code to the e-mail address you gave. Enter it below to confirm that the request is yours. The code is valid for 15 minutes.',
    code: 'Code',
    confirm: 'Confirm',
    confirmedTitle: 'Request confirmed',
    yourReference: 'Your reference is',
    confirmationSent: 'We have sent you a confirmation by e-mail.',
    headCompany: 'Company',
    headRequest: 'Request',
    headAnswerBy: 'We answer by',
    headComplain: 'Where to complain',
    answered: 'answered',
    allOf: (g) => `All companies of ${g}`,
    wrongCode:
      'The code is wrong or has expired. Check the latest e-mail we sent you, or send the request again to get a new code.',
    notAccepted: 'Your request could not be accepted. Check what you entered and try again.',
    nextTitle: 'What happens next',
    nextText:
      'We answer you by e-mail by the date shown above; you do not need to do anything more. If we need to know more to find your data, we will write to you.',
    another: 'Make another request',
  },
  sv: {
    title: 'Gör en begäran om dina personuppgifter',
    intro:
      'Begär en kopia av dina uppgifter (ett registerutdrag), rättelse eller radering, begränsning av eller invändning mot hur de används, att få ta med dem, eller återkalla ett samtycke. Det är kostnadsfritt. Vi svarar inom den tid som vår integritetspolicy utlovar.',
    company: 'Bolag',
    allCompanies: 'Alla bolag i koncernen',
    type: 'Vad vill du göra?',
    email: 'Din e-postadress',
    name: 'Ditt namn (frivilligt)',
    details: 'Mer information (frivilligt)',
    lang: 'Språk för vårt svar',
    send: 'Skicka begäran',
    badEmail: 'Skriv en giltig e-postadress, till exempel namn@example.com.',
    badType: 'Välj vad du vill begära.',
    confirmTitle: 'Bekräfta din begäran',
    confirmText:
      'Tack. Vi har skickat en sexsiffrig kod till e-postadressen du angav. Skriv in den nedan för att bekräfta att begäran är din. Koden gäller i 15 minuter.',
    code: 'Kod',
    confirm: 'Bekräfta',
    confirmedTitle: 'Begäran bekräftad',
    yourReference: 'Ditt referensnummer är',
    confirmationSent: 'Vi har skickat en bekräftelse till din e-post.',
    headCompany: 'Bolag',
    headRequest: 'Begäran',
    headAnswerBy: 'Vi svarar senast',
    headComplain: 'Vart du kan klaga',
    answered: 'besvarad',
    allOf: (g) => `Alla bolag i ${g}`,
    wrongCode:
      'Koden är fel eller har gått ut. Kontrollera det senaste e-postmeddelandet från oss, eller skicka begäran igen för att få en ny kod.',
    notAccepted: 'Din begäran kunde inte tas emot. Kontrollera det du skrev och försök igen.',
    nextTitle: 'Vad händer nu',
    nextText:
      'Vi svarar dig via e-post senast det datum som står ovan; du behöver inte göra något mer. Om vi behöver veta mer för att hitta dina uppgifter skriver vi till dig.',
    another: 'Gör en ny begäran',
  },
  nb: {
    title: 'Send en forespørsel om personopplysningene dine',
    intro:
      'Be om en kopi av opplysningene dine (et registerutdrag), retting eller sletting, begrensning av eller innsigelse mot bruken, å få ta dem med deg, eller trekk tilbake et samtykke. Det er gratis. Vi svarer innen fristen personvernerklæringen vår lover.',
    company: 'Selskap',
    allCompanies: 'Alle selskapene i konsernet',
    type: 'Hva ønsker du?',
    email: 'E-postadressen din',
    name: 'Navnet ditt (valgfritt)',
    details: 'Mer informasjon (valgfritt)',
    lang: 'Språk for svaret vårt',
    send: 'Send forespørselen',
    badEmail: 'Skriv en gyldig e-postadresse, for eksempel navn@example.com.',
    badType: 'Velg hva du vil be om.',
    confirmTitle: 'Bekreft forespørselen din',
    confirmText:
      'Takk. Vi har sendt en sekssifret kode til e-postadressen du oppga. Skriv den inn nedenfor for å bekrefte at forespørselen er din. Koden gjelder i 15 minutter.',
    code: 'Kode',
    confirm: 'Bekreft',
    confirmedTitle: 'Forespørselen er bekreftet',
    yourReference: 'Referansen din er',
    confirmationSent: 'Vi har sendt deg en bekreftelse på e-post.',
    headCompany: 'Selskap',
    headRequest: 'Forespørsel',
    headAnswerBy: 'Vi svarer innen',
    headComplain: 'Hvor du kan klage',
    answered: 'besvart',
    allOf: (g) => `Alle selskapene i ${g}`,
    wrongCode:
      'Koden er feil eller utløpt. Sjekk den siste e-posten fra oss, eller send forespørselen på nytt for å få en ny kode.',
    notAccepted: 'Forespørselen din kunne ikke tas imot. Sjekk det du skrev, og prøv igjen.',
    nextTitle: 'Hva skjer nå',
    nextText:
      'Vi svarer deg på e-post innen datoen ovenfor; du trenger ikke gjøre noe mer. Hvis vi trenger å vite mer for å finne opplysningene dine, skriver vi til deg.',
    another: 'Send en ny forespørsel',
  },
};
