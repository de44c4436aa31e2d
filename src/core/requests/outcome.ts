/**
 * The outcome of a carried-out request in the customer's words (en, sv, nb): what was deleted, corrected or
 * restricted, named by the dataset annotations' labels ("your orders"), what is kept until when and under
 * which law, which recipients were told (Art. 19) and which held nothing, and the files of an access. A
 * group request's answer joins one such outcome per company. Pure: no I/O.
 */
import { dateInWords, listInWords } from '../locale.ts';
import type { Language } from '../register/schema.ts';

export type KeptFacts = {
  /** The collection's label in the language ("Your invoices"). */
  label: string;
  rows: number;
  /** The first day the rows may be erased (YYYY-MM-DD); none under a legal hold. */
  eraseOn?: string;
  /** Kept by a legal hold until it is lifted. */
  hold?: boolean;
  /** The law that keeps them, in the language ("the Swedish Bookkeeping Act …"). */
  law?: string;
};

export type OutcomeFacts = {
  type: 'access' | 'portability' | 'erasure' | 'rectification' | 'restriction';
  /** The labels of the collections changed (deleted, corrected, restricted), in the language. */
  changed: string[];
  kept: KeptFacts[];
  /** The recipients told (Art. 19) that carried the change out, as the customer reads their names. */
  told: string[];
  /** The recipients that answered they held none of the data. */
  notHeld: string[];
  /** An access or portability: the files, and the day their links stop working. */
  files?: { label: string; url: string }[];
  filesExpire?: string;
};

type Words = {
  done: Record<'erasure' | 'rectification' | 'restriction', (list: string) => string>;
  nothing: Record<'erasure' | 'rectification' | 'restriction', string>;
  keep: (n: number, label: string) => string;
  until: (date: string) => string;
  because: (law: string) => string;
  hold: string;
  told: (list: string) => string;
  notHeld: (name: string) => string;
  files: (date?: string) => string;
  fileLabels: Record<'extract.html' | 'extract.json' | 'extract.pdf' | 'portability.zip', string>;
};

const lower = (s: string) => (s ? s[0]!.toLowerCase() + s.slice(1) : s);

export const OUTCOME_WORDS: Record<Language, Words> = {
  en: {
    done: {
      erasure: (l) => `We have deleted ${l}.`,
      rectification: (l) => `We have corrected ${l}.`,
      restriction: (l) =>
        `We have restricted ${l}: we keep them stored only, and do not use them or contact you until the restriction ends.`,
    },
    nothing: {
      erasure: 'We found no data about you to delete.',
      rectification: 'We found no data about you to correct.',
      restriction: 'We found no data about you to restrict.',
    },
    keep: (n, label) => `We keep ${n} of ${lower(label)}`,
    until: (d) => `until ${d}`,
    because: (law) => `because ${law} requires it`,
    hold: 'because of a legal hold, until it is lifted',
    told: (l) => `We have told those who received your data from us: ${l}.`,
    notHeld: (n) => `${n} held none of your data.`,
    files: (d) =>
      d
        ? `Your files are ready. The links work until ${d}; download the files before then.`
        : 'Your files are ready.',
    fileLabels: {
      'extract.html': 'Your data, to read (web page)',
      'extract.pdf': 'Your data, to read (PDF)',
      'extract.json': 'Your data, for a program (JSON)',
      'portability.zip': 'The data you gave us, to take elsewhere (ZIP)',
    },
  },
  sv: {
    done: {
      erasure: (l) => `Vi har raderat ${l}.`,
      rectification: (l) => `Vi har rättat ${l}.`,
      restriction: (l) =>
        `Vi har begränsat behandlingen av ${l}: vi bara sparar uppgifterna och använder dem inte eller kontaktar dig förrän begränsningen upphör.`,
    },
    nothing: {
      erasure: 'Vi hittade inga uppgifter om dig att radera.',
      rectification: 'Vi hittade inga uppgifter om dig att rätta.',
      restriction: 'Vi hittade inga uppgifter om dig att begränsa.',
    },
    keep: (n, label) => `Vi behåller ${n} av ${lower(label)}`,
    until: (d) => `till den ${d}`,
    because: (law) => `eftersom ${law} kräver det`,
    hold: 'på grund av ett beslut om bevarande, tills det hävs',
    told: (l) => `Vi har informerat dem som har fått dina uppgifter från oss: ${l}.`,
    notHeld: (n) => `${n} hade inga av dina uppgifter.`,
    files: (d) =>
      d
        ? `Dina filer är klara. Länkarna fungerar till den ${d}; ladda ner filerna innan dess.`
        : 'Dina filer är klara.',
    fileLabels: {
      'extract.html': 'Dina uppgifter att läsa (webbsida)',
      'extract.pdf': 'Dina uppgifter att läsa (PDF)',
      'extract.json': 'Dina uppgifter för ett program (JSON)',
      'portability.zip': 'Uppgifterna du har gett oss, att ta med dig (ZIP)',
    },
  },
  nb: {
    done: {
      erasure: (l) => `Vi har slettet ${l}.`,
      rectification: (l) => `Vi har rettet ${l}.`,
      restriction: (l) =>
        `Vi har begrenset behandlingen av ${l}: vi bare lagrer opplysningene og bruker dem ikke eller kontakter deg før begrensningen opphører.`,
    },
    nothing: {
      erasure: 'Vi fant ingen opplysninger om deg å slette.',
      rectification: 'Vi fant ingen opplysninger om deg å rette.',
      restriction: 'Vi fant ingen opplysninger om deg å begrense.',
    },
    keep: (n, label) => `Vi beholder ${n} av ${lower(label)}`,
    until: (d) => `til ${d}`,
    because: (law) => `fordi ${law} krever det`,
    hold: 'på grunn av et pålegg om bevaring, til det oppheves',
    told: (l) => `Vi har varslet dem som har mottatt opplysningene dine fra oss: ${l}.`,
    notHeld: (n) => `${n} hadde ingen av opplysningene dine.`,
    files: (d) =>
      d ? `Filene dine er klare. Lenkene virker til ${d}; last ned filene før det.` : 'Filene dine er klare.',
    fileLabels: {
      'extract.html': 'Opplysningene dine å lese (nettside)',
      'extract.pdf': 'Opplysningene dine å lese (PDF)',
      'extract.json': 'Opplysningene dine for et program (JSON)',
      'portability.zip': 'Opplysningene du har gitt oss, å ta med deg (ZIP)',
    },
  },
};

/** The sentences of what is kept: one per collection and law, with the day (or days) it ends. */
function keptSentences(kept: KeptFacts[], lang: Language): string[] {
  const w = OUTCOME_WORDS[lang];
  const groups = new Map<string, KeptFacts[]>();
  for (const k of kept) {
    const key = `${k.label}\u0000${k.hold ? 'hold' : (k.law ?? '')}`;
    groups.set(key, [...(groups.get(key) ?? []), k]);
  }
  return [...groups.values()].map((g) => {
    const first = g[0]!;
    const rows = g.reduce((n, k) => n + k.rows, 0);
    if (first.hold) return `${w.keep(rows, first.label)} ${w.hold}.`;
    const why = first.law ? ` ${w.because(first.law)}` : '';
    const byDay = new Map<string, number>();
    for (const k of g) if (k.eraseOn) byDay.set(k.eraseOn, (byDay.get(k.eraseOn) ?? 0) + k.rows);
    const days = [...byDay].sort(([a], [b]) => a.localeCompare(b));
    if (days.length <= 1)
      return `${w.keep(rows, first.label)}${days[0] ? ` ${w.until(dateInWords(days[0][0], lang))}` : ''}${why}.`;
    const parts = days.map(([d, n]) => `${n} ${w.until(dateInWords(d, lang))}`);
    return `${w.keep(rows, first.label)}${why}: ${listInWords(parts, lang)}.`;
  });
}

/** The outcome as lines of the mail. */
export function outcomeInWords(o: OutcomeFacts, lang: Language): string {
  const w = OUTCOME_WORDS[lang];
  const lines: string[] = [];
  if (o.type === 'access' || o.type === 'portability') {
    lines.push(w.files(o.filesExpire ? dateInWords(o.filesExpire, lang) : undefined));
    for (const f of o.files ?? []) lines.push(`${f.label}: ${f.url}`);
    return lines.join('\n');
  }
  const changed = [...new Set(o.changed)].map(lower);
  lines.push(changed.length ? w.done[o.type](listInWords(changed, lang)) : w.nothing[o.type]);
  lines.push(...keptSentences(o.kept, lang));
  if (o.told.length) lines.push(w.told(listInWords(o.told, lang)));
  for (const n of o.notHeld) lines.push(w.notHeld(n));
  return lines.join('\n');
}

/** What the customer is told when a stop is applied or an objection decided. */
export const STOP_WORDS: Record<
  Language,
  { withdrawn: string; directMarketing: string; upheld: string; continued: (reasons: string) => string }
> = {
  en: {
    withdrawn: 'Your consent is withdrawn; we have stopped this processing.',
    directMarketing: 'We have stopped using your data for direct marketing.',
    upheld: 'Your objection is upheld: we have stopped this processing of your data.',
    continued: (r) =>
      `We have weighed your objection against our reasons and will continue the processing: ${r}`,
  },
  sv: {
    withdrawn: 'Ditt samtycke är återkallat; vi har slutat med den här behandlingen.',
    directMarketing: 'Vi har slutat använda dina uppgifter för direktmarknadsföring.',
    upheld: 'Vi godtar din invändning: vi har slutat med den här behandlingen av dina uppgifter.',
    continued: (r) => `Vi har vägt din invändning mot våra skäl och kommer att fortsätta behandlingen: ${r}`,
  },
  nb: {
    withdrawn: 'Samtykket ditt er trukket tilbake; vi har stanset denne behandlingen.',
    directMarketing: 'Vi har sluttet å bruke opplysningene dine til direkte markedsføring.',
    upheld: 'Vi tar protesten din til følge: vi har stanset denne behandlingen av opplysningene dine.',
    continued: (r) => `Vi har veid protesten din mot våre grunner og fortsetter behandlingen: ${r}`,
  },
};
