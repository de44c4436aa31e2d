/**
 * Issue #13 defect 6: Fides datasets in `ombud dataset validate`. Fides' own field metadata (`fidesops_meta`
 * of older Fides, `fides_meta` of newer) is imported; a dataset without Ombud's `ombud:` block, or with any
 * other problem, is reported at file:line:column with exit 1, never as a stack trace; a folder is read as
 * its YAML files.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { buildGraph, traversalOrder } from '../../src/core/fulfilment/dataset.ts';
import { parseDatasetSources } from '../../src/core/retention/annotations.ts';
import { captureIo } from '../support/cli.ts';

// A dataset as Fides writes it (fidesops_meta on fields), with Ombud's system named.
const FIDES = `dataset:
  - fides_key: shop
    name: Shop
    ombud:
      system: webshop
    collections:
      - name: customers
        fields:
          - name: id
            data_categories: [system.operations]
            fidesops_meta:
              primary_key: true
              data_type: integer
          - name: email
            data_categories: [user.contact.email]
            fidesops_meta:
              identity: email
              data_type: string
              length: 254
      - name: orders
        fields:
          - name: id
            fidesops_meta: { primary_key: true }
          - name: customer_id
            data_categories: [user.unique_id]
            fidesops_meta:
              references:
                - dataset: shop
                  field: customers.id
                  direction: from
`;

// The same dataset straight from Fides: no ombud: block (line 2 is the dataset).
const NO_OMBUD = FIDES.replace('    ombud:\n      system: webshop\n', '');

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'ombud-fides-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

async function validate(args: string[]) {
  const c = captureIo();
  const code = await main(['dataset', 'validate', ...args], c.io);
  return { code, out: c.text(), err: c.errors() };
}

describe('Fides datasets in ombud dataset validate (#13 defect 6)', () => {
  test("fidesops_meta's primary keys, identities and references are imported: the dataset is valid and every collection is reached from an e-mail", async () => {
    const { datasets, findings } = parseDatasetSources([{ path: 'shop.yaml', text: FIDES }]);
    expect(findings).toEqual([]);
    const customers = datasets[0]!.collections[0]!;
    expect(customers.fields.map((f) => f.fides_meta)).toEqual([
      { primary_key: true, data_type: 'integer' },
      { identity: 'email', data_type: 'string' },
    ]);
    expect(traversalOrder(buildGraph(datasets), ['email']).order).toEqual(['shop.customers', 'shop.orders']);

    const dir = folder({ 'shop.yaml': FIDES });
    const r = await validate([join(dir, 'shop.yaml')]);
    expect(r.err).toBe('');
    expect(r.out).toBe('1 datasets, 2 collections: 0 errors.');
    expect(r.code).toBe(0);
  });

  test('a dataset without an ombud: block is an error at file:line:column naming what to add, exit 1, no stack trace', async () => {
    const dir = folder({ 'fides.yaml': NO_OMBUD });
    const file = join(dir, 'fides.yaml');
    const r = await validate([file]);
    expect(r.code).toBe(1);
    expect(r.err).not.toMatch(/ZodError|\n\s+at /);
    expect(r.err.split('\n')[0]).toBe(
      `${file}:2:5: error: dataset.0.ombud: The dataset names no register system. Add ombud: { system: <the id of a system in the register> }.`,
    );
  });

  test('a finding of the checks beyond the schema is located at file:line:column too', async () => {
    const dir = folder({
      'shop.yaml': FIDES.replace('field: customers.id', 'field: customers.number'),
    });
    const file = join(dir, 'shop.yaml');
    const r = await validate([file]);
    expect(r.code).toBe(1);
    // The field orders.customer_id, whose reference names no such field (line 24, column 13).
    expect(r.err).toMatch(new RegExp(`^${file}:24:13: error: shop\\.orders\\.customer_id`, 'm'));
  });

  test('a folder is read as its YAML files; a path that does not exist is a usage error (exit 2)', async () => {
    const dir = folder({ 'shop.yaml': FIDES, 'notes.txt': 'not a dataset' });
    const r = await validate([dir]);
    expect(r.err).toBe('');
    expect(r.out).toBe('1 datasets, 2 collections: 0 errors.');
    expect(r.code).toBe(0);

    const missing = await validate([join(dir, 'nope.yaml')]);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('nope.yaml');
    expect(missing.err).not.toMatch(/\n\s+at /);
  });
});
