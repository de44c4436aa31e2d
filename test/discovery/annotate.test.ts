/** The drift rule and the draft, over a hand-made annotation and hand-made findings (pure). */
import { describe, expect, it } from 'vitest';
import { discoveryDrift, draftDiscovered } from '../../src/core/discovery/annotate.ts';
import type { ColumnFinding } from '../../src/core/discovery/columns.ts';
import { parseDatasetYaml } from '../../src/core/fulfilment/dataset.ts';

const [dataset] = parseDatasetYaml(`
dataset:
  - fides_key: shop
    ombud: { system: webshop }
    collections:
      - name: customers
        fields:
          - { name: id, data_categories: [system.operations], fides_meta: { primary_key: true } }
          - { name: email, data_categories: [user.contact.email], fides_meta: { identity: email } }
          - { name: ref, data_categories: [system.operations] }
`);

const finding = (
  table: string,
  column: string,
  kind: ColumnFinding['kind'],
  category: string,
): ColumnFinding => ({
  table,
  column,
  kind,
  category,
  confidence: 1,
  sampled: 40,
  matched: 40,
});

describe('drift', () => {
  it('names the columns that hold personal data and are not annotated as such', () => {
    const drift = discoveryDrift(dataset!, [
      finding('customers', 'email', 'email', 'user.contact.email'), // annotated: no drift
      finding('customers', 'ref', 'se-personnummer', 'user.government_id.national_identification_number'),
      finding('customers', 'iban', 'iban', 'user.financial.bank_account'),
      finding('payouts', 'card', 'payment-card', 'user.financial.credit_card'),
      finding('ombud_restrictions', 'note', 'free-text', 'user.content'), // Ombud's own table
    ]);
    expect(drift.map((d) => [d.severity, d.path, d.message])).toEqual([
      [
        'warning',
        'shop.customers.ref',
        "Column 'ref' of 'customers' is annotated as not personal data (system.operations), but holds personal data: Swedish personnummer in 40 of 40 sampled values (confidence 1.00).",
      ],
      [
        'warning',
        'shop.customers',
        "Column 'iban' of 'customers' is not annotated, but holds personal data: IBAN in 40 of 40 sampled values (confidence 1.00).",
      ],
      [
        'warning',
        'shop',
        "Table 'payouts' is not annotated, but its column 'card' holds personal data: payment card number in 40 of 40 sampled values (confidence 1.00).",
      ],
    ]);
  });

  it('drafts categories, identities and the confidence in the description', () => {
    const draft = draftDiscovered(
      'shop',
      'webshop',
      {
        tables: ['customers'],
        columns: [
          { table: 'customers', column: 'id', dataType: 'integer', nullable: false },
          { table: 'customers', column: 'contact', dataType: 'text', nullable: true },
          { table: 'customers', column: 'pnr', dataType: 'text', nullable: true },
        ],
        primaryKeys: [{ table: 'customers', column: 'id' }],
        foreignKeys: [],
      },
      [
        finding('customers', 'contact', 'email', 'user.contact.email'),
        {
          ...finding(
            'customers',
            'pnr',
            'se-personnummer',
            'user.government_id.national_identification_number',
          ),
          matched: 38,
          confidence: 0.95,
        },
      ],
    );
    expect(draft.collections[0]!.fields).toEqual([
      {
        name: 'id',
        data_categories: ['system.operations'],
        fides_meta: { data_type: 'integer', primary_key: true },
      },
      {
        name: 'contact',
        description: 'Discovered: e-mail address in 40 of 40 sampled values (confidence 1.00).',
        data_categories: ['user.contact.email'],
        fides_meta: { data_type: 'text', identity: 'email' },
      },
      {
        name: 'pnr',
        description: 'Discovered: Swedish personnummer in 38 of 40 sampled values (confidence 0.95).',
        data_categories: ['user.government_id.national_identification_number'],
        fides_meta: { data_type: 'text' },
      },
    ]);
  });
});
