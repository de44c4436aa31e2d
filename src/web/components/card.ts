import { type Html, html } from '../../core/html.ts';

/** A section of a console page: a card with an optional heading and id. */
export function card(content: Html | Html[], opts: { heading?: string | Html; id?: string } = {}): Html {
  return html`<section class="card"${opts.id ? html` id="${opts.id}"` : ''}>${opts.heading ? html`<h2>${opts.heading}</h2>` : ''}${content}</section>`;
}
