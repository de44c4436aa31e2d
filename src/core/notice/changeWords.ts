/**
 * A published notice's changes in the reader's language and in words ("We now share data for Orders
 * with payment providers"), for the notice's change history. The change records (diff.ts) keep ids; the
 * names come from the registers the versions were published from (a removed purpose or recipient from the
 * one before), and an id none of them has is shown as written.
 */
import type { RegisterIndex } from '../register/register-index.ts';
import { type Language, t } from '../register/schema.ts';
import type { NoticeChange } from './diff.ts';
import { countryName, durationWords, NOTICE_STRINGS } from './i18n.ts';

type Names = { P: string; what: string; who: string; countries: string; duration: string; basis: string };
type Sentences = Record<NoticeChange['kind'], (n: Names) => string>;

const WORDS: Record<Language, Sentences> = {
  en: {
    'purpose-added': (n) => `We now use your data for a new purpose: ${n.P}.`,
    'purpose-removed': (n) => `We no longer use data for ${n.P}.`,
    'category-added': (n) => `For ${n.P} we now also use ${n.what}.`,
    'category-removed': (n) => `For ${n.P} we no longer use ${n.what}.`,
    'legal-basis-added': (n) => `For ${n.P} we now also rely on ${n.basis} for ${n.what}.`,
    'legal-basis-removed': (n) => `For ${n.P} we no longer rely on ${n.basis} for ${n.what}.`,
    'recipient-added': (n) => `We now share data for ${n.P} with ${n.who}.`,
    'recipient-removed': (n) => `We no longer share data for ${n.P} with ${n.who}.`,
    'transfer-added': (n) =>
      `Data for ${n.P} is now transferred outside the EU/EEA, to ${n.countries}, through ${n.who}.`,
    'transfer-removed': (n) => `Data for ${n.P} is no longer transferred to ${n.countries}.`,
    'retention-longer': (n) => `We now keep data for ${n.P} longer${n.duration ? `: ${n.duration}` : ''}.`,
    'retention-changed': (n) => `We changed how long we keep data for ${n.P}, but not to keep it longer.`,
    'controller-details-changed': () => 'Our name, address or contact details changed.',
    'authority-changed': () => 'A different supervisory authority is named.',
    'joint-arrangement-changed': () =>
      "The arrangement between the group's companies that decide together changed: who answers you may have changed.",
    'wording-changed': (n) => `We reworded how we describe ${n.P}; what we do with your data did not change.`,
    'cookies-changed': () => 'The list of cookies changed.',
  },
  sv: {
    'purpose-added': (n) => `Vi använder nu dina uppgifter för ett nytt ändamål: ${n.P}.`,
    'purpose-removed': (n) => `Vi använder inte längre uppgifter för ${n.P}.`,
    'category-added': (n) => `För ${n.P} använder vi nu också ${n.what}.`,
    'category-removed': (n) => `För ${n.P} använder vi inte längre ${n.what}.`,
    'legal-basis-added': (n) => `För ${n.P} stöder vi oss nu också på ${n.basis} för ${n.what}.`,
    'legal-basis-removed': (n) => `För ${n.P} stöder vi oss inte längre på ${n.basis} för ${n.what}.`,
    'recipient-added': (n) => `Vi delar nu uppgifter för ${n.P} med ${n.who}.`,
    'recipient-removed': (n) => `Vi delar inte längre uppgifter för ${n.P} med ${n.who}.`,
    'transfer-added': (n) =>
      `Uppgifter för ${n.P} förs nu över utanför EU/EES, till ${n.countries}, genom ${n.who}.`,
    'transfer-removed': (n) => `Uppgifter för ${n.P} förs inte längre över till ${n.countries}.`,
    'retention-longer': (n) =>
      `Vi sparar nu uppgifter för ${n.P} längre${n.duration ? `: ${n.duration}` : ''}.`,
    'retention-changed': (n) =>
      `Vi har ändrat hur länge vi sparar uppgifter för ${n.P}, men inte längre än förut.`,
    'controller-details-changed': () => 'Vårt namn, vår adress eller våra kontaktuppgifter har ändrats.',
    'authority-changed': () => 'En annan tillsynsmyndighet anges.',
    'joint-arrangement-changed': () =>
      'Överenskommelsen mellan koncernens bolag som bestämmer gemensamt har ändrats: vem som svarar dig kan ha ändrats.',
    'wording-changed': (n) =>
      `Vi har formulerat om beskrivningen av ${n.P}; vad vi gör med dina uppgifter är detsamma.`,
    'cookies-changed': () => 'Listan över cookies har ändrats.',
  },
  nb: {
    'purpose-added': (n) => `Vi bruker nå opplysningene dine til et nytt formål: ${n.P}.`,
    'purpose-removed': (n) => `Vi bruker ikke lenger opplysninger til ${n.P}.`,
    'category-added': (n) => `For ${n.P} bruker vi nå også ${n.what}.`,
    'category-removed': (n) => `For ${n.P} bruker vi ikke lenger ${n.what}.`,
    'legal-basis-added': (n) => `For ${n.P} bygger vi nå også på ${n.basis} for ${n.what}.`,
    'legal-basis-removed': (n) => `For ${n.P} bygger vi ikke lenger på ${n.basis} for ${n.what}.`,
    'recipient-added': (n) => `Vi deler nå opplysninger for ${n.P} med ${n.who}.`,
    'recipient-removed': (n) => `Vi deler ikke lenger opplysninger for ${n.P} med ${n.who}.`,
    'transfer-added': (n) =>
      `Opplysninger for ${n.P} overføres nå utenfor EU/EØS, til ${n.countries}, gjennom ${n.who}.`,
    'transfer-removed': (n) => `Opplysninger for ${n.P} overføres ikke lenger til ${n.countries}.`,
    'retention-longer': (n) =>
      `Vi lagrer nå opplysninger for ${n.P} lenger${n.duration ? `: ${n.duration}` : ''}.`,
    'retention-changed': (n) =>
      `Vi har endret hvor lenge vi lagrer opplysninger for ${n.P}, men ikke lenger enn før.`,
    'controller-details-changed': () => 'Navnet, adressen eller kontaktopplysningene våre er endret.',
    'authority-changed': () => 'En annen tilsynsmyndighet er oppgitt.',
    'joint-arrangement-changed': () =>
      'Avtalen mellom selskapene i konsernet som bestemmer i fellesskap er endret: hvem som svarer deg kan ha endret seg.',
    'wording-changed': (n) =>
      `Vi har omformulert beskrivelsen av ${n.P}; hva vi gjør med opplysningene dine er det samme.`,
    'cookies-changed': () => 'Listen over informasjonskapsler er endret.',
  },
};

/** "Payment providers" → "payment providers" inside a sentence; an acronym or a name ("CRM", "NestIT") stays. */
const lowerFirst = (s: string) => (/^\p{Lu}\p{Ll}/u.test(s) ? s.charAt(0).toLowerCase() + s.slice(1) : s);

/** What a change record's subject names: "cat", "cat:basis", "recipient", "recipient:SE,US", "P1Y→P3Y". */
function namesOf(c: NoticeChange, lang: Language, registers: RegisterIndex[]): Names {
  // The first register that knows the purpose or the system names it (a removed one is in the older).
  const ix = registers.find((r) => !c.purpose || r.purposes.has(c.purpose)) ?? registers[0]!;
  const purpose = c.purpose ? ix.purposes.get(c.purpose) : undefined;
  const P = purpose ? lowerFirst(t(purpose.name, lang)) : (c.purpose ?? '');
  const subject = c.subject ?? '';
  const recipientName = (id: string) => {
    const r = (registers.find((x) => x.systems.has(id)) ?? ix).systems.get(id);
    return r ? (r.recipientCategory ? lowerFirst(t(r.recipientCategory, lang)) : r.name) : id;
  };
  const s = NOTICE_STRINGS[lang];
  const names: Names = { P, what: '', who: '', countries: '', duration: '', basis: '' };
  switch (c.kind) {
    case 'category-added':
    case 'category-removed':
      names.what = lowerFirst(ix.categoryLabel(subject, lang));
      break;
    case 'legal-basis-added':
    case 'legal-basis-removed': {
      const [cat = '', basis = ''] = subject.split(':');
      names.what = lowerFirst(ix.categoryLabel(cat, lang));
      const label = s.legalBases[basis as keyof typeof s.legalBases];
      names.basis = label ? lowerFirst(label) : basis;
      break;
    }
    case 'recipient-added':
    case 'recipient-removed':
      names.who = recipientName(subject);
      break;
    case 'transfer-added':
    case 'transfer-removed': {
      const [r = '', list = ''] = subject.split(':');
      names.who = recipientName(r);
      names.countries = list
        .split(',')
        .filter(Boolean)
        .map((code) => countryName(code, lang))
        .join(', ');
      break;
    }
    case 'retention-longer': {
      const after = subject.split('→')[1];
      names.duration = after && after !== '-' ? durationWords(after, lang) : '';
      break;
    }
  }
  return names;
}

/**
 * One change as a sentence in the reader's language, named from `registers` in order (the register the
 * version was published from, then the one before it, then the notice's own).
 */
export function changeInWords(c: NoticeChange, lang: Language, registers: RegisterIndex[]): string {
  return WORDS[lang][c.kind](namesOf(c, lang, registers));
}
