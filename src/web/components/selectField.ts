/** A labelled `<select>`; an option is `<option value="v" selected>label</option>`. */
import { type Html, html } from '../../core/html.ts';

export type Option = { value: string; label: string };

export function options(list: readonly Option[], selected?: string): Html[] {
  return list.map(
    (o) => html`<option value="${o.value}"${o.value === selected ? html` selected` : ''}>${o.label}</option>`,
  );
}

/** The same value and label, e.g. the request types. */
export const plainOptions = (values: readonly string[]): Option[] =>
  values.map((v) => ({ value: v, label: v }));

export function selectField(opts: {
  id: string;
  name?: string;
  label: string;
  options: readonly Option[];
  selected?: string;
  required?: boolean;
}): Html {
  return html`<label for="${opts.id}">${opts.label}</label><select id="${opts.id}" name="${opts.name ?? opts.id}"${
    opts.required ? html` required` : ''
  }>${options(opts.options, opts.selected)}</select>`;
}
