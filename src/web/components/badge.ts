/** A small status pill (`span.pill`); `warn` colours it as a warning. */
import { type Html, html } from '../../core/html.ts';

export function badge(text: string, opts: { warn?: boolean; id?: string } = {}): Html {
  return html`<span class="pill ${opts.warn ? 'warn' : ''}"${opts.id ? html` id="${opts.id}"` : ''}>${text}</span>`;
}
