import { describe, expect, test } from 'vitest';
import type { Purpose, Register, RetentionRule, System } from '../register/schema.ts';
import { outsideTargets, retentionAsk, retentionDeliveryId, taskDueOn, taskPeriod } from './outside.ts';

const rule = (id: string, over: Partial<RetentionRule> = {}): RetentionRule =>
  ({
    id,
    name: { en: `Rule ${id}` },
    description: { en: id },
    kind: 'purpose',
    duration: 'P12M',
    trigger: 'collected',
    roundTo: 'none',
    action: 'delete',
    exceptions: [],
    ...over,
  }) as RetentionRule;
const system = (id: string, role: System['role']) => ({ id, role }) as System;
const purpose = (id: string, retention: string, systems: string[], recipients: string[]) =>
  ({ id, retention, systems, recipients }) as unknown as Purpose;

const register = {
  systems: [
    system('shop', 'internal'),
    system('crm', 'processor'),
    system('mailer', 'processor'),
    system('ads', 'controller'),
    system('group', 'group-company'),
    system('tax', 'authority'),
    system('warehouse', 'internal'),
  ],
  retentionRules: [
    rule('orders', { duration: 'P3Y', exceptions: ['books'] }),
    rule('news', { duration: 'P24M' }),
    rule('books', {
      kind: 'legal',
      duration: 'P7Y',
      trigger: 'financial-year-end',
      roundTo: 'end-of-calendar-year',
    }),
    rule('stats', { action: 'pseudonymise' }),
  ],
  purposes: [
    purpose('sell', 'orders', ['shop'], ['crm', 'ads', 'group', 'shop']),
    purpose('mail', 'news', ['shop'], ['mailer', 'crm']),
    purpose('account', 'orders', ['shop', 'warehouse'], ['crm']),
    purpose('bookkeeping', 'books', ['shop'], ['tax', 'crm']),
  ],
} as unknown as Register;

describe('systems outside the SQL databases', () => {
  test("P12 the group's own systems and its processors under purpose rules, not controllers, authorities, group companies or swept databases, not legal rules", () => {
    expect(outsideTargets(register, new Set(['shop']))).toEqual([
      { system: 'crm', rule: 'news', purposes: ['mail'] },
      { system: 'crm', rule: 'orders', purposes: ['sell', 'account'] },
      { system: 'mailer', rule: 'news', purposes: ['mail'] },
      { system: 'warehouse', rule: 'orders', purposes: ['account'] },
    ]);
    // Without an SQL dataset the shop is asked too.
    expect(outsideTargets(register, new Set()).map((t) => `${t.system} ${t.rule}`)).toContain('shop orders');
  });

  test("P12 P14 the ask carries the cut-off of the rule and of each exception, by the sweep's arithmetic", () => {
    const rules = new Map(register.retentionRules.map((r) => [r.id, r]));
    // P3Y: a trigger of 2023-11-24 ended by 2026-11-24, so 2026-11-25 may act on it; 2023-11-25 not yet.
    // books: P7Y after the financial year, to the end of that year: 2018's records end with 2026.
    expect(retentionAsk(rules.get('orders')!, rules, '2026-11-25')).toEqual({
      rule: 'orders',
      name: 'Rule orders',
      action: 'delete',
      duration: 'P3Y',
      trigger: 'collected',
      expired_before: '2023-11-25',
      exceptions: [
        {
          rule: 'books',
          name: 'Rule books',
          duration: 'P7Y',
          trigger: 'financial-year-end',
          expired_before: '2019-01-01',
        },
      ],
    });
    expect(retentionAsk(rules.get('stats')!, rules, '2026-11-25')).toBeNull();
  });

  test('one delivery id per run, system and rule; one task period per month, due in 30 days', () => {
    const id = retentionDeliveryId('run-1', 'crm', 'orders');
    expect(id).toMatch(/^dlv_[0-9a-f]{32}$/);
    expect(retentionDeliveryId('run-1', 'crm', 'orders')).toBe(id);
    expect(
      new Set([
        id,
        retentionDeliveryId('run-2', 'crm', 'orders'),
        retentionDeliveryId('run-1', 'crm', 'news'),
      ]).size,
    ).toBe(3);
    expect([taskPeriod('2026-11-01'), taskPeriod('2026-11-30'), taskPeriod('2026-12-01')]).toEqual([
      '2026-11',
      '2026-11',
      '2026-12',
    ]);
    expect([taskDueOn('2026-11-25'), taskDueOn('2026-12-15')]).toEqual(['2026-12-25', '2027-01-14']);
  });
});
