/** A labelled `<input>`. `attrs` are further attributes written as given (`autocomplete`, `pattern`, …). */
import { type Html, html } from '../../core/html.ts';

export function inputField(opts: {
  id: string;
  name?: string;
  label: string;
  type?: string;
  value?: string;
  required?: boolean;
  attrs?: Record<string, string>;
}): Html {
  const extra = Object.entries(opts.attrs ?? {}).map(([k, v]) => html` ${k}="${v}"`);
  return html`<label for="${opts.id}">${opts.label}</label><input id="${opts.id}" name="${opts.name ?? opts.id}"${
    opts.type ? html` type="${opts.type}"` : ''
  }${opts.value !== undefined ? html` value="${opts.value}"` : ''}${extra}${opts.required ? html` required` : ''}>`;
}
