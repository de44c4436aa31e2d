/**
 * k-threshold aggregates with complementary suppression (P13, P23, P38, P42). Pure: no I/O.
 *
 * A table of one or two dimensions is published with its margins: each cell, each row total, each column
 * total and the grand total carries the number of distinct data subjects behind it and additive figures
 * (rows, sums). An entry behind fewer than k distinct subjects (and more than none) is suppressed: the
 * primary suppression. The additive figures tie entries together (a row's cells add up to its total), so a
 * suppressed entry could be worked out from the published ones; complementary suppression hides more
 * entries until no suppressed entry is determined by the published ones.
 *
 * "Determined" is decided exactly, by linear algebra over the table's equations: the suppressed entries are
 * the unknowns, each line of the table (a row with its total, a column with its total, the row totals with
 * the grand total, the column totals with the grand total) is an equation whose published entries are
 * constants. An unknown is determined when every solution of the homogeneous system has 0 in it, i.e. it is a
 * pivot of the reduced row echelon form whose row has no weight on a free unknown. While one is determined,
 * another entry of one of its lines is suppressed: the one with the fewest subjects among those not yet
 * suppressed (a cell before a total of as many), so the least information is lost.
 */

/** One entry of the table: distinct subjects behind it and its additive figures (row count, sums). */
export type Entry = { subjects: number; rows: number; sums: number[] };

export type AggregateTable = {
  /** The values of the first dimension (one row `*` when there is none). */
  rowKeys: string[];
  /** The values of the second dimension (one column `*` when there is none). */
  colKeys: string[];
  /** cells[r][c]; a missing cell is an empty one (0 subjects, 0 rows). */
  cells: (Entry | undefined)[][];
  rowTotals: Entry[];
  colTotals: Entry[];
  grand: Entry;
};

export type SuppressionReason = 'below-k' | 'complementary';

export type Suppressed = {
  /** Per cell: null when published, else why it is not. */
  cells: (SuppressionReason | null)[][];
  rowTotals: (SuppressionReason | null)[];
  colTotals: (SuppressionReason | null)[];
  grand: SuppressionReason | null;
  primary: number;
  complementary: number;
};

const EMPTY: Entry = { subjects: 0, rows: 0, sums: [] };

/** The entries as a flat list: cells (r*C + c), then row totals, column totals, grand total. */
type Flat = { entries: Entry[]; lines: { members: number[]; total: number }[] };

function flatten(t: AggregateTable): Flat {
  const R = t.rowKeys.length;
  const C = t.colKeys.length;
  const entries: Entry[] = [];
  for (let r = 0; r < R; r++) for (let c = 0; c < C; c++) entries.push(t.cells[r]?.[c] ?? EMPTY);
  const rowTotal = (r: number) => R * C + r;
  const colTotal = (c: number) => R * C + R + c;
  const grand = R * C + R + C;
  entries.push(...t.rowTotals, ...t.colTotals, t.grand);
  const lines: Flat['lines'] = [];
  for (let r = 0; r < R; r++)
    lines.push({ members: Array.from({ length: C }, (_, c) => r * C + c), total: rowTotal(r) });
  for (let c = 0; c < C; c++)
    lines.push({ members: Array.from({ length: R }, (_, r) => r * C + c), total: colTotal(c) });
  lines.push({ members: Array.from({ length: R }, (_, r) => rowTotal(r)), total: grand });
  lines.push({ members: Array.from({ length: C }, (_, c) => colTotal(c)), total: grand });
  return { entries, lines };
}

/**
 * The suppressed entries that the published ones determine (by the lines' equations), in entry order.
 * Exported for the tests of the rule; the export uses `suppress`.
 */
export function determined(lines: Flat['lines'], hidden: boolean[]): number[] {
  const unknowns = hidden.flatMap((h, i) => (h ? [i] : []));
  if (unknowns.length === 0) return [];
  const col = new Map(unknowns.map((u, j) => [u, j]));
  // One equation per line with an unknown: members − total = published constants.
  const rows: number[][] = [];
  for (const l of lines) {
    const row = new Array<number>(unknowns.length).fill(0);
    let any = false;
    for (const m of l.members) {
      const j = col.get(m);
      if (j !== undefined) {
        row[j]! += 1;
        any = true;
      }
    }
    const jt = col.get(l.total);
    if (jt !== undefined) {
      row[jt]! -= 1;
      any = true;
    }
    if (any) rows.push(row);
  }
  // Reduced row echelon form (small integer coefficients; a tolerance guards the division).
  const n = unknowns.length;
  const pivotOf: number[] = [];
  let rank = 0;
  for (let j = 0; j < n && rank < rows.length; j++) {
    let p = -1;
    for (let i = rank; i < rows.length; i++) if (Math.abs(rows[i]![j]!) > 1e-9) p = p < 0 ? i : p;
    if (p < 0) continue;
    [rows[rank], rows[p]] = [rows[p]!, rows[rank]!];
    const pr = rows[rank]!;
    const d = pr[j]!;
    for (let x = 0; x < n; x++) pr[x]! /= d;
    for (let i = 0; i < rows.length; i++) {
      if (i === rank) continue;
      const f = rows[i]![j]!;
      if (Math.abs(f) > 1e-9) for (let x = 0; x < n; x++) rows[i]![x]! -= f * pr[x]!;
    }
    pivotOf[rank] = j;
    rank++;
  }
  const isPivot = new Set(pivotOf);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const row = rows[i]!;
    let free = false;
    for (let x = 0; x < n; x++) if (!isPivot.has(x) && Math.abs(row[x]!) > 1e-9) free = true;
    if (!free) out.push(unknowns[pivotOf[i]!]!);
  }
  return out.sort((a, b) => a - b);
}

/** Suppress the table under threshold k: primary (fewer than k subjects, more than none), then complementary. */
export function suppress(t: AggregateTable, k: number): Suppressed {
  const { entries, lines } = flatten(t);
  const hidden = entries.map((e) => e.subjects > 0 && e.subjects < k);
  const primary = hidden.filter(Boolean).length;
  const isTotal = (i: number) => i >= t.rowKeys.length * t.colKeys.length;
  const linesOf = new Map<number, Flat['lines']>();
  for (const l of lines)
    for (const m of [...l.members, l.total]) linesOf.set(m, [...(linesOf.get(m) ?? []), l]);
  let complementary = 0;
  for (let guard = entries.length; guard > 0; guard--) {
    const open = determined(lines, hidden);
    if (open.length === 0) break;
    const score = (i: number) => [
      entries[i]!.subjects === 0 ? 1 : 0,
      entries[i]!.subjects,
      isTotal(i) ? 1 : 0,
      i,
    ];
    const better = (m: number, best: number) => best < 0 || lessThan(score(m), score(best));
    // The partner: on a line that gives a determined entry away by itself (the entry is its only hidden one),
    // else on any line of a determined entry; not hidden; a non-empty one, the fewest subjects, a cell before
    // a total of as many. The first determined entry with such a line is served first.
    let best = -1;
    const hiddenOn = (l: Flat['lines'][number]) => [...l.members, l.total].filter((m) => hidden[m]).length;
    for (const lonely of [true, false]) {
      for (const target of open) {
        for (const l of linesOf.get(target) ?? []) {
          if (lonely && hiddenOn(l) !== 1) continue;
          for (const m of [...l.members, l.total]) if (!hidden[m] && better(m, best)) best = m;
        }
        if (best >= 0) break;
      }
      if (best >= 0) break;
    }
    // Determined only by lines that are all hidden already (through a chain of them): the smallest entry left.
    if (best < 0) for (let m = 0; m < entries.length; m++) if (!hidden[m] && better(m, best)) best = m;
    if (best < 0) break;
    hidden[best] = true;
    complementary++;
  }
  const reason = (i: number): SuppressionReason | null =>
    !hidden[i] ? null : entries[i]!.subjects > 0 && entries[i]!.subjects < k ? 'below-k' : 'complementary';
  const R = t.rowKeys.length;
  const C = t.colKeys.length;
  return {
    cells: Array.from({ length: R }, (_, r) => Array.from({ length: C }, (_, c) => reason(r * C + c))),
    rowTotals: Array.from({ length: R }, (_, r) => reason(R * C + r)),
    colTotals: Array.from({ length: C }, (_, c) => reason(R * C + R + c)),
    grand: reason(R * C + R + C),
    primary,
    complementary,
  };
}

function lessThan(a: number[], b: number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
  return false;
}

/** The equations of a table (for tests that attack a published table). */
export function tableLines(t: AggregateTable): Flat['lines'] {
  return flatten(t).lines;
}
