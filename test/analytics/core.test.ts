/**
 * The pure rules of analytics exports: suppression (hand-written tables and what must be hidden), the
 * definition checks (what may never leave), the consent decision, the pseudonym and the noise budget.
 */
import { describe, expect, test } from 'vitest';
import { analyticsDecision } from '../../src/core/analytics/consent.ts';
import { resolveExport } from '../../src/core/analytics/definition.ts';
import { chargeBudget, gaussianSigma, laplace, noisyCount } from '../../src/core/analytics/noise.ts';
import { pseudonym, seriesKey } from '../../src/core/analytics/pseudonym.ts';
import {
  type AggregateTable,
  determined,
  type Entry,
  suppress,
  tableLines,
} from '../../src/core/analytics/suppress.ts';
import type { Purpose } from '../../src/core/register/schema.ts';
import { readDatasetDir } from '../../src/services/fulfilment/datasets.ts';
import { demoIndex } from '../support/nestit-systems.ts';

/** A table from a hand-written grid of subjects (rows = subjects, additive); totals summed by hand too. */
function grid(cells: number[][], rowTotals: number[], colTotals: number[], grand: number): AggregateTable {
  const e = (n: number): Entry => ({ subjects: n, rows: n, sums: [] });
  return {
    rowKeys: cells.map((_, i) => `r${i}`),
    colKeys: cells[0]!.map((_, j) => `c${j}`),
    cells: cells.map((r) => r.map(e)),
    rowTotals: rowTotals.map(e),
    colTotals: colTotals.map(e),
    grand: e(grand),
  };
}

describe('complementary suppression (P13, P42)', () => {
  test('P13: a lone cell under k in a row takes the smallest other cell of its row with it, and the columns follow', () => {
    //        c0  c1  c2 | total
    //   r0   20   4  15 |   39
    //   r1   30  25  12 |   67
    //   ----------------+
    //        50  29  27 |  106
    const t = grid(
      [
        [20, 4, 15],
        [30, 25, 12],
      ],
      [39, 67],
      [50, 29, 27],
      106,
    );
    const s = suppress(t, 10);
    // By hand: (r0,c1)=4 is under k. Row r0 needs a second hidden cell: c2 (15, fewer than 20). Columns c1
    // and c2 each need a second: (r1,c1)=25 and (r1,c2)=12 — the four corners of a rectangle, which no
    // sum of rows and columns can split.
    expect(s.cells).toEqual([
      [null, 'below-k', 'complementary'],
      [null, 'complementary', 'complementary'],
    ]);
    expect(s.rowTotals).toEqual([null, null]);
    expect(s.colTotals).toEqual([null, null, null]);
    expect(s.grand).toBeNull();
    expect(s).toMatchObject({ primary: 1, complementary: 3 });
    const hidden = tableLines(t);
    const flags = [false, true, true, false, true, true, false, false, false, false, false, false];
    expect(determined(hidden, flags)).toEqual([]);
  });

  test('P13: two hidden cells joined by one shared line are still found: a bridge between two cycles is determined', () => {
    // Six cells hidden in two separate rectangles and one cell joining them: every line has two hidden
    // entries or none, yet the joining cell is the difference of the two rectangles' row sums.
    // Rows r0 r1 with columns c0 c1 (rectangle A), rows r2 r3 with c2 c3 (rectangle B), joined by (r1, c2).
    const lines = tableLines(
      grid(
        Array.from({ length: 4 }, () => [1, 1, 1, 1]),
        [4, 4, 4, 4],
        [4, 4, 4, 4],
        16,
      ),
    );
    const hidden = new Array(16 + 4 + 4 + 1).fill(false);
    const at = (r: number, c: number) => r * 4 + c;
    for (const [r, c] of [
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1],
      [2, 2],
      [2, 3],
      [3, 2],
      [3, 3],
      [1, 2],
    ] as const)
      hidden[at(r, c)] = true;
    expect(determined(lines, hidden)).toEqual([at(1, 2)]);
  });

  test('a cell of 0 subjects is published; a table with nothing under k hides nothing', () => {
    const s = suppress(grid([[0, 12]], [12], [0, 12], 12), 10);
    expect(s).toMatchObject({ primary: 0, complementary: 0 });
  });

  test('P13: a margin under k is hidden even when no single cell is (and never left alone)', () => {
    // r0 has 4 subjects in all: its total is under k, and so are its cells.
    const s = suppress(
      grid(
        [
          [2, 2],
          [20, 30],
        ],
        [4, 50],
        [22, 32],
        54,
      ),
      10,
    );
    expect(s.rowTotals[0]).toBe('below-k');
    expect(s.cells[0]).toEqual(['below-k', 'below-k']);
    // The row total of r0 is the grand total minus r1's: so r1's total or the grand total must go too.
    expect(s.rowTotals[1] === 'complementary' || s.grand === 'complementary').toBe(true);
  });
});

describe('what an export may give out (P23)', () => {
  const purpose = async (analytics: unknown): Promise<{ p: Purpose; all: Map<string, Purpose> }> => {
    const ix = await demoIndex();
    const base = ix.purposes.get('customer-analyses')!;
    const p = { ...base, analytics } as Purpose;
    return { p, all: new Map([...ix.purposes, [p.id, p]]) };
  };
  const one = (e: Record<string, unknown>, timePrecision = 'month') => ({
    k: 10,
    timePrecision,
    exports: [
      {
        kind: 'aggregate',
        dataset: 'nestit_webshop',
        measures: [],
        requiresConsent: [],
        dimensions: [],
        ...e,
        id: 'x',
      },
    ],
  });
  const refusal = async (e: Record<string, unknown>, timePrecision?: string) => {
    const { p, all } = await purpose(one(e, timePrecision));
    try {
      resolveExport(p, 'x', await readDatasetDir(), all);
      return 'accepted';
    } catch (err) {
      return (err as Error).message;
    }
  };

  test.each([
    [{ collection: 'customers', dimensions: [{ field: 'email' }] }, 'a direct identifier'],
    [{ collection: 'customers', dimensions: [{ field: 'last_name' }] }, 'a direct identifier'],
    [{ collection: 'order_analytics', dimensions: [{ field: 'customer_number' }] }, 'a direct identifier'],
    [{ collection: 'orders', dimensions: [{ field: 'order_number' }] }, 'a key'],
    [{ collection: 'survey_answers', dimensions: [{ field: 'comment' }] }, 'free text'],
    [{ collection: 'reviews', dimensions: [{ field: 'body' }] }, 'free text'],
    [{ collection: 'order_analytics', dimensions: [{ field: 'collected_at' }] }, 'exactly'],
    [
      { collection: 'order_analytics', dimensions: [{ field: 'collected_at', truncate: 'day' }] },
      'month only',
    ],
    [{ collection: 'order_lines', dimensions: [{ field: 'customers.city' }] }, 'direct identifier'],
    [{ collection: 'order_lines', dimensions: [{ field: 'invoices.items' }] }, 'not on the way'],
    [
      { collection: 'order_lines', measures: [{ op: 'sum', field: 'product_name', as: 'n' }] },
      'not a number',
    ],
    [
      {
        collection: 'order_lines',
        dimensions: [{ field: 'product_name' }, { field: 'quantity' }, { field: 'unit_price_cents' }],
      },
      'more than two',
    ],
  ])('refused: %j', async (e, why) => {
    expect(await refusal(e)).toContain(why);
  });

  test('allowed: a day where the register allows it, a country, a score as a measure', async () => {
    expect(
      await refusal(
        {
          collection: 'order_analytics',
          dimensions: [{ field: 'collected_at', truncate: 'day' }, { field: 'country' }],
        },
        'day',
      ),
    ).toBe('accepted');
    expect(
      await refusal({
        collection: 'survey_answers',
        dimensions: [{ field: 'survey' }],
        measures: [{ op: 'avg', field: 'score', as: 's' }],
      }),
    ).toBe('accepted');
  });
});

describe('who is in an export (P38, P42)', () => {
  const at = (d: string) => new Date(`2026-11-${d}T10:00:00Z`);
  test('P42: order data on legitimate interest until an objection; channel behaviour only with both consents', async () => {
    const ix = await demoIndex();
    const ca = ix.purposes.get('customer-analyses')!;
    const cs = ix.purposes.get('communication-subscription')!;
    const requires = [
      { purpose: ca, channel: 'cookie' },
      { purpose: cs, channel: 'email' },
    ];
    const decide = (
      state: Parameters<typeof analyticsDecision>[0]['state'],
      r = [] as typeof requires,
      restricted = false,
    ) => analyticsDecision({ purpose: ca, orgId: 'nestit-sverige', requires: r, state, restricted });
    expect(decide([])).toEqual({ included: true });
    expect(decide([{ purposeId: ca.id, channel: '*', status: 'objected', since: at('01') }])).toEqual({
      included: false,
      reason: 'objected',
    });
    expect(decide([{ purposeId: ca.id, channel: '*', status: 'objection-lifted', since: at('02') }])).toEqual(
      { included: true },
    );
    expect(decide([], [], true)).toEqual({ included: false, reason: 'restricted' });
    expect(decide([], requires)).toEqual({ included: false, reason: 'no-consent' });
    const both = [
      { purposeId: ca.id, channel: 'cookie', status: 'granted' as const, since: at('01') },
      { purposeId: cs.id, channel: 'email', status: 'granted' as const, since: at('01') },
    ];
    expect(decide(both, requires)).toEqual({ included: true });
    expect(decide([both[0]!], requires)).toEqual({ included: false, reason: 'no-consent' });
    expect(
      decide(
        [...both, { purposeId: cs.id, channel: 'email', status: 'withdrawn', since: at('03') }],
        requires,
      ),
    ).toEqual({ included: false, reason: 'no-consent' });
    expect(
      decide(
        [...both, { purposeId: 'direct-marketing', channel: '*', status: 'objected', since: at('03') }],
        requires,
      ),
    ).toEqual({ included: false, reason: 'objected' });
  });
});

describe('pseudonyms and noise (P23)', () => {
  test('the pseudonym is keyed by the series: same subject, same series, same pseudonym; another series, another', () => {
    const k = Buffer.alloc(32, 7);
    const a = seriesKey(k, 'series-a');
    const b = seriesKey(k, 'series-b');
    expect(pseudonym(a, '42')).toBe(pseudonym(a, '42'));
    expect(pseudonym(a, '42')).not.toBe(pseudonym(b, '42'));
    expect(pseudonym(a, '42')).not.toBe(pseudonym(a, '43'));
    expect(pseudonym(a, '42')).toMatch(/^[0-9a-f]{32}$/);
  });

  test('Laplace and Gaussian draws from given uniforms; counts never below zero; the budget refuses overspending', () => {
    // Laplace(b) at u: −b·sign(u−½)·ln(1−2|u−½|): u = ½ gives 0; u = 0.75 gives b·ln 2 below zero... by hand:
    expect(laplace(1, 0.5)).toBe(-0);
    expect(laplace(2, 0.75)).toBeCloseTo(-2 * Math.log(0.5), 10);
    expect(gaussianSigma(1, 1e-5)).toBeCloseTo(Math.sqrt(2 * Math.log(125000)), 10);
    expect(noisyCount(0, { mechanism: 'laplace', epsilon: 1 }, () => 0.01)).toBe(0);
    expect(noisyCount(100, { mechanism: 'laplace', epsilon: 1 }, () => 0.5)).toBe(100);
    expect(chargeBudget('p', 3, 1, 1)).toEqual({ spent: 2, left: 1 });
    expect(() => chargeBudget('p', 3, 2.5, 1)).toThrow(/privacy budget/);
  });
});
