/**
 * The pure part of retention: cut-off dates from the retention arithmetic, the plan built from the dataset
 * annotations, and bad annotations located at file:line:column.
 */
import { describe, expect, test } from 'vitest';
import { addDays } from '../../src/core/deadlines/iso-date.ts';
import { parseDatasetYaml } from '../../src/core/fulfilment/dataset.ts';
import type { RetentionRule } from '../../src/core/register/schema.ts';
import { formatFinding, parseDatasetSources } from '../../src/core/retention/annotations.ts';
import {
  erasableFrom,
  expiredBefore,
  lastEndedTrigger,
  splitByRetention,
} from '../../src/core/retention/expiry.ts';
import { anonymiseOverwrites, planRetention } from '../../src/core/retention/plan.ts';
import { retentionWindow, swedishBookkeepingEnd } from '../../src/core/retention/retention.ts';
import { readDatasetDir } from '../../src/services/fulfilment/datasets.ts';
import { demoIndex } from '../support/nestit-systems.ts';

const rule = (over: Partial<RetentionRule>): RetentionRule =>
  ({
    id: 'r',
    name: { en: 'r' },
    description: { en: 'r' },
    kind: 'purpose',
    duration: 'P3Y',
    trigger: 'collected',
    roundTo: 'none',
    action: 'delete',
    exceptions: [],
    ...over,
  }) as RetentionRule;

/** The day the erasure engine gives a row kept under `r` whose period runs from `trigger`. */
const eraseOnOfKept = (r: RetentionRule, trigger: string): string | undefined =>
  splitByRetention(
    {
      ombud: {
        erase: 'delete',
        retention: { rules: [{ rule: r.id }], trigger_field: 'at', financial_year_end: '12-31' },
      },
    },
    [{ at: trigger }],
    new Map([[r.id, r]]),
    '2000-01-01',
  ).kept[0]?.eraseOn;

describe('cut-off dates (pure retention arithmetic)', () => {
  const rules = [
    rule({ duration: 'P3Y' }),
    rule({ duration: 'P24M' }),
    rule({ duration: 'P13M', roundTo: 'end-of-month' }),
    rule({ duration: 'P1M' }),
    rule({ duration: 'P30D' }),
    rule({ duration: 'P0D' }),
    rule({ kind: 'legal', duration: 'P7Y', trigger: 'financial-year-end', roundTo: 'end-of-calendar-year' }),
    rule({ kind: 'legal', duration: 'P5Y', trigger: 'financial-year-end' }),
  ];
  const days = ['2026-11-25', '2027-01-01', '2026-12-31', '2028-02-29', '2026-03-31', '2026-03-01'];

  test.each(rules.flatMap((r) => days.map((d) => [r.duration, r.trigger, r.roundTo, d, r] as const)))(
    '%s from %s (%s) on %s: a row has ended exactly when its trigger is before the cut-off',
    (_d, _t, _r, today, r) => {
      const before = expiredBefore(r, today, r.trigger === 'financial-year-end' ? '06-30' : '12-31')!;
      expect(before).toBeTruthy();
      // Every trigger date within two years either side of the cut-off, checked one by one.
      for (let i = -800; i <= 800; i++) {
        const trigger = addDays(before, i);
        const ended =
          erasableFrom(r, trigger, r.trigger === 'financial-year-end' ? '06-30' : '12-31') <= today;
        expect(ended, `${trigger}`).toBe(trigger < before);
      }
    },
  );

  test('the first erasable day is the one the erasure engine gives kept rows, and the law says', () => {
    const se = rule({
      kind: 'legal',
      duration: 'P7Y',
      trigger: 'financial-year-end',
      roundTo: 'end-of-calendar-year',
    });
    for (let i = 0; i < 3000; i += 7) {
      const d = addDays('2018-01-01', i);
      expect(erasableFrom(se, d)).toBe(eraseOnOfKept(se, d));
      expect(erasableFrom(se, d)).toBe(swedishBookkeepingEnd(`${d.slice(0, 4)}-12-31`).erasableFrom);
      const p = rule({ duration: 'P24M' });
      expect(erasableFrom(p, d)).toBe(retentionWindow({ trigger: d, duration: 'P24M' }).erasableFrom);
    }
  });

  test('a period longer than the calendar has no cut-off', () => {
    expect(lastEndedTrigger('2026-11-25', () => '9999-12-31')).toBeNull();
    expect(expiredBefore(rule({ duration: 'P1000Y' }), '1000-06-01')).toBeNull();
    expect(expiredBefore(rule({ duration: 'P1000Y' }), '2026-11-25')).toBe('1026-11-25');
  });
});

describe('the plan from the demo annotations', () => {
  test('each collection gets its rule, trigger and cut-off; invoices are kept by the bookkeeping rules', async () => {
    const ix = await demoIndex();
    const plan = planRetention(await readDatasetDir(), ix.register.retentionRules, '2026-11-25');
    expect(plan.findings).toEqual([]);
    const get = (ds: string, c: string) =>
      plan.datasets.find((d) => d.dataset === ds)!.collections.find((x) => x.collection === c)!;
    const customers = get('nestit_webshop', 'customers');
    expect(customers.purpose).toMatchObject({
      rule: 'order-data',
      action: 'delete',
      expiredBefore: '2023-11-25',
    });
    expect(customers.children.map((c) => c.collection).sort()).toEqual(['accounts', 'orders', 'reviews']);
    expect(get('nestit_webshop', 'order_lines').purpose!.trigger).toEqual({
      hops: [
        { field: 'order_id', collection: 'orders', targetField: 'id' },
        { field: 'customer_id', collection: 'customers', targetField: 'id' },
      ],
      collection: 'customers',
      field: 'last_activity_at',
    });
    expect(get('nestit_webshop', 'invoices').purpose!.legal).toEqual([
      expect.objectContaining({ rule: 'bookkeeping-se', keeps: true, keepFrom: '2019-01-01' }),
      expect.objectContaining({ rule: 'bookkeeping-no', keeps: true, keepFrom: '2021-01-01' }),
    ]);
    expect(get('nestit_customer_service', 'messages').purpose!.expiredBefore).toBe('2024-11-25');
    // P12 P28 P38 sign-ups: 24 months after the customer's last activity (through the e-mail address),
    // or after signing up when no customer has the address; and 30 days after a withdrawal.
    expect(get('nestit_webshop', 'newsletter_signups').purpose).toMatchObject({
      rule: 'marketing-profile',
      action: 'delete',
      expiredBefore: '2024-11-25',
      trigger: {
        hops: [{ field: 'email', collection: 'customers', targetField: 'email' }],
        collection: 'customers',
        field: 'last_activity_at',
        fallback: 'signed_up_at',
      },
      withdrawal: {
        after: 'P30D',
        withdrawnBefore: '2026-10-26',
        purposes: ['communication-subscription'],
        identities: [
          { field: 'email', kind: 'email' },
          { field: 'phone', kind: 'phone' },
        ],
      },
    });
    // Rules without afterWithdrawal have no withdrawal step.
    expect(customers.purpose!.withdrawal).toBeUndefined();
    // Children are swept before the collections they point at.
    const order = plan.datasets
      .find((d) => d.dataset === 'nestit_webshop')!
      .collections.map((c) => c.collection);
    expect(order.indexOf('order_lines')).toBeLessThan(order.indexOf('orders'));
    expect(order.indexOf('orders')).toBeLessThan(order.indexOf('customers'));
  });

  test('P13 P23 anonymising survey answers keeps only the score, the survey and the month', async () => {
    const ds = await readDatasetDir();
    const survey = ds[1]!.collections.find((c) => c.name === 'survey_answers')!;
    expect(anonymiseOverwrites(survey)).toEqual([
      { field: 'customer_number', set: 'null' },
      { field: 'email', set: 'null' },
      { field: 'order_number', set: 'null' },
      { field: 'comment', set: 'null' },
      { field: 'answered_at', set: 'month' },
    ]);
  });

  test('the purpose rule does not make a collection "kept under a legal rule" for the erasure engine', async () => {
    const ds = await readDatasetDir();
    const shop = ds.find((d) => d.fides_key === 'nestit_webshop')!;
    const customers = shop.collections.find((c) => c.name === 'customers')!;
    expect(customers.ombud?.retention).toBeUndefined();
    expect(customers.ombud?.purpose_retention).toEqual({
      rule: 'order-data',
      trigger_field: 'last_activity_at',
    });
    const invoices = shop.collections.find((c) => c.name === 'invoices')!;
    expect(invoices.ombud?.retention).toEqual({
      rules: [
        {
          rule: 'bookkeeping-se',
          when: { field: 'seller_org', in: ['nestit-sverige', 'bokhylla', 'nestit-group'] },
        },
        { rule: 'bookkeeping-no', when: { field: 'seller_org', equals: 'provendo' } },
      ],
      trigger_field: 'invoice_date',
      financial_year_end: '12-31',
      restricted_field: 'restricted',
      erase_on_field: 'erase_on',
    });
  });
});

describe('bad annotations are located at file:line:column', () => {
  const BAD = `dataset:
  - fides_key: shop
    ombud: { system: webshop }
    collections:
      - name: customers
        ombud:
          retention: { purpose: { rule: no-such-rule, trigger_field: last_seen } }
        fields:
          - { name: id, fides_meta: { primary_key: true } }
          - { name: email, data_categories: [user.contact.email], fides_meta: { identity: email } }
          - { name: last_seen, data_categories: [system.operations] }
      - name: notes
        ombud:
          retention: { purpose: { rule: survey-answers, trigger_field: orders.placed_at } }
        fields:
          - { name: id, fides_meta: { primary_key: true } }
          - { name: email, data_categories: [user.contact.email], fides_meta: { identity: email }, ombud: { anonymise: keep } }
      - name: orders
        ombud:
          retention: { purpose: { rule: order-data, trigger_field: customers.nope } }
        fields:
          - { name: id, fides_meta: { primary_key: true } }
          - { name: placed_at, data_categories: [system.operations] }
          - name: customer_id
            fides_meta: { references: [{ dataset: shop, field: customers.id }] }
      - name: signups
        ombud:
          purposes: [communication-subscription]
          retention: { purpose: { rule: marketing-profile, trigger_field: customers.last_seen, fallback_field: nope } }
        fields:
          - { name: id, fides_meta: { primary_key: true } }
          - name: email
            fides_meta: { identity: email, references: [{ dataset: shop, field: customers.email }] }
      - name: visits
        ombud:
          retention: { purpose: { rule: marketing-profile, trigger_field: placed_at, fallback_field: placed_at } }
        fields:
          - { name: id, fides_meta: { primary_key: true } }
          - { name: placed_at, data_categories: [system.operations] }
          - name: customer_id
            fides_meta: { references: [{ dataset: shop, field: customers.id }] }
`;

  test('unknown rules, unreachable or unknown trigger columns, identifiers kept by anonymisation', async () => {
    const ix = await demoIndex();
    const { findings } = parseDatasetSources([{ path: 'datasets/shop.yaml', text: BAD }], {
      register: ix.register,
    });
    const lines = findings.map(formatFinding);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^datasets\/shop\.yaml:7:\d+: error: shop\.customers: Unknown retention rule 'no-such-rule'\./,
        ),
        expect.stringMatching(
          /^datasets\/shop\.yaml:14:\d+: error: shop\.notes: 'notes' is not found through references from 'orders'/,
        ),
        expect.stringMatching(
          /^datasets\/shop\.yaml:17:\d+: error: shop\.notes\.email: Field 'email' identifies a person directly/,
        ),
        expect.stringMatching(
          /^datasets\/shop\.yaml:20:\d+: error: shop\.orders: Column 'nope' is not an annotated field of 'customers'\./,
        ),
        expect.stringMatching(
          /^datasets\/shop\.yaml:29:\d+: error: shop\.signups: Column 'nope' is not an annotated field of 'signups'\./,
        ),
        expect.stringMatching(
          /^datasets\/shop\.yaml:36:\d+: error: shop\.visits: fallback_field is for a trigger found through references/,
        ),
      ]),
    );
    expect(findings.every((f) => f.severity === 'error')).toBe(true);
  });

  test('schema and YAML errors too', () => {
    const { findings } = parseDatasetSources([
      {
        path: 'a.yaml',
        text: `dataset:
  - fides_key: shop
    ombud: { system: webshop }
    collections:
      - name: invoices
        ombud:
          retention:
            rules: [{ rule: bookkeeping-se }]
        fields:
          - { name: id, fides_meta: { primary_key: true } }
`,
      },
      { path: 'b.yaml', text: 'dataset:\n  - fides_key: x\n    ombud: { system: a\n' },
    ]);
    const lines = findings.map(formatFinding);
    // The missing key is reported at the mapping it belongs in.
    expect(lines[0]).toMatch(
      /^a\.yaml:8:13: error: .*retention\.trigger_field: Legal rules need trigger_field/,
    );
    expect(lines.some((l) => /^b\.yaml:\d+:\d+: error: YAML syntax error/.test(l))).toBe(true);
  });

  test('ombud dataset validate reports retention findings as well', async () => {
    const { validateDatasets } = await import('../../src/core/fulfilment/validate.ts');
    const ix = await demoIndex();
    const msgs = validateDatasets(parseDatasetYaml(BAD), { register: ix.register }).map(
      (f) => `${f.path}: ${f.message}`,
    );
    expect(msgs).toContain("shop.customers.ombud.retention.purpose: Unknown retention rule 'no-such-rule'.");
  });
});

describe('P10 the notice criteria as annotations: sensitive fields, potential customers, pseudonymised data', () => {
  const P10_BAD = `dataset:
  - fides_key: svc
    ombud: { system: customer-service-system }
    collections:
      - name: cases
        ombud:
          retention:
            purpose: { rule: customer-service-cases, trigger_field: closed_at }
            fields:
              - { rule: case-sensitive-data, fields: [nope, email, id, subject] }
              - { rule: customer-analysis, fields: [subject] }
        fields:
          - { name: id, fides_meta: { primary_key: true } }
          - { name: email, data_categories: [user.contact.email], fides_meta: { identity: email } }
          - { name: subject, data_categories: [user.content.private] }
          - { name: closed_at }
      - name: extracts
        ombud:
          retention: { purpose: { rule: customer-analysis, trigger_field: at } }
        fields:
          - { name: id, fides_meta: { primary_key: true } }
          - { name: at }
      - name: analytics
        ombud:
          pseudonymised: true
          retention: { purpose: { rule: customer-analysis, trigger_field: at } }
        fields:
          - { name: id, fides_meta: { primary_key: true } }
          - { name: customer_number, data_categories: [user.unique_id], fides_meta: { identity: customer_number } }
          - { name: email, data_categories: [user.contact.email] }
          - { name: at }
      - name: customers
        fields:
          - { name: id, fides_meta: { primary_key: true } }
          - { name: email, data_categories: [user.contact.email], fides_meta: { identity: email } }
          - { name: last_activity_at }
      - name: signups
        ombud:
          retention:
            purpose:
              rule: marketing-profile
              trigger_field: customers.last_activity_at
              fallback_field: signed_up_at
              fallback_rule: survey-answers
        fields:
          - { name: id, fides_meta: { primary_key: true } }
          - name: email
            data_categories: [user.contact.email]
            fides_meta: { identity: email, references: [{ dataset: svc, field: customers.email, direction: from }] }
          - { name: signed_up_at }
`;

  test('P10 a field rule naming an unknown field, an identity or the key, a rule that does not delete; a rule for pseudonymised data on identified rows; a fallback rule that ends rows another way: each at file:line:column', async () => {
    const ix = await demoIndex();
    const { findings } = parseDatasetSources([{ path: 'svc.yaml', text: P10_BAD }], {
      register: ix.register,
    });
    const lines = findings.map(formatFinding);
    const expected = [
      /^svc\.yaml:10:55: error: svc\.cases\.nope: Field 'nope' is not an annotated field of 'cases'\./,
      /^svc\.yaml:10:61: error: svc\.cases\.email: Field 'email' is an identity \(email\)/,
      /^svc\.yaml:10:68: error: svc\.cases\.id: Field 'id' is the primary key/,
      /^svc\.yaml:11:25: error: svc\.cases: Rule 'customer-analysis' ends in anonymise; a field rule erases fields/,
      /^svc\.yaml:19:41: error: svc\.extracts: Rule 'customer-analysis' is for pseudonymised data, and 'extracts' is not marked pseudonymised\./,
      /^svc\.yaml:30:13: error: svc\.analytics\.email: Field 'email' identifies a person directly \(user\.contact\.email\), so 'analytics' is not pseudonymised/,
      /^svc\.yaml:44:30: error: svc\.signups: Rule 'survey-answers' ends in anonymise, but 'marketing-profile' in delete/,
    ];
    for (const re of expected)
      expect(lines, String(re)).toEqual(expect.arrayContaining([expect.stringMatching(re)]));
    // subject is a plain field: erasing it is fine; the customer number is the analytics' pseudonym.
    expect(
      findings.filter((f) => /^svc\.(cases\.subject|analytics\.customer_number):/.test(f.message)),
    ).toEqual([]);
    expect(findings.filter((f) => f.severity === 'error')).toHaveLength(expected.length);
  });

  test('P10 a field rule on a column that cannot be NULL needs a fixed masking value; the demo annotations plan all three criteria', async () => {
    const ix = await demoIndex();
    const rules = ix.register.retentionRules;
    const ds = parseDatasetYaml(
      P10_BAD.replace('fields: [nope, email, id, subject]', 'fields: [subject]').replace(
        '              - { rule: customer-analysis, fields: [subject] }\n',
        '',
      ),
    );
    const live = new Map([
      [
        'svc',
        {
          tables: ['cases'],
          columns: [{ table: 'cases', column: 'subject', dataType: 'varchar', nullable: false }],
          primaryKeys: [],
          foreignKeys: [],
        } as never,
      ],
    ]);
    const plan = planRetention(ds, rules, '2026-11-25', { live });
    expect(
      plan.findings.filter((f) => f.where === 'svc.cases.subject').map((f) => [f.path, f.message]),
    ).toEqual([
      [
        ['collections', 0, 'ombud', 'retention', 'fields', 0, 'fields', 0],
        "Column 'subject' cannot be set to null, and 'case-sensitive-data' erases it.",
      ],
    ]);

    // A field anonymisation keeps cannot be erased sooner by a field rule (one of the two must go).
    const keptByAnonymisation = planRetention(
      parseDatasetYaml(
        P10_BAD.replace('fields: [nope, email, id, subject]', 'fields: [subject]').replace(
          '- { name: subject, data_categories: [user.content.private] }',
          '- { name: subject, data_categories: [user.content.private], ombud: { anonymise: keep } }',
        ),
      ),
      rules,
      '2026-11-25',
    );
    expect(
      keptByAnonymisation.findings
        .filter((f) => f.message.includes("'case-sensitive-data'"))
        .map((f) => [f.path, f.message]),
    ).toEqual([
      [
        ['collections', 0, 'ombud', 'retention', 'fields', 0, 'fields', 0],
        "Field 'subject' is kept by anonymisation (anonymise: keep), and 'case-sensitive-data' erases it sooner.",
      ],
    ]);

    // The demo: sensitive details end when the case closes (P0D: the day after closing), sign-ups of
    // potential customers 12 months after signing up, identified analysis extracts after 30 days while
    // the pseudonymised analysis rows run 36 months.
    const demo = planRetention(await readDatasetDir(), rules, '2026-11-25');
    expect(demo.findings).toEqual([]);
    const get = (d: string, c: string) =>
      demo.datasets.find((x) => x.dataset === d)!.collections.find((x) => x.collection === c)!;
    expect(get('nestit_customer_service', 'cases').fieldRules).toEqual([
      {
        rule: 'case-sensitive-data',
        fields: ['sensitive_details'],
        trigger: { hops: [], collection: 'cases', field: 'closed_at' },
        expiredBefore: '2026-11-25',
        overwrite: [{ field: 'sensitive_details', set: 'null' }],
      },
    ]);
    expect(get('nestit_webshop', 'newsletter_signups').purpose!.fallbackRule).toEqual({
      rule: 'prospect-subscription',
      expiredBefore: '2025-11-25',
    });
    expect(get('nestit_webshop', 'analysis_extracts').purpose).toMatchObject({
      rule: 'customer-analysis-identified',
      action: 'delete',
      expiredBefore: '2026-10-26',
    });
    expect(get('nestit_webshop', 'order_analytics').purpose).toMatchObject({
      rule: 'customer-analysis',
      action: 'anonymise',
      expiredBefore: '2023-11-25',
    });
  });
});

test('P10 the CLI says a field rule erased fields of rows that stay', async () => {
  const { describeOutcome } = await import('../../src/cli/commands/retention-run.ts');
  const o = {
    system: 'customer-service-system',
    dataset: 'nestit_customer_service',
    collection: 'cases',
    rule: 'case-sensitive-data',
    action: 'mask' as const,
    detail: 'fields',
    rows: 3,
  };
  expect(describeOutcome(o, false)).toBe('3 had fields erased (case-sensitive-data)');
  expect(describeOutcome(o, true)).toBe('3 would have fields erased (case-sensitive-data)');
  expect(describeOutcome({ ...o, detail: '', rule: 'order-data' }, false)).toBe('3 masked (order-data)');
});
