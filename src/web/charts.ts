/**
 * Small server-rendered SVG charts for the console (no script): horizontal bars and a gauge. Built with the
 * `html` tag like every page, so labels and titles (text and attributes) are escaped the same way.
 */
import { type Html, html } from '../core/html.ts';

const COLORS = ['#1a56c4', '#2f9e63', '#d98c1f', '#b3261e', '#7048c4', '#158a9a', '#6b7280'];

/** Horizontal bar chart of counts, labelled; `title` becomes the accessible name. */
export function barChartSvg(title: string, data: Record<string, number>, order?: readonly string[]): Html {
  const keys = order ?? Object.keys(data);
  const rows = keys.map((k) => [k, data[k] ?? 0] as const);
  const max = Math.max(1, ...rows.map(([, v]) => v));
  const barH = 22;
  const labelW = 130;
  const width = 420;
  const height = rows.length * (barH + 6) + 30;
  const bars = rows.map(([k, v], i) => {
    const y = 26 + i * (barH + 6);
    const w = Math.round(((width - labelW - 50) * v) / max);
    return html`<text x="${labelW - 8}" y="${y + 15}" text-anchor="end" font-size="12">${k}</text><rect x="${labelW}" y="${y}" width="${w}" height="${barH}" rx="3" fill="${COLORS[i % COLORS.length]}"/><text x="${labelW + w + 6}" y="${y + 15}" font-size="12">${v}</text>`;
  });
  return html`<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${title}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" font-family="system-ui,sans-serif"><title>${title}</title><text x="0" y="14" font-size="13" font-weight="600">${title}</text>${bars}</svg>`;
}

/** A ring showing a share (0–1) with the figure in the middle; null shows a dash. */
export function gaugeSvg(title: string, share: number | null, caption: string): Html {
  const r = 42;
  const c = 2 * Math.PI * r;
  const filled = share === null ? 0 : Math.max(0, Math.min(1, share)) * c;
  const label = share === null ? '—' : `${Math.round(share * 100)}%`;
  const stroke = share !== null && share < 0.9 ? '#b3261e' : '#2f9e63';
  return html`<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${`${title}: ${label}`}" viewBox="0 0 200 130" width="200" height="130" font-family="system-ui,sans-serif"><title>${title}</title><text x="0" y="14" font-size="13" font-weight="600">${title}</text><circle cx="100" cy="72" r="${r}" fill="none" stroke="#eceff3" stroke-width="12"/><circle cx="100" cy="72" r="${r}" fill="none" stroke="${stroke}" stroke-width="12" stroke-dasharray="${filled.toFixed(1)} ${c.toFixed(1)}" transform="rotate(-90 100 72)"/><text x="100" y="78" text-anchor="middle" font-size="18" font-weight="700">${label}</text><text x="100" y="127" text-anchor="middle" font-size="11" fill="#5f6b7c">${caption}</text></svg>`;
}

/**
 * Grouped horizontal bars: for each group (a data category), one bar per series (a company), with a
 * legend. `title` becomes the accessible name.
 */
export function groupedBarChartSvg(
  title: string,
  groups: readonly { label: string; values: Record<string, number> }[],
  series: readonly string[],
): Html {
  const max = Math.max(1, ...groups.flatMap((g) => series.map((s) => g.values[s] ?? 0)));
  const barH = 14;
  const labelW = 210;
  const width = 640;
  const groupH = series.length * (barH + 3) + 10;
  const legendY = 26;
  const top = legendY + 22;
  const height = top + groups.length * groupH + 6;
  // Each series' key within the chart's width (four or more series share it).
  const step = Math.min(150, Math.floor((width - labelW) / Math.max(1, series.length)));
  const legend = series.map(
    (s, i) =>
      html`<rect x="${labelW + i * step}" y="${legendY}" width="12" height="12" rx="2" fill="${COLORS[i % COLORS.length]}"/><text x="${labelW + i * step + 16}" y="${legendY + 11}" font-size="12">${s}</text>`,
  );
  const bars = groups.map((g, gi) => {
    const y0 = top + gi * groupH;
    const rows = series.map((s, si) => {
      const v = g.values[s] ?? 0;
      const y = y0 + si * (barH + 3);
      const w = Math.round(((width - labelW - 50) * v) / max);
      return html`<rect x="${labelW}" y="${y}" width="${w}" height="${barH}" rx="2" fill="${COLORS[si % COLORS.length]}"/><text x="${labelW + w + 5}" y="${y + 11}" font-size="11">${v}</text>`;
    });
    return html`<text x="${labelW - 8}" y="${y0 + (series.length * (barH + 3)) / 2 + 4}" text-anchor="end" font-size="12">${g.label}</text>${rows}`;
  });
  return html`<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${title}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" font-family="system-ui,sans-serif"><title>${title}</title><text x="0" y="14" font-size="13" font-weight="600">${title}</text>${legend}${bars}</svg>`;
}
