/** Facts about one thing as label/value rows (a definition list drawn as `table.data`). */
import { type Html, html } from '../../core/html.ts';
import type { Cell } from './tableRow.ts';
import { tableCell } from './tableRow.ts';

export type KeyValue = { label: string; value: Cell };

/** Rows given as `false`/`undefined`/`''` are left out, so optional facts can be written inline. */
export function keyValueTable(rows: readonly (KeyValue | false | undefined | '')[]): Html {
  return html`<table class="data"><tbody>
${rows.map((r) => (r ? html`<tr><th>${r.label}</th>${tableCell(r.value)}</tr>\n` : ''))}</tbody></table>`;
}
