/** Reading a Prometheus text exposition (what /metrics answers) in the monitoring tests. */

export type Sample = { name: string; labels: Record<string, string>; value: number };

/** Every sample line of the exposition (comments left out). */
export function samples(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

/** The samples of one series name, each as `label=value,…` (labels sorted) → value; for `toEqual` tables. */
export function table(all: Sample[], name: string): Record<string, number> {
  return Object.fromEntries(
    all
      .filter((s) => s.name === name)
      .map((s) => [
        Object.entries(s.labels)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([k, v]) => `${k}=${v}`)
          .join(','),
        s.value,
      ]),
  );
}

/** The one value of a series without labels (undefined: not reported). */
export const single = (all: Sample[], name: string) =>
  all.find((s) => s.name === name && Object.keys(s.labels).length === 0)?.value;
