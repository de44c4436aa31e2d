/**
 * Issue 15 "done means", end to end on the embedded demo systems with mail on a real SMTP server: a Swedish
 * (and a Norwegian) access request from the form to the download reads entirely in the customer's language
 * (mail, the readable extract, the PDF), with no raw column name and with the transfer safeguards; the JSON
 * follows its published schema; an erasure's completion mail says what was deleted and what is kept until
 * when and why; a group erasure is answered by exactly one mail.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { renderPdf } from '../../src/services/fulfilment/pdf.ts';
import { type DeskApi, deskApi } from '../integration/support.ts';
import { launchBrowser, SCREENSHOTS } from '../support/browser.ts';
import { tickingClock } from '../support/clock.ts';
import { objectToSurveys } from '../support/http.ts';
import { type CaughtMail, codeIn, type DeskServer, startDesk } from './support.ts';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** Column names of the demo systems a customer must never read (hand list). */
const RAW_COLUMNS = [
  'amount_cents',
  'total_cents',
  'unit_price_cents',
  'seller_org',
  'customer_id',
  'customer_number',
  'created_at',
  'placed_at',
  'invoice_date',
  'last_activity_at',
  'order_analytics',
  'analysis_extracts',
  'amount cents',
  'total cents',
  'seller org',
  'created at',
  'order lines',
];

/** What the customer reads in each language (hand-written): words that must be there, English that must not. */
const WORDS = {
  sv: {
    company: 'nestit-sverige',
    legalName: 'NestIT Sverige AB',
    country: 'SE',
    completed: 'din begäran är klar',
    mail: ['Vi har slutfört din begäran om tillgång (registerutdrag).', 'Dina filer är klara.'],
    page: [
      'Dina personuppgifter hos NestIT Sverige AB',
      'Uppgifterna vi har om dig',
      'Dina fakturor',
      'Fakturadatum',
      'Belopp',
      'Varför och hur vi behandlar dina uppgifter',
      'Överföringar utanför EU/EES',
      'EU–US Data Privacy Framework',
      'Google LLC är certifierat enligt EU-U.S. Data Privacy Framework',
      'USA',
      'Automatiserade beslut',
      'Dina rättigheter',
      'Integritetsskyddsmyndigheten',
    ],
    currency: /\d+,\d\d\s?kr/,
  },
  // A Norwegian speaker who shops in the Swedish shop (the demo's customers are all Swedish).
  nb: {
    company: 'nestit-sverige',
    legalName: 'NestIT Sverige AB',
    country: 'SE',
    completed: 'henvendelsen din er ferdigbehandlet',
    mail: ['Vi har fullført kravet ditt om innsyn (registerutskrift).', 'Filene dine er klare.'],
    page: [
      'Personopplysningene dine hos NestIT Sverige AB',
      'Opplysningene vi har om deg',
      'Fakturaene dine',
      'Fakturadato',
      'Beløp',
      'Hvorfor og hvordan vi behandler opplysningene dine',
      'Overføringer utenfor EU/EØS',
      'EU–US Data Privacy Framework',
      'Google LLC er sertifisert under EU-U.S. Data Privacy Framework',
      'USA',
      'Automatiserte avgjørelser',
      'Rettighetene dine',
      'IMY',
    ],
    currency: /\d+,\d\d\s?SEK/,
  },
} as const;

/** English a Swedish or Norwegian customer must not meet (hand list). */
const ENGLISH = [
  'Your ',
  'your ',
  'request',
  'files are ready',
  'record(s)',
  'Categories',
  'Why we process',
  'Legal basis',
  'Recipients',
  'Web shop and order management',
  'Register extract',
];

const flat = (s: string) => s.replace(/[\u00a0\u202f\u2009]/g, ' ').replace(/\r\n/g, '\n');
/** The words of a mail, without its links. */
const wordsOf = (s: string) => flat(s).replace(/https?:\/\/\S+/g, '');
const textOf = (html: string) =>
  flat(
    html
      .replace(/<style>[\s\S]*?<\/style>/g, '')
      .replace(/<[^>]+>/g, ' ')
      .replace(/&amp;/g, '&')
      .replace(/&#39;/g, "'")
      .replace(/&quot;/g, '"'),
  );

describe('the customer’s language from the form to the download', () => {
  let s: DeskServer;
  let d: DeskApi;
  beforeAll(async () => {
    s = await startDesk({
      fulfilment: 'embedded',
      now: tickingClock('2026-11-25T10:00:00Z'),
      fulfilmentOptions: { pdf: renderPdf },
    });
    d = await deskApi(s);
  }, 180_000);
  afterAll(async () => s?.close());

  const shop = () => s.workers.subjectSystems!.connectors.get('nestit_webshop')!;
  /** A customer of the country with invoices, analysed orders (a transfer to the US) and a single invoice year. */
  async function customerOf(country: string, order: 'ASC' | 'DESC' = 'ASC') {
    const [who] = await shop().query<{ email: string; customer_number: string }>(
      `SELECT c.email, c.customer_number FROM customers c
        WHERE c.country = $1
          AND EXISTS (SELECT 1 FROM order_analytics a WHERE a.customer_number = c.customer_number)
          AND (SELECT COUNT(DISTINCT EXTRACT(YEAR FROM i.invoice_date)) FROM invoices i
                WHERE i.customer_number = c.customer_number) = 1
        ORDER BY c.id ${order} LIMIT 1`,
      [country],
    );
    if (!who) throw new Error(`the embedded seed has no suitable customer in ${country}`);
    return who;
  }

  /** File from the public form in `lang` and confirm with the mailed code, as the customer does. */
  async function fileFromForm(company: string, type: string, email: string, lang: 'sv' | 'nb') {
    const before = [...s.smtp.mails];
    const sent = await s.server.inject({
      method: 'POST',
      url: '/privacy/requests',
      headers: FORM,
      payload: new URLSearchParams({ company, type, email, lang }).toString(),
    });
    expect(sent.statusCode).toBe(303);
    const sub = new URL(String(sent.headers.location), 'http://x').searchParams.get('s')!;
    const seen = new Set(before);
    const mail = await s.smtp.waitFor(
      (m) => !seen.has(m) && m.to.includes(email) && codeIn(m) !== undefined,
      15_000,
    );
    const ok = await s.server.inject({
      method: 'POST',
      url: '/privacy/requests/verify',
      headers: FORM,
      payload: new URLSearchParams({ s: sub, code: codeIn(mail)!, lang }).toString(),
    });
    expect(ok.statusCode).toBe(200);
    const [row] = await s.app.db.query<{ id: string }>(
      'SELECT id FROM dsr_requests WHERE submission_id = $1',
      [sub],
    );
    return row!.id;
  }

  const download = async (mail: CaughtMail, label: RegExp) => {
    const line = mail.text.split('\n').find((l) => label.test(l));
    expect(line, `a line ${label} in the mail`).toBeDefined();
    const url = new URL(/https?:\/\/\S+/.exec(line!)![0]);
    return s.server.inject({ method: 'GET', url: url.pathname });
  };

  for (const lang of ['sv', 'nb'] as const) {
    test(`P25 P19 P31 an access request in ${lang} reads in ${lang} from the form to the download: mail, web page and PDF, no column names, the transfer safeguards; the JSON follows its schema`, async () => {
      const w = WORDS[lang];
      const who = await customerOf(w.country, lang === 'sv' ? 'ASC' : 'DESC');
      const id = await fileFromForm(w.company, 'access', who.email, lang);
      await d.waitForState(id, 'completed', 90_000);
      const mail = await s.smtp.waitFor(
        (m) => m.to.includes(who.email) && m.subject.includes(w.completed),
        15_000,
      );
      // The mail: in the language, the R- reference, no English.
      expect(mail.subject).toMatch(new RegExp(`^${w.legalName}: ${w.completed} \\(R-[0-9A-F]{8}\\)$`));
      const reference = /\((R-[0-9A-F]{8})\)/.exec(mail.subject)![1]!;
      for (const line of w.mail) expect(flat(mail.text)).toContain(line);
      for (const en of ENGLISH) expect(wordsOf(mail.text), en).not.toContain(en);

      // The readable extract opens in the browser, in the language, with the reference, not the id.
      const page = await download(mail, /(webbsida|nettside)/);
      expect(page.statusCode).toBe(200);
      expect(page.headers['content-disposition']).toMatch(/^inline;/);
      expect(page.headers['content-type']).toContain('text/html');
      expect(page.body).toContain(`<html lang="${lang}">`);
      expect(page.body).toContain(reference);
      expect(page.body).not.toContain(id);
      const text = textOf(page.body);
      for (const words of w.page) expect(text, words).toContain(words);
      expect(text).toMatch(w.currency);
      expect(text).toContain(who.email);
      for (const col of RAW_COLUMNS) expect(text, col).not.toContain(col);
      for (const en of ENGLISH) expect(text, en).not.toContain(en);
      expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}/);

      // The PDF: the same words, as poppler reads them; pages looked at as PNG.
      const pdf = await download(mail, /PDF/);
      expect(pdf.headers['content-type']).toBe('application/pdf');
      expect(pdf.headers['content-disposition']).toMatch(/^inline;/);
      mkdirSync(SCREENSHOTS, { recursive: true });
      const file = `${SCREENSHOTS}/extract-${lang}.pdf`;
      writeFileSync(file, pdf.rawPayload);
      const pdfText = flat(execFileSync('pdftotext', ['-layout', file, '-']).toString());
      for (const words of ['Dina rättigheter', 'Rettighetene dine'].filter((x) =>
        w.page.includes(x as never),
      ))
        expect(pdfText).toContain(words);
      expect(pdfText).toContain(reference);
      expect(pdfText).toContain(who.customer_number);
      expect(pdfText).toContain('EU–US Data Privacy Framework');
      for (const col of RAW_COLUMNS) expect(pdfText, col).not.toContain(col);
      for (const en of ENGLISH) expect(pdfText, en).not.toContain(en);
      execFileSync('pdftoppm', [
        '-png',
        '-r',
        '60',
        '-f',
        '1',
        '-l',
        '2',
        file,
        `${SCREENSHOTS}/extract-${lang}`,
      ]);

      // The JSON: saved, not opened; it names and follows the schema served at /schema/extract.schema.json.
      const json = await download(mail, /JSON/);
      expect(json.headers['content-disposition']).toMatch(/^attachment;/);
      const x = JSON.parse(json.body);
      const served = await s.server.inject({ method: 'GET', url: '/schema/extract.schema.json' });
      expect(served.statusCode).toBe(200);
      expect(x.$schema).toMatch(/\/schema\/extract\.schema\.json$/);
      const ajv = new Ajv2020({ strict: false, allErrors: true });
      const validate = ajv.compile(served.json());
      expect(validate(x), JSON.stringify(validate.errors)).toBe(true);
      expect(x).toMatchObject({ language: lang, request: { reference } });
      expect(x.processing.transfers).toContainEqual(
        expect.objectContaining({
          system: 'analytics',
          mechanism: 'eu-us-dpf',
          countries: [{ code: 'US', name: expect.any(String) }],
        }),
      );
      // A program still gets the values as stored: money in minor units, dates as ISO.
      const invoices = x.data.find((c: { collection: string }) => c.collection === 'invoices');
      expect(invoices.fields).toContainEqual(
        expect.objectContaining({ name: 'amount_cents', format: 'money_cents', currency: 'SEK' }),
      );
      expect(invoices.rows[0].invoice_date).toMatch(/^\d{4}-\d{2}-\d{2}$/);

      // Looked at in Chromium: the page and its print.
      const browser = await launchBrowser();
      try {
        const p = await browser.newPage({ viewport: { width: 1100, height: 900 } });
        await p.setContent(page.body, { waitUntil: 'load' });
        await p.screenshot({ path: `${SCREENSHOTS}/extract-${lang}.png`, fullPage: true });
        await p.setViewportSize({ width: 390, height: 800 });
        await p.screenshot({ path: `${SCREENSHOTS}/extract-${lang}-phone.png` });
        expect(await p.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
      } finally {
        await browser.close();
      }
    }, 180_000);
  }

  test('P14 P20 P28 an erasure in Swedish: the completion mail says what was deleted, and what is kept until when and why', async () => {
    const who = await customerOf('SE');
    const invoices = await shop().query<{ invoice_date: Date | string }>(
      'SELECT invoice_date FROM invoices WHERE customer_number = $1',
      [who.customer_number],
    );
    const year = new Date(invoices[0]!.invoice_date).getFullYear();
    const id = await fileFromForm('nestit-sverige', 'erasure', who.email, 'sv');
    expect((await d.api('POST', `/api/v1/requests/${id}/approve`, {})).statusCode).toBe(200);
    await d.waitForState(id, 'completed', 90_000);
    const mail = await s.smtp.waitFor(
      (m) =>
        m.to.includes(who.email) && /om radering/.test(m.text) && m.subject.includes('din begäran är klar'),
      15_000,
    );
    const lines = flat(mail.text).split('\n');
    expect(lines[0]).toBe('Vi har slutfört din begäran om radering.');
    // What was deleted, by the names the customer knows (hand list of what this customer has).
    const deleted = lines.find((l) => l.startsWith('Vi har raderat '))!;
    for (const words of [
      'dina kunduppgifter',
      'dina beställningar',
      'varorna i dina beställningar',
      'dina pseudonymiserade orderuppgifter för analyser',
    ])
      expect(deleted).toContain(words);
    expect(deleted).not.toContain('fakturor');
    // What is kept, until when and why (Bokföringslagen: to the end of the seventh year after the year).
    const n = invoices.length;
    expect(lines).toContain(
      `Vi behåller ${n} av dina fakturor till den 1 januari ${year + 8} eftersom bokföringslagen (1999:1078) 7 kap. 2 § kräver det.`,
    );
    for (const en of ENGLISH) expect(wordsOf(mail.text), en).not.toContain(en);
    expect(mail.text).not.toMatch(/bookkeeping-se|record\(s\)|system\(s\)/);
  }, 180_000);

  test('P33 P28 a group erasure known at three companies is answered by exactly one completion mail, with each company’s outcome', async () => {
    const email = `grupp-${crypto.randomUUID().slice(0, 8)}@example.se`;
    for (const org of ['bokhylla', 'provendo', 'nestit-sverige'])
      expect((await objectToSurveys(d.api, org, email)).statusCode).toBe(201);
    const groupId = await fileFromForm('group', 'erasure', email, 'sv');
    const group = (await d.api('GET', `/api/v1/requests/${groupId}`)).json();
    const children = Object.values(group.request.decision.routing.requests) as string[];
    expect(children.length).toBeGreaterThanOrEqual(2);
    for (const c of children)
      expect((await d.api('POST', `/api/v1/requests/${c}/approve`, {})).statusCode).toBe(200);
    for (const c of children) await d.waitForState(c, 'completed', 90_000);
    const completion = await s.smtp.waitFor(
      (m) => m.to.includes(email) && m.subject.includes('din begäran är klar'),
      15_000,
    );
    // Give a second mail time to arrive, if one were (wrongly) sent.
    await new Promise((r) => setTimeout(r, 1500));
    const completions = s.smtp.mails.filter(
      (m) => m.to.includes(email) && m.subject.includes('din begäran är klar'),
    );
    expect(completions).toHaveLength(1);
    const text = flat(completion.text);
    expect(text.startsWith('Vi har slutfört din begäran om radering.')).toBe(true);
    const companies = children.map(
      (c) =>
        ({ bokhylla: 'Bokhyllan Nordic AB', provendo: 'Provendo AS', 'nestit-sverige': 'NestIT Sverige AB' })[
          (group.request.decision.routing.requests as Record<string, string>)
            ? Object.entries(group.request.decision.routing.requests as Record<string, string>).find(
                ([, v]) => v === c,
              )![0]
            : ''
        ],
    );
    for (const c of companies) expect(text).toContain(`${c}:\n`);
    expect(text).toContain('Vi hittade inga uppgifter om dig att radera.');
    expect(text).not.toMatch(/record\(s\)|system\(s\)/);
    for (const en of ENGLISH) expect(text, en).not.toContain(en);
  }, 180_000);
});
