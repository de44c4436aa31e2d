/**
 * The mail that tells a person affected by a high-risk breach (Art. 34(2)): in clear and plain language,
 * what happened, the contact point, the likely consequences and the measures taken or proposed (including
 * what the person can do), in English, Swedish or Norwegian. Pure: no address in it.
 */
import type { Language } from '../register/schema.ts';

export type Art34Facts = {
  company: string;
  description: string;
  consequences: string;
  measures: string;
  contactEmail: string;
  reference: string;
};

const T = {
  en: {
    subject: (c: string) => `${c}: a security incident involving your personal data`,
    hello: 'Hello,',
    what: 'What happened',
    consequences: 'What it may mean for you',
    measures: 'What we have done and what you can do',
    contact: (e: string) => `If you have questions, write to our data protection officer at ${e}.`,
    ref: 'Reference',
    sign: (c: string) => `Kind regards,\n${c}`,
  },
  sv: {
    subject: (c: string) => `${c}: en säkerhetsincident som rör dina personuppgifter`,
    hello: 'Hej,',
    what: 'Vad som har hänt',
    consequences: 'Vad det kan innebära för dig',
    measures: 'Vad vi har gjort och vad du kan göra',
    contact: (e: string) => `Har du frågor kan du skriva till vårt dataskyddsombud på ${e}.`,
    ref: 'Referens',
    sign: (c: string) => `Vänliga hälsningar,\n${c}`,
  },
  nb: {
    subject: (c: string) => `${c}: en sikkerhetshendelse som gjelder personopplysningene dine`,
    hello: 'Hei,',
    what: 'Hva som har skjedd',
    consequences: 'Hva det kan bety for deg',
    measures: 'Hva vi har gjort, og hva du kan gjøre',
    contact: (e: string) => `Har du spørsmål, kan du skrive til personvernombudet vårt på ${e}.`,
    ref: 'Referanse',
    sign: (c: string) => `Vennlig hilsen\n${c}`,
  },
} as const;

export function art34Mail(lang: Language, f: Art34Facts): { subject: string; body: string } {
  const w = T[lang];
  return {
    subject: w.subject(f.company),
    body: [
      w.hello,
      '',
      `${w.what}:`,
      f.description,
      '',
      `${w.consequences}:`,
      f.consequences,
      '',
      `${w.measures}:`,
      f.measures,
      '',
      w.contact(f.contactEmail),
      '',
      `${w.ref}: ${f.reference}`,
      '',
      w.sign(f.company),
      '',
    ].join('\n'),
  };
}

/** The language a person of this company is told in: the company's country's (sv, nb), else English. */
export const tellLanguage = (country: string | undefined): Language =>
  country === 'SE' ? 'sv' : country === 'NO' ? 'nb' : 'en';
