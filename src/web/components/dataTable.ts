import { type Html, html } from '../../core/html.ts';

/** The console's table of rows: a header row of column names and one `<tr>` per row (class "data"). */
export function dataTable(columns: readonly (string | Html)[], rows: Html | Html[]): Html {
  return html`<table class="data">${tableHead(columns)}<tbody>${rows}</tbody></table>`;
}

/** Just the header row, for a table whose head is shared by several tables. */
export function tableHead(columns: readonly (string | Html)[]): Html {
  return html`<thead><tr>${columns.map((c) => html`<th>${c}</th>`)}</tr></thead>`;
}
