/** A labelled `<textarea>`. */
import { type Html, html } from '../../core/html.ts';

export function textareaField(opts: { id: string; name?: string; label: string; rows?: number }): Html {
  const label = html`<label for="${opts.id}">${opts.label}</label>`;
  return html`${label}<textarea id="${opts.id}" name="${opts.name ?? opts.id}" rows="${String(opts.rows ?? 3)}"></textarea>`;
}
