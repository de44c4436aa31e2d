/**
 * Summarise a V8 CPU profile: self time per function and per package or source folder, the biggest first.
 *
 *   node --import tsx bench/consent/profile-summary.ts FILE.cpuprofile [--top 40]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

type Node = {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
};
type Profile = { nodes: Node[]; samples: number[]; timeDeltas: number[] };

const { values: a, positionals } = parseArgs({
  options: { top: { type: 'string', default: '40' }, stacks: { type: 'string' } },
  allowPositionals: true,
});
const profile = JSON.parse(readFileSync(positionals[0]!, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<number, number>();
profile.samples.forEach((id, k) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[k] ?? 0)));
const total = [...self.values()].reduce((x, y) => x + y, 0);

function where(url: string): string {
  if (url === '') return '(native/V8)';
  const m = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (m) return m[1]!;
  if (url.startsWith('node:')) return url;
  const s = url.match(/\/(src\/[^/]+(?:\/[^/]+)?|bench\/[^/]+)/);
  return s ? s[1]! : url;
}
const fn = new Map<string, number>();
const pkg = new Map<string, number>();
for (const [id, us] of self) {
  const n = byId.get(id)!;
  const f = `${n.callFrame.functionName || '(anonymous)'} ${where(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
  fn.set(f, (fn.get(f) ?? 0) + us);
  const p = where(n.callFrame.url);
  pkg.set(p, (pkg.get(p) ?? 0) + us);
}
const show = (m: Map<string, number>, top: number) =>
  [...m.entries()]
    .sort((x, y) => y[1] - x[1])
    .slice(0, top)
    .map(
      ([k, v]) =>
        `${((100 * v) / total).toFixed(1).padStart(5)} %  ${(v / 1000).toFixed(0).padStart(6)} ms  ${k}`,
    )
    .join('\n');
console.log(`total sampled: ${(total / 1000).toFixed(0)} ms\n\nby package or folder:\n${show(pkg, 25)}`);
console.log(`\nby function:\n${show(fn, Number(a.top))}`);

// --stacks TEXT: the call paths (six frames up) of the samples whose leaf (`name package-or-folder`) contains TEXT, the biggest first.
if (a.stacks) {
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const paths = new Map<string, number>();
  for (const [id, us] of self) {
    const leaf = byId.get(id)!.callFrame;
    if (!`${leaf.functionName || '(anonymous)'} ${where(leaf.url)}`.includes(a.stacks)) continue;
    const frames: string[] = [];
    for (let at: number | undefined = id, k = 0; at !== undefined && k < 7; at = parent.get(at), k++) {
      const f = byId.get(at)!.callFrame;
      frames.push(`${f.functionName || '(anon)'}@${where(f.url)}:${f.lineNumber + 1}`);
    }
    const key = frames.join(' < ');
    paths.set(key, (paths.get(key) ?? 0) + us);
  }
  console.log(`\nstacks of ${a.stacks}:\n${show(paths, 15)}`);
}
