/**
 * The console speaks the browser's language (issue 16 item 6): with `Accept-Language: sv-SE` the request
 * queue, a request's page, the task list, retention and legal holds are in Swedish, with `nb-NO` in
 * Norwegian (bokmål), without the header in English. One real request (filed and verified by the mailed
 * code) and one manual task in the shipping system; the words expected are written here by hand. The
 * values sent in forms and URLs stay as they are in every language.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { notifyRecipient } from '../../src/services/fulfilment/recipients.ts';
import { type DeskApi, deskApi } from '../integration/support.ts';
import { type DeskServer, startDesk } from './support.ts';

describe('the console in Swedish, Norwegian and English', () => {
  let s: DeskServer;
  let d: DeskApi;
  let id: string;
  let reference: string;
  beforeAll(async () => {
    s = await startDesk();
    d = await deskApi(s);
    [id] = (await d.fileAndVerify({
      company: 'provendo',
      type: 'erasure',
      email: 'ola.nordmann@example.org',
    } as never)) as [string];
    reference = (await d.request(id)).request.reference;
    // A run waiting for the shipping system, as an erasure leaves it (the task belongs to a run).
    await s.app.db.query(
      `INSERT INTO fulfilment_runs (request_id, org_id, type, status) VALUES ($1, 'provendo', 'erasure', 'running')`,
      [id],
    );
    await notifyRecipient(
      s.app.db,
      { callbackBaseUrl: 'http://localhost' },
      {
        requestId: id,
        orgId: 'provendo',
        action: 'erasure',
        systemId: 'shipping',
        identities: {},
        now: s.app.now(),
      },
    );
  }, 120_000);
  afterAll(async () => s?.close());

  const page = async (url: string, language?: string) => {
    const res = await s.server.inject({
      method: 'GET',
      url,
      headers: { ...s.origin, ...(language ? { 'accept-language': language } : {}) },
    });
    expect(res.statusCode, url).toBe(200);
    return res.body;
  };

  test('Swedish with Accept-Language: sv-SE', async () => {
    const queue = await page('/console/requests', 'sv-SE');
    expect(queue).toContain('<h1>Begäranden</h1>');
    expect(queue).toContain('Ny begäran (brev, samtal, besök)');
    expect(queue).toContain('<button type="submit">Filtrera</button>');
    // The type and state in Swedish; the filter still sends the English values.
    expect(queue).toContain('<td>radering</td><td>verifierad</td>');
    expect(queue).toContain('<option value="erasure">radering</option>');
    expect(queue).toContain('Begäranden per typ');

    const one = await page(`/console/requests/${id}`, 'sv-SE');
    expect(one).toContain(`<h1>${reference} · radering</h1>`);
    expect(one).toContain('<th>Förfallodag</th>');
    expect(one).toContain('<th>Den registrerade</th>');
    expect(one).toContain('>verifierad<');
    expect(one).toContain('Påbörja arbetet');
    expect(one).toContain('Lägg till intern anteckning');
    expect(one).toContain('<h2>Händelser</h2>');
    // The timeline's events in Swedish, the stored kinds not shown.
    expect(one).toContain('<li><strong>mottagen</strong>');
    expect(one).toContain('<li><strong>identitet verifierad</strong>');
    expect(one).not.toContain('<strong>received</strong>');
    expect(one).toContain('name="action" value="start"');

    const tasks = await page('/console/fulfilment/tasks', 'sv-SE');
    expect(tasks).toContain('<h1>Uppgifter för verkställande</h1>');
    expect(tasks).toContain('<h2>shipping · 1 öppen</h2>');
    expect(tasks).toContain('Klar för dessa 1');
    expect(tasks).toContain('Finns inte där');

    const retention = await page('/console/retention', 'sv-SE');
    expect(retention).toContain('<h1>Gallring</h1>');
    expect(retention).toContain('<h2>Tidigare körningar</h2>');
    expect(retention).toContain('<h2>Manuella uppgifter</h2>');

    const outbox = await page('/console/outbox', 'sv-SE');
    expect(outbox).toContain('<h1>Utkorg</h1>');
    expect(outbox).toContain('<th>Ämne</th>');

    const holds = await page('/console/holds', 'sv-SE');
    expect(holds).toContain('<h1>Bevarandebeslut</h1>');
    expect(holds).toContain('Inga bevarandebeslut.');
    expect(holds).toContain('Fatta beslut');
    expect(holds).toContain('Bolag (personuppgiftsansvarig)');
  });

  test('Norwegian (bokmål) with Accept-Language: nb-NO', async () => {
    const queue = await page('/console/requests', 'nb-NO');
    expect(queue).toContain('<h1>Forespørsler</h1>');
    expect(queue).toContain('<td>sletting</td><td>verifisert</td>');
    expect(queue).toContain('<button type="submit">Filtrer</button>');

    const one = await page(`/console/requests/${id}`, 'nb-NO');
    expect(one).toContain(`<h1>${reference} · sletting</h1>`);
    expect(one).toContain('<th>Frist</th>');
    expect(one).toContain('>verifisert<');
    expect(one).toContain('Start arbeidet');
    expect(one).toContain('<li><strong>mottatt</strong>');
    expect(one).toContain('<li><strong>identitet bekreftet</strong>');

    const tasks = await page('/console/fulfilment/tasks', 'nb-NO');
    expect(tasks).toContain('<h1>Oppgaver for gjennomføring</h1>');
    expect(tasks).toContain('<h2>shipping · 1 åpen</h2>');
    expect(tasks).toContain('Utført for disse 1');

    const retention = await page('/console/retention', 'nb-NO');
    expect(retention).toContain('<h1>Sletting</h1>');
    expect(retention).toContain('<h2>Tidligere kjøringer</h2>');

    const holds = await page('/console/holds', 'nb-NO');
    expect(holds).toContain('<h1>Rettslige pålegg om bevaring</h1>');
    expect(holds).toContain('Legg inn pålegg');
    expect(holds).toContain('Selskap (behandlingsansvarlig)');
  });

  test('English without the header', async () => {
    const queue = await page('/console/requests');
    expect(queue).toContain('<h1>Requests</h1>');
    expect(queue).toContain('<td>erasure</td><td>verified</td>');
    const one = await page(`/console/requests/${id}`);
    expect(one).toContain(`<h1>${reference} · erasure</h1>`);
    expect(one).toContain('<th>Due date</th>');
    expect(one).toContain('Start work');
    const tasks = await page('/console/fulfilment/tasks');
    expect(tasks).toContain('<h1>Fulfilment tasks</h1>');
    expect(tasks).toContain('<h2>shipping · 1 open</h2>');
    expect(tasks).toContain('Done for these 1');
    expect(await page('/console/retention')).toContain('<h2>Past runs</h2>');
    const holds = await page('/console/holds');
    expect(holds).toContain('<h1>Legal holds</h1>');
    expect(holds).toContain('Place hold');
  });
});
