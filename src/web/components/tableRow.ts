/** One table row; its cells are written next to each other, so `<td>a</td><td>b</td>`. */
import { type Html, html } from '../../core/html.ts';

type Content = Parameters<typeof html>[1];

/** A cell: its content, or the content with the cell's attributes. */
export type Cell = Content | { content: Content; class?: string; id?: string; title?: string };

const isCellObject = (c: Cell): c is Exclude<Cell, Content> =>
  typeof c === 'object' && c !== null && !Array.isArray(c) && 'content' in c;

export function tableCell(cell: Cell, header = false): Html {
  const c = isCellObject(cell) ? cell : { content: cell };
  const attrs = html`${c.id ? html` id="${c.id}"` : ''}${c.class ? html` class="${c.class}"` : ''}${
    c.title ? html` title="${c.title}"` : ''
  }`;
  return header ? html`<th${attrs}>${c.content}</th>` : html`<td${attrs}>${c.content}</td>`;
}

/** `data` names a `data-*` attribute of the row, e.g. `{ request: id }` → `data-request="…"`. */
export function tableRow(
  cells: readonly Cell[],
  opts: { header?: boolean; data?: Record<string, string> } = {},
): Html {
  const data = Object.entries(opts.data ?? {}).map(([k, v]) => html` data-${k}="${v}"`);
  return html`<tr${data}>${cells.map((c) => tableCell(c, opts.header))}</tr>`;
}
