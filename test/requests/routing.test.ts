/**
 * The pure rules behind group requests, on the demo register: where a submission goes on receipt, which
 * requests a verified group request becomes given where the customer is known, how a row of a shared
 * system is attributed to its controller, when "we hold no personal data" may be answered without a
 * person, and the no-data answer in en, sv and nb.
 */
import { describe, expect, test } from 'vitest';
import { attributeLocated, defaultHolders, type Holder } from '../../src/core/fulfilment/controllers.ts';
import { buildGraph, parseDatasetYaml } from '../../src/core/fulfilment/dataset.ts';
import { validateDatasets } from '../../src/core/fulfilment/validate.ts';
import { renderMail } from '../../src/core/requests/mail-templates.ts';
import {
  groupContactPoint,
  intakeFor,
  noDataIsCertain,
  ownSystemsOf,
  routeKnown,
  targetsFor,
} from '../../src/core/requests/routing.ts';
import { readDatasetDir } from '../../src/services/fulfilment/datasets.ts';
import { demoIndex } from '../support/nestit-systems.ts';

const ALL = ['nestit-group', 'nestit-sverige', 'bokhylla', 'provendo'];
const org = (orgId: string): Holder => ({ kind: 'org', orgId });
const joint: Holder = { kind: 'joint', arrangementId: 'central-marketing' };

describe('where a submission goes on receipt', () => {
  test('P33 a request to the whole group waits at the contact point for all four companies; nothing is decided per address', async () => {
    const ix = await demoIndex();
    expect(intakeFor(ix, 'group')).toEqual({ mode: 'locate', umbrellaOrg: 'nestit-group', candidates: ALL });
    expect(groupContactPoint(ix, ALL)).toBe('nestit-group');
    // Without an arrangement among the candidates: the parent company, else the first.
    expect(groupContactPoint(ix, ['bokhylla', 'provendo'])).toBe('bokhylla');
  });

  test('P33 one company and a joint purpose are unchanged: direct, the joint purpose once at the contact point', async () => {
    const ix = await demoIndex();
    expect(intakeFor(ix, 'bokhylla')).toEqual({
      mode: 'direct',
      targets: [{ orgId: 'bokhylla', jointArrangements: ['central-marketing'] }],
    });
    expect(intakeFor(ix, 'group', 'communication-subscription')).toEqual({
      mode: 'direct',
      targets: [{ orgId: 'nestit-group', jointArrangements: ['central-marketing'] }],
    });
    expect(intakeFor(ix, 'provendo', 'surveys')).toEqual({
      mode: 'direct',
      targets: [{ orgId: 'provendo', jointArrangements: [] }],
    });
    // A group request naming a purpose that is not joint is located among that purpose's controllers.
    expect(intakeFor(ix, 'group', 'bookkeeping')).toEqual({
      mode: 'locate',
      umbrellaOrg: 'nestit-group',
      candidates: ['nestit-group', 'nestit-sverige', 'bokhylla'],
    });
    expect(intakeFor(ix, 'group', 'bookkeeping-norway')).toEqual({
      mode: 'direct',
      targets: [{ orgId: 'provendo', jointArrangements: [] }],
    });
    expect(() => intakeFor(ix, 'no-such-co')).toThrow(/no company/);
    expect(() => intakeFor(ix, 'provendo', 'bookkeeping')).toThrow(/not a controller/);
  });
});

describe('which requests a verified group request becomes', () => {
  test('P33 known at 2 of 4 companies: exactly those two, each handling nothing joint twice', async () => {
    const ix = await demoIndex();
    const r = routeKnown(ix, ALL, [org('provendo'), org('bokhylla'), org('provendo')]);
    expect(r.targets.map((t) => t.orgId)).toEqual(['bokhylla', 'provendo']);
    expect(r.known).toEqual(['bokhylla', 'provendo']);
    expect(r.notKnown).toEqual(['nestit-group', 'nestit-sverige']);
    // The contact point is not asked, so the first of them answers for the joint arrangement, once.
    expect(r.targets).toEqual([
      { orgId: 'bokhylla', jointArrangements: ['central-marketing'], jointHandledBy: undefined },
      { orgId: 'provendo', jointArrangements: [], jointHandledBy: 'bokhylla' },
    ]);
  });

  test('P33 data held through a joint purpose goes once, to the contact point, which handles the arrangement', async () => {
    const ix = await demoIndex();
    const r = routeKnown(ix, ALL, [org('nestit-sverige'), joint]);
    expect(r.known).toEqual(['nestit-sverige']);
    expect(r.viaJoint).toEqual(['nestit-group']);
    expect(r.targets).toEqual([
      { orgId: 'nestit-group', jointArrangements: ['central-marketing'], jointHandledBy: undefined },
      { orgId: 'nestit-sverige', jointArrangements: [], jointHandledBy: 'nestit-group' },
    ]);
    // Known at all four: the old behaviour, four linked requests, the joint purposes at the contact point.
    const four = routeKnown(ix, ALL, [...ALL.map(org), joint]);
    expect(four.targets.map((t) => [t.orgId, t.jointArrangements, t.jointHandledBy])).toEqual([
      ['nestit-group', ['central-marketing'], undefined],
      ['nestit-sverige', [], 'nestit-group'],
      ['bokhylla', [], 'nestit-group'],
      ['provendo', [], 'nestit-group'],
    ]);
    expect(targetsFor(ix, ALL)).toEqual(four.targets);
  });

  test('P33 known nowhere: no request; a company outside the candidates never gets one', async () => {
    const ix = await demoIndex();
    expect(routeKnown(ix, ALL, []).targets).toEqual([]);
    const r = routeKnown(
      ix,
      ['nestit-group', 'nestit-sverige', 'bokhylla'],
      [org('provendo')],
      'bookkeeping',
    );
    expect(r.targets).toEqual([]);
    expect(r.notKnown).toEqual(['nestit-group', 'nestit-sverige', 'bokhylla']);
  });

  test('the no-data answer is automatic only when every own system and the consent register were searched', async () => {
    const ix = await demoIndex();
    expect(ownSystemsOf(ix, ALL)).toEqual(['customer-service-system', 'webshop']);
    expect(noDataIsCertain({ unchecked: [], failed: [] })).toBe(true);
    expect(noDataIsCertain({ unchecked: ['webshop'], failed: [] })).toBe(false);
    expect(noDataIsCertain({ unchecked: [], failed: ['consent'] })).toBe(false);
  });
});

describe('which controller a row of a shared system belongs to', () => {
  test('the demo datasets say it: the market of the customer, the seller of the invoice, the row referenced', async () => {
    const ix = await demoIndex();
    const datasets = await readDatasetDir();
    expect(validateDatasets(datasets, { register: ix.register })).toEqual([]);
    const graph = buildGraph(datasets);
    const located = new Map<string, Record<string, unknown>[]>([
      ['nestit_webshop.customers', [{ id: 7, customer_number: 'C0000007', email: 'a@x', country: 'SE' }]],
      ['nestit_webshop.orders', [{ id: 70, customer_id: 7 }]],
      ['nestit_webshop.order_lines', [{ id: 700, order_id: 70 }]],
      ['nestit_webshop.invoices', [{ id: 1, seller_org: 'nestit-sverige', customer_number: 'C0000007' }]],
      ['nestit_webshop.newsletter_signups', [{ id: 3, email: 'a@x' }]],
      [
        'nestit_customer_service.cases',
        [
          { id: 9, customer_number: 'C0000007' },
          { id: 10, customer_number: null },
        ],
      ],
      ['nestit_customer_service.messages', [{ id: 90, case_id: 9 }]],
      ['nestit_webshop.reviews', []],
    ]);
    const byNode = Object.fromEntries(
      attributeLocated(ix, graph, located).map((c) => [
        c.node,
        c.holders.map(
          (h) => `${h.holder.kind === 'org' ? h.holder.orgId : h.holder.arrangementId}:${h.rows}`,
        ),
      ]),
    );
    expect(byNode).toEqual({
      'nestit_webshop.customers': ['nestit-sverige:1'],
      'nestit_webshop.orders': ['nestit-sverige:1'],
      'nestit_webshop.order_lines': ['nestit-sverige:1'],
      'nestit_webshop.invoices': ['nestit-sverige:1'],
      // A joint purpose: the arrangement (its contact point answers).
      'nestit_webshop.newsletter_signups': ['central-marketing:1'],
      // A case without a customer number says nothing: every controller of customer service, the broad answer.
      'nestit_customer_service.cases': ['bokhylla:1', 'nestit-group:1', 'nestit-sverige:2', 'provendo:1'],
      'nestit_customer_service.messages': ['nestit-sverige:1'],
    });
    const ws = datasets.find((d) => d.fides_key === 'nestit_webshop')!;
    const norway = attributeLocated(
      ix,
      graph,
      new Map([['nestit_webshop.customers', [{ id: 1, country: 'NO' }]]]),
    );
    expect(norway[0]!.holders.map((h) => h.holder)).toEqual([org('provendo')]);
    // Without a controller annotation: the controllers of the collection's purposes.
    const invoices = defaultHolders(ix, ws, ws.collections.find((c) => c.name === 'invoices')!);
    expect(invoices).toHaveLength(4);
    expect(invoices).toEqual(expect.arrayContaining(ALL.map(org)));
    const signups = ws.collections.find((c) => c.name === 'newsletter_signups')!;
    expect(defaultHolders(ix, ws, signups)).toEqual([joint]);
  });

  test('a controller annotation naming no field, a field without a reference, or an unknown company is refused', async () => {
    const ix = await demoIndex();
    const yaml = (controller: string) => `dataset:
  - fides_key: shop
    ombud: { system: webshop }
    collections:
      - name: customers
        ombud: { controller: ${controller} }
        fields:
          - { name: id, fides_meta: { primary_key: true } }
          - { name: email, fides_meta: { identity: email } }
          - { name: brand }
`;
    expect(() => parseDatasetYaml(yaml('{ values: { a: provendo } }'))).toThrow(/field/);
    const findings = (c: string) =>
      validateDatasets(parseDatasetYaml(yaml(c)), { register: ix.register }).map((f) => f.message);
    expect(findings('{ field: brand, values: { x: no-such-company } }')).toEqual([
      "'no-such-company' is not an organization of the register.",
    ]);
    expect(findings('{ follow: email }')).toEqual(["'email' has no reference to follow."]);
    expect(findings('{ field: shop }')).toEqual([
      "The controller field 'shop' is not a field of 'customers'.",
    ]);
    expect(findings('{ field: brand }')).toEqual([]);
  });
});

describe('the no-data answer', () => {
  test('P31 P25 in en, sv and nb it says nothing is held, what that means for the request, and names every authority', () => {
    const input = {
      company: 'NestIT Group AB',
      reference: 'R-1234ABCD',
      group: { name: 'NestIT Group', companies: ['NestIT Group AB', 'Provendo AS'] },
      authorities: [
        { name: 'IMY', web: 'https://www.imy.se/', companies: 'NestIT Group AB' },
        { name: 'Datatilsynet', web: 'https://www.datatilsynet.no/', companies: 'Provendo AS' },
      ],
    };
    const en = renderMail('no-data', { ...input, lang: 'en', type: 'access' });
    expect(en.subject).toBe('NestIT Group AB: answer to your request (R-1234ABCD)');
    expect(en.text).toContain('the companies of NestIT Group (NestIT Group AB, Provendo AS)');
    expect(en.text).toContain('we hold no personal data about you');
    expect(en.text).toContain('Article 15');
    expect(en.text).toContain(
      'IMY, https://www.imy.se/ (NestIT Group AB); Datatilsynet, https://www.datatilsynet.no/ (Provendo AS)',
    );
    expect(renderMail('no-data', { ...input, lang: 'en', type: 'erasure' }).text).toContain(
      'nothing to erase',
    );
    const sv = renderMail('no-data', { ...input, lang: 'sv', type: 'access' });
    expect(sv.subject).toContain('svar på din begäran');
    expect(sv.text).toContain('behandlar inga personuppgifter om dig');
    expect(sv.text).toContain('tillsynsmyndigheten: IMY');
    const nb = renderMail('no-data', { ...input, lang: 'nb', type: 'rectification' });
    expect(nb.text).toContain('ingenting å rette');
    expect(nb.text).toContain('Datatilsynet, https://www.datatilsynet.no/ (Provendo AS)');
  });
});
