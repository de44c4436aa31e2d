/**
 * Discovery on the demo group's own databases (test/support/nestit-systems.ts) on the real servers, with a
 * personnummer column added to the web shop's customers and a fødselsnummer column to the customer service's
 * cases: every column that holds personal data by its content is found, with the kind written below by
 * hand, and nothing else; the annotated columns it cannot see (personal data by relation: a quantity on a
 * customer's order line) are listed by hand too, and together the two lists are every personal-data column
 * of the shipped annotation. No sampled value reaches the output.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { customerEmail } from '../../src/demo/systems/seed.ts';
import { openPgliteConnector } from '../../src/services/fulfilment/connectors/pglite.ts';
import type { SqlConnector } from '../../src/services/fulfilment/connectors/types.ts';
import { captureIo } from '../support/cli.ts';
import { type NestitSystems, nestitSystems } from '../support/nestit-systems.ts';
import { prng } from '../../src/demo/systems/seed.ts';
import { fodselsnummer, personnummer } from './corpus.ts';

/** What discovery must find in the demo databases: table.column → kind (written by hand). */
const WEBSHOP: Record<string, string> = {
  'customers.customer_number': 'customer-number',
  'customers.email': 'email',
  'customers.phone': 'phone',
  'customers.first_name': 'name',
  'customers.last_name': 'name',
  'customers.street': 'street-address',
  'customers.postal_code': 'postal-code',
  'customers.city': 'city',
  'customers.country': 'country',
  'customers.personnummer': 'se-personnummer',
  'accounts.username': 'email',
  'orders.delivery_name': 'name',
  'orders.delivery_street': 'street-address',
  'orders.delivery_postal_code': 'postal-code',
  'orders.delivery_city': 'city',
  'invoices.customer_number': 'customer-number',
  'invoices.billing_name': 'name',
  'invoices.billing_email': 'email',
  'invoices.billing_street': 'street-address',
  'invoices.billing_postal_code': 'postal-code',
  'invoices.billing_city': 'city',
  'reviews.body': 'free-text',
  'newsletter_signups.email': 'email',
  'newsletter_signups.phone': 'phone',
  'survey_answers.customer_number': 'customer-number',
  'survey_answers.email': 'email',
  'survey_answers.comment': 'free-text',
  'analysis_extracts.customer_number': 'customer-number',
  'analysis_extracts.email': 'email',
  'order_analytics.customer_number': 'customer-number',
  'order_analytics.country': 'country',
};
const SERVICE: Record<string, string> = {
  'cases.customer_number': 'customer-number',
  'cases.email': 'email',
  'cases.phone': 'phone',
  'cases.contact_name': 'name',
  'cases.subject': 'free-text',
  'cases.sensitive_details': 'free-text',
  'cases.fodselsnummer': 'no-fodselsnummer',
  'messages.body': 'free-text',
};
/**
 * Annotated as personal data, but only by relation to a person (behaviour, amounts, dates, settings): not
 * visible in the values themselves, so not discovery's to find.
 */
const BY_RELATION = [
  'nestit_webshop.accounts.last_login_at',
  'nestit_webshop.orders.placed_at',
  'nestit_webshop.orders.total_cents',
  'nestit_webshop.order_lines.product_name',
  'nestit_webshop.order_lines.quantity',
  'nestit_webshop.order_lines.unit_price_cents',
  'nestit_webshop.invoices.invoice_date',
  'nestit_webshop.invoices.items',
  'nestit_webshop.invoices.amount_cents',
  'nestit_webshop.reviews.rating',
  'nestit_webshop.newsletter_signups.channels',
  'nestit_webshop.survey_answers.score',
  'nestit_webshop.analysis_extracts.product_sku',
  'nestit_webshop.order_analytics.product_sku',
  'nestit_webshop.order_analytics.items',
  'nestit_webshop.order_analytics.total_cents',
];

/**
 * Annotated, but in a table the demo seed leaves empty (the newsletters' opens and clicks: the analytics tests
 * fill their own): there is no value to sample, so not discovery's to find in the demo databases.
 */
const IN_EMPTY_TABLES = [
  'nestit_webshop.newsletter_events.email',
  'nestit_webshop.newsletter_events.event',
  'nestit_webshop.newsletter_events.occurred_at',
];

type Found = { table: string; column: string; kind: string; confidence: number };

async function discover(url: string, key: string) {
  const c = captureIo();
  const code = await main(['dataset', 'discover', '--connection', url, '--key', key, '--json'], c.io);
  expect(c.errors()).toBe('');
  expect(code).toBe(0);
  const text = c.text();
  return {
    text,
    doc: JSON.parse(text) as { findings: Found[]; columnsSampled: number; valuesSampled: number },
  };
}

const asTable = (found: Found[]) => Object.fromEntries(found.map((f) => [`${f.table}.${f.column}`, f.kind]));

/** Adds the identity-number column and fills it for the given rows (the numbers returned, to look for later). */
async function addIdentityColumn(
  c: SqlConnector,
  table: string,
  column: string,
  make: () => string,
  where: string,
): Promise<string[]> {
  await c.exec(`ALTER TABLE ${c.quote(table)} ADD COLUMN ${c.quote(column)} VARCHAR(20)`);
  const ids = await c.query<{ id: number }>(`SELECT id FROM ${c.quote(table)} WHERE ${where} ORDER BY id`);
  const numbers: string[] = [];
  for (const { id } of ids) {
    const v = make();
    numbers.push(v);
    await c.execute(
      `UPDATE ${c.quote(table)} SET ${c.quote(column)} = ${c.param(1)} WHERE id = ${c.param(2)}`,
      [v, id],
    );
  }
  return numbers;
}

describe.each([
  { webshop: 'postgres', service: 'mysql' },
  { webshop: 'mysql', service: 'postgres' },
] as const)(
  'discovery on the demo databases (web shop on $webshop, customer service on $service)',
  (kinds) => {
    let s: NestitSystems;
    let pnr: string[];
    let fnr: string[];
    beforeAll(async () => {
      s = await nestitSystems({ customers: 80, ...kinds });
      const r = prng(7);
      pnr = await addIdentityColumn(
        s.webshop.connector,
        'customers',
        'personnummer',
        () => personnummer(r),
        "country = 'SE'",
      );
      fnr = await addIdentityColumn(
        s.service.connector,
        'cases',
        'fodselsnummer',
        () => fodselsnummer(r),
        '1 = 1',
      );
    }, 120_000);
    afterAll(async () => {
      await s?.close();
    });

    it('finds every personal-data column of the web shop, and nothing else', async () => {
      const { text, doc } = await discover(s.webshop.url, 'nestit_webshop');
      expect(asTable(doc.findings)).toEqual(WEBSHOP);
      // No value is printed: not the customers' e-mail addresses, nor the identity numbers.
      for (const n of [1, 2, 3, 40]) expect(text).not.toContain(customerEmail(n));
      for (const v of pnr.slice(0, 10)) expect(text).not.toContain(v);
      expect(doc.valuesSampled).toBeGreaterThan(0);
    });

    it('finds every personal-data column of the customer service, and nothing else', async () => {
      const { text, doc } = await discover(s.service.url, 'nestit_customer_service');
      expect(asTable(doc.findings)).toEqual(SERVICE);
      for (const v of fnr.slice(0, 10)) expect(text).not.toContain(v);
    });

    it('together with the columns personal only by relation, covers every personal-data column of the annotation', async () => {
      const personal = s.datasets.flatMap((d) =>
        d.collections.flatMap((c) =>
          c.fields
            .filter((f) => f.data_categories.some((k) => !k.startsWith('system.')))
            .map((f) => `${d.fides_key}.${c.name}.${f.name}`),
        ),
      );
      const discovered = [
        ...Object.keys(WEBSHOP).map((k) => `nestit_webshop.${k}`),
        ...Object.keys(SERVICE).map((k) => `nestit_customer_service.${k}`),
      ];
      const added = ['nestit_webshop.customers.personnummer', 'nestit_customer_service.cases.fodselsnummer'];
      expect([...personal, ...added].sort()).toEqual(
        [...discovered, ...BY_RELATION, ...IN_EMPTY_TABLES].sort(),
      );
    });

    it('drafts the annotation with fideslang categories and a confidence', async () => {
      const c = captureIo();
      expect(
        await main(
          ['dataset', 'discover', '--connection', s.webshop.url, '--key', 'shop', '--system', 'webshop'],
          c.io,
        ),
      ).toBe(0);
      const yaml = c.text();
      expect(yaml).toContain('# ombud dataset discover:');
      expect(yaml).toMatch(
        /customers\.personnummer: Swedish personnummer → user\.government_id\.national_identification_number; Swedish personnummer in \d+ of \d+ sampled values \(confidence 1\.00\)/,
      );
      const { parseDatasetYaml } = await import('../../src/core/fulfilment/dataset.ts');
      const [draft] = parseDatasetYaml(
        yaml
          .split('\n')
          .filter((l) => !l.startsWith('#'))
          .join('\n'),
      );
      const customers = draft!.collections.find((x) => x.name === 'customers')!;
      const field = (n: string) => customers.fields.find((f) => f.name === n)!;
      expect(field('personnummer').data_categories).toEqual([
        'user.government_id.national_identification_number',
      ]);
      expect(field('email').data_categories).toEqual(['user.contact.email']);
      expect(field('email').fides_meta?.identity).toBe('email');
      expect(field('first_name').data_categories).toEqual(['user.name.first']);
      expect(field('email').description).toMatch(
        /^Discovered: e-mail address in \d+ of \d+ sampled values \(confidence 1\.00\)\.$/,
      );
      for (const v of pnr.slice(0, 10)) expect(yaml).not.toContain(v);
    });

    it('dataset validate reports drift: the added identity-number columns are not annotated', async () => {
      const c = captureIo();
      const code = await main(
        [
          'dataset',
          'validate',
          'examples/nestit/datasets',
          '--connection',
          `nestit_webshop=${s.webshop.url}`,
          '--connection',
          `nestit_customer_service=${s.service.url}`,
          '--register',
          'examples/nestit/register',
          '--json',
        ],
        c.io,
      );
      const doc = JSON.parse(c.text()) as {
        ok: boolean;
        warnings: number;
        findings: { severity: string; message: string }[];
      };
      expect(doc.findings.filter((f) => f.severity === 'error')).toEqual([]);
      expect(code).toBe(0);
      expect(
        doc.findings.map((f) => [f.severity, f.message.replace(/ \(confidence .*$/, '')]).sort(),
      ).toEqual([
        [
          'warning',
          `nestit_customer_service.cases: Column 'fodselsnummer' of 'cases' is not annotated, but holds personal data: Norwegian fødselsnummer in ${fnr.length} of ${fnr.length} sampled values`,
        ],
        [
          'warning',
          `nestit_webshop.customers: Column 'personnummer' of 'customers' is not annotated, but holds personal data: Swedish personnummer in ${pnr.length} of ${pnr.length} sampled values`,
        ],
      ]);
      expect(c.text()).not.toContain(pnr[0]!);
    });
  },
);

describe('discovery on an embedded database (PGlite)', () => {
  it('reads a pglite:/// data directory and finds its identity numbers', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ombud-discover-'));
    try {
      const c = await openPgliteConnector(dir);
      const r = prng(3);
      await c.exec('CREATE TABLE members (id INTEGER PRIMARY KEY, fnr TEXT, plan TEXT)');
      const rows = Array.from({ length: 30 }, (_, i) => [i + 1, fodselsnummer(r), i % 2 ? 'gold' : 'silver']);
      await c.execute(
        `INSERT INTO members VALUES ${rows.map((_, i) => `($${3 * i + 1}, $${3 * i + 2}, $${3 * i + 3})`).join(', ')}`,
        rows.flat(),
      );
      await c.close();
      const { doc } = await discover(`pglite://${dir}`, 'club');
      expect(asTable(doc.findings)).toEqual({ 'members.fnr': 'no-fodselsnummer' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 240_000);
});
