/** The customer's side of the request desk in the visitor's language: form, code page, confirmation. */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { codeIn, type DeskServer, startDesk } from './support.ts';
import { FORM } from '../support/http.ts';

describe('privacy center request pages in en, sv and nb', () => {
  let t: DeskServer;
  beforeAll(async () => {
    t = await startDesk();
  }, 60_000);
  afterAll(async () => t?.close());

  test('P25 P31 a Norwegian customer files from the notice link: form, code page and confirmation speak Norwegian, with the company chosen and Datatilsynet named', async () => {
    const form = await t.server.inject({
      method: 'GET',
      url: '/privacy/requests/new?lang=nb&company=provendo',
    });
    expect(form.statusCode).toBe(200);
    expect(form.headers['content-language']).toBe('nb');
    expect(form.body).toContain('<h1>Send en forespørsel om personopplysningene dine</h1>');
    expect(form.body).toContain('<option value="provendo" selected>Provendo AS</option>');
    expect(form.body).toContain('E-postadressen din');

    const sent = await t.server.inject({
      method: 'POST',
      url: '/privacy/requests',
      headers: FORM,
      payload: new URLSearchParams({
        company: 'provendo',
        type: 'access',
        email: 'ola.nordmann@example.no',
        lang: 'nb',
      }).toString(),
    });
    expect(sent.statusCode).toBe(303);
    const location = String(sent.headers.location);
    expect(location).toMatch(/^\/privacy\/requests\/verify\?s=[0-9a-f-]+&lang=nb$/);
    const codePage = await t.server.inject({ method: 'GET', url: location });
    expect(codePage.body).toContain('Bekreft forespørselen din');
    expect(codePage.body).toContain('sekssifret kode');

    const mail = await t.smtp.waitFor((m) => m.to.includes('ola.nordmann@example.no'));
    const s = new URL(location, 'http://x').searchParams.get('s')!;
    const wrong = await t.server.inject({
      method: 'POST',
      url: '/privacy/requests/verify',
      headers: FORM,
      payload: new URLSearchParams({ s, code: '000000', lang: 'nb' }).toString(),
    });
    expect(wrong.statusCode).toBe(422);
    expect(wrong.body).toContain('Bekreft forespørselen din');
    // The customer's words, in Norwegian: no field path, no validator text in English.
    expect(wrong.body).toContain(
      'Koden er feil eller utløpt. Sjekk den siste e-posten fra oss, eller send forespørselen på nytt for å få en ny kode.',
    );
    expect(wrong.body).not.toMatch(/code:|wrong or expired|Check the latest/);
    const ok = await t.server.inject({
      method: 'POST',
      url: '/privacy/requests/verify',
      headers: FORM,
      payload: new URLSearchParams({ s, code: codeIn(mail)!, lang: 'nb' }).toString(),
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain('<h1>Forespørselen er bekreftet</h1>');
    expect(ok.body).toContain('Vi svarer innen');
    expect(ok.body).toContain('Datatilsynet');
    // The answer date in Norwegian words ("6. januar 2027"), not an ISO date.
    expect(ok.body).toMatch(
      /<td>\d{1,2}\. (januar|februar|mars|april|mai|juni|juli|august|september|oktober|november|desember) \d{4}<\/td>/,
    );
    expect(ok.body).not.toMatch(/<td>\d{4}-\d{2}-\d{2}<\/td>/);
    // Not a dead end: what happens next, and the ways on.
    expect(ok.body).toContain('<h2>Hva skjer nå</h2>');
    expect(ok.body).toContain('<a class="button" href="/privacy?lang=nb">Tilbake til personvernsenteret</a>');
    expect(ok.body).toContain(
      '<a class="button secondary" href="/privacy/requests/new?lang=nb">Send en ny forespørsel</a>',
    );
  });

  test('without ?lang the browser language decides; a bad address is explained in that language and the choice is kept', async () => {
    const sv = await t.server.inject({
      method: 'GET',
      url: '/privacy/requests/new',
      headers: { 'accept-language': 'sv-SE,sv;q=0.9,en;q=0.5' },
    });
    expect(sv.body).toContain('<h1>Gör en begäran om dina personuppgifter</h1>');
    const en = await t.server.inject({ method: 'GET', url: '/privacy/requests/new' });
    expect(en.body).toContain('<h1>Make a privacy request</h1>');
    const bad = await t.server.inject({
      method: 'POST',
      url: '/privacy/requests',
      headers: FORM,
      payload: new URLSearchParams({
        company: 'bokhylla',
        type: 'erasure',
        email: 'nope',
        lang: 'sv',
      }).toString(),
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.body).toContain('Skriv en giltig e-postadress');
    expect(bad.body).toContain('<option value="bokhylla" selected>');
  });
});
