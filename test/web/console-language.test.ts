/**
 * Issue #16 item 6: the console speaks English, Swedish and Norwegian (bokmål), chosen per person on the
 * account page and otherwise following the browser's Accept-Language. The labels below are written by hand.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CATALOGUES } from '../../src/web/i18n/catalogue.ts';
import { SAME_ORIGIN, userWithRoles } from '../security/helpers.ts';
import { postForm, sessionCookie, signIn } from '../support/http.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/** What a DPO of one company sees in the navigation, per language, in order. */
const NAV = {
  en: [
    'Register',
    'Data flow',
    'Notices',
    'Requests',
    'Tasks',
    'Retention',
    'Holds',
    'Breaches',
    'Analytics',
    'Audit log',
    'People',
    'Consent',
    'Cookies',
    'Audiences',
    'Propagation',
    'Account',
  ],
  sv: [
    'Register',
    'Dataflöden',
    'Integritetspolicyer',
    'Begäranden',
    'Uppgifter',
    'Gallring',
    'Bevarandeplikt',
    'Incidenter',
    'Analys',
    'Granskningslogg',
    'Personer',
    'Samtycken',
    'Kakor',
    'Målgrupper',
    'Spridning',
    'Konto',
  ],
  nb: [
    'Register',
    'Dataflyt',
    'Personvernerklæringer',
    'Henvendelser',
    'Oppgaver',
    'Sletting',
    'Bevaringsplikt',
    'Avvik',
    'Analyse',
    'Revisjonslogg',
    'Personer',
    'Samtykker',
    'Informasjonskapsler',
    'Målgrupper',
    'Videreformidling',
    'Konto',
  ],
};

let ts: TestServer;
let dpo: { userId: string; cookie: string };
beforeAll(async () => {
  ts = await startTestServer();
  dpo = await userWithRoles(ts.app, ts.server, 'lang-dpo', [{ orgId: 'provendo', role: 'dpo' }]);
}, 120_000);
afterAll(() => ts?.close());

const page = (url: string, cookie: string, acceptLanguage?: string) =>
  ts.server.inject({
    method: 'GET',
    url,
    headers: {
      cookie,
      accept: 'text/html,*/*;q=0.8',
      ...(acceptLanguage ? { 'accept-language': acceptLanguage } : {}),
    },
  });

const navOf = (body: string) => {
  const nav = /<nav aria-label="[^"]*">([\s\S]*?)<\/nav>/.exec(body)?.[1] ?? '';
  return [...nav.matchAll(/<a [^>]*>([^<]*)<\/a>/g)].map((m) => m[1]);
};
const htmlLang = (body: string) => /<html lang="([^"]*)"/.exec(body)?.[1];
const choose = (cookie: string, language: string) =>
  postForm(ts.server, '/console/account/language', { language }, { cookie, ...SAME_ORIGIN });
const storedLanguage = async (userId: string) =>
  (
    await ts.app.db.query<{ language: string | null }>('SELECT language FROM users WHERE id = $1', [userId])
  )[0]!.language;
const languageAudits = async (userId: string) =>
  ts.app.db.query<{ details: { from: string; to: string } }>(
    "SELECT details FROM audit_log WHERE action = 'user.language' AND target = $1 ORDER BY seq",
    [`user:${userId}`],
  );

/** Every key, nested ones too (the records the compiler does not check: sections, actions, problem kinds). */
const keysOf = (v: unknown, prefix = ''): string[] =>
  v && typeof v === 'object'
    ? Object.entries(v).flatMap(([k, x]) => keysOf(x, `${prefix}${k}.`))
    : [prefix.slice(0, -1)];

test('the shell, people, console and console-problems areas say everything in sv and nb', () => {
  for (const area of ['shell', 'people', 'console', 'console-problems']) {
    const all = CATALOGUES.get(area);
    expect(all, area).toBeDefined();
    expect(keysOf(all!.sv), area).toEqual(keysOf(all!.en));
    expect(keysOf(all!.nb), area).toEqual(keysOf(all!.en));
  }
});

describe('the browser language decides when the person chose none', () => {
  test('no Accept-Language: English, <html lang="en">', async () => {
    const res = await page('/console', dpo.cookie);
    expect(res.statusCode).toBe(200);
    expect(navOf(res.body)).toEqual(NAV.en);
    expect(htmlLang(res.body)).toBe('en');
    expect(res.body).toContain('>Sign out</button>');
    expect(res.body).toContain('>Privacy center</a>');
    expect(res.body).toContain('>Menu</label>');
  });

  test('sv-SE: Swedish', async () => {
    const res = await page('/console', dpo.cookie, 'sv-SE,sv;q=0.9,en;q=0.5');
    expect(navOf(res.body)).toEqual(NAV.sv);
    expect(htmlLang(res.body)).toBe('sv');
    expect(res.body).toContain('>Logga ut</button>');
    expect(res.body).toContain('>Integritetscenter</a>');
    expect(res.body).toContain('>Meny</label>');
    expect(res.body).toContain('<nav aria-label="Konsol">');
  });

  test('nb-NO: Norwegian bokmål', async () => {
    const res = await page('/console', dpo.cookie, 'nb-NO,nb;q=0.9');
    expect(navOf(res.body)).toEqual(NAV.nb);
    expect(htmlLang(res.body)).toBe('nb');
    expect(res.body).toContain('>Logg ut</button>');
    expect(res.body).toContain('>Personvernsenter</a>');
  });

  test('the sign-in page and its refusal in Swedish', async () => {
    const form = await ts.server.inject({
      method: 'GET',
      url: '/console/login',
      headers: { 'accept-language': 'sv-SE' },
    });
    expect(htmlLang(form.body)).toBe('sv');
    expect(form.body).toContain('<h1>Logga in i Ombud</h1>');
    const wrong = await postForm(
      ts.server,
      '/console/login',
      { email: 'lang-dpo@staff.example', password: 'not the password at all' },
      { accept: 'text/html', 'accept-language': 'sv-SE' },
    );
    expect(wrong.statusCode).toBe(401);
    expect(wrong.body).toContain(
      'E-postadressen, lösenordet eller koden är fel, eller så är kontot tillfälligt låst efter upprepade misslyckade försök.',
    );
  });

  test('a console problem page speaks the browser language too', async () => {
    const res = await page('/console/no-such-page', dpo.cookie, 'sv-SE');
    expect(res.statusCode).toBe(404);
    expect(htmlLang(res.body)).toBe('sv');
    expect(res.body).toContain('<h1>Hittades inte</h1>');
    expect(res.body).toContain('Tillbaka till konsolen');
  });
});

describe("a person's own choice", () => {
  test('the account page offers the four choices, the browser checked', async () => {
    const res = await page('/console/account', dpo.cookie, 'sv-SE');
    expect(res.body).toContain('<h2>Konsolens språk</h2>');
    for (const label of ['Webbläsarens språk', 'English', 'Svenska', 'Norsk bokmål'])
      expect(res.body).toContain(`> ${label}</label>`);
    expect(res.body).toContain('value="browser" checked');
  });

  test('chose nb: Norwegian even when the browser asks for Swedish; audited', async () => {
    const res = await choose(dpo.cookie, 'nb');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/console/account');
    expect(await storedLanguage(dpo.userId)).toBe('nb');
    const shown = await page('/console', dpo.cookie, 'sv-SE');
    expect(navOf(shown.body)).toEqual(NAV.nb);
    expect(htmlLang(shown.body)).toBe('nb');
    const account = await page('/console/account', dpo.cookie, 'sv-SE');
    expect(account.body).toContain('<h2>Språk i konsollen</h2>');
    expect(account.body).toContain('value="nb" checked');
    expect((await languageAudits(dpo.userId)).map((r) => r.details)).toEqual([{ from: 'browser', to: 'nb' }]);
  });

  test("a bad value: a clear 400 in the person's language, nothing changed, nothing audited", async () => {
    const res = await choose(dpo.cookie, 'de');
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain(
      'Velg et av språkene i listen: nettleserens språk, English, Svenska eller Norsk bokmål.',
    );
    expect(await storedLanguage(dpo.userId)).toBe('nb');
    expect(await languageAudits(dpo.userId)).toHaveLength(1);
  });

  test("back to the browser's language: Accept-Language decides again", async () => {
    const res = await choose(dpo.cookie, 'browser');
    expect(res.statusCode).toBe(303);
    expect(await storedLanguage(dpo.userId)).toBeNull();
    expect(navOf((await page('/console', dpo.cookie, 'sv-SE')).body)).toEqual(NAV.sv);
    expect(navOf((await page('/console', dpo.cookie)).body)).toEqual(NAV.en);
    expect((await languageAudits(dpo.userId)).map((r) => r.details)).toEqual([
      { from: 'browser', to: 'nb' },
      { from: 'nb', to: 'browser' },
    ]);
  });

  test('an accepted invitation in Swedish makes the new person’s console Swedish', async () => {
    const invited = await ts.server.inject({
      method: 'POST',
      url: '/api/v1/users/invite',
      payload: {
        email: 'ny.handlaggare@staff.example',
        orgId: 'provendo',
        role: 'privacy-agent',
        lang: 'sv',
      },
      headers: { cookie: ts.cookie, ...SAME_ORIGIN, 'content-type': 'application/json' },
    });
    expect(invited.statusCode).toBe(201);
    const token = new URL(invited.json().inviteUrl).searchParams.get('token')!;
    const set = await postForm(ts.server, '/console/reset', { token, password: 'ett långt eget lösenord' });
    expect(set.statusCode).toBe(303);
    const login = await signIn(ts.server, {
      email: 'ny.handlaggare@staff.example',
      password: 'ett långt eget lösenord',
    });
    const res = await page('/console', sessionCookie(login));
    expect(htmlLang(res.body)).toBe('sv');
    expect(navOf(res.body)).toContain('Begäranden');
  });
});
