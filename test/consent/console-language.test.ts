/**
 * The console's audit log, consent desk and customer page, cookie consents, breaches, analytics exports,
 * audience segments and consent propagation in the browser's language (Accept-Language): Swedish words for
 * sv-SE, Norwegian (bokmål) for nb-NO, none of the English ones; English without the header. Real rows: the
 * demo's audit log, a customer's consent, a cookie choice, a breach recorded through the API, an
 * export-less analytics page, the demo's audience segments and a subscribed webhook endpoint.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { recordCookieConsent } from '../../src/services/consent/recordCookieConsent.ts';
import { SAME_ORIGIN } from '../security/helpers.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const NOW = new Date('2026-03-11T10:00:00Z');
const ORG = 'nestit-sverige';
const CONSENT_ID = 'visitor-lang-0001';

let t: TestServer;
let breachId = '';
let subjectId = '';

const call = (method: 'GET' | 'POST', url: string, payload?: object, lang?: string) =>
  t.server.inject({
    method,
    url,
    headers: {
      cookie: t.cookie,
      ...SAME_ORIGIN,
      ...(lang ? { 'accept-language': lang } : {}),
      ...(payload && method === 'POST' && url.startsWith('/console')
        ? { 'content-type': 'application/x-www-form-urlencoded' }
        : {}),
    },
    ...(payload
      ? {
          payload: url.startsWith('/console')
            ? new URLSearchParams(payload as Record<string, string>).toString()
            : payload,
        }
      : {}),
  });

/**
 * The page's own part (its <main>): the navigation around it is the shell's, translated on its own. The
 * <title> is kept, as the page names it.
 */
const page = async (url: string, lang?: string, form?: Record<string, string>) => {
  const res = await call(form ? 'POST' : 'GET', url, form, lang);
  expect(res.statusCode, `${url}: ${res.body.slice(0, 300)}`).toBeLessThan(500);
  const b = res.body;
  const title = b.slice(b.indexOf('<title>'), b.indexOf('</title>'));
  return `${title}\n${b.slice(b.indexOf('<main>'), b.indexOf('</main>'))}`;
};

beforeAll(async () => {
  t = await startTestServer({ now: () => NOW });
  const consent = await call('POST', `/api/v1/organizations/${ORG}/consents`, {
    identity: { email: 'sigrid.lang@example.se' },
    purpose: 'communication-subscription',
    channel: 'email',
    wording: 'Ja, skicka nyhetsbrevet till mig.',
    noticeVersion: 1,
    source: 'checkout',
  });
  expect(consent.statusCode, consent.body).toBe(201);
  await recordCookieConsent(
    t.app.db,
    {
      consentId: CONSENT_ID,
      org: ORG,
      action: 'accept-all',
      categories: { necessary: true, functional: true, analytics: true, marketing: true },
      inventoryVersion: 'v1',
      gpc: false,
      lang: 'sv',
      url: 'https://www.nestit.se/',
    },
    new Date('2026-03-10T08:00:00Z'),
  );
  const breach = await call('POST', '/api/v1/breaches', {
    title: 'Stulen bärbar dator',
    description: 'En bärbar dator med en export av webbutikens kunder stals.',
    detectedAt: NOW.toISOString(),
    awareAt: NOW.toISOString(),
    affected: [{ dataset: 'nestit_webshop', collection: 'customers' }],
    orgIds: [ORG],
  });
  expect(breach.statusCode, breach.body).toBe(201);
  breachId = (breach.json() as { id: string }).id;
  const hook = await call('POST', '/api/v1/webhooks/endpoints', {
    url: 'https://esp.example/hooks/ombud',
    orgId: ORG,
    description: 'Nyhetsbrevsverktyget',
  });
  expect(hook.statusCode, hook.body).toBe(201);
  const found = await call('POST', '/console/consent/find', {
    company: ORG,
    kind: 'email',
    value: 'sigrid.lang@example.se',
  });
  expect(found.statusCode, found.body).toBe(303);
  subjectId = String(found.headers.location).split('/').pop()!;
}, 120_000);
afterAll(async () => {
  await t?.close();
});

/** Each page with words of its language written by hand, and English words that must not be there. */
function cases(): { url: string; form?: Record<string, string>; sv: string[]; nb: string[]; en: string[] }[] {
  return [
    {
      url: '/console/audit',
      sv: [
        '<h1>Granskningslogg</h1>',
        'Kontrollera kedjan',
        'Hitta en utförare',
        'När (UTC)',
        'Exportera CSV',
      ],
      nb: [
        '<h1>Revisjonslogg</h1>',
        'Kontroller kjeden',
        'Navn eller e-postadresse',
        'Når (UTC)',
        'Eksporter CSV',
      ],
      en: ['Audit log', 'Verify chain', 'Find an actor', 'When (UTC)', 'Export CSV', 'newest first'],
    },
    {
      url: '/console/audit/verify',
      form: {},
      sv: ['Kedjan håller:', 'poster kontrollerade, ingen ändrad.'],
      nb: ['Kjeden er intakt:', 'oppføringer kontrollert, ingen endret.'],
      en: ['The chain verifies', 'entries checked'],
    },
    {
      url: '/console/consent',
      sv: [
        'Samtycken och kommunikationsinställningar',
        'Alla bolag jag ser',
        'E-postadress',
        'Ja tack och nej tack',
        'Ändamål · kanal',
      ],
      nb: [
        'Samtykker og kommunikasjonsinnstillinger',
        'Alle selskaper jeg ser',
        'E-postadresse',
        'Ja takk og nei takk',
        'Formål · kanal',
      ],
      en: ['Consent and communication settings', 'All companies I can see', 'Opt-in rate', 'Week of'],
    },
    {
      url: '/console/consent/find',
      form: { company: ORG, kind: 'phone', value: '+46701234567' },
      sv: ['Ingen kund hos NestIT Sverige AB har det telefonnumret i samtyckesregistret.'],
      nb: ['Ingen kunde hos NestIT Sverige AB har det telefonnummeret i samtykkeregisteret.'],
      en: ['No customer of'],
    },
    {
      url: `/console/consent/subjects/{subject}`,
      sv: [
        'berättigat intresse',
        'Historik (bevis)',
        'Stoppa all direktmarknadsföring',
        'får skickas',
        'Registrerad av',
        '← Sök en annan kund',
      ],
      nb: [
        'berettiget interesse',
        'Historikk (bevis)',
        'Stopp all direkte markedsføring',
        'kan sendes',
        'Registrert av',
        '← Finn en annen kunde',
      ],
      en: [
        'History (proof)',
        'Stop all direct marketing',
        'may send',
        'Recorded by',
        'Find another customer',
      ],
    },
    {
      url: '/console/cookie-consents/find',
      form: { consentId: CONSENT_ID },
      sv: [
        '<h1>Cookiesamtycken</h1>',
        `Samtycke ${CONSENT_ID}`,
        'Godkände alla',
        'Tillåtna kategorier',
        'Val per dag',
        'Andel med GPC per dag (%)',
        'Nya frågor',
      ],
      nb: [
        '<h1>Samtykker til informasjonskapsler</h1>',
        `Samtykke ${CONSENT_ID}`,
        'Godtok alle',
        'Tillatte kategorier',
        'Valg per dag',
        'Andel med GPC per dag (%)',
        'Nye spørsmål',
      ],
      en: [
        'Cookie consents',
        'Accepted all',
        'Categories allowed',
        'Choices per day',
        'Re-asks',
        'Share with GPC',
      ],
    },
    {
      url: '/console/breaches',
      sv: [
        '<h1>Personuppgiftsincidenter</h1>',
        'Vad som hände',
        '72-timmarsklocka',
        'klockan går',
        'Berörda personer',
      ],
      nb: [
        '<h1>Brudd på personopplysningssikkerheten</h1>',
        'Hva som skjedde',
        '72-timersklokke',
        'klokken går',
        'Berørte personer',
      ],
      en: ['Personal data breaches', 'What happened', '72-hour clock', 'clock running', 'People affected'],
    },
    {
      url: '/console/breaches/{breach}',
      sv: [
        '72 tim 0 min kvar',
        'Upptäckt',
        'Tidsfrist (72 tim)',
        'Inte avgränsad ännu',
        '1. Omfattning',
        'Avgränsa från datakartan',
        'Tidslinje',
      ],
      nb: [
        '72 t 0 min igjen',
        'Oppdaget',
        'Frist (72 t)',
        'Ikke avgrenset ennå',
        '1. Omfang',
        'Avgrens fra datakartet',
        'Tidslinje',
      ],
      en: [
        '72 h 0 min left',
        'Detected',
        'Deadline (72 h)',
        'Not scoped yet',
        'Scope from the data map',
        'Timeline',
      ],
    },
    {
      url: '/console/analytics',
      sv: ['<h1>Analys</h1>', 'Exporter i registret', 'Körda exporter (0)', 'Inga exporter ännu.'],
      nb: ['<h1>Analyse</h1>', 'Eksporter i registeret', 'Kjørte eksporter (0)', 'Ingen eksporter ennå.'],
      en: ['Analytics', 'Exports in the register', 'Exports run', 'No exports yet'],
    },
    {
      url: '/console/audiences',
      sv: [
        '<h1>Målgruppssegment</h1>',
        'Ändamål och rättslig grund',
        'Inte exporterat ännu.',
        'Den här processen når inte koncernens system',
      ],
      nb: [
        '<h1>Målgruppesegmenter</h1>',
        'Formål og behandlingsgrunnlag',
        'Ikke eksportert ennå.',
        'Denne prosessen når ikke konsernets systemer',
      ],
      en: [
        'Audience segments',
        'Purpose and basis',
        'Not exported yet',
        "does not reach the group's systems",
      ],
    },
    {
      url: '/console/webhooks',
      sv: [
        '<h1>Spridning av samtycken</h1>',
        'Anslutna system',
        'Misslyckade leveranser (0)',
        'Leveranslogg',
        'Beskrivning',
      ],
      nb: [
        '<h1>Spredning av samtykker</h1>',
        'Tilknyttede systemer',
        'Mislykkede leveranser (0)',
        'Leveringslogg',
        'Beskrivelse',
      ],
      en: ['Consent propagation', 'Subscribed systems', 'Dead letters', 'Delivery log', 'Description'],
    },
  ];
}

const urlOf = (u: string) => u.replace('{subject}', subjectId).replace('{breach}', breachId);

describe('the console pages in the browser language', () => {
  for (const [lang, key] of [
    ['sv-SE,sv;q=0.9,en;q=0.5', 'sv'],
    ['nb-NO,nb;q=0.9,en;q=0.5', 'nb'],
  ] as const) {
    test(`${key}: every page in its words, none in English`, async () => {
      for (const c of cases()) {
        const body = await page(urlOf(c.url), lang, c.form);
        for (const word of c[key]) expect(body, `${c.url} (${key}) lacks “${word}”`).toContain(word);
        for (const word of c.en) expect(body, `${c.url} (${key}) still says “${word}”`).not.toContain(word);
      }
    });
  }

  test('en: without Accept-Language the same pages speak English', async () => {
    for (const c of cases()) {
      const body = await page(urlOf(c.url), undefined, c.form);
      for (const word of c.en) expect(body, `${c.url} (en) lacks “${word}”`).toContain(word);
    }
  });
});
