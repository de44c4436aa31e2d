/**
 * The data-flow diagram of the console, drawn as SVG on the server: purposes → the
 * group's systems and processors → recipients outside the group. Third countries marked. Built with the
 * `html` tag, so names from the register are escaped in text and attributes like every page.
 */
import { type Html, html } from '../core/html.ts';
import type { RegisterIndex } from '../core/register/register-index.ts';
import type { System } from '../core/register/schema.ts';
import { t } from '../core/register/schema.ts';

const COL_X = [16, 366, 716];
const BOX_W = 300;
const BOX_H = 30;
const GAP = 10;
const TOP = 46;

type Node = { id: string; label: string; col: number; y: number; warn?: string; kind: string };

export function dataFlowSvg(ix: RegisterIndex, orgId?: string): Html {
  const purposes = orgId ? ix.purposesOf(orgId) : ix.register.purposes;
  const inner = (s: System) => s.role === 'internal' || s.role === 'processor';
  const systemsUsed = new Map<string, System>();
  const recipientsUsed = new Map<string, System>();
  const edges: { from: string; to: string; third: boolean }[] = [];

  for (const p of purposes) {
    const own = p.systems.map((id) => ix.systems.get(id)).filter((s): s is System => !!s);
    for (const s of own) systemsUsed.set(s.id, s);
    for (const r of ix.recipientsOf(p)) (inner(r) ? systemsUsed : recipientsUsed).set(r.id, r);
  }
  const nodes = new Map<string, Node>();
  const place = (items: { id: string; label: string; warn?: string; kind: string }[], col: number) =>
    items.forEach((it, i) => nodes.set(`${col}:${it.id}`, { ...it, col, y: TOP + i * (BOX_H + GAP) }));
  const warnOf = (s: System) => {
    const third = ix.thirdCountries(s);
    return third.length > 0
      ? `${third.join(', ')} · ${s.transfer?.mechanism.toUpperCase() ?? 'NO SAFEGUARD'}`
      : undefined;
  };
  place(
    purposes.map((p) => ({ id: p.id, label: t(p.name, 'en'), kind: 'purpose' })),
    0,
  );
  place(
    [...systemsUsed.values()].map((s) => ({ id: s.id, label: s.name, warn: warnOf(s), kind: s.role })),
    1,
  );
  place(
    [...recipientsUsed.values()].map((s) => ({ id: s.id, label: s.name, warn: warnOf(s), kind: s.role })),
    2,
  );

  for (const p of purposes) {
    const own = p.systems.filter((id) => systemsUsed.has(id));
    for (const r of ix.recipientsOf(p)) {
      const third = ix.thirdCountries(r).length > 0;
      if (inner(r)) edges.push({ from: `0:${p.id}`, to: `1:${r.id}`, third });
      else if (own.length > 0) for (const s of own) edges.push({ from: `1:${s}`, to: `2:${r.id}`, third });
      else edges.push({ from: `0:${p.id}`, to: `2:${r.id}`, third });
    }
    for (const s of own) edges.push({ from: `0:${p.id}`, to: `1:${s}`, third: false });
  }
  const seen = new Set<string>();
  const uniqueEdges = edges.filter((e) => {
    const k = `${e.from}>${e.to}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });

  const rows = Math.max(purposes.length, systemsUsed.size, recipientsUsed.size, 1);
  const height = TOP + rows * (BOX_H + GAP) + 40;
  const width = COL_X[2]! + BOX_W + 16;
  const path = (a: Node, b: Node) => {
    const x1 = COL_X[a.col]! + BOX_W;
    const y1 = a.y + BOX_H / 2;
    const x2 = COL_X[b.col]!;
    const y2 = b.y + BOX_H / 2;
    const mx = (x1 + x2) / 2;
    return `M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}`;
  };
  const fill: Record<string, string> = {
    purpose: '#e8f0fe',
    internal: '#e6f4ea',
    processor: '#fef7e0',
    controller: '#fce8e6',
    authority: '#f1e8fd',
    'group-company': '#e6f4ea',
  };
  const heads = ['Purposes', 'Our systems and processors', 'Recipients outside the group'].map(
    (h, i) => html`<text x="${COL_X[i]}" y="24" font-weight="600" font-size="13" fill="#1d2430">${h}</text>`,
  );
  const paths = uniqueEdges.map((e) => {
    const a = nodes.get(e.from);
    const b = nodes.get(e.to);
    if (!a || !b) return '';
    return html`<path d="${path(a, b)}" fill="none" stroke="${e.third ? '#d93025' : '#9aa5b5'}" stroke-width="${e.third ? 1.6 : 1.1}"${e.third ? html` stroke-dasharray="5 3"` : ''} marker-end="url(#arrow)" opacity="0.85"/>`;
  });
  const boxes = [...nodes.values()].map((n) => {
    const x = COL_X[n.col]!;
    const label = n.label.length > 44 ? `${n.label.slice(0, 42)}…` : n.label;
    return html`<g data-node="${n.id}"><title>${n.label}</title><rect x="${x}" y="${n.y}" width="${BOX_W}" height="${BOX_H}" rx="6" fill="${fill[n.kind] ?? '#fff'}" stroke="${n.warn ? '#d93025' : '#c4ccd8'}" stroke-width="${n.warn ? 1.6 : 1}"/>
<text x="${x + 10}" y="${n.y + (n.warn ? 13 : 19)}" fill="#1d2430">${label}</text>
${n.warn ? html`<text x="${x + 10}" y="${n.y + 25}" fill="#b3261e" font-size="10">⚑ outside EU/EEA: ${n.warn}</text>` : ''}
</g>`;
  });
  const ly = height - 16;
  const legend = html`<g font-size="11" fill="#3c4657"><rect x="16" y="${ly - 10}" width="12" height="12" fill="#e6f4ea" stroke="#c4ccd8"/><text x="32" y="${ly}">internal</text>
<rect x="96" y="${ly - 10}" width="12" height="12" fill="#fef7e0" stroke="#c4ccd8"/><text x="112" y="${ly}">processor (DPA)</text>
<rect x="220" y="${ly - 10}" width="12" height="12" fill="#fce8e6" stroke="#c4ccd8"/><text x="236" y="${ly}">independent controller</text>
<line x1="380" y1="${ly - 4}" x2="410" y2="${ly - 4}" stroke="#d93025" stroke-dasharray="5 3" stroke-width="1.6"/><text x="416" y="${ly}">transfer outside the EU/EEA</text></g>`;
  return html`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-labelledby="dfd-title" font-family="system-ui, sans-serif" font-size="12">
<title id="dfd-title">Data flow: purposes, systems and recipients</title>
<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#7a869a"/></marker></defs>
${heads}
${paths}
${boxes}
${legend}
</svg>`;
}
