/** A card: a white box on the page, with an optional heading. */
import { type Html, html } from '../../core/html.ts';

type Content = Parameters<typeof html>[1];

export function card(
  body: Content,
  opts: {
    title?: string;
    id?: string;
    class?: string;
    tag?: 'div' | 'article' | 'section';
    role?: string;
    style?: string;
    /** `data-*` attributes, e.g. `{ mail: id }` → `data-mail="…"`. */
    data?: Record<string, string>;
  } = {},
): Html {
  const tag = opts.tag ?? 'div';
  const data = Object.entries(opts.data ?? {}).map(([k, v]) => html` data-${k}="${v}"`);
  const attrs = html`${opts.id ? html` id="${opts.id}"` : ''}${opts.role ? html` role="${opts.role}"` : ''}${
    opts.style ? html` style="${opts.style}"` : ''
  }`;
  const open = html`<${tag} class="card${opts.class ? ` ${opts.class}` : ''}"${attrs}${data}>`;
  return html`${open}${opts.title ? html`<h2>${opts.title}</h2>` : ''}${body}</${tag}>`;
}
