/** A data table (`table.data`): a head row and body rows, with an optional "nothing here" row. */
import { type Html, html } from '../../core/html.ts';
import { type Cell, tableRow } from './tableRow.ts';

export function dataTable(opts: {
  head: readonly Cell[];
  rows: readonly Html[];
  id?: string;
  /** Shown as one muted row spanning the table when there are no rows. */
  empty?: string;
}): Html {
  const emptyRow =
    opts.rows.length === 0 && opts.empty
      ? html`<tr><td colspan="${opts.head.length}" class="muted">${opts.empty}</td></tr>`
      : '';
  return html`<table class="data"${opts.id ? html` id="${opts.id}"` : ''}>
<thead>${tableRow(opts.head, { header: true })}</thead>
<tbody>
${[...opts.rows]}${emptyRow}
</tbody>
</table>`;
}
