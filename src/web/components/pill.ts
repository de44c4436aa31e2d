import { type Html, html } from '../../core/html.ts';

/** A small label; `warn` marks something that needs attention. */
export function pill(text: string | Html, opts: { warn?: boolean; title?: string } = {}): Html {
  return html`<span class="pill${opts.warn ? ' warn' : ''}"${opts.title ? html` title="${opts.title}"` : ''}>${text}</span>`;
}
