/** The console's consent propagation page in English, Swedish and Norwegian (bokmål). Times stay UTC ISO. */
import { catalogue } from '../../i18n/catalogue.ts';

export const propagationWords = catalogue(
  'propagation',
  {
    title: 'Consent propagation',
    intro:
      'Every consent change is sent to the systems below as a signed webhook (Standard Webhooks), retried with back-off',
    notRunning: 'the delivery worker is not running',
    all: 'all',
    yes: 'yes',
    no: 'no',
    replay: 'Replay',
    endpointsHead: ['URL', 'Organization', 'Description', 'Active'],
    endpointsTitle: 'Subscribed systems',
    deadHead: ['Delivery', 'Event', 'Receiver', 'Attempts', 'Last result', ''],
    deadTitle: (n: number) => `Dead letters (${n})`,
    logHead: ['Created', 'Event', 'Receiver', 'Status', 'Attempts', 'Last attempt', 'Last result'],
    logTitle: 'Delivery log',
    status: { pending: 'pending', delivered: 'delivered', dead: 'dead' } as Record<string, string>,
  },
  {
    sv: {
      title: 'Spridning av samtycken',
      intro:
        'Varje ändring av ett samtycke skickas till systemen nedan som en signerad webhook (Standard Webhooks), med nya försök på allt längre avstånd',
      notRunning: 'leveransprocessen körs inte',
      all: 'alla',
      yes: 'ja',
      no: 'nej',
      replay: 'Skicka igen',
      endpointsHead: ['URL', 'Bolag', 'Beskrivning', 'Aktiv'],
      endpointsTitle: 'Anslutna system',
      deadHead: ['Leverans', 'Händelse', 'Mottagare', 'Försök', 'Senaste resultat', ''],
      deadTitle: (n: number) => `Misslyckade leveranser (${n})`,
      logHead: ['Skapad', 'Händelse', 'Mottagare', 'Status', 'Försök', 'Senaste försök', 'Senaste resultat'],
      logTitle: 'Leveranslogg',
      status: { pending: 'väntar', delivered: 'levererad', dead: 'misslyckad' },
    },
    nb: {
      title: 'Spredning av samtykker',
      intro:
        'Hver endring av et samtykke sendes til systemene nedenfor som en signert webhook (Standard Webhooks), med nye forsøk med stadig lengre mellomrom',
      notRunning: 'leveringsprosessen kjører ikke',
      all: 'alle',
      yes: 'ja',
      no: 'nei',
      replay: 'Send på nytt',
      endpointsHead: ['URL', 'Selskap', 'Beskrivelse', 'Aktiv'],
      endpointsTitle: 'Tilknyttede systemer',
      deadHead: ['Levering', 'Hendelse', 'Mottaker', 'Forsøk', 'Siste resultat', ''],
      deadTitle: (n: number) => `Mislykkede leveranser (${n})`,
      logHead: ['Opprettet', 'Hendelse', 'Mottaker', 'Status', 'Forsøk', 'Siste forsøk', 'Siste resultat'],
      logTitle: 'Leveringslogg',
      status: { pending: 'venter', delivered: 'levert', dead: 'mislykket' },
    },
  },
);
