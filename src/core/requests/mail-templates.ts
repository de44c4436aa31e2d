/**
 * The mails of the request desk, in English, Swedish and Norwegian. Every answer to the customer
 * names the supervisory authority they can complain to (Art. 12(4), Art. 77). Pure: no I/O.
 */
import type { Language } from '../register/schema.ts';
import type { RequestType } from './workflow.ts';

export const MAIL_TEMPLATES = [
  'acknowledgement',
  'verification-code',
  'extension',
  'completion',
  'refusal-warning',
  'refusal',
  'fee',
  'no-data',
] as const;
export type MailTemplate = (typeof MAIL_TEMPLATES)[number];

export type AuthorityRef = {
  name: string;
  web: string;
  email?: string;
  /** The companies it is the authority of, when an answer speaks for several. */
  companies?: string;
};

export type MailInput = {
  lang: Language;
  company: string;
  reference: string;
  type?: RequestType;
  dueDate?: string;
  code?: string;
  codeMinutes?: number;
  reason?: string;
  refusedParts?: string;
  outcome?: string;
  /** A group request's one answer: each company's outcome, in the customer's words. */
  outcomes?: { company: string; text: string }[];
  /** A fee, formatted with its currency ("150.00 SEK"). */
  fee?: string;
  authority?: AuthorityRef;
  /** An answer for several companies names each one's authority (replaces `authority`). */
  authorities?: AuthorityRef[];
  /** The 'no-data' answer: the group and the companies searched. */
  group?: { name: string; companies: string[] };
};

const TYPE_NAMES: Record<Language, Record<RequestType, string>> = {
  en: {
    access: 'access (register extract)',
    rectification: 'rectification',
    erasure: 'erasure',
    restriction: 'restriction of processing',
    objection: 'objection',
    portability: 'data portability',
    'withdraw-consent': 'withdrawal of consent',
  },
  sv: {
    access: 'tillgång (registerutdrag)',
    rectification: 'rättelse',
    erasure: 'radering',
    restriction: 'begränsning av behandling',
    objection: 'invändning',
    portability: 'dataportabilitet',
    'withdraw-consent': 'återkallelse av samtycke',
  },
  nb: {
    access: 'innsyn (registerutskrift)',
    rectification: 'retting',
    erasure: 'sletting',
    restriction: 'begrensning av behandling',
    objection: 'protest',
    portability: 'dataportabilitet',
    'withdraw-consent': 'tilbaketrekking av samtykke',
  },
};

export const typeName = (type: RequestType, lang: Language) => TYPE_NAMES[lang][type];

function complaintLine(i: MailInput): string {
  const list = i.authorities?.length ? i.authorities : i.authority ? [i.authority] : [];
  if (!list.length) return '';
  const where = list
    .map(
      (a) => `${a.name}, ${a.web}${a.email ? `, ${a.email}` : ''}${a.companies ? ` (${a.companies})` : ''}`,
    )
    .join('; ');
  return {
    en: `If you are not satisfied with how we handle your request, you have the right to complain to the supervisory authority: ${where}.`,
    sv: `Om du inte är nöjd med hur vi hanterar din begäran har du rätt att klaga hos tillsynsmyndigheten: ${where}.`,
    nb: `Hvis du ikke er fornøyd med hvordan vi behandler henvendelsen din, har du rett til å klage til tilsynsmyndigheten: ${where}.`,
  }[i.lang];
}

type Rendered = { subject: string; text: string };

const NO_DATA: Record<
  Language,
  { lead: string; companies: string; result: Record<RequestType, string>; hint: string }
> = {
  en: {
    lead: 'Your request for {type}: we have searched the records of {companies}, and we hold no personal data about you.',
    companies: 'the companies of {group} ({list})',
    result: {
      access:
        'This is our answer under Article 15 of the GDPR: we do not process any personal data about you, so there is no register extract to send.',
      portability: 'There is therefore no data to hand over.',
      erasure: 'There is therefore nothing to erase.',
      rectification: 'There is therefore nothing to correct.',
      restriction: 'There is therefore nothing to restrict.',
      objection: 'We do not process your data, so there is nothing to stop.',
      'withdraw-consent': 'We do not process your data, so there is nothing to stop.',
    },
    hint: 'If you think we do hold data about you (for example under another e-mail address), reply to this message and tell us where you have been in contact with us.',
  },
  sv: {
    lead: 'Din begäran om {type}: vi har sökt i uppgifterna hos {companies} och behandlar inga personuppgifter om dig.',
    companies: 'bolagen i {group} ({list})',
    result: {
      access:
        'Detta är vårt svar enligt artikel 15 i dataskyddsförordningen: vi behandlar inga personuppgifter om dig, så det finns inget registerutdrag att skicka.',
      portability: 'Det finns därför inga uppgifter att lämna ut.',
      erasure: 'Det finns därför inget att radera.',
      rectification: 'Det finns därför inget att rätta.',
      restriction: 'Det finns därför inget att begränsa.',
      objection: 'Vi behandlar inga uppgifter om dig, så det finns inget att stoppa.',
      'withdraw-consent': 'Vi behandlar inga uppgifter om dig, så det finns inget att stoppa.',
    },
    hint: 'Om du tror att vi har uppgifter om dig (till exempel under en annan e-postadress) kan du svara på detta meddelande och berätta var du har haft kontakt med oss.',
  },
  nb: {
    lead: 'Kravet ditt om {type}: vi har søkt i opplysningene hos {companies}, og vi behandler ingen personopplysninger om deg.',
    companies: 'selskapene i {group} ({list})',
    result: {
      access:
        'Dette er svaret vårt etter artikkel 15 i personvernforordningen: vi behandler ingen personopplysninger om deg, så det finnes ingen registerutskrift å sende.',
      portability: 'Det finnes derfor ingen opplysninger å utlevere.',
      erasure: 'Det finnes derfor ingenting å slette.',
      rectification: 'Det finnes derfor ingenting å rette.',
      restriction: 'Det finnes derfor ingenting å begrense.',
      objection: 'Vi behandler ingen opplysninger om deg, så det er ingenting å stanse.',
      'withdraw-consent': 'Vi behandler ingen opplysninger om deg, så det er ingenting å stanse.',
    },
    hint: 'Hvis du mener at vi har opplysninger om deg (for eksempel under en annen e-postadresse), kan du svare på denne meldingen og fortelle hvor du har vært i kontakt med oss.',
  },
};

function noData(i: MailInput, lang: Language): Rendered {
  const w = NO_DATA[lang];
  const companies = i.group
    ? w.companies.replace('{group}', i.group.name).replace('{list}', i.group.companies.join(', '))
    : i.company;
  const subject = {
    en: `${i.company}: answer to your request (${i.reference})`,
    sv: `${i.company}: svar på din begäran (${i.reference})`,
    nb: `${i.company}: svar på henvendelsen din (${i.reference})`,
  }[lang];
  const lead = w.lead.replace('{type}', typeName(i.type!, lang)).replace('{companies}', companies);
  return { subject, text: `${lead}\n${w.result[i.type!]}\n${w.hint}` };
}

const T: Record<MailTemplate, (i: MailInput) => Record<Language, Rendered>> = {
  'no-data': (i) => ({ en: noData(i, 'en'), sv: noData(i, 'sv'), nb: noData(i, 'nb') }),
  acknowledgement: (i) => ({
    en: {
      subject: `${i.company}: we have received your request (${i.reference})`,
      text: `We have received your request for ${typeName(i.type!, 'en')}. Reference: ${i.reference}.\nWe will answer by ${i.dueDate} at the latest. Exercising your rights is free of charge.`,
    },
    sv: {
      subject: `${i.company}: vi har tagit emot din begäran (${i.reference})`,
      text: `Vi har tagit emot din begäran om ${typeName(i.type!, 'sv')}. Referens: ${i.reference}.\nVi svarar senast ${i.dueDate}. Det är kostnadsfritt att utöva dina rättigheter.`,
    },
    nb: {
      subject: `${i.company}: vi har mottatt henvendelsen din (${i.reference})`,
      text: `Vi har mottatt kravet ditt om ${typeName(i.type!, 'nb')}. Referanse: ${i.reference}.\nVi svarer senest ${i.dueDate}. Det er gratis å bruke rettighetene dine.`,
    },
  }),
  'verification-code': (i) => ({
    en: {
      subject: `${i.company}: your verification code`,
      text: `Your code to confirm your privacy request is ${i.code}. It is valid for ${i.codeMinutes} minutes.\nIf you did not make a request, ignore this message.`,
    },
    sv: {
      subject: `${i.company}: din verifieringskod`,
      text: `Din kod för att bekräfta din begäran är ${i.code}. Den gäller i ${i.codeMinutes} minuter.\nOm du inte har gjort någon begäran kan du bortse från meddelandet.`,
    },
    nb: {
      subject: `${i.company}: bekreftelseskoden din`,
      text: `Koden for å bekrefte henvendelsen din er ${i.code}. Den gjelder i ${i.codeMinutes} minutter.\nHvis du ikke har sendt noen henvendelse, kan du se bort fra denne meldingen.`,
    },
  }),
  extension: (i) => ({
    en: {
      subject: `${i.company}: we need more time for your request (${i.reference})`,
      text: `Your request needs more time than usual. We will answer by ${i.dueDate}.\nReason: ${i.reason}`,
    },
    sv: {
      subject: `${i.company}: vi behöver mer tid för din begäran (${i.reference})`,
      text: `Din begäran kräver mer tid än vanligt. Vi svarar senast ${i.dueDate}.\nSkäl: ${i.reason}`,
    },
    nb: {
      subject: `${i.company}: vi trenger mer tid til henvendelsen din (${i.reference})`,
      text: `Henvendelsen din krever mer tid enn vanlig. Vi svarer senest ${i.dueDate}.\nBegrunnelse: ${i.reason}`,
    },
  }),
  completion: (i) => {
    const rest = i.outcomes?.length
      ? i.outcomes.map((o) => `\n\n${o.company}:\n${o.text}`).join('')
      : i.outcome
        ? `\n${i.outcome}`
        : '';
    return {
      en: {
        subject: `${i.company}: your request is completed (${i.reference})`,
        text: `We have completed your request for ${typeName(i.type!, 'en')}.${rest}`,
      },
      sv: {
        subject: `${i.company}: din begäran är klar (${i.reference})`,
        text: `Vi har slutfört din begäran om ${typeName(i.type!, 'sv')}.${rest}`,
      },
      nb: {
        subject: `${i.company}: henvendelsen din er ferdigbehandlet (${i.reference})`,
        text: `Vi har fullført kravet ditt om ${typeName(i.type!, 'nb')}.${rest}`,
      },
    };
  },
  'refusal-warning': (i) => ({
    en: {
      subject: `${i.company}: about your request (${i.reference})`,
      text: `We consider your request for ${typeName(i.type!, 'en')} manifestly unfounded or excessive, and may refuse it or charge a reasonable fee.\nReason: ${i.reason}\nYou may reply to explain or to limit your request before we decide.`,
    },
    sv: {
      subject: `${i.company}: om din begäran (${i.reference})`,
      text: `Vi bedömer att din begäran om ${typeName(i.type!, 'sv')} är uppenbart ogrundad eller orimlig, och kan komma att avslå den eller ta ut en rimlig avgift.\nSkäl: ${i.reason}\nDu kan svara för att förklara eller begränsa din begäran innan vi beslutar.`,
    },
    nb: {
      subject: `${i.company}: om henvendelsen din (${i.reference})`,
      text: `Vi mener at kravet ditt om ${typeName(i.type!, 'nb')} er åpenbart grunnløst eller urimelig, og kan avslå det eller kreve et rimelig gebyr.\nBegrunnelse: ${i.reason}\nDu kan svare for å forklare eller begrense kravet før vi bestemmer oss.`,
    },
  }),
  refusal: (i) => ({
    en: {
      subject: `${i.company}: decision on your request (${i.reference})`,
      text: `We cannot ${i.refusedParts ? 'fully ' : ''}grant your request for ${typeName(i.type!, 'en')}.${i.refusedParts ? `\nRefused: ${i.refusedParts}` : ''}\nReason: ${i.reason}`,
    },
    sv: {
      subject: `${i.company}: beslut om din begäran (${i.reference})`,
      text: `Vi kan inte ${i.refusedParts ? 'helt ' : ''}tillmötesgå din begäran om ${typeName(i.type!, 'sv')}.${i.refusedParts ? `\nAvslaget gäller: ${i.refusedParts}` : ''}\nSkäl: ${i.reason}`,
    },
    nb: {
      subject: `${i.company}: vedtak om henvendelsen din (${i.reference})`,
      text: `Vi kan ikke ${i.refusedParts ? 'fullt ut ' : ''}imøtekomme kravet ditt om ${typeName(i.type!, 'nb')}.${i.refusedParts ? `\nAvslaget gjelder: ${i.refusedParts}` : ''}\nBegrunnelse: ${i.reason}`,
    },
  }),
  fee: (i) => ({
    en: {
      subject: `${i.company}: a fee for your request (${i.reference})`,
      text: `As we told you, we consider your request for ${typeName(i.type!, 'en')} manifestly unfounded or excessive. We will handle it for a reasonable fee of ${i.fee}, which covers our administrative cost.\nReason: ${i.reason}\nPlease pay quoting the reference ${i.reference}. We start the work when the fee is paid: until then the time to answer is paused, and the days you wait are added to our deadline. You may instead withdraw or limit your request.`,
    },
    sv: {
      subject: `${i.company}: en avgift för din begäran (${i.reference})`,
      text: `Som vi har meddelat bedömer vi att din begäran om ${typeName(i.type!, 'sv')} är uppenbart ogrundad eller orimlig. Vi handlägger den mot en rimlig avgift på ${i.fee}, som täcker våra administrativa kostnader.\nSkäl: ${i.reason}\nAnge referensen ${i.reference} när du betalar. Vi påbörjar arbetet när avgiften är betald: fram till dess står svarstiden still, och dagarna du väntar läggs till vår tidsfrist. Du kan i stället återkalla eller begränsa din begäran.`,
    },
    nb: {
      subject: `${i.company}: et gebyr for henvendelsen din (${i.reference})`,
      text: `Som vi har varslet, mener vi at kravet ditt om ${typeName(i.type!, 'nb')} er åpenbart grunnløst eller urimelig. Vi behandler det mot et rimelig gebyr på ${i.fee}, som dekker de administrative kostnadene våre.\nBegrunnelse: ${i.reason}\nOppgi referansen ${i.reference} når du betaler. Vi starter arbeidet når gebyret er betalt: til da står svarfristen stille, og dagene du venter legges til fristen vår. Du kan i stedet trekke tilbake eller begrense kravet.`,
    },
  }),
};

/** Subject and plain-text body of one mail; answers (all but the code) end with the complaint line. */
export function renderMail(template: MailTemplate, input: MailInput): Rendered {
  const r = T[template](input)[input.lang];
  const complaint = template === 'verification-code' ? '' : complaintLine(input);
  return { subject: r.subject, text: complaint ? `${r.text}\n\n${complaint}\n` : `${r.text}\n` };
}
