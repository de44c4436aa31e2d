import { type Html, html } from '../../core/html.ts';
import type { Content } from './content.ts';

/** A table cell: its content, or its content with a class. */
export type Cell = Content | { class: string; content: Content };

const isClassed = (c: Cell): c is { class: string; content: Content } =>
  typeof c === 'object' && c !== null && !Array.isArray(c) && 'class' in c && 'content' in c;

function cell(c: Cell): Html {
  return isClassed(c) ? html`<td class="${c.class}">${c.content}</td>` : html`<td>${c}</td>`;
}

/** One row; its cells follow each other without space between them. */
export function tableRow(cells: Cell[]): Html {
  return html`<tr>${cells.map(cell)}</tr>`;
}

/** A table of records (`table.data`): the column headings, then one row each. */
export function dataTable(head: Content[], rows: Html[]): Html {
  return html`<table class="data">
<thead><tr>${head.map((h) => html`<th>${h}</th>`)}</tr></thead>
<tbody>
${rows.map((r) => html`${r}\n`)}</tbody>
</table>`;
}
