import { type Html, html, raw } from '../../core/html.ts';
import type { Content } from './content.ts';

/** A white box of the page: a `section` when it has a heading of its own, else a `div`. */
export function card(
  body: Content,
  opts: { as?: 'div' | 'section'; id?: string; role?: string; style?: string } = {},
): Html {
  const tag = raw(opts.as ?? 'div');
  return html`<${tag} class="card"${opts.id ? html` id="${opts.id}"` : ''}${
    opts.role ? html` role="${opts.role}"` : ''
  }${opts.style ? html` style="${opts.style}"` : ''}>
${body}
</${tag}>`;
}
