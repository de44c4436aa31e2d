import { type Html, html } from '../../core/html.ts';
import type { Content } from './content.ts';

/** A small rounded label; `kind` colours it (a legal basis such as `consent`, or `warn`). */
export function pill(text: Content, kind?: string, title?: string): Html {
  return html`<span class="${kind ? `pill ${kind}` : 'pill'}"${title ? html` title="${title}"` : ''}>${text}</span>`;
}
