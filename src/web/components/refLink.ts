/** An audit id (`user:<uuid>`, `request:<uuid>`, …) shown by its name, linked to its page; the id in the title. */
import { type Html, html } from '../../core/html.ts';
import type { RefNames } from '../../services/audit/names.ts';

export function refLink(ref: string | null, names: RefNames | undefined): Html | string {
  if (!ref) return '';
  const n = names?.get(ref);
  if (!n) return html`<code>${ref}</code>`;
  return n.href
    ? html`<a href="${n.href}" title="${ref}">${n.label}</a>`
    : html`<span title="${ref}">${n.label}</span>`;
}
