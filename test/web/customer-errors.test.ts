/**
 * Customer-facing errors are pages (issue 15 item 3): a browser (Accept: text/html) that follows a broken
 * or expired link of the privacy center gets an HTML page in the chosen language that says what happened
 * and offers the way forward (a new settings link, a new request, the privacy center), never JSON and
 * never a field path; an API client keeps problem+json.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.ts';

let ts: TestServer;
beforeAll(async () => {
  ts = await startTestServer({ config: { secret: 'test-secret-0123456789abcdef0123456789abcdef' } });
});
afterAll(async () => {
  await ts?.close();
});

const BROWSER = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };
const TOKEN = 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
const text = (body: string) =>
  body
    .replace(/<style>[\s\S]*?<\/style>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ');
const actions = (body: string) =>
  [...body.matchAll(/<a class="button[^"]*" href="([^"]+)">([^<]+)<\/a>/g)].map((m) => [
    m[1]!.replace(/&amp;/g, '&'),
    m[2],
  ]);

// Written by hand: what each language says, and where the first button leads.
const SETTINGS = {
  en: ['This link does not work', 'Send me a new link to my settings', '/privacy?lang=en#settings'],
  sv: ['Länken fungerar inte', 'Skicka mig en ny länk till mina inställningar', '/privacy?lang=sv#settings'],
  nb: ['Lenken virker ikke', 'Send meg en ny lenke til innstillingene mine', '/privacy?lang=nb#settings'],
} as const;
const DOWNLOAD = {
  en: ['This link does not work', 'Make a new request', '/privacy/requests/new?lang=en'],
  sv: ['Länken fungerar inte', 'Gör en ny begäran', '/privacy/requests/new?lang=sv'],
  nb: ['Lenken virker ikke', 'Send en ny forespørsel', '/privacy/requests/new?lang=nb'],
} as const;
const NOT_FOUND = {
  en: ['Page not found', 'Back to the privacy center', '/privacy?lang=en'],
  sv: ['Sidan finns inte', 'Tillbaka till integritetscentret', '/privacy?lang=sv'],
  nb: ['Siden finnes ikke', 'Tilbake til personvernsenteret', '/privacy?lang=nb'],
} as const;

describe('customer-facing errors', () => {
  for (const lang of ['en', 'sv', 'nb'] as const)
    test.each([
      ['a settings link that is unknown', `/privacy/preferences/${TOKEN}`, 404, SETTINGS],
      ['a settings link cut short', '/privacy/preferences/abc', 400, SETTINGS],
      ['an unsubscribe link that is unknown', `/privacy/unsubscribe/${TOKEN}`, 404, SETTINGS],
      // A download link answers 410 whether it never existed or expired: it does not tell which.
      ['a download link that is unknown', `/privacy/requests/download/${TOKEN}`, 410, DOWNLOAD],
      ['a download link cut short', '/privacy/requests/download/x', 410, DOWNLOAD],
      ['a notice that does not exist', '/privacy/nope', 404, NOT_FOUND],
    ] as const)(`%s is a page in ${lang} with the way forward`, async (_what, path, status, words) => {
      const res = await ts.server.inject({ method: 'GET', url: `${path}?lang=${lang}`, headers: BROWSER });
      expect(res.statusCode).toBe(status);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.body).toContain(`<html lang="${lang}"`);
      const [title, action, href] = words[lang];
      expect(res.body).toContain(`<h1>${title}</h1>`);
      expect(actions(res.body)[0]).toEqual([href, action]);
      // Never JSON, never a field path or a validator's words.
      expect(text(res.body)).not.toMatch(/params\.token|Too small|"status"|\{"type"/);
    });

  test('an API client keeps problem+json for the same link', async () => {
    const res = await ts.server.inject({
      method: 'GET',
      url: `/privacy/preferences/${TOKEN}?lang=sv`,
      headers: { accept: 'application/json' },
    });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ status: 404, code: 'preference-link-invalid' });
  });
});
