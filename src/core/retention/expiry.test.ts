import { describe, expect, test } from 'vitest';
import type { Collection } from '../fulfilment/dataset.ts';
import type { RetentionRule } from '../register/schema.ts';
import { erasableFrom, splitByRetention } from './expiry.ts';

const legal = (id: string, duration: string): RetentionRule =>
  ({
    id,
    name: { en: id },
    description: { en: id },
    kind: 'legal',
    duration,
    trigger: 'financial-year-end',
    roundTo: 'none',
    action: 'delete',
    exceptions: [],
  }) as RetentionRule;

const invoices: Pick<Collection, 'ombud'> = {
  ombud: {
    erase: 'delete',
    retention: {
      rules: [{ rule: 'vat', when: { field: 'kind', equals: 'vat' } }, { rule: 'bookkeeping' }],
      trigger_field: 'invoice_date',
      financial_year_end: '06-30',
    },
  },
};
const rules = new Map([
  ['bookkeeping', legal('bookkeeping', 'P7Y')],
  ['vat', legal('vat', 'P10Y')],
]);

describe('splitByRetention (which rows a legal rule keeps, and until when)', () => {
  test('rows of a collection without legal rules are all erased', () => {
    const rows = [{ id: 1 }, { id: 2 }];
    expect(splitByRetention({ ombud: { erase: 'delete' } }, rows, rules, '2026-01-01')).toEqual({
      kept: [],
      erase: rows,
    });
  });

  test('kept rows are grouped by rule and first erasable day, counted from the financial year end', () => {
    const a = { id: 1, kind: 'plain', invoice_date: '2024-03-01' };
    const b = { id: 2, kind: 'plain', invoice_date: '2024-05-31T10:00:00Z' };
    const c = { id: 3, kind: 'vat', invoice_date: '2024-03-01' };
    const d = { id: 4, kind: 'plain', invoice_date: '2024-08-01' };
    const { kept, erase } = splitByRetention(invoices, [a, b, c, d], rules, '2026-01-01');
    expect(erase).toEqual([]);
    expect(kept).toEqual([
      { rule: 'bookkeeping', eraseOn: '2031-07-01', rows: [a, b] },
      { rule: 'vat', eraseOn: '2034-07-01', rows: [c] },
      { rule: 'bookkeeping', eraseOn: '2032-07-01', rows: [d] },
    ]);
    expect(kept[0]!.eraseOn).toBe(erasableFrom(rules.get('bookkeeping')!, '2024-03-01', '06-30'));
  });

  test('a row whose period has ended, or whose rule is not a legal one, is erased', () => {
    const old = { id: 1, kind: 'plain', invoice_date: '2010-01-01' };
    const young = { id: 2, kind: 'plain', invoice_date: '2025-01-01' };
    const purpose = new Map([
      ['bookkeeping', { ...legal('bookkeeping', 'P7Y'), kind: 'purpose' } as RetentionRule],
    ]);
    expect(splitByRetention(invoices, [old, young], rules, '2026-01-01').erase).toEqual([old]);
    expect(splitByRetention(invoices, [young], purpose, '2026-01-01')).toEqual({ kept: [], erase: [young] });
    // On the first erasable day itself the row is no longer kept.
    expect(splitByRetention(invoices, [young], rules, '2032-07-01').erase).toEqual([young]);
    expect(splitByRetention(invoices, [young], rules, '2032-06-30').kept).toHaveLength(1);
  });
});
