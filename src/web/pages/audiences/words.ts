/** The console's audience segments page in English, Swedish and Norwegian (bokmål). Times stay UTC ISO. */
import { type Html, html } from '../../../core/html.ts';
import { catalogue } from '../../i18n/catalogue.ts';

export const audienceWords = catalogue(
  'audiences',
  {
    title: 'Audience segments',
    intro: (scheduler: Html) =>
      html`The segments the register defines for ad networks, built by the group from its own data. A network receives only hashed identifiers, by its own published rule; anyone who objected to direct marketing or to the purpose, is restricted or erased, or (for a purpose resting on consent) has not consented is left out. Each export holds the whole segment and the delta since the last one; an objection to a segment with removal at once writes a removal file straight away, and the next export lists the person for removal again. Scheduled exports run as ${scheduler}.`,
    noSystems: (start: Html, cmd: Html) =>
      html`This process does not reach the group's systems: exports run in the workers (${start}) or with ${cmd}.`,
    byHand: 'by hand only',
    rows: (n: number) => `${n} rows`,
    notExported: 'Not exported yet.',
    removedAtOnce: 'removed at once',
    kind: { scheduled: 'scheduled', manual: 'manual', removal: 'removal' } as Record<string, string>,
    byRule: (kind: string, by: string, rule: string) => `${kind} by ${by}, rule ${rule}`,
    skipped: (n: number) => `skipped ${n}`,
    runNow: 'Run export now',
    removalAtOnce: ' · removal at once',
    exported: 'exported',
    ran: (segment: string, members: number, added: number, removed: number, skipped: number) =>
      `${segment}: ${members} members, ${added} added, ${removed} removed, ${skipped} skipped.`,
    noCompany: 'No company you may read has audience segments.',
    head: [
      'Segment',
      'Purpose and basis',
      'Recipient and rule',
      'Schedule',
      'Members',
      'Last export',
      'Added / removed',
      'Left out',
      'Files',
      '',
    ],
    noSegments: 'The register defines no segments for this company.',
  },
  {
    sv: {
      title: 'Målgruppssegment',
      intro: (scheduler: Html) =>
        html`De segment som registret definierar för annonsnätverk, byggda av koncernen ur dess egna uppgifter. Ett nätverk får bara hashade identifierare, enligt nätverkets egen publicerade regel; den som har invänt mot direktmarknadsföring eller mot ändamålet, är begränsad eller raderad, eller (för ett ändamål som vilar på samtycke) inte har samtyckt utelämnas. Varje export innehåller hela segmentet och förändringen sedan den förra; en invändning mot ett segment med omedelbar borttagning skriver genast en borttagningsfil, och nästa export listar personen för borttagning igen. Schemalagda exporter körs som ${scheduler}.`,
      noSystems: (start: Html, cmd: Html) =>
        html`Den här processen når inte koncernens system: exporter körs i arbetsprocesserna (${start}) eller med ${cmd}.`,
      byHand: 'bara manuellt',
      rows: (n: number) => `${n} rader`,
      notExported: 'Inte exporterat ännu.',
      removedAtOnce: 'borttagen omedelbart',
      kind: { scheduled: 'schemalagd', manual: 'manuell', removal: 'borttagning' },
      byRule: (kind: string, by: string, rule: string) => `${kind} av ${by}, regel ${rule}`,
      skipped: (n: number) => `${n} överhoppade`,
      runNow: 'Kör export nu',
      removalAtOnce: ' · omedelbar borttagning',
      exported: 'exporterat',
      ran: (segment: string, members: number, added: number, removed: number, skipped: number) =>
        `${segment}: ${members} medlemmar, ${added} tillagda, ${removed} borttagna, ${skipped} överhoppade.`,
      noCompany: 'Inget bolag som du får läsa har målgruppssegment.',
      head: [
        'Segment',
        'Ändamål och rättslig grund',
        'Mottagare och regel',
        'Schema',
        'Medlemmar',
        'Senaste export',
        'Tillagda / borttagna',
        'Utelämnade',
        'Filer',
        '',
      ],
      noSegments: 'Registret definierar inga segment för det här bolaget.',
    },
    nb: {
      title: 'Målgruppesegmenter',
      intro: (scheduler: Html) =>
        html`Segmentene registeret definerer for annonsenettverk, bygget av konsernet fra egne opplysninger. Et nettverk mottar bare hashede identifikatorer, etter nettverkets egen publiserte regel; den som har fremmet innsigelse mot direkte markedsføring eller mot formålet, er begrenset eller slettet, eller (for et formål som bygger på samtykke) ikke har samtykket, utelates. Hver eksport inneholder hele segmentet og endringen siden forrige; en innsigelse mot et segment med umiddelbar fjerning skriver straks en fjerningsfil, og neste eksport lister personen for fjerning igjen. Planlagte eksporter kjøres som ${scheduler}.`,
      noSystems: (start: Html, cmd: Html) =>
        html`Denne prosessen når ikke konsernets systemer: eksporter kjøres i arbeidsprosessene (${start}) eller med ${cmd}.`,
      byHand: 'bare manuelt',
      rows: (n: number) => `${n} rader`,
      notExported: 'Ikke eksportert ennå.',
      removedAtOnce: 'fjernet umiddelbart',
      kind: { scheduled: 'planlagt', manual: 'manuell', removal: 'fjerning' },
      byRule: (kind: string, by: string, rule: string) => `${kind} av ${by}, regel ${rule}`,
      skipped: (n: number) => `${n} hoppet over`,
      runNow: 'Kjør eksport nå',
      removalAtOnce: ' · umiddelbar fjerning',
      exported: 'eksportert',
      ran: (segment: string, members: number, added: number, removed: number, skipped: number) =>
        `${segment}: ${members} medlemmer, ${added} lagt til, ${removed} fjernet, ${skipped} hoppet over.`,
      noCompany: 'Ingen selskaper du kan lese, har målgruppesegmenter.',
      head: [
        'Segment',
        'Formål og behandlingsgrunnlag',
        'Mottaker og regel',
        'Tidsplan',
        'Medlemmer',
        'Siste eksport',
        'Lagt til / fjernet',
        'Utelatt',
        'Filer',
        '',
      ],
      noSegments: 'Registeret definerer ingen segmenter for dette selskapet.',
    },
  },
);
