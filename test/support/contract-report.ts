/**
 * Vitest's global setup for the contract check (test/support/contract.ts): makes the run's directory for the
 * counts each test file appends, and at the end of the run sums them, prints one line, e.g.
 *   contract: 1234 API responses checked against their schemas, 0 mismatches, 56 undeclared (GET /api/v1/x 200 ×9, …)
 * and fails the run on any mismatch, and on any undeclared response too when strict.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { type ContractCounts, emptyCounts } from './contract.ts';

/**
 * Whether a response its route declares no schema for fails the run: on, since every operation declares its
 * responses; OMBUD_CONTRACT_STRICT=0 turns it off for one run (e.g. while a new route is being written).
 */
export const UNDECLARED_FAILS = true;

declare module 'vitest' {
  export interface ProvidedContext {
    contractDir: string;
  }
}

const strict = () =>
  process.env.OMBUD_CONTRACT_STRICT ? process.env.OMBUD_CONTRACT_STRICT === '1' : UNDECLARED_FAILS;

export function sumCounts(lines: string[]): ContractCounts {
  const total = emptyCounts();
  for (const line of lines) {
    const c = JSON.parse(line) as ContractCounts;
    total.checked += c.checked;
    total.mismatches += c.mismatches;
    total.undeclared += c.undeclared;
    total.unchecked += c.unchecked;
    for (const kind of ['mismatch', 'undeclared', 'unchecked'] as const)
      for (const [route, n] of Object.entries(c.routes[kind]))
        total.routes[kind][route] = (total.routes[kind][route] ?? 0) + n;
    total.mismatchDetails.push(...c.mismatchDetails);
  }
  return total;
}

const top = (routes: Record<string, number>, n = 5) =>
  Object.entries(routes)
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .slice(0, n)
    .map(([route, count]) => `${route} ×${count}`)
    .join(', ');

/** The one line of the run: counts, then the routes that most need a schema (or that broke it). */
export function contractLine(t: ContractCounts): string {
  let line = `contract: ${t.checked} API responses checked against their schemas, ${t.mismatches} mismatches`;
  if (t.mismatches) line += ` (${top(t.routes.mismatch)})`;
  line += `, ${t.undeclared} undeclared`;
  if (t.undeclared) line += ` (${top(t.routes.undeclared)})`;
  if (t.unchecked) line += `, ${t.unchecked} sent as bytes, unchecked (${top(t.routes.unchecked)})`;
  return line;
}

export default function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), 'ombud-contract-'));
  project.provide('contractDir', dir);
  return () => {
    const file = join(dir, 'counts.jsonl');
    const lines = existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
    rmSync(dir, { recursive: true, force: true });
    const t = sumCounts(lines);
    console.log(contractLine(t));
    for (const d of t.mismatchDetails) console.log(`contract: mismatch ${d}`);
    const failures = [
      ...(t.mismatches ? [`${t.mismatches} responses do not match their declared schemas`] : []),
      ...(t.undeclared && strict() ? [`${t.undeclared} responses have no declared schema (strict)`] : []),
    ];
    if (failures.length) {
      console.error(`contract: FAILED: ${failures.join('; ')}.`);
      process.exitCode = 1;
    }
  };
}
