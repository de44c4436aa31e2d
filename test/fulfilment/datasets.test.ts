import { ensureOwnTables } from '../../src/services/fulfilment/ownTables.ts';
import { describe, expect, test } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { buildGraph, parseDatasetYaml, traversalOrder } from '../../src/core/fulfilment/dataset.ts';
import { validateDatasets } from '../../src/core/fulfilment/validate.ts';
import { createDemoSchema } from '../../src/demo/systems/seed.ts';
import { readDatasetDir } from '../../src/services/fulfilment/datasets.ts';
import { demoIndex } from '../support/nestit-systems.ts';
import { freshSystemDb } from '../support/systems.ts';
import { captureIo } from '../support/cli.ts';

const io = () => captureIo();

describe('dataset annotations', () => {
  test('traversal visits every collection after the ones it is found through', async () => {
    const g = buildGraph(await readDatasetDir());
    const t = traversalOrder(g);
    expect(t.unreachable).toEqual([]);
    expect(t.cycles).toEqual([]);
    const pos = (id: string) => t.order.indexOf(id);
    expect(pos('nestit_webshop.customers')).toBeLessThan(pos('nestit_webshop.orders'));
    expect(pos('nestit_webshop.orders')).toBeLessThan(pos('nestit_webshop.order_lines'));
    expect(pos('nestit_customer_service.cases')).toBeLessThan(pos('nestit_customer_service.messages'));
    expect(pos('nestit_webshop.customers')).toBeLessThan(pos('nestit_customer_service.cases'));
    // Given only an e-mail, a collection without e-mail is still reached through references.
    expect(traversalOrder(g, ['email']).order).toContain('nestit_webshop.order_lines');
  });

  test('the demo datasets are valid against the register', async () => {
    const index = await demoIndex();
    expect(validateDatasets(await readDatasetDir(), { register: index.register })).toEqual([]);
  });

  test("P20 P14 validation reports a company with a bookkeeping duty whose invoices no legal rule keeps, or keeps under another country's rule", async () => {
    const index = await demoIndex();
    const dir = await readDatasetDir();
    const withInvoiceRules = (rules: object[]) =>
      dir.map((d) => ({
        ...d,
        collections: d.collections.map((c) =>
          c.name === 'invoices'
            ? { ...c, ombud: { ...c.ombud!, retention: { ...c.ombud!.retention!, rules } } }
            : c,
        ),
      })) as typeof dir;
    // As the demo was: only NestIT Sverige's invoices met the Swedish rule; Bokhyllan's would be erased.
    const before = withInvoiceRules([
      { rule: 'bookkeeping-se', when: { field: 'seller_org', equals: 'nestit-sverige' } },
      { rule: 'bookkeeping-no', when: { field: 'seller_org', equals: 'provendo' } },
    ]);
    expect(
      validateDatasets(before, { register: index.register }).map((f) => `${f.path}: ${f.message}`),
    ).toEqual([
      "nestit_webshop.invoices.ombud.retention.rules: Rows of 'nestit-group' in 'invoices' meet no legal rule, so they would be erased although purpose 'bookkeeping' keeps them under 'bookkeeping-se'.",
      "nestit_webshop.invoices.ombud.retention.rules: Rows of 'bokhylla' in 'invoices' meet no legal rule, so they would be erased although purpose 'bookkeeping' keeps them under 'bookkeeping-se'.",
    ]);
    // A Swedish company under the Norwegian rule is the wrong law.
    const wrongCountry = withInvoiceRules([
      { rule: 'bookkeeping-se', when: { field: 'seller_org', in: ['nestit-sverige', 'nestit-group'] } },
      { rule: 'bookkeeping-no', when: { field: 'seller_org', in: ['provendo', 'bokhylla'] } },
    ]);
    expect(validateDatasets(wrongCountry, { register: index.register }).map((f) => f.message)).toEqual([
      "Rows of 'bokhylla' (SE) in 'invoices' fall under 'bookkeeping-no', a rule of NO: purpose 'bookkeeping' keeps them under 'bookkeeping-se'.",
    ]);
  });

  test('validation names unknown categories, rules, systems, missing keys, unreachable collections and cycles', async () => {
    const index = await demoIndex();
    const ds = parseDatasetYaml(`
dataset:
  - fides_key: bad
    ombud: { system: no-such-system }
    collections:
      - name: people
        ombud: { retention: { rules: [{ rule: order-data }], trigger_field: created } }
        fields:
          - { name: email, data_categories: [user.contact.mail], fides_meta: { identity: email } }
      - name: lonely
        fields:
          - { name: id, fides_meta: { primary_key: true } }
      - name: a
        fields:
          - { name: id, fides_meta: { primary_key: true, references: [{ dataset: bad, field: b.id }] } }
      - name: b
        fields:
          - { name: id, fides_meta: { primary_key: true, references: [{ dataset: bad, field: a.id }] } }
`);
    const msgs = validateDatasets(ds, { register: index.register }).map((f) => `${f.path}: ${f.message}`);
    expect(msgs).toEqual(
      expect.arrayContaining([
        "bad.ombud.system: System 'no-such-system' is not in the register.",
        "bad.people: Collection 'people' has no primary key.",
        "bad.people.email: Unknown data category 'user.contact.mail'.",
        "bad.people.ombud.retention: Retention rule 'order-data' is not a legal rule.",
        "bad.lonely: Collection 'bad.lonely' cannot be reached from any identity (e-mail, phone, customer number).",
      ]),
    );
    expect(msgs.some((m) => m.includes('bad.a') && m.includes('cannot be reached'))).toBe(true);
  });

  test.each(['postgres', 'mysql'] as const)(
    'ombud dataset generate drafts from a live %s schema and validate checks it',
    async (kind) => {
      const sys = await freshSystemDb(kind);
      try {
        await createDemoSchema(sys.connector, 'webshop');
        // Ombud's own tables in the database (markers, runs, their versions) are not drafted.
        await ensureOwnTables(sys.connector);
        const g = io();
        expect(
          await main(
            ['dataset', 'generate', '--connection', sys.url, '--key', 'shop', '--system', 'webshop'],
            g.io,
          ),
        ).toBe(0);
        const yaml = g.out.join('\n');
        const [draft] = parseDatasetYaml(yaml);
        expect(draft!.collections.map((c) => c.name).sort()).toEqual([
          'accounts',
          'analysis_extracts',
          'customers',
          'invoices',
          'newsletter_events',
          'newsletter_signups',
          'order_analytics',
          'order_lines',
          'orders',
          'reviews',
          'survey_answers',
        ]);
        const orders = draft!.collections.find((c) => c.name === 'orders')!;
        expect(orders.fields.find((f) => f.name === 'id')!.fides_meta?.primary_key).toBe(true);
        expect(orders.fields.find((f) => f.name === 'customer_id')!.fides_meta?.references).toEqual([
          { dataset: 'shop', field: 'customers.id', direction: 'from' },
        ]);
        const customers = draft!.collections.find((c) => c.name === 'customers')!;
        expect(customers.fields.find((f) => f.name === 'email')!.fides_meta?.identity).toBe('email');

        // The shipped annotation validates against this live database and the register …
        const ok = io();
        const code = await main(
          [
            'dataset',
            'validate',
            'examples/nestit/datasets/webshop.yaml',
            '--connection',
            `nestit_webshop=${sys.url}`,
            '--register',
            'examples/nestit/register',
          ],
          ok.io,
        );
        expect(ok.err).toEqual([]);
        expect(code).toBe(0);
        // … and a database without a column the annotation names is refused.
        await sys.connector.exec('ALTER TABLE reviews DROP COLUMN body');
        const bad = io();
        expect(
          await main(
            [
              'dataset',
              'validate',
              'examples/nestit/datasets/webshop.yaml',
              '--connection',
              `nestit_webshop=${sys.url}`,
            ],
            bad.io,
          ),
        ).toBe(1);
        expect(bad.err.join('\n')).toContain("Column 'body' does not exist in table 'reviews'");
      } finally {
        await sys.drop();
      }
    },
  );
});
