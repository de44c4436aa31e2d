/** The console's analytics exports page in English, Swedish and Norwegian (bokmål). Times stay UTC ISO. */
import { type Html, html } from '../../../core/html.ts';
import { catalogue } from '../../i18n/catalogue.ts';

export const analyticsWords = catalogue(
  'analytics',
  {
    title: 'Analytics',
    intro: (cmd: Html) =>
      html`Customer insight, trends and statistics without identities: each purpose's exports are defined in the register. An aggregate hides every cell behind fewer than k customers, and enough other cells that none can be worked out from the totals; pseudonymised rows carry a keyed pseudonym per series and never a name, an address, a customer number, free text or an exact time. Customers who objected or are restricted are left out, and behaviour in the group's channels only counts with the cookie and the communication consent. Run an export with ${cmd} or the API.`,
    leftOut: (restricted: number, objected: number, noConsent: number) =>
      `left out: ${restricted} restricted, ${objected} objecting, ${noConsent} without consent`,
    rows: (series: string, precision: string) =>
      `pseudonymised rows (series ${series}), times by ${precision}`,
    underK: (k: number | null, primary: number, complementary: number) =>
      `k = ${k}: ${primary} under k, ${complementary} hidden with them`,
    noise: (mechanism: string, epsilon: number, spent: number, budget: number) =>
      `; ${mechanism} noise ε ${epsilon} (budget ${spent} of ${budget} spent)`,
    kind: { aggregate: 'aggregate', rows: 'rows' } as Record<string, string>,
    definitionsHead: ['Purpose', 'Export', 'Kind', 'k'],
    noDefinitions: 'The register defines no analytics exports.',
    definitionsTitle: 'Exports in the register',
    exportsHead: ['Made', 'Company', 'Purpose / export', 'Records', 'Guarantee', 'File'],
    noExports: 'No exports yet.',
    exportsTitle: (n: number) => `Exports run (${n})`,
  },
  {
    sv: {
      title: 'Analys',
      intro: (cmd: Html) =>
        html`Kundinsikter, trender och statistik utan identiteter: varje ändamåls exporter definieras i registret. Ett aggregat döljer varje cell med färre än k kunder, och tillräckligt många andra celler för att ingen ska kunna räknas fram ur summorna; pseudonymiserade rader bär en nyckelbaserad pseudonym per serie och aldrig ett namn, en adress, ett kundnummer, fritext eller en exakt tidpunkt. Kunder som har invänt eller är begränsade utelämnas, och beteende i koncernens kanaler räknas bara med cookie- och kommunikationssamtycke. Kör en export med ${cmd} eller API:et.`,
      leftOut: (restricted: number, objected: number, noConsent: number) =>
        `utelämnade: ${restricted} begränsade, ${objected} med invändning, ${noConsent} utan samtycke`,
      rows: (series: string, precision: string) =>
        `pseudonymiserade rader (serie ${series}), tider per ${precision}`,
      underK: (k: number | null, primary: number, complementary: number) =>
        `k = ${k}: ${primary} under k, ${complementary} dolda tillsammans med dem`,
      noise: (mechanism: string, epsilon: number, spent: number, budget: number) =>
        `; ${mechanism}-brus ε ${epsilon} (${spent} av budgeten ${budget} förbrukad)`,
      kind: { aggregate: 'aggregat', rows: 'rader' },
      definitionsHead: ['Ändamål', 'Export', 'Typ', 'k'],
      noDefinitions: 'Registret definierar inga analysexporter.',
      definitionsTitle: 'Exporter i registret',
      exportsHead: ['Gjord', 'Bolag', 'Ändamål / export', 'Poster', 'Garanti', 'Fil'],
      noExports: 'Inga exporter ännu.',
      exportsTitle: (n: number) => `Körda exporter (${n})`,
    },
    nb: {
      title: 'Analyse',
      intro: (cmd: Html) =>
        html`Kundinnsikt, trender og statistikk uten identiteter: hvert formåls eksporter er definert i registeret. Et aggregat skjuler hver celle med færre enn k kunder, og nok andre celler til at ingen kan regnes ut fra summene; pseudonymiserte rader har et nøkkelbasert pseudonym per serie og aldri et navn, en adresse, et kundenummer, fritekst eller et eksakt tidspunkt. Kunder som har fremmet innsigelse eller er begrenset, utelates, og atferd i konsernets kanaler telles bare med samtykke til informasjonskapsler og kommunikasjon. Kjør en eksport med ${cmd} eller API-et.`,
      leftOut: (restricted: number, objected: number, noConsent: number) =>
        `utelatt: ${restricted} begrenset, ${objected} med innsigelse, ${noConsent} uten samtykke`,
      rows: (series: string, precision: string) =>
        `pseudonymiserte rader (serie ${series}), tider per ${precision}`,
      underK: (k: number | null, primary: number, complementary: number) =>
        `k = ${k}: ${primary} under k, ${complementary} skjult sammen med dem`,
      noise: (mechanism: string, epsilon: number, spent: number, budget: number) =>
        `; ${mechanism}-støy ε ${epsilon} (${spent} av budsjettet ${budget} brukt)`,
      kind: { aggregate: 'aggregat', rows: 'rader' },
      definitionsHead: ['Formål', 'Eksport', 'Type', 'k'],
      noDefinitions: 'Registeret definerer ingen analyseeksporter.',
      definitionsTitle: 'Eksporter i registeret',
      exportsHead: ['Laget', 'Selskap', 'Formål / eksport', 'Poster', 'Garanti', 'Fil'],
      noExports: 'Ingen eksporter ennå.',
      exportsTitle: (n: number) => `Kjørte eksporter (${n})`,
    },
  },
);
